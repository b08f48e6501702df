package imagecustomizer

import (
	"context"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
)

// stepCheckSpace checks, before any copy, that output_directory's file system has roughly the
// room the build takes: the space base_image takes on disk for the raw working copy (sparse,
// like the base), and as much again for an output in another format. It is a floor: what the
// provisioners add is not known yet.
//
// Consumes: config.
type stepCheckSpace struct{}

func (s *stepCheckSpace) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	need, err := outputsafe.AllocatedBytes(e.cfg.BaseImage)
	if err != nil {
		return halt(state, err)
	}
	if diskimage.OutputFormat(e.cfg.OutputFormat) != diskimage.OutputRaw {
		need *= 2
	}
	dir, err := filepath.Abs(e.cfg.OutputDirectory)
	if err != nil {
		return halt(state, err)
	}
	if err := outputsafe.CheckFree(outputsafe.ExistingDir(dir), need, "the working copy of base_image and the output"); err != nil {
		return halt(state, err)
	}
	return multistep.ActionContinue
}

func (s *stepCheckSpace) Cleanup(multistep.StateBag) {}
