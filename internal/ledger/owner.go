package ledger

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Owner is a process, named so that a reused PID is not mistaken for it: the PID and the
// process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat, proc(5)).
type Owner struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start_time"`
}

// Self returns the current process as an Owner.
func Self() (Owner, error) { return ownerOf(os.Getpid()) }

func ownerOf(pid int) (Owner, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Owner{}, fmt.Errorf("read the start time of process %d: %w", pid, err)
	}
	start, err := parseStartTime(b)
	if err != nil {
		return Owner{}, fmt.Errorf("read the start time of process %d: %w", pid, err)
	}
	return Owner{PID: pid, Start: start}, nil
}

// parseStartTime reads field 22 of a /proc/<pid>/stat line. The second field, the command
// name in parentheses, may itself hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStartTime(stat []byte) (uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line %q", stat)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("malformed stat line %q: %d fields after the name", stat, len(f))
	}
	v, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed start time %q: %w", f[19], err)
	}
	return v, nil
}

// Alive reports whether the owner still runs: a process with its PID exists, started at the
// same time and has not exited. A zombie is dead: it has exited and waits only for its parent
// (or, orphaned, for init, which may take its time) to collect its status.
func (o Owner) Alive() bool {
	cur, err := ownerOf(o.PID)
	return err == nil && cur.Start == o.Start && !zombie(o.PID)
}

func (o Owner) String() string { return fmt.Sprintf("process %d (started at tick %d)", o.PID, o.Start) }
