package imagecustomizer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log"
	"path"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// image runs shell commands inside the image through the communicator. Every file is read
// and written by commands running in the image (cat, mv, tar), never by host-side copies:
// under a chroot communicator an absolute or `..` symlink in a hostile image then resolves
// inside the image instead of on the host.
type image struct {
	comm packersdk.Communicator
	ui   packersdk.Ui
	// execute is how a staged command file runs (execute_command).
	execute *executeCommand
	// newID names temporary files; tests replace it to get stable commands.
	newID func() string
}

func newImage(comm packersdk.Communicator, ui packersdk.Ui, execute *executeCommand) *image {
	return &image{comm: comm, ui: ui, execute: execute, newID: randomID}
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var q = execx.QuoteArg

// tailLines is how many output lines a failed command's error keeps.
const tailLines = 20

// status runs script and returns its exit status. Only a failure to run it at all is an
// error. out, when set, receives standard output; otherwise it is logged and kept in the
// tail. The returned tail holds the last lines of output for error messages.
func (m *image) status(ctx context.Context, script string, stdin io.Reader, out io.Writer) (int, string, error) {
	tail := execx.NewTail(tailLines, func(l string) { log.Printf("image: %s", l) })
	stdout := io.Writer(tail)
	if out != nil {
		stdout = out
	}
	code, err := m.exec(ctx, script, stdin, stdout, tail)
	tail.Flush()
	return code, tail.String(), err
}

// exec runs script in the image with the given standard streams and returns its exit
// status. With the default execute_command a script that is safe to pass as a command line
// is sent as it is; any other script is staged first and run with execute_command, see
// staged.
func (m *image) exec(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if !m.execute.isDefault() || !transportSafe(script) {
		return m.staged(ctx, script, stdin, stdout, stderr)
	}
	return m.start(ctx, script, stdin, stdout, stderr)
}

// start sends command to the communicator as it is, so it runs as the communicator's user.
func (m *image) start(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	cmd := &packersdk.RemoteCmd{Command: script, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	log.Printf("image: run %s", script)
	if err := m.comm.Start(ctx, cmd); err != nil {
		return 0, fmt.Errorf("start %q in the image: %w", script, err)
	}
	// Some communicators ignore ctx once started; do not hang the build on them.
	done := make(chan int, 1)
	go func() { done <- cmd.Wait() }()
	var code int
	select {
	case code = <-done:
	case <-ctx.Done():
		return packersdk.CmdDisconnect, fmt.Errorf("run %q in the image: %w", script, ctx.Err())
	}
	if code == packersdk.CmdDisconnect {
		return code, fmt.Errorf("run %q in the image: the communicator disconnected", script)
	}
	return code, nil
}

// staged runs a script through a file. Some communicators, the SDK's chroot one included,
// wrap the command in double quotes for a host shell, which would expand `$` and backquotes
// and mangle newlines; and execute_command (sudo, for an SSH user) runs a file. So the
// script travels as data: the communicator's user writes it to a temporary file (mode 600)
// in the machine's /tmp, and execute_command runs it; it removes itself first (the shell
// keeps its open file).
func (m *image) staged(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	p := "/tmp/.packer-ic-" + m.newID() + ".sh"
	body := "rm -f \"$0\"\n" + script + "\n"
	tail := execx.NewTail(tailLines, func(l string) { log.Printf("image: %s", l) })
	code, err := m.start(ctx, "mkdir -p /tmp && umask 077 && cat > "+p, strings.NewReader(body), tail, tail)
	tail.Flush()
	if err == nil && code != 0 {
		err = fmt.Errorf("stage a script in the image's /tmp: exit status %d%s", code, tailSuffix(tail.String()))
	}
	if err != nil {
		return code, err
	}
	command, err := m.execute.render(p)
	if err != nil {
		return 0, err
	}
	return m.start(ctx, command, stdin, stdout, stderr)
}

// run runs script and fails unless it exits 0; what names the action for the error.
func (m *image) run(ctx context.Context, what, script string, stdin io.Reader) error {
	code, tail, err := m.status(ctx, script, stdin, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if code != 0 {
		return fmt.Errorf("%s: %s exited with status %d in the image%s", what, script, code, tailSuffix(tail))
	}
	return nil
}

// missing is the exit status readFile's script uses for "no such file".
const missing = 66

// readFile returns the content of p inside the image; ok is false when p does not exist.
func (m *image) readFile(ctx context.Context, p string) (content string, ok bool, err error) {
	var out bytes.Buffer
	script := fmt.Sprintf("if [ -e %s ]; then cat %s; else exit %d; fi", q(p), q(p), missing)
	code, tail, err := m.status(ctx, script, nil, &out)
	switch {
	case err != nil:
		return "", false, fmt.Errorf("read %s in the image: %w", p, err)
	case code == missing:
		return "", false, nil
	case code != 0:
		return "", false, fmt.Errorf("read %s in the image: cat exited with status %d%s", p, code, tailSuffix(tail))
	}
	return out.String(), true, nil
}

// writeFile writes r to dest inside the image with mode, creating parent directories. The
// data goes to a temporary file next to dest that is renamed over it, so a failed write
// never leaves a truncated dest.
func (m *image) writeFile(ctx context.Context, dest string, mode fs.FileMode, r io.Reader) error {
	dir := path.Dir(dest)
	tmp := path.Join(dir, ".packer-ic-"+m.newID()+".tmp")
	script := fmt.Sprintf("if [ -d %s ]; then echo %s >&2; exit 1; fi; mkdir -p %s && "+
		"{ cat > %s && chmod %o %s && mv -f %s %s || { rm -f %s; exit 1; }; }",
		q(dest), q(dest+": is a directory"), q(dir), q(tmp), mode.Perm(), q(tmp), q(tmp), q(dest), q(tmp))
	return m.run(ctx, "write "+dest, script, r)
}

// say prints a step headline.
func (m *image) say(format string, args ...any) {
	if m.ui != nil {
		m.ui.Say(fmt.Sprintf(format, args...))
	}
}

// message prints a detail line.
func (m *image) message(format string, args ...any) {
	if m.ui != nil {
		m.ui.Message(fmt.Sprintf(format, args...))
	}
}

// transportSafe reports whether script can be sent as a command line through any
// communicator: printable ASCII without the characters a double-quoting host shell would
// interpret ($, `, \, ") or that history expansion might (!).
func transportSafe(script string) bool {
	for i := 0; i < len(script); i++ {
		c := script[i]
		if c < 0x20 || c > 0x7e || strings.IndexByte("$`\\\"!", c) >= 0 {
			return false
		}
	}
	return true
}

func tailSuffix(tail string) string {
	if t := strings.TrimSpace(tail); t != "" {
		return ":\n" + t
	}
	return ""
}
