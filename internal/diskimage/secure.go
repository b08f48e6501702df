package diskimage

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// hostPathOf returns where an image path really is on the host, resolved
// inside root.
func hostPathOf(root, p string) (string, error) {
	f, err := rootfs.OpenInRoot(root, p, unix.O_PATH)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return os.Readlink(rootfs.FDPath(f))
}

// mounted is a mount this package made: its mount ID (stable, unlike a
// path the image can change) and where it was mounted on the host.
type mounted struct {
	id   uint64
	host string
}

// mountInRoot mounts source on target (a path inside root) through an
// O_PATH descriptor of the target, so the mount lands where the path
// resolves inside root, never on the host. The new mount is made private
// so that nothing mounted under it (say /dev/pts under a bind of /dev)
// propagates back to the host.
func mountInRoot(root, target, source, fstype string, flags uintptr, data string) (mounted, error) {
	f, err := rootfs.OpenInRoot(root, target, unix.O_PATH)
	if err != nil {
		return mounted{}, err
	}
	host, err := os.Readlink(rootfs.FDPath(f))
	if err == nil {
		err = unix.Mount(source, rootfs.FDPath(f), fstype, flags, data)
	}
	f.Close()
	if err != nil {
		return mounted{}, fmt.Errorf("mount %s (%s) on %s in %s: %w", source, orNone(fstype), target, root, err)
	}
	m, err := lookupMount(host)
	if err != nil {
		return mounted{}, errors.Join(err, unix.Unmount(host, unix.UMOUNT_NOFOLLOW))
	}
	return m, nil
}

// lookupMount records the mount now on top of host, a path just resolved
// without symlinks, in this package's state and the build record, and
// makes it private.
func lookupMount(host string) (mounted, error) {
	f, err := os.OpenFile(host, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return mounted{}, fmt.Errorf("open new mount %s: %w", host, err)
	}
	defer f.Close()
	id, err := mountID(f)
	if err != nil {
		return mounted{}, err
	}
	m := mounted{id: id, host: host}
	if err := recordMount(m); err != nil {
		return mounted{}, err
	}
	if err := unix.Mount("", rootfs.FDPath(f), "", unix.MS_PRIVATE, ""); err != nil {
		return mounted{}, fmt.Errorf("make mount %s private: %w", host, err)
	}
	return m, nil
}

func orNone(s string) string {
	if s == "" {
		return "bind"
	}
	return s
}
