package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// nullSourceHCL connects Packer's null builder to the VM over SSH.
const nullSourceHCL = `
variable "ssh_port" { type = string }
variable "ssh_user" { type = string }
variable "ssh_key" { type = string }

source "null" "vm" {
  ssh_host               = "127.0.0.1"
  ssh_port               = var.ssh_port
  ssh_username           = var.ssh_user
  ssh_private_key_file   = var.ssh_key
  ssh_timeout            = "5m"
  ssh_handshake_attempts = 3
}

`

// sshProbeTemplate would set a host name; the failure cases must stop before it.
const sshProbeTemplate = nullSourceHCL + `build {
  sources = ["source.null.vm"]
  provisioner "imagecustomizer" {
    execute_command = "sudo -n /bin/sh {{.Path}}"
    os {
      hostname = "never-set"
    }
  }
}
`

// sshChainTemplate customizes the running VM as a non-root user through sudo, powers it
// off, waits for QEMU to exit, and hands its disk, with a firmware variables file next to
// it as a qemu builder leaves one, to the ISO post-processor through artifice.
const sshChainTemplate = nullSourceHCL + `variable "disk" { type = string }
variable "qemu_exited" { type = string }
variable "mark" { type = string }

build {
  sources = ["source.null.vm"]

  provisioner "imagecustomizer" {
    execute_command = "sudo -n /bin/sh {{.Path}}"
    os {
      hostname = "ssh-built"
      users {
        name = "sshe2e"
        uid  = 4321
      }
      additional_files {
        destination = "/etc/issue"
        content     = "${var.mark} issue\n"
      }
      additional_files {
        destination = "/usr/local/bin/ic-e2e-marker"
        permissions = "755"
        content     = <<-EOT
          #!/bin/sh
          echo "${var.mark} service host=$(hostname) user=$(getent passwd sshe2e | cut -d: -f1,3)" > /dev/ttyS0
        EOT
      }
      additional_files {
        destination = "/etc/systemd/system/ic-e2e-marker.service"
        content     = <<-EOT
          [Unit]
          Description=Print the e2e marker on the serial console
          [Service]
          Type=oneshot
          ExecStart=/usr/local/bin/ic-e2e-marker
          [Install]
          WantedBy=multi-user.target
        EOT
      }
      services {
        enable = ["ic-e2e-marker.service"]
      }
    }
  }

  provisioner "shell" {
    inline            = ["sudo -n systemctl poweroff"]
    expect_disconnect = true
    skip_clean        = true
  }

  post-processors {
    post-processor "shell-local" {
      inline = ["i=0; while [ ! -e '${var.qemu_exited}' ]; do i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 1; done"]
    }
    post-processor "artifice" {
      files = [var.disk, "efivars.fd"]
    }
    post-processor "imagecustomizer-iso" {
      output = "output/live.iso"
    }
  }
}
`

// sshSeed makes cloud-init create "builder" (passwordless sudo) and "nosudo", both with
// pub as their SSH key, and print ready on the console once they exist. The address is
// set by hand as well as by DHCP: QEMU's user network forwards to 10.0.2.15.
func sshSeed(t *testing.T, pub, ready string) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"user-data": `#cloud-config
users:
  - name: builder
    shell: /bin/bash
    sudo: "ALL=(ALL) NOPASSWD:ALL"
    ssh_authorized_keys: ["` + pub + `"]
  - name: nosudo
    shell: /bin/bash
    ssh_authorized_keys: ["` + pub + `"]
bootcmd:
  - for n in /sys/class/net/e*; do ip link set "${n##*/}" up; ip addr add 10.0.2.15/24 dev "${n##*/}" || true; done
runcmd:
  - [sh, -c, 'echo "$0 $(systemctl is-active ssh)" > /dev/ttyS0', ` + ready + `]
`,
		"meta-data":      "instance-id: " + ready + "\nlocal-hostname: ssh-vm\n",
		"network-config": "version: 2\nethernets:\n  all:\n    match:\n      name: \"e*\"\n    dhcp4: true\n",
	})
	return dir
}

// sshKeyPair writes a throwaway private key into dir and returns its path and the public key.
func sshKeyPair(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

// The provisioner customizes a machine another builder started, over SSH as a non-root
// user through sudo; bad SSH settings and a user without sudo fail clearly and change
// nothing; the machine's disk, handed over by artifice, becomes an ISO that boots showing
// the settings.
func TestSSHProvisioningThroughSudoThenArtificeToISO(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	key, pub := sshKeyPair(t, dir, "id_builder")
	wrongKey, _ := sshKeyPair(t, dir, "id_unknown")
	mark := marker("E2E-SSH")
	ready := marker("E2E-SSH-READY")
	port := testenv.FreeLoopbackPort(t)
	vm := testenv.StartVM(t, testenv.VMOptions{
		Name: "ssh", Disk: imgs.EFIQcow2, Seed: sshSeed(t, pub, ready), SSHPort: port, Logf: t.Logf,
	})
	if err := vm.WaitConsole(t.Context(), 20*time.Minute, regexp.QuoteMeta(ready)); err != nil {
		t.Fatal(err)
	}
	exited := filepath.Join(dir, "qemu-exited")
	go func() {
		<-vm.Exited()
		_ = os.WriteFile(exited, nil, 0o644)
	}()
	vars := func(user, key string) map[string]string {
		return map[string]string{"ssh_port": strconv.Itoa(port), "ssh_user": user, "ssh_key": key}
	}

	probe := filepath.Join(dir, "probe")
	writeFiles(t, probe, map[string]string{"build.pkr.hcl": sshProbeTemplate})
	for _, c := range []struct {
		name, user, key string
		want            []string
	}{
		{"unknown key", "builder", wrongKey, []string{"authentication error", "unable to authenticate"}},
		{"user without sudo", "nosudo", key, []string{`execute_command "sudo -n /bin/sh {{.Path}}": exit status 1`,
			"a password is required", "NOPASSWD"}},
	} {
		b := packerBuild(t, context.Background(), probe, vars(c.user, c.key))
		if b.Err == nil {
			t.Fatalf("%s: packer build succeeded", c.name)
		}
		for _, w := range c.want {
			if !strings.Contains(b.Output, w) {
				t.Errorf("%s: build output does not say %q", c.name, w)
			}
		}
		if strings.Contains(b.Output, "Setting the host name") {
			t.Errorf("%s: the provisioner went on after the failure", c.name)
		}
	}

	build := filepath.Join(dir, "build")
	writeFiles(t, build, map[string]string{"build.pkr.hcl": sshChainTemplate})
	efivars := sha256File(t, "/usr/share/OVMF/OVMF_VARS_4M.fd")
	copyFile(t, "/usr/share/OVMF/OVMF_VARS_4M.fd", filepath.Join(build, "efivars.fd"))
	v := vars("builder", key)
	v["disk"], v["qemu_exited"], v["mark"] = vm.Overlay(), exited, mark
	b := packerBuild(t, context.Background(), build, v)
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	assertNothingLeft(t, build)
	if sha256File(t, filepath.Join(build, "efivars.fd")) != efivars {
		t.Error("the side file efivars.fd was changed")
	}
	testenv.Boot(t, testenv.BootOptions{
		Name: "ssh-iso", ISO: filepath.Join(build, "output", "live.iso"), Firmware: testenv.UEFI,
		Expect: []string{
			regexp.QuoteMeta(mark + " service host=ssh-built user=sshe2e:4321"),
			regexp.QuoteMeta(mark + " issue"),
			`ssh-built login:`,
		},
		Timeout: 20 * time.Minute,
	})
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
