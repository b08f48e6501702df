package diskimage

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// rootFSTypes are the file systems the original tool accepts for "/".
var rootFSTypes = map[string]bool{"ext2": true, "ext3": true, "ext4": true, "xfs": true, "btrfs": true}

// findRoot returns THE partition whose file system holds /etc/fstab. Each
// candidate is mounted read-only (without journal replay) in a temporary
// directory to look.
func findRoot(parts []Partition, logf func(string, ...any)) (Partition, error) {
	var candidates, found []Partition
	var probeErrs []error
	for _, p := range parts {
		if !rootFSTypes[p.FSType] {
			continue
		}
		candidates = append(candidates, p)
		ok, err := hasFstab(p)
		if err != nil {
			logf("diskimage: cannot look into %s: %v", p.Device, err)
			probeErrs = append(probeErrs, err)
			continue
		}
		if ok {
			found = append(found, p)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return Partition{}, fmt.Errorf("%d partitions hold /etc/fstab: %s; the image must have exactly one root file system", len(found), describeParts(found))
	case len(candidates) == 0:
		return Partition{}, fmt.Errorf("no ext2/3/4, xfs or btrfs partition (the image has %s)", describeParts(parts))
	}
	return Partition{}, errors.Join(append([]error{fmt.Errorf("none of %s holds /etc/fstab", describeParts(candidates))}, probeErrs...)...)
}

func hasFstab(p Partition) (found bool, err error) {
	dir, err := os.MkdirTemp("", "imagecustomizer-probe-")
	if err != nil {
		return false, fmt.Errorf("probe %s: %w", p.Device, err)
	}
	defer func() {
		if rerr := os.Remove(dir); rerr != nil && err == nil {
			err = fmt.Errorf("probe %s: %w", p.Device, rerr)
		}
	}()
	if err := recordRoot(dir); err != nil {
		return false, err
	}
	flags, data := mountOptions(p.FSType, true)
	if err := unix.Mount(p.Device, dir, p.FSType, flags, data); err != nil {
		forgetRoot(dir)
		return false, fmt.Errorf("probe %s: mount %s on %s: %w", p.Device, p.FSType, dir, err)
	}
	defer func() {
		if uerr := unix.Unmount(dir, unix.UMOUNT_NOFOLLOW); uerr != nil {
			err = errors.Join(err, fmt.Errorf("probe %s: unmount %s: %w", p.Device, dir, uerr))
		} else {
			forgetRoot(dir)
		}
	}()
	f, err := rootfs.OpenInRoot(dir, "/etc/fstab", unix.O_RDONLY)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return false, nil
		}
		return false, fmt.Errorf("probe %s: %w", p.Device, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("probe %s: %w", p.Device, err)
	}
	return st.Mode().IsRegular(), nil
}
