package iso

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// keyBootResults holds []bootcheck.Record: one per boot_test boot.
const keyBootResults = "boot_results"

// stepBootCheck boots the written ISO once per boot_test firmware and fails unless every
// boot shows the expected console lines. Every boot runs, so one build reports them all; each
// console stays at <iso>.boot-<firmware>.log.
//
// Consumes: config (boot_test), output. Produces: boot_results.
type stepBootCheck struct {
	// boot runs one boot; nil means bootcheck.Run.
	boot func(context.Context, bootcheck.Options) (*bootcheck.Result, error)
}

func (s *stepBootCheck) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	cfg, err := stepstate.Get[*Config](state, keyConfig)
	if err != nil {
		return halt(state, err)
	}
	ui := getUI(state)
	suite := cfg.BootTest.suite(getString(state, keyOutput))
	boots := suite.Plan()
	boot := s.boot
	if boot == nil {
		boot = bootcheck.Run
	}
	var records []bootcheck.Record
	var failed []error
	for i, opts := range boots {
		ui.Sayf("Boot test %d/%d: %s from %s, waiting for %q", i+1, len(boots), opts.Firmware, opts.Media, opts.Expect)
		opts.Logf = log.Printf
		opts.OnMilestone = func(m bootcheck.Milestone) {
			ui.Message(fmt.Sprintf("%s: %s at %.1fs", opts.Firmware, m.Name, m.At.Seconds()))
		}
		res, err := boot(ctx, opts)
		if res == nil {
			// The boot never started: the host or the ISO is not fit for it.
			return halt(state, fmt.Errorf("boot test with firmware %s: %w", opts.Firmware, err))
		}
		records = append(records, bootcheck.NewRecord(res, err))
		ui.Message(bootcheck.Report(res))
		if err != nil {
			failed = append(failed, fmt.Errorf("boot test with firmware %s failed (whole console in %s): %w", opts.Firmware, opts.ConsoleLog, err))
		}
	}
	state.Put(keyBootResults, records)
	if len(failed) > 0 {
		return halt(state, errors.Join(failed...))
	}
	ui.Sayf("Boot test passed: %s", bootcheck.Summarize(records))
	return multistep.ActionContinue
}

func (s *stepBootCheck) Cleanup(multistep.StateBag) {}
