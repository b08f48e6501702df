package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// VMOptions describes a VM that keeps running while a test works with it (over SSH), until
// the guest powers off or the test stops it.
type VMOptions struct {
	// Name labels logs and temp files. Default "vm".
	Name string
	// Disk is a disk image; the VM writes to a qcow2 overlay over it (VM.Overlay).
	Disk string
	// Firmware is "uefi" (default), "uefi-sb" or "bios".
	Firmware Firmware
	// Seed is a directory with NoCloud user-data and meta-data, attached as a cidata ISO.
	Seed string
	// SSHPort is the host loopback port forwarded to the guest's port 22; 0 for none.
	SSHPort int
	// MemoryMiB is the guest RAM. Default 2048.
	MemoryMiB int
	// Logf receives progress lines. Nil logs nothing.
	Logf func(format string, args ...any)
}

// VM is a running QEMU. Its overlay and serial log live in a temp dir that Stop removes.
type VM struct {
	name    string
	dir     string
	overlay string
	serial  string
	cmd     *exec.Cmd
	stderr  *bytes.Buffer
	exited  chan struct{}
	exitErr error
	stop    sync.Once
	logf    func(string, ...any)
}

// StartVM boots a VM and returns at once; Stop runs at the end of t.
func StartVM(t testing.TB, opts VMOptions) *VM {
	t.Helper()
	vm, err := startVM(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vm.Stop)
	return vm
}

func startVM(ctx context.Context, opts VMOptions) (*VM, error) {
	if opts.Name == "" {
		opts.Name = "vm"
	}
	if opts.Firmware == "" {
		opts.Firmware = UEFI
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := os.MkdirTemp("", "vm-"+strings.ReplaceAll(opts.Name, "/", "_")+"-")
	if err != nil {
		return nil, fmt.Errorf("start vm %s: create temp dir: %w", opts.Name, err)
	}
	plan, err := bootcheck.Prepare(ctx, &execx.Real{Logf: logf}, dir, BootOptions{
		Name: opts.Name, Disk: opts.Disk, Firmware: opts.Firmware, Seed: opts.Seed, MemoryMiB: opts.MemoryMiB,
	})
	plan.Accel = bootcheck.DetectAccel()
	if err == nil && plan.Overlay == "" {
		err = fmt.Errorf("no disk to boot")
	}
	plan.SSHPort = opts.SSHPort
	var argv []string
	if err == nil {
		argv, err = bootcheck.Argv(plan)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start vm %s: %w", opts.Name, err)
	}
	vm := &VM{name: opts.Name, dir: dir, overlay: plan.Overlay, serial: plan.Serial,
		stderr: &bytes.Buffer{}, exited: make(chan struct{}), logf: logf}
	// QEMU runs through os/exec, not execx: it must run while the test works, and be
	// killed with its whole process group.
	vm.cmd = exec.Command(argv[0], argv[1:]...)
	vm.cmd.Stdout, vm.cmd.Stderr = vm.stderr, vm.stderr
	vm.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	vm.cmd.WaitDelay = 5 * time.Second
	logf("vm %s: host load average %s", opts.Name, bootcheck.LoadAverage())
	logf("vm %s: %s", opts.Name, execx.Quote(argv))
	if err := vm.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start vm %s: %w (%s)", opts.Name, err, execx.MissingToolHint(argv[0]))
	}
	go func() { vm.exitErr = vm.cmd.Wait(); close(vm.exited) }()
	return vm, nil
}

// Overlay is the qcow2 file holding what the guest wrote, backed by the disk it booted.
func (vm *VM) Overlay() string { return vm.overlay }

// Exited is closed when QEMU has exited (the guest powered off, or Stop).
func (vm *VM) Exited() <-chan struct{} { return vm.exited }

// WaitConsole waits until every pattern has appeared on the serial console. It fails when
// a failure line appears (see BootOptions.FailOn), QEMU exits or timeout passes.
func (vm *VM) WaitConsole(ctx context.Context, timeout time.Duration, patterns ...string) error {
	con, err := bootcheck.NewConsole(patterns, nil)
	if err != nil {
		return fmt.Errorf("vm %s: %w", vm.name, err)
	}
	start := time.Now()
	var offset int64
	poll := func() {
		if b, err := bootcheck.ReadFrom(vm.serial, offset); err == nil && len(b) > 0 {
			offset += int64(len(b))
			con.Feed(b, time.Since(start))
		}
	}
	fail := func(reason string) error {
		poll()
		return &BootError{Name: vm.name, Reason: reason, Elapsed: time.Since(start), Missing: con.Missing(), Tail: con.Tail(40)}
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return fail("canceled: " + ctx.Err().Error())
		case <-deadline.C:
			return fail(fmt.Sprintf("timed out (%s)", timeout))
		case <-vm.exited:
			poll()
			if con.Done() {
				return nil
			}
			return fail(fmt.Sprintf("qemu exited (%v): %s", vm.exitErr, lastStderrLines(vm.stderr.String(), 10)))
		case <-tick.C:
			poll()
			if con.Failure() != "" {
				return fail(con.Failure())
			}
			if con.Done() {
				vm.logf("vm %s: console showed %q after %.1fs", vm.name, patterns, time.Since(start).Seconds())
				return nil
			}
		}
	}
}

// Console returns the serial console so far.
func (vm *VM) Console() string {
	b, _ := bootcheck.ReadFrom(vm.serial, 0)
	return string(b)
}

// Stop kills QEMU if it still runs and removes the overlay and logs. Safe to call twice.
func (vm *VM) Stop() {
	vm.stop.Do(func() {
		select {
		case <-vm.exited:
		default:
			_ = syscall.Kill(-vm.cmd.Process.Pid, syscall.SIGKILL)
			<-vm.exited
		}
		os.RemoveAll(vm.dir)
	})
}

// FreeLoopbackPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreeLoopbackPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lastStderrLines is the end of QEMU's own output, for an error when it exits early.
func lastStderrLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
