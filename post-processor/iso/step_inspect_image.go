package iso

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// imageInfo is what the conversion needs from the image, copied out of it so the image can be
// released before the media is assembled.
type imageInfo struct {
	Kernels    []liveos.Kernel // Vmlinuz: host copy; Initrd: filled by stepBuildInitrd
	Args       []string        // the image's own kernel arguments, disk-only ones removed
	ArgsSource string          // the file they came from
	Shim       string          // host copy of the signed shim, "" when the image has none
	CDGrub     string          // host copy of the signed CD-capable GRUB, "" when none
	MokManager string          // host copy of MokManager, "" when none
	EFIModDir  string          // host copy of the image's x86_64-efi GRUB modules, when there is no CD GRUB
	// Saved and Carried come from a disk image rebuilt from an earlier ISO (liveos.CarryDir):
	// how that media was built, and the files that were on it (media path -> host copy).
	Saved      *liveos.SavedConfig
	Carried    map[string]string
	BIOSModDir string // host copy of the image's i386-pc GRUB modules, "" when none
}

// Where distributions ship the boot chain. Debian's CD GRUB (gcdx64) finds the media by
// /.disk/info; its disk GRUB (grubx64) has /EFI/debian baked in as prefix and cannot.
var (
	shimPaths    = []string{"usr/lib/shim/shimx64.efi.signed", "boot/efi/EFI/BOOT/BOOTX64.EFI"}
	cdGrubPaths  = []string{"usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"}
	mokPaths     = []string{"usr/lib/shim/mmx64.efi.signed", "boot/efi/EFI/BOOT/mmx64.efi"}
	grubCfgPaths = []string{"boot/grub/grub.cfg", "boot/grub2/grub.cfg"}
)

// stepInspectImage finds the kernels, the image's kernel arguments and its boot chain.
//
// Consumes: tree, scratch. Produces: image.
type stepInspectImage struct{}

func (s *stepInspectImage) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	ui := getUI(state)
	root := state.Get(keyTree).(*diskimage.Tree).Root
	dir := filepath.Join(getString(state, keyScratch), "from-image")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return halt(state, err)
	}
	info, err := inspect(root, dir)
	if err != nil {
		return halt(state, err)
	}
	state.Put(keyImage, info)
	versions := make([]string, len(info.Kernels))
	for i, k := range info.Kernels {
		versions[i] = k.Version
	}
	ui.Sayf("Kernels: %s; kernel arguments from %s: %s", strings.Join(versions, ", "), orNone(info.ArgsSource), strings.Join(info.Args, " "))
	return multistep.ActionContinue
}

func (s *stepInspectImage) Cleanup(multistep.StateBag) {}

func inspect(root, dir string) (*imageInfo, error) {
	names, err := listDirInRoot(root, "boot")
	if err != nil {
		return nil, fmt.Errorf("list the image's /boot: %w", err)
	}
	kernels, err := liveos.FindKernels(names)
	if err != nil {
		return nil, fmt.Errorf("find kernels in the image's /boot: %w", err)
	}
	info := &imageInfo{}
	for _, k := range kernels {
		host := filepath.Join(dir, "vmlinuz-"+k.Version)
		if err := copyOutOfRoot(root, k.Vmlinuz, host); err != nil {
			return nil, err
		}
		k.Vmlinuz = host
		info.Kernels = append(info.Kernels, k)
	}

	var grubCfg string
	if p := firstInRoot(root, grubCfgPaths...); p != "" {
		if grubCfg, err = readInRoot(root, p); err != nil {
			return nil, err
		}
	}
	cmdline, err := readInRoot(root, "etc/kernel/cmdline")
	if err != nil {
		return nil, err
	}
	defaultGrub, err := readInRoot(root, "etc/default/grub")
	if err != nil {
		return nil, err
	}
	info.Args, info.ArgsSource = liveos.ImageArgs(grubCfg, cmdline, defaultGrub)

	for _, f := range []struct {
		dst   *string
		paths []string
		name  string
	}{{&info.Shim, shimPaths, "shimx64.efi"}, {&info.CDGrub, cdGrubPaths, "grubx64.efi"}, {&info.MokManager, mokPaths, "mmx64.efi"}} {
		if p := firstInRoot(root, f.paths...); p != "" {
			host := filepath.Join(dir, f.name)
			if err := copyOutOfRoot(root, p, host); err != nil {
				return nil, err
			}
			*f.dst = host
		}
	}
	// GRUB's module directories are copied out too: host tools then read our copy, never a
	// path the image's symlinks could redirect.
	if info.CDGrub == "" && existsInRoot(root, "usr/lib/grub/x86_64-efi/normal.mod") {
		info.EFIModDir = filepath.Join(dir, "grub-x86_64-efi")
		if err := copyDirOutOfRoot(root, "usr/lib/grub/x86_64-efi", info.EFIModDir); err != nil {
			return nil, err
		}
	}
	if existsInRoot(root, "usr/lib/grub/i386-pc/normal.mod") {
		info.BIOSModDir = filepath.Join(dir, "grub-i386-pc")
		if err := copyDirOutOfRoot(root, "usr/lib/grub/i386-pc", info.BIOSModDir); err != nil {
			return nil, err
		}
	}
	if err := inspectCarried(root, dir, info); err != nil {
		return nil, err
	}
	if info.CDGrub == "" && info.EFIModDir == "" {
		return nil, fmt.Errorf("the image has neither a signed CD GRUB (%s) nor x86_64-efi GRUB modules to build one from", strings.Join(cdGrubPaths, ", "))
	}
	return info, nil
}

func orNone(s string) string {
	if s == "" {
		return "nowhere (none found)"
	}
	return s
}

// inspectCarried reads what an image rebuilt from an earlier ISO kept of that media.
func inspectCarried(root, dir string, info *imageInfo) error {
	saved, err := readInRoot(root, liveos.CarrySavedConfig)
	if err != nil || saved == "" {
		return err
	}
	sc, err := liveos.ParseSavedConfig([]byte(saved))
	if err != nil {
		return fmt.Errorf("read the earlier media's settings in the image: %w", err)
	}
	info.Saved = &sc
	info.Carried = map[string]string{}
	return walkInRoot(root, liveos.CarryMediaDir, func(rel string) error {
		host := filepath.Join(dir, "carried", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
			return err
		}
		if err := copyOutOfRoot(root, liveos.CarryMediaDir+"/"+rel, host); err != nil {
			return err
		}
		info.Carried[rel] = host
		return nil
	})
}
