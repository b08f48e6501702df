package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// BootOptions describes one VM boot.
type BootOptions struct {
	// Name labels logs and temp files. Default "vm".
	Name string
	// Disk is a disk image (qcow2, raw, vhd, vhdx). It is never written:
	// the VM writes to a qcow2 overlay in a temp dir.
	Disk string
	// ISO is attached as Media and boots before Disk.
	ISO string
	// Media is how ISO is attached: "cd" (default) or "usb".
	Media Media
	// Firmware is "uefi" (default), "uefi-sb" or "bios".
	Firmware Firmware
	// Expect are regexps that must all appear on the serial console, in
	// any order, each within one line.
	Expect []string
	// FailOn are regexps that end the boot as failed, besides the built-in
	// ones (kernel panic, dracut timeout, emergency mode, Access Denied).
	FailOn []string
	// Timeout bounds the whole boot. Default 6 minutes: TCG boots take
	// 1.5-2 min on an idle 2-core host and up to 3.6x that under load.
	Timeout time.Duration
	// MemoryMiB is the guest RAM. Default 2048.
	MemoryMiB int
	// Seed is a directory with NoCloud user-data and meta-data (and
	// optionally network-config), attached as an ISO labelled cidata.
	Seed string
	// Logf receives progress lines. Nil logs nothing.
	Logf func(format string, args ...any)
}

// BootResult is what a boot showed on its serial console.
type BootResult struct {
	// Log is the whole serial console.
	Log string
	// Milestones maps each Expect pattern, and "firmware", "kernel",
	// "initrd" and "login" when seen, to when it first appeared.
	Milestones map[string]time.Duration
	// Elapsed is the time from QEMU start to the end of the boot.
	Elapsed time.Duration
}

// BootError is a boot that did not show every Expect pattern.
type BootError struct {
	Name    string
	Reason  string
	Elapsed time.Duration
	Missing []string
	Tail    string // last console lines
}

func (e *BootError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "boot %s: %s after %.1fs", e.Name, e.Reason, e.Elapsed.Seconds())
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; never saw %q", e.Missing)
	}
	fmt.Fprintf(&b, "\nlast console lines:\n%s", e.Tail)
	return b.String()
}

const tailLines = 60

