package iso

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/progress"
)

// stepWriteISO writes the hybrid ISO with xorriso under a temporary name next to the output
// (outputsafe.TempName) and renames it into place when it is whole: a failed write (a full
// disk, a cancel) leaves no partial file at the output path, and an older ISO there stays
// until the new one replaces it.
//
// Consumes: staging, layout, bios_mbr, output.
type stepWriteISO struct {
	tmp string
}

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
	s.tmp = outputsafe.TempName(out)
	if err := os.Remove(s.tmp); err != nil && !os.IsNotExist(err) {
		return halt(state, fmt.Errorf("remove a stale %s: %w", s.tmp, err))
	}
	start := time.Now()
	argv := liveos.XorrisoArgv(layout.XorrisoOptions(s.tmp, getString(state, keyStaging), getString(state, keyBIOSMBR)))
	report := &progress.Steps{Parse: progress.Xorriso, Report: func(p int) { ui.Message(fmt.Sprintf("xorriso: %d%%", p)) }}
	if err := e.runner.Run(ctx, execx.Cmd{Argv: argv, Progress: report.Line}); err != nil {
		return halt(state, fmt.Errorf("write the ISO %s: %w", out, err))
	}
	fi, err := os.Stat(s.tmp)
	if err != nil {
		return halt(state, fmt.Errorf("write the ISO %s: %w", out, err))
	}
	if err := outputsafe.Commit(s.tmp, out); err != nil {
		return halt(state, err)
	}
	s.tmp = ""
	ui.Message(fmt.Sprintf("Wrote %s (%d MiB) in %s", out, fi.Size()>>20, time.Since(start).Round(time.Second)))
	return multistep.ActionContinue
}

// Cleanup removes what a failed write left under the temporary name.
func (s *stepWriteISO) Cleanup(state multistep.StateBag) {
	if s.tmp == "" {
		return
	}
	if err := os.Remove(s.tmp); err != nil && !os.IsNotExist(err) {
		getUI(state).Error(fmt.Sprintf("remove the partial ISO %s: %v", s.tmp, err))
	}
	s.tmp = ""
}
