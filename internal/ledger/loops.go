package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// BackingFile describes path as a Loop record: its device and inode identify it even after it
// is deleted or another file takes its name.
func BackingFile(path string) (Loop, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Loop{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return Loop{Backing: path, Dev: st.Dev, Ino: st.Ino}, nil
}

// loopCandidates lists the loop devices a sweep may detach for lp: the recorded device when it
// is still backed by lp's file, or, for a loop recorded while it was being attached (no device
// yet), every device backed by that file.
func loopCandidates(lp Loop) []string {
	if lp.Device == "" {
		return loopsBackedBy(lp)
	}
	info, err := loopStatus(lp.Device)
	if err != nil || info.Device != lp.Dev || info.Inode != lp.Ino {
		return nil
	}
	return []string{lp.Device}
}

// loopsBackedBy lists the attached loop devices whose backing file is the one lp names, by
// device and inode (LOOP_GET_STATUS64, loop(4)).
func loopsBackedBy(lp Loop) []string {
	devs, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	var out []string
	for _, d := range devs {
		dev := "/dev/" + filepath.Base(filepath.Dir(filepath.Dir(d)))
		info, err := loopStatus(dev)
		if err == nil && info.Device == lp.Dev && info.Inode == lp.Ino {
			out = append(out, dev)
		}
	}
	sort.Strings(out)
	return out
}

func loopStatus(dev string) (*unix.LoopInfo64, error) {
	f, err := os.OpenFile(dev, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return unix.IoctlLoopGetStatus64(int(f.Fd()))
}

// detachLoop detaches dev after checking again that lp's file backs it.
func detachLoop(dev string, lp Loop) error {
	f, err := os.OpenFile(dev, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dev, err)
	}
	defer f.Close()
	info, err := unix.IoctlLoopGetStatus64(int(f.Fd()))
	if err != nil || info.Device != lp.Dev || info.Inode != lp.Ino {
		return fmt.Errorf("%s is no longer backed by %s; left alone", dev, lp.Backing)
	}
	if err := unix.IoctlSetInt(int(f.Fd()), unix.LOOP_CLR_FD, 0); err != nil {
		return fmt.Errorf("detach %s (%s): %w", dev, lp.Backing, err)
	}
	return nil
}
