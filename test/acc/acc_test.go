// Package acc holds acceptance tests: the installed plugin driven by a real Packer.
// They run when PACKER_ACC is set (`make acc` sets it after installing the plugin) and use the
// packer binary named by $PACKER.
package acc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func packer(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(requireAcc(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	t.Logf("packer %s:\n%s", strings.Join(args, " "), out)
	return string(out), err
}

// writeFixture lays out a template directory: a dummy base image (Prepare does not read it),
// an Image Customizer YAML and the template.
func writeFixture(t *testing.T, template, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"build.pkr.hcl":        template,
		"imagecustomizer.yaml": yaml,
		"seed/user-data":       "#cloud-config\n",
		"seed/meta-data":       "instance-id: acc\n",
		"seed/network-config":  "version: 2\n",
		"scripts/finalize.sh":  "echo finalize\n",
		"files/motd":           "hello\n",
	}
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	if err := os.WriteFile(filepath.Join(dir, "base.qcow2"), make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFile writes content to dir/name, creating its directory.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const goodYAML = `
os:
  additionalFiles:
    - source: files/motd
      destination: /etc/motd
      permissions: "644"
scripts:
  finalizeCustomization:
    - path: scripts/finalize.sh
iso:
  additionalFiles:
    seed/user-data: /cloud-init-data/user-data
    seed/meta-data: /cloud-init-data/meta-data
    seed/network-config: /cloud-init-data/network-config
  kernelCommandLine:
    extraCommandLine: ["ds=nocloud"]
`

const goodTemplate = `
source "imagecustomizer" "acc" {
  base_image    = "base.qcow2"
  output_format = "vhdx"
}

build {
  sources = ["source.imagecustomizer.acc"]

  provisioner "shell" {
    inline = ["echo hello from ${build.Device} > /etc/issue.d/acc"]
  }
  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }
  provisioner "imagecustomizer" {
    os {
      hostname = "acc-host"
      kernel_command_line {
        extra_command_line = ["console=ttyS0,115200"]
      }
      services {
        enable = ["systemd-networkd.service"]
      }
    }
    scripts {
      post_customization {
        content = "echo post"
      }
    }
  }

  post-processors {
    post-processor "imagecustomizer-iso" {
      config_file          = "imagecustomizer.yaml"
      volume_label         = "ACC_LIVE"
      squashfs_compression = "zstd"
      additional_files {
        source      = "files/motd"
        destination = "/motd.txt"
      }
      kernel_command_line {
        extra_command_line = ["quiet"]
      }
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
    }
  }
  post-processor "manifest" {}
}
`

func TestValidateTemplateWithAllThreeComponents(t *testing.T) {
	dir := writeFixture(t, goodTemplate, goodYAML)
	out, err := packer(t, dir, "validate", ".")
	if err != nil {
		t.Fatalf("packer validate failed: %v", err)
	}
	if !strings.Contains(out, "The configuration is valid") {
		t.Fatalf("packer validate did not report a valid configuration")
	}
}

// Every mistake of a component is reported in one run, each naming the setting and the value.
// (Packer itself stops at the first component whose configuration fails, so each component
// gets its own template.)
func TestValidateRejectsBadSettingsNamingThem(t *testing.T) {
	cases := map[string]struct {
		template string
		want     []string
	}{
		"builder": {`
source "imagecustomizer" "acc" {
  base_image        = "base.qcow2"
  base_image_format = "vmdk"
  output_format     = "ova"
  mount_path        = "/mnt/fixed"
}
build {
  sources = ["source.imagecustomizer.acc"]
}
`, []string{"base_image_format", "vmdk", "output_format", "ova", "mount_path", "/mnt/fixed"}},
		"provisioner": {`
source "imagecustomizer" "acc" {
  base_image = "base.qcow2"
}
build {
  sources = ["source.imagecustomizer.acc"]
  provisioner "imagecustomizer" {
    os {
      hostname = "bad_host_name"
      kernel_command_line {
        extra_command_line = ["quiet", ""]
      }
      additional_files {
        destination = "/etc/motd"
      }
    }
  }
}
`, []string{"os.hostname: invalid hostname (bad_host_name)",
			"os.kernel_command_line.extra_command_line[1]: invalid kernel_command_line: kernel argument cannot be empty",
			"os.additional_files[0]: must specify either 'source' or 'content'"}},
		"post-processor": {`
source "imagecustomizer" "acc" {
  base_image = "base.qcow2"
}
build {
  sources = ["source.imagecustomizer.acc"]
  post-processor "imagecustomizer-iso" {
    volume_label         = "has space"
    squashfs_compression = "brotli"
    initramfs_type       = "full-os"
  }
}
`, []string{`volume_label: invalid media label "has space"`, `squashfs_compression: invalid squashfs compression "brotli"`,
			"initramfs_type: initramfs type (full-os) is not supported yet"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := writeFixture(t, tc.template, goodYAML)
			out, err := packer(t, dir, "validate", ".")
			if err == nil {
				t.Fatal("packer validate accepted a template with bad settings")
			}
			out = oneLine(out)
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("the error output does not mention %q", want)
				}
			}
		})
	}
}

// iso.kdumpBootFiles: none is what the plugin does (the media carries no kdump boot files);
// keep is refused naming the setting, by the provisioner and by the post-processor that read the file.
func TestValidateKdumpBootFiles(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"none", true}, {"keep", false}} {
		t.Run(tc.value, func(t *testing.T) {
			yaml := goodYAML + "  kdumpBootFiles: " + tc.value + "\n"
			dir := writeFixture(t, goodTemplate, yaml)
			out, err := packer(t, dir, "validate", ".")
			if tc.ok {
				if err != nil {
					t.Fatalf("packer validate refused iso.kdumpBootFiles: %s: %v", tc.value, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("packer validate accepted iso.kdumpBootFiles: %s", tc.value)
			}
			if out = oneLine(out); !strings.Contains(out, "iso.kdumpBootFiles") || !strings.Contains(out, "(keep) are not supported") {
				t.Errorf("the error does not name iso.kdumpBootFiles and its value:\n%s", out)
			}
		})
	}
}

func TestValidateRejectsAMissingBaseImage(t *testing.T) {
	tpl := strings.Replace(goodTemplate, `base_image    = "base.qcow2"`, `base_image    = "does-not-exist.qcow2"`, 1)
	dir := writeFixture(t, tpl, goodYAML)
	out, err := packer(t, dir, "validate", ".")
	if err == nil || !strings.Contains(out, "base_image") || !strings.Contains(out, "does-not-exist.qcow2") {
		t.Fatalf("want an error naming base_image and the path, got err=%v", err)
	}
}

func TestPluginIsInstalled(t *testing.T) {
	out, err := packer(t, ".", "plugins", "installed")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "packer-plugin-imagecustomizer_v") {
		t.Fatalf("packer plugins installed does not list the plugin")
	}
}
