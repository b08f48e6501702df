package liveos

import (
	"bytes"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// SavedConfig records on the media how it was built
// (/imagecustomizer/saved-config.yaml), so that a later build taking this
// ISO as input can keep the user's kernel arguments and choices, as the
// original tool's saved-configs.yaml does.
type SavedConfig struct {
	Label         string   `yaml:"label"`
	LiveArgs      []string `yaml:"liveArgs,omitempty"`
	ImageArgs     []string `yaml:"imageArgs,omitempty"`
	UserArgs      []string `yaml:"userArgs,omitempty"`
	Compression   string   `yaml:"compression,omitempty"`
	InitramfsType string   `yaml:"initramfsType,omitempty"`
	PluginVersion string   `yaml:"pluginVersion,omitempty"`
	// Kernels are the kernel versions on the media, default first.
	Kernels []string `yaml:"kernels,omitempty"`
}

const savedConfigHeader = "# How this Live OS media was built; read back when it is customized again.\n"

// Marshal renders s as YAML with a header comment.
func (s SavedConfig) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(savedConfigHeader)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode the saved config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode the saved config: %w", err)
	}
	return b.Bytes(), nil
}

// ParseSavedConfig reads a saved config. Unknown keys are ignored so that
// media written by a newer plugin can still be read.
func ParseSavedConfig(data []byte) (SavedConfig, error) {
	var s SavedConfig
	if err := yaml.Unmarshal(data, &s); err != nil {
		return SavedConfig{}, fmt.Errorf("parse %s: %w", PathSavedConfig, err)
	}
	if s.Label == "" {
		return SavedConfig{}, fmt.Errorf("parse %s: %w", PathSavedConfig, errors.New("no label"))
	}
	return s, nil
}
