package iso

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepOpenImage attaches the builder's image read-only (a raw copy first when it is not raw)
// and mounts its partitions read-only as its fstab says.
//
// Consumes: input, scratch. Produces: tree; holds a releaser (stepstate.Hold) for stepReleaseImage.
type stepOpenImage struct{ rel *releaser }

// releaser owns the read-only mounts and the loop device; Release is idempotent.
type releaser struct {
	tree *diskimage.Tree
	loop *diskimage.Loop
}

func (r *releaser) Release() error {
	var errs []error
	if r.tree != nil {
		errs = append(errs, r.tree.Close())
		r.tree = nil
	}
	if r.loop != nil {
		errs = append(errs, r.loop.Close())
		r.loop = nil
	}
	return errors.Join(errs...)
}

func (s *stepOpenImage) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	in, err := getInput(state)
	if err != nil {
		return halt(state, err)
	}
	ui, runner, scratch := e.ui, e.runner, e.scratch
	ui.Sayf("Opening %s read-only...", in.Path)
	format, err := inputFormat(in)
	if err != nil {
		return halt(state, err)
	}
	raw := in.Path
	if format != diskimage.FormatRaw {
		raw = filepath.Join(scratch, "image.raw")
		ui.Message(fmt.Sprintf("Converting the %s image to raw...", format))
		if err := diskimage.WorkingCopy(ctx, runner, in.Path, format, raw); err != nil {
			return halt(state, fmt.Errorf("convert %s to raw: %w", in.Path, err))
		}
	}
	s.rel = &releaser{}
	stepstate.Hold(state, s.rel)
	loop, err := diskimage.AttachLoop(ctx, runner, raw, true)
	if err != nil {
		return halt(state, fmt.Errorf("attach %s read-only: %w", raw, err))
	}
	s.rel.loop = loop
	root := filepath.Join(scratch, "image")
	if err := os.Mkdir(root, 0o755); err != nil {
		return halt(state, err)
	}
	tree, err := diskimage.OpenTree(ctx, runner, loop, root, diskimage.Options{ReadOnly: true, Logf: log.Printf})
	if err != nil {
		return halt(state, fmt.Errorf("mount %s read-only: %w", in.Path, err))
	}
	s.rel.tree = tree
	state.Put(keyTree, tree)
	ui.Message(fmt.Sprintf("Root file system on partition %d", tree.RootPartition.Number))
	return multistep.ActionContinue
}

func (s *stepOpenImage) Cleanup(state multistep.StateBag) {
	if s.rel == nil {
		return
	}
	if err := s.rel.Release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

// inputFormat reads the image's format from its content. The producer's format name is only
// a hint, used when the content has no signature (a raw disk without partition table).
func inputFormat(in inputImage) (diskimage.Format, error) {
	f, err := diskimage.DetectFormat(in.Path)
	if err != nil {
		if hint, herr := diskimage.ParseFormat(in.Format); in.Format != "" && herr == nil {
			f, err = hint, nil
		}
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("detect the format of %s: %w", in.Path, err)
	case f == diskimage.FormatISO:
		return "", fmt.Errorf("%s is an ISO, not a disk image: build a disk image from it with the imagecustomizer builder first", in.Path)
	}
	return f, nil
}
