package imagecustomizer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// imageDevFSType in chroot_mounts asks for the image's private /dev (diskimage.Tree.MountDev).
const imageDevFSType = "imagedev"

// stepChrootMounts mounts chroot_mounts (/proc, /sys, a private /dev, /run by default) inside
// the image. Targets are resolved inside the image root.
//
// Consumes: tree, loop. Holds a releaser (stepstate.Hold) that unmounts them early.
type stepChrootMounts struct {
	tree *diskimage.Tree
}

func (s *stepChrootMounts) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg := e.cfg
	tree, err := getTree(state)
	if err != nil {
		return halt(state, err)
	}
	s.tree = tree
	stepstate.Hold(state, s)
	loop, err := getLoop(state)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Say("Mounting chroot_mounts in the image...")
	for i, m := range cfg.ChrootMounts {
		var err error
		if m[0] == imageDevFSType {
			err = tree.MountDev(loop, m[2])
		} else {
			err = tree.Mount(diskimage.MountSpec{FSType: m[0], Source: m[1], Target: m[2]})
		}
		if err != nil {
			return halt(state, fmt.Errorf("chroot_mounts[%d] (%s %s on %s): %w", i, m[0], m[1], m[2], err))
		}
	}
	return multistep.ActionContinue
}

func (s *stepChrootMounts) Cleanup(state multistep.StateBag) {
	if err := s.Release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

// Release unmounts the chroot mounts; safe to call more than once.
func (s *stepChrootMounts) Release() error {
	if s.tree == nil {
		return nil
	}
	err := s.tree.UnmountExtras()
	s.tree = nil
	if err != nil {
		return fmt.Errorf("unmount chroot_mounts: %w", err)
	}
	return nil
}
