package sqlstore_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRowsWalkedOnlyInRowsGo keeps rows.go the one way the store reads
// rows: a loop over x.Next() anywhere else in the package (its tests
// included) is a hand-written walk that may forget to close its rows or to
// check their error.
func TestRowsWalkedOnlyInRowsGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Go files in the package directory")
	}
	fset := token.NewFileSet()
	var found []string
	for _, name := range files {
		if name == "rows.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			loop, ok := n.(*ast.ForStmt)
			if !ok || loop.Cond == nil {
				return true
			}
			call, ok := loop.Cond.(*ast.CallExpr)
			if !ok || len(call.Args) != 0 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Next" {
				found = append(found, fset.Position(loop.Pos()).String())
			}
			return true
		})
	}
	if len(found) > 0 {
		t.Errorf("rows walked by hand outside rows.go (use eachRow, collect, collectMap, rowSeq or cursor):\n%s", strings.Join(found, "\n"))
	}
}
