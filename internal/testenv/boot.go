package testenv

import (
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

// The boot harness is internal/bootcheck, the code the ISO post-processor's
// boot_test runs; these names keep the tests short.
type (
	Firmware    = bootcheck.Firmware
	Media       = bootcheck.Media
	BootOptions = bootcheck.Options
	BootResult  = bootcheck.Result
	BootError   = bootcheck.BootError
)

const (
	UEFI           = bootcheck.UEFI
	UEFISecureBoot = bootcheck.UEFISecureBoot
	BIOS           = bootcheck.BIOS
	CD             = bootcheck.CD
	USB            = bootcheck.USB
)

// Boot runs bootcheck.Run, logging to t, and fails t when the boot fails.
func Boot(t testing.TB, opts BootOptions) *BootResult {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	res, err := bootcheck.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// FormatMilestones renders the milestones a boot saw, in time order.
func FormatMilestones(ms []bootcheck.Milestone) string { return bootcheck.FormatMilestones(ms) }
