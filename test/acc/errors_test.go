package acc

import (
	"strings"
	"testing"
)

// A mistake is named the way the user wrote it: a misspelt YAML key with the key it probably
// meant, a YAML type error with its field path, both with config_file; an HCL mistake with the
// HCL attribute path. Each problem is its own bullet, and none is reported twice.
func TestValidateNamesMistakesInTheUsersTerms(t *testing.T) {
	typos := `
os:
  hostnme: demo
  users:
    - name: alice
      uid: abc
iso:
  initramfsType: full-os
`
	tpl := `
source "imagecustomizer" "acc" {
  base_image = "base.qcow2"
}
build {
  sources = ["source.imagecustomizer.acc"]
  provisioner "imagecustomizer" {
    config_file = "typos.yaml"
  }
}
`
	dir := writeFixture(t, tpl, goodYAML)
	writeFile(t, dir, "typos.yaml", typos)
	out, err := packer(t, dir, "validate", ".")
	if err == nil {
		t.Fatal("packer validate accepted misspelt YAML")
	}
	out = oneLine(out)
	for _, want := range []string{
		"* config_file typos.yaml: os.hostnme (line 3): unknown key; did you mean hostname?",
		`* config_file typos.yaml: os.users[0].uid (line 6): must be a whole number, not "abc"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not contain %q", want)
		}
	}
	if strings.Contains(out, "icconfig.") || strings.Contains(out, "unmarshal") {
		t.Error("the output names Go types")
	}

	hcl := `
source "imagecustomizer" "acc" {
  base_image = "base.qcow2"
}
build {
  sources = ["source.imagecustomizer.acc"]
  provisioner "imagecustomizer" {
    os {
      additional_files {
        source      = "files/absent"
        destination = "/etc/absent"
      }
    }
  }
}
`
	dir = writeFixture(t, hcl, goodYAML)
	out, err = packer(t, dir, "validate", ".")
	if err == nil {
		t.Fatal("packer validate accepted a missing source")
	}
	out = oneLine(out)
	if !strings.Contains(out, "* os.additional_files[0].source: invalid source (") {
		t.Error("the output does not name os.additional_files[0].source")
	}
	if strings.Contains(out, "additionalFiles") {
		t.Error("the output names an HCL setting by its YAML name")
	}
}

// The post-processor reports initramfs_type = "full-os" once, under its HCL name.
func TestValidateReportsOneProblemOnce(t *testing.T) {
	tpl := `
source "imagecustomizer" "acc" {
  base_image = "base.qcow2"
}
build {
  sources = ["source.imagecustomizer.acc"]
  post-processor "imagecustomizer-iso" {
    initramfs_type = "full-os"
  }
}
`
	dir := writeFixture(t, tpl, goodYAML)
	out, err := packer(t, dir, "validate", ".")
	if err == nil {
		t.Fatal("packer validate accepted full-os")
	}
	out = oneLine(out)
	if n := strings.Count(out, "full-os"); n != 1 || !strings.Contains(out, "* initramfs_type: ") {
		t.Errorf("full-os is reported %d times, want once as initramfs_type", n)
	}
}

// oneLine undoes Packer's wrapping of long error lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
