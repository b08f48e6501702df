package execx

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// Own prepares cmd so that it does not outlive the plugin or its build:
//
//   - it leads a process group of its own, and a cancelled context kills that whole group,
//     not just the command: a shell or chroot whose children keep the output pipes open
//     would otherwise keep Wait blocked (WaitDelay bounds the wait for the pipes);
//   - it gets SIGKILL when the plugin dies (PR_SET_PDEATHSIG). The kernel sends that signal
//     when the thread that forked the child exits, not the process, so RunOwned and
//     StartOwned fork from a goroutine locked to its OS thread for the child's lifetime.
//
// The group's own members do not inherit the parent-death signal; they are found through the
// build record (package ledger), which lists every group, by the next build's sweep.
func Own(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 10 * time.Second
}

// RunOwned starts cmd (prepared by Own) and waits for it; see StartOwned.
func RunOwned(cmd *exec.Cmd, logf func(string, ...any)) error {
	wait, err := StartOwned(cmd, logf)
	if err != nil {
		return err
	}
	return wait()
}

// StartOwned starts cmd from a goroutine that stays locked to its OS thread until cmd is
// waited for, so the parent-death signal fires only when the plugin dies, and records cmd's
// process group in the plugin's build record while it runs. wait returns cmd.Wait's result.
// A record that cannot be written is logged, not fatal: the command still dies with the
// plugin, only its stray children would not be found by a later sweep.
func StartOwned(cmd *exec.Cmd, logf func(string, ...any)) (wait func() error, err error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	started, done := make(chan error, 1), make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		pid := cmd.Process.Pid
		l, lerr := ledger.Process()
		if lerr == nil {
			lerr = l.AddGroup(pid)
		}
		if lerr != nil {
			logf("exec: record process group %d: %v", pid, lerr)
		}
		started <- nil
		err := cmd.Wait()
		if lerr == nil {
			if rerr := l.RemoveGroup(pid); rerr != nil {
				logf("exec: forget process group %d: %v", pid, rerr)
			}
		}
		done <- err
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return func() error { return <-done }, nil
}

// CloseInheritedOnExec marks every descriptor above stderr that this process inherited
// without close-on-exec as close-on-exec, so tools do not inherit it in turn. Packer hands its
// plugins such descriptors (the write ends of its own output among them): a tool's stray
// child holding one would keep whoever reads Packer's output waiting for it. The descriptors
// stay open in this process.
func CloseInheritedOnExec() error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list open descriptors: %w", err)
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue // the directory's own descriptor, closed by now
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC); err != nil {
			return fmt.Errorf("mark descriptor %d close-on-exec: %w", fd, err)
		}
	}
	return nil
}
