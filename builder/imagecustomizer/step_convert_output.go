package imagecustomizer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// stepConvertOutput writes the customized image in output_format. For raw output the working
// copy already is the output.
//
// Consumes: work_image. Produces: output_image.
type stepConvertOutput struct{}

func (s *stepConvertOutput) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui := e.cfg, e.ui
	work := getString(state, keyWorkImage)
	out := filepath.Join(cfg.OutputDirectory, cfg.OutputImageName)
	format := diskimage.OutputFormat(cfg.OutputFormat)
	if work != out {
		ui.Sayf("Converting the image to %s...", format)
		argv := diskimage.ConvertArgv(work, diskimage.FormatRaw, out, format)
		if err := e.runner.Run(ctx, execx.Cmd{Argv: argv, Progress: qemuImgProgress(ui, "convert")}); err != nil {
			return halt(state, fmt.Errorf("write output_format %q: %w", format, err))
		}
		if err := os.Remove(work); err != nil {
			return halt(state, fmt.Errorf("remove the working copy: %w", err))
		}
	}
	state.Put(keyOutputImage, out)
	ui.Message("Wrote " + out)
	return multistep.ActionContinue
}

func (s *stepConvertOutput) Cleanup(multistep.StateBag) {}
