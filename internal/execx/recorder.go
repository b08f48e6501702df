package execx

import (
	"context"
	"io"
	"strings"
	"sync"
)

// Recorder is a Runner for tests: it records every command and answers
// with Respond (nil means success with no output). Respond's output goes to
// c.Stdout and, split into updates as Real splits them, to c.Progress.
type Recorder struct {
	mu      sync.Mutex
	Calls   []Cmd
	Respond func(c Cmd) (stdout string, err error)
}

// Run records c and writes Respond's output to c.Stdout.
func (r *Recorder) Run(_ context.Context, c Cmd) error {
	r.mu.Lock()
	r.Calls = append(r.Calls, c)
	respond := r.Respond
	r.mu.Unlock()
	if respond == nil {
		return nil
	}
	out, err := respond(c)
	if c.Stdout != nil && out != "" {
		_, _ = io.WriteString(c.Stdout, out)
	}
	if c.Progress != nil && out != "" {
		u := NewUpdates(c.Progress)
		_, _ = io.WriteString(u, out)
		u.Flush()
	}
	return err
}

// Lines returns the recorded commands, each quoted on one line.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.Calls))
	for i, c := range r.Calls {
		out[i] = c.String()
	}
	return out
}

// Joined returns Lines joined by newlines.
func (r *Recorder) Joined() string { return strings.Join(r.Lines(), "\n") }
