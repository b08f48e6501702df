package ledger

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// A process chrooted into the directory is found and killed, even when it left our process
// group (a daemon).
func TestKillProcessesInRoot(t *testing.T) {
	requireRoot(t, "chroot")
	root := t.TempDir()
	// A static-enough sleeper: copy the host's busybox-free `sleep` with its libraries is more
	// than needed; chroot only needs the binary to exist inside, so bind the host's /usr and /lib.
	for _, d := range []string{"usr", "lib", "lib64", "bin"} {
		if _, err := os.Lstat("/" + d); err != nil {
			continue
		}
		if fi, _ := os.Lstat("/" + d); fi.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink("/" + d)
			if err := os.Symlink(target, filepath.Join(root, d)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mount("/"+d, filepath.Join(root, d), "", syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Unmount(filepath.Join(root, d), syscall.MNT_DETACH) })
	}
	// The shell says "ready" once it runs inside the root, then becomes the sleeper (same pid).
	cmd := exec.Command("chroot", root, "/bin/sh", "-c", "echo ready; exec /usr/bin/sleep 300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("the chrooted shell did not start: %q, %v", line, err)
	}
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	if !slices.Contains(ProcessesInRoot(root), cmd.Process.Pid) {
		t.Fatalf("the chrooted process %d was not found", cmd.Process.Pid)
	}
	killed, err := KillProcessesInRoot(root, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(killed, cmd.Process.Pid) {
		t.Errorf("killed %v, not the chrooted sleep %d", killed, cmd.Process.Pid)
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the chrooted process is still running")
	}
	if left := ProcessesInRoot(root); len(left) != 0 {
		t.Errorf("still running in the root: %v", left)
	}
}
