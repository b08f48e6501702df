package diskimage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// hostDevices are the character devices a private /dev copies from the host, when it has them.
var hostDevices = []string{"null", "zero", "full", "random", "urandom", "tty", "console", "fuse"}

// MountDev mounts a private /dev for the image at target (normally "/dev"): a fresh tmpfs with
// the standard device nodes, the image's loop device and partitions under their host names,
// /dev/disk/by-{uuid,label,partuuid,partlabel} links to them, a new devpts instance at /dev/pts
// and a tmpfs at /dev/shm.
//
// Unlike a bind of the host's /dev it exposes no other host device, and the image's own tools
// find its partitions by UUID even where the host runs no udev: grub-mkconfig writes
// root=UUID=... only when /dev/disk/by-uuid/<uuid> exists, and falls back to the loop
// partition's name otherwise, which does not boot.
func (t *Tree) MountDev(l *Loop, target string) error {
	if err := t.Mount(MountSpec{FSType: "tmpfs", Source: "imagedev", Target: target, Flags: unix.MS_NOSUID, Data: "mode=0755,size=1m"}); err != nil {
		return err
	}
	dir, err := rootfs.OpenInRoot(t.Root, target, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	err = populateDev(int(dir.Fd()), l, t.Partitions)
	dir.Close()
	if err != nil {
		return fmt.Errorf("populate the image's %s: %w", target, err)
	}
	if err := t.Mount(MountSpec{FSType: "devpts", Source: "devpts", Target: filepath.Join(target, "pts"),
		Flags: unix.MS_NOSUID | unix.MS_NOEXEC, Data: "newinstance,ptmxmode=0666,mode=0620,gid=5"}); err != nil {
		return err
	}
	return t.Mount(MountSpec{FSType: "tmpfs", Source: "shm", Target: filepath.Join(target, "shm"),
		Flags: unix.MS_NOSUID | unix.MS_NODEV, Data: "mode=1777"})
}

// populateDev fills the fresh tmpfs open as dirFd. Everything is created relative to that
// descriptor, in a file system nothing else has seen yet.
func populateDev(dirFd int, l *Loop, parts []Partition) error {
	var errs []error
	for _, name := range hostDevices {
		errs = append(errs, copyNode(dirFd, "/dev/"+name, name, true))
	}
	if l != nil {
		errs = append(errs, copyNode(dirFd, l.Device, filepath.Base(l.Device), false))
	}
	for _, p := range parts {
		errs = append(errs, copyNode(dirFd, p.Device, filepath.Base(p.Device), false))
	}
	for name, target := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
		"stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx", "core": "/proc/kcore",
	} {
		errs = append(errs, unix.Symlinkat(target, dirFd, name))
	}
	for _, d := range []string{"pts", "shm", "disk", "disk/by-uuid", "disk/by-label", "disk/by-partuuid", "disk/by-partlabel"} {
		errs = append(errs, unix.Mkdirat(dirFd, d, 0o755))
	}
	for _, p := range parts {
		node := "../../" + filepath.Base(p.Device)
		for sub, value := range map[string]string{
			"by-uuid": p.UUID, "by-label": p.Label, "by-partuuid": strings.ToLower(p.PartUUID), "by-partlabel": p.PartLabel,
		} {
			if value == "" || strings.ContainsAny(value, "/\x00") {
				continue
			}
			err := unix.Symlinkat(node, dirFd, "disk/"+sub+"/"+value)
			if errors.Is(err, unix.EEXIST) {
				err = nil // two partitions with one label: the first wins, as with udev
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// copyNode makes a device node named name in dirFd with the type, mode and device number of
// the host's node at src. optional nodes the host lacks are skipped.
func copyNode(dirFd int, src, name string, optional bool) error {
	var st unix.Stat_t
	if err := unix.Stat(src, &st); err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("stat %s: %w", src, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR && st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return fmt.Errorf("%s is not a device node", src)
	}
	if err := unix.Mknodat(dirFd, name, st.Mode, int(st.Rdev)); err != nil {
		return fmt.Errorf("create device node %s: %w", name, err)
	}
	// mknod applies the umask; device nodes keep the host's permissions (/dev/null is 0666).
	return unix.Fchmodat(dirFd, name, st.Mode&0o7777, 0)
}
