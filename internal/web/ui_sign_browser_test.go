package web_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// sentRequest is a request the page sent, as the browser reports it.
type sentRequest struct {
	id     network.RequestID
	method string
	url    string
	body   string
}

// recordRequests records every request of the current tab, with the body
// the browser reports, until the test ends.
func (b *browser) recordRequests() func() []sentRequest {
	b.t.Helper()
	var mu sync.Mutex
	var reqs []sentRequest
	chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			var body strings.Builder
			for _, p := range e.Request.PostDataEntries {
				body.Write(p.Bytes)
			}
			mu.Lock()
			reqs = append(reqs, sentRequest{id: e.RequestID, method: e.Request.Method, url: e.Request.URL, body: body.String()})
			mu.Unlock()
		}
	})
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("network.enable: %v", err)
	}
	return func() []sentRequest {
		mu.Lock()
		defer mu.Unlock()
		out := append([]sentRequest{}, reqs...)
		// What the event did not carry (a long body), from the browser.
		for i, r := range out {
			if r.method != "GET" && r.body == "" {
				if res, err := chromedp.Call(b.ctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: r.id}); err == nil {
					out[i].body = string(res.PostData)
				}
			}
		}
		return out
	}
}

// withSession logs the browser in with a session made by the store (the
// approver's second factor included), in the given language.
func (b *browser) withSession(cookie string) {
	b.t.Helper()
	yes := true
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: "__Host-handover", Value: cookie, URL: b.base + "/", Path: "/", Secure: &yes, HTTPOnly: &yes}); err != nil {
		b.t.Fatalf("set the session cookie: %v", err)
	}
}

