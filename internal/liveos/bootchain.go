package liveos

import (
	"slices"
	"strings"
)

// BootLayout is where one distribution ships the pieces of its boot chain, as paths relative
// to the image root. Each list holds candidates: the first that exists wins.
type BootLayout struct {
	Distro string
	// OSIDs limit the layout to images whose /etc/os-release ID or ID_LIKE is one of them;
	// empty when its paths are the distribution's own and cannot be mistaken for another's.
	OSIDs       []string
	Shim        []string     // the signed shim (first stage under Secure Boot)
	CDGrub      []GrubBinary // a signed GRUB that can start from the media
	MokManager  []string     // shim's MokManager
	EFIModules  []string     // GRUB's x86_64-efi module directory, to build a standalone GRUB from
	BIOSModules []string     // GRUB's i386-pc module directory, for BIOS boot
}

// GrubBinary is a signed EFI GRUB in the image and where it reads its configuration on the
// media.
type GrubBinary struct {
	Path string
	// Config is the media path that the prefix built into the binary makes it read, where
	// the media gets a redirect to PathGrubCfg (RedirectGrubCfg); "" for a GRUB that finds
	// PathGrubCfg itself.
	Config string
}

// BootLayouts are the known layouts, tried in this order for each piece:
//
//   - Debian: shim-signed and grub-efi-amd64-signed under /usr/lib. Its CD GRUB (gcdx64) finds
//     the media by /.disk/info and reads boot/grub/grub.cfg; its disk GRUB (grubx64) has
//     /EFI/debian baked in as prefix and cannot, so it is not a candidate.
//   - Fedora and RHEL: shim-x64 and grub2-efi-x64 on the ESP under EFI/fedora (EFI/redhat).
//     grub2-efi-x64-cdboot's gcdx64.efi has the prefix /EFI/BOOT, the disk grubx64.efi
//     /EFI/<vendor>.
//   - Azure Linux: version 4 ships like Fedora under EFI/azurelinux; versions 2 and 3 put
//     shim (bootx64.efi) and grub2-efi-binary's grubx64.efi, whose prefix is /boot/grub2, at
//     the removable media path. Other images hold other GRUBs there, so the layout only
//     applies to images whose os-release says azurelinux or mariner.
//   - uefi-removable: what any distribution's ESP may hold at the UEFI removable media path
//     (UEFI spec §3.5.1.1).
var BootLayouts = []BootLayout{
	{
		Distro:      "debian",
		Shim:        []string{"usr/lib/shim/shimx64.efi.signed"},
		CDGrub:      []GrubBinary{{Path: "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"}},
		MokManager:  []string{"usr/lib/shim/mmx64.efi.signed"},
		EFIModules:  []string{"usr/lib/grub/x86_64-efi"},
		BIOSModules: []string{"usr/lib/grub/i386-pc"},
	},
	vendorLayout("fedora"),
	vendorLayout("redhat"),
	{
		Distro: "azurelinux",
		OSIDs:  []string{"azurelinux", "mariner"},
		Shim:   []string{"boot/efi/EFI/azurelinux/shimx64.efi", "boot/efi/EFI/BOOT/bootx64.efi"},
		CDGrub: []GrubBinary{
			{Path: "boot/efi/EFI/azurelinux/grubx64.efi", Config: "EFI/azurelinux/grub.cfg"},
			{Path: "boot/efi/EFI/BOOT/grubx64.efi", Config: "boot/grub2/grub.cfg"},
		},
		MokManager:  []string{"boot/efi/EFI/azurelinux/mmx64.efi", "boot/efi/EFI/BOOT/mmx64.efi"},
		EFIModules:  []string{"usr/lib/grub/x86_64-efi"},
		BIOSModules: []string{"usr/lib/grub/i386-pc"},
	},
	{
		Distro:     "uefi-removable",
		Shim:       []string{"boot/efi/EFI/BOOT/BOOTX64.EFI", "boot/efi/EFI/BOOT/bootx64.efi"},
		MokManager: []string{"boot/efi/EFI/BOOT/mmx64.efi"},
	},
}

