package imagecustomizer

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepMountImage finds the image's root file system and mounts every partition its fstab
// lists, in path order, at mount_path.
//
// Consumes: loop. Produces:
//
//	tree                 *diskimage.Tree
//	mount_path           string - host path of the image root
//	(releaser)                  - unmounts early, writing FAT changes back (stepstate.Hold)
type stepMountImage struct {
	tree      *diskimage.Tree
	mountPath string
}

func (s *stepMountImage) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui := e.cfg, e.ui
	loop, err := getLoop(state)
	if err != nil {
		return halt(state, err)
	}
	ui.Say("Mounting the image...")
	mountPath, err := renderMountPath(cfg, loop.Device)
	if err != nil {
		return halt(state, err)
	}
	if err := os.MkdirAll(mountPath, 0o755); err != nil {
		return halt(state, fmt.Errorf("create mount_path %q: %w", mountPath, err))
	}
	s.mountPath = mountPath
	tree, err := diskimage.OpenTree(ctx, e.runner, loop, mountPath, diskimage.Options{Logf: log.Printf})
	if err != nil {
		return halt(state, fmt.Errorf("mount the image: %w", err))
	}
	s.tree = tree
	state.Put(keyTree, tree)
	state.Put(keyMountPath, mountPath)
	stepstate.Hold(state, s)
	ui.Message(fmt.Sprintf("Mounted %s at %s (root file system on %s)", strings.Join(tree.MountPoints(), ", "), mountPath, tree.RootPartition.Device))
	return multistep.ActionContinue
}

func (s *stepMountImage) Cleanup(state multistep.StateBag) {
	if err := s.Release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

// Release unmounts everything in reverse order; safe to call more than once.
func (s *stepMountImage) Release() error {
	if s.tree != nil {
		err := s.tree.Close()
		s.tree = nil
		if err != nil {
			return fmt.Errorf("unmount the image: %w", err)
		}
	}
	if s.mountPath != "" {
		// Only an empty directory is removed: never a tree that might still hold mounts.
		_ = os.Remove(s.mountPath)
		s.mountPath = ""
	}
	return nil
}

func renderMountPath(cfg *Config, device string) (string, error) {
	ictx := cfg.ctx
	ictx.Data = &struct{ Device string }{Device: filepath.Base(device)}
	p, err := interpolate.Render(cfg.MountPath, &ictx)
	if err != nil {
		return "", fmt.Errorf("render mount_path %q: %w", cfg.MountPath, err)
	}
	return filepath.Clean(p), nil
}
