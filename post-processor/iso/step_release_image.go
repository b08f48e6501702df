package iso

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepReleaseImage unmounts the image and detaches it as soon as nothing more is read from it,
// failing the conversion if that fails.
type stepReleaseImage struct{}

func (s *stepReleaseImage) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	if rel, ok := state.Get(keyRelease).(*releaser); ok {
		if err := rel.release(); err != nil {
			return halt(state, fmt.Errorf("release the image: %w", err))
		}
	}
	return multistep.ActionContinue
}

func (s *stepReleaseImage) Cleanup(multistep.StateBag) {}
