package imagecustomizer

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// stepWorkingCopy makes the sparse raw copy the build works on, so base_image is never modified.
//
// Produces:
//
//	base_format diskimage.Format - the detected (or configured) format of base_image
//	work_image  string           - the raw working copy in output_directory
type stepWorkingCopy struct{}

func (s *stepWorkingCopy) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	cfg, ui := getConfig(state), getUI(state)
	format, err := baseFormat(cfg)
	if err != nil {
		return halt(state, err)
	}
	state.Put(keyBaseFormat, format)
	work := workImagePath(cfg)
	ui.Sayf("Copying %s image %s to a raw working copy...", format, cfg.BaseImage)
	if err := diskimage.WorkingCopy(ctx, getRunner(state), cfg.BaseImage, format, work); err != nil {
		return halt(state, fmt.Errorf("copy base_image %q: %w", cfg.BaseImage, err))
	}
	state.Put(keyWorkImage, work)
	return multistep.ActionContinue
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
	if f == diskimage.FormatISO {
		return "", fmt.Errorf("base_image %q is an ISO; opening a Live OS ISO as a base image is not supported yet", cfg.BaseImage)
	}
	return f, nil
}

// workImagePath is the raw image provisioners change. For raw output it is the output itself.
func workImagePath(cfg *Config) string {
	if diskimage.OutputFormat(cfg.OutputFormat) == diskimage.OutputRaw {
		return filepath.Join(cfg.OutputDirectory, cfg.OutputImageName)
	}
	return filepath.Join(cfg.OutputDirectory, cfg.OutputImageName+".work.raw")
}
