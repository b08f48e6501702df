package liveos

import (
	"reflect"
	"strings"
	"testing"
)

func TestClassifyMedia(t *testing.T) {
	files := []string{
		".disk/info", "EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi",
		"boot/grub/grub.cfg", "boot/grub/bios.img", "boot/boot.cat",
		"boot/vmlinuz-6.1.0-9-amd64", "boot/initrd.img-6.1.0-9-amd64",
		"boot/vmlinuz-6.1.0-10-amd64", "boot/initrd.img-6.1.0-10-amd64",
		"liveos/rootfs.img", "imagecustomizer/saved-config.yaml",
		"cloud-init-data/user-data", "/cloud-init-data/meta-data", "boot/notes.txt",
	}
	inv, err := ClassifyMedia(files)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{inv.Kernels[0].Version, inv.Kernels[1].Version}; !reflect.DeepEqual(got, []string{"6.1.0-10-amd64", "6.1.0-9-amd64"}) {
		t.Errorf("kernels = %v, want newest first", got)
	}
	if inv.Kernels[0].Vmlinuz != "boot/vmlinuz-6.1.0-10-amd64" || inv.Kernels[0].Initrd != "boot/initrd.img-6.1.0-10-amd64" {
		t.Errorf("kernel paths = %+v", inv.Kernels[0])
	}
	if want := []string{"EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi"}; !reflect.DeepEqual(inv.EFIBoot, want) {
		t.Errorf("EFI boot = %v", inv.EFIBoot)
	}
	// Earlier additional files travel on; everything generated is made again.
	if want := []string{"boot/notes.txt", "cloud-init-data/meta-data", "cloud-init-data/user-data"}; !reflect.DeepEqual(inv.Carried, want) {
		t.Errorf("carried = %v, want %v", inv.Carried, want)
	}
}

func TestClassifyMediaRejectsForeignISOs(t *testing.T) {
	cases := map[string]struct {
		files []string
		want  string
	}{
		"installer":  {[]string{"install.amd/vmlinuz", "EFI/BOOT/BOOTX64.EFI"}, "no /liveos/rootfs.img and no /imagecustomizer/saved-config.yaml"},
		"other live": {[]string{"liveos/rootfs.img", "boot/vmlinuz-6.1"}, "no /imagecustomizer/saved-config.yaml"},
		"no kernel":  {[]string{"liveos/rootfs.img", "imagecustomizer/saved-config.yaml"}, "/boot"},
		"no initrd":  {[]string{"liveos/rootfs.img", "imagecustomizer/saved-config.yaml", "boot/vmlinuz-6.1"}, "no /boot/initrd.img-6.1"},
	}
	for name, tc := range cases {
		_, err := ClassifyMedia(tc.files)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tc.want)
		}
	}
}
