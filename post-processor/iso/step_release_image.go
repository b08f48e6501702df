package iso

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepReleaseImage unmounts the image and detaches it as soon as nothing more is read from it,
// failing the conversion if that fails (stepstate.ReleaseAll).
type stepReleaseImage struct{}

func (s *stepReleaseImage) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	getUI(state).Say("Releasing the image...")
	if err := stepstate.ReleaseAll(state); err != nil {
		return halt(state, fmt.Errorf("release the image: %w", err))
	}
	return multistep.ActionContinue
}

func (s *stepReleaseImage) Cleanup(multistep.StateBag) {}
