package diskimage

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	requireTools(t, "qemu-img", "sfdisk")
	dir := t.TempDir()
	run := func(argv ...string) {
		t.Helper()
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	// A raw GPT disk, an MBR disk, then the same disk in every container.
	run("truncate", "-s", "4M", p("gpt.img"))
	sfdisk(t, p("gpt.img"), "label: gpt\n,,L\n")
	run("truncate", "-s", "4M", p("mbr.img"))
	sfdisk(t, p("mbr.img"), "label: dos\n,,83\n")
	run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", p("gpt.img"), p("disk.qcow2"))
	run("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", p("gpt.img"), p("dyn.vhd"))
	run("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", p("gpt.img"), p("fixed.vhd"))
	run("qemu-img", "convert", "-f", "raw", "-O", "vhdx", p("gpt.img"), p("disk.vhdx"))
	// Names lie on purpose: detection must look at content only.
	run("cp", p("disk.qcow2"), p("looks-raw.img"))
	iso := make([]byte, 0x8800)
	copy(iso[0x8001:], "CD001")
	writeFile(t, p("fake.iso"), iso)
	writeFile(t, p("notes.txt"), []byte(strings.Repeat("just some text\n", 100)))
	writeFile(t, p("empty"), nil)
	writeFile(t, p("zeros.img"), make([]byte, 1<<20))

	for _, tc := range []struct {
		file string
		want Format
	}{
		{"gpt.img", FormatRaw}, {"mbr.img", FormatRaw}, {"disk.qcow2", FormatQcow2},
		{"dyn.vhd", FormatVHD}, {"fixed.vhd", FormatVHD}, {"disk.vhdx", FormatVHDX},
		{"looks-raw.img", FormatQcow2}, {"fake.iso", FormatISO},
		{"notes.txt", ""}, {"empty", ""}, {"zeros.img", ""},
	} {
		got, err := DetectFormat(p(tc.file))
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "not a disk image") || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("DetectFormat(%s) = %q, %v; want a 'not a disk image' error naming the file", tc.file, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("DetectFormat(%s) = %q, %v; want %q", tc.file, got, err, tc.want)
		}
	}
	if _, err := DetectFormat(p("missing")); err == nil {
		t.Error("DetectFormat of a missing file succeeded")
	}
}

func TestParseFormats(t *testing.T) {
	for _, s := range []string{"raw", "qcow2", "vhd", "vhdx", "iso"} {
		if f, err := ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"raw", "qcow2", "vhd", "vhd-fixed", "vhdx"} {
		if f, err := ParseOutputFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseOutputFormat(%q) = %q, %v", s, f, err)
		}
	}
	if _, err := ParseFormat("vmdk"); err == nil || !strings.Contains(err.Error(), `"vhdx"`) || !strings.Contains(err.Error(), `"vmdk"`) {
		t.Errorf("ParseFormat(vmdk) error %v; want it to name the value and list valid ones", err)
	}
	if _, err := ParseOutputFormat("iso"); err == nil || !strings.Contains(err.Error(), `"vhd-fixed"`) {
		t.Errorf("ParseOutputFormat(iso) error %v; want the list of valid values", err)
	}
	if _, err := ParseFormat("QCOW2"); err == nil {
		t.Error("ParseFormat is case-sensitive like the other closed sets, but accepted QCOW2")
	}
}

func TestConvertArgv(t *testing.T) {
	for _, tc := range []struct {
		src  Format
		out  OutputFormat
		want string
	}{
		{FormatRaw, OutputQcow2, "qemu-img convert -p -f raw -O qcow2 in out"},
		{FormatQcow2, OutputRaw, "qemu-img convert -p -f qcow2 -O raw in out"},
		{FormatVHD, OutputVHD, "qemu-img convert -p -f vpc -O vpc -o subformat=dynamic in out"},
		{FormatRaw, OutputVHDFixed, "qemu-img convert -p -f raw -O vpc -o subformat=fixed,force_size=on in out"},
		{FormatVHDX, OutputVHDX, "qemu-img convert -p -f vhdx -O vhdx -o subformat=dynamic,block_size=2097152 in out"},
	} {
		if got := strings.Join(ConvertArgv("in", tc.src, "out", tc.out), " "); got != tc.want {
			t.Errorf("ConvertArgv(%s→%s) = %q; want %q", tc.src, tc.out, got, tc.want)
		}
	}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sfdisk(t *testing.T, img, script string) {
	t.Helper()
	cmd := exec.Command("sfdisk", "-q", img)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk %s: %v\n%s", img, err, out)
	}
}
