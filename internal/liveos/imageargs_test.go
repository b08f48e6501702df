package liveos

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

func TestImageArgsOfLayouts(t *testing.T) {
	stub := bootconfig.File{Path: "/boot/efi/EFI/debian/grub.cfg", Content: "search.fs_uuid 1 root\nconfigfile /boot/grub/grub.cfg\n"}
	bls := "insmod blscfg\nblscfg\n"
	entry := func(path, version, options string) bootconfig.File {
		return bootconfig.File{Path: path, Content: "title T\nversion " + version + "\nlinux /vmlinuz-" + version + "\noptions " + options + "\n"}
	}
	tests := map[string]struct {
		s      bootconfig.Snapshot
		want   []string
		source string
	}{
		"a stub before the real grub.cfg is passed over": {
			s: bootconfig.Snapshot{GrubCfgs: []bootconfig.File{stub,
				{Path: "/boot/grub/grub.cfg", Content: "menuentry x {\n linux /v root=UUID=1 ro quiet\n}\n"}}},
			want: []string{"quiet"}, source: "/boot/grub/grub.cfg",
		},
		"BLS: the newest normal entry, before /etc/kernel/cmdline": {
			s: bootconfig.Snapshot{
				GrubCfgs: []bootconfig.File{{Path: "/boot/grub2/grub.cfg", Content: bls}},
				BLSEntries: []bootconfig.File{
					entry("/boot/loader/entries/m-0-rescue.conf", "0-rescue-m", "root=UUID=1 ro rescue-only"),
					entry("/boot/loader/entries/m-6.8.5.conf", "6.8.5-301.fc40.x86_64", "root=UUID=1 ro rhgb quiet"),
					entry("/boot/loader/entries/m-6.10.3.conf", "6.10.3-200.fc40.x86_64", "root=UUID=1 ro rhgb quiet newest"),
				},
				KernelCmdline: &bootconfig.File{Path: "/etc/kernel/cmdline", Content: "root=UUID=1 ro other\n"},
			},
			want: []string{"rhgb", "quiet", "newest"}, source: "/boot/loader/entries/m-6.10.3.conf",
		},
		"BLS entries on $kernelopts fall back to /etc/default/grub": {
			s: bootconfig.Snapshot{
				GrubCfgs:    []bootconfig.File{{Path: "/boot/grub2/grub.cfg", Content: bls}},
				BLSEntries:  []bootconfig.File{entry("/boot/loader/entries/m-5.6.conf", "5.6.6-300.fc32.x86_64", "$kernelopts")},
				DefaultGrub: &bootconfig.File{Path: "/etc/default/grub", Content: "GRUB_CMDLINE_LINUX=\"rhgb quiet\"\n"},
			},
			want: []string{"rhgb", "quiet"}, source: "/etc/default/grub",
		},
		"Azure Linux 2: arguments before $kernelopts, variables dropped": {
			s: bootconfig.Snapshot{GrubCfgs: []bootconfig.File{{Path: "/boot/grub2/grub.cfg",
				Content: "menuentry \"CBL-Mariner\" {\n\tlinux $bootprefix/$mariner_linux security=selinux rd.auto=1 root=$rootdevice $mariner_cmdline $kernelopts\n}\n"}}},
			want: []string{"security=selinux", "rd.auto=1"}, source: "/boot/grub2/grub.cfg",
		},
		"nothing": {s: bootconfig.Snapshot{GrubCfgs: []bootconfig.File{stub}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, src := ImageArgsOf(tc.s)
			if !reflect.DeepEqual(got, tc.want) || src != tc.source {
				t.Errorf("ImageArgsOf = %q from %q, want %q from %q", got, src, tc.want, tc.source)
			}
		})
	}
}

// TestImageArgsOfFixtureTrees reads each distribution's fixture tree the way the ISO
// post-processor reads an image (rootfs.Reader, bootconfig.Read).
func TestImageArgsOfFixtureTrees(t *testing.T) {
	tests := map[string]struct {
		want   []string
		source string
	}{
		"debian12":            {[]string{"console=tty0", "console=ttyS0,115200"}, "/boot/grub/grub.cfg"},
		"debian-handwritten":  {[]string{"console=ttyS0,115200"}, "/boot/grub/grub.cfg"},
		"fedora40":            {[]string{"rhgb", "quiet"}, "/boot/loader/entries/2f6e1c0a9b8d4e7f8a1b2c3d4e5f6a7b-6.8.5-301.fc40.x86_64.conf"},
		"fedora32-kernelopts": {[]string{"rhgb", "quiet"}, "/etc/default/grub"},
		"rhel7-efi":           {[]string{"crashkernel=auto", "rhgb", "quiet", "LANG=en_US.UTF-8"}, "/boot/efi/EFI/redhat/grub.cfg"},
		"azurelinux2":         {[]string{"security=selinux", "selinux=1", "rd.auto=1", "lockdown=integrity"}, "/boot/grub2/grub.cfg"},
		"azurelinux3":         {[]string{"rd.auto=1", "net.ifnames=0", "lockdown=integrity", "security=selinux", "selinux=1"}, "/boot/grub2/grub.cfg"},
		"azurelinux4":         {[]string{"rd.auto=1", "net.ifnames=0", "lockdown=integrity"}, "/boot/loader/entries/6a1b2c3d4e5f60718293a4b5c6d7e8f9-6.12.20.azl4.x86_64.conf"},
		"systemd-boot":        {[]string{"quiet"}, "/efi/loader/entries/8c1f0d2a-6.12.0.conf"},
	}
	for tree, tc := range tests {
		s, err := bootconfig.Read(rootfs.Reader{Root: filepath.Join(fixtureTrees, tree)})
		if err != nil {
			t.Fatal(err)
		}
		if got, src := ImageArgsOf(s); !reflect.DeepEqual(got, tc.want) || src != tc.source {
			t.Errorf("%s: ImageArgsOf = %q from %q, want %q from %q", tree, got, src, tc.want, tc.source)
		}
	}
}
