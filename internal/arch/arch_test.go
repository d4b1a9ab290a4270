package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/handover-project/handover/"

// rule is what one package may do. The table below is the architecture of
// DESIGN.md §3 as a test: a package missing from it fails, so a new
// package has to say where it stands.
type rule struct {
	// imports lists the module's packages it may import (without the
	// module prefix); a trailing "/..." allows a whole subtree.
	imports []string
	// pure marks a domain package: values in, values out. It imports no
	// SQL, HTTP, templates, files or processes, reads no clock
	// (time.Now, Since, Until), draws no randomness, and writes no
	// package variable outside its declaration.
	pure bool
	// allow lists what a pure package may still do, each with its reason.
	allow map[string]string
}

var domainLeaf = []string{"internal/errs"}

// rules is the table, package by package.
var rules = map[string]rule{
	"internal/errs":   {pure: true},
	"internal/person": {imports: []string{"internal/errs", "internal/names"}, pure: true},
	"internal/names": {pure: true, allow: map[string]string{
		"global tab": "the name-form tables are built once from embedded data on first use (sync.Once) and never changed",
	}},
	"internal/match": {imports: []string{"internal/errs", "internal/names", "internal/person"}, pure: true, allow: map[string]string{
		"math/rand/v2": "the EM estimation samples pairs with a generator seeded from the configuration, so a run is reproducible",
	}},
	"internal/audit": {imports: domainLeaf, pure: true, allow: map[string]string{
		"crypto/rand": "commitment nonces and signing keys need the system's randomness; tests pin vectors with fixed nonces",
	}},
	"internal/access": {imports: domainLeaf, pure: true, allow: map[string]string{
		"crypto/rand": "password salts and token secrets need the system's randomness",
	}},
	// exchange maps an agreement's stage onto crossing's plan and rule
	// (Agreement.CrossingPlan); crossing does not import exchange.
	"internal/exchange": {imports: []string{"internal/errs", "internal/person", "internal/audit", "internal/crossing"}, pure: true},
	"internal/crossing": {imports: []string{"internal/errs", "internal/person", "internal/names"}, pure: true},
	// casework folds a case's steps and says what is due; the trace
	// status it reads is crossing's.
	"internal/casework": {imports: []string{"internal/errs", "internal/person", "internal/crossing"}, pure: true},
	// backlog derives a sought person's history across rounds from the
	// lists, answers (exchange) and trace (crossing) the store loads.
	"internal/backlog": {imports: []string{"internal/errs", "internal/person", "internal/exchange", "internal/crossing"}, pure: true},
	// custody folds a held person's custody events (GC III Arts. 70,
	// 120–122) and says which notifications are overdue.
	"internal/custody": {imports: []string{"internal/errs", "internal/person"}, pure: true},

	"internal/synth":       {imports: []string{"internal/person"}},
	"internal/synth/pairs": {},

	"internal/sheet":                      {imports: []string{"internal/errs", "internal/names", "internal/person", "internal/casework"}},
	"internal/sheet/internal/fixture":     {imports: []string{"internal/person", "internal/synth"}},
	"internal/sheet/internal/fixture/gen": {imports: []string{"internal/sheet/internal/fixture"}},
	"internal/report":                     {imports: []string{"internal/errs", "internal/person", "internal/crossing", "internal/locale"}},
	"internal/sqlstore": {imports: []string{"internal/errs", "internal/person", "internal/names", "internal/match", "internal/audit",
		"internal/access", "internal/exchange", "internal/crossing", "internal/casework", "internal/backlog", "internal/custody"}},
	"internal/sqlstore/sqltest": {imports: []string{"internal/sqlstore", "internal/access", "internal/audit"}},
	// api is the wire: the domain's values and nothing of the store, so
	// that a client of the API carries no SQL (TestClientCarriesNoStore).
	"internal/api": {imports: []string{"internal/errs", "internal/person", "internal/match", "internal/access",
		"internal/exchange", "internal/crossing", "internal/casework", "internal/backlog", "internal/custody"}},
	// locale is the UI's languages: messages as data, plurals, dates,
	// numbers; it knows the domain's errors only as errs.FieldError codes.
	"internal/locale": {imports: []string{"internal/errs"}},
	// form reads the UI's forms: syntax into the domain's values; no rule.
	"internal/web/ui/form": {imports: []string{"internal/errs", "internal/person", "internal/exchange"}},
	// httpx is what the server's two layers share (the route table's
	// types, JSON in and out, the one error rendering): no layer.
	"internal/web/httpx": {imports: []string{"internal/errs", "internal/person", "internal/audit", "internal/access",
		"internal/sheet", "internal/sqlstore", "internal/api", "internal/exchange", "internal/locale", "internal/backlog"}},
	// api and ui are the two layers; neither imports the other (the
	// server hands the pages the API's file handlers as httpx.Files).
	"internal/web/api": {imports: []string{"internal/errs", "internal/locale", "internal/person", "internal/match", "internal/audit",
		"internal/access", "internal/exchange", "internal/casework", "internal/sheet", "internal/report", "internal/sqlstore", "internal/api", "internal/web/httpx", "internal/backlog", "internal/custody"}},
	"internal/web/ui": {imports: []string{"internal/errs", "internal/locale", "internal/web/ui/form", "internal/person", "internal/names",
		"internal/match", "internal/audit", "internal/access", "internal/exchange", "internal/crossing", "internal/casework", "internal/sheet",
		"internal/sqlstore", "internal/web/httpx", "internal/backlog", "internal/custody"}},
	// web is the wiring: the server, middleware, authentication and the
	// mux over the two layers.
	"internal/web": {imports: []string{"internal/errs", "internal/audit", "internal/access", "internal/sheet", "internal/sqlstore",
		"internal/web/httpx", "internal/web/api", "internal/web/ui"}},
	"internal/client": {imports: []string{"internal/errs", "internal/person", "internal/exchange", "internal/crossing", "internal/casework",
		"internal/sheet", "internal/report", "internal/api", "internal/backlog", "internal/custody"}},
	// scenario plays the demo and the May 2025 exchange through the API
	// alone (TestClientCarriesNoStore): never the store or the server.
	"internal/scenario": {imports: []string{"internal/errs", "internal/person", "internal/names", "internal/audit", "internal/access",
		"internal/exchange", "internal/crossing", "internal/synth", "internal/api", "internal/client", "internal/custody"}},
	// witness speaks C2SP tlog-witness: the log's client of its witnesses
	// and a witness server, over audit's decisions; the store it is given
	// as an interface.
	"internal/witness": {imports: []string{"internal/errs", "internal/audit"}},
	"internal/arch":    {},
	"cmd/handover":     {imports: []string{"internal/..."}},
}

