package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Found is what a sweep did with the record of one dead plugin process.
type Found struct {
	Owner Owner
	// Removed lists, one line each, what was released: processes, mounts, loop devices.
	Removed []string
	// Left lists what could not be released, and why; the record keeps it for a later sweep.
	Left []string
}

func (f Found) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "found the record of a plugin process that is gone, %s", f.Owner)
	if len(f.Removed)+len(f.Left) == 0 {
		b.WriteString(": nothing of it was left")
	}
	for _, s := range f.Removed {
		b.WriteString("\n  removed " + s)
	}
	for _, s := range f.Left {
		b.WriteString("\n  left " + s)
	}
	return b.String()
}

// Sweep finds the records of plugin processes that are no longer running and releases what
// they hold: it kills their processes, unmounts their mounts newest first and detaches their
// loop devices, then removes each record that is fully released. Records of live processes
// are not touched, nor are those another sweep is working on.
func Sweep() ([]Found, error) {
	files, err := filepath.Glob(filepath.Join(Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var found []Found
	var errs []error
	for _, path := range files {
		f, err := sweepFile(path)
		if err != nil {
			errs = append(errs, err)
		}
		if f != nil {
			found = append(found, *f)
		}
	}
	return found, errors.Join(errs...)
}

// sweepFile releases one record, under an exclusive lock on its file.
func sweepFile(path string) (*Found, error) {
	lock, err := os.Open(path)
	if err != nil {
		return nil, nil // removed meanwhile by its owner or another sweep
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return nil, nil // another sweep has it
	}
	r, err := readRecord(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	if r.Owner.Alive() {
		return nil, nil
	}
	if ns, _ := os.Readlink("/proc/self/ns/mnt"); ns != r.MountNS {
		return &Found{Owner: r.Owner, Left: []string{fmt.Sprintf("everything in %s: it was made in mount namespace %s, this is %s", path, r.MountNS, ns)}}, nil
	}
	f := release(r)
	return &f, writeRecord(r)
}

// release frees what r holds, in the order that works: processes, mounts, loop devices. What
// is gone (released now or before) is dropped from r; r keeps the rest.
func release(r *Record) Found {
	f := Found{Owner: r.Owner}
	killed, err := killUntilGone(func() []int { return processesOf(r) }, 5*time.Second)
	if len(killed) > 0 {
		f.Removed = append(f.Removed, fmt.Sprintf("%d process(es): %v", len(killed), killed))
	}
	if err != nil {
		f.Left = append(f.Left, err.Error())
	} else {
		r.Groups = nil
	}
	releaseMounts(r, &f)
	releaseLoops(r, &f)
	return f
}

func releaseMounts(r *Record, f *Found) {
	table, err := readMountinfo()
	if err != nil {
		f.Left = append(f.Left, err.Error())
		return
	}
	todo, gone := planUnmounts(table, r)
	for _, m := range gone {
		r.Mounts = slices.DeleteFunc(r.Mounts, func(x Mount) bool { return x == m })
	}
	failed := false
	for _, m := range todo {
		if err := unmountVerified(m); err != nil {
			f.Left = append(f.Left, "mount "+err.Error())
			failed = true
			continue
		}
		f.Removed = append(f.Removed, fmt.Sprintf("mount %s (mount ID %d)", m.Point, m.ID))
		r.Mounts = slices.DeleteFunc(r.Mounts, func(x Mount) bool { return x.ID == m.ID })
	}
	if !failed {
		r.Mounts, r.Roots = nil, nil
	}
}

func releaseLoops(r *Record, f *Found) {
	var left []Loop
	for _, lp := range r.Loops {
		ok := true
		for _, dev := range loopCandidates(lp) {
			err := detachLoop(dev, lp)
			if err == nil && slices.Contains(loopCandidates(Loop{Device: dev, Dev: lp.Dev, Ino: lp.Ino}), dev) {
				err = fmt.Errorf("%s is still attached to %s after detaching; something holds it open", dev, lp.Backing)
			}
			if err != nil {
				f.Left = append(f.Left, "loop device "+err.Error())
				ok = false
				continue
			}
			f.Removed = append(f.Removed, fmt.Sprintf("loop device %s (%s)", dev, lp.Backing))
		}
		if !ok {
			left = append(left, lp)
		}
	}
	r.Loops = left
}
