// Package outputsafe keeps a build from losing or overwriting what the user has: it refuses
// an output that is one of the build's inputs, holds an exclusive lock on an output path for
// the whole build so that a second build writing the same file fails at once, writes under a
// temporary name in the output's directory that is renamed into place only on success, and
// checks the output directory before any work is done.
package outputsafe

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LockDir holds one lock file per output path (named by a hash of the path). The files are
// never removed: removing a lock file another build has open would let a third build lock a
// new file of the same name while the second still holds the old one.
var LockDir = "/run/packer-plugin-imagecustomizer/locks"

// Canonical returns path absolute, with the symlinks of its nearest existing directory
// resolved, so that two spellings of one output name one lock, before and after the missing
// directories are created.
func Canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, rest := filepath.Dir(abs), filepath.Base(abs)
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, os.ErrNotExist) || dir == filepath.Dir(dir) {
			return "", fmt.Errorf("resolve the directory of %s: %w", path, err)
		}
		dir, rest = filepath.Dir(dir), filepath.Join(filepath.Base(dir), rest)
	}
}

// Lock takes an exclusive lock on output (a canonical path) without waiting. When another
// build holds it, the error names that build's process. Release ends it.
func Lock(output string) (release func(), err error) {
	if err := os.MkdirAll(LockDir, 0o700); err != nil {
		return nil, fmt.Errorf("lock output %s: %w", output, err)
	}
	sum := sha256.Sum256([]byte(output))
	name := filepath.Join(LockDir, hex.EncodeToString(sum[:12])+".lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock output %s: %w", output, err)
	}
	if err := flockNB(f); err != nil {
		holder, _ := os.ReadFile(name)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("output %s is being written by another build (%s); wait for it or choose another output",
				output, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("lock output %s: %w", output, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("process %d writing %s\n", os.Getpid(), output)), 0)
	}
	return func() { f.Close() }, nil
}

func flockNB(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// RefuseInput fails when output is one of inputs: the same path, or the same file under
// another name (a hard link or a symlink to it).
func RefuseInput(output string, inputs []string) error {
	outFI, outErr := os.Stat(output)
	for _, in := range inputs {
		cin, err := Canonical(in)
		if err == nil && cin == output {
			return fmt.Errorf("output %s is the input %s; choose another output", output, in)
		}
		if outErr != nil {
			continue
		}
		if inFI, err := os.Stat(in); err == nil && os.SameFile(inFI, outFI) {
			return fmt.Errorf("output %s is the input %s under another name; choose another output", output, in)
		}
	}
	return nil
}

// TempName is where output is written before it is renamed into place: a hidden name in the
// same directory (rename(2) is atomic only within one file system), unique to this process.
func TempName(output string) string {
	return filepath.Join(filepath.Dir(output), "."+filepath.Base(output)+".part-"+strconv.Itoa(os.Getpid()))
}

// Commit renames tmp to output, replacing an older output only now that the new one is whole.
func Commit(tmp, output string) error {
	if err := os.Rename(tmp, output); err != nil {
		return fmt.Errorf("move %s into place as %s: %w", tmp, output, err)
	}
	return nil
}