// vendorLayout is the Fedora packaging of shim and GRUB for an ESP vendor directory.
func vendorLayout(vendor string) BootLayout {
	esp := "boot/efi/EFI/" + vendor + "/"
	return BootLayout{
		Distro: vendor,
		Shim:   []string{esp + "shimx64.efi"},
		CDGrub: []GrubBinary{
			{Path: esp + "gcdx64.efi", Config: "EFI/BOOT/grub.cfg"},
			{Path: esp + "grubx64.efi", Config: "EFI/" + vendor + "/grub.cfg"},
		},
		MokManager:  []string{esp + "mmx64.efi"},
		EFIModules:  []string{"usr/lib/grub/x86_64-efi"},
		BIOSModules: []string{"usr/lib/grub/i386-pc"},
	}
}

// HostBIOSModDir is where Debian's grub-pc-bin keeps the i386-pc GRUB modules on the build
// host, used for BIOS boot when the image has none.
const HostBIOSModDir = "/usr/lib/grub/i386-pc"

// grubModuleMarker is the module every usable GRUB module directory has.
const grubModuleMarker = "normal.mod"

// BootChain is where an image's boot chain is: paths relative to its root, "" for a piece
// the image lacks. EFIModDir is only looked for when the image has no CD GRUB. CDGrubConfig
// is the CD GRUB's GrubBinary.Config.
type BootChain struct {
	Shim, CDGrub, CDGrubConfig, MokManager string
	EFIModDir, BIOSModDir                  string
}

// CDGrubCandidates are every layout's CD GRUB paths, for messages.
func CDGrubCandidates(layouts []BootLayout) []string {
	var out []string
	for _, l := range layouts {
		for _, g := range l.CDGrub {
			out = append(out, g.Path)
		}
	}
	return out
}

// FindBootChain finds each piece of the boot chain in the first of layouts that applies to the
// image (osIDs: its os-release ID and ID_LIKE, OSReleaseIDs) and has it. exists says whether a
// path exists in the image.
func FindBootChain(layouts []BootLayout, osIDs []string, exists func(string) bool) BootChain {
	layouts = applying(layouts, osIDs)
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
		MokManager: first(func(l BootLayout) []string { return l.MokManager }, ""),
		BIOSModDir: first(func(l BootLayout) []string { return l.BIOSModules }, "/"+grubModuleMarker),
	}
	c.CDGrub, c.CDGrubConfig = firstGrub(layouts, exists)
	if c.CDGrub == "" {
		c.EFIModDir = first(func(l BootLayout) []string { return l.EFIModules }, "/"+grubModuleMarker)
	}
	return c
}

func firstGrub(layouts []BootLayout, exists func(string) bool) (path, config string) {
	for _, l := range layouts {
		for _, g := range l.CDGrub {
			if exists(g.Path) {
				return g.Path, g.Config
			}
		}
	}
	return "", ""
}

// applying returns the layouts that apply to an image with the given os-release IDs.
func applying(layouts []BootLayout, osIDs []string) []BootLayout {
	var out []BootLayout
	for _, l := range layouts {
		if len(l.OSIDs) == 0 || slices.ContainsFunc(l.OSIDs, func(id string) bool { return slices.Contains(osIDs, id) }) {
			out = append(out, l)
		}
	}
	return out
}

// OSReleaseIDs returns the ID and ID_LIKE values of an os-release(5) file.
func OSReleaseIDs(osRelease string) []string {
	var ids []string
	for _, line := range strings.Split(osRelease, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || (k != "ID" && k != "ID_LIKE") {
			continue
		}
		ids = append(ids, strings.Fields(strings.Trim(v, `"'`))...)
	}
	return ids
}
