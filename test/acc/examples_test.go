package acc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every template under example/ is valid. Their variables are all input images, so each is
// given a placeholder file (Prepare checks that the file exists, not what it holds).
func TestExamplesValidate(t *testing.T) {
	requireAcc(t)
	root := filepath.Join(repoRoot(t), "example")
	placeholder := filepath.Join(t.TempDir(), "image.qcow2")
	if err := os.WriteFile(placeholder, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	variable := regexp.MustCompile(`(?m)^variable "([^"]+)"`)
	dirs := map[string]bool{}
	templates, _ := filepath.Glob(filepath.Join(root, "*.pkr.hcl"))
	nested, _ := filepath.Glob(filepath.Join(root, "*", "*.pkr.hcl"))
	for _, f := range append(templates, nested...) {
		dirs[filepath.Dir(f)] = true
	}
	if len(dirs) < 3 {
		t.Fatalf("found %d example directories, want at least 3", len(dirs))
	}
	for dir := range dirs {
		name, _ := filepath.Rel(root, dir)
		t.Run(name, func(t *testing.T) {
			args := []string{"validate"}
			files, _ := filepath.Glob(filepath.Join(dir, "*.pkr.hcl"))
			for _, f := range files {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range variable.FindAllStringSubmatch(string(src), -1) {
					args = append(args, "-var", m[1]+"="+placeholder)
				}
			}
			out, err := packer(t, dir, append(args, ".")...)
			if err != nil || !strings.Contains(out, "The configuration is valid") {
				t.Fatalf("packer validate %s: %v", name, err)
			}
		})
	}
}
