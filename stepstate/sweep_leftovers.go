package stepstate

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// SweepLeftovers is the step that releases what killed builds left behind (their processes,
// mounts and loop devices, from the build records of plugin processes that are gone) and says
// what it found. Records of running builds are never touched. What cannot be released is shown
// as an error and stays recorded; the build goes on, since it does not depend on it.
type SweepLeftovers struct{}

func (s *SweepLeftovers) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	ui := UI(state)
	found, err := ledger.Sweep()
	for _, f := range found {
		if len(f.Left) > 0 {
			ui.Error(f.String())
		} else {
			ui.Say(f.String())
		}
	}
	if err != nil {
		ui.Error(fmt.Sprintf("release the leftovers of killed builds: %v", err))
	}
	return multistep.ActionContinue
}

func (s *SweepLeftovers) Cleanup(multistep.StateBag) {}
