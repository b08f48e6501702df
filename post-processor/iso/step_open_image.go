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
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/fromiso"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// stepOpenImage attaches the input disk image read-only (a raw copy first when it is not raw,
// a disk rebuilt from it when it is a Live OS ISO) and mounts its partitions read-only as its
// fstab says.
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
	raw, err := rawImage(ctx, e, in)
	if err != nil {
		return halt(state, err)
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

// rawImage returns a raw disk image of the input that can be attached read-only: the input
// itself when it is raw, else a copy in the scratch directory, converted with qemu-img or, for
// a Live OS ISO, rebuilt as a disk (fromiso.FromLiveISO).
func rawImage(ctx context.Context, e env, in inputImage) (string, error) {
	raw := filepath.Join(e.scratch, "image.raw")
	switch in.Format {
	case diskimage.FormatRaw:
		return in.Path, nil
	case diskimage.FormatISO:
		e.ui.Message("Rebuilding a disk image from the Live OS ISO...")
		work := filepath.Join(e.scratch, "from-iso")
		if err := os.Mkdir(work, 0o700); err != nil {
			return "", err
		}
		if err := fromiso.FromLiveISO(ctx, e.runner, in.Path, raw, work, log.Printf); err != nil {
			return "", fmt.Errorf("rebuild a disk image from %s: %w", in.Path, err)
		}
		// The extracted media is as large as the ISO; stepScratchDir removes the rest.
		return raw, os.RemoveAll(filepath.Join(work, "media"))
	}
	e.ui.Message(fmt.Sprintf("Converting the %s image to raw...", in.Format))
	if err := diskimage.WorkingCopy(ctx, e.runner, in.Path, in.Format, raw); err != nil {
		return "", fmt.Errorf("convert %s to raw: %w", in.Path, err)
	}
	return raw, nil
}
