package imagecustomizer

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// defaultExecuteCommand runs a staged command file with the machine's shell, as the
// communicator's user: root in the chroot of `source "imagecustomizer"`.
const defaultExecuteCommand = "/bin/sh {{.Path}}"

// sudoExecuteCommand is what a non-root SSH user with passwordless sudo sets; error
// messages suggest it.
const sudoExecuteCommand = "sudo -n /bin/sh {{.Path}}"

// executeData is what execute_command's template sees.
type executeData struct {
	// Path is the script file in the machine's /tmp holding the command to run.
	Path string
}

// executeCommand renders execute_command for one staged script file.
type executeCommand struct {
	template string
	ctx      interpolate.Context
}

// newExecuteCommand checks template: it must render and must run the staged file, or the
// provisioner's commands would silently not run.
func newExecuteCommand(template string, ctx interpolate.Context) (*executeCommand, error) {
	if template == "" {
		template = defaultExecuteCommand
	}
	e := &executeCommand{template: template, ctx: ctx}
	const probe = "/tmp/.packer-ic-probe.sh"
	got, err := e.render(probe)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(got, probe) {
		return nil, fmt.Errorf("execute_command %q does not use {{.Path}}, the script file to run", template)
	}
	return e, nil
}

func (e *executeCommand) render(path string) (string, error) {
	ctx := e.ctx
	ctx.Data = &executeData{Path: path}
	s, err := interpolate.Render(e.template, &ctx)
	if err != nil {
		return "", fmt.Errorf("execute_command %q: %w", e.template, err)
	}
	return s, nil
}

// isDefault reports whether commands run with the machine's shell as the communicator's
// user. Commands that are safe to pass as a command line are then sent as they are:
// `/bin/sh file` would run them the same way, one round trip later.
func (e *executeCommand) isDefault() bool { return e.template == defaultExecuteCommand }

// checkRunsAsRoot checks, before anything changes, that commands run as root in the machine:
// every customization needs it, and a user without sudo would otherwise fail half-way
// with "permission denied" from whichever tool came first.
func checkRunsAsRoot(ctx context.Context, m *image) error {
	var out bytes.Buffer
	code, tail, err := m.status(ctx, "id -u", nil, &out)
	how := fmt.Sprintf("execute_command %q", m.execute.template)
	if err != nil {
		return fmt.Errorf("run a first command in the machine with %s: %w", how, err)
	}
	if code != 0 {
		return fmt.Errorf("run a first command in the machine with %s: exit status %d%s%s",
			how, code, tailSuffix(tail), sudoHint(m.execute.template))
	}
	if uid := strings.TrimSpace(out.String()); uid != "0" {
		return fmt.Errorf("commands run as uid %s in the machine, not as root, with %s: "+
			"for a user with passwordless sudo set execute_command = %q", uid, how, sudoExecuteCommand)
	}
	return nil
}

// sudoHint explains the usual cause when execute_command goes through sudo.
func sudoHint(template string) string {
	if !strings.Contains(template, "sudo") {
		return ""
	}
	return "\nthe user needs sudo installed in the machine and allowed without a password " +
		"(a NOPASSWD rule, as cloud-init's `sudo: ALL=(ALL) NOPASSWD:ALL` writes)"
}
