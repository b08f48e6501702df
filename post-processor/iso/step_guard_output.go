package iso

import (
	"context"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
)

// stepGuardOutput refuses an output that is one of the input artifact's files (the same path,
// or the same file by another name), holds the output's lock (taken in Configure when output is
// set), and checks that the output's file system has roughly the room the scratch work and the
// ISO take: half the space the input image takes on disk, a floor, since the squashfs and the
// ISO are compressed. It runs before any work is done.
//
// Consumes: output, input_files, input. Produces: output (canonical).
type stepGuardOutput struct {
	pp *PostProcessor
}

func (s *stepGuardOutput) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	in, err := getInput(state)
	if err != nil {
		return halt(state, err)
	}
	out, err := canonicalOutput(getString(state, keyOutput))
	if err != nil {
		return halt(state, err)
	}
	files, _ := state.Get(keyInputFiles).([]string)
	if err := outputsafe.RefuseInput(out, files); err != nil {
		return halt(state, err)
	}
	if err := outputsafe.CheckOutput(out, e.cfg.PackerForce); err != nil {
		return halt(state, err)
	}
	if err := s.pp.lockOutput(out); err != nil {
		return halt(state, err)
	}
	if size, err := outputsafe.AllocatedBytes(in.Path); err == nil {
		if err := outputsafe.CheckFree(outputsafe.ExistingDir(filepath.Dir(out)), size/2, "the squashfs root and the ISO"); err != nil {
			return halt(state, err)
		}
	}
	state.Put(keyOutput, out)
	return multistep.ActionContinue
}

func (s *stepGuardOutput) Cleanup(multistep.StateBag) {}
