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
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// MountSpec is an extra mount inside the tree, such as the chroot's /proc.
type MountSpec struct {
	// FSType is the file system type; "bind" means a bind mount (MS_BIND).
	FSType string
	// Source is the device or, for binds, the host path.
	Source string
	// Target is the path inside the image.
	Target string
	Flags  uintptr
	Data   string
}

// Options tune OpenTree.
type Options struct {
	// ReadOnly mounts everything read-only and never writes to the image.
	ReadOnly bool
	// Logf receives progress lines; nil logs nothing.
	Logf func(string, ...any)
}

// Tree owns every mount of one image: the root file system, the other
// fstab entries, and extra mounts added with Mount. Close undoes them all.
type Tree struct {
	// Root is the host directory the image's "/" is mounted on.
	Root string
	// RootPartition holds /etc/fstab and is mounted at Root.
	RootPartition Partition
	// Partitions are all partitions of the image.
	Partitions []Partition

	r      execx.Runner
	opts   Options
	mu     sync.Mutex
	stack  []*mountRec // LIFO
	points []string
	closed bool
}

type mountRec struct {
	target string // path inside the image
	m      mounted
	extra  bool
	fat    *fatShadow
}

// How often, and how far apart, a busy unmount is tried.
var (
	unmountTries = 10
	unmountPause = 200 * time.Millisecond
)

// OpenTree finds the root file system of the attached image, mounts it on
// mountDir and mounts every fstab entry that lives on the image under it.
// On error everything it mounted is released again.
func OpenTree(ctx context.Context, r execx.Runner, l *Loop, mountDir string, opts Options) (*Tree, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	root, err := prepareMountDir(mountDir)
	if err != nil {
		return nil, err
	}
	parts, err := ListPartitions(ctx, r, l)
	if err != nil {
		return nil, err
	}
	rootPart, err := findRoot(parts, opts.Logf)
	if err != nil {
		return nil, fmt.Errorf("find the root file system of %s: %w", l.Image, err)
	}
	t := &Tree{Root: root, RootPartition: rootPart, Partitions: parts, r: r, opts: opts}
	if err := t.mountAll(ctx); err != nil {
		return nil, errors.Join(err, t.Close())
	}
	return t, nil
}

// prepareMountDir creates mountDir and makes sure nothing is mounted there
// yet, so that Close's final check only ever sees our own mounts.
func prepareMountDir(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create mount directory: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", fmt.Errorf("resolve mount directory %s: %w", dir, err)
	}
	mi, err := readMountinfo()
	if err != nil {
		return "", err
	}
	if busy := mountsUnder(mi, abs); len(busy) > 0 {
		return "", fmt.Errorf("mount image on %s: already in use by mounts on %s", abs, strings.Join(busy, ", "))
	}
	return abs, nil
}

func (t *Tree) mountAll(ctx context.Context) error {
	rp := t.RootPartition
	if err := recordRoot(t.Root); err != nil {
		return err
	}
	flags, data := mountOptions(rp.FSType, t.opts.ReadOnly)
	if err := unix.Mount(rp.Device, t.Root, rp.FSType, flags, data); err != nil {
		return fmt.Errorf("mount root file system %s (%s) on %s: %w", rp.Device, rp.FSType, t.Root, err)
	}
	m, err := lookupMount(t.Root)
	if err != nil {
		return errors.Join(err, unix.Unmount(t.Root, unix.UMOUNT_NOFOLLOW))
	}
	t.push(&mountRec{target: "/", m: m})
	t.points = append(t.points, "/")
	t.opts.Logf("diskimage: mounted %s (%s) at %s", rp.Device, rp.FSType, t.Root)

	fstab, err := rootfs.ReadFile(t.Root, "/etc/fstab")
	if err != nil {
		return err
	}
	entries, err := ParseFstab(fstab)
	if err != nil {
		return fmt.Errorf("read /etc/fstab of %s: %w", rp.Device, err)
	}
	plan, skipped, err := planFstabMounts(entries, t.Partitions, rp)
	for _, s := range skipped {
		t.opts.Logf("diskimage: %s", s)
	}
	if err != nil {
		return err
	}
	for _, pm := range plan {
		if err := t.mountEntry(ctx, pm); err != nil {
			return err
		}
		t.points = append(t.points, pm.Entry.MountPoint)
	}
	return nil
}

// mountOptions are the flags and data for mounting an image file system.
// Read-only mounts must not replay a journal: the loop device may be
// read-only, and replaying would change the image (ext4 "noload", xfs
// "norecovery").
func mountOptions(fstype string, readOnly bool) (uintptr, string) {
	if !readOnly {
		return 0, ""
	}
	switch fstype {
	case "ext3", "ext4":
		return unix.MS_RDONLY, "noload"
	case "xfs":
		return unix.MS_RDONLY, "norecovery"
	}
	return unix.MS_RDONLY, ""
}

