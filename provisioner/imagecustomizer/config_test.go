package imagecustomizer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// makeFiles creates files (relative path -> content) under dir.
func makeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// twinYAML and twinHCL are the same settings in both input forms.
const twinYAML = `
os:
  hostname: live-01
  kernelCommandLine:
    extraCommandLine: [ds=nocloud, "console=ttyS0,115200"]
  additionalFiles:
    cloud-init-data/user-data: /var/lib/cloud/seed/nocloud/user-data
    cloud-init-data/meta-data: /var/lib/cloud/seed/nocloud/meta-data
  additionalDirs:
  - source: tree
    destination: /opt/tree
    newDirPermissions: "750"
  groups:
  - name: ops
    gid: 1500
  users:
  - name: alice
    uid: 1500
    password: {type: hashed, value: "$6$salt$hash"}
    sshPublicKeys: ["ssh-ed25519 AAAA alice@example"]
    primaryGroup: ops
  services:
    enable: [ssh.service]
    disable: [getty@tty1.service]
  modules:
  - name: br_netfilter
    loadMode: always
    options: {debug: "1"}
scripts:
  postCustomization:
  - path: scripts/post.sh
    arguments: [a, "b c"]
  finalizeCustomization:
  - content: "echo \"{{ not a template }} $GREETING\" > /finalize.out"
    environmentVariables: {GREETING: hello}
    name: finalize
`

func twinHCL() map[string]interface{} {
	return map[string]interface{}{
		"os": map[string]interface{}{
			"hostname":            "live-01",
			"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"ds=nocloud", "console=ttyS0,115200"}},
			"additional_files": []map[string]interface{}{
				{"source": "cloud-init-data/user-data", "destination": "/var/lib/cloud/seed/nocloud/user-data"},
				{"source": "cloud-init-data/meta-data", "destination": "/var/lib/cloud/seed/nocloud/meta-data"},
			},
			"additional_dirs": []map[string]interface{}{{"source": "tree", "destination": "/opt/tree", "new_dir_permissions": "750"}},
			"groups":          []map[string]interface{}{{"name": "ops", "gid": 1500}},
			"users": []map[string]interface{}{{
				"name": "alice", "uid": 1500,
				"password":        map[string]interface{}{"type": "hashed", "value": "$6$salt$hash"},
				"ssh_public_keys": []string{"ssh-ed25519 AAAA alice@example"},
				"primary_group":   "ops",
			}},
			"services": map[string]interface{}{"enable": []string{"ssh.service"}, "disable": []string{"getty@tty1.service"}},
			"modules":  []map[string]interface{}{{"name": "br_netfilter", "load_mode": "always", "options": map[string]string{"debug": "1"}}},
		},
		"scripts": map[string]interface{}{
			"post_customization": []map[string]interface{}{{"path": "scripts/post.sh", "arguments": []string{"a", "b c"}}},
			"finalize_customization": []map[string]interface{}{{
				"content":               "echo \"{{ not a template }} $GREETING\" > /finalize.out",
				"environment_variables": map[string]string{"GREETING": "hello"},
				"name":                  "finalize",
			}},
		},
	}
}

// twinDir makes the files both twins refer to and returns the directory.
func twinDir(t *testing.T) string {
	dir := t.TempDir()
	makeFiles(t, dir, map[string]string{
		"ic.yaml":                   twinYAML,
		"cloud-init-data/user-data": "#cloud-config\n",
		"cloud-init-data/meta-data": "instance-id: live-01\n",
		"tree/a.txt":                "a\n",
		"tree/sub/b.txt":            "b\n",
		"tree/new/c.txt":            "c\n",
		"scripts/post.sh":           "echo post \"$@\" > /post.out\n",
	})
	return dir
}

func TestPrepareHCLAndYAMLGiveTheSameConfig(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir) // HCL relative paths resolve against the current directory

	var fromYAML, fromHCL Provisioner
	if err := fromYAML.Prepare(map[string]interface{}{"config_file": "ic.yaml"}); err != nil {
		t.Fatalf("Prepare(config_file): %v", err)
	}
	if err := fromHCL.Prepare(twinHCL()); err != nil {
		t.Fatalf("Prepare(HCL): %v", err)
	}
	if !reflect.DeepEqual(fromYAML.ic, fromHCL.ic) {
		t.Errorf("configs differ\nYAML: %#v\nHCL:  %#v", fromYAML.ic.OS, fromHCL.ic.OS)
	}
	if got := fromHCL.ic.OS.AdditionalFiles[0].Source; got != filepath.Join(dir, "cloud-init-data/user-data") {
		t.Errorf("source = %q, want it resolved against %s", got, dir)
	}
	if got := fromHCL.ic.Scripts.FinalizeCustomization[0].Content; got != "echo \"{{ not a template }} $GREETING\" > /finalize.out" {
		t.Errorf("script content was changed by interpolation: %q", got)
	}
}

