package bootcheck

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// fakeVM runs a shell script in place of QEMU, through execx like QEMU.
// The script gets the serial log path as $1, a pid file as $2, where it
// records a background child so the test can check that the whole process
// group was killed, and extra as $3...
func fakeVM(t *testing.T, script string, expect []string, timeout time.Duration, extra ...string) (*Result, error, string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatalf("the fake VM needs sh: %v", err)
	}
	dir := t.TempDir()
	serial, pidFile := filepath.Join(dir, "serial.log"), filepath.Join(dir, "child.pid")
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	con, err := NewConsole(expect, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	argv := append([]string{"sh", "-c", script, "fake-vm", serial, pidFile}, extra...)
	proc, err := (&execx.Real{Logf: t.Logf}).Start(ctx, execx.Cmd{Argv: argv})
	if err != nil {
		t.Fatal(err)
	}
	res, err := watch(ctx, proc, con, watchSpec{name: "fake", serial: serial, timeout: timeout, logf: t.Logf})
	return res, err, pidFile
}

// childGone checks that the recorded background child is gone: watch
// returns only after the process group was killed and QEMU reaped.
func childGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return // the script never started its child
	}
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("read child pid: %v", err)
	}
	// The child is in our process group's session but was reparented to
	// init, which reaps it; give init a moment, then look once more.
	deadline := time.Now().Add(5 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d of the fake VM still runs: the process group was not killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// Field 3, after "pid (comm)", is the state.
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

const backgroundChild = `sleep 300 & echo $! > "$2"; `

func TestWatchPassesWhenAllExpectedSeen(t *testing.T) {
	res, err, pids := fakeVM(t, backgroundChild+
		`printf 'Linux version 6.1\r\n' >> "$1"; sleep 0.6; printf 'ci-marker\r\ndebian login: ' >> "$1"; sleep 300`,
		[]string{`login:`, `ci-marker`}, 0)
	if err != nil {
		t.Fatal(err)
	}
	childGone(t, pids)
	// Both lines may arrive in one poll on a loaded host: the order is
	// not strict (TestConsoleMilestonesAcrossChunks times them exactly).
	kernel, okKernel := res.Seen(MilestoneKernel)
	marker, ok := res.Seen("ci-marker")
	if !res.Passed || !ok || !okKernel || kernel > marker {
		t.Errorf("passed %v, milestones out of order or missing: %s", res.Passed, FormatMilestones(res.Milestones))
	}
	if !strings.Contains(res.Log, "debian login: ") || res.Elapsed > 10*time.Second {
		t.Errorf("result: elapsed %s, log %q", res.Elapsed, res.Log)
	}
}

func TestWatchFails(t *testing.T) {
	tests := map[string]struct {
		script  string
		timeout time.Duration
		want    []string
	}{
		"failure pattern": {
			script: backgroundChild + `printf 'Linux version 6.1\nline two\nKernel panic - not syncing\n' >> "$1"; sleep 300`,
			want:   []string{`failure pattern "Kernel panic"`, `never saw ["login:"]`, "line two\nKernel panic - not syncing"},
		},
		"timeout": {
			script:  backgroundChild + `printf 'grub> ' >> "$1"; sleep 300`,
			timeout: 4 * time.Second,
			want:    []string{"timed out (4s) after 4.", "grub> "},
		},
		"vm exits early": {
			script: `printf 'reboot: Restarting system\n' >> "$1"; echo 'qemu: terminating' >&2; exit 3`,
			want:   []string{"qemu exited (sh: exit status 3)", "qemu: terminating", "Restarting system"},
		},
		"vm exits cleanly without the pattern": {
			script: `printf 'reboot: Power down\n' >> "$1"`,
			want:   []string{"qemu exited (exit status 0)", `never saw ["login:"]`},
		},
		// Issue 16: QEMU exiting right after the last expected line hid a
		// failure line printed with it.
		"failure with the last expected line, then exit": {
			script: `printf 'debian login: \nKernel panic - not syncing: Attempted to kill init!\n' >> "$1"; exit 0`,
			want:   []string{`failure pattern "Kernel panic"`, "Attempted to kill init"},
		},
		"failure before the last expected line, then exit": {
			script: `printf 'Entering emergency mode.\ndebian login: ' >> "$1"; exit 0`,
			want:   []string{`failure pattern "Entering emergency mode"`},
		},
		"failure with the last expected line, still running": {
			script: backgroundChild + `printf 'debian login: \nKernel panic - not syncing\n' >> "$1"; sleep 300`,
			want:   []string{`failure pattern "Kernel panic"`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err, pids := fakeVM(t, tc.script, []string{`login:`}, tc.timeout)
			childGone(t, pids)
			var be *BootError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *BootError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if res == nil || res.Log == "" || res.Passed {
				t.Errorf("failed boot returned no console log or passed: %+v", res)
			}
		})
	}
}

func TestWatchPassesWhenVMExitsAfterTheLastLine(t *testing.T) {
	res, err, _ := fakeVM(t, `printf 'Linux version 6.1\nci-marker done\n' >> "$1"; exit 0`, []string{`ci-marker`}, 0)
	if err != nil || !res.Passed {
		t.Fatalf("err = %v, passed = %v", err, res != nil && res.Passed)
	}
}

func TestWatchCanceled(t *testing.T) {
	dir := t.TempDir()
	serial := filepath.Join(dir, "serial.log")
	con, err := NewConsole([]string{"never"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	proc, err := (&execx.Real{}).Start(ctx, execx.Cmd{Argv: []string{"sh", "-c", `printf 'hello\n' >> "$1"; sleep 300`, "x", serial}})
	if err != nil {
		t.Fatal(err)
	}
	// Cancel once the VM has written to its console.
	go func() {
		for ctx.Err() == nil {
			if b, _ := os.ReadFile(serial); strings.Contains(string(b), "hello") {
				cancel()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	_, err = watch(ctx, proc, con, watchSpec{name: "c", serial: serial, timeout: time.Minute, logf: t.Logf})
	if err == nil || !strings.Contains(err.Error(), "canceled: context canceled") || !strings.Contains(err.Error(), "hello") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunRejectsEmptyExpect(t *testing.T) {
	_, err := Run(context.Background(), Options{Name: "x", Disk: "/nonexistent.qcow2"})
	if err == nil || !strings.Contains(err.Error(), "no expected pattern") {
		t.Fatalf("err = %v", err)
	}
}
