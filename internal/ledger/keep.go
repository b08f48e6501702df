package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Packer deletes the builder's artifact when the only post-processor of a build fails: the
// error skips the keep_input_artifact handling (packer/build.go, Build.Run), and with no
// post-processor having asked to keep it, Destroy is called. The ISO post-processor marks its
// input when it fails (MarkKeep); the builder's Artifact.Destroy keeps a marked image (TakeKeep).
// The mark names the file by device and inode, so it cannot apply to a later file of the name.

func keepPath(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", err
	}
	return filepath.Join(Dir, "keep", fmt.Sprintf("%d-%d", st.Dev, st.Ino)), nil
}

// MarkKeep asks that the image at path be kept although its post-processor failed; reason is
// what the builder says when it keeps it.
func MarkKeep(path, reason string) error {
	mark, err := keepPath(path)
	if err != nil {
		return fmt.Errorf("mark %s to be kept: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(mark), 0o700); err != nil {
		return fmt.Errorf("mark %s to be kept: %w", path, err)
	}
	if err := os.WriteFile(mark, []byte(path+"\n"+reason+"\n"), 0o600); err != nil {
		return fmt.Errorf("mark %s to be kept: %w", path, err)
	}
	return nil
}

// TakeKeep reports whether the image at path was marked to be kept, with the reason, and
// removes the mark.
func TakeKeep(path string) (bool, string) {
	mark, err := keepPath(path)
	if err != nil {
		return false, ""
	}
	b, err := os.ReadFile(mark)
	if err != nil {
		return false, ""
	}
	if err := os.Remove(mark); err != nil && !errors.Is(err, os.ErrNotExist) {
		return true, strings.TrimSpace(string(b))
	}
	_, reason, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return true, reason
}
