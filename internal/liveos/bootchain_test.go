package liveos

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

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
			MokManager: "usr/lib/shim/mmx64.efi.signed",
			BIOSModDir: "usr/lib/grub/i386-pc",
		}},
		// Debian's disk GRUB at the removable path is no CD GRUB: only Azure Linux's is.
		{"debian without a CD GRUB builds one from its modules", []string{
			"boot/grub/grub.cfg", "usr/lib/grub/x86_64-efi/normal.mod", "boot/efi/EFI/BOOT/grubx64.efi",
		}, BootChain{EFIModDir: "usr/lib/grub/x86_64-efi"}},
		{"a module directory without normal.mod does not count", []string{
			"usr/lib/grub/x86_64-efi/linux.mod", "usr/lib/grub/i386-pc/linux.mod",
		}, BootChain{}},
		{"shim and MokManager at the removable media path, grub2 configuration", []string{
			"boot/efi/EFI/BOOT/BOOTX64.EFI", "boot/efi/EFI/BOOT/mmx64.efi", "boot/grub2/grub.cfg",
		}, BootChain{Shim: "boot/efi/EFI/BOOT/BOOTX64.EFI", MokManager: "boot/efi/EFI/BOOT/mmx64.efi"}},
		{"the distribution's own shim wins over the removable path", append([]string{"boot/efi/EFI/BOOT/BOOTX64.EFI"}, debian...),
			BootChain{
				Shim: "usr/lib/shim/shimx64.efi.signed", CDGrub: "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
				MokManager: "usr/lib/shim/mmx64.efi.signed", BIOSModDir: "usr/lib/grub/i386-pc",
			}},
	}
	for _, tc := range cases {
		set := map[string]bool{}
		for _, p := range tc.tree {
			set[p] = true
		}
		got := FindBootChain(BootLayouts, []string{"debian"}, func(p string) bool { return set[p] })
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// fixtureTrees are image trees of each distribution's boot layout, shared with bootconfig's
// tests: the files its packages install (shim, signed GRUB, GRUB modules), empty, and its
// boot configuration.
const fixtureTrees = "../bootconfig/testdata/trees"

// TestFindBootChainPerDistribution finds the boot chain in each distribution's fixture tree,
// taking its os-release into account.
func TestFindBootChainPerDistribution(t *testing.T) {
	debian := BootChain{Shim: "usr/lib/shim/shimx64.efi.signed", CDGrub: "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
		MokManager: "usr/lib/shim/mmx64.efi.signed", BIOSModDir: "usr/lib/grub/i386-pc"}
	trixie := debian
	trixie.BIOSModDir = ""
	fedora := func(vendor, grub, config string) BootChain {
		esp := "boot/efi/EFI/" + vendor + "/"
		return BootChain{Shim: esp + "shimx64.efi", CDGrub: esp + grub, CDGrubConfig: config, MokManager: esp + "mmx64.efi",
			BIOSModDir: "usr/lib/grub/i386-pc"}
	}
	rhel7 := fedora("redhat", "grubx64.efi", "EFI/redhat/grub.cfg")
	rhel7.BIOSModDir = ""
	azl3 := BootChain{Shim: "boot/efi/EFI/BOOT/bootx64.efi", CDGrub: "boot/efi/EFI/BOOT/grubx64.efi", CDGrubConfig: "boot/grub2/grub.cfg",
		MokManager: "boot/efi/EFI/BOOT/mmx64.efi", BIOSModDir: "usr/lib/grub/i386-pc"}
	azl2 := azl3
	azl2.BIOSModDir = ""
	tests := map[string]BootChain{
		"debian12":            debian,
		"debian-handwritten":  debian,
		"debian13":            trixie,
		"fedora40":            fedora("fedora", "gcdx64.efi", "EFI/BOOT/grub.cfg"),
		"fedora32-kernelopts": fedora("fedora", "grubx64.efi", "EFI/fedora/grub.cfg"),
		"rhel7-efi":           rhel7,
		"azurelinux2":         azl2,
		"azurelinux3":         azl3,
		"azurelinux4":         fedora("azurelinux", "grubx64.efi", "EFI/azurelinux/grub.cfg"),
	}
	for tree, want := range tests {
		root := filepath.Join(fixtureTrees, tree)
		osRelease, err := os.ReadFile(filepath.Join(root, "etc", "os-release"))
		if err != nil {
			t.Fatal(err)
		}
		got := FindBootChain(BootLayouts, OSReleaseIDs(string(osRelease)), func(p string) bool {
			_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
			return err == nil
		})
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", tree, got, want)
		}
	}
}

func TestOSReleaseIDs(t *testing.T) {
	tests := map[string][]string{
		"ID=debian\nVERSION_ID=\"12\"\n":                      {"debian"},
		"NAME=\"Red Hat\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n": {"rhel", "fedora"},
		"ID=ubuntu\nID_LIKE=debian\n":                         {"ubuntu", "debian"},
		"ID_LIKE='suse opensuse'\n  ID=sles\n":                {"suse", "opensuse", "sles"},
		"":                                                    nil,
	}
	for in, want := range tests {
		if got := OSReleaseIDs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("OSReleaseIDs(%q) = %q, want %q", in, got, want)
		}
	}
}
