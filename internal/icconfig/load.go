package icconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// unsupported lists the original's sections that this plugin does not
// implement, by parent section. They are refused by name so that a config
// written for the original never loses a setting silently.
var unsupported = map[string][]string{
	"":   {"input", "storage", "pxe", "output", "previewFeatures", "baseConfigs"},
	"os": {"packages", "selinux", "bootloader", "uki", "overlays", "imageHistory"},
}

// Load reads and decodes the YAML (or JSON) configuration at path.
// Relative paths in it are resolved against the file's directory. Decoding
// problems are returned joined, each naming its YAML path; the caller names
// the file (see ForFile).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read image customizer config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve image customizer config path %s: %w", path, err)
	}
	return Parse(data, filepath.Dir(abs))
}

// Parse decodes a configuration strictly: an unknown key is an error that
// names it (and the key it probably meant), and so is a value of the wrong
// kind and a supported-by-the-original-only section, all reported at once.
// Relative
// additional file and directory sources and SSH key paths are resolved
// against baseDir; script paths stay relative (see Config.ScriptPath).
func Parse(data []byte, baseDir string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if err := errors.Join(checkUnsupported(&root), checkShape(&root)); err != nil {
		return nil, err
	}
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	c.BaseDir = baseDir
	c.ResolvePaths()
	return c, nil
}

func checkUnsupported(root *yaml.Node) error {
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil // let the strict decoder report the type error
	}
	var errs []error
	errs = append(errs, refuse(root, "")...)
	if osNode := child(root, "os"); osNode != nil && osNode.Kind == yaml.MappingNode {
		errs = append(errs, refuse(osNode, "os")...)
	}
	return errors.Join(errs...)
}

func refuse(m *yaml.Node, parent string) []error {
	var errs []error
	for _, key := range unsupported[parent] {
		if child(m, key) != nil {
			name := key
			if parent != "" {
				name = parent + "." + key
			}
			errs = append(errs, fmt.Errorf("%s is not supported by packer-plugin-imagecustomizer", name))
		}
	}
	return errs
}

func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// ResolvePaths makes relative host paths absolute against BaseDir:
// additional file and directory sources, SSH public key paths and password
// files. Script paths are left relative: the original requires them to be
// local to the config directory. Destinations are normalised
// (NormalizeDestination).
func (c *Config) ResolvePaths() {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(c.BaseDir, *p)
		}
	}
	dest := func(p *string) {
		if *p != "" {
			*p = NormalizeDestination(*p)
		}
	}
	if c.OS != nil {
		for i := range c.OS.AdditionalFiles {
			abs(&c.OS.AdditionalFiles[i].Source)
			dest(&c.OS.AdditionalFiles[i].Destination)
		}
		for i := range c.OS.AdditionalDirs {
			abs(&c.OS.AdditionalDirs[i].Source)
			dest(&c.OS.AdditionalDirs[i].Destination)
		}
		for i := range c.OS.Users {
			u := &c.OS.Users[i]
			for j := range u.SSHPublicKeyPaths {
				abs(&u.SSHPublicKeyPaths[j])
			}
			if u.Password != nil && (u.Password.Type == PasswordPlainTextFile || u.Password.Type == PasswordHashedFile) {
				abs(&u.Password.Value)
			}
		}
	}
	if c.Iso != nil {
		for i := range c.Iso.AdditionalFiles {
			abs(&c.Iso.AdditionalFiles[i].Source)
			dest(&c.Iso.AdditionalFiles[i].Destination)
		}
	}
}

// ScriptPath is the host path of a path script.
func (c *Config) ScriptPath(s Script) string {
	return filepath.Join(c.BaseDir, s.Path)
}
