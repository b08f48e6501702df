package diskimage

import (
	"fmt"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// Every directory this package mounts under, every mount and every loop device it makes is in
// the plugin process's build record (package ledger) while it exists, so that when the plugin
// is killed the next build's sweep finds and releases them. A record that cannot be written
// fails the operation before anything is made; failing to forget one is only logged, since a
// sweep drops what is already gone.

func recordRoot(dir string) error {
	l, err := ledger.Process()
	if err == nil {
		err = l.AddRoot(dir)
	}
	if err != nil {
		return fmt.Errorf("record mount directory %s: %w", dir, err)
	}
	return nil
}

func forgetRoot(dir string) {
	if l, err := ledger.Process(); err == nil {
		ignoreForget(l.RemoveRoot(dir))
	}
}

func recordMount(m mounted) error {
	l, err := ledger.Process()
	if err == nil {
		err = l.AddMount(m.id, m.host)
	}
	if err != nil {
		return fmt.Errorf("record mount %s: %w", m.host, err)
	}
	return nil
}

func forgetMount(id uint64) {
	if l, err := ledger.Process(); err == nil {
		ignoreForget(l.RemoveMount(id))
	}
}

func recordLoop(lp ledger.Loop) error {
	l, err := ledger.Process()
	if err == nil {
		err = l.AddLoop(lp)
	}
	if err != nil {
		return fmt.Errorf("record loop device for %s: %w", lp.Backing, err)
	}
	return nil
}

func forgetLoop(lp ledger.Loop) {
	if l, err := ledger.Process(); err == nil {
		ignoreForget(l.RemoveLoop(lp.Dev, lp.Ino))
	}
}

// ignoreForget drops err: an entry that outlives its mount or loop device is harmless, since a
// sweep checks every entry against the kernel's tables before it acts.
func ignoreForget(error) {}
