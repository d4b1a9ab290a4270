package crossing

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps crossing a pure domain package: no SQL, HTTP, templates,
// files, clock or randomness in its non-test code, no import of
// internal/exchange, and no package-level variables but the tables.
func TestPure(t *testing.T) {
	forbidden := map[string]bool{
		"database/sql": true, "net/http": true, "html/template": true, "text/template": true, "os": true, "os/exec": true,
		"math/rand": true, "math/rand/v2": true, "crypto/rand": true,
		"github.com/handover-project/handover/internal/exchange": true,
	}
	tables := map[string]bool{"stateNames": true, "transitions": true, "eventTypes": true, "ruleNames": true, "traceNames": true, "idTransitions": true}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %s: crossing is a pure domain package", name, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since") {
					t.Errorf("%s: time.%s: the clock is an input", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, sp := range g.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					if !tables[id.Name] {
						t.Errorf("%s: package variable %s: no mutable globals", fset.Position(id.Pos()), id.Name)
					}
				}
			}
		}
	}
}
