package arch

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// domain are the packages that hold the rules of an exchange: values in,
// values out.
var domain = []string{"person", "names", "match", "exchange", "crossing", "audit", "access", "errs", "synth"}

// forbidden are imports no domain package may have.
var forbidden = []string{"database/sql", "net/http", "html/template", "text/template", "os/exec"}

// root returns the module's internal directory.
func root(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

func TestDomainImportsNoAdapters(t *testing.T) {
	base := root(t)
	for _, pkg := range domain {
		err := filepath.WalkDir(filepath.Join(base, pkg), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if p == bad || strings.HasPrefix(p, bad+"/") {
						t.Errorf("%s imports %s: domain packages take values and return values", rel(base, path), p)
					}
				}
				if strings.Contains(p, "/internal/sqlstore") || strings.Contains(p, "/internal/web") || strings.Contains(p, "/internal/sheet") {
					t.Errorf("%s imports the adapter %s: adapters depend on the domain, never the reverse", rel(base, path), p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestEveryPackageHasADoc(t *testing.T) {
	base := filepath.Dir(root(t)) // the module root: cmd and internal
	dirs := map[string]bool{}
	for _, top := range []string{"cmd", "internal"} {
		filepath.WalkDir(filepath.Join(base, top), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") && !strings.Contains(path, "/testdata/") {
				dirs[filepath.Dir(path)] = true
			}
			return nil
		})
	}
	if len(dirs) < 10 {
		t.Fatalf("found only %d package directories under %s", len(dirs), base)
	}
	for dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		documented := map[string]bool{} // package name → has a doc comment
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Fatal(err)
			}
			name := f.Name.Name
			documented[name] = documented[name] || (f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "")
		}
		for name, ok := range documented {
			if !ok {
				t.Errorf("package %s (%s) has no package comment", name, rel(base, dir))
			}
		}
	}
}

func rel(base, path string) string {
	r, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return r
}
