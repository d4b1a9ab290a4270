package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// session starts a session for login that has passed the second factor
// and returns its secret.
func (e *env) session(login string) string {
	e.t.Helper()
	u, err := e.db.UserByLogin(context.Background(), login)
	if err != nil {
		e.t.Fatal(err)
	}
	secret, err := e.db.CreateSession(context.Background(), u.ID, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// page sends a page request with a session cookie ("" for none) and a form
// body (nil for none). A redirect to the login page reads as 401, the way
// the access matrix counts a refusal.
func (e *env) page(cookie, method, path string, form url.Values) (int, string, http.Header) {
	e.t.Helper()
	return pageAt(e.t, e.ts.URL, cookie, method, path, form)
}

// pageAt is env.page on the server at base: another server process on
// the test's database.
func pageAt(t *testing.T, base, cookie, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	st := resp.StatusCode
	if st == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		st = http.StatusUnauthorized
	}
	return st, string(b), resp.Header
}

// uiMatrixRequest calls a page route for the access matrix as login, on
// the target party's record id, with a fresh session each time (some
// routes end sessions).
func (e *env) uiMatrixRequest(login, key, target, recID string) (int, []byte) {
	e.t.Helper()
	method, path, _ := strings.Cut(key, " ")
	path = strings.NewReplacer("{id}", recID, "{kind}", "offer", "{n}", "1", "{login}", "spare", "{$}", "", "{path...}", "app.css").Replace(path)
	var form url.Values
	switch key {
	case "GET /records":
		path += "?party=" + target
	case "GET /export/file":
		path += "?format=csv&lang=uk&kind=held&party=" + target
	case "GET /tracing-export/file":
		path += "?format=csv&party=" + target
	case "POST /import", "POST /import/confirm", "GET /import/{id}/errors.csv":
		return e.uiMatrixImport(login, key, target)
	case "GET /matching/runs/{id}", "POST /admin/tokens/{id}/revoke":
		path = strings.Replace(path, recID, "999999", 1)
	case "POST /login":
		form = url.Values{"login": {login}, "password": {"a long enough password"}}
	case "POST /login/totp":
		form = url.Values{"code": {"000000"}}
	case "POST /lang":
		form = url.Values{"lang": {"uk"}}
	case "POST /records/new":
		form = url.Values{"kind": {"held"}, "category": {"military"}, "surname": {"Матриця"}}
	case "POST /records/{id}/edit":
		form = url.Values{"kind": {map[string]string{"UA": "held", "RU": "sought"}[target]}, "category": {"military"},
			"surname": {"Матриця"}, "base_version": {"1"}, "reason": {"matrix"}}
	case "POST /matching/decide":
		form = url.Values{"decision": {"confirm"}, "reason": {"matrix"}}
	case "POST /admin/users":
		form = url.Values{"login": {"ui-" + login + "-" + strings.ToLower(target)}, "role": {"auditor"}}
	case "POST /admin/users/{login}/codes":
		form = url.Values{"purpose": {"reset"}}
	case "POST /enrol", "POST /reset":
		form = url.Values{"login": {login}, "code": {"NOT-A-CODE"}, "password": {"a long enough password"}, "password2": {"a long enough password"}}
	case "POST /account/password":
		form = url.Values{"current": {"not the password"}, "new": {"another long password"}, "new2": {"another long password"}}
	case "POST /keys", "POST /keys/{name}/confirm", "POST /keys/{name}/revoke":
		u, _ := e.db.UserByLogin(context.Background(), login)
		name := "mx-med"
		if u.Party != "" {
			name = "mx-" + target
		}
		path = strings.Replace(path, "{name}", name, 1)
		_, vk, _ := audit.GenerateKey(fmt.Sprintf("ui-%s-%s", login, target))
		form = url.Values{"vkey": {vk}, "purpose": {"witness"}, "reason": {"matrix"}}
	case "POST /exchanges/{id}/answer":
		// No such person on the list: allowed callers get 422.
		form = url.Values{"party": {target}, "kind": {"offer"}, "version": {"1"}, "record_id": {"none"}, "answer": {"query"}, "reason": {"matrix"}}
	case "GET /exchanges/{id}/stages/{n}/lists/{party}/pdf":
		path = strings.Replace(path, "{party}", target, 1)
	case "POST /cases":
		form = url.Values{"record": {recID}}
	case "POST /records/{id}/custody":
		form = url.Values{"kind": {"captured"}, "date": {"01.03.2025"}, "place": {"Матриця"}}
	case "POST /cases/{id}/steps":
		form = url.Values{"kind": {"contact"}, "mode": {"call"}, "with": {"мати"}, "date": {"01.12.2026"}}
	case "POST /exchanges/{id}/agreement/sign":
		form = url.Values{"version": {"1"}, "line": {"— x y"}}
	default:
		if method == "POST" {
			form = url.Values{}
		}
	}
	st, b, _ := e.page(e.session(login), method, path, form)
	return st, []byte(b)
}

func TestPagesLoginAndSecondFactor(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		// No session: to the login page, remembering where to go.
		st, _, h := e.page("", "GET", "/records?q=x", nil)
		if st != http.StatusUnauthorized {
			t.Fatalf("GET /records without a session: %d", st)
		}
		_ = h
		st, body, _ := e.page("", "GET", "/login", nil)
		if st != 200 || !strings.Contains(body, `name="password"`) {
			t.Fatalf("login page: %d", st)
		}
		// Wrong password: a clear message, 401.
		st, body, _ = e.page("", "POST", "/login", url.Values{"login": {"ua-reg"}, "password": {"wrong password here"}})
		if st != http.StatusUnauthorized || !strings.Contains(body, "Wrong login or password") {
			t.Fatalf("wrong password: %d", st)
		}
		// A registrar logs in: a session cookie with the right attributes.
		req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"login": {"ua-reg"}, "password": {"a long enough password"}, "next": {"/records"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/records" {
			t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		sc := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"__Host-handover=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
			if !strings.Contains(sc, want) {
				t.Errorf("Set-Cookie %q lacks %s", sc, want)
			}
		}
		cookie := strings.TrimPrefix(strings.SplitN(sc, ";", 2)[0], "__Host-handover=")
		st, body, h = e.page(cookie, "GET", "/records", nil)
		if st != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Fatalf("records page: %d, CSP %q", st, h.Get("Content-Security-Policy"))
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, " onclick=") {
			t.Errorf("page has inline script or style")
		}
		// A cross-site form post is refused (CSRF).
		req, _ = http.NewRequest("POST", e.ts.URL+"/logout", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err = noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST /logout: %d, want 403", resp.StatusCode)
		}
		// Logout ends the session on the server.
		if st, _, _ := e.page(cookie, "POST", "/logout", url.Values{}); st != 303 {
			t.Fatalf("logout: %d", st)
		}
		if st, _, _ := e.page(cookie, "GET", "/", nil); st != http.StatusUnauthorized {
			t.Fatalf("after logout: %d, want a redirect to login", st)
		}

		// An approver made before enrolment codes, without a second
		// factor, is not asked to make one at login: they get a code.
		st, _, h = e.pageLogin("ua-appr")
		if st != 303 || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
			t.Fatalf("approver login: %d → %s", st, h.Get("Location"))
		}
		if st, body, _ := e.page(sessionFrom(h), "GET", "/login/totp", nil); st != 200 || !strings.Contains(body, `id="totp-none"`) || strings.Contains(body, "otpauth://") {
			t.Fatalf("login/totp without a second factor: %d, want the note to enrol with a code", st)
		}

		// The administrator makes an approver: an enrolment code, shown
		// once, and no password anyone knows.
		clk := &skewClock{}
		db.Now = clk.now
		st, body, _ = e.page(e.session("admin"), "POST", "/admin/users", url.Values{"login": {"ua-appr-new"}, "role": {"party_approver"}, "party": {"UA"}})
		code := between(body, `id="code-value">`, "<")
		if st != http.StatusCreated || code == "" {
			t.Fatalf("new user: %d, code %q", st, code)
		}
		if st, _, _ := e.page("", "POST", "/login", url.Values{"login": {"ua-appr-new"}, "password": {""}}); st != http.StatusUnauthorized {
			t.Fatalf("login before enrolment: %d", st)
		}
		st, body, _ = e.page("", "GET", "/enrol", nil)
		secret := between(body, `id="totp-secret">`, "<")
		if st != 200 || secret == "" || !strings.Contains(body, "otpauth://totp/") {
			t.Fatalf("enrolment page: %d", st)
		}
		enrol := url.Values{"login": {"ua-appr-new"}, "code": {code}, "password": {"chosen by the approver"}, "password2": {"chosen by the approver"}, "secret": {secret}}
		if st, body, _ := e.page("", "POST", "/enrol", enrol); st != http.StatusUnprocessableEntity || !strings.Contains(body, "six-digit code") {
			t.Fatalf("enrolment of an approver without the second factor: %d", st)
		}
		enrolCode := totpNow(t, secret, clk.now())
		enrol.Set("totp_code", enrolCode)
		if st, body, _ := e.page("", "POST", "/enrol", enrol); st != 200 || !strings.Contains(body, `id="enrolled"`) {
			t.Fatalf("enrolment: %d", st)
		}
		if st, _, _ := e.page("", "POST", "/enrol", enrol); st != http.StatusUnauthorized {
			t.Fatalf("the enrolment code again: %d, want 401", st)
		}

		// Password, then the second factor.
		st, _, h = e.page("", "POST", "/login", url.Values{"login": {"ua-appr-new"}, "password": {"chosen by the approver"}})
		if st != 303 || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
			t.Fatalf("approver login: %d → %s", st, h.Get("Location"))
		}
		appr := sessionFrom(h)
		if st, _, h := e.page(appr, "GET", "/records", nil); st != 303 || h.Get("Location") != "/login/totp" {
			t.Fatalf("approver without a second factor: %d → %s", st, h.Get("Location"))
		}
		if st, _, _ := e.page(appr, "POST", "/login/totp", url.Values{"code": {"123 456"}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code: %d", st)
		}
		// The code of the enrolment's time step was used by the enrolment.
		if st, body, _ := e.page(appr, "POST", "/login/totp", url.Values{"code": {enrolCode}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "used already") {
			t.Fatalf("the enrolment's code at login: %d", st)
		}
		clk.skip()
		code = totpNow(t, secret, clk.now())
		st, _, h = e.page(appr, "POST", "/login/totp", url.Values{"code": {code}})
		if st != 303 {
			t.Fatalf("right code: %d", st)
		}
		renewed := sessionFrom(h)
		if renewed == "" || renewed == appr {
			t.Fatal("no new session id after the second factor")
		}
		if st, _, _ := e.page(appr, "GET", "/records", nil); st != http.StatusUnauthorized {
			t.Fatalf("the pre-factor session id still works: %d", st)
		}
		if st, _, _ := e.page(renewed, "GET", "/records", nil); st != 200 {
			t.Fatalf("approver after the second factor: %d", st)
		}
		// The same code cannot be used twice.
		_, _, h = e.page("", "POST", "/login", url.Values{"login": {"ua-appr-new"}, "password": {"chosen by the approver"}})
		if st, body, _ := e.page(sessionFrom(h), "POST", "/login/totp", url.Values{"code": {code}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "used already") {
			t.Fatalf("replayed code: %d", st)
		}

		// Log out everywhere ends every session of the user, and their
		// API tokens.
		clk.skip()
		st, b := e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": "ua-appr-new", "password": "chosen by the approver", "totp_code": totpNow(t, secret, clk.now())})
		if st != 200 {
			t.Fatalf("API login with the second factor: %d %s", st, b)
		}
		var tr struct{ Token string }
		json.Unmarshal(b, &tr)
		e.tokens["ua-appr-new"] = tr.Token
		if st, _ := e.do("ua-appr-new", "GET", "/api/v1/me", nil); st != 200 {
			t.Fatalf("the token: %d", st)
		}
		other := e.session("ua-appr-new")
		if st, _, _ := e.page(renewed, "POST", "/logout/all", url.Values{}); st != 303 {
			t.Fatalf("logout everywhere: %d", st)
		}
		if st, _, _ := e.page(other, "GET", "/", nil); st != http.StatusUnauthorized {
			t.Fatalf("another session after logout everywhere: %d", st)
		}
		if st, _ := e.do("ua-appr-new", "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
			t.Fatalf("an API token after logout everywhere: %d, want 401", st)
		}
	})
}

