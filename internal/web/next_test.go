package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestLoginNextStaysOnSite: the open redirect of issue 12 as a visitor
// meets it. The login page carries next to its form, and the login sends
// the browser there; a destination a browser would read as another site
// comes back as "/".
func TestLoginNextStaysOnSite(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "//evil.example", "/%2F/evil.example", "https://evil.example"} {
		st, body, _ := e.page("", "GET", "/login?next="+url.QueryEscape(next), nil)
		if st != http.StatusOK || strings.Contains(body, "evil.example") {
			t.Errorf("login page with next=%q: %d, and the page carries it on: %v", next, st, strings.Contains(body, "evil.example"))
		}
		st, _, h := e.page("", "POST", "/login", url.Values{"login": {"aud"}, "password": {"a long enough password"}, "next": {next}})
		if loc := h.Get("Location"); st != http.StatusSeeOther || loc != "/" {
			t.Errorf("login with next=%q: %d to %q, want 303 to /", next, st, loc)
		}
	}
	st, _, h := e.page("", "POST", "/login", url.Values{"login": {"aud"}, "password": {"a long enough password"}, "next": {"/records?q=%D0%9A"}})
	if loc := h.Get("Location"); st != http.StatusSeeOther || loc != "/records?q=%D0%9A" {
		t.Errorf("login with a destination of ours: %d to %q", st, loc)
	}
}
