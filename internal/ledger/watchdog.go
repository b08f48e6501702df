package ledger

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// WatchdogArg is the argument that makes the plugin binary run as a watchdog (RunWatchdog).
const WatchdogArg = "__watchdog"

// Watchdog, when set, is the plugin binary: the first time the record holds something, the
// ledger starts `Watchdog __watchdog <record>` to end the record's processes as soon as this
// process dies. Tests leave it empty (a test binary would not know the argument).
var Watchdog string

// Processes a tool started do not all get the parent-death signal: it is not inherited across
// fork, so a chroot shell's children, or a daemon a script started, would outlive a killed
// plugin. The watchdog is their supervisor: a process in a session of its own (a SIGKILL of
// Packer's process group does not reach it) that holds the read end of a pipe whose only write
// end this process keeps. The kernel closes that end when this process dies, however it dies;
// the watchdog then kills every process of the record (its tools' process groups, the processes
// chrooted under its roots) and exits. Mounts and loop devices are left to the next build's
// sweep, which also catches the processes should the watchdog itself be killed.
func (l *Ledger) startWatchdog() error {
	if Watchdog == "" || l.watchdog != nil {
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("start the watchdog: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(Watchdog, WatchdogArg, filepath.Join(Dir, l.rec.Owner.fileName()))
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start the watchdog: %w", err)
	}
	go func() { _ = cmd.Wait() }() // it exits when this process does; reap it should it die first
	l.watchdog = w
	return nil
}

// RunWatchdog is the watchdog's main: it waits until stdin reaches end of file (the plugin
// process is gone) and kills the processes of the record at path, if it is still there.
func RunWatchdog(path string) int {
	_, _ = io.Copy(io.Discard, os.Stdin)
	r, err := readRecord(path)
	if err != nil {
		return 0 // the plugin exited cleanly and removed its record
	}
	// The pipe closes while the owner is still on its way out of exit(2); give it a moment.
	for deadline := time.Now().Add(5 * time.Second); r.Owner.Alive(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return 0 // it closed the pipe but runs on: not ours to judge
		}
	}
	if _, err := killUntilGone(func() []int { return processesOf(r) }, 10*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
