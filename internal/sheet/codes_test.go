package sheet

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TestCodesListed: every Code… constant of the package is in Codes, once.
func TestCodesListed(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						consts = append(consts, v)
					}
				}
			}
		}
	}
	if len(consts) < 20 {
		t.Fatalf("found only %d Code constants: is the scan still reading the sources?", len(consts))
	}
	for _, c := range consts {
		if !slices.Contains(Codes, c) {
			t.Errorf("code %q is not in Codes", c)
		}
	}
	seen := map[string]bool{}
	for _, c := range Codes {
		if seen[c] {
			t.Errorf("code %q is in Codes twice", c)
		}
		seen[c] = true
	}
	if len(Codes) != len(consts) {
		t.Errorf("Codes has %d entries, the package %d Code constants", len(Codes), len(consts))
	}
}

func TestSplitCode(t *testing.T) {
	for _, tc := range []struct{ in, reason, code string }{
		{"the file is empty [not_a_spreadsheet]", "the file is empty", CodeNotSpreadsheet},
		{`"31.02.1998" is not a real date (value "31.02.1998") [date_impossible]`, `"31.02.1998" is not a real date (value "31.02.1998")`, CodeDateImpossible},
		{"larger than 10 bytes [file_too_large]", "larger than 10 bytes", CodeFileTooLarge},
		{"required: the XLSX or CSV file", "required: the XLSX or CSV file", ""},
		{"a bracket [not_a_code]", "a bracket [not_a_code]", ""},
		{"", "", ""},
	} {
		r, c := SplitCode(tc.in)
		if r != tc.reason || c != tc.code {
			t.Errorf("SplitCode(%q) = %q, %q; want %q, %q", tc.in, r, c, tc.reason, tc.code)
		}
	}
	// What Read itself writes splits back into its code.
	_, err := Read(context.Background(), "e.csv", nil, Options{Kind: "held"})
	fes := errs.Fields(err)
	if len(fes) != 1 {
		t.Fatalf("empty file: %v", err)
	}
	if _, c := SplitCode(fes[0].Message); c != CodeNotSpreadsheet {
		t.Errorf("empty file: code %q from %q", c, fes[0].Message)
	}
	p := Problem{Sheet: "CSV", Row: 3, Column: "C", Value: "31.02.1998", Code: CodeDateImpossible, Reason: "not a real date"}
	if _, c := SplitCode(p.FieldError().Message); c != CodeDateImpossible {
		t.Errorf("problem: code %q", c)
	}
}

// TestProblemDetail: a problem the record's checks found carries their
// code and arguments, so that it can be translated.
func TestProblemDetail(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	data := []byte("Прізвище;Ім'я;Дата народження;Категорія\nКоваль;Олег;2030;військовий\n;Іван;1990;військовий\n")
	f, err := Read(context.Background(), "d.csv", data, Options{Kind: "held", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Problem{}
	for _, p := range f.Report.Problems {
		got[p.Detail] = p
	}
	if p, ok := got["future"]; !ok || p.Code != CodeInvalidField || p.Row != 2 || len(p.Args) != 1 || p.Args[0] != "2030" {
		t.Errorf("future date: %+v", f.Report.Problems)
	}
	if p, ok := got["surname_required"]; !ok || p.Row != 3 || len(p.Args) != 0 {
		t.Errorf("missing surname: %+v", f.Report.Problems)
	}
	for _, p := range f.Report.Problems {
		if _, ok := person.Problems[p.Detail]; !ok {
			t.Errorf("detail %q is not a person.Problems code", p.Detail)
		}
	}
}
