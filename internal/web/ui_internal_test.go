package web

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TestTemplatesRenderZeroValues renders every page with the zero value of
// its view model, in every language.
func TestTemplatesRenderZeroValues(t *testing.T) {
	ts, err := parseUITemplates()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(uiFS, "ui/templates/*.html")
	for _, f := range files {
		name := path.Base(f)
		if name == "layout.html" {
			continue
		}
		if _, ok := pageViews[name]; !ok {
			t.Errorf("template %s has no view model in pageViews", name)
		}
	}
	for name, v := range pageViews {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ts.pages[name].ExecuteTemplate(&b, name, v); err != nil {
				t.Fatalf("render %s: %v", name, err)
			}
			if name != "candidate_row.html" && !strings.Contains(b.String(), "</html>") {
				t.Errorf("%s: not a whole page", name)
			}
		})
	}
}

// TestNoInlineScriptOrStyle keeps the templates inside the CSP.
func TestNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|<style|javascript:`)
	files, _ := fs.Glob(uiFS, "ui/templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(uiFS, f)
		if m := inline.Find(b); m != nil {
			t.Errorf("%s: inline script or style: %q", f, m)
		}
	}
}

// TestMessages checks that every message has all three languages and that
// every key the templates and handlers use exists.
func TestMessages(t *testing.T) {
	for k, m := range messages {
		if m.en == "" || m.uk == "" || m.ru == "" {
			t.Errorf("message %s lacks a language: %+v", k, m)
		}
		if strings.Count(m.en, "%") != strings.Count(m.uk, "%") || strings.Count(m.en, "%") != strings.Count(m.ru, "%") {
			t.Errorf("message %s: languages disagree on arguments", k)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"|T\("([a-z0-9_.]+)"|chromeFor\(r, "([a-z0-9_.]+)"\)|\.P "([a-z]+)"|P\("([a-z]+)"`)
	var srcs [][]byte
	files, _ := fs.Glob(uiFS, "ui/templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(uiFS, f)
		srcs = append(srcs, b)
	}
	for _, src := range srcs {
		for _, m := range used.FindAllSubmatch(src, -1) {
			for _, g := range m[1:] {
				k := string(g)
				if k == "" {
					continue
				}
				_, isMsg := messages[k]
				_, isPlural := plurals[k]
				if !isMsg && !isPlural {
					t.Errorf("key %q is used but not in the catalog", k)
				}
			}
		}
	}
	for _, p := range []string{"value.held", "value.sought", "role.party_registrar", "level.missing", "mfield.surname", "match.candidate"} {
		if _, ok := messages[p]; !ok {
			t.Errorf("no message %s", p)
		}
	}
}

func TestPlurals(t *testing.T) {
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
	} {
		if got := plural(tc.lang, "records", tc.n); got != tc.want {
			t.Errorf("plural(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestFormatDay(t *testing.T) {
	for _, tc := range []struct {
		lang string
		d    person.Date
		want string
	}{
		{"uk", person.Date{Year: 1998, Month: 5, Day: 14}, "14.05.1998"}, {"ru", person.Date{Year: 1998, Month: 5}, "05.1998"},
		{"uk", person.Date{Year: 1998}, "1998"}, {"en", person.Date{Year: 1998, Month: 5, Day: 4}, "4 May 1998"},
		{"en", person.Date{Year: 1998, Month: 5}, "May 1998"}, {"en", person.Date{}, ""},
	} {
		if got := formatDay(tc.lang, tc.d); got != tc.want {
			t.Errorf("formatDay(%s, %v) = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

func TestSortNamesUkrainian(t *testing.T) {
	names := []string{"Яковенко", "Іванченко", "Євтушенко", "Гнатюк", "Ґалаґан", "Ковальчук", "Єрмак", "Иваненко", "Їжакевич", "Абрамов"}
	sortNames("uk", names, func(s string) string { return s })
	want := []string{"Абрамов", "Гнатюк", "Ґалаґан", "Євтушенко", "Єрмак", "Иваненко", "Іванченко", "Їжакевич", "Ковальчук", "Яковенко"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}

func TestRequestLangAndSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/records?q=1", "/records?q=1"}, {"//evil.example", "/"}, {"https://evil.example", "/"}, {"/\\evil", "/"}, {"", "/"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
	for _, tc := range []struct{ n, want int }{{1, 1}, {21, 1}, {11, 11}} {
		_ = tc
	}
}

// TestProblemsTranslated: every field error code — person.Problems and
// every `Code: "…"` written in the non-test sources of internal/ — has a
// "problem.<code>" message, so a form shows it in the user's language.
func TestProblemsTranslated(t *testing.T) {
	codes := map[string]string{}
	for c := range person.Problems {
		codes[c] = "person.Problems"
	}
	literal := regexp.MustCompile(`"([a-z][a-z0-9_]*)"`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			i := strings.Index(line, "FieldError{")
			if i < 0 {
				continue
			}
			j := strings.Index(line[i:], "Code: ")
			if j < 0 {
				continue
			}
			for _, m := range literal.FindAllStringSubmatch(line[i+j:], -1) {
				codes[m[1]] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) < len(person.Problems)+5 {
		t.Fatalf("found only %d codes: is the scan still reading the sources?", len(codes))
	}
	for c, where := range codes {
		if _, ok := messages["problem."+c]; !ok {
			t.Errorf("code %q (%s) has no message problem.%s", c, where, c)
		}
	}
	// And a translated message takes the error's arguments.
	c := chrome{Lang: "uk"}
	got := fieldMessage(c, errs.FieldError{Field: "birth_date", Message: "day 31 does not exist in 1995-02", Code: "no_day", Args: []string{"31", "1995-02"}})
	if got != "Дня 31 немає в 1995-02." {
		t.Errorf("uk no_day got %q", got)
	}
	if got := fieldMessage(c, errs.FieldError{Field: "x", Message: "as it was", Code: "no_such_code"}); got != "as it was" {
		t.Errorf("unknown code got %q, want the English message", got)
	}
}
