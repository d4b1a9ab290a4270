package ui

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// TestTemplatesRenderZeroValues renders every page with the zero value of
// its view model, in every language.
func TestTemplatesRenderZeroValues(t *testing.T) {
	ts, err := parseUITemplates()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(uiFS, "templates/*.html")
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
	files, _ := fs.Glob(uiFS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(uiFS, f)
		if m := inline.Find(b); m != nil {
			t.Errorf("%s: inline script or style: %q", f, m)
		}
	}
}

// TestMessages checks that every key the templates and the handlers use
// is in the catalog of internal/locale (whose own tests check that every
// key has every language).
func TestMessages(t *testing.T) {
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"|T\("([a-z0-9_.]+)"|chromeFor\(r, "([a-z0-9_.]+)"\)|\.P "([a-z]+)"|P\("([a-z]+)"`)
	var srcs [][]byte
	files, _ := fs.Glob(uiFS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(uiFS, f)
		srcs = append(srcs, b)
	}
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, b)
	}
	n := 0
	for _, src := range srcs {
		for _, m := range used.FindAllSubmatch(src, -1) {
			for _, g := range m[1:] {
				k := string(g)
				if k == "" || strings.HasSuffix(k, ".") {
					continue
				}
				n++
				if !locale.Has(k) && !locale.HasPlural(k) {
					t.Errorf("key %q is used but not in the catalog", k)
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("found only %d uses of keys: is the scan still reading the sources?", n)
	}
	for _, p := range []string{"value.held", "value.sought", "role.party_registrar", "level.missing", "mfield.surname", "match.candidate"} {
		if !locale.Has(p) {
			t.Errorf("no message %s", p)
		}
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

// TestViolationsTranslated: an item that fails the terms says which rule
// and why in the user's language, never in the domain's English message.
func TestViolationsTranslated(t *testing.T) {
	ts, err := parseUITemplates()
	if err != nil {
		t.Fatal(err)
	}
	view := exchange.View{Blocking: []exchange.Blocking{{Party: "UA", Kind: exchange.Offer, RecordID: "r1", Category: person.Military,
		Why: exchange.BlockIneligible, Violations: []exchange.Violation{{Rule: "young", Code: exchange.VAgeBelow, Field: "birth_date", Message: "younger than 18 at 2026-01-01"}}}}}
	for name, v := range map[string]any{
		"exchange.html": exchangeView{chrome: chrome{Lang: "uk"}, View: view},
		"freeze.html":   freezeView{chrome: chrome{Lang: "uk"}, View: view},
	} {
		var b bytes.Buffer
		if err := ts.pages[name].ExecuteTemplate(&b, name, v); err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		if got := b.String(); !strings.Contains(got, "young: вік нижчий за межі правила") || strings.Contains(got, "younger than") {
			t.Errorf("%s: the violation is not in Ukrainian", name)
		}
	}
}