// impure are the imports no pure package may have.
var impure = []string{"database/sql", "net/http", "html/template", "text/template", "os", "os/exec", "math/rand", "math/rand/v2", "crypto/rand"}

type pkg struct {
	dir   string
	files map[string]*ast.File
	fset  *token.FileSet
}

// packages parses the non-test Go files of every package of the module.
func packages(t *testing.T) map[string]*pkg {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(filepath.Dir(wd)) // the module root
	out := map[string]*pkg{}
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(base, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(base, filepath.Dir(path))
			p := out[rel]
			if p == nil {
				p = &pkg{dir: filepath.Dir(path), files: map[string]*ast.File{}, fset: token.NewFileSet()}
				out[rel] = p
			}
			f, err := parser.ParseFile(p.fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			p.files[path] = f
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d packages under %s", len(out), base)
	}
	return out
}

func mayImport(r rule, path string) bool {
	for _, a := range r.imports {
		if a == path || (strings.HasSuffix(a, "/...") && strings.HasPrefix(path, strings.TrimSuffix(a, "..."))) {
			return true
		}
	}
	return false
}

// TestArchitecture checks every package against its rule.
func TestArchitecture(t *testing.T) {
	for name, p := range packages(t) {
		r, ok := rules[name]
		if !ok {
			t.Errorf("package %s has no rule in internal/arch: say what it may import and whether it is pure", name)
			continue
		}
		for path, f := range p.files {
			file := filepath.Join(name, filepath.Base(path))
			for _, imp := range f.Imports {
				ip, _ := strconv.Unquote(imp.Path.Value)
				if own, ok := strings.CutPrefix(ip, module); ok && !mayImport(r, own) {
					t.Errorf("%s imports %s: not in its rule (adapters depend on the domain, never the reverse)", file, own)
				}
				if r.pure && slices.Contains(impure, ip) {
					if _, ok := r.allow[ip]; !ok {
						t.Errorf("%s imports %s: %s is a pure domain package", file, ip, name)
					}
				}
			}
			if r.pure {
				checkPure(t, name, file, p.fset, f, r)
			}
		}
		if r.pure {
			checkGlobals(t, name, p, r)
		}
	}
	for name := range rules {
		if _, err := os.Stat(filepath.Join("..", "..", name)); err != nil {
			t.Errorf("the rule for %s names no package: remove it", name)
		}
	}
}

// checkPure finds clock reads in a pure package's file.
func checkPure(t *testing.T, name, file string, fset *token.FileSet, f *ast.File, r rule) {
	timeName := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
		}
	}
	if timeName == "" {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == timeName && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
			t.Errorf("%s: time.%s in the pure package %s: the clock is an input", fset.Position(sel.Pos()), sel.Sel.Name, name)
		}
		return true
	})
}

