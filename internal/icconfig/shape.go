package icconfig

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	fileListType = reflect.TypeOf(AdditionalFileList{})
	permType     = reflect.TypeOf(FilePermissions(0))
)

// checkShape walks the document against the Config type before it is decoded
// and reports, each as a *FieldError with its YAML path and line, every key
// that Config does not have (with the closest known key when one is near) and
// every value of the wrong kind (a list where a map belongs, text where a
// number belongs). yaml.v3's own errors name Go types and stop at the first
// unknown key; these name the setting.
func checkShape(root *yaml.Node) error {
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	var errs []error
	shape(root, reflect.TypeOf(Config{}), "", &errs)
	return errors.Join(errs...)
}

func shape(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	bad := func(format string, args ...any) {
		*errs = append(*errs, &FieldError{Path: path, Line: n.Line, Err: fmt.Errorf(format, args...)})
	}
	switch {
	case t == fileListType:
		switch n.Kind {
		case yaml.SequenceNode:
			shapeItems(n, reflect.TypeOf(AdditionalFile{}), path, errs)
		case yaml.MappingNode: // the source: destination form; UnmarshalYAML checks it
		default:
			bad("must be a list of files, or a map of source: destination")
		}
		return
	case t == permType:
		if n.Kind != yaml.ScalarNode {
			bad("must be an octal string such as \"644\"")
		} else if _, err := ParsePermissions(n.Value); err != nil {
			bad("%w", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("must be a map of settings, not %s", describe(n))
			return
		}
		shapeFields(n, t, path, errs)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("must be a list, not %s", describe(n))
			return
		}
		shapeItems(n, t.Elem(), path, errs)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("must be a map, not %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			shape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), errs)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("must be a single value, not %s", describe(n))
		}
	case reflect.Int, reflect.Int64:
		var v int64
		if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
			bad("must be a whole number, not %s", describe(n))
		}
	case reflect.Bool:
		var v bool
		if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
			bad("must be true or false, not %s", describe(n))
		}
	}
}

func shapeItems(n *yaml.Node, elem reflect.Type, path string, errs *[]error) {
	for i, item := range n.Content {
		shape(item, elem, fmt.Sprintf("%s[%d]", path, i), errs)
	}
}

func shapeFields(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		switch {
		case ok:
			shape(v, ft, join(path, k.Value), errs)
		case slices.Contains(unsupported[path], k.Value):
			// refused by name in checkUnsupported
		default:
			msg := "unknown key"
			if s := closest(k.Value, fields); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			}
			*errs = append(*errs, &FieldError{Path: join(path, k.Value), Line: k.Line, Err: errors.New(msg)})
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node holds, for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// closest is the known key nearest to key: the same name in another case or
// in snake_case, else one within a third of its length in edits (at least 1).
func closest(key string, fields map[string]reflect.Type) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	best, bestDist := "", max(1, len(key)/3)+1
	for _, name := range names {
		if norm(name) == norm(key) {
			return name
		}
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b: the
// Levenshtein distance with a swap of two neighbouring letters as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
