package diskimage

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInspectArtifactFile judges real files of every kind an artifact may carry, by content
// (the names lie on purpose), and leaves them unchanged.
func TestInspectArtifactFile(t *testing.T) {
	requireTools(t, "qemu-img", "sfdisk", "xorriso", "mkfs.vfat")
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	run := func(argv ...string) {
		t.Helper()
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	run("truncate", "-s", "4M", p("gpt.raw"))
	sfdisk(t, p("gpt.raw"), "label: gpt\n,,L\n")
	run("truncate", "-s", "4M", p("mbr.raw"))
	sfdisk(t, p("mbr.raw"), "label: dos\n,,83\n")
	run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", p("gpt.raw"), p("disk.img"))
	run("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", p("gpt.raw"), p("disk.vhd"))
	run("qemu-img", "convert", "-f", "raw", "-O", "vhdx", p("gpt.raw"), p("disk.vhdx"))
	run("mkfs.vfat", "-C", p("esp.raw"), "8192")
	for _, tree := range []string{"live/liveos", "other/docs"} {
		if err := os.MkdirAll(p(tree), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, p("live/liveos/rootfs.img"), []byte("squashfs stand-in"))
	writeFile(t, p("other/docs/readme"), []byte("not live"))
	run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", p("live.bin"), p("live"))
	run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", p("other.iso"), p("other"))
	// Which ISO is a Live OS ISO is the caller's knowledge; this stand-in goes by name.
	liveISOByName := func(path string) (bool, string) {
		return filepath.Base(path) == "live.bin", "no /liveos/rootfs.img"
	}
	// An OVMF variable store: a firmware volume header with "_FVH" at byte 40.
	vars := make([]byte, 528*1024)
	copy(vars[40:], "_FVH")
	writeFile(t, p("efivars.fd"), vars)
	writeFile(t, p("SHA256SUMS"), []byte(strings.Repeat("0123abcd  disk.qcow2\n", 3)))

	for _, tc := range []struct {
		file   string
		format Format
		what   string
	}{
		{"gpt.raw", FormatRaw, "raw disk image (GPT)"},
		{"mbr.raw", FormatRaw, "raw disk image (MBR)"},
		{"disk.img", FormatQcow2, "qcow2 disk image"},
		{"disk.vhd", FormatVHD, "vhd disk image"},
		{"disk.vhdx", FormatVHDX, "vhdx disk image"},
		{"live.bin", FormatISO, "Live OS ISO"},
		{"other.iso", "", "ISO 9660 image that is not a Live OS ISO (no /liveos/rootfs.img)"},
		{"esp.raw", "", "FAT file system image, not a partitioned disk image"},
		{"efivars.fd", "", "UEFI firmware volume (such as a VM's efivars.fd), not a disk image"},
		{"SHA256SUMS", "", "not a disk image (no qcow2, vhd, vhdx, iso9660, MBR or GPT signature)"},
		{"live", "", "a directory, not a disk image"},
	} {
		before := statLine(t, p(tc.file))
		got := InspectArtifactFile(p(tc.file), liveISOByName)
		if got.Format != tc.format || got.What != tc.what || got.Path != p(tc.file) {
			t.Errorf("%s: got %q %q, want %q %q", tc.file, got.Format, got.What, tc.format, tc.what)
		}
		if after := statLine(t, p(tc.file)); after != before {
			t.Errorf("%s changed while it was inspected: %s -> %s", tc.file, before, after)
		}
	}
	if got := InspectArtifactFile(p("missing"), liveISOByName); got.IsDiskImage() || !strings.HasPrefix(got.What, "unreadable: ") {
		t.Errorf("missing file: got %q %q, want unreadable", got.Format, got.What)
	}
}

// statLine is a file's size, mode and modification time.
func statLine(t *testing.T, p string) string {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(fi.Mode(), " ", fi.ModTime(), " ", fi.Size())
}
