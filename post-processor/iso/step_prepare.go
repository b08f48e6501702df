package iso

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

var requiredTools = []string{"losetup", "chroot", "qemu-img", "mksquashfs", "xorriso", "mkfs.vfat", "mmd", "mcopy", "grub-mkimage"}

// stepCheckHost checks root, the tools, and that the output may be written.
type stepCheckHost struct{}

func (s *stepCheckHost) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	cfg := getConfig(state)
	if os.Geteuid() != 0 {
		return halt(state, fmt.Errorf("the imagecustomizer-iso post-processor attaches loop devices and mounts file systems: run packer as root"))
	}
	var missing []string
	for _, t := range requiredTools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, execx.MissingToolHint(t))
		}
	}
	if len(missing) > 0 {
		return halt(state, fmt.Errorf("check host tools: %s", strings.Join(missing, "; ")))
	}
	out := getString(state, keyOutput)
	if _, err := os.Stat(out); err == nil && !cfg.PackerForce {
		return halt(state, fmt.Errorf("output %q already exists; remove it or run packer with -force", out))
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return halt(state, fmt.Errorf("create the directory of output %q: %w", out, err))
	}
	return multistep.ActionContinue
}

func (s *stepCheckHost) Cleanup(multistep.StateBag) {}

// stepScratchDir makes the work directory next to the output (same file system, so the
// staged media can hard-link the squashfs instead of copying it).
//
// Produces: scratch.
type stepScratchDir struct{ dir string }

func (s *stepScratchDir) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	dir, err := os.MkdirTemp(filepath.Dir(getString(state, keyOutput)), ".imagecustomizer-iso-")
	if err != nil {
		return halt(state, fmt.Errorf("create a scratch directory: %w", err))
	}
	s.dir = dir
	state.Put(keyScratch, dir)
	return multistep.ActionContinue
}

// Cleanup removes the scratch directory, but never while anything is mounted below it:
// removing a tree that still holds a bind mount of /dev would delete host files.
func (s *stepScratchDir) Cleanup(state multistep.StateBag) {
	if s.dir == "" {
		return
	}
	if mounts, err := diskimage.MountsUnder(s.dir); err != nil || len(mounts) > 0 {
		getUI(state).Errorf("not removing %s: still mounted below it: %v %v", s.dir, mounts, err)
		return
	}
	if err := os.RemoveAll(s.dir); err != nil {
		getUI(state).Errorf("remove scratch directory %s: %v", s.dir, err)
	}
	s.dir = ""
}
