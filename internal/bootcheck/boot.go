package bootcheck

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Options describes one boot.
type Options struct {
	// Name labels logs, errors and temp files. Default: the firmware.
	Name string
	// Disk is a disk image (qcow2, raw, vhd, vhdx), booted through a
	// throwaway qcow2 overlay.
	Disk string
	// ISO is attached read-only as Media and boots before Disk. Its
	// grub.cfg must give the kernel a serial console (CheckSerialConsole).
	ISO string
	// Media is how ISO is attached. Default CD.
	Media Media
	// Firmware is what the VM boots with. Default UEFI.
	Firmware Firmware
	// Expect are regular expressions that must all appear on the serial
	// console, in any order, each within one line.
	Expect []string
	// FailOn are regular expressions that end the boot as failed. Nil
	// means DefaultFailOn; an empty list means none.
	FailOn []string
	// Timeout bounds the boot. Default DefaultTimeout.
	Timeout time.Duration
	// MemoryMiB is the guest RAM. Default DefaultMemoryMiB.
	MemoryMiB int
	// Seed is a directory with NoCloud user-data and meta-data, attached
	// as an ISO labelled cidata.
	Seed string
	// ConsoleLog is the file that receives the serial console and stays
	// after the boot. Empty: a temp file, removed after the boot.
	ConsoleLog string
	// Accel is QEMU's accelerator. Empty: DetectAccel.
	Accel Accel
	// Logf receives the commands run, QEMU's output and each milestone
	// as it appears. Nil logs nothing.
	Logf func(format string, args ...any)
	// OnMilestone, when set, is called as each milestone and expected
	// pattern first appears.
	OnMilestone func(Milestone)
}

// DefaultTimeout bounds a boot when Options.Timeout is zero: TCG boots of
// a Live OS take 1.5 to 2 minutes on an idle 2-core host and up to about
// 7 minutes when the host is loaded.
const DefaultTimeout = 10 * time.Minute

// Run boots a VM and watches its serial console until every Expect pattern
// has matched, a failure pattern appears, QEMU exits or the timeout
// passes. QEMU is always killed and temp files removed. The result holds
// what the console showed, also when the boot failed (then err is a
// *BootError).
func Run(ctx context.Context, opts Options) (*Result, error) {
	opts = withDefaults(opts)
	logf := opts.Logf
	if len(opts.Expect) == 0 {
		return nil, fmt.Errorf("boot %s: no expected pattern: nothing would tell success from a hang", opts.Name)
	}
	con, err := NewConsole(opts.Expect, opts.FailOn)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	if err := CheckHost([]Firmware{opts.Firmware}, hostTools(opts)...); err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	dir, err := os.MkdirTemp("", "bootcheck-"+strings.ReplaceAll(opts.Name, "/", "_")+"-")
	if err != nil {
		return nil, fmt.Errorf("boot %s: create temp dir: %w", opts.Name, err)
	}
	defer os.RemoveAll(dir)

	run := &execx.Real{Logf: logf}
	vm, err := prepare(ctx, run, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	argv, err := Argv(vm)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	logf("boot %s: %s, host load average %s", opts.Name, vm.Accel, loadAverage())
	proc, err := run.Start(ctx, execx.Cmd{Argv: argv})
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	defer proc.Stop()
	res, err := watch(ctx, proc, con, watchSpec{name: opts.Name, serial: vm.Serial, timeout: opts.Timeout, logf: logf, onMilestone: opts.OnMilestone})
	res.Firmware, res.Media, res.Accel = opts.Firmware, vm.Media, vm.Accel
	res.ConsoleLog = opts.ConsoleLog
	return res, err
}

func withDefaults(opts Options) Options {
	if opts.Firmware == "" {
		opts.Firmware = UEFI
	}
	if opts.Name == "" {
		opts.Name = string(opts.Firmware)
	}
	if opts.ISO != "" && opts.Media == "" {
		opts.Media = CD
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Accel == "" {
		opts.Accel = DetectAccel()
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	return opts
}

// hostTools are the tools besides QEMU that a boot with opts runs.
func hostTools(opts Options) []string {
	var tools []string
	if opts.Disk != "" {
		tools = append(tools, toolQEMUImg)
	}
	if opts.Seed != "" || opts.ISO != "" {
		tools = append(tools, toolXorriso)
	}
	return tools
}
