package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
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
		form = url.Values{"login": {"ui-" + login + "-" + strings.ToLower(target)}, "role": {"auditor"}, "password": {"a long enough password"}}
	case "POST /admin/tokens":
		form = url.Values{"login": {"op"}, "days": {"1"}}
	case "POST /exchanges/{id}/answer":
		// No such person on the list: allowed callers get 422.
		form = url.Values{"party": {target}, "kind": {"offer"}, "version": {"1"}, "record_id": {"none"}, "answer": {"query"}, "reason": {"matrix"}}
	case "GET /exchanges/{id}/stages/{n}/lists/{party}/pdf":
		path = strings.Replace(path, "{party}", target, 1)
	case "POST /exchanges/{id}/agreement/sign":
		form = url.Values{"version": {"1"}, "line": {"— x y"}}
	case "POST /admin/keys":
		_, vk, _ := audit.GenerateKey(fmt.Sprintf("ui-%s-%s", login, target))
		form = url.Values{"vkey": {vk}}
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

		// An approver must enrol a second factor on first login.
		st, _, h = e.pageLogin("ua-appr")
		if st != 303 || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
			t.Fatalf("approver login: %d → %s", st, h.Get("Location"))
		}
		appr := sessionFrom(h)
		if st, _, h := e.page(appr, "GET", "/records", nil); st != 303 || h.Get("Location") != "/login/totp" {
			t.Fatalf("approver without a second factor: %d → %s", st, h.Get("Location"))
		}
		st, body, _ = e.page(appr, "GET", "/login/totp", nil)
		i := strings.Index(body, `id="totp-secret">`)
		if st != 200 || i < 0 || !strings.Contains(body, "otpauth://totp/") {
			t.Fatalf("enrolment page: %d", st)
		}
		secret := body[i+len(`id="totp-secret">`):]
		secret = secret[:strings.IndexByte(secret, '<')]
		if st, _, _ := e.page(appr, "POST", "/login/totp", url.Values{"code": {"123 456"}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code: %d", st)
		}
		code, _ := totp.GenerateCode(secret, time.Now())
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
		_, _, h = e.pageLogin("ua-appr")
		if st, body, _ := e.page(sessionFrom(h), "POST", "/login/totp", url.Values{"code": {code}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "used already") {
			t.Fatalf("replayed code: %d", st)
		}

		// Log out everywhere ends every session of the user.
		other := e.session("ua-appr")
		if st, _, _ := e.page(renewed, "POST", "/logout/all", url.Values{}); st != 303 {
			t.Fatalf("logout everywhere: %d", st)
		}
		if st, _, _ := e.page(other, "GET", "/", nil); st != http.StatusUnauthorized {
			t.Fatalf("another session after logout everywhere: %d", st)
		}
	})
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
		!strings.Contains(body, "«АБВГД» неправдоподібний: у військовому номері є цифри") {
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
