package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// MaxFileSize bounds what ReadFile reads: the configuration files read from an image
// (fstab, grub.cfg, modules.dep, ...) are far smaller.
const MaxFileSize = 16 << 20

// ReadFile returns the content of a regular file in root. A missing file is an error that
// matches fs.ErrNotExist; a file over MaxFileSize is an error, never a truncated read.
func ReadFile(root, path string) ([]byte, error) {
	f, err := OpenInRoot(root, path, unix.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("read %s in %s: %w", path, root, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s in %s: not a regular file", path, root)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s in %s: %w", path, root, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("read %s in %s: larger than %d MiB", path, root, MaxFileSize>>20)
	}
	return b, nil
}

// ReadOptional is ReadFile with "" for a missing file.
func ReadOptional(root, path string) (string, error) {
	b, err := ReadFile(root, path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// Exists reports whether path exists in root.
func Exists(root, path string) bool {
	f, err := OpenInRoot(root, path, unix.O_PATH)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// First returns the first of paths that exists in root, or "".
func First(root string, paths ...string) string {
	for _, p := range paths {
		if Exists(root, p) {
			return p
		}
	}
	return ""
}

// CopyOut copies a regular file in root to the host path dst, which must not exist.
func CopyOut(root, path, dst string) error {
	in, err := OpenInRoot(root, path, unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("copy %s out of %s: %w", path, root, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("copy %s out of %s: %w", path, root, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("copy %s out of %s: not a regular file", path, root)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err = errors.Join(err, out.Close()); err != nil {
		return fmt.Errorf("copy %s out of %s: %w", path, root, err)
	}
	return nil
}

// ListDir returns the names in a directory of root.
func ListDir(root, path string) ([]string, error) {
	d, err := OpenInRoot(root, path, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("list %s in %s: %w", path, root, err)
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// lstat describes path in root without following a final symlink.
func lstat(root, path string) (fs.FileInfo, error) {
	f, err := OpenInRoot(root, path, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// CopyDirOut copies the regular files directly in a directory of root (not its
// subdirectories, nor symlinks) to the host directory dst, which it creates.
func CopyDirOut(root, path, dst string) error {
	names, err := ListDir(root, path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		rel := path + "/" + n
		if fi, err := lstat(root, rel); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := CopyOut(root, rel, dst+"/"+n); err != nil {
			return err
		}
	}
	return nil
}

// Walk calls fn with the path (relative to dir) of every regular file below a directory of
// root; symlinks are not followed.
func Walk(root, dir string, fn func(rel string) error) error {
	var walk func(rel string) error
	walk = func(rel string) error {
		names, err := ListDir(root, dir+"/"+rel)
		if err != nil {
			return err
		}
		for _, n := range names {
			child := strings.TrimPrefix(rel+"/"+n, "/")
			fi, err := lstat(root, dir+"/"+child)
			switch {
			case err != nil:
				return err
			case fi.IsDir():
				err = walk(child)
			case fi.Mode().IsRegular():
				err = fn(child)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk("")
}

// WriteFile writes data to path in root (created with mode, or truncated), creating its
// directory; a final symlink is refused.
func WriteFile(root, path string, data io.Reader, mode os.FileMode) error {
	if err := MkdirAllInRoot(root, dirOf(path), 0o755); err != nil {
		return err
	}
	f, err := OpenInRoot(root, path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", path, root, err)
	}
	_, err = io.Copy(f, data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("write %s in %s: %w", path, root, err)
	}
	return nil
}

func dirOf(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}