func (t *Tree) mountEntry(ctx context.Context, pm plannedMount) error {
	e, p := pm.Entry, pm.Part
	fstype := p.FSType
	if fstype == "" {
		fstype = e.FSType
	}
	if !t.opts.ReadOnly {
		if err := rootfs.MkdirAllInRoot(t.Root, e.MountPoint, 0o755); err != nil {
			return fmt.Errorf("mount /etc/fstab line %d: %w", e.Line, err)
		}
	}
	flags, data := mountOptions(fstype, t.opts.ReadOnly)
	if fstype == "btrfs" {
		data = joinOpts(data, subvolData(e.Options))
	}
	m, err := mountInRoot(t.Root, e.MountPoint, p.Device, fstype, flags, data)
	if err == nil {
		t.push(&mountRec{target: e.MountPoint, m: m})
		t.opts.Logf("diskimage: mounted %s (%s) at %s", p.Device, fstype, e.MountPoint)
		return nil
	}
	if fstype != "vfat" || !isNoFSType(err) {
		return fmt.Errorf("mount /etc/fstab line %d: %w", e.Line, err)
	}
	t.opts.Logf("diskimage: the kernel cannot mount vfat; standing in for %s at %s with a tmpfs copied by mtools", p.Device, e.MountPoint)
	return t.mountFATShadow(ctx, e, p)
}

func (t *Tree) mountFATShadow(ctx context.Context, e FstabEntry, p Partition) error {
	m, err := mountInRoot(t.Root, e.MountPoint, "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755")
	if err != nil {
		return fmt.Errorf("mount /etc/fstab line %d: %w", e.Line, err)
	}
	shadow := &fatShadow{dev: p.Device, target: e.MountPoint, synced: t.opts.ReadOnly}
	t.push(&mountRec{target: e.MountPoint, m: m, fat: shadow})
	// Nothing has run inside the image yet, and the tmpfs is fresh: its
	// host path is still exactly what was just resolved.
	before, err := fillFATShadow(ctx, t.r, p.Device, m.host)
	if err != nil {
		shadow.synced = true // nothing to write back from a half copy
		return fmt.Errorf("mount /etc/fstab line %d: %w", e.Line, err)
	}
	shadow.before = before
	if t.opts.ReadOnly {
		if err := unix.Mount("", m.host, "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
			return fmt.Errorf("make FAT copy at %s read-only: %w", e.MountPoint, err)
		}
	}
	return nil
}

func joinOpts(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
}

func (t *Tree) push(m *mountRec) { t.stack = append(t.stack, m) }

// Mount adds an extra mount (chroot /proc, /sys, /dev ...) on top of the
// stack. A missing target is created inside the image: a directory, or an
// empty file when binding a file.
func (t *Tree) Mount(spec MountSpec) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("mount %s on %s: the image tree is closed", spec.Source, spec.Target)
	}
	fstype, flags := spec.FSType, spec.Flags
	if fstype == "bind" {
		fstype, flags = "", flags|unix.MS_BIND
	}
	if err := t.makeTarget(spec, flags&unix.MS_BIND != 0); err != nil {
		return err
	}
	m, err := mountInRoot(t.Root, spec.Target, spec.Source, fstype, flags, spec.Data)
	if err != nil {
		return err
	}
	t.push(&mountRec{target: spec.Target, m: m, extra: true})
	// MS_BIND ignores MS_RDONLY until a remount (mount(2)).
	if flags&unix.MS_BIND != 0 && flags&unix.MS_RDONLY != 0 {
		if err := unix.Mount("", m.host, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("make bind mount %s read-only: %w", spec.Target, err)
		}
	}
	t.opts.Logf("diskimage: mounted %s (%s) at %s", spec.Source, orNone(fstype), spec.Target)
	return nil
}

func (t *Tree) makeTarget(spec MountSpec, bind bool) error {
	if f, err := rootfs.OpenInRoot(t.Root, spec.Target, unix.O_PATH); err == nil {
		f.Close()
		return nil
	}
	if bind {
		if st, err := os.Stat(spec.Source); err == nil && !st.IsDir() {
			if err := rootfs.MkdirAllInRoot(t.Root, filepath.Dir(spec.Target), 0o755); err != nil {
				return err
			}
			f, err := rootfs.OpenInRoot(t.Root, spec.Target, unix.O_WRONLY|unix.O_CREAT|unix.O_NOFOLLOW)
			if err != nil {
				return fmt.Errorf("create bind target %s: %w", spec.Target, err)
			}
			return f.Close()
		}
	}
	return rootfs.MkdirAllInRoot(t.Root, spec.Target, 0o755)
}

