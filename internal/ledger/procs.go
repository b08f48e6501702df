package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ProcessesInRoot lists the processes whose root directory is root or below it: everything
// running chrooted into an image, including daemons that left their process group.
func ProcessesInRoot(root string) []int {
	return matchProcesses(func(pid int) bool { return inRoot(pid, []string{filepath.Clean(root)}) })
}

// KillProcessesInRoot sends SIGKILL to every process running in root and waits up to timeout
// for them to be gone.
func KillProcessesInRoot(root string, timeout time.Duration) ([]int, error) {
	return killUntilGone(func() []int { return ProcessesInRoot(root) }, timeout)
}

// StopProcessesInRoot ends every process running in root: SIGTERM first, so that a daemon a
// script started can shut down cleanly, then SIGKILL to whatever is left after grace. It
// waits up to timeout for them all to be gone and returns every PID it signalled.
func StopProcessesInRoot(root string, grace, timeout time.Duration) ([]int, error) {
	list := func() []int { return ProcessesInRoot(root) }
	termed := list()
	for _, pid := range termed {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	for deadline := time.Now().Add(grace); len(list()) > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	killed, err := killUntilGone(list, timeout)
	for _, pid := range killed {
		if !slices.Contains(termed, pid) {
			termed = append(termed, pid)
		}
	}
	return termed, err
}

// processesOf lists the processes that belong to a record: members of its tools' process
// groups and processes whose root directory is under one of its roots.
func processesOf(r *Record) []int {
	groups := liveGroups(r.Groups)
	return matchProcesses(func(pid int) bool {
		return inRoot(pid, r.Roots) || slices.Contains(groups, pgidOf(pid))
	})
}

// liveGroups keeps the process groups that are still the ones recorded. A group ID is a
// leader's PID, which the kernel does not hand out again while the group has members; a
// leader that still runs must have the recorded start time, or its PID was reused.
func liveGroups(groups []Owner) []int {
	var out []int
	for _, g := range groups {
		cur, err := ownerOf(g.PID)
		if err == nil && cur.Start != g.Start {
			continue
		}
		out = append(out, g.PID)
	}
	return out
}

func matchProcesses(match func(pid int) bool) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if match(pid) && !zombie(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func inRoot(pid int, roots []string) bool {
	if len(roots) == 0 {
		return false
	}
	link, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "root"))
	if err != nil {
		return false
	}
	for _, root := range roots {
		if link == root || strings.HasPrefix(link, root+"/") {
			return true
		}
	}
	return false
}

// zombie reports whether pid has exited and waits for its parent: it holds nothing any more.
func zombie(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

func pgidOf(pid int) int {
	pgid, err := syscall.Getpgid(pid)
	if err != nil {
		return -1
	}
	return pgid
}

// killUntilGone sends SIGKILL to what list returns until it returns nothing (a process may
// fork while being killed), for up to timeout. It returns every PID it signalled.
func killUntilGone(list func() []int, timeout time.Duration) ([]int, error) {
	var killed []int
	deadline := time.Now().Add(timeout)
	for {
		pids := list()
		if len(pids) == 0 {
			return killed, nil
		}
		if time.Now().After(deadline) {
			return killed, fmt.Errorf("processes still running after SIGKILL: %v", pids)
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			if !slices.Contains(killed, pid) {
				killed = append(killed, pid)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}
