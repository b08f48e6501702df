package icconfig

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode"
)

// FieldError is a problem with one setting, named by its path in the YAML
// (`os.users[0].uid`) and, when it was read from a file, its line.
type FieldError struct {
	Path string
	Line int
	Err  error
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s (line %d): %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Flatten lists the problems in err one by one: errors.Join results are
// unpacked recursively, so that a caller can report each on its own line.
func Flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// ForFile names the configuration file in each problem of err, the way a
// Packer user set it: `config_file ic.yaml: os.hostnme (line 3): ...`.
func ForFile(file string, err error) []error {
	var out []error
	for _, e := range Flatten(err) {
		out = append(out, fmt.Errorf("config_file %s: %w", file, e))
	}
	return out
}

// ForHCL renames the YAML paths of err's problems for a configuration that
// was written in HCL: rename maps a YAML path (`os.additionalFiles[0].source`)
// to the HCL one, and YAML key names in the message (outside the quoted or
// parenthesized values) become HCL attribute names.
func ForHCL(err error, rename func(yamlPath string) string) []error {
	var out []error
	for _, e := range Flatten(err) {
		var fe *FieldError
		if errors.As(e, &fe) && e == error(fe) {
			out = append(out, &FieldError{Path: rename(fe.Path), Err: errors.New(hclText(fe.Err.Error()))})
			continue
		}
		out = append(out, e)
	}
	return out
}

// HCLPath is the snake_case twin of a YAML path, the naming of the
// provisioner's HCL blocks: `os.additionalFiles[0]` -> `os.additional_files[0]`.
func HCLPath(yamlPath string) string {
	return pathSegment.ReplaceAllStringFunc(yamlPath, SnakeCase)
}

var pathSegment = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*`)

// SnakeCase turns a camelCase YAML key into its HCL attribute name.
func SnakeCase(key string) string {
	var b strings.Builder
	for i, r := range key {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hclText renames the camelCase YAML keys in msg, leaving text inside
// parentheses, quotes and backquotes (the user's values) alone.
func hclText(msg string) string {
	var b strings.Builder
	depth, quote := 0, rune(0)
	word := strings.Builder{}
	flush := func() {
		w := word.String()
		if depth == 0 && quote == 0 && yamlKeys[w] {
			w = SnakeCase(w)
		}
		b.WriteString(w)
		word.Reset()
	}
	for _, r := range msg {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			word.WriteRune(r)
			continue
		}
		flush()
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
		case r == '"' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		}
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// yamlKeys is every camelCase key of the configuration's YAML.
var yamlKeys = func() map[string]bool {
	keys := map[string]bool{}
	var visit func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for name, ft := range yamlFields(t) {
			if strings.ToLower(name) != name {
				keys[name] = true
			}
			visit(ft)
		}
	}
	visit(reflect.TypeOf(Config{}))
	return keys
}()

// yamlFields maps the YAML keys of struct type t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}
