package liveos

// BootLayout is where one distribution ships the pieces of its boot chain, as paths relative
// to the image root. Each list holds candidates: the first that exists wins.
type BootLayout struct {
	Distro      string
	Shim        []string // the signed shim (first stage under Secure Boot)
	CDGrub      []string // a signed GRUB that finds its configuration on a CD
	MokManager  []string // shim's MokManager
	GrubCfg     []string // the image's grub.cfg, read for its kernel arguments
	EFIModules  []string // GRUB's x86_64-efi module directory, to build a standalone GRUB from
	BIOSModules []string // GRUB's i386-pc module directory, for BIOS boot
}

// BootLayouts are the known layouts, tried in this order for each piece. Debian's CD GRUB
// (gcdx64) finds the media by /.disk/info; its disk GRUB (grubx64) has /EFI/debian baked in as
// prefix and cannot, so it is not a candidate. "uefi-removable" is what any distribution's
// ESP may hold at the UEFI removable media path (UEFI spec §3.5.1.1).
var BootLayouts = []BootLayout{
	{
		Distro:      "debian",
		Shim:        []string{"usr/lib/shim/shimx64.efi.signed"},
		CDGrub:      []string{"usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"},
		MokManager:  []string{"usr/lib/shim/mmx64.efi.signed"},
		GrubCfg:     []string{"boot/grub/grub.cfg"},
		EFIModules:  []string{"usr/lib/grub/x86_64-efi"},
		BIOSModules: []string{"usr/lib/grub/i386-pc"},
	},
	{
		Distro:     "uefi-removable",
		Shim:       []string{"boot/efi/EFI/BOOT/BOOTX64.EFI"},
		MokManager: []string{"boot/efi/EFI/BOOT/mmx64.efi"},
		GrubCfg:    []string{"boot/grub2/grub.cfg"},
	},
}

// HostBIOSModDir is where Debian's grub-pc-bin keeps the i386-pc GRUB modules on the build
// host, used for BIOS boot when the image has none.
const HostBIOSModDir = "/usr/lib/grub/i386-pc"

// grubModuleMarker is the module every usable GRUB module directory has.
const grubModuleMarker = "normal.mod"

// BootChain is where an image's boot chain is: paths relative to its root, "" for a piece
// the image lacks. EFIModDir is only looked for when the image has no CD GRUB.
type BootChain struct {
	Shim, CDGrub, MokManager, GrubCfg string
	EFIModDir, BIOSModDir             string
}

// CDGrubCandidates are every layout's CD GRUB paths, for messages.
func CDGrubCandidates(layouts []BootLayout) []string {
	var out []string
	for _, l := range layouts {
		out = append(out, l.CDGrub...)
	}
	return out
}

// FindBootChain finds each piece of the boot chain in the first of layouts that has it.
// exists says whether a path exists in the image.
func FindBootChain(layouts []BootLayout, exists func(string) bool) BootChain {
	first := func(pick func(BootLayout) []string, suffix string) string {
		for _, l := range layouts {
			for _, p := range pick(l) {
				if exists(p + suffix) {
					return p
				}
			}
		}
		return ""
	}
	c := BootChain{
		Shim:       first(func(l BootLayout) []string { return l.Shim }, ""),
		CDGrub:     first(func(l BootLayout) []string { return l.CDGrub }, ""),
		MokManager: first(func(l BootLayout) []string { return l.MokManager }, ""),
		GrubCfg:    first(func(l BootLayout) []string { return l.GrubCfg }, ""),
		BIOSModDir: first(func(l BootLayout) []string { return l.BIOSModules }, "/"+grubModuleMarker),
	}
	if c.CDGrub == "" {
		c.EFIModDir = first(func(l BootLayout) []string { return l.EFIModules }, "/"+grubModuleMarker)
	}
	return c
}
