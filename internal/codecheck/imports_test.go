package codecheck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/imagecustomizer/packer-plugin-imagecustomizer/"

// imports maps each package directory (relative to the repository) to what its non-test
// files import.
func imports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel("../..", filepath.Dir(p))
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			out[dir][path] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The arrows point one way: adapters use internal/, never each other (the post-processor
// takes any artifact and shares ids through internal/artifacts); internal/ knows nothing of
// Packer; the disk image layer knows nothing of the Live OS media.
func TestImportArrows(t *testing.T) {
	rules := []struct {
		from, forbidden, why string
	}{
		{"post-processor/", module + "builder/", "the post-processor must not import the builder"},
		{"post-processor/", module + "provisioner/", "the post-processor must not import the provisioner"},
		{"provisioner/", module + "builder/", "the provisioner must not import the builder"},
		{"builder/", module + "post-processor/", "the builder must not import the post-processor"},
		{"internal/", "github.com/hashicorp/packer-plugin-sdk", "internal/ must not import the Packer SDK"},
		{"internal/", module + "builder/", "internal/ must not import an adapter"},
		{"internal/", module + "post-processor/", "internal/ must not import an adapter"},
		{"internal/", module + "provisioner/", "internal/ must not import an adapter"},
		{"internal/", module + "stepstate", "internal/ must not import adapter support"},
		{"internal/diskimage", module + "internal/liveos", "the disk image layer must not know the Live OS media"},
	}
	found := 0
	for dir, imps := range imports(t) {
		dir = filepath.ToSlash(dir)
		for imp := range imps {
			for _, r := range rules {
				if strings.HasPrefix(dir+"/", r.from) || strings.HasPrefix(dir, r.from) {
					found++
					if strings.HasPrefix(imp, r.forbidden) {
						t.Errorf("%s imports %s: %s", dir, imp, r.why)
					}
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no package matched any rule: the walk found nothing")
	}
}
