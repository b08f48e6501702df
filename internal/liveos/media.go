package liveos

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// CarryDir is where a disk image rebuilt from a Live OS ISO keeps what belongs to the media
// rather than to the root file system: the media's saved config and the files that were on
// it besides the generated ones (earlier iso.additionalFiles). The post-processor reads them
// back, carries them to the new media and leaves CarryDir out of the squashfs.
const (
	CarryDir         = "var/lib/imagecustomizer/liveos"
	CarrySavedConfig = CarryDir + "/saved-config.yaml"
	CarryMediaDir    = CarryDir + "/media"
)

// MediaInventory sorts the files of an existing Live OS ISO.
type MediaInventory struct {
	Kernels []Kernel // Vmlinuz and Initrd are media paths (boot/vmlinuz-<v>, boot/initrd.img-<v>)
	// EFIBoot are the binaries in EFI/BOOT (shim, GRUB, MokManager).
	EFIBoot []string
	// Carried are the files to carry to the next media: everything this plugin does not
	// generate again.
	Carried []string
}

// generatedPaths are regenerated for every media, so an existing media's copies are dropped.
var generatedPaths = map[string]bool{
	PathDiskInfo: true, PathGrubCfg: true, PathBIOSImg: true, PathBootCatalog: true,
	PathSquashfs: true, PathSavedConfig: true,
}

// ClassifyMedia sorts the regular files of a Live OS ISO (paths relative to its root, as
// listed by the extractor) and checks that this plugin made it: it needs the squashfs root,
// the saved config and at least one kernel with its initrd.
func ClassifyMedia(files []string) (MediaInventory, error) {
	var inv MediaInventory
	have := map[string]bool{}
	var boot []string
	for _, f := range files {
		f = strings.TrimPrefix(path.Clean("/"+f), "/")
		have[f] = true
		switch {
		case generatedPaths[f]:
		case strings.HasPrefix(f, PathEFIBootDir+"/"):
			inv.EFIBoot = append(inv.EFIBoot, f)
		case path.Dir(f) == "boot" && (strings.HasPrefix(path.Base(f), "vmlinuz-") || strings.HasPrefix(path.Base(f), "initrd.img-")):
			boot = append(boot, path.Base(f))
		case strings.HasPrefix(f, PathGrubDir+"/"):
			// GRUB's own files (fonts, efiboot.img of other tools) are regenerated.
		default:
			inv.Carried = append(inv.Carried, f)
		}
	}
	var missing []string
	for _, p := range []string{PathSquashfs, PathSavedConfig} {
		if !have[p] {
			missing = append(missing, "/"+p)
		}
	}
	if len(missing) > 0 {
		return MediaInventory{}, fmt.Errorf("not a Live OS ISO made by packer-plugin-imagecustomizer: it has no %s", strings.Join(missing, " and no "))
	}
	kernels, err := FindKernels(boot)
	if err != nil {
		return MediaInventory{}, fmt.Errorf("read the ISO's /boot: %w", err)
	}
	for _, k := range kernels {
		k.Vmlinuz, k.Initrd = k.ISOVmlinuz(), k.ISOInitrd()
		if !have[k.Initrd] {
			return MediaInventory{}, fmt.Errorf("the ISO has /%s but no /%s", k.Vmlinuz, k.Initrd)
		}
		inv.Kernels = append(inv.Kernels, k)
	}
	sort.Strings(inv.EFIBoot)
	sort.Strings(inv.Carried)
	return inv, nil
}
