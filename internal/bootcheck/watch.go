package bootcheck

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Result is what one boot showed on its serial console.
type Result struct {
	Name     string
	Firmware Firmware
	Media    Media
	Accel    Accel
	// Passed is true when every expected pattern appeared before any
	// failure pattern, the timeout or QEMU's exit.
	Passed bool
	// Milestones are the built-in milestones, then the expected patterns.
	Milestones []Milestone
	// Elapsed is the time from QEMU's start to the end of the boot.
	Elapsed time.Duration
	// Log is the whole serial console.
	Log string
	// ConsoleLog is the file holding the console, when it is kept.
	ConsoleLog string
}

// Seen returns when the milestone or expected pattern named name first
// appeared.
func (r *Result) Seen(name string) (time.Duration, bool) {
	for _, m := range r.Milestones {
		if m.Name == name && m.Seen {
			return m.At, true
		}
	}
	return 0, false
}

// FormatMilestones renders the milestones that were seen, in time order,
// e.g. "kernel=9.1s initrd=13.0s login:=40.0s".
func FormatMilestones(ms []Milestone) string {
	var parts []string
	for _, m := range sortedSeen(ms) {
		parts = append(parts, fmt.Sprintf("%s=%.1fs", m.Name, m.At.Seconds()))
	}
	return strings.Join(parts, " ")
}

// BootError is a boot that did not show every expected pattern.
type BootError struct {
	Name    string
	Reason  string
	Elapsed time.Duration
	Missing []string
	Tail    string // the last console lines
}

func (e *BootError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "boot %s: %s after %.1fs", e.Name, e.Reason, e.Elapsed.Seconds())
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; never saw %q", e.Missing)
	}
	fmt.Fprintf(&b, "\nlast console lines:\n%s", e.Tail)
	return b.String()
}

// TailLines is how many console lines a BootError shows.
const TailLines = 40

// process is the running VM, as execx.Process provides it.
type process interface {
	Done() <-chan struct{}
	Err() error
	Output() string
	Stop()
}

type watchSpec struct {
	name        string
	serial      string
	timeout     time.Duration
	logf        func(string, ...any)
	onMilestone func(Milestone) // may be nil
}

// watch polls the serial log of proc until the boot is decided, then stops
// proc. A failure line is checked before success, on every poll and after
// QEMU's exit, so a panic printed right after the last expected line still
// fails the boot.
func watch(ctx context.Context, proc process, con *Console, w watchSpec) (*Result, error) {
	defer proc.Stop()
	start := time.Now()
	f := follower{con: con, path: w.serial, start: start, report: func(m Milestone) {
		w.logf("boot %s: %s at %.1fs", w.name, m.Name, m.At.Seconds())
		if w.onMilestone != nil {
			w.onMilestone(m)
		}
	}}
	end := func(reason string) (*Result, error) {
		proc.Stop()
		f.poll()
		res := &Result{Name: w.name, Milestones: con.Milestones(), Elapsed: time.Since(start), Log: con.Text()}
		if reason == "" && con.Done() {
			res.Passed = true
			w.logf("boot %s: passed after %.1fs: %s", w.name, res.Elapsed.Seconds(), FormatMilestones(res.Milestones))
			return res, nil
		}
		if reason == "" {
			reason = "qemu exited (" + exitStatus(proc.Err()) + ")"
		}
		if out := strings.TrimSpace(proc.Output()); out != "" {
			reason += "; qemu output: " + lastLines(out, 10)
		}
		return res, &BootError{Name: w.name, Reason: reason, Elapsed: res.Elapsed, Missing: con.Missing(), Tail: con.Tail(TailLines)}
	}
	deadline := time.NewTimer(w.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return end("canceled: " + ctx.Err().Error())
		case <-deadline.C:
			return end(fmt.Sprintf("timed out (%s)", w.timeout))
		case <-proc.Done():
			f.poll()
			return end(con.Failure())
		case <-tick.C:
			f.poll()
			if con.Failure() != "" || con.Done() {
				return end(con.Failure())
			}
		}
	}
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// follower reads what was appended to the serial log since the last poll
// and reports each milestone once as it appears.
type follower struct {
	con      *Console
	path     string
	offset   int64
	start    time.Time
	report   func(Milestone)
	reported int
}

func (f *follower) poll() {
	b, err := readFrom(f.path, f.offset)
	if err != nil || len(b) == 0 {
		return
	}
	f.offset += int64(len(b))
	f.con.Feed(b, time.Since(f.start))
	seen := sortedSeen(f.con.Milestones())
	for _, m := range seen[f.reported:] {
		f.report(m)
	}
	f.reported = len(seen)
}

// ReadFrom returns what the file at path holds past offset.
func ReadFrom(path string, offset int64) ([]byte, error) { return readFrom(path, offset) }

func readFrom(path string, offset int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if _, err := fh.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(fh)
}
