package liveos

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
)

const fuzzGrubCfg = `set timeout=5
menuentry 'Debian GNU/Linux' --class debian {
	linux	/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b1c ro quiet console=ttyS0,115200n8 "acpi_osi=!Windows 2012" $vt_handoff
	initrd	/boot/initrd.img-6.1.0-18-amd64
}
menuentry 'Debian (recovery mode)' {
	linux /boot/vmlinuz root=UUID=0b1c ro single
}
`

const fuzzDefaultGrub = `GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
export GRUB_CMDLINE_LINUX='console=tty0'
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ${GRUB_CMDLINE_LINUX_DEFAULT} net.ifnames=0" # comment
`

// The image's grub.cfg, /etc/kernel/cmdline and /etc/default/grub come from the image, which
// may be hostile: whatever they hold, the arguments taken from them are non-empty, hold no GRUB
// variable and no disk-only argument, and a single variable never grows past maxShellValue.
func FuzzImageArgs(f *testing.F) {
	f.Add(fuzzGrubCfg, "", "")
	f.Add("", "# comment\nroot=/dev/sda1 quiet splash\n", "")
	f.Add("", "", fuzzDefaultGrub)
	f.Add("", "", "A=x\nA=$A$A\nA=$A$A\nA=\"${A}${A}\"\n")
	f.Fuzz(func(t *testing.T, grubCfg, cmdline, defaultGrub string) {
		var snap bootconfig.Snapshot
		if grubCfg != "" {
			snap.GrubCfgs = []bootconfig.File{{Path: "/boot/grub/grub.cfg", Content: grubCfg}}
		}
		if cmdline != "" {
			snap.KernelCmdline = &bootconfig.File{Path: "/etc/kernel/cmdline", Content: cmdline}
		}
		if defaultGrub != "" {
			snap.DefaultGrub = &bootconfig.File{Path: "/etc/default/grub", Content: defaultGrub}
		}
		args, source := ImageArgsOf(snap)
		if source == "" && len(args) > 0 {
			t.Fatalf("arguments %q without a source", args)
		}
		for _, a := range args {
			if a == "" || strings.Contains(a, "$") || DiskOnlyArg(a) {
				t.Fatalf("kept argument %q from %s", a, source)
			}
		}
		for name, v := range parseShellAssignments(defaultGrub) {
			if !isShellName(name) || len(v) > maxShellValue {
				t.Fatalf("variable %q has %d bytes", name, len(v))
			}
		}
	})
}

// A kernel command line split into arguments and joined again splits the same way, and the
// composed list never repeats an argument nor keeps a root= after the live ones.
func FuzzKernelArgs(f *testing.F) {
	f.Add(`root=live:CDLABEL=X rd.live.image quiet "acpi_osi=!Windows 2012" console=ttyS0`)
	f.Add(`a"b c`)
	f.Add("\t\r\n")
	f.Fuzz(func(t *testing.T, cmdline string) {
		args := SplitCmdline(cmdline)
		for _, a := range args {
			if a == "" {
				t.Fatalf("empty argument from %q", cmdline)
			}
		}
		if again := SplitCmdline(strings.Join(args, " ")); !slices.Equal(again, args) {
			t.Fatalf("split %q: %q, joined and split again: %q", cmdline, args, again)
		}
		live := LiveArgs("LABEL")
		out := ComposeArgs(live, args, args)
		seen := map[string]bool{}
		for i, a := range out {
			if seen[a] {
				t.Fatalf("%q repeated in %q", a, out)
			}
			seen[a] = true
			if i >= len(live) && argKey(a) == "root" {
				t.Fatalf("root argument %q after the live ones in %q", a, out)
			}
		}
	})
}

// A saved config read from media may be anything; one that parses is written back and read
// again unchanged.
func FuzzParseSavedConfig(f *testing.F) {
	good, err := SavedConfig{Label: "CDROM", LiveArgs: LiveArgs("CDROM"), ImageArgs: []string{"quiet"},
		UserArgs: []string{"console=ttyS0"}, Compression: "zstd", Kernels: []string{"6.1.0-18-amd64"}}.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("label: [a, b]\n"))
	f.Add([]byte("label: &a x\nliveArgs: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSavedConfig(data)
		if err != nil {
			return
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("marshal %+v: %v", s, err)
		}
		back, err := ParseSavedConfig(out)
		if err != nil {
			t.Fatalf("read back %q: %v", out, err)
		}
		if !reflect.DeepEqual(normSaved(back), normSaved(s)) {
			t.Fatalf("round trip changed %+v into %+v", s, back)
		}
	})
}

// normSaved treats an empty list and no list alike: omitempty writes neither.
func normSaved(s SavedConfig) SavedConfig {
	for _, l := range []*[]string{&s.LiveArgs, &s.ImageArgs, &s.UserArgs, &s.Kernels} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return s
}

// Regression: each line doubling a variable made its value grow exponentially (2^40 bytes).
func TestShellAssignmentsStayBounded(t *testing.T) {
	src := "A=xxxxxxxx" + strings.Repeat("\nA=\"$A$A\"", 40) + "\nB=" + strings.Repeat("$A", 1000)
	vars := parseShellAssignments(src)
	if len(vars["A"]) != maxShellValue || len(vars["B"]) != maxShellValue {
		t.Errorf("A has %d bytes, B %d; want both cut at %d", len(vars["A"]), len(vars["B"]), maxShellValue)
	}
}
