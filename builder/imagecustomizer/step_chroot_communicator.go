package imagecustomizer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// keyCommunicator is where the SDK's StepProvision finds the communicator.
const keyCommunicator = "communicator"

// stepChrootCommunicator makes the communicator the template's provisioners use: every command
// and file transfer happens inside the chroot, and a cancelled build kills what they started.
// The SDK's StepProvision, next in the list, runs the provisioners with it and, when the build
// fails, the template's error-cleanup-provisioner; Packer's -on-error=run-cleanup-provisioner
// recognizes that step by its type.
//
// Consumes: mount_path, wrappedCommand. Produces: communicator.
type stepChrootCommunicator struct{}

func (s *stepChrootCommunicator) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	wrapper, err := stepstate.Get[common.CommandWrapper](state, keyWrappedCommand)
	if err != nil {
		return halt(state, err)
	}
	state.Put(keyCommunicator, &Communicator{
		Root:    getString(state, keyMountPath),
		Wrapper: wrapper,
		Context: ctx,
	})
	getUI(state).Say("Running provisioners in the image's chroot...")
	return multistep.ActionContinue
}

// Cleanup kills whatever still runs inside the image (a daemon a provisioner or the
// error-cleanup provisioner started, or a command of a cancelled build): it would keep the
// image's file systems busy. It runs after StepProvision's cleanup, the error-cleanup
// provisioner included.
func (s *stepChrootCommunicator) Cleanup(state multistep.StateBag) {
	if err := stopChrootProcesses(state); err != nil {
		getUI(state).Error(err.Error())
	}
}
