package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/post-processor/iso"
	provisioner "github.com/imagecustomizer/packer-plugin-imagecustomizer/provisioner/imagecustomizer"
)

// The YAML to HCL table of docs/README.md lists every key of the Image Customizer YAML this
// plugin reads, and every HCL name in it exists in its component's HCL spec.
func TestYAMLToHCLTableIsComplete(t *testing.T) {
	raw, err := os.ReadFile("docs/README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([^`]+)` \\| ([a-z-]+|—) \\| (?:`([^`]+)`|—)")
	rows := map[string][2]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			rows[m[1]] = [2]string{m[2], m[3]}
		}
	}
	specs := map[string]hcldec.ObjectSpec{
		"provisioner":    new(provisioner.Config).FlatMapstructure().HCL2Spec(),
		"post-processor": new(iso.Config).FlatMapstructure().HCL2Spec(),
	}
	for _, key := range yamlPaths(reflect.TypeOf(icconfig.Config{}), "") {
		r, ok := rows[key]
		if !ok {
			t.Errorf("docs/README.md has no row for the YAML key %s", key)
			continue
		}
		if r[1] == "" {
			continue
		}
		spec, ok := specs[r[0]]
		if !ok {
			t.Errorf("%s: unknown component %q", key, r[0])
			continue
		}
		if !inSpec(spec, strings.Split(strings.ReplaceAll(r[1], "[]", ""), ".")) {
			t.Errorf("%s: the %s has no HCL setting %s", key, r[0], r[1])
		}
	}
}

// yamlPaths lists the key paths of t's YAML, lists marked with [].
func yamlPaths(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
		prefix += "[]"
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		out = append(out, p)
		out = append(out, yamlPaths(t.Field(i).Type, p)...)
	}
	return out
}

// inSpec reports whether the block and attribute path exists in spec.
func inSpec(spec hcldec.ObjectSpec, path []string) bool {
	s, ok := spec[path[0]]
	if !ok {
		return false
	}
	if len(path) == 1 {
		return true
	}
	switch b := s.(type) {
	case *hcldec.BlockSpec:
		return nestedHas(b.Nested, path[1:])
	case *hcldec.BlockListSpec:
		return nestedHas(b.Nested, path[1:])
	}
	return false
}

func nestedHas(n hcldec.Spec, path []string) bool {
	o, ok := n.(hcldec.ObjectSpec)
	return ok && inSpec(o, path)
}
