package imagecustomizer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// Keys of the early-cleanup handles, in the order stepEarlyCleanup calls them.
const (
	keyCopyFilesCleanup  = "copy_files_cleanup"
	keyMountExtraCleanup = "mount_extra_cleanup"
	keyMountCleanup      = "mount_device_cleanup"
	keyAttachCleanup     = "attach_cleanup"
)

type cleanupFunc interface {
	CleanupFunc(multistep.StateBag) error
}

// stepEarlyCleanup releases the image on the success path, before the output is converted,
// and fails the build when a release fails (an unmount error can mean lost FAT write-back).
// On failure paths each step's own Cleanup does the same, best effort.
type stepEarlyCleanup struct{}

func (s *stepEarlyCleanup) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	ui := getUI(state)
	ui.Say("Unmounting the image...")
	for _, key := range []string{keyCopyFilesCleanup, keyMountExtraCleanup, keyMountCleanup, keyAttachCleanup} {
		c, ok := state.Get(key).(cleanupFunc)
		if !ok {
			continue
		}
		if err := c.CleanupFunc(state); err != nil {
			return halt(state, fmt.Errorf("release the image (%s): %w", key, err))
		}
	}
	return multistep.ActionContinue
}

func (s *stepEarlyCleanup) Cleanup(multistep.StateBag) {}