// checkGlobals finds writes to package variables inside functions: a pure
// package's variables are tables, fixed where they are declared.
func checkGlobals(t *testing.T, name string, p *pkg, r rule) {
	vars := map[string]bool{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, sp := range g.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					vars[id.Name] = true
				}
			}
		}
	}
	// root returns the variable an assignment target writes: x, x[i],
	// x.f, *x all write x.
	var root func(e ast.Expr) *ast.Ident
	root = func(e ast.Expr) *ast.Ident {
		switch v := e.(type) {
		case *ast.Ident:
			return v
		case *ast.IndexExpr:
			return root(v.X)
		case *ast.SelectorExpr:
			return root(v.X)
		case *ast.StarExpr:
			return root(v.X)
		case *ast.ParenExpr:
			return root(v.X)
		}
		return nil
	}
	for _, f := range p.files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || (fn.Recv == nil && fn.Name.Name == "init") {
				continue
			}
			locals := localNames(fn)
			check := func(e ast.Expr) {
				id := root(e)
				// A name the function declares itself (a parameter, a
				// result, a local) shadows the package variable; this
				// errs towards silence, never towards a false alarm.
				if id == nil || !vars[id.Name] || locals[id.Name] {
					return
				}
				if _, ok := r.allow["global "+id.Name]; ok {
					return
				}
				t.Errorf("%s: %s writes the package variable %s: no mutable globals in a pure package", p.fset.Position(id.Pos()), name, id.Name)
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch s := n.(type) {
				case *ast.AssignStmt:
					if s.Tok != token.DEFINE {
						for _, l := range s.Lhs {
							check(l)
						}
					}
				case *ast.IncDecStmt:
					check(s.X)
				}
				return true
			})
		}
	}
}

// localNames returns every name fn declares: receiver, parameters,
// results, and the variables of its body and its function literals.
func localNames(fn *ast.FuncDecl) map[string]bool {
	out := map[string]bool{}
	fields := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				out[n.Name] = true
			}
		}
	}
	fields(fn.Recv)
	fields(fn.Type.Params)
	fields(fn.Type.Results)
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						out[id.Name] = true
					}
				}
			}
		case *ast.RangeStmt:
			if s.Tok == token.DEFINE {
				for _, e := range []ast.Expr{s.Key, s.Value} {
					if id, ok := e.(*ast.Ident); ok {
						out[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range s.Names {
				out[id.Name] = true
			}
		case *ast.FuncLit:
			fields(s.Type.Params)
			fields(s.Type.Results)
		}
		return true
	})
	return out
}

// TestEveryPackageHasADoc: every package says what it is for.
func TestEveryPackageHasADoc(t *testing.T) {
	for name, p := range packages(t) {
		documented := map[string]bool{} // package name → has a doc comment
		for _, f := range p.files {
			documented[f.Name.Name] = documented[f.Name.Name] || (f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "")
		}
		for pn, ok := range documented {
			if !ok {
				t.Errorf("package %s (%s) has no package comment", pn, name)
			}
		}
	}
}
