package execx

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
)

// Process is a tool started in the background, in its own process group,
// for callers that watch it while it runs (a VM whose console they poll).
type Process struct {
	argv   []string
	cmd    *exec.Cmd
	output *Tail
	done   chan struct{}
	err    error // set before done is closed
	once   sync.Once
}

// Start starts c without waiting for it. Its standard output and error are
// streamed to r.Logf line by line and their last lines are kept for
// Output. c.Stdout and c.Stdin are ignored. The context ending kills the
// process group.
func (r *Real) Start(ctx context.Context, c Cmd) (*Process, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("execx: empty command")
	}
	logf := r.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	name := c.Argv[0]
	logf("exec: %s", c)
	cmd := exec.CommandContext(ctx, name, c.Argv[1:]...)
	cmd.Dir = c.Dir
	Own(cmd)
	if len(c.Env) > 0 {
		cmd.Env = append(cmd.Environ(), c.Env...)
	}
	p := &Process{argv: c.Argv, cmd: cmd, done: make(chan struct{})}
	p.output = NewTail(r.tailLines(), func(line string) { logf("%s: %s", name, line) })
	cmd.Stdout = p.output
	cmd.Stderr = p.output
	wait, err := StartOwned(cmd, logf)
	if err != nil {
		e := &Error{Argv: c.Argv, ExitCode: -1, Err: err}
		if errors.Is(err, exec.ErrNotFound) {
			e.Hint = MissingToolHint(name)
		}
		return nil, e
	}
	go func() {
		err := wait()
		p.output.Flush()
		if err != nil {
			p.err = fmt.Errorf("%s: %w", Quote(p.argv[:1]), err)
		}
		close(p.done)
	}()
	return p, nil
}

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the process ended (nil for exit status 0); valid after Done.
func (p *Process) Err() error {
	<-p.done
	return p.err
}

// Output returns the last lines the process printed on stdout and stderr.
func (p *Process) Output() string { return p.output.String() }

// Stop kills the whole process group, children that outlived the process
// included, and waits for the process to be reaped. It is safe to call more
// than once and after the process exited.
func (p *Process) Stop() {
	p.once.Do(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
}
