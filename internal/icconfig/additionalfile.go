package icconfig

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FilePermissions is a file mode's permission bits, written in YAML as an
// octal string such as "644" (the original's FilePermissions type).
type FilePermissions os.FileMode

// ParsePermissions reads an octal permission string: "644", "0644" or "0o644".
func ParsePermissions(s string) (FilePermissions, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0o"), "0O")
	v, err := strconv.ParseUint(t, 8, 32)
	if err != nil || t == "" {
		return 0, fmt.Errorf("invalid permissions (%s): must be an octal number such as \"644\"", s)
	}
	return FilePermissions(v), nil
}

// IsValid rejects bits other than the nine permission bits, with the
// original's message.
func (p FilePermissions) IsValid() error {
	if p&^0o777 != 0 {
		return fmt.Errorf("0o%o contains non-permission bits", uint32(p))
	}
	return nil
}

// String renders p as an octal string, the form chmod takes.
func (p FilePermissions) String() string { return fmt.Sprintf("%o", uint32(p)) }

// UnmarshalYAML decodes a scalar as an octal string. An unquoted 644 is
// also read as octal, as the original does (it decodes into a string).
func (p *FilePermissions) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: permissions must be an octal string such as \"644\"", n.Line)
	}
	v, err := ParsePermissions(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*p = v
	return nil
}

// UnmarshalYAML accepts the list form
//
//   - destination: /etc/foo
//     source: foo        # or content: ..., optional permissions: "644"
//
// and the map form used by the ISO concept page (source: destination).
func (l *AdditionalFileList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		// Node.Decode does not inherit the decoder's KnownFields setting,
		// so unknown keys are checked here.
		for _, item := range n.Content {
			if err := knownKeys(item, AdditionalFile{}); err != nil {
				return err
			}
		}
		var items []AdditionalFile
		if err := n.Decode(&items); err != nil {
			return err
		}
		*l = items
		return nil
	case yaml.MappingNode:
		items := make([]AdditionalFile, 0, len(n.Content)/2)
		// Content holds key, value pairs in document order; keep that order.
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: additionalFiles in map form must map a source path to a destination path", k.Line)
			}
			items = append(items, AdditionalFile{Source: k.Value, Destination: v.Value})
		}
		*l = items
		return nil
	default:
		return fmt.Errorf("line %d: additionalFiles must be a list or a map of source: destination", n.Line)
	}
}

// knownKeys reports a mapping key of n that is not a yaml field of v's type,
// in the words of yaml.v3's own strict decoder.
func knownKeys(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	t := reflect.TypeOf(v)
	known := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		known[strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !known[k.Value] {
			return fmt.Errorf("line %d: field %s not found in type %s", k.Line, k.Value, t)
		}
	}
	return nil
}
