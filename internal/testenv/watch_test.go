package testenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeVM runs a shell script in place of QEMU. The script gets the serial
// log path as $1 and a pid file as $2, where it records a background child
// so the test can check the whole process group was killed.
func fakeVM(t *testing.T, script string, opts BootOptions) (*BootResult, error, string) {
	t.Helper()
	RequireTool(t, "sh", "sleep")
	dir := t.TempDir()
	serial, pidFile := filepath.Join(dir, "serial.log"), filepath.Join(dir, "child.pid")
	if opts.Name == "" {
		opts.Name = "fake"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 20 * time.Second
	}
	con, err := newConsole(opts.Expect, opts.FailOn)
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{"sh", "-c", script, "fake-vm", serial, pidFile}
	res, err := watch(context.Background(), opts, con, argv, serial, t.Logf)
	return res, err, pidFile
}

// childGone waits briefly for the recorded background child to disappear.
func childGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return // the script never started its child
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("read child pid: %v", err)
	}
	for i := 0; i < 100; i++ {
		if !running(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("child %d of the fake VM still runs: the process group was not killed", pid)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// running reports whether pid exists and is not a zombie waiting for init
// to reap it.
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// Field 3, after "pid (comm)", is the state.
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

const backgroundChild = `sleep 300 & echo $! > "$2"; `

func TestWatchSucceedsWhenAllExpectedSeen(t *testing.T) {
	res, err, pids := fakeVM(t, backgroundChild+
		`printf 'Linux version 6.1\r\n' >> "$1"; sleep 0.6; printf 'ci-marker\r\ndebian login: ' >> "$1"; sleep 300`,
		BootOptions{Expect: []string{`login:`, `ci-marker`}})
	if err != nil {
		t.Fatal(err)
	}
	childGone(t, pids)
	if res.Milestones["kernel"] >= res.Milestones["ci-marker"] {
		t.Errorf("milestones out of order: %s", FormatMilestones(res.Milestones))
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
			timeout: 1500 * time.Millisecond,
			want:    []string{"timed out (1.5s) after 1.", "grub> "},
		},
		"vm exits early": {
			script: `printf 'reboot: Restarting system\n' >> "$1"; echo 'qemu: terminating' >&2; exit 3`,
			want:   []string{"qemu exited (exit status 3)", "qemu: terminating", "Restarting system"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err, pids := fakeVM(t, tc.script, BootOptions{Expect: []string{`login:`}, Timeout: tc.timeout})
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
			if res == nil || res.Log == "" {
				t.Errorf("failed boot returned no console log: %+v", res)
			}
		})
	}
}

func TestRunBootRejectsEmptyExpect(t *testing.T) {
	_, err := RunBoot(context.Background(), BootOptions{Name: "x", Disk: "/nonexistent.qcow2"})
	if err == nil || !strings.Contains(err.Error(), "no Expect patterns") {
		t.Fatalf("err = %v", err)
	}
}