func TestPrepareYAMLResolvesAgainstItsDirectory(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(t.TempDir()) // somewhere else
	var p Provisioner
	if err := p.Prepare(map[string]interface{}{"config_file": filepath.Join(dir, "ic.yaml")}); err != nil {
		t.Fatal(err)
	}
	if p.ic.BaseDir != dir || p.ic.OS.AdditionalDirs[0].Source != filepath.Join(dir, "tree") {
		t.Errorf("BaseDir %q, dir source %q; want them under %s", p.ic.BaseDir, p.ic.OS.AdditionalDirs[0].Source, dir)
	}
}

func TestPrepareAcceptsTheIsoSectionAndSeedExample2(t *testing.T) {
	dir := t.TempDir()
	makeFiles(t, dir, map[string]string{
		"cloud-init-data/user-data": "", "cloud-init-data/network-config": "", "cloud-init-data/meta-data": "",
		"ic.yaml": `
os:
  kernelCommandLine:
    extraCommandLine:
    - "ds=nocloud"
  additionalFiles:
    cloud-init-data/user-data: /var/lib/cloud/seed/nocloud/user-data
    cloud-init-data/network-config: /var/lib/cloud/seed/nocloud/network-config
    cloud-init-data/meta-data: /var/lib/cloud/seed/nocloud/meta-data
iso:
  kernelCommandLine: {extraCommandLine: [quiet]}
  initramfsType: bootstrap
`})
	var p Provisioner
	if err := p.Prepare(map[string]interface{}{"config_file": filepath.Join(dir, "ic.yaml")}); err != nil {
		t.Fatal(err)
	}
	if n := len(p.ic.OS.AdditionalFiles); n != 3 {
		t.Errorf("%d additional files, want 3", n)
	}
}

func TestPrepareErrors(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir)
	makeFiles(t, dir, map[string]string{
		"packages.yaml": "os:\n  packages:\n    install: [vim]\n",
		"typos.yaml":    "os:\n  hostnme: x\n  users:\n    - name: a\n      uid: x\n",
		"invalid.yaml":  "os:\n  additionalFiles:\n    - destination: /a\n  kernelCommandLine:\n    extraCommandLine: [\"\"]\n",
	})
	tests := []struct {
		name string
		raw  map[string]interface{}
		want []string
	}{
		{"nothing", map[string]interface{}{}, []string{"nothing to do"}},
		{"both forms", map[string]interface{}{"config_file": "ic.yaml", "os": map[string]interface{}{"hostname": "x"}},
			[]string{"config_file cannot be combined with the os and scripts blocks"}},
		{"missing file", map[string]interface{}{"config_file": "nope.yaml"}, []string{"nope.yaml"}},
		{"unsupported section", map[string]interface{}{"config_file": "packages.yaml"},
			[]string{"config_file packages.yaml: os.packages is not supported by packer-plugin-imagecustomizer"}},
		{"YAML problems in YAML terms", map[string]interface{}{"config_file": "typos.yaml"}, []string{
			"config_file typos.yaml: os.hostnme (line 2): unknown key; did you mean hostname?",
			`config_file typos.yaml: os.users[0].uid (line 5): must be a whole number, not "x"`,
		}},
		{"YAML validation in YAML terms", map[string]interface{}{"config_file": "invalid.yaml"}, []string{
			"config_file invalid.yaml: os.additionalFiles[0]: must specify either 'source' or 'content'",
			"config_file invalid.yaml: os.kernelCommandLine.extraCommandLine[0]: invalid kernelCommandLine",
		}},
		{"unknown HCL key", map[string]interface{}{"os": map[string]interface{}{"hostnme": "x"}}, []string{"hostnme"}},
		{"every HCL problem at once", map[string]interface{}{"os": map[string]interface{}{
			"hostname":         "bad_name",
			"additional_files": []map[string]interface{}{{"destination": "/a", "permissions": "rwx"}, {"destination": "/b", "source": "nope"}},
		}, "scripts": map[string]interface{}{"post_customization": []map[string]interface{}{{"path": "../x.sh"}}}},
			[]string{
				"os.additional_files[0].permissions: invalid permissions (rwx)",
				"os.hostname: invalid hostname (bad_name)",
				"os.additional_files[0]: must specify either 'source' or 'content'",
				"os.additional_files[1].source: invalid source (" + filepath.Join(dir, "nope") + ")",
				"scripts.post_customization[0]: script file (../x.sh) is not under config directory",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Provisioner
			err := p.Prepare(tt.raw)
			if err == nil {
				t.Fatal("Prepare succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if me, ok := err.(*packersdk.MultiError); ok && len(tt.want) > 1 && len(me.Errors) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(me.Errors), len(tt.want), err)
			}
		})
	}
}