// TestBrowserAgreementSign: UA's approver opens the agreement in
// Ukrainian, reads the persons by name beside the record ids and
// commitments, checked against the document, and signs in the browser
// with the key file handover keygen wrote: a file that is no key, a key
// of a name not registered for UA and a damaged key are refused in
// Ukrainian; the right key signs, the server verifies the signature and
// the agreement is signed. The key (its file text, its seed in base64 or
// hex) appears in no request the page sent. Then the database is changed
// behind the store, and the page says, visibly, that the rendering fails
// the check against the document. axe runs on each state.
func TestBrowserAgreementSign(t *testing.T) {
	chromiumPath(t)
	dsn := sqltest.DSN(t, "sqlite")
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	e := newEnv(t, db)
	id, held, _ := signedExchange(t, e, db, 3, "ua-appr")
	// The approver's own key, made as handover keygen makes it, registered
	// for UA by two of UA's people.
	skey, _, err := audit.GenerateKey("ua-approver-browser")
	if err != nil {
		t.Fatal(err)
	}
	sqltest.ActivateKey(t, db, skey, "UA", sqlstore.KeySigner)
	stranger, _, _ := audit.GenerateKey("stranger")
	f := strings.SplitN(skey, "+", 5) // PRIVATE+KEY+name+hash+base64 (which may hold "+")
	seed, _ := base64.StdEncoding.DecodeString(f[4])
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("ua-approver-browser.key", skey+"\n")
	notKey := file("notes.txt", "це не ключ\n")
	other := file("stranger.key", stranger+"\n")
	damaged := file("damaged.key", strings.Join([]string{f[0], f[1], f[2], "00000000", f[4]}, "+")+"\n")
	var st sqlstore.AgreementStatus
	e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &st, 200)

	b := newBrowser(t, e.ts.URL)
	b.as(t)
	sent := b.recordRequests()
	b.withSession(e.sessionUK("ua-appr"))
	b.run("agreement page", chromedp.Navigate(b.base+"/exchanges/"+id+"/agreement"), chromedp.WaitVisible(chromedp.ID("agreement-persons")))
	// The browser signs with Ed25519 at all.
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign"]).then(() => true, () => false)`, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		t.Fatalf("this chromium has no Ed25519 in WebCrypto (%v)", err)
	}
	table := b.text("#agreement-persons")
	for _, want := range []string{"ПетренкоUA0 Іван", "ПетренкоRU1 Іван", "PetrenkoRU1 Ivan", "02.01.1991", "Ж-RU00001", held["RU"][1], "резервний список"} {
		if !strings.Contains(table, want) {
			t.Errorf("the persons' table has no %q", want)
		}
	}
	if c := b.text("#rendering-check"); !strings.Contains(c, "Звірено з документом") {
		t.Errorf("the check: %q", c)
	}
	// The page computes the hash of the text it signs itself.
	var hash string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if hash = b.text("#browser-hash"); len(hash) == 64 {
			break
		}
	}
	if hash != st.Hash {
		t.Errorf("the page's own hash %q, the document's %q", hash, st.Hash)
	}
	if inForm, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById("keyfile").form !== null`)); inForm {
		t.Error("the key file input is inside a form")
	}
	b.screenshot("agreement-sign")
	b.axe("agreement")

	msg := func(step, path, want string) {
		t.Helper()
		b.run(step, chromedp.SetUploadFiles(chromedp.ID("#keyfile"), []string{path}), chromedp.Click(chromedp.ID("#browser-sign-go")),
			chromedp.Poll[chromedp.Void](`document.getElementById("browser-sign-msg").className === "error"`))
		if got := b.text("#browser-sign-msg"); !strings.Contains(got, want) {
			t.Errorf("%s: the page says %q, want %q", step, got, want)
		}
	}
	msg("not a key", notKey, "Цей файл не є закритим ключем")
	msg("a key not registered for UA", other, "Ключ stranger не зареєстровано як ключ підписанта вашої сторони")
	msg("a damaged key", damaged, "Файл ключа пошкоджено")
	b.axe("agreement-wrong-key")
	if err := e.db.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &st, 200)
	if st.State != "open" {
		t.Fatalf("a refused key changed the agreement: %s", st.State)
	}

	b.run("sign with the right key", chromedp.SetUploadFiles(chromedp.ID("#keyfile"), []string{good}), chromedp.Click(chromedp.ID("#browser-sign-go")),
		chromedp.WaitVisible(chromedp.CSS(".agreement-signed")))
	e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &st, 200)
	signed := false
	for _, s := range st.Signed {
		signed = signed || (s.KeyName == "ua-approver-browser" && s.Role == "UA")
	}
	if st.State != "signed" || !signed {
		t.Fatalf("after signing in the browser: %s, %+v", st.State, st.Signed)
	}
	if sigs := b.text("#doc-sigs"); !strings.Contains(sigs, "— ua-approver-browser ") {
		t.Errorf("the page does not show the signature: %q", sigs)
	}

	// The key never left the browser: in no request, in no form.
	reqs := sent()
	posted := false
	for _, r := range reqs {
		for _, secret := range []string{skey, f[4], base64.StdEncoding.EncodeToString(seed[1:]), base64.RawURLEncoding.EncodeToString(seed[1:]), hexOf(seed[1:]), "PRIVATE+KEY", "PRIVATE%2BKEY"} {
			if strings.Contains(r.url, secret) || strings.Contains(r.body, secret) {
				t.Errorf("%s %s carries the key (%q)", r.method, r.url, secret)
			}
		}
		if r.method == "POST" && strings.HasSuffix(r.url, "/agreement/sign") {
			posted = true
			if !regexp.MustCompile(`— ua-approver-browser [A-Za-z0-9+/=]+`).MatchString(r.body) {
				t.Errorf("the signature post carries no signature line: %q", r.body)
			}
		}
	}
	if !posted || len(reqs) < 5 {
		t.Errorf("the requests were not recorded (%d, signature posted: %v)", len(reqs), posted)
	}
	// Nor in the browser's storage (app.js keeps its own settings there).
	stored, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify([localStorage, sessionStorage].map(s => Object.keys(s).map(k => k + "=" + s.getItem(k))))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{f[4], base64.StdEncoding.EncodeToString(seed[1:]), hexOf(seed[1:]), "PRIVATE+KEY"} {
		if strings.Contains(stored, secret) {
			t.Errorf("the browser's storage holds the key: %s", stored)
		}
	}

	// The database changed behind the store: the page says the rendering
	// is not the document's, and shows whom it shows instead.
	var extra struct{ Records []struct{ ID string } }
	e.must("ua-reg", "POST", "/api/v1/records/batch", map[string]any{"records": []any{map[string]any{"kind": "held", "category": "military", "status": "pow",
		"surname": "Підставний", "given_names": "Петро", "service_number": "Ж-999999"}}}, &extra, 201)
	swapCommitment(t, raw, "sqlite", held["RU"][0], extra.Records[0].ID)
	b.run("the changed database", chromedp.Navigate(b.base+"/exchanges/"+id+"/agreement"), chromedp.WaitVisible(chromedp.CSS("#rendering-check.check-failed")))
	if c := b.text("#rendering-check"); !strings.Contains(c, "Звірка з документом НЕ ПРОЙШЛА") || !strings.Contains(c, held["RU"][0]) || !strings.Contains(c, extra.Records[0].ID) {
		t.Errorf("the failed check reads %q", c)
	}
	if table := b.text("#agreement-persons"); !strings.Contains(table, "Підставний Петро") {
		t.Error("the person not in the document is not shown")
	}
	b.screenshot("agreement-check-failed")
	b.axe("agreement-check-failed")
	db.Close() // the log's audit finds the change too: not run after the test
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
