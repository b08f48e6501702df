package bootcheck

import (
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// TestCheckSerialConsole runs the check on grub.cfg as liveos renders it
// for the media, so it follows the real format.
func TestCheckSerialConsole(t *testing.T) {
	cfg := func(args ...string) string {
		return liveos.RenderGrubCfg(liveos.GrubConfig{Label: "CDROM", Serial: true, Entries: []liveos.GrubEntry{
			{Linux: "/boot/vmlinuz-6.1.0-28-cloud-amd64", Initrd: "/boot/initrd.img-6.1.0-28-cloud-amd64", Args: args},
			{Linux: "/boot/vmlinuz-6.1.0-27-cloud-amd64", Initrd: "/boot/initrd.img-6.1.0-27-cloud-amd64", Args: []string{"console=ttyS0"}},
		}})
	}
	live := []string{"root=live:LABEL=CDROM", "rd.live.image"}
	tests := map[string]struct {
		cfg  string
		want string // substring of the error; empty means the check passes
	}{
		"ttyS0":                {cfg: cfg(append(live, "console=tty0", "console=ttyS0,115200n8")...)},
		"ttyS1":                {cfg: cfg(append(live, "console=ttyS1")...)},
		"quoted by grub":       {cfg: "linux /boot/vmlinuz 'console=ttyS0,115200' quiet\n"},
		"linuxefi":             {cfg: "\tlinuxefi /vmlinuz console=ttyS0\n"},
		"vga only":             {cfg: cfg(append(live, "console=tty0")...), want: "no console=ttyS0 argument"},
		"only a later entry":   {cfg: cfg(live...), want: "the default entry boots: linux /boot/vmlinuz-6.1.0-28-cloud-amd64 root=live:LABEL=CDROM rd.live.image"},
		"xconsole is no match": {cfg: "linux /vmlinuz xconsole=ttyS0\n", want: "no console=ttyS0"},
		"no linux line":        {cfg: "set timeout=0\n", want: "has no linux line"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckSerialConsole(tc.cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v on\n%s", err, tc.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestISOGrubCfgPathIsTheMediaLayouts(t *testing.T) {
	if ISOGrubCfgPath != liveos.PathGrubCfg {
		t.Errorf("ISOGrubCfgPath = %q, the media keeps grub.cfg at %q", ISOGrubCfgPath, liveos.PathGrubCfg)
	}
}
