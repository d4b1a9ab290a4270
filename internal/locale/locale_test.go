package locale

import (
	"encoding/json"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/custody"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
)

// TestCatalog: the data files read, every key is in uk, ru and en, none
// is empty, and the three texts of a key take the same arguments.
func TestCatalog(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	c := load()
	if n := len(c.langs[Default].Messages); n < 1000 {
		t.Fatalf("only %d messages: is the catalog still read?", n)
	}
	for _, lang := range Langs {
		for _, other := range Langs {
			for k := range c.langs[lang].Messages {
				if _, ok := c.langs[other].Messages[k]; !ok {
					t.Errorf("%s is in %s.json but not in %s.json", k, lang, other)
				}
			}
		}
	}
	for k, en := range c.langs["en"].Messages {
		want := verbs(en)
		for _, lang := range Langs {
			s := c.langs[lang].Messages[k]
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s is empty in %s", k, lang)
			}
			if got := verbs(s); !maps.Equal(got, want) {
				t.Errorf("%s: %s takes arguments %v, en %v", k, lang, got, want)
			}
		}
	}
}

var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0-9.]*([a-zA-Z%])`)

// verbs maps each argument a fmt format reads (1-based) to its verb,
// with %q counted as %s.
func verbs(s string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
		}
		v := m[2]
		if v == "q" { // «%s» in Ukrainian and Russian, %q in English: both a string
			v = "s"
		}
		out[next] = v
		next++
	}
	return out
}

func TestVerbs(t *testing.T) {
	got := verbs("%[2]s, %[1]s (%[3]s) 100%%")
	if want := map[int]string{1: "s", 2: "s", 3: "s"}; !maps.Equal(got, want) {
		t.Errorf("verbs = %v, want %v", got, want)
	}
	if got := verbs("%s of %d"); !maps.Equal(got, map[int]string{1: "s", 2: "d"}) {
		t.Errorf("verbs = %v", got)
	}
}

// TestDataFilesStrict: a data file with a field the reader does not know
// (a typo such as "plural") is refused, not silently ignored.
func TestDataFilesStrict(t *testing.T) {
	for _, lang := range Langs {
		b, err := files.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(raw)), []string{"messages", "plurals"}) {
			t.Errorf("%s.json has sections %v", lang, slices.Sorted(maps.Keys(raw)))
		}
	}
}

// TestPluralsComplete: every counted noun has, in every language, exactly
// the CLDR categories an integer takes there, and no empty form.
func TestPluralsComplete(t *testing.T) {
	c := load()
	nouns := slices.Sorted(maps.Keys(c.langs[Default].Plurals))
	if len(nouns) < 5 {
		t.Fatalf("only %d plurals", len(nouns))
	}
	for _, lang := range Langs {
		if got := slices.Sorted(maps.Keys(c.langs[lang].Plurals)); !slices.Equal(got, nouns) {
			t.Errorf("%s has plurals %v, en %v", lang, got, nouns)
		}
		for noun, forms := range c.langs[lang].Plurals {
			want := slices.Sorted(slices.Values(Categories(lang)))
			if got := slices.Sorted(maps.Keys(forms)); !slices.Equal(got, want) {
				t.Errorf("%s %s: forms %v, want %v", lang, noun, got, want)
			}
			for cat, w := range forms {
				if strings.TrimSpace(w) == "" {
					t.Errorf("%s %s: %s is empty", lang, noun, cat)
				}
			}
		}
		// Every category a count takes has a form.
		for n := range 1000 {
			if !slices.Contains(Categories(lang), Category(lang, n)) {
				t.Errorf("%s: %d is %s, not in Categories", lang, n, Category(lang, n))
			}
		}
	}
}

func TestCategory(t *testing.T) {
	for _, tc := range []struct {
		lang string
		ns   []int
		want string
	}{
		{"en", []int{1}, "one"}, {"en", []int{0, 2, 11, 21, 101}, "other"},
		{"uk", []int{1, 21, 31, 101, 1001}, "one"}, {"uk", []int{2, 3, 4, 22, 34, 102}, "few"},
		{"uk", []int{0, 5, 11, 12, 14, 19, 20, 100, 111, 112}, "many"},
		{"ru", []int{1, 21, 101}, "one"}, {"ru", []int{2, 23, 44}, "few"}, {"ru", []int{0, 5, 11, 13, 25, 114}, "many"},
		{"uk", []int{-1, -21}, "one"},
	} {
		for _, n := range tc.ns {
			if got := Category(tc.lang, n); got != tc.want {
				t.Errorf("Category(%s, %d) = %s, want %s", tc.lang, n, got, tc.want)
			}
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 record"}, {"en", 0, "0 records"}, {"en", 2, "2 records"},
		{"uk", 1, "1 запис"}, {"uk", 2, "2 записи"}, {"uk", 5, "5 записів"}, {"uk", 11, "11 записів"},
		{"uk", 21, "21 запис"}, {"uk", 22, "22 записи"}, {"uk", 112, "112 записів"},
		{"ru", 1, "1 запись"}, {"ru", 3, "3 записи"}, {"ru", 14, "14 записей"}, {"ru", 101, "101 запись"},
		{"uk", 100000, "100\u00a0000 записів"}, {"en", 100000, "100,000 records"},
		{"xx", 2, "2 records"},
	} {
		if got := Plural(tc.lang, "records", tc.n); got != tc.want {
			t.Errorf("Plural(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got := Plural("uk", "no_such_noun", 3); got != "3 no_such_noun" {
		t.Errorf("unknown noun: %q", got)
	}
}

func TestT(t *testing.T) {
	if got := T("uk", "home.welcome", "ana"); got != "Ви увійшли як ana." {
		t.Errorf("uk home.welcome = %q", got)
	}
	if got := T("xx", "home.welcome", "ana"); got != "Signed in as ana." {
		t.Errorf("unknown language = %q, want English", got)
	}
	if got := T("ru", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q, want the key", got)
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    any
		want string
	}{
		{"en", 1234567, "1,234,567"}, {"uk", 1234567, "1\u00a0234\u00a0567"}, {"ru", 1234, "1\u00a0234"},
		{"en", 12.345, "12.35"}, {"uk", 12.5, "12,5"},
	} {
		if got := Number(tc.lang, tc.n); got != tc.want {
			t.Errorf("Number(%s, %v) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 3, 4, 9, 5, 0, 0, time.FixedZone("EET", 2*3600))
	for _, tc := range []struct{ lang, want string }{
		{"uk", "04.03.2026 07:05"}, {"ru", "04.03.2026 07:05"}, {"en", "4 Mar 2026 07:05"},
	} {
		if got := DateTime(tc.lang, at); got != tc.want {
			t.Errorf("DateTime(%s) = %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := DateTime("uk", time.Time{}); got != "—" {
		t.Errorf("zero time = %q", got)
	}
	for _, tc := range []struct {
		lang    string
		y, m, d int
		want    string
	}{
		{"uk", 1998, 5, 14, "14.05.1998"}, {"ru", 1998, 5, 0, "05.1998"}, {"uk", 1998, 0, 0, "1998"},
		{"en", 1998, 5, 4, "4 May 1998"}, {"en", 1998, 5, 0, "May 1998"}, {"en", 0, 0, 0, ""},
	} {
		if got := Day(tc.lang, tc.y, tc.m, tc.d); got != tc.want {
			t.Errorf("Day(%s, %d-%d-%d) = %q, want %q", tc.lang, tc.y, tc.m, tc.d, got, tc.want)
		}
	}
}

func TestSortUkrainian(t *testing.T) {
	names := []string{"Яковенко", "Іванченко", "Євтушенко", "Гнатюк", "Ґалаґан", "Ковальчук", "Єрмак", "Иваненко", "Їжакевич", "Абрамов"}
	Sort("uk", names, func(s string) string { return s })
	want := []string{"Абрамов", "Гнатюк", "Ґалаґан", "Євтушенко", "Єрмак", "Иваненко", "Іванченко", "Їжакевич", "Ковальчук", "Яковенко"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "en"}, {"uk-UA,uk;q=0.9", "uk"}, {"ru", "ru"}, {"de-DE", "en"}, {"fr;q=0.9, ru;q=0.8", "ru"}, {";;;", "en"},
	} {
		if got := FromAcceptLanguage(tc.header); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestField(t *testing.T) {
	got := Field("uk", errs.FieldError{Field: "birth_date", Message: "day 31 does not exist in 1995-02", Code: "no_day", Args: []string{"31", "1995-02"}})
	if got != "Дня 31 немає в 1995-02." {
		t.Errorf("uk no_day = %q", got)
	}
	if got := Field("uk", errs.FieldError{Field: "x", Message: "as it was", Code: "no_such_code"}); got != "as it was" {
		t.Errorf("unknown code = %q, want the English message", got)
	}
	err := errs.E("op", errs.Invalid, []errs.FieldError{{Field: "a", Message: "required", Code: "required"}, {Field: "b", Message: "x", Code: "negative"}})
	if got := Refusal("ru", err); got != "Обязательно. Не может быть отрицательным." {
		t.Errorf("Refusal = %q", got)
	}
	if got := Refusal("ru", errs.E("op", errs.Conflict, "stale")); got != "stale" {
		t.Errorf("Refusal without fields = %q", got)
	}
}

// TestDomainCodes: every code the domain emits has a message, so a page
// shows it in the user's language:
//   - every errs.FieldError and errs.Coded code written in the non-test
//     sources of internal/ (a literal with Code: "…" or Code: aConstant),
//     and every code of person.Problems, as problem.<code>;
//   - every problem code of internal/sheet as sheet.<code>;
//   - every value of the domain's code types below (answers, blocking and
//     eligibility reasons, outcomes, categories…) under its prefix.
func TestDomainCodes(t *testing.T) {
	need := map[string]string{} // key → where the code is
	for c := range person.Problems {
		need["problem."+c] = "person.Problems"
	}
	for _, c := range sheet.Codes {
		need["sheet."+c] = "sheet.Codes"
	}
	for _, c := range casework.Codes {
		need["problem."+c] = "casework.Codes"
	}
	for _, c := range custody.Codes {
		need["problem."+c] = "custody.Codes"
	}
	fieldCodes := 0
	types := map[string]string{ // "dir.Type" → key prefix
		"exchange.Answer":           "answer.",
		"exchange.BlockReason":      "why.",
		"exchange.ViolationCode":    "violation.",
		"exchange.ListKind":         "list.",
		"exchange.TermsKind":        "terms.",
		"exchange.Decision":         "evidence.value.",
		"exchange.ConsentKind":      "evidence.value.",
		"exchange.Blocker":          "evidence.value.",
		"crossing.Outcome":          "outcome.",
		"crossing.Health":           "health.",
		"crossing.CheckMethod":      "check.",
		"crossing.IDMethod":         "idmethod.",
		"crossing.IDStatus":         "idstatus.",
		"crossing.AmendmentState":   "amend.",
		"person.Kind":               "value.",
		"person.Category":           "value.",
		"person.Status":             "value.",
		"person.Sex":                "value.",
		"person.WithholdBasis":      "value.",
		"access.Role":               "role.",
		"casework.Kind":             "case.kind.",
		"casework.State":            "case.state.",
		"casework.Relationship":     "case.rel.",
		"casework.Mode":             "case.mode.",
		"casework.News":             "case.news.",
		"casework.CloseReason":      "case.reason.",
		"crossing.EventType":        "act.",
		"exchange.Need":             "view.need.",
		"exchange.InterviewOutcome": "interview.outcome.",
	}
	seen := map[string]int{}
	type namedCode struct{ dir, name, path string }
	var named []namedCode         // Code: someConstant
	consts := map[string]string{} // "dir.Name" → value of a string constant
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.Base(filepath.Dir(path))
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if !isFieldError(n.Type) {
					return true
				}
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if id, _ := kv.Key.(*ast.Ident); !ok || id == nil || id.Name != "Code" {
						continue
					}
					switch v := kv.Value.(type) {
					case *ast.BasicLit:
						if v.Kind == token.STRING {
							c, _ := strconv.Unquote(v.Value)
							need["problem."+c] = path
							fieldCodes++
						}
					case *ast.Ident: // a constant of the package, resolved below
						named = append(named, namedCode{filepath.Dir(path), v.Name, path})
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[filepath.Dir(path)+"."+name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
				id, ok := n.Type.(*ast.Ident)
				if !ok {
					return true
				}
				prefix, ok := types[pkg+"."+id.Name]
				if !ok {
					return true
				}
				seen[pkg+"."+id.Name]++
				for _, v := range n.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if c, _ := strconv.Unquote(lit.Value); c != "" {
							need[prefix+c] = path + " " + id.Name
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range named {
		v, ok := consts[c.dir+"."+c.name]
		if !ok {
			t.Errorf("%s: Code: %s is no string constant of its package", c.path, c.name)
			continue
		}
		need["problem."+v] = c.path + " " + c.name
		fieldCodes++
	}
	if fieldCodes < 100 {
		t.Fatalf("found only %d field error codes: is the scan still reading the sources?", fieldCodes)
	}
	for ty := range types {
		if seen[ty] < 2 {
			t.Errorf("found %d constants of %s: has the type moved?", seen[ty], ty)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(need)) {
		if !Has(k) {
			t.Errorf("%s (%s) has no message", k, need[k])
		}
	}
}

// isFieldError reports whether a composite literal's type is
// errs.FieldError or errs.Coded (or FieldError, Coded inside errs): both
// carry a problem code.
func isFieldError(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "errs" && (x.Sel.Name == "FieldError" || x.Sel.Name == "Coded")
	case *ast.Ident:
		return x.Name == "FieldError" || x.Name == "Coded"
	}
	return false
}

// TestProblemArgs: a domain value among a problem's arguments (a stage
// state, an event type, a category) is said in the language, a name or a
// number as it is; a coded error without fields is said by its code.
func TestProblemArgs(t *testing.T) {
	for _, tc := range []struct {
		lang string
		fe   errs.FieldError
		want string
	}{
		{"uk", errs.FieldError{Code: "stage_over", Args: []string{"3", "closed"}}, "Етап 3 має стан «закрито»: більше нічого не записується."},
		{"ru", errs.FieldError{Code: "not_allowed_in_state", Args: []string{"2", "planned", "received"}}, "Этап 2 в состоянии «запланирован»: событие принято невозможно."},
		{"uk", errs.FieldError{Code: "parity_left_of", Args: []string{"RU", "military", "20", "0", "20"}}, "RU · військовий: залишилося врівноважити — 20 (передано 0 з 20)."},
		{"en", errs.FieldError{Code: "parity_outstanding", Args: []string{"RU", "military", "20"}}, "RU military: 20 listed without a final outcome."},
		{"uk", errs.FieldError{Code: "parity_outstanding", Args: []string{"RU", "no_such_category", "20"}}, "RU · no_such_category: без остаточного результату — 20."},
		{"uk", errs.FieldError{Code: "eligibility_no_birth_date", Args: []string{"2027-01-06"}}, "немає дати народження: вік на 06.01.2027 визначити неможливо"},
		{"ru", errs.FieldError{Code: "eligibility_captured_after", Args: []string{"2024-05", "2024-03-01"}}, "дата пленения 05.2024 — позже 01.03.2024"},
	} {
		if got := Field(tc.lang, tc.fe); got != tc.want {
			t.Errorf("%s %s%v = %q, want %q", tc.lang, tc.fe.Code, tc.fe.Args, got, tc.want)
		}
	}
	err := errs.E("op", errs.NotFound, "no record r1", errs.Coded{Code: "no_record", Args: []string{"r1"}})
	if got := Refusal("uk", err); got != "Запису r1 немає." {
		t.Errorf("Refusal of a coded error = %q", got)
	}
}

// TestArgKeys: every code argKeys speaks of has a message, and every
// prefix it names has messages.
func TestArgKeys(t *testing.T) {
	keys := Keys()
	for code, prefixes := range argKeys {
		if !Has("problem." + code) {
			t.Errorf("argKeys: problem.%s has no message", code)
		}
		for _, p := range prefixes {
			if p != "" && p != "@day" && !slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, p) }) {
				t.Errorf("argKeys %s: no message starts with %q", code, p)
			}
		}
	}
}
