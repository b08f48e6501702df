package liveos

import (
	"strings"
	"testing"
)

func debianEntry(version string, args []string) GrubEntry {
	k := Kernel{Version: version}
	return GrubEntry{
		Title:  "Debian GNU/Linux Live (" + version + ")",
		Linux:  "/" + k.ISOVmlinuz(),
		Initrd: "/" + k.ISOInitrd(),
		Args:   args,
	}
}

func TestRenderGrubCfgGolden(t *testing.T) {
	args := ComposeArgs(LiveArgs("DEBLIVE"), []string{"console=tty0", "console=ttyS0,115200"}, []string{"ds=nocloud"})
	tests := map[string]GrubConfig{
		"grubcfg-single": {
			Label: "DEBLIVE", Timeout: 5,
			Entries: []GrubEntry{debianEntry("6.1.0-50-cloud-amd64", args)},
		},
		"grubcfg-two-kernels": {
			Label: "DEBLIVE", Timeout: 10,
			Entries: []GrubEntry{
				debianEntry("6.1.0-50-cloud-amd64", args),
				debianEntry("6.1.0-9-cloud-amd64", args),
			},
		},
		"grubcfg-bios-serial": {
			Label: "DEBLIVE", Timeout: -1, Serial: true,
			Entries: []GrubEntry{debianEntry("6.1.0-50-cloud-amd64", append(args,
				"ds=nocloud;s=file:///run/initramfs/live/seed/", `opt="a b"`, "it's", "$notavar"))},
		},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) { golden(t, name, RenderGrubCfg(c)) })
	}
}

func TestRenderGrubCfgRules(t *testing.T) {
	cfg := RenderGrubCfg(GrubConfig{Label: "L", Entries: []GrubEntry{{Linux: "/boot/vmlinuz-1", Initrd: "/boot/initrd.img-1"}}})
	for _, forbidden := range []string{"insmod", "prefix"} {
		if strings.Contains(cfg, forbidden) {
			t.Errorf("grub.cfg uses %q, which breaks the signed or the standalone GRUB:\n%s", forbidden, cfg)
		}
	}
	if !strings.Contains(cfg, "menuentry 'Live OS /boot/vmlinuz-1' {") {
		t.Errorf("an entry without a title gets no default title:\n%s", cfg)
	}
	if strings.Contains(cfg, "serial") {
		t.Errorf("serial console configured without Serial:\n%s", cfg)
	}
}

// The words RenderGrubCfg writes must read back, through GRUB's own
// quoting rules, as the kernel arguments that were given.
func TestRenderGrubCfgRoundTrip(t *testing.T) {
	args := []string{"a", "ds=nocloud;s=file:///x/", `opt="a b"`, "it's", "$v", "x{y}"}
	cfg := RenderGrubCfg(GrubConfig{Label: "L", Entries: []GrubEntry{{Linux: "/v", Initrd: "/i", Args: args}}})
	got, ok := grubLinuxArgs(cfg)
	if !ok {
		t.Fatalf("no linux line in\n%s", cfg)
	}
	if strings.Join(got, "|") != strings.Join(args, "|") {
		t.Errorf("round trip = %q, want %q\n%s", got, args, cfg)
	}
}
