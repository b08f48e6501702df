package liveos

import (
	"reflect"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
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
