package iso

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// Every read from the image goes through diskimage.OpenInRoot, so that a hostile image's
// symlinks (absolute or `..`) resolve inside the image: a link such as
// boot/vmlinuz-6.1 -> /etc/shadow cannot put a host file on the media.

// maxTextFile bounds the configuration files read from the image.
const maxTextFile = 4 << 20

// readInRoot returns the content of a regular file of the image, or "" when it does not exist.
func readInRoot(root, path string) (string, error) {
	f, err := diskimage.OpenInRoot(root, path, unix.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s in the image: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s in the image is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTextFile))
	if err != nil {
		return "", fmt.Errorf("read %s in the image: %w", path, err)
	}
	return string(b), nil
}

// existsInRoot reports whether path exists in the image (resolved inside it).
func existsInRoot(root, path string) bool {
	f, err := diskimage.OpenInRoot(root, path, unix.O_PATH)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// copyOutOfRoot copies a regular file of the image to the host path dst.
func copyOutOfRoot(root, path, dst string) error {
	in, err := diskimage.OpenInRoot(root, path, unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("open %s in the image: %w", path, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s in the image is not a regular file", path)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s out of the image: %w", path, err)
	}
	return nil
}

// firstInRoot returns the first of paths that exists in the image, or "".
func firstInRoot(root string, paths ...string) string {
	for _, p := range paths {
		if existsInRoot(root, p) {
			return p
		}
	}
	return ""
}

// listDirInRoot returns the names in a directory of the image.
func listDirInRoot(root, path string) ([]string, error) {
	d, err := diskimage.OpenInRoot(root, path, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("open %s in the image: %w", path, err)
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// copyDirOutOfRoot copies the regular files directly in a directory of the image (GRUB's
// module directories are flat) to the host directory dst, which it creates.
func copyDirOutOfRoot(root, path, dst string) error {
	names, err := listDirInRoot(root, path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		rel := path + "/" + n
		f, err := diskimage.OpenInRoot(root, rel, unix.O_PATH|unix.O_NOFOLLOW)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		f.Close()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := copyOutOfRoot(root, rel, dst+"/"+n); err != nil {
			return err
		}
	}
	return nil
}

// walkInRoot calls fn with the path (relative to dir) of every regular file below a directory
// of the image; symlinks are not followed.
func walkInRoot(root, dir string, fn func(rel string) error) error {
	var walk func(rel string) error
	walk = func(rel string) error {
		names, err := listDirInRoot(root, dir+"/"+rel)
		if err != nil {
			return err
		}
		for _, n := range names {
			child := strings.TrimPrefix(rel+"/"+n, "/")
			f, err := diskimage.OpenInRoot(root, dir+"/"+child, unix.O_PATH|unix.O_NOFOLLOW)
			if err != nil {
				return err
			}
			fi, err := f.Stat()
			f.Close()
			switch {
			case err != nil:
				return err
			case fi.IsDir():
				if err := walk(child); err != nil {
					return err
				}
			case fi.Mode().IsRegular():
				if err := fn(child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk("")
}
