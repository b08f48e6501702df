package outputsafe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CheckOutput is what can be known about output before any work: that it does not exist
// unless force is set, and that its directory exists (or can be created) and is writable.
func CheckOutput(output string, force bool) error {
	if _, err := os.Lstat(output); err == nil && !force {
		return fmt.Errorf("output %s already exists; remove it or run packer with -force", output)
	}
	dir := filepath.Dir(output)
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			if err := unix.Access(d, unix.W_OK|unix.X_OK); err != nil {
				return fmt.Errorf("output directory %s: %s is not writable: %w", dir, d, err)
			}
			return nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("output directory %s: %w", dir, err)
		}
		if d == filepath.Dir(d) {
			return fmt.Errorf("output directory %s: no existing parent", dir)
		}
	}
}

// ExistingDir is dir or its nearest existing parent: where a directory still to be created
// will take its space from.
func ExistingDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			return d
		}
	}
}

// FreeBytes is the space available to root in dir's file system.
func FreeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return st.Bfree * uint64(st.Bsize), nil
}

// AllocatedBytes is the space path takes on disk (a sparse raw image takes less than its size).
func AllocatedBytes(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("size of %s: %w", path, err)
	}
	return uint64(st.Blocks) * 512, nil
}

// CheckFree fails when dir's file system has less than need bytes free, naming both numbers
// and what the space is for.
func CheckFree(dir string, need uint64, what string) error {
	free, err := FreeBytes(dir)
	if err != nil {
		return err
	}
	if free < need {
		return fmt.Errorf("not enough space in %s for %s: about %d MiB needed, %d MiB free", dir, what, need>>20, free>>20)
	}
	return nil
}
