package icconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// seedExample2 is example 2 of the ISO concept page: cloud-init seed files
// in the map form of os.additionalFiles.
const seedExample2 = `
os:
  kernelCommandLine:
    extraCommandLine:
    - "ds=nocloud"

  additionalFiles:
    cloud-init-data/user-data: /var/lib/cloud/seed/nocloud/user-data
    cloud-init-data/network-config: /var/lib/cloud/seed/nocloud/network-config
    cloud-init-data/meta-data: /var/lib/cloud/seed/nocloud/meta-data
`

func TestParseMapFormKeepsOrderAndResolvesAgainstBaseDir(t *testing.T) {
	c, err := Parse([]byte(seedExample2), "/cfg")
	if err != nil {
		t.Fatal(err)
	}
	want := AdditionalFileList{
		{Source: "/cfg/cloud-init-data/user-data", Destination: "/var/lib/cloud/seed/nocloud/user-data"},
		{Source: "/cfg/cloud-init-data/network-config", Destination: "/var/lib/cloud/seed/nocloud/network-config"},
		{Source: "/cfg/cloud-init-data/meta-data", Destination: "/var/lib/cloud/seed/nocloud/meta-data"},
	}
	if !reflect.DeepEqual(c.OS.AdditionalFiles, want) {
		t.Errorf("additionalFiles = %+v\nwant %+v", c.OS.AdditionalFiles, want)
	}
	if got := c.OS.KernelCommandLine.ExtraCommandLine; !reflect.DeepEqual(got, []string{"ds=nocloud"}) {
		t.Errorf("extraCommandLine = %q", got)
	}
	if c.BaseDir != "/cfg" {
		t.Errorf("BaseDir = %q", c.BaseDir)
	}
}

func TestParseListForm(t *testing.T) {
	c, err := Parse([]byte(`
os:
  additionalFiles:
  - destination: /etc/a
    source: files/a
    permissions: "640"
  - destination: /etc/b
    content: ""
  - destination: /etc/c
    source: /abs/c
    permissions: 755
scripts:
  postCustomization:
  - path: scripts/x.sh
iso:
  additionalFiles:
    media/readme: /readme
  initramfsType: bootstrap
`), "/cfg")
	if err != nil {
		t.Fatal(err)
	}
	want := AdditionalFileList{
		{Destination: "/etc/a", Source: "/cfg/files/a", Permissions: ptr(FilePermissions(0o640))},
		{Destination: "/etc/b", Content: ptr("")},
		// An unquoted 755 is read as octal, like the original.
		{Destination: "/etc/c", Source: "/abs/c", Permissions: ptr(FilePermissions(0o755))},
	}
	if !reflect.DeepEqual(c.OS.AdditionalFiles, want) {
		t.Errorf("additionalFiles = %+v\nwant %+v", c.OS.AdditionalFiles, want)
	}
	if c.Scripts.PostCustomization[0].Path != "scripts/x.sh" {
		t.Errorf("script path must stay relative, got %q", c.Scripts.PostCustomization[0].Path)
	}
	if got := c.ScriptPath(c.Scripts.PostCustomization[0]); got != "/cfg/scripts/x.sh" {
		t.Errorf("ScriptPath = %q", got)
	}
	if c.Iso.AdditionalFiles[0].Source != "/cfg/media/readme" {
		t.Errorf("iso source = %q", c.Iso.AdditionalFiles[0].Source)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top-level key", "foo: 1\n", []string{"foo (line 1): unknown key"}},
		{"unknown os key", "os:\n  hostnmae: x\n", []string{"os.hostnmae (line 2): unknown key; did you mean hostname?"}},
		{"unknown file key", "os:\n  additionalFiles:\n  - destination: /a\n    contents: x\n",
			[]string{"os.additionalFiles[0].contents (line 4): unknown key; did you mean content?"}},
		{"storage", "storage:\n  disks: []\n", []string{"storage is not supported by packer-plugin-imagecustomizer"}},
		{"os.packages and pxe together", "pxe: {}\nos:\n  packages:\n    install: [vim]\n", []string{
			"pxe is not supported by packer-plugin-imagecustomizer",
			"os.packages is not supported by packer-plugin-imagecustomizer"}},
		{"os.selinux", "os:\n  selinux:\n    mode: disabled\n", []string{"os.selinux is not supported"}},
		{"os.bootloader", "os:\n  bootloader:\n    resetType: hard-reset\n", []string{"os.bootloader is not supported"}},
		{"os.uki", "os:\n  uki: {}\n", []string{"os.uki is not supported"}},
		{"output", "output:\n  image: {}\n", []string{"output is not supported"}},
		{"input", "input:\n  image: {}\n", []string{"input is not supported"}},
		{"previewFeatures", "previewFeatures: [uki]\n", []string{"previewFeatures is not supported"}},
		{"bad permissions", "os:\n  additionalFiles:\n  - destination: /a\n    content: x\n    permissions: rw\n",
			[]string{"invalid permissions (rw)"}},
		{"additionalFiles scalar", "os:\n  additionalFiles: x\n", []string{"os.additionalFiles (line 2): must be a list of files, or a map of source: destination"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "/cfg")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadResolvesAgainstFileDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ic.yaml")
	if err := os.WriteFile(path, []byte(seedExample2), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseDir != dir || c.OS.AdditionalFiles[0].Source != filepath.Join(dir, "cloud-init-data/user-data") {
		t.Errorf("BaseDir %q, source %q", c.BaseDir, c.OS.AdditionalFiles[0].Source)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing) error = %v, want one naming the file", err)
	}
}

func TestParsePermissions(t *testing.T) {
	for in, want := range map[string]FilePermissions{"644": 0o644, "0644": 0o644, "0o755": 0o755, "4755": 0o4755} {
		got, err := ParsePermissions(in)
		if err != nil || got != want {
			t.Errorf("ParsePermissions(%q) = %o, %v; want %o", in, got, err, want)
		}
	}
	for _, in := range []string{"", "9", "rw-", "0o"} {
		if _, err := ParsePermissions(in); err == nil {
			t.Errorf("ParsePermissions(%q) succeeded", in)
		}
	}
}