// skewClock is the store's clock in a test: real time plus an offset the
// test moves on by one TOTP step, so that the next one-time code is valid
// without waiting 30 seconds.
type skewClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *skewClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *skewClock) skip() {
	c.mu.Lock()
	c.off += 30 * time.Second
	c.mu.Unlock()
}

// totpNow returns the code an authenticator app shows for secret at t.
func totpNow(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// between returns the text of s after the first from, up to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return ""
}

func (e *env) pageLogin(login string) (int, string, http.Header) {
	return e.page("", "POST", "/login", url.Values{"login": {login}, "password": {"a long enough password"}})
}

func sessionFrom(h http.Header) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "__Host-handover" {
			return c.Value
		}
	}
	return ""
}

func TestPagesLoginRateLimited(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	var st int
	var body string
	for range 6 {
		st, body, _ = e.page("", "POST", "/login", url.Values{"login": {"aud"}, "password": {"not the password!"}})
	}
	if st != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("sixth failed login: %d", st)
	}
}

func TestPagesRecordsAndLanguage(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	reg := e.session("ua-reg")
	// A form error is shown next to its field, with what was typed.
	st, body, _ := e.page(reg, "POST", "/records/new", url.Values{"kind": {"held"}, "category": {"military"}, "birth_date": {"31.02.1990"}, "given_names": {"Олена"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-surname"`) || !strings.Contains(body, `id="e-birth_date"`) || !strings.Contains(body, "Олена") {
		t.Fatalf("invalid record: %d\n%s", st, body)
	}
	// In the user's language: a Ukrainian registrar reads Ukrainian errors.
	uk := e.session("ua-reg")
	e.page(uk, "POST", "/lang", url.Values{"lang": {"uk"}})
	st, body, _ = e.page(uk, "POST", "/records/new", url.Values{"kind": {"held"}, "category": {"military"}, "birth_date": {"1990-13"}, "surname": {"Іванчук"}, "capture_date": {"2999"}, "service_number": {"АБВГД"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "не дата") || !strings.Contains(body, "2999 — дата в майбутньому") ||
		!strings.Contains(body, "«АБВГД» неправдоподібний: в особистому номері є цифри") {
		t.Fatalf("errors in Ukrainian: %d\n%s", st, body)
	}
	e.page(uk, "POST", "/lang", url.Values{"lang": {"en"}})
	st, _, h := e.page(reg, "POST", "/records/new", url.Values{"kind": {"held"}, "category": {"military"}, "surname": {"Ґалаґан"}, "given_names": {"Олена"}, "birth_date": {"1990-02"}})
	if st != 303 || !strings.HasPrefix(h.Get("Location"), "/records/") {
		t.Fatalf("create: %d %s", st, h.Get("Location"))
	}
	st, body, _ = e.page(reg, "GET", h.Get("Location"), nil)
	if st != 200 || !strings.Contains(body, "Ґалаґан Олена") || !strings.Contains(body, "Galagan Olena") {
		t.Fatalf("record page: %d", st)
	}
	// The other party's registrar cannot open this party's registers.
	ru := e.session("ru-reg")
	if st, _, _ := e.page(ru, "GET", "/records?party=UA&kind=sought", nil); st != http.StatusForbidden {
		t.Fatalf("RU registrar on UA's sought register: %d", st)
	}
	if st, _, _ := e.page(ru, "GET", h.Get("Location"), nil); st != http.StatusForbidden && st != http.StatusNotFound {
		t.Fatalf("RU registrar on a UA record: %d", st)
	}
	// The language is remembered for the user, and plurals follow it.
	if st, _, _ := e.page(reg, "POST", "/lang", url.Values{"lang": {"uk"}, "next": {"/"}}); st != 303 {
		t.Fatalf("lang: %d", st)
	}
	st, body, _ = e.page(e.session("ua-reg"), "GET", "/", nil)
	if st != 200 || !strings.Contains(body, `lang="uk"`) || !strings.Contains(body, "1 запис") {
		t.Fatalf("home in Ukrainian: %d\n%s", st, body)
	}
}
