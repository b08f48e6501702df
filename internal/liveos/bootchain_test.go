package liveos

import "testing"

// Each case is a fixture tree (the paths that exist in an image) and the boot chain found in it.
func TestFindBootChain(t *testing.T) {
	debian := []string{
		"usr/lib/shim/shimx64.efi.signed", "usr/lib/shim/mmx64.efi.signed",
		"usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed", "boot/grub/grub.cfg",
		"usr/lib/grub/x86_64-efi/normal.mod", "usr/lib/grub/i386-pc/normal.mod",
	}
	cases := []struct {
		name string
		tree []string
		want BootChain
	}{
		{"debian with the signed chain", debian, BootChain{
			Shim: "usr/lib/shim/shimx64.efi.signed", CDGrub: "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
			MokManager: "usr/lib/shim/mmx64.efi.signed", GrubCfg: "boot/grub/grub.cfg",
			BIOSModDir: "usr/lib/grub/i386-pc",
		}},
		{"debian without a CD GRUB builds one from its modules", []string{
			"boot/grub/grub.cfg", "usr/lib/grub/x86_64-efi/normal.mod",
		}, BootChain{GrubCfg: "boot/grub/grub.cfg", EFIModDir: "usr/lib/grub/x86_64-efi"}},
		{"a module directory without normal.mod does not count", []string{
			"usr/lib/grub/x86_64-efi/linux.mod", "usr/lib/grub/i386-pc/linux.mod",
		}, BootChain{}},
		{"shim and MokManager at the removable media path, grub2 configuration", []string{
			"boot/efi/EFI/BOOT/BOOTX64.EFI", "boot/efi/EFI/BOOT/mmx64.efi", "boot/grub2/grub.cfg",
		}, BootChain{Shim: "boot/efi/EFI/BOOT/BOOTX64.EFI", MokManager: "boot/efi/EFI/BOOT/mmx64.efi", GrubCfg: "boot/grub2/grub.cfg"}},
		{"the distribution's own shim wins over the removable path", append([]string{"boot/efi/EFI/BOOT/BOOTX64.EFI"}, debian...),
			BootChain{
				Shim: "usr/lib/shim/shimx64.efi.signed", CDGrub: "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
				MokManager: "usr/lib/shim/mmx64.efi.signed", GrubCfg: "boot/grub/grub.cfg", BIOSModDir: "usr/lib/grub/i386-pc",
			}},
	}
	for _, tc := range cases {
		set := map[string]bool{}
		for _, p := range tc.tree {
			set[p] = true
		}
		got := FindBootChain(BootLayouts, func(p string) bool { return set[p] })
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}
