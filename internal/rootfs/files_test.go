package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree makes a small untrusted tree: a file, a symlink pointing at an absolute path (which
// must resolve inside the tree), and a file too big to read.
func tree(t *testing.T) (root, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "etc/sub"), 0o755))
	must(os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("image"), 0o644))
	must(os.WriteFile(filepath.Join(root, "etc/sub/deep"), []byte("d"), 0o644))
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte("host"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "etc/link")))
	big, err := os.Create(filepath.Join(root, "big"))
	must(err)
	must(big.Truncate(MaxFileSize + 1))
	must(big.Close())
	return root, outside
}

func TestReadFile(t *testing.T) {
	root, _ := tree(t)
	if b, err := ReadFile(root, "/etc/hostname"); err != nil || string(b) != "image" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFile(root, "etc/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if s, err := ReadOptional(root, "etc/missing"); err != nil || s != "" {
		t.Errorf("ReadOptional of a missing file = %q, %v", s, err)
	}
	// The absolute link resolves inside root, where its target does not exist.
	if b, err := ReadFile(root, "etc/link"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a link out of the tree read %q, %v", b, err)
	}
	if _, err := ReadFile(root, "big"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
	if _, err := ReadFile(root, "etc"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestCopyDirOutAndWalkSkipSymlinks(t *testing.T) {
	root, _ := tree(t)
	dst := filepath.Join(t.TempDir(), "copy")
	if err := CopyDirOut(root, "etc", dst); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0].Name() != "hostname" {
		t.Errorf("CopyDirOut copied %v; want only the regular file hostname", names)
	}
	var walked []string
	if err := Walk(root, "etc", func(rel string) error { walked = append(walked, rel); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(walked)
	if strings.Join(walked, ",") != "hostname,sub/deep" {
		t.Errorf("Walk = %v", walked)
	}
}

func TestWriteFileStaysInside(t *testing.T) {
	root, outside := tree(t)
	if err := WriteFile(root, "etc/link", strings.NewReader("x"), 0o600); err == nil {
		t.Errorf("WriteFile through a final symlink succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "host" {
		t.Errorf("the host file was changed: %q", b)
	}
	if err := WriteFile(root, "new/dir/file", strings.NewReader("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "new/dir/file")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("written file: %v %v", fi, err)
	}
}
