package imagecustomizer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepChrootProvision runs the template's provisioners against the image through a
// communicator whose every command and file transfer happens inside the chroot.
//
// Consumes: mount_path, wrappedCommand, generated_data.
type stepChrootProvision struct{}

func (s *stepChrootProvision) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	ui := getUI(state)
	hook, err := stepstate.Get[packersdk.Hook](state, keyHook)
	if err != nil {
		return halt(state, err)
	}
	wrapper, err := stepstate.Get[common.CommandWrapper](state, keyWrappedCommand)
	if err != nil {
		return halt(state, err)
	}
	comm := &Communicator{
		Root:    getString(state, keyMountPath),
		Wrapper: wrapper,
		Context: ctx,
	}
	data := commonsteps.PopulateProvisionHookData(state)
	ui.Say("Running provisioners in the image's chroot...")
	if err := hook.Run(ctx, packersdk.HookProvision, ui, comm, data); err != nil {
		return halt(state, err)
	}
	return multistep.ActionContinue
}

// Cleanup stops whatever still runs inside the image (a daemon a provisioner started, or a
// command of a cancelled build): it would keep the image's file systems busy.
func (s *stepChrootProvision) Cleanup(state multistep.StateBag) {
	if err := stopChrootProcesses(state); err != nil {
		getUI(state).Error(err.Error())
	}
}
