package hosttools

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runInImage are programs whose argv the code builds but which run inside the image's chroot
// (after "chroot <root>"): the image provides them, not the host.
var runInImage = map[string]bool{"dracut": true}

// The list and the code stay in step: every program the adapters and internal/ build an argv
// for is listed for a component, and every tool listed for a component is run somewhere.
func TestToolsMatchTheArgvTheCodeBuilds(t *testing.T) {
	ran := map[string][]string{}
	// The provisioner is left out: it runs every command through the builder's communicator,
	// inside the image.
	for _, dir := range []string{"../../builder", "../../post-processor", "../../internal"} {
		scanTree(t, dir, ran)
	}
	listed := map[string]bool{}
	for _, tool := range Tools {
		if slices.Contains(tool.Used, Builder) || slices.Contains(tool.Used, PostProcessor) || slices.Contains(tool.Used, BootTest) {
			listed[tool.Name] = true
		}
	}
	for tool, where := range ran {
		if !listed[tool] && !runInImage[tool] {
			t.Errorf("%s is run (%s) but not in hosttools.Tools for a component", tool, strings.Join(where, ", "))
		}
	}
	for tool := range listed {
		if _, ok := ran[tool]; !ok {
			t.Errorf("%s is in hosttools.Tools but no code builds an argv for it", tool)
		}
	}
}

func TestCheckReportsEveryMissingToolWithItsPackage(t *testing.T) {
	err := Check(PostProcessor, func(name string) (string, error) {
		if name == "xorriso" || name == "mksquashfs" {
			return "", os.ErrNotExist
		}
		return "/usr/bin/" + name, nil
	})
	if err == nil || !strings.Contains(err.Error(), "xorriso is not installed; it is in the Debian package xorriso") ||
		!strings.Contains(err.Error(), "mksquashfs is not installed; it is in the Debian package squashfs-tools") {
		t.Errorf("Check = %v", err)
	}
	if err := Check(Builder, func(name string) (string, error) { return name, nil }); err != nil {
		t.Errorf("Check with every tool present = %v", err)
	}
}

var toolName = regexp.MustCompile(`^[a-z][a-z0-9._-]*$`)

func scanTree(t *testing.T, dir string, ran map[string][]string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && (d.Name() == "testenv" || d.Name() == "hosttools") {
				return filepath.SkipDir // the tests' own tools; this list itself
			}
			return err
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		for _, name := range argvTools(f) {
			ran[name] = append(ran[name], filepath.Base(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// argvTools finds the program names of the argv a file builds: the first literal of a
// []string in a function named *Argv, assigned to argv, or given as execx.Cmd's Argv, and the
// program argument of execx.Run and execx.Output.
func argvTools(f *ast.File) []string {
	var out []string
	first := func(lit *ast.CompositeLit) {
		if len(lit.Elts) == 0 {
			return
		}
		if b, ok := lit.Elts[0].(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, err := strconv.Unquote(b.Value); err == nil && toolName.MatchString(s) {
				out = append(out, s)
			}
		}
	}
	allLits := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				first(lit)
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if strings.HasSuffix(n.Name.Name, "Argv") && n.Body != nil {
				allLits(n.Body)
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == "argv" && i < len(n.Rhs) {
					allLits(n.Rhs[i])
				}
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Argv" {
				allLits(n.Value)
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || len(n.Args) < 3 {
				break
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "execx" && (sel.Sel.Name == "Run" || sel.Sel.Name == "Output") {
				if b, ok := n.Args[2].(*ast.BasicLit); ok && b.Kind == token.STRING {
					s, _ := strconv.Unquote(b.Value)
					out = append(out, s)
				}
			}
		}
		return true
	})
	return out
}
