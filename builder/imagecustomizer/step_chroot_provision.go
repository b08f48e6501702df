package imagecustomizer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// stepChrootProvision runs the template's provisioners against the image through a
// communicator whose every command and file transfer happens inside the chroot.
//
// Consumes: mount_path, wrappedCommand, generated_data.
type stepChrootProvision struct{}

func (s *stepChrootProvision) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	ui := getUI(state)
	hook := state.Get(keyHook).(packersdk.Hook)
	comm := &Communicator{
		Root:    getString(state, keyMountPath),
		Wrapper: state.Get(keyWrappedCommand).(common.CommandWrapper),
	}
	data := commonsteps.PopulateProvisionHookData(state)
	ui.Say("Running provisioners in the image's chroot...")
	if err := hook.Run(ctx, packersdk.HookProvision, ui, comm, data); err != nil {
		return halt(state, err)
	}
	return multistep.ActionContinue
}

func (s *stepChrootProvision) Cleanup(multistep.StateBag) {}
