package imagecustomizer

import (
	"context"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

func hostnameConfig(executeCommand string) map[string]interface{} {
	raw := map[string]interface{}{"os": map[string]interface{}{"hostname": "ssh-built"}}
	if executeCommand != "" {
		raw["execute_command"] = executeCommand
	}
	return raw
}

func TestExecuteCommandValidation(t *testing.T) {
	tests := []struct {
		name, command string
		wantErr       []string
	}{
		{"default", "", nil},
		{"sudo", "sudo -n /bin/sh {{.Path}}", nil},
		{"sudo sh -c with spaces in the action", "sudo -n sh -c '{{ .Path }}'", nil},
		{"no path", "sudo -n /bin/sh", []string{`execute_command "sudo -n /bin/sh" does not use {{.Path}}`}},
		{"broken template", "sudo /bin/sh {{.Path", []string{`execute_command "sudo /bin/sh {{.Path"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Provisioner
			raw := hostnameConfig(tt.command)
			raw["os"].(map[string]interface{})["hostname"] = "bad_name" // a second error, reported too
			err := p.Prepare(raw)
			if err == nil {
				t.Fatal("Prepare accepted an invalid hostname")
			}
			for _, want := range append(tt.wantErr, "os.hostname") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if tt.wantErr == nil && strings.Contains(err.Error(), "execute_command") {
				t.Errorf("valid execute_command rejected: %v", err)
			}
		})
	}
}

// TestSudoRunsEveryCommandFromAStagedFile: with a non-default execute_command every command,
// the root check first, is written to a file by the connecting user and run through it.
func TestSudoRunsEveryCommandFromAStagedFile(t *testing.T) {
	var p Provisioner
	if err := p.Prepare(hostnameConfig("sudo -n /bin/sh {{.Path}}")); err != nil {
		t.Fatal(err)
	}
	comm := &fakeComm{files: baseImageFiles()}
	if err := p.Provision(context.Background(), packersdk.TestUi(t), comm, nil); err != nil {
		t.Fatal(err)
	}
	if len(comm.calls) < 4 || len(comm.calls)%2 != 0 {
		t.Fatalf("want stage/run pairs, got %q", comm.commands())
	}
	var scripts []string
	for i := 0; i < len(comm.calls); i += 2 {
		stage, run := comm.calls[i], comm.calls[i+1]
		path, ok := strings.CutPrefix(stage.cmd, stagePrefix)
		if !ok || run.cmd != "sudo -n /bin/sh "+path {
			t.Fatalf("call %d: %q then %q, want a staged file run with sudo", i, stage.cmd, run.cmd)
		}
		scripts = append(scripts, comm.staged[path])
	}
	if scripts[0] != "id -u" {
		t.Errorf("first command %q, want the root check", scripts[0])
	}
	all := strings.Join(scripts, "\n")
	if !strings.Contains(all, "mv -f /etc/.packer-ic-") || !strings.Contains(all, "/etc/hostname") {
		t.Errorf("the host name was not written through sudo:\n%s", all)
	}
	for _, c := range comm.calls {
		if strings.Contains(c.cmd, "/etc/hostname") {
			t.Errorf("a command touching the image ran without execute_command: %q", c.cmd)
		}
	}
}

// TestNotRootFailsBeforeAnyChange: a user whose commands do not run as root gets one error
// saying why and what to set, and nothing else runs.
func TestNotRootFailsBeforeAnyChange(t *testing.T) {
	tests := []struct {
		name, command string
		comm          *fakeComm
		want          []string
	}{
		{"ssh user without execute_command", "", &fakeComm{uid: "1000"},
			[]string{"commands run as uid 1000 in the machine, not as root", `execute_command = "sudo -n /bin/sh {{.Path}}"`}},
		{"sudo wants a password", "sudo -n /bin/sh {{.Path}}", &fakeComm{fail: map[string]int{"sudo -n": 1}},
			[]string{`with execute_command "sudo -n /bin/sh {{.Path}}": exit status 1`, "boom: sudo -n", "NOPASSWD"}},
		{"no sudo in the machine", "sudo -n /bin/sh {{.Path}}", &fakeComm{fail: map[string]int{"sudo -n": 127}},
			[]string{"exit status 127", "sudo installed"}},
		{"sudo to another user", "sudo -n -u nobody /bin/sh {{.Path}}", &fakeComm{uid: "65534"},
			[]string{"uid 65534"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Provisioner
			if err := p.Prepare(hostnameConfig(tt.command)); err != nil {
				t.Fatal(err)
			}
			err := p.Provision(context.Background(), packersdk.TestUi(t), tt.comm, nil)
			if err == nil {
				t.Fatal("Provision succeeded")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			for _, c := range tt.comm.calls {
				if strings.Contains(c.cmd+c.stdin, "hostname") {
					t.Errorf("ran %q after the root check failed", c.cmd)
				}
			}
		})
	}
}
