package iso

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/progress"
)

// stepWriteISO writes the hybrid ISO with xorriso.
//
// Consumes: staging, layout, bios_mbr, output.
type stepWriteISO struct{}

func (s *stepWriteISO) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	layout, err := getLayout(state)
	if err != nil {
		return halt(state, err)
	}
	ui, out := e.ui, getString(state, keyOutput)
	ui.Sayf("Writing the ISO %s with xorriso...", out)
	if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
		return halt(state, fmt.Errorf("replace output %q: %w", out, err))
	}
	start := time.Now()
	argv := liveos.XorrisoArgv(layout.XorrisoOptions(out, getString(state, keyStaging), getString(state, keyBIOSMBR)))
	report := &progress.Steps{Parse: progress.Xorriso, Report: func(p int) { ui.Message(fmt.Sprintf("xorriso: %d%%", p)) }}
	if err := e.runner.Run(ctx, execx.Cmd{Argv: argv, Progress: report.Line}); err != nil {
		return halt(state, fmt.Errorf("write the ISO %s: %w", out, err))
	}
	fi, err := os.Stat(out)
	if err != nil {
		return halt(state, err)
	}
	ui.Message(fmt.Sprintf("Wrote %s (%d MiB) in %s", out, fi.Size()>>20, time.Since(start).Round(time.Second)))
	return multistep.ActionContinue
}

func (s *stepWriteISO) Cleanup(multistep.StateBag) {}
