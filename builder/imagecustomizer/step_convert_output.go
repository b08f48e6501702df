package imagecustomizer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
)

// stepConvertOutput writes the customized image in output_format under its final name. The
// working copy is renamed into place for raw output; other formats are converted to a
// temporary name next to the output (outputsafe.TempName) and renamed when whole. Until then
// nothing is at the output path that could be taken for a finished image.
//
// Consumes: work_image. Produces: output_image.
type stepConvertOutput struct {
	tmp string
}

func (s *stepConvertOutput) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui := e.cfg, e.ui
	work := getString(state, keyWorkImage)
	out := filepath.Join(cfg.OutputDirectory, cfg.OutputImageName)
	format := diskimage.OutputFormat(cfg.OutputFormat)
	if format != diskimage.OutputRaw {
		ui.Sayf("Converting the image to %s...", format)
		s.tmp = outputsafe.TempName(out)
		argv := diskimage.ConvertArgv(work, diskimage.FormatRaw, s.tmp, format)
		if err := e.runner.Run(ctx, execx.Cmd{Argv: argv, Progress: qemuImgProgress(ui, "convert")}); err != nil {
			return halt(state, fmt.Errorf("write output_format %q: %w", format, err))
		}
		if err := os.Remove(work); err != nil {
			return halt(state, fmt.Errorf("remove the working copy: %w", err))
		}
		work = s.tmp
	}
	if err := outputsafe.Commit(work, out); err != nil {
		return halt(state, err)
	}
	s.tmp = ""
	state.Put(keyOutputImage, out)
	ui.Message("Wrote " + out)
	return multistep.ActionContinue
}

// Cleanup removes a half-converted image; the working copy is left to StepOutputDir.
func (s *stepConvertOutput) Cleanup(state multistep.StateBag) {
	if s.tmp == "" {
		return
	}
	if err := os.Remove(s.tmp); err != nil && !os.IsNotExist(err) {
		getUI(state).Error(fmt.Sprintf("remove the partial image %s: %v", s.tmp, err))
	}
	s.tmp = ""
}
