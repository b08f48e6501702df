// Package ledger records every mount, loop device and process group this plugin makes, in one
// file per plugin process under Dir, so that a later build or `packer-plugin-imagecustomizer
// cleanup` can find what a killed build left behind and remove it (Sweep). A record belongs to
// an Owner; records whose owner still runs are never touched, whoever sweeps.
package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Dir holds the records, one JSON file per plugin process named <pid>-<start time>.json. It is
// on /run, a tmpfs, so that records vanish with the mounts and loop devices they describe when
// the machine reboots.
var Dir = "/run/packer-plugin-imagecustomizer"

// Record is what one plugin process holds.
type Record struct {
	Owner Owner `json:"owner"`
	// MountNS is the owner's mount namespace (the /proc/self/ns/mnt link); mounts are only
	// visible, and only removed, from the same one.
	MountNS string `json:"mount_namespace"`
	// Roots are host directories the owner mounts image trees under; every mount at or
	// below one of them is the owner's, as are processes whose root directory is there.
	Roots []string `json:"roots,omitempty"`
	// Mounts are the owner's mounts, by mount ID and the mount point the kernel reported.
	Mounts []Mount `json:"mounts,omitempty"`
	// Loops are the owner's loop devices, by the device and inode of the backing file.
	Loops []Loop `json:"loops,omitempty"`
	// Groups are process groups of tools the owner started, by their leaders.
	Groups []Owner `json:"process_groups,omitempty"`
}

// Mount is one mount, as /proc/self/mountinfo names it.
type Mount struct {
	ID    uint64 `json:"id"`
	Point string `json:"point"`
}

// Loop is one loop device and its backing file. Device is empty while it is being attached.
type Loop struct {
	Device  string `json:"device,omitempty"`
	Backing string `json:"backing_file"`
	Dev     uint64 `json:"backing_dev"`
	Ino     uint64 `json:"backing_ino"`
}

func (r *Record) empty() bool {
	return len(r.Roots)+len(r.Mounts)+len(r.Loops)+len(r.Groups) == 0
}

// fileName is the record's name in Dir.
func (o Owner) fileName() string { return fmt.Sprintf("%d-%d.json", o.PID, o.Start) }

// Ledger is the record of the current process, written to Dir on every change and removed
// when it holds nothing.
type Ledger struct {
	mu       sync.Mutex
	rec      Record
	watchdog *os.File // write end of the watchdog's pipe, never written, kept open until exit
}

var (
	procOnce sync.Once
	proc     *Ledger
	procErr  error
)

// Process returns the current process's ledger.
func Process() (*Ledger, error) {
	procOnce.Do(func() {
		o, err := Self()
		if err != nil {
			procErr = err
			return
		}
		ns, _ := os.Readlink("/proc/self/ns/mnt")
		proc = &Ledger{rec: Record{Owner: o, MountNS: ns}}
	})
	return proc, procErr
}

// update applies change to the record and writes it.
func (l *Ledger) update(change func(r *Record)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	change(&l.rec)
	if err := writeRecord(&l.rec); err != nil {
		return err
	}
	if l.rec.empty() {
		return nil
	}
	return l.startWatchdog()
}

// writeRecord replaces the record's file atomically, or removes it when the record is empty.
func writeRecord(r *Record) error {
	path := filepath.Join(Dir, r.Owner.fileName())
	if r.empty() {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the build record %s: %w", path, err)
		}
		return nil
	}
	if err := os.MkdirAll(Dir, 0o700); err != nil {
		return fmt.Errorf("create the build record directory: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the build record: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the build record %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write the build record %s: %w", path, err)
	}
	return nil
}

// AddRoot records dir as a directory this process mounts under.
func (l *Ledger) AddRoot(dir string) error {
	return l.update(func(r *Record) {
		if !slices.Contains(r.Roots, dir) {
			r.Roots = append(r.Roots, dir)
		}
	})
}

// RemoveRoot forgets dir once nothing is mounted under it.
func (l *Ledger) RemoveRoot(dir string) error {
	return l.update(func(r *Record) {
		r.Roots = slices.DeleteFunc(r.Roots, func(d string) bool { return d == dir })
	})
}

// AddMount records a mount this process made.
func (l *Ledger) AddMount(id uint64, point string) error {
	return l.update(func(r *Record) { r.Mounts = append(r.Mounts, Mount{ID: id, Point: point}) })
}

// RemoveMount forgets the mount with id once it is unmounted.
func (l *Ledger) RemoveMount(id uint64) error {
	return l.update(func(r *Record) {
		r.Mounts = slices.DeleteFunc(r.Mounts, func(m Mount) bool { return m.ID == id })
	})
}

// AddLoop records a loop device, or one about to be attached (empty Device). A loop with the
// same backing file is replaced.
func (l *Ledger) AddLoop(lp Loop) error {
	return l.update(func(r *Record) {
		r.Loops = slices.DeleteFunc(r.Loops, func(x Loop) bool { return x.Dev == lp.Dev && x.Ino == lp.Ino })
		r.Loops = append(r.Loops, lp)
	})
}

// RemoveLoop forgets the loop device backed by the file with dev and ino.
func (l *Ledger) RemoveLoop(dev, ino uint64) error {
	return l.update(func(r *Record) {
		r.Loops = slices.DeleteFunc(r.Loops, func(x Loop) bool { return x.Dev == dev && x.Ino == ino })
	})
}

// AddGroup records the process group led by pid, a tool this process started.
func (l *Ledger) AddGroup(pid int) error {
	o, err := ownerOf(pid)
	if err != nil {
		return err
	}
	return l.update(func(r *Record) { r.Groups = append(r.Groups, o) })
}

// RemoveGroup forgets the process group led by pid.
func (l *Ledger) RemoveGroup(pid int) error {
	return l.update(func(r *Record) {
		r.Groups = slices.DeleteFunc(r.Groups, func(o Owner) bool { return o.PID == pid })
	})
}

// readRecord decodes the record at path.
func readRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode the build record %s: %w", path, err)
	}
	return &r, nil
}

// Snapshot returns a copy of the record as it stands.
func (l *Ledger) Snapshot() Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.rec
	r.Roots = slices.Clone(r.Roots)
	r.Mounts = slices.Clone(r.Mounts)
	r.Loops = slices.Clone(r.Loops)
	r.Groups = slices.Clone(r.Groups)
	return r
}

// Path is the file the record is written to.
func (l *Ledger) Path() string { return filepath.Join(Dir, l.rec.Owner.fileName()) }
