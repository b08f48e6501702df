package diskimage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// loopLockPath serialises loop set-up between parallel builds: losetup
// --find and partition scanning race otherwise (packer-builder-arm #163).
var loopLockPath = "/run/lock/packer-imagecustomizer-loop.lock"

// How long to wait for partition nodes and for a detach to take effect.
var (
	partitionWait = 5 * time.Second
	detachWait    = 5 * time.Second
)

// Loop is an image attached to a loop device. Close detaches it.
type Loop struct {
	// Device is the loop device, /dev/loopN.
	Device string
	// Image is the absolute path of the attached file.
	Image    string
	ReadOnly bool

	r      execx.Runner
	rec    ledger.Loop
	mu     sync.Mutex
	closed bool
}

// AttachLoop attaches image to a free loop device and waits until the
// kernel has a node for every partition of its table.
func AttachLoop(ctx context.Context, r execx.Runner, image string, readOnly bool) (*Loop, error) {
	abs, err := filepath.Abs(image)
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", image, err)
	}
	unlock, err := lockFile(loopLockPath)
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", image, err)
	}
	defer unlock()
	// Recorded before it exists: a sweep finds the device by its backing file's inode.
	rec, err := ledger.BackingFile(abs)
	if err == nil {
		err = recordLoop(rec)
	}
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", image, err)
	}
	argv := []string{"losetup", "--find", "--show", "--partscan"}
	if readOnly {
		argv = append(argv, "--read-only")
	}
	out, err := execx.Output(ctx, r, append(argv, abs)...)
	if err != nil {
		forgetLoop(rec)
		return nil, fmt.Errorf("attach %s to a loop device: %w", image, err)
	}
	dev := strings.TrimSpace(out)
	if !strings.HasPrefix(dev, "/dev/loop") {
		return nil, fmt.Errorf("attach %s to a loop device: losetup printed %q, not a loop device", image, out)
	}
	rec.Device = dev
	if err := recordLoop(rec); err != nil {
		return nil, err
	}
	l := &Loop{Device: dev, Image: abs, ReadOnly: readOnly, r: r, rec: rec}
	if err := l.waitPartitions(ctx); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

// waitPartitions waits for /dev/loopNpM of every partition in the table.
// On some kernels (this project's CI VM among them) --partscan sets the
// flag but creates no nodes; `partx -u` then adds the missing ones.
func (l *Loop) waitPartitions(ctx context.Context) error {
	parts, err := partitionTable(l.Device)
	if err != nil {
		return err
	}
	missing := func() []string {
		var m []string
		for _, p := range parts {
			if _, err := os.Stat(partDevice(l.Device, p.Number)); err != nil {
				m = append(m, partDevice(l.Device, p.Number))
			}
		}
		return m
	}
	// Give udev/--partscan a moment, then add the nodes ourselves.
	if err := pollUntil(ctx, 500*time.Millisecond, func() bool { return len(missing()) == 0 }); err == nil {
		return nil
	}
	if err := execx.Run(ctx, l.r, "partx", "-u", l.Device); err != nil {
		if err2 := execx.Run(ctx, l.r, "partx", "-a", l.Device); err2 != nil {
			return fmt.Errorf("add partitions of %s: %w", l.Device, errors.Join(err, err2))
		}
	}
	if err := pollUntil(ctx, partitionWait, func() bool { return len(missing()) == 0 }); err != nil {
		return fmt.Errorf("wait for partitions of %s (%s): %s: %w", l.Device, l.Image, strings.Join(missing(), ", "), err)
	}
	return nil
}

// pollUntil calls done every 50 ms until it returns true or d has passed.
func pollUntil(ctx context.Context, d time.Duration, done func() bool) error {
	deadline := time.Now().Add(d)
	for !done() {
		if time.Now().After(deadline) {
			return fmt.Errorf("still missing after %s", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// Close detaches the loop device and checks that it really is detached:
// `losetup --detach` exits 0 on a busy device and only sets autoclear
// (util-linux #484). Safe to call more than once.
func (l *Loop) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if l.attached() {
		if err := execx.Run(context.Background(), l.r, "losetup", "--detach", l.Device); err != nil && l.attached() {
			return fmt.Errorf("detach loop device %s (%s): %w", l.Device, l.Image, err)
		}
	}
	for deadline := time.Now().Add(detachWait); l.attached(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("detach loop device %s: %s is still attached after %s; something holds it open (see lsblk %s and /proc/self/mountinfo)",
				l.Device, l.Image, detachWait, l.Device)
		}
	}
	l.closed = true
	forgetLoop(l.rec)
	return nil
}

// attached reports whether the device is still bound to our image. A
// device that now holds another file was detached and reused.
func (l *Loop) attached() bool {
	b, err := os.ReadFile(filepath.Join("/sys/block", filepath.Base(l.Device), "loop", "backing_file"))
	if err != nil {
		return false
	}
	return strings.TrimSuffix(strings.TrimSpace(string(b)), " (deleted)") == l.Image
}

// lockFile takes an exclusive flock on path, creating it when missing.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create lock directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
