package imagecustomizer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepAttachLoop attaches the working copy to a loop device with its partitions.
//
// Consumes: work_image. Produces:
//
//	loop           *diskimage.Loop
//	device         string - /dev/loopN (read by the SDK's mount-command steps)
//	(releaser)            - detaches early, before the output is converted (stepstate.Hold)
type stepAttachLoop struct {
	loop *diskimage.Loop
}

func (s *stepAttachLoop) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Say("Attaching the working copy to a loop device...")
	loop, err := diskimage.AttachLoop(ctx, e.runner, getString(state, keyWorkImage), false)
	if err != nil {
		return halt(state, fmt.Errorf("attach the working image: %w", err))
	}
	s.loop = loop
	state.Put(keyLoop, loop)
	state.Put(keyDevice, loop.Device)
	stepstate.Hold(state, s)
	e.ui.Message("Attached the image to " + loop.Device)
	return multistep.ActionContinue
}

func (s *stepAttachLoop) Cleanup(state multistep.StateBag) {
	if err := s.Release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

// Release detaches the loop device; safe to call more than once.
func (s *stepAttachLoop) Release() error {
	if s.loop == nil {
		return nil
	}
	err := s.loop.Close()
	s.loop = nil
	if err != nil {
		return fmt.Errorf("detach the image's loop device: %w", err)
	}
	return nil
}
