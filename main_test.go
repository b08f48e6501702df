package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The release files must be named as Packer's installer expects:
// packer-plugin-<name>_v<version>_<api version>_<os>_<arch>, with a SHA256SUMS file; the API
// version comes from the environment (the plugin's describe output), never written in the file,
// and releases are published, not drafts (`packer init` does not see drafts).
func TestGoreleaserNames(t *testing.T) {
	raw, err := os.ReadFile(".goreleaser.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ProjectName string `yaml:"project_name"`
		Builds      []struct {
			Binary string `yaml:"binary"`
		} `yaml:"builds"`
		Archives []struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"archives"`
		Release struct {
			Draft bool `yaml:"draft"`
		} `yaml:"release"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ProjectName != "packer-plugin-imagecustomizer" {
		t.Errorf("project_name = %q", cfg.ProjectName)
	}
	want := "{{ .ProjectName }}_v{{ .Version }}_{{ .Env.API_VERSION }}_{{ .Os }}_{{ .Arch }}"
	for i, b := range cfg.Builds {
		if b.Binary != want {
			t.Errorf("builds[%d].binary = %q, want %q", i, b.Binary, want)
		}
	}
	if len(cfg.Archives) == 0 || cfg.Archives[0].NameTemplate != want {
		t.Errorf("archives name_template = %+v, want %q", cfg.Archives, want)
	}
	if cfg.Release.Draft {
		t.Error("release.draft is true: packer init cannot install from a draft release")
	}
	if strings.Contains(string(raw), "_x5.") {
		t.Error(".goreleaser.yml hard-codes a plugin API version")
	}
	if !strings.HasSuffix(cfg.Checksum.NameTemplate, "_SHA256SUMS") || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum = %+v, want a sha256 SHA256SUMS file", cfg.Checksum)
	}
}
