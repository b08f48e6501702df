package iso

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// imageInfo is what the conversion needs from the image, copied out of it so the image can be
// released before the media is assembled.
type imageInfo struct {
	Kernels    []liveos.Kernel // Vmlinuz: host copy; Initrd: filled by stepBuildInitrd
	Args       []string        // the image's own kernel arguments, disk-only ones removed
	ArgsSource string          // the file they came from
	Shim       string          // host copy of the signed shim, "" when the image has none
	CDGrub     string          // host copy of the signed CD-capable GRUB, "" when none
	// CDGrubConfig is where CDGrub reads its configuration on the media (liveos.GrubBinary).
	CDGrubConfig string
	MokManager   string // host copy of MokManager, "" when none
	EFIModDir    string // host copy of the image's x86_64-efi GRUB modules, when there is no CD GRUB
	// Saved and Carried come from a disk image rebuilt from an earlier ISO (liveos.CarryDir):
	// how that media was built, and the files that were on it (media path -> host copy).
	Saved      *liveos.SavedConfig
	Carried    map[string]string
	BIOSModDir string // host copy of the image's i386-pc GRUB modules, "" when none
}

// stepInspectImage finds the kernels, the image's kernel arguments and its boot chain.
//
// Consumes: tree, scratch. Produces: image.
type stepInspectImage struct{}

func (s *stepInspectImage) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	tree, err := getTree(state)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Say("Inspecting the image's kernels and boot chain...")
	root := tree.Root
	dir := filepath.Join(e.scratch, "from-image")
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
	e.ui.Message(fmt.Sprintf("Kernels: %s; kernel arguments from %s: %s", strings.Join(versions, ", "), orNone(info.ArgsSource), strings.Join(info.Args, " ")))
	return multistep.ActionContinue
}

func (s *stepInspectImage) Cleanup(multistep.StateBag) {}

func inspect(root, dir string) (*imageInfo, error) {
	info := &imageInfo{}
	if err := inspectKernels(root, dir, info); err != nil {
		return nil, err
	}
	osRelease, err := rootfs.ReadOptional(root, "etc/os-release")
	if err != nil {
		return nil, err
	}
	chain := liveos.FindBootChain(liveos.BootLayouts, liveos.OSReleaseIDs(osRelease),
		func(p string) bool { return rootfs.Exists(root, p) })
	info.CDGrubConfig = chain.CDGrubConfig
	if err := inspectArgs(root, info); err != nil {
		return nil, err
	}
	if err := copyBootChain(root, dir, chain, info); err != nil {
		return nil, err
	}
	if err := inspectCarried(root, dir, info); err != nil {
		return nil, err
	}
	if info.CDGrub == "" && info.EFIModDir == "" {
		return nil, fmt.Errorf("the image has neither a signed CD GRUB (%s) nor x86_64-efi GRUB modules to build one from",
			strings.Join(liveos.CDGrubCandidates(liveos.BootLayouts), ", "))
	}
	return info, nil
}

// inspectKernels copies the kernels in the image's /boot out of it.
func inspectKernels(root, dir string, info *imageInfo) error {
	names, err := rootfs.ListDir(root, "boot")
	if err != nil {
		return fmt.Errorf("list the image's /boot: %w", err)
	}
	kernels, err := liveos.FindKernels(names)
	if err != nil {
		return fmt.Errorf("find kernels in the image's /boot: %w", err)
	}
	for _, k := range kernels {
		host := filepath.Join(dir, "vmlinuz-"+k.Version)
		if err := rootfs.CopyOut(root, k.Vmlinuz, host); err != nil {
			return err
		}
		k.Vmlinuz = host
		info.Kernels = append(info.Kernels, k)
	}
	return nil
}

// inspectArgs reads the image's own kernel arguments where bootconfig knows the image keeps
// them (liveos.ImageArgsOf): grub.cfg, BLS entries, /etc/kernel/cmdline, /etc/default/grub.
func inspectArgs(root string, info *imageInfo) error {
	snap, err := bootconfig.Read(rootfs.Reader{Root: root})
	if err != nil {
		return fmt.Errorf("read the image's boot configuration: %w", err)
	}
	info.Args, info.ArgsSource = liveos.ImageArgsOf(snap)
	return nil
}

// copyBootChain copies the boot chain out of the image. GRUB's module directories are copied
// too: host tools then read our copy, never a path the image's symlinks could redirect.
func copyBootChain(root, dir string, chain liveos.BootChain, info *imageInfo) error {
	for _, f := range []struct {
		dst       *string
		src, name string
	}{{&info.Shim, chain.Shim, "shimx64.efi"}, {&info.CDGrub, chain.CDGrub, "grubx64.efi"}, {&info.MokManager, chain.MokManager, "mmx64.efi"}} {
		if f.src == "" {
			continue
		}
		host := filepath.Join(dir, f.name)
		if err := rootfs.CopyOut(root, f.src, host); err != nil {
			return err
		}
		*f.dst = host
	}
	for _, d := range []struct {
		dst       *string
		src, name string
	}{{&info.EFIModDir, chain.EFIModDir, "grub-x86_64-efi"}, {&info.BIOSModDir, chain.BIOSModDir, "grub-i386-pc"}} {
		if d.src == "" {
			continue
		}
		*d.dst = filepath.Join(dir, d.name)
		if err := rootfs.CopyDirOut(root, d.src, *d.dst); err != nil {
			return err
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "nowhere (none found)"
	}
	return s
}

// inspectCarried reads what an image rebuilt from an earlier ISO kept of that media.
func inspectCarried(root, dir string, info *imageInfo) error {
	saved, err := rootfs.ReadOptional(root, liveos.CarrySavedConfig)
	if err != nil || saved == "" {
		return err
	}
	sc, err := liveos.ParseSavedConfig([]byte(saved))
	if err != nil {
		return fmt.Errorf("read the earlier media's settings in the image: %w", err)
	}
	info.Saved = &sc
	info.Carried = map[string]string{}
	return rootfs.Walk(root, liveos.CarryMediaDir, func(rel string) error {
		host := filepath.Join(dir, "carried", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
			return err
		}
		if err := rootfs.CopyOut(root, liveos.CarryMediaDir+"/"+rel, host); err != nil {
			return err
		}
		info.Carried[rel] = host
		return nil
	})
}
