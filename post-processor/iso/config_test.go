package iso

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeYAML(t *testing.T, content string, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("data of "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "ic.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigureDefaults(t *testing.T) {
	var c Config
	if err := c.Prepare(map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	if c.VolumeLabel != "CDROM" || c.SquashfsCompression != "gzip" || c.iso.InitramfsType != "bootstrap" || !c.biosBoot() {
		t.Errorf("defaults: label %q, compression %q, initramfs %q, bios %v", c.VolumeLabel, c.SquashfsCompression, c.iso.InitramfsType, c.biosBoot())
	}
}

// config_file's iso section comes first; HCL lists are appended; its relative paths resolve
// against the YAML's directory.
func TestConfigureMergesConfigFileAndHCL(t *testing.T) {
	yaml := writeYAML(t, `
os:
  hostname: ignored-here
iso:
  additionalFiles:
    seed/user-data: /cloud-init-data/user-data
  kernelCommandLine:
    extraCommandLine: ["ds=nocloud"]
`, "seed/user-data")
	content := "inline"
	var c Config
	err := c.Prepare(map[string]interface{}{
		"config_file":         yaml,
		"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"quiet"}},
		"additional_files":    []map[string]interface{}{{"destination": "/notes.txt", "content": content, "permissions": "600"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.extraArgs(), " "); got != "ds=nocloud quiet" {
		t.Errorf("kernel args = %q, want the file's then HCL's", got)
	}
	files := c.iso.AdditionalFiles
	if len(files) != 2 || files[0].Destination != "/cloud-init-data/user-data" || files[1].Destination != "/notes.txt" {
		t.Fatalf("additional files = %+v", files)
	}
	if want := filepath.Join(filepath.Dir(yaml), "seed/user-data"); files[0].Source != want {
		t.Errorf("source = %q, want %q (relative to the YAML)", files[0].Source, want)
	}
	if files[1].Permissions == nil || *files[1].Permissions != 0o600 {
		t.Errorf("permissions = %v, want 600", files[1].Permissions)
	}
}

func TestConfigureReportsEveryErrorAtOnce(t *testing.T) {
	var c Config
	err := c.Prepare(map[string]interface{}{
		"volume_label":         "has space",
		"squashfs_compression": "brotli",
		"initramfs_type":       "full-os",
		"kernel_command_line":  map[string]interface{}{"extra_command_line": []string{"ok", ""}},
		"additional_files": []map[string]interface{}{
			{"destination": "/a"},
			{"destination": "/b", "content": "x", "permissions": "9999"},
		},
	})
	if err == nil {
		t.Fatal("Prepare accepted a bad configuration")
	}
	want := []string{
		`volume_label: invalid media label "has space"`,
		`squashfs_compression: invalid squashfs compression "brotli"`,
		"initramfs_type: initramfs type (full-os) is not supported yet",
		"kernel_command_line.extra_command_line[1]: invalid kernel_command_line: kernel argument cannot be empty",
		"additional_files[0]: must specify either 'source' or 'content'",
		"additional_files[1].permissions: invalid permissions (9999)",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
	// One bullet per problem, none twice.
	if me, ok := err.(*packersdk.MultiError); !ok || len(me.Errors) != len(want) {
		t.Errorf("want %d separate errors, got:\n%v", len(want), err)
	}
	if n := strings.Count(err.Error(), "full-os"); n != 1 {
		t.Errorf("full-os is reported %d times, want once", n)
	}
}

// Problems in config_file are named in YAML, with the file; problems in HCL by attribute.
func TestConfigureNamesProblemsAsTheUserWroteThem(t *testing.T) {
	yaml := writeYAML(t, "iso:\n  initramfsType: full-os\n  additionalFiles:\n    - destination: /a\n  kernelCommandLin: {}\n")
	var c Config
	err := c.Prepare(map[string]interface{}{
		"config_file":      yaml,
		"additional_files": []map[string]interface{}{{"destination": "/b"}},
	})
	if err == nil {
		t.Fatal("Prepare accepted a bad configuration")
	}
	for _, w := range []string{
		"config_file " + yaml + ": iso.kernelCommandLin (line 5): unknown key; did you mean kernelCommandLine?",
		"additional_files[0]: must specify either 'source' or 'content'",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
	// HCL's initramfs_type wins over the file's, so the file's full-os is not a problem.
	c = Config{}
	yaml = writeYAML(t, "iso:\n  initramfsType: full-os\n  additionalFiles:\n    - destination: /a\n")
	err = c.Prepare(map[string]interface{}{"config_file": yaml, "initramfs_type": "bootstrap"})
	if err == nil || strings.Contains(err.Error(), "full-os") ||
		!strings.Contains(err.Error(), "config_file "+yaml+": iso.additionalFiles[0]: must specify either 'source' or 'content'") {
		t.Errorf("want only the file's additionalFiles problem, got:\n%v", err)
	}
}

func TestConfigureRejectsABadConfigFile(t *testing.T) {
	yaml := writeYAML(t, "iso:\n  kernelCommandLine:\n    extraCommandLine: [\"a\"]\n  unknownKey: 1\n")
	var c Config
	err := c.Prepare(map[string]interface{}{"config_file": yaml})
	if err == nil || !strings.Contains(err.Error(), "config_file") || !strings.Contains(err.Error(), "unknownKey") {
		t.Fatalf("want an error naming config_file and the unknown key, got %v", err)
	}
}
