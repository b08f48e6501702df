package bootcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Prepare is prepare for a VM that a caller starts and watches itself (a test that works
// with the running guest over SSH): dir must outlive the VM.
func Prepare(ctx context.Context, run execx.Runner, dir string, opts Options) (VM, error) {
	return prepare(ctx, run, dir, opts)
}

// LoadAverage is the host's 1, 5 and 15 minute load average, for logs of slow boots.
func LoadAverage() string { return loadAverage() }

// prepare checks the media and creates, in dir, what the VM needs besides
// it: the VARS copy, the disk overlay and the seed ISO.
func prepare(ctx context.Context, run execx.Runner, dir string, opts Options) (VM, error) {
	vm := VM{
		Firmware:  opts.Firmware,
		Accel:     opts.Accel,
		Media:     opts.Media,
		Serial:    opts.ConsoleLog,
		MemoryMiB: opts.MemoryMiB,
	}
	if err := prepareConsoleLog(&vm, dir); err != nil {
		return vm, err
	}
	files, err := filesFor(opts.Firmware)
	if err != nil {
		return vm, err
	}
	if files.VarsTemplate != "" {
		vm.Vars = filepath.Join(dir, "vars.fd")
		if err := copyFirmwareVars(files.VarsTemplate, vm.Vars); err != nil {
			return vm, err
		}
	}
	if opts.ISO != "" {
		if vm.ISO, err = existingAbs(opts.ISO); err != nil {
			return vm, err
		}
		cfg, err := ISOGrubConfig(ctx, run, vm.ISO, dir)
		if err != nil {
			return vm, err
		}
		if err := CheckSerialConsole(cfg); err != nil {
			return vm, err
		}
	}
	if opts.Disk != "" {
		if vm.Overlay, err = prepareOverlay(ctx, run, dir, opts.Disk); err != nil {
			return vm, err
		}
	}
	if opts.Seed != "" {
		vm.SeedISO = filepath.Join(dir, "seed.iso")
		if err := execx.Run(ctx, run, SeedArgv(opts.Seed, vm.SeedISO)...); err != nil {
			return vm, fmt.Errorf("make NoCloud seed ISO from %q: %w", opts.Seed, err)
		}
	}
	return vm, nil
}

// prepareConsoleLog points the serial console at a temp file, or at the
// requested file after removing what an earlier boot left there.
func prepareConsoleLog(vm *VM, dir string) error {
	if vm.Serial == "" {
		vm.Serial = filepath.Join(dir, "serial.log")
		return nil
	}
	abs, err := filepath.Abs(vm.Serial)
	if err != nil {
		return fmt.Errorf("resolve console log %q: %w", vm.Serial, err)
	}
	if err := os.Remove(abs); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("replace console log %q: %w", abs, err)
	}
	vm.Serial = abs
	return nil
}

func prepareOverlay(ctx context.Context, run execx.Runner, dir, disk string) (string, error) {
	disk, err := existingAbs(disk)
	if err != nil {
		return "", err
	}
	format, err := diskFormat(disk)
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.qcow2")
	if err := execx.Run(ctx, run, OverlayArgv(disk, format, overlay)...); err != nil {
		return "", fmt.Errorf("create overlay over disk %q: %w", disk, err)
	}
	return overlay, nil
}

// diskFormat maps an image file name to its QEMU block driver name.
func diskFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".qcow2":
		return "qcow2", nil
	case ".raw", ".img":
		return "raw", nil
	case ".vhd":
		return "vpc", nil
	case ".vhdx":
		return "vhdx", nil
	}
	return "", fmt.Errorf("detect format of disk %q: want a .qcow2, .raw, .img, .vhd or .vhdx file", path)
}

func existingAbs(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("find boot media: %w", err)
	}
	return abs, nil
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return strings.TrimSpace(string(b))
	}
	return strings.Join(f[:3], " ")
}
