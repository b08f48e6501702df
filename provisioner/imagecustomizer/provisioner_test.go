package imagecustomizer

import (
	"context"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

var _ packersdk.Provisioner = new(Provisioner)

// baseImageFiles is what the fake image answers to reads.
func baseImageFiles() map[string]string {
	return map[string]string{
		"/etc/hostname":     "debian\n",
		"/etc/hosts":        "127.0.1.1\tdebian\n",
		"/etc/group":        "root:x:0:\nsudo:x:27:\n",
		"/etc/passwd":       "root:x:0:0:root:/root:/bin/bash\nalice:x:1500:1500::/home/alice:/bin/sh\n",
		"/etc/default/grub": "GRUB_CMDLINE_LINUX=\"\"\n",
	}
}

// TestProvisionOrderAndQuoting applies the twin configuration through a recording
// communicator and checks that the customizations run in the original's order, that paths
// and arguments are quoted, and that secrets and contents travel on stdin only.
func TestProvisionOrderAndQuoting(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir)
	var p Provisioner
	if err := p.Prepare(twinHCL()); err != nil {
		t.Fatal(err)
	}
	comm := &fakeComm{files: baseImageFiles()}
	if err := apply(context.Background(), testImage(comm), p.ic); err != nil {
		t.Fatal(err)
	}
	cmds := comm.commands()
	all := strings.Join(cmds, "\n")
	t.Logf("commands:\n%s", all)

	// Each marker must appear, in this order (doOsCustomizations' order).
	order := []string{
		"mv -f /etc/.packer-ic-1.tmp /etc/hostname",
		"groupadd -g 1500 ops",
		"usermod -g ops alice", // alice exists in the image: updated, not re-created
		"chpasswd -e",
		"tar -x -f -",
		"/var/lib/cloud/seed/nocloud/user-data",
		"/var/lib/cloud/seed/nocloud/meta-data",
		"systemctl enable ssh.service",
		"systemctl disable getty@tty1.service",
		"/etc/modules-load.d/modules-load.conf",
		"/etc/modprobe.d/module-options.conf",
		"/etc/default/grub",
		"update-grub",
		"cd / && /bin/sh /tmp/.packer-ic-script-",
		"cd / && env GREETING=hello /bin/sh /tmp/.packer-ic-script-",
	}
	at := 0
	for _, marker := range order {
		i := strings.Index(all[at:], marker)
		if i < 0 {
			t.Fatalf("%q missing or out of order after position %d in:\n%s", marker, at, all)
		}
		at += i + len(marker)
	}

	for _, c := range comm.calls {
		if strings.Contains(c.cmd, "$6$salt$hash") {
			t.Errorf("the password hash is on a command line: %q", c.cmd)
		}
		if c.cmd == "chpasswd -e" && c.stdin != "alice:$6$salt$hash\n" {
			t.Errorf("chpasswd stdin = %q", c.stdin)
		}
		if !transportSafe(c.cmd) {
			t.Errorf("unsafe command line: %q", c.cmd)
		}
	}
	if !strings.Contains(all, "a 'b c'") {
		t.Errorf("script argument with a space is not quoted:\n%s", all)
	}
	var grub string
	for _, c := range comm.calls {
		if strings.Contains(c.cmd, "mv -f") && strings.HasSuffix(strings.Split(c.cmd, " || ")[0], "/etc/default/grub; }") {
			grub = c.stdin
		}
	}
	if grub != "GRUB_CMDLINE_LINUX=\"ds=nocloud console=ttyS0,115200\"\n" {
		t.Errorf("/etc/default/grub written as %q", grub)
	}
}

func TestProvisionStopsAtTheFirstFailure(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir)
	var p Provisioner
	if err := p.Prepare(twinHCL()); err != nil {
		t.Fatal(err)
	}
	comm := &fakeComm{files: baseImageFiles(), fail: map[string]int{"systemctl enable": 1}}
	err := p.Provision(context.Background(), packersdk.TestUi(t), comm, nil)
	if err == nil || !strings.Contains(err.Error(), "enable service ssh.service") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error = %v, want the failing service and its stderr", err)
	}
	for _, c := range comm.calls {
		if strings.Contains(c.cmd, "update-grub") || strings.Contains(c.cmd, "modules-load") {
			t.Errorf("ran %q after the failure", c.cmd)
		}
	}
}

func TestFailingScriptReportsStatusAndOutputTail(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir)
	var p Provisioner
	if err := p.Prepare(map[string]interface{}{"scripts": map[string]interface{}{
		"post_customization": []map[string]interface{}{{"content": "exit 3", "name": "breaks"}},
	}}); err != nil {
		t.Fatal(err)
	}
	comm := &fakeComm{fail: map[string]int{"cd / && /bin/sh": 3}}
	err := p.Provision(context.Background(), packersdk.TestUi(t), comm, nil)
	if err == nil || !strings.Contains(err.Error(), "postCustomization script breaks failed with exit status 3:\nline 1\nboom") {
		t.Fatalf("error = %v", err)
	}
	last := comm.calls[len(comm.calls)-1].cmd
	if !strings.HasPrefix(last, "rm -f /tmp/.packer-ic-script-") {
		t.Errorf("the script file was not removed after the failure; last command %q", last)
	}
}

func TestUserArgv(t *testing.T) {
	uid := 1600
	full := icconfig.User{Name: "bob", UID: &uid, PrimaryGroup: "ops", SecondaryGroups: []string{"sudo", "adm"},
		HomeDirectory: "/srv/bob", StartupCommand: "/bin/bash"}
	tests := []struct {
		name   string
		u      icconfig.User
		exists bool
		want   string
	}{
		{"new user, defaults", icconfig.User{Name: "bob"}, false, "useradd -m bob"},
		{"new user, everything", full, false, "useradd -m -u 1600 -g ops -G sudo,adm -d /srv/bob -s /bin/bash bob"},
		{"existing user: groups appended, home moved", full, true, "usermod -g ops -a -G sudo,adm -d /srv/bob -m -s /bin/bash bob"},
		{"existing user, nothing to change", icconfig.User{Name: "bob"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quoteAll(userArgv(tt.u, tt.exists)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