// Boot runs RunBoot and fails t when the boot fails.
func Boot(t testing.TB, opts BootOptions) *BootResult {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	res, err := RunBoot(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// RunBoot boots a VM under QEMU TCG and watches its serial console until
// every Expect pattern has matched, a failure pattern appears, QEMU exits
// or the timeout passes. QEMU is always killed and temp files removed. On
// failure the result still holds the console seen so far.
func RunBoot(ctx context.Context, opts BootOptions) (*BootResult, error) {
	if opts.Name == "" {
		opts.Name = "vm"
	}
	if opts.Firmware == "" {
		opts.Firmware = UEFI
	}
	if opts.Timeout == 0 {
		opts.Timeout = 6 * time.Minute
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if len(opts.Expect) == 0 {
		return nil, fmt.Errorf("boot %s: no Expect patterns: nothing would tell success from a hang", opts.Name)
	}
	con, err := newConsole(opts.Expect, opts.FailOn)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	dir, err := os.MkdirTemp("", "boot-"+strings.ReplaceAll(opts.Name, "/", "_")+"-")
	if err != nil {
		return nil, fmt.Errorf("boot %s: create temp dir: %w", opts.Name, err)
	}
	defer os.RemoveAll(dir)

	run := &execx.Real{Logf: logf}
	plan, err := prepareVM(ctx, run, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	argv, err := qemuArgv(plan)
	if err != nil {
		return nil, fmt.Errorf("boot %s: %w", opts.Name, err)
	}
	logf("boot %s: host load average %s", opts.Name, loadAverage())
	logf("boot %s: %s", opts.Name, execx.Quote(argv))
	return watch(ctx, opts, con, argv, plan.Serial, logf)
}

// prepareVM creates the disk overlay, the VARS copy and the seed ISO in dir.
func prepareVM(ctx context.Context, run execx.Runner, dir string, opts BootOptions) (vmPlan, error) {
	p := vmPlan{
		Firmware:  opts.Firmware,
		ISO:       opts.ISO,
		Media:     opts.Media,
		Serial:    filepath.Join(dir, "serial.log"),
		MemoryMiB: opts.MemoryMiB,
	}
	_, varsTemplate, err := firmwareFiles(opts.Firmware)
	if err != nil {
		return p, err
	}
	if varsTemplate != "" {
		// A fresh VARS per run: no boot entries leak between runs.
		p.Vars = filepath.Join(dir, "vars.fd")
		if err := copyFile(varsTemplate, p.Vars); err != nil {
			return p, err
		}
	}
	if opts.ISO != "" {
		if p.ISO, err = existingAbs(opts.ISO); err != nil {
			return p, err
		}
	}
	if opts.Disk != "" {
		disk, err := existingAbs(opts.Disk)
		if err != nil {
			return p, err
		}
		format, err := diskFormat(disk)
		if err != nil {
			return p, err
		}
		p.Overlay = filepath.Join(dir, "overlay.qcow2")
		if err := execx.Run(ctx, run, overlayArgv(disk, format, p.Overlay)...); err != nil {
			return p, fmt.Errorf("create overlay over disk %q: %w", disk, err)
		}
	}
	if opts.Seed != "" {
		p.SeedISO = filepath.Join(dir, "seed.iso")
		if err := execx.Run(ctx, run, seedArgv(opts.Seed, p.SeedISO)...); err != nil {
			return p, fmt.Errorf("make NoCloud seed ISO from %q: %w", opts.Seed, err)
		}
	}
	return p, nil
}

// overlayArgv plans a qcow2 overlay whose backing file is the disk under test.
func overlayArgv(disk, format, overlay string) []string {
	return []string{"qemu-img", "create", "-q", "-f", "qcow2", "-b", disk, "-F", format, overlay}
}

// seedArgv plans a NoCloud seed: cloud-init finds it by the volume label
// "cidata" (cloud-init docs, NoCloud datasource).
func seedArgv(dir, iso string) []string {
	return []string{"xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-V", "cidata", "-J", "-R", dir}
}

// startQEMU starts QEMU in its own process group, its output going to the returned buffer.
// QEMU runs through os/exec, not execx: execx.Runner blocks until the tool exits, and the
// harness must poll while it runs and then kill the whole process group.
func startQEMU(name string, argv []string) (*exec.Cmd, *bytes.Buffer, error) {
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Wait also waits for the output pipe; a straggler holding it open must
	// not hang the harness once QEMU itself is gone.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("boot %s: start %s: %w (%s)", name, argv[0], err, execx.MissingToolHint(argv[0]))
	}
	return cmd, &out, nil
}

// watch starts QEMU and polls the serial log.
func watch(ctx context.Context, opts BootOptions, con *console, argv []string, serial string, logf func(string, ...any)) (*BootResult, error) {
	start := time.Now()
	cmd, stderr, err := startQEMU(opts.Name, argv)
	if err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	defer stop()

	var offset int64
	poll := func() {
		b, err := readFrom(serial, offset)
		if err == nil && len(b) > 0 {
			offset += int64(len(b))
			con.feed(b, time.Since(start))
		}
	}
	result := func() *BootResult {
		return &BootResult{Log: con.text.String(), Milestones: maps.Clone(con.seen), Elapsed: time.Since(start)}
	}
	fail := func(reason string) (*BootResult, error) {
		stop()
		poll()
		res := result()
		if s := strings.TrimSpace(stderr.String()); s != "" {
			reason += "; qemu output: " + lastLines(s, 10)
		}
		return res, &BootError{Name: opts.Name, Reason: reason, Elapsed: res.Elapsed, Missing: con.missing(), Tail: con.tail(tailLines)}
	}

	deadline := time.NewTimer(opts.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return fail("canceled: " + ctx.Err().Error())
		case <-deadline.C:
			return fail(fmt.Sprintf("timed out (%s)", opts.Timeout))
		case err := <-exited:
			stopped = true
			poll()
			if con.done() {
				return result(), nil
			}
			return fail(fmt.Sprintf("qemu exited (%v)", err))
		case <-tick.C:
			poll()
			if con.failure != "" {
				return fail(con.failure)
			}
			if con.done() {
				stop()
				res := result()
				logf("boot %s: all patterns seen after %.1fs; milestones: %s", opts.Name, res.Elapsed.Seconds(), FormatMilestones(res.Milestones))
				return res, nil
			}
		}
	}
}

// FormatMilestones renders milestones in time order, e.g. "kernel=9.1s login=39.4s".
func FormatMilestones(ms map[string]time.Duration) string {
	names := make([]string, 0, len(ms))
	for k := range ms {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if ms[names[i]] != ms[names[j]] {
			return ms[names[i]] < ms[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%.1fs", n, ms[n].Seconds())
	}
	return strings.Join(parts, " ")
}

func readFrom(path string, offset int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
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

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read firmware %q: %w (%s)", src, err, "it is in the Debian package ovmf")
		}
		return fmt.Errorf("read firmware %q: %w", src, err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		return fmt.Errorf("copy firmware to %q: %w", dst, err)
	}
	return nil
}
