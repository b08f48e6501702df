package liveos

import (
	"fmt"
	"strings"
	"testing"
)

// debianInput is what the executor hands PlanLayout for a Debian 12 cloud
// image with the image's own shim and signed CD GRUB, BIOS boot and a
// cloud-init seed (iso-support.md example 2).
func debianInput() LayoutInput {
	const w = "/work/build/liveos"
	return LayoutInput{
		Label: "DEBLIVE",
		Kernels: []Kernel{{
			Version: "6.1.0-50-cloud-amd64",
			Vmlinuz: w + "/rootfs/boot/vmlinuz-6.1.0-50-cloud-amd64",
			Initrd:  w + "/initrd/initrd.img-6.1.0-50-cloud-amd64",
		}},
		GrubCfg:     "search --no-floppy --set=root --label DEBLIVE\n",
		EFIBootImg:  w + "/efiboot.img",
		BIOSImg:     w + "/bios.img",
		Shim:        w + "/rootfs/usr/lib/shim/shimx64.efi.signed",
		Grub:        w + "/rootfs/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
		MokManager:  w + "/rootfs/usr/lib/shim/mmx64.efi.signed",
		Squashfs:    w + "/rootfs.img",
		SavedConfig: []byte("label: DEBLIVE\n"),
		DiskInfo:    "Debian GNU/Linux 12 (bookworm) Live",
		AdditionalFiles: []MediaFile{
			{Dest: "/cloud-init-data/user-data", Source: "/home/me/seed/user-data"},
			{Dest: "cloud-init-data/meta-data", Content: []byte("instance-id: live\n")},
			{Dest: "tools//run.sh", Source: "/home/me/run.sh", Mode: 0o755},
		},
	}
}

// layoutText renders a layout for golden files: one line per file, with
// the content of generated files indented below it.
func layoutText(l Layout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "label %s\nefiboot.img %s\nbios.img %q\n", l.Label, l.EFIBootImg, l.BIOSImg)
	for _, f := range l.Files {
		if f.Source != "" {
			fmt.Fprintf(&b, "%s %s <- %s\n", f.Mode, f.Dest, f.Source)
			continue
		}
		fmt.Fprintf(&b, "%s %s =\n", f.Mode, f.Dest)
		for _, line := range strings.Split(strings.TrimRight(string(f.Content), "\n"), "\n") {
			fmt.Fprintf(&b, "    | %s\n", line)
		}
	}
	return b.String()
}

func TestPlanLayoutGolden(t *testing.T) {
	l, err := PlanLayout(debianInput())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "layout-debian", layoutText(l))
}

func TestPlanLayoutVariants(t *testing.T) {
	t.Run("standalone grub, UEFI only, defaults", func(t *testing.T) {
		in := debianInput()
		in.Shim, in.MokManager, in.BIOSImg, in.DiskInfo, in.SavedConfig, in.AdditionalFiles = "", "", "", "", nil, nil
		in.Grub = "/b/BOOTX64.EFI"
		l, err := PlanLayout(in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]MediaFile{}
		for _, f := range l.Files {
			got[f.Dest] = f
		}
		if got["EFI/BOOT/BOOTX64.EFI"].Source != "/b/BOOTX64.EFI" {
			t.Errorf("standalone GRUB is not BOOTX64.EFI: %+v", got["EFI/BOOT/BOOTX64.EFI"])
		}
		for _, absent := range []string{"EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi", PathBIOSImg, PathSavedConfig} {
			if _, ok := got[absent]; ok {
				t.Errorf("%s planned although its input is empty", absent)
			}
		}
		if l.BIOSImg != "" {
			t.Errorf("BIOSImg = %q for UEFI-only media", l.BIOSImg)
		}
		if string(got[PathDiskInfo].Content) != "Live OS DEBLIVE\n" {
			t.Errorf(".disk/info = %q", got[PathDiskInfo].Content)
		}
	})
	// Fedora's gcdx64.efi reads EFI/BOOT/grub.cfg; the redirect there finds the media by label
	// and runs the real grub.cfg, and an additional file cannot take its place.
	t.Run("CD GRUB reading its configuration elsewhere", func(t *testing.T) {
		in := debianInput()
		in.GrubConfig = "EFI/BOOT/grub.cfg"
		l, err := PlanLayout(in)
		if err != nil {
			t.Fatal(err)
		}
		want := "search --no-floppy --set=root --label DEBLIVE\nconfigfile ($root)/boot/grub/grub.cfg\n"
		found := false
		for _, f := range l.Files {
			if f.Dest == "EFI/BOOT/grub.cfg" {
				found = string(f.Content) == want
			}
		}
		if !found {
			t.Errorf("no redirect at EFI/BOOT/grub.cfg:\n%s", layoutText(l))
		}
		in.AdditionalFiles = []MediaFile{{Dest: "/efi/boot/GRUB.CFG", Source: "/x"}}
		if _, err := PlanLayout(in); err == nil {
			t.Errorf("an additional file replaced the redirect")
		}
	})
	t.Run("kernels in given order", func(t *testing.T) {
		in := debianInput()
		in.Kernels = append(in.Kernels, Kernel{Version: "6.1.0-9-cloud-amd64", Vmlinuz: "/v9", Initrd: "/i9"})
		l, err := PlanLayout(in)
		if err != nil {
			t.Fatal(err)
		}
		var dests []string
		for _, f := range l.Files {
			if strings.HasPrefix(f.Dest, "boot/vmlinuz-") || strings.HasPrefix(f.Dest, "boot/initrd.img-") {
				dests = append(dests, f.Dest)
			}
		}
		want := "boot/vmlinuz-6.1.0-50-cloud-amd64 boot/initrd.img-6.1.0-50-cloud-amd64 boot/vmlinuz-6.1.0-9-cloud-amd64 boot/initrd.img-6.1.0-9-cloud-amd64"
		if strings.Join(dests, " ") != want {
			t.Errorf("kernel files = %q", dests)
		}
	})
}

