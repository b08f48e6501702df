package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const osSettingsHCL = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "imagecustomizer" {
    os {
      hostname = "e2e-host"
      groups {
        name = "builders"
        gid  = 4242
      }
      users {
        name             = "alice"
        uid              = 4243
        secondary_groups = ["builders"]
        ssh_public_keys  = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eTestKeyOnly alice@e2e"]
        password {
          type  = "hashed"
          value = "$6$e2esalt$JxjD8Q2uuAvR6tSAv0i0Vw2mS0tAjzUp2l4qlYyrxOq6vY7CbZ9YAtkoWsqWgbH0IcOTgLE5Wld9yNYpX8d7u0"
        }
      }
      additional_files {
        source      = "files/motd"
        destination = "/etc/motd"
        permissions = "640"
      }
      additional_dirs {
        source      = "tree"
        destination = "/opt/e2e-tree"
      }
      services {
        enable  = ["systemd-networkd.service"]
        disable = ["cloud-init.service"]
      }
      modules {
        name      = "dummy"
        load_mode = "always"
        options = {
          numdummies = "2"
        }
      }
    }
    scripts {
      finalize_customization {
        content     = "echo \"finalized $1 $E2E_VAR\" > /etc/e2e-finalized"
        arguments   = ["with-arg"]
        environment_variables = {
          E2E_VAR = "and-env"
        }
      }
    }
  }
}
`

const osSettingsYAMLTemplate = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }
}
`

const osSettingsYAML = `
os:
  hostname: e2e-host
  groups:
    - name: builders
      gid: 4242
  users:
    - name: alice
      uid: 4243
      secondaryGroups: [builders]
      sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eTestKeyOnly alice@e2e"]
      password:
        type: hashed
        value: "$6$e2esalt$JxjD8Q2uuAvR6tSAv0i0Vw2mS0tAjzUp2l4qlYyrxOq6vY7CbZ9YAtkoWsqWgbH0IcOTgLE5Wld9yNYpX8d7u0"
  additionalFiles:
    - source: files/motd
      destination: /etc/motd
      permissions: "640"
  additionalDirs:
    - source: tree
      destination: /opt/e2e-tree
  services:
    enable: [systemd-networkd.service]
    disable: [cloud-init.service]
  modules:
    - name: dummy
      loadMode: always
      options:
        numdummies: "2"
scripts:
  finalizeCustomization:
    - content: echo "finalized $1 $E2E_VAR" > /etc/e2e-finalized
      arguments: [with-arg]
      environmentVariables:
        E2E_VAR: and-env
`

// The provisioner's OS settings, applied by the real Debian image's own tools (useradd,
// chpasswd, systemctl, ...), and the same settings from HCL and from the YAML twin give the
// same image.
func TestProvisionerOSSettingsFromHCLAndYAMLGiveTheSameImage(t *testing.T) {
	imgs := requireE2E(t)
	files := map[string]string{
		"files/motd":           "welcome to e2e\n",
		"tree/a.txt":           "a\n",
		"tree/sub/b.txt":       "b\n",
		"imagecustomizer.yaml": osSettingsYAML,
	}
	var snapshots []map[string]string
	for _, template := range []string{osSettingsHCL, osSettingsYAMLTemplate} {
		dir := t.TempDir()
		files["build.pkr.hcl"] = template
		writeFiles(t, dir, files)
		b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
		if b.Err != nil {
			t.Fatalf("packer build failed: %v", b.Err)
		}
		assertNothingLeft(t, dir)
		snapshots = append(snapshots, snapshot(t, filepath.Join(dir, "output", "image.raw")))
	}
	hcl, yaml := snapshots[0], snapshots[1]
	for k, v := range hcl {
		t.Logf("image %s: %s", k, v)
	}
	for _, want := range []struct{ path, contains string }{
		{"/etc/hostname", "e2e-host"},
		{"/etc/group", "builders:x:4242:alice"},
		{"/etc/passwd", "alice:x:4243:"},
		{"/etc/shadow", "alice:$6$e2esalt$JxjD8Q2uuAvR6tSAv0i0Vw2mS0tAjzUp2l4qlYyrxOq6vY7CbZ9YAtkoWsqWgbH0IcOTgLE5Wld9yNYpX8d7u0"},
		{"/home/alice/.ssh/authorized_keys", "alice@e2e"},
		{"/etc/motd", "mode 640: welcome to e2e"},
		{"/opt/e2e-tree/sub/b.txt", "b"},
		{"/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", "-> /lib/systemd/system/systemd-networkd.service"},
		{"/etc/systemd/system/cloud-init.target.wants/cloud-init.service", "absent"},
		{"/etc/e2e-finalized", "finalized with-arg and-env"},
	} {
		if got := hcl[want.path]; !strings.Contains(got, want.contains) {
			t.Errorf("%s = %q, want it to contain %q", want.path, got, want.contains)
		}
	}
	if !strings.Contains(hcl["modules"], "dummy") || !strings.Contains(hcl["modules"], "numdummies=2") {
		t.Errorf("module settings not found: %q", hcl["modules"])
	}
	for path, v := range hcl {
		if yaml[path] != v {
			t.Errorf("HCL and YAML images differ at %s:\n HCL: %q\nYAML: %q", path, v, yaml[path])
		}
	}
}

// snapshot reads what the settings above change, from a built image.
func snapshot(t *testing.T, image string) map[string]string {
	tree := openImage(t, image)
	out := map[string]string{}
	for _, p := range []string{"/etc/hostname", "/etc/group", "/etc/passwd", "/etc/shadow",
		"/home/alice/.ssh/authorized_keys", "/opt/e2e-tree/sub/b.txt", "/etc/e2e-finalized"} {
		got, _ := readImageFile(t, tree, p)
		if p == "/etc/shadow" || p == "/etc/passwd" || p == "/etc/group" {
			got = grepLines(got, "alice")
		}
		if p == "/etc/shadow" { // name and hash; the last-change day depends on the date
			got = strings.Join(strings.SplitN(got, ":", 3)[:2], ":")
		}
		out[p] = strings.TrimSpace(got)
	}
	motd, mode := readImageFile(t, tree, "/etc/motd")
	out["/etc/motd"] = fmt.Sprintf("mode %o: %s", mode.Perm(), strings.TrimSpace(motd))
	for _, link := range []string{"/etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
		"/etc/systemd/system/cloud-init.target.wants/cloud-init.service"} {
		target, err := os.Readlink(filepath.Join(tree.Root, link))
		if err != nil {
			out[link] = "absent"
		} else {
			out[link] = "-> " + target
		}
	}
	var mods []string
	for _, dir := range []string{"/etc/modules-load.d", "/etc/modprobe.d"} {
		entries, err := os.ReadDir(filepath.Join(tree.Root, dir))
		if err != nil {
			t.Fatalf("read %s in the built image: %v", dir, err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(tree.Root, dir, e.Name()))
			if err != nil {
				t.Fatalf("read %s/%s in the built image: %v", dir, e.Name(), err)
			}
			if strings.Contains(string(b), "dummy") {
				mods = append(mods, dir+"/"+e.Name()+": "+strings.TrimSpace(string(b)))
			}
		}
	}
	out["modules"] = strings.Join(mods, "\n")
	return out
}
