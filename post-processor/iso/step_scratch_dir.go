package iso

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// stepScratchDir makes the work directory next to the output (same file system, so the
// staged media can hard-link the squashfs instead of copying it).
//
// Consumes: output. Produces: scratch.
type stepScratchDir struct{ dir string }

func (s *stepScratchDir) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	dir, err := os.MkdirTemp(filepath.Dir(getString(state, keyOutput)), ".imagecustomizer-iso-")
	if err != nil {
		return halt(state, fmt.Errorf("create a scratch directory: %w", err))
	}
	s.dir = dir
	state.Put(keyScratch, dir)
	return multistep.ActionContinue
}

// Cleanup removes the scratch directory, but never while anything is mounted below it:
// removing a tree that still holds a bind mount of /dev would delete host files.
func (s *stepScratchDir) Cleanup(state multistep.StateBag) {
	if s.dir == "" {
		return
	}
	if mounts, err := diskimage.MountsUnder(s.dir); err != nil || len(mounts) > 0 {
		getUI(state).Errorf("not removing %s: still mounted below it: %v %v", s.dir, mounts, err)
		return
	}
	if err := os.RemoveAll(s.dir); err != nil {
		getUI(state).Errorf("remove scratch directory %s: %v", s.dir, err)
	}
	s.dir = ""
}
