package execx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestQuote(t *testing.T) {
	cases := map[string]struct {
		in   []string
		want string
	}{
		"plain":  {[]string{"mksquashfs", "/a", "/b.img", "-comp", "gzip"}, "mksquashfs /a /b.img -comp gzip"},
		"space":  {[]string{"echo", "a b"}, "echo 'a b'"},
		"quote":  {[]string{"echo", "it's"}, `echo 'it'"'"'s'`},
		"empty":  {[]string{"x", ""}, "x ''"},
		"dollar": {[]string{"sh", "-c", "echo $HOME"}, "sh -c 'echo $HOME'"},
	}
	for name, tc := range cases {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("%s: Quote(%q) = %q, want %q", name, tc.in, got, tc.want)
		}
	}
}

func TestRealRunErrorKeepsStderrTail(t *testing.T) {
	var logged []string
	r := &Real{TailLines: 2, Logf: func(f string, a ...any) { logged = append(logged, f) }}
	err := Run(context.Background(), r, "sh", "-c", "echo one >&2; echo two >&2; echo three >&2; exit 3")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	if e.ExitCode != 3 {
		t.Errorf("exit code = %d, want 3", e.ExitCode)
	}
	if e.StderrTail != "two\nthree" {
		t.Errorf("stderr tail = %q, want the last two lines", e.StderrTail)
	}
	if !strings.Contains(err.Error(), "run sh -c 'echo one") {
		t.Errorf("error does not quote the command: %v", err)
	}
	if len(logged) < 4 {
		t.Errorf("expected the command and three stderr lines in the log, got %d lines", len(logged))
	}
}

func TestRealRunMissingToolHint(t *testing.T) {
	err := Run(context.Background(), &Real{}, "mksquashfs-does-not-exist")
	if err == nil || !strings.Contains(err.Error(), "is not installed") {
		t.Fatalf("want a not-installed hint, got %v", err)
	}
	if h := MissingToolHint("mksquashfs"); !strings.Contains(h, "squashfs-tools") {
		t.Errorf("hint %q does not name the package", h)
	}
}

func TestOutputCapturesStdout(t *testing.T) {
	out, err := Output(context.Background(), &Real{}, "printf", "a\nb")
	if err != nil || out != "a\nb" {
		t.Fatalf("Output = %q, %v", out, err)
	}
}

func TestRecorder(t *testing.T) {
	r := &Recorder{Respond: func(c Cmd) (string, error) {
		if c.Argv[0] == "fail" {
			return "", errors.New("boom")
		}
		return "ok", nil
	}}
	out, err := Output(context.Background(), r, "echo", "x y")
	if err != nil || out != "ok" {
		t.Fatalf("Output = %q, %v", out, err)
	}
	if err := Run(context.Background(), r, "fail"); err == nil {
		t.Fatal("want error")
	}
	if got := r.Joined(); got != "echo 'x y'\nfail" {
		t.Errorf("Joined = %q", got)
	}
}

// Cancelling ends the whole process group: a child that keeps stdout open must not keep
// Run waiting for it.
func TestCancelKillsTheProcessGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	// The shell prints "started" after it has put the background child in place; only then
	// is the test cancelled, so the child is really there to keep stdout open.
	started := make(chan struct{})
	var once sync.Once
	logf := func(format string, args ...any) {
		if strings.HasSuffix(fmt.Sprintf(format, args...), ": started") {
			once.Do(func() { close(started) })
		}
	}
	go func() { done <- Run(ctx, &Real{Logf: logf}, "sh", "-c", "sleep 300 & echo started; sleep 300; wait") }()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the command ended before it started its child: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the command never said it started")
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled command reported success")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Run returned %s after cancel", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after cancel: the background child kept it waiting")
	}
}

func TestRealRunReportsProgressUpdates(t *testing.T) {
	var got []string
	r := &Real{}
	err := r.Run(context.Background(), Cmd{
		Argv:     []string{"sh", "-c", `printf 'start\n[=  ] 1/4 25%%\r[== ] 2/4 50%%\r'; sleep 0.1; printf 'warn\n' >&2; sleep 0.1; printf '[===] 4/4 100%%'`},
		Progress: func(line string) { got = append(got, line) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"start", "[=  ] 1/4 25%", "[== ] 2/4 50%", "warn", "[===] 4/4 100%"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("updates = %q, want %q", got, want)
	}
}

func TestRecorderFeedsProgress(t *testing.T) {
	var got []string
	r := &Recorder{Respond: func(Cmd) (string, error) { return "a\rb\nc", nil }}
	if err := r.Run(context.Background(), Cmd{Argv: []string{"x"}, Progress: func(l string) { got = append(got, l) }}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "a|b|c" {
		t.Errorf("updates = %q", got)
	}
}
