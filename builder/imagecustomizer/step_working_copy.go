package imagecustomizer

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/fromiso"
)

// stepWorkingCopy makes the sparse raw copy the build works on, so base_image is never modified.
// A Live OS ISO made by this plugin is turned back into a disk image (fromiso.FromLiveISO).
//
// Produces:
//
//	base_format diskimage.Format - the detected (or configured) format of base_image
//	work_image  string           - the raw working copy in output_directory
type stepWorkingCopy struct{}

func (s *stepWorkingCopy) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui := e.cfg, e.ui
	format, err := baseFormat(cfg)
	if err != nil {
		return halt(state, err)
	}
	state.Put(keyBaseFormat, format)
	work := workImagePath(cfg)
	if format == diskimage.FormatISO {
		ui.Sayf("Rebuilding a disk image from the Live OS ISO %s...", cfg.BaseImage)
		if err := fromLiveISO(ctx, e.runner, cfg.BaseImage, work); err != nil {
			return halt(state, fmt.Errorf("open base_image %q: %w", cfg.BaseImage, err))
		}
	} else {
		ui.Sayf("Copying %s image %s to a raw working copy...", format, cfg.BaseImage)
		if err := diskimage.WorkingCopyProgress(ctx, e.runner, cfg.BaseImage, format, work, qemuImgProgress(ui, "copy")); err != nil {
			return halt(state, fmt.Errorf("copy base_image %q: %w", cfg.BaseImage, err))
		}
	}
	state.Put(keyWorkImage, work)
	return multistep.ActionContinue
}

// fromLiveISO rebuilds a disk image from a Live OS ISO this plugin made, in a scratch
// directory next to it that is removed afterwards (never while anything is mounted below it).
func fromLiveISO(ctx context.Context, r execx.Runner, iso, work string) error {
	scratch, err := os.MkdirTemp(filepath.Dir(work), ".from-iso-")
	if err != nil {
		return err
	}
	err = fromiso.FromLiveISO(ctx, r, iso, work, scratch, log.Printf)
	if mounts, merr := diskimage.MountsUnder(scratch); merr != nil || len(mounts) > 0 {
		return errors.Join(err, fmt.Errorf("not removing %s: still mounted below it: %v %v", scratch, mounts, merr))
	}
	return errors.Join(err, os.RemoveAll(scratch))
}

// Cleanup leaves the working copy to StepOutputDir, which removes the output directory when
// the build fails; on success stepConvertOutput has already replaced it.
func (s *stepWorkingCopy) Cleanup(multistep.StateBag) {}

func baseFormat(cfg *Config) (diskimage.Format, error) {
	if cfg.BaseImageFormat != "" {
		return diskimage.ParseFormat(cfg.BaseImageFormat)
	}
	f, err := diskimage.DetectFormat(cfg.BaseImage)
	if err != nil {
		return "", fmt.Errorf("detect the format of base_image %q: %w", cfg.BaseImage, err)
	}
	return f, nil
}

// workImagePath is the raw image provisioners change, next to the output; stepConvertOutput
// turns it into the output.
func workImagePath(cfg *Config) string {
	return filepath.Join(cfg.OutputDirectory, cfg.OutputImageName+".work.raw")
}
