package diskimage

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// OpenOverlay mounts a writable overlay over lower (typically an image's read-only root) at
// dir/merged, with its upper and work directories under dir: whatever is written through the
// overlay lands in dir/upper and never reaches lower. The returned Tree owns the overlay, so
// extra mounts added with Mount, UnmountExtras and Close work as they do for an image.
func OpenOverlay(lower, dir string, opts Options) (*Tree, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	upper, work := filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	for _, d := range []string{upper, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create overlay directory: %w", err)
		}
	}
	root, err := prepareMountDir(filepath.Join(dir, "merged"))
	if err != nil {
		return nil, err
	}
	data := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work)
	return ownMount("overlay", root, "overlay", data, "an overlay over "+lower, opts)
}

// MountFS mounts the file system of type fstype on dev at dir (created when missing, and
// with nothing mounted below it yet). The returned Tree owns the mount: Close unmounts it,
// retrying while it is busy, and is safe to call twice.
func MountFS(dev, fstype, dir string, opts Options) (*Tree, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	root, err := prepareMountDir(dir)
	if err != nil {
		return nil, err
	}
	return ownMount(dev, root, fstype, "", fstype+" on "+dev, opts)
}

// ownMount mounts source at root and returns the Tree that owns the mount; on failure
// nothing stays mounted.
func ownMount(source, root, fstype, data, what string, opts Options) (*Tree, error) {
	if err := recordRoot(root); err != nil {
		return nil, err
	}
	if err := unix.Mount(source, root, fstype, 0, data); err != nil {
		forgetRoot(root)
		return nil, fmt.Errorf("mount %s on %s: %w", what, root, err)
	}
	t := &Tree{Root: root, opts: opts, points: []string{"/"}}
	m, err := lookupMount(root)
	if err == nil {
		// Private, so that mounts made below it never propagate elsewhere.
		err = unix.Mount("", root, "", unix.MS_PRIVATE, "")
	}
	if err != nil {
		_ = unix.Unmount(root, unix.MNT_DETACH)
		return nil, fmt.Errorf("mount %s: %w", what, err)
	}
	t.push(&mountRec{target: "/", m: m})
	opts.Logf("diskimage: mounted %s at %s", what, root)
	return t, nil
}

// MountsUnder lists the mount points at or below dir, from /proc/self/mountinfo.
func MountsUnder(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	mi, err := readMountinfo()
	if err != nil {
		return nil, err
	}
	return mountsUnder(mi, abs), nil
}
