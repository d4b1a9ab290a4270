package exchange

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps the package a domain package: no SQL, HTTP, templates,
// files, processes, clock-reading or randomness in its non-test code.
func TestPure(t *testing.T) {
	forbidden := map[string]bool{"database/sql": true, "net/http": true, "os": true, "os/exec": true,
		"html/template": true, "text/template": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true}
	entries, err := os.ReadDir(".")
	noErr(t, err)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		noErr(t, err)
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		noErr(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %s: exchange is a pure domain package", name, path)
			}
		}
		if strings.Contains(string(src), "time.Now(") {
			t.Errorf("%s reads the clock: take the time as an argument", name)
		}
	}
}
