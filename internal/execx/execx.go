// Package execx is the one way this plugin runs external tools.
//
// Commands are argv slices (never a shell string with paths in it). Every
// line a tool prints is streamed to the logger, and a failure returns an
// *Error holding the quoted command, the exit code and the tail of stderr,
// plus a hint naming the Debian package when the tool is missing. Code that
// runs tools depends on the Runner interface so that tests can record calls.
package execx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hosttools"
)

// Cmd describes one tool invocation.
type Cmd struct {
	// Argv is the program and its arguments. Argv[0] is looked up in PATH.
	Argv []string
	// Dir is the working directory; empty means the current one.
	Dir string
	// Env is added to the current environment (KEY=value entries).
	Env []string
	// Stdin, when set, is connected to the tool's standard input.
	Stdin io.Reader
	// Stdout, when set, receives the tool's standard output (it is then
	// not logged line by line).
	Stdout io.Writer
	// Progress, when set, receives every line the tool prints on stdout or
	// stderr as it prints it, and every update of a line it redraws in place
	// with a carriage return (the progress bars of mksquashfs and qemu-img -p).
	Progress func(line string)
}

// String renders the command shell-quoted, for logs and errors.
func (c Cmd) String() string { return Quote(c.Argv) }

// Runner runs commands. Real runs them; Recorder records them for tests.
type Runner interface {
	Run(ctx context.Context, cmd Cmd) error
}

// Run is shorthand for r.Run(ctx, Cmd{Argv: argv}).
func Run(ctx context.Context, r Runner, argv ...string) error {
	return r.Run(ctx, Cmd{Argv: argv})
}

// Output runs argv and returns its standard output.
func Output(ctx context.Context, r Runner, argv ...string) (string, error) {
	var out bytes.Buffer
	err := r.Run(ctx, Cmd{Argv: argv, Stdout: &out})
	return out.String(), err
}

// Real runs commands on the host.
type Real struct {
	// Logf receives the command line and every output line. Nil logs nothing.
	Logf func(format string, args ...any)
	// TailLines is how many stderr lines an error keeps (default 20).
	TailLines int
}

// Run starts the command, streams its output to Logf and waits for it.
func (r *Real) Run(ctx context.Context, c Cmd) error {
	if len(c.Argv) == 0 {
		return errors.New("execx: empty command")
	}
	logf := r.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	name := c.Argv[0]
	logf("exec: %s", c)
	cmd := exec.CommandContext(ctx, name, c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Stdin = c.Stdin
	Own(cmd)
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	logLine := func(line string) { logf("%s: %s", name, line) }
	tail := NewTail(r.tailLines(), logLine)
	cmd.Stderr = tail
	stdoutLog := NewTail(0, logLine)
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	} else {
		cmd.Stdout = stdoutLog
	}
	updates := NewUpdates(c.Progress)
	if c.Progress != nil {
		cmd.Stdout = io.MultiWriter(cmd.Stdout, updates)
		cmd.Stderr = io.MultiWriter(cmd.Stderr, updates)
	}
	err := RunOwned(cmd, logf)
	tail.Flush()
	stdoutLog.Flush()
	if c.Progress != nil {
		updates.Flush()
	}
	if err == nil {
		return nil
	}
	e := &Error{Argv: c.Argv, ExitCode: -1, StderrTail: tail.String(), Err: err}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		e.ExitCode = exitErr.ExitCode()
	}
	if errors.Is(err, exec.ErrNotFound) {
		e.Hint = MissingToolHint(name)
	}
	if ctx.Err() != nil {
		e.Err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return e
}

func (r *Real) tailLines() int {
	if r.TailLines > 0 {
		return r.TailLines
	}
	return 20
}

// Error is a failed command.
type Error struct {
	Argv       []string
	ExitCode   int
	StderrTail string
	Hint       string
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s: %v", Quote(e.Argv), e.Err)
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	if t := strings.TrimSpace(e.StderrTail); t != "" {
		fmt.Fprintf(&b, "\nstderr tail:\n%s", t)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// MissingToolHint says which package to install for a tool that is not on PATH.
func MissingToolHint(tool string) string { return hosttools.Hint(tool) }

// Quote renders argv the way a POSIX shell would read it back.
func Quote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = QuoteArg(a)
	}
	return strings.Join(q, " ")
}

// QuoteArg single-quotes a when it holds anything a shell would interpret.
func QuoteArg(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'"'"'`) + "'"
}

// Tail is an io.Writer that splits what is written into lines, hands each complete line to
// Each (when set) and keeps the last Max of them. It is safe for concurrent writers, so stdout
// and stderr of one command can share it. Call Flush after the writers are done.
type Tail struct {
	Max  int
	Each func(line string)

	mu    sync.Mutex
	buf   []byte
	lines []string
}

// NewTail returns a Tail keeping max lines.
func NewTail(max int, each func(string)) *Tail { return &Tail{Max: max, Each: each} }

func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		t.keep(string(t.buf[:i]))
		t.buf = t.buf[i+1:]
	}
}

func (t *Tail) keep(line string) {
	if t.Each != nil {
		t.Each(line)
	}
	if t.Max <= 0 {
		return
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > t.Max {
		t.lines = t.lines[len(t.lines)-t.Max:]
	}
}

// Flush hands on a last line that had no newline.
func (t *Tail) Flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) > 0 {
		t.keep(string(t.buf))
		t.buf = nil
	}
}

// String returns the kept lines.
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
