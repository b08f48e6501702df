package fields

import (
	"reflect"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/common"

	builder "github.com/imagecustomizer/packer-plugin-imagecustomizer/builder/imagecustomizer"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	iso "github.com/imagecustomizer/packer-plugin-imagecustomizer/post-processor/iso"
	provisioner "github.com/imagecustomizer/packer-plugin-imagecustomizer/provisioner/imagecustomizer"
)

const module = "github.com/imagecustomizer/packer-plugin-imagecustomizer"

// shortPkg names the module's packages in field paths; builder and provisioner are both
// package imagecustomizer, so the import path's last element would not tell them apart.
var shortPkg = map[string]string{
	module + "/builder/imagecustomizer":     "builder",
	module + "/provisioner/imagecustomizer": "provisioner",
	module + "/post-processor/iso":          "iso",
	module + "/internal/icconfig":           "icconfig",
	module + "/internal/hclblocks":          "hclblocks",
}

// roots are the configuration types a user writes: the Image Customizer YAML and the HCL
// configuration of each component.
var roots = []reflect.Type{
	reflect.TypeFor[icconfig.Config](),
	reflect.TypeFor[builder.Config](),
	reflect.TypeFor[provisioner.Config](),
	reflect.TypeFor[iso.Config](),
}

// field is one setting: a struct field of a configuration type.
type field struct {
	path    string // "<pkg>.<Type>.<Field>", e.g. "icconfig.Iso.KdumpBootFiles"
	pkgPath string // import path of the declaring package
	typ     string // declaring type's name
	name    string // field name
}

// settings walks the configuration types from roots and returns every field a user can set,
// each declaring type once. Unexported fields, fields tagged "-" and the SDK's embedded
// common.PackerConfig (filled by Packer core from the build, not written by users) are not
// settings.
func settings() []field {
	var out []field
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		short, ours := shortPkg[t.PkgPath()]
		if t.Kind() != reflect.Struct || !ours || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || tagName(f) == "-" || (f.Anonymous && f.Type == reflect.TypeFor[common.PackerConfig]()) {
				continue
			}
			out = append(out, field{path: short + "." + t.Name() + "." + f.Name, pkgPath: t.PkgPath(), typ: t.Name(), name: f.Name})
			walk(f.Type)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

func tagName(f reflect.StructField) string {
	for _, key := range []string{"yaml", "mapstructure"} {
		if v, ok := f.Tag.Lookup(key); ok {
			return strings.Split(v, ",")[0]
		}
	}
	return f.Name
}
