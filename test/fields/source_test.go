package fields

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// reads maps a field ("<pkg>.<Type>.<Field>") to the functions that read it, each named
// "<pkg>.<Func>" or "<pkg>.<Type>.<Method>". A read is a selector expression that is not
// the target of an assignment; composite literal keys (writes) are not selectors. Test files
// and generated *.hcl2spec.go files are not searched.
type reads map[string]map[string]bool

// loadCode type-checks the module's non-test code and indexes its field reads and the doc
// comments of its struct fields.
func loadCode() (code, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
		packages.NeedTypes | packages.NeedTypesInfo, Dir: "../.."}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return code{}, fmt.Errorf("load the module's packages: %w", err)
	}
	out := code{reads: reads{}, docs: map[string]string{}}
	var errs []string
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		for _, f := range p.Syntax {
			if strings.HasSuffix(p.Fset.Position(f.Pos()).Filename, ".hcl2spec.go") {
				continue
			}
			out.reads.index(p, f)
			indexDocs(out.docs, p, f)
		}
	}
	if len(errs) > 0 {
		return code{}, fmt.Errorf("type-check the module: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func (r reads) index(p *packages.Package, f *ast.File) {
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := shortName(p.PkgPath) + "." + funcName(fn)
		written := map[ast.Expr]bool{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok {
				for _, l := range as.Lhs {
					written[l] = true
				}
			}
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || written[sel] {
				return true
			}
			s := p.TypesInfo.Selections[sel]
			if s == nil || s.Kind() != types.FieldVal {
				return true
			}
			v := s.Obj().(*types.Var)
			owner := fieldOwner(s)
			if owner == "" {
				return true
			}
			key := owner + "." + v.Name()
			if r[key] == nil {
				r[key] = map[string]bool{}
			}
			r[key][name] = true
			return true
		})
	}
}

// fieldOwner is "<pkg>.<Type>" of the struct that declares the selected field, or "" when it
// is not one of the module's types.
func fieldOwner(s *types.Selection) string {
	t := s.Recv()
	// Walk the embedding path to the struct that declares the field.
	for _, idx := range s.Index()[:len(s.Index())-1] {
		st := structOf(t)
		if st == nil {
			return ""
		}
		t = st.Field(idx).Type()
	}
	for {
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
			continue
		}
		break
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return ""
	}
	short := shortName(named.Obj().Pkg().Path())
	if short == "" {
		return ""
	}
	return short + "." + named.Obj().Name()
}

func structOf(t types.Type) *types.Struct {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, _ := t.Underlying().(*types.Struct)
	return st
}

func shortName(pkgPath string) string {
	if s, ok := shortPkg[pkgPath]; ok {
		return s
	}
	return strings.TrimPrefix(pkgPath, module+"/")
}

func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// indexDocs records the doc comment of every struct field declared in f.
func indexDocs(docs map[string]string, p *packages.Package, f *ast.File) {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fl := range st.Fields.List {
				for _, n := range fl.Names {
					docs[shortName(p.PkgPath)+"."+ts.Name.Name+"."+n.Name] = fl.Doc.Text()
				}
			}
		}
	}
}
