// Package rootfs reads and writes inside a directory tree that is not trusted, such as a
// mounted disk image: every path is resolved by the kernel as if the tree were "/", so a
// hostile tree's symlinks (absolute or "..") cannot name a host file.
package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Every path inside an image is resolved by the kernel with
// RESOLVE_IN_ROOT (openat2(2)): "..", absolute symlinks and symlinks with
// ".." are all clamped to root, so a hostile image cannot name a host path.
// RESOLVE_NO_MAGICLINKS refuses /proc/<pid>/fd-style links, which would
// otherwise jump anywhere.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// relInRoot turns an image path ("/boot/efi", "boot/efi", "") into the
// relative form openat2 wants ("boot/efi", ".").
func relInRoot(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// OpenInRoot opens path as if root were "/". flags are open(2) flags;
// O_CLOEXEC is always added, and files created with O_CREAT get mode 0644.
func OpenInRoot(root, p string, flags int) (*os.File, error) {
	dir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", root, err)
	}
	defer dir.Close()
	return openat2(dir, root, p, flags)
}

func openat2(dir *os.File, root, p string, flags int) (*os.File, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolveFlags}
	if flags&unix.O_CREAT != 0 {
		how.Mode = 0o644
	}
	rel := relInRoot(p)
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(int(dir.Fd()), rel, &how)
		// EAGAIN: a concurrent rename made the kernel give up on a safe
		// lookup (openat2(2)); it is right to simply try again.
		if (errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)) && tries < 16 {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open in root " + root, Path: "/" + strings.TrimPrefix(rel, "."), Err: err}
		}
		return os.NewFile(uintptr(fd), path.Join(root, rel)), nil
	}
}

// MkdirAllInRoot creates path and any missing parents inside root. Each
// component is resolved in root, so a symlink in the image (even an
// absolute one) leads to a directory inside the image, never on the host.
// A dangling symlink gets its target created, inside root, as the kernel
// would resolve it.
func MkdirAllInRoot(root, p string, mode os.FileMode) error {
	dir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open root %s: %w", root, err)
	}
	defer dir.Close()
	return mkdirAllIn(dir, root, relInRoot(p), mode, 0)
}

// maxLinks bounds how many dangling symlinks one path may lead through,
// like the kernel's 40 (path_resolution(7)).
const maxLinks = 40

func mkdirAllIn(dir *os.File, root, rel string, mode os.FileMode, links int) error {
	if rel == "." {
		return nil
	}
	comps := strings.Split(rel, "/")
	for i, name := range comps {
		sofar := path.Join(comps[:i+1]...)
		f, err := openat2(dir, root, sofar, unix.O_PATH|unix.O_DIRECTORY)
		if err == nil {
			f.Close()
			continue
		}
		if !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("create /%s in %s: %w", rel, root, err)
		}
		parent, err := openat2(dir, root, path.Join(append([]string{"."}, comps[:i]...)...), unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return fmt.Errorf("create /%s in %s: %w", rel, root, err)
		}
		// name has no "/", and mkdirat never follows a final symlink: it
		// fails with EEXIST on one instead.
		err = unix.Mkdirat(int(parent.Fd()), name, uint32(mode.Perm()))
		if errors.Is(err, unix.EEXIST) {
			next, lerr := danglingTarget(dir, parent, name)
			parent.Close()
			if lerr != nil {
				return fmt.Errorf("create /%s in %s: %w", rel, root, lerr)
			}
			if links >= maxLinks {
				return fmt.Errorf("create /%s in %s: %w", rel, root, unix.ELOOP)
			}
			rest := path.Join(append([]string{next}, comps[i+1:]...)...)
			return mkdirAllIn(dir, root, relInRoot(rest), mode, links+1)
		}
		parent.Close()
		if err != nil {
			return fmt.Errorf("create /%s in %s: %w", sofar, root, err)
		}
	}
	return nil
}

// danglingTarget reads the symlink name in parent and returns the path,
// inside root, that it names.
func danglingTarget(rootDir, parent *os.File, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(int(parent.Fd()), name, buf)
	if err != nil {
		return "", fmt.Errorf("%s exists and is not a directory: %w", name, err)
	}
	target := string(buf[:n])
	if path.IsAbs(target) {
		return target, nil
	}
	root, err := os.Readlink(FDPath(rootDir))
	if err != nil {
		return "", err
	}
	host, err := os.Readlink(FDPath(parent))
	if err != nil {
		return "", err
	}
	rel, ok := strings.CutPrefix(host, strings.TrimSuffix(root, "/"))
	if !ok || rel != "" && !strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("resolve %s: parent %s is outside %s", name, host, root)
	}
	return path.Join("/", rel, target), nil
}

// FDPath is the magic link that names an open file; mount(2) and readlink
// on it act on exactly that file, whatever happens to its path.
func FDPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }
