package execx

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestStartStreamsOutputAndReportsExit(t *testing.T) {
	var logged []string
	r := &Real{Logf: func(f string, a ...any) { logged = append(logged, strings.TrimSpace(f)) }}
	p, err := r.Start(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 4"}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not exit")
	}
	var ee *exec.ExitError
	if err := p.Err(); !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Fatalf("Err = %v, want exit status 4", err)
	}
	if out := p.Output(); !strings.Contains(out, "out") || !strings.Contains(out, "err") {
		t.Errorf("Output = %q, want both streams", out)
	}
	p.Stop()
	p.Stop()
}

func TestStopKillsTheProcessGroup(t *testing.T) {
	p, err := (&Real{}).Start(context.Background(), Cmd{Argv: []string{"sh", "-c", "sleep 300 & sleep 300"}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("Stop returned before the process was reaped")
	}
	if p.Err() == nil {
		t.Error("a killed process reported success")
	}
	// The background sleep holds the output pipe; had it survived, Wait
	// would have waited the full WaitDelay for it.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %s: the child kept the output pipe open", d)
	}
}

func TestStartMissingToolNamesThePackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := (&Real{}).Start(context.Background(), Cmd{Argv: []string{"qemu-system-x86_64", "-version"}})
	if err == nil || !strings.Contains(err.Error(), "Debian package qemu-system-x86") {
		t.Fatalf("err = %v", err)
	}
}