// MountPoints lists the image's own mount points in mount order, such as
// ["/", "/boot", "/boot/efi"]. Extra mounts are not included.
func (t *Tree) MountPoints() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.points...)
}

// UnmountExtras unmounts the mounts added with Mount, newest first, leaving
// the image's own file systems mounted (early cleanup before the tree is
// squashed or converted).
func (t *Tree) UnmountExtras() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.stack) > 0 && t.stack[len(t.stack)-1].extra {
		if err := t.pop(); err != nil {
			return err
		}
	}
	return nil
}

// Close writes FAT stand-ins back, unmounts everything newest first and
// checks that nothing is left mounted under Root. A second call is a no-op
// once the first succeeded; after a failure it retries what is left.
func (t *Tree) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	var errs []error
	for len(t.stack) > 0 {
		before := len(t.stack)
		if err := t.pop(); err != nil {
			errs = append(errs, err)
			if len(t.stack) == before {
				break // a parent cannot be unmounted while this one is mounted
			}
		}
	}
	if len(errs) == 0 {
		if err := t.checkNothingLeft(); err != nil {
			errs = append(errs, err)
		} else {
			t.closed = true
			forgetRoot(t.Root)
		}
	}
	return errors.Join(errs...)
}

// pop releases the newest mount. The record is dropped once the mount is
// gone, even if a FAT write-back failed (the error is returned).
func (t *Tree) pop() error {
	rec := t.stack[len(t.stack)-1]
	var syncErr error
	if rec.fat != nil && !rec.fat.synced {
		syncErr = t.syncFAT(rec)
		rec.fat.synced = true // never write a second time over a failed attempt
	}
	gone, err := t.unmount(rec)
	if gone {
		t.stack = t.stack[:len(t.stack)-1]
	}
	return errors.Join(syncErr, err)
}

func (t *Tree) syncFAT(rec *mountRec) error {
	host, err := currentMountPoint(rec.m.id)
	if err != nil {
		return fmt.Errorf("write %s back to %s: %w", rec.target, rec.fat.dev, err)
	}
	dir, err := os.OpenRoot(host)
	if err == nil {
		var f *os.File
		if f, err = dir.Open("."); err == nil {
			var id uint64
			if id, err = mountID(f); err == nil && id != rec.m.id {
				err = fmt.Errorf("%s is no longer the FAT copy", host)
			}
			f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("write %s back to %s: %w", rec.target, rec.fat.dev, err)
	}
	defer dir.Close()
	return rec.fat.sync(context.Background(), t.r, dir, t.opts.Logf)
}

// currentMountPoint finds where mount id is now. The image may have moved
// or replaced directories (even with a symlink to a host path) since it
// was mounted; the kernel's mount table has the real path, free of links.
func currentMountPoint(id uint64) (string, error) {
	mi, err := readMountinfo()
	if err != nil {
		return "", err
	}
	for _, e := range mi {
		if e.ID == id {
			return e.Point, nil
		}
	}
	return "", os.ErrNotExist
}

// unmount removes one mount, found by mount ID, retrying while it is busy.
// A mount that stays busy is an error and stays mounted (and in the build
// record, for a later sweep): detaching it lazily would let whatever holds
// it write to the image after Close returns.
func (t *Tree) unmount(rec *mountRec) (gone bool, err error) {
	host, err := currentMountPoint(rec.m.id)
	if errors.Is(err, os.ErrNotExist) {
		forgetMount(rec.m.id)
		return true, nil // already unmounted (by a step inside the image)
	}
	if err != nil {
		return false, err
	}
	if host != t.Root && !strings.HasPrefix(host, t.Root+"/") {
		return false, fmt.Errorf("unmount %s: it has moved outside %s to %s; refusing to touch a host path", rec.target, t.Root, host)
	}
	for try := 1; ; try++ {
		err = unix.Unmount(host, unix.UMOUNT_NOFOLLOW)
		if err == nil || !errors.Is(err, unix.EBUSY) || try >= unmountTries {
			break
		}
		time.Sleep(unmountPause)
	}
	if err == nil {
		forgetMount(rec.m.id)
		t.opts.Logf("diskimage: unmounted %s", rec.target)
		return true, nil
	}
	if errors.Is(err, unix.EBUSY) {
		return false, fmt.Errorf("unmount %s (%s): still busy after %d tries; a process outside the image's chroot uses it (see fuser -vm %s): %w",
			rec.target, host, unmountTries, host, err)
	}
	return false, fmt.Errorf("unmount %s (%s): %w", rec.target, host, err)
}

func (t *Tree) checkNothingLeft() error {
	mi, err := readMountinfo()
	if err != nil {
		return err
	}
	if left := mountsUnder(mi, t.Root); len(left) > 0 {
		return fmt.Errorf("close image tree %s: still mounted: %s", t.Root, strings.Join(left, ", "))
	}
	return nil
}