func TestPlanLayoutErrors(t *testing.T) {
	tests := map[string]struct {
		change func(*LayoutInput)
		want   string
	}{
		"collides with grub.cfg": {
			func(in *LayoutInput) {
				in.AdditionalFiles = []MediaFile{{Dest: "/boot/grub/grub.cfg", Content: []byte("x")}}
			},
			`iso.additionalFiles[0] destination "/boot/grub/grub.cfg": boot/grub/grub.cfg is already on the media`,
		},
		"collides with the squashfs": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "liveos/./rootfs.img"}} },
			`iso.additionalFiles[0] destination "liveos/./rootfs.img": liveos/rootfs.img is already on the media`,
		},
		"collides in another case": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "efi/boot/bootx64.efi"}} },
			`iso.additionalFiles[0] destination "efi/boot/bootx64.efi": EFI/BOOT/BOOTX64.EFI is already on the media`,
		},
		"collides with another additional file": {
			func(in *LayoutInput) {
				in.AdditionalFiles = []MediaFile{{Dest: "seed/user-data"}, {Dest: "seed/meta-data"}, {Dest: "/seed/user-data"}}
			},
			`iso.additionalFiles[2] destination "/seed/user-data": seed/user-data is already on the media`,
		},
		"is a generated directory": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "boot/grub"}} },
			`iso.additionalFiles[0] destination "boot/grub": boot/grub is a directory on the media`,
		},
		"under a generated file": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: ".disk/info/x"}} },
			`iso.additionalFiles[0] destination ".disk/info/x": .disk/info is a file on the media, not a directory`,
		},
		"escapes the root": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "../etc/passwd"}} },
			`iso.additionalFiles[0] destination "../etc/passwd": it leaves the media root ('..')`,
		},
		"dot-dot inside": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "a/../../b"}} },
			`iso.additionalFiles[0] destination "a/../../b": it leaves the media root ('..')`,
		},
		"the root itself": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "/"}} },
			`iso.additionalFiles[0] destination "/": it names the media root, not a file`,
		},
		"empty destination": {
			func(in *LayoutInput) { in.AdditionalFiles = []MediaFile{{Dest: "ok"}, {Dest: ""}} },
			`iso.additionalFiles[1] destination "": it names the media root, not a file`,
		},
		"bad label": {
			func(in *LayoutInput) { in.Label = "my live" },
			`invalid media label "my live"`,
		},
		"missing inputs": {
			func(in *LayoutInput) { in.Squashfs, in.Kernels, in.GrubCfg = "", nil, "" },
			"plan the media layout: missing grub.cfg, squashfs root image, kernel",
		},
		"kernel without initrd": {
			func(in *LayoutInput) { in.Kernels[0].Initrd = "" },
			`kernel 0 ("6.1.0-50-cloud-amd64") needs a version, a vmlinuz and an initrd`,
		},
		"kernel twice": {
			func(in *LayoutInput) { in.Kernels = append(in.Kernels, in.Kernels[0]) },
			"kernel 6.1.0-50-cloud-amd64 is listed twice",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := debianInput()
			tc.change(&in)
			_, err := PlanLayout(in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PlanLayout error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidLabel(t *testing.T) {
	for label, ok := range map[string]bool{
		"CDROM": true, "DEB_LIVE-12.5": true, "lower": true, strings.Repeat("A", 32): true,
		"": false, strings.Repeat("A", 33): false, "A B": false, "A/B": false, "É": false, "A'": false,
	} {
		if err := ValidLabel(label); (err == nil) != ok {
			t.Errorf("ValidLabel(%q) = %v, want ok=%v", label, err, ok)
		}
	}
}
