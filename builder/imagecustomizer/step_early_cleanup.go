package imagecustomizer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepEarlyCleanup releases the image on the success path, before the output is converted,
// and fails the build when a release fails (an unmount error can mean lost FAT write-back): it
// stops the processes still running in the image and waits for them, then releases the copied
// files, the chroot mounts, the image's mounts and its loop device, newest first
// (stepstate.ReleaseAll). On failure paths each step's own Cleanup does the same, best effort.
type stepEarlyCleanup struct{}

func (s *stepEarlyCleanup) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	getUI(state).Say("Unmounting the image...")
	if err := stopChrootProcesses(state); err != nil {
		return halt(state, err)
	}
	if err := stepstate.ReleaseAll(state); err != nil {
		return halt(state, fmt.Errorf("release the image: %w", err))
	}
	return multistep.ActionContinue
}

func (s *stepEarlyCleanup) Cleanup(multistep.StateBag) {}
