package imagecustomizer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processesInRoot lists the processes whose root directory is root or below it: everything
// running chrooted into the image, including daemons that left our process groups.
func processesInRoot(root string) []int {
	root = filepath.Clean(root)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		link, err := os.Readlink(filepath.Join("/proc", e.Name(), "root"))
		if err != nil {
			continue
		}
		if link == root || strings.HasPrefix(link, root+"/") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killProcessesInRoot sends SIGKILL to every process running in root and waits up to timeout
// for them to be gone.
func killProcessesInRoot(root string, timeout time.Duration) ([]int, error) {
	pids := processesInRoot(root)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(timeout)
	for len(processesInRoot(root)) > 0 {
		if time.Now().After(deadline) {
			return pids, fmt.Errorf("processes still running in %s after SIGKILL: %v", root, processesInRoot(root))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return pids, nil
}
