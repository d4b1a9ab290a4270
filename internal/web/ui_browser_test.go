package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// chromiumPath finds Debian's chromium. Locally a missing browser skips the
// browser tests with a message; in CI (CI=true) it fails them.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HANDOVER_CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but chromium is not installed: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("SKIPPED: chromium not found; install it (apt-get install chromium) to run the browser tests")
	return ""
}

// browser is one headless chromium with a fresh profile, and a place for
// screenshots: testdata/out (ignored by git), or HANDOVER_UI_SHOTS.
type browser struct {
	t     *testing.T
	root  context.Context // the first tab: keeps the browser running
	ctx   context.Context // the current user's tab
	base  string
	shots string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 300*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	shots := os.Getenv("HANDOVER_UI_SHOTS")
	if shots == "" {
		shots = filepath.Join("ui", "testdata", "out")
	}
	return &browser{t: t, root: ctx, ctx: ctx, base: base, shots: shots}
}

// as starts a subtest's session: a tab in a new browser context, with no
// cookies from the subtests before (as a different person's browser).
func (b *browser) as(t *testing.T) {
	b.t = t
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	b.ctx = ctx
}

// run runs actions; on failure it saves a screenshot named after step and
// fails the test.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		file := b.shot("FAILED-" + step)
		b.t.Fatalf("%s: %v (screenshot: %s)", step, err, file)
	}
}

// shot saves a full-page screenshot and returns its path.
func (b *browser) shot(name string) string {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "none: " + err.Error()
	}
	os.MkdirAll(b.shots, 0o755)
	file := filepath.Join(b.shots, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+name+".png")
	os.WriteFile(file, png, 0o644)
	return file
}

// screenshot saves a screenshot of a main page when HANDOVER_UI_SHOTS asks.
func (b *browser) screenshot(name string) {
	if os.Getenv("HANDOVER_UI_SHOTS") != "" {
		b.shot(name)
	}
}

func (b *browser) login(login, password string) {
	b.t.Helper()
	b.run("login "+login,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("#login")),
		chromedp.SendKeys(chromedp.ID("#login"), login),
		chromedp.SendKeys(chromedp.ID("#password"), password),
		chromedp.Click(chromedp.ID("#login-submit")),
		// Off the login page, and the header's logout button is there
		// only once logged in.
		chromedp.WaitNotPresent(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("header form[action='/logout'] button")),
	)
}

func (b *browser) logout() {
	b.t.Helper()
	b.run("logout", chromedp.Submit(chromedp.CSS("header form[action='/logout']")), chromedp.WaitVisible(chromedp.ID("#login")))
}

// axe injects the vendored axe-core into the current page and fails on any
// serious or critical violation.
func (b *browser) axe(page string) {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join("ui", "testdata", "axe", "axe.min.js"))
	if err != nil {
		b.t.Fatal(err)
	}
	b.run("axe "+page, chromedp.Evaluate[chromedp.Void](string(src)))
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	var vs []map[string]any
	if err := json.Unmarshal([]byte(res), &vs); err != nil {
		b.t.Fatalf("axe on %s answered %q: %v", page, res, err)
	}
	for _, v := range vs {
		b.t.Errorf("axe on %s: %v %v: %v at %v", page, v["impact"], v["id"], v["help"], v["nodes"])
	}
	if len(vs) > 0 {
		b.shot("axe-" + page)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		file := b.shot("FAILED-text")
		b.t.Fatalf("text of %s: %v (screenshot: %s)", sel, err, file)
	}
	return s
}

// htmxSettled waits until no htmx request, swap or settle is under way.
func htmxSettled() chromedp.Action[chromedp.Void] {
	return chromedp.WaitNotPresent(chromedp.CSS(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"))
}

// TestBrowser drives chromium through the pages as the roles use them.
func TestBrowser(t *testing.T) {
	path := chromiumPath(t)
	_ = path
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	clk := &skewClock{}
	db.Now = clk.now
	ctx := context.Background()
	// A sought person of UA held by RU, so that matching finds a pair.
	uaReg, _ := db.UserByLogin(ctx, "ua-reg")
	ruReg, _ := db.UserByLogin(ctx, "ru-reg")
	for _, r := range []struct {
		party string
		kind  person.Kind
		u     sqlstore.User
		f     person.Fields
	}{
		{"UA", person.Sought, uaReg, person.Fields{Surname: "Ковальчук", GivenNames: "Олександр", Patronymic: "Петрович", ServiceNumber: "А-123456"}},
		{"RU", person.Held, ruReg, person.Fields{Surname: "Ковальчук", GivenNames: "Александр", Patronymic: "Петрович", ServiceNumber: "А123456"}},
		{"UA", person.Sought, uaReg, person.Fields{Surname: "Шевченко", GivenNames: "Тарас", Patronymic: "Григорович"}},
		{"RU", person.Held, ruReg, person.Fields{Surname: "Мельник", GivenNames: "Іван"}},
	} {
		f := r.f
		f.Kind, f.Category = r.kind, person.Military
		f.BirthDate = person.Date{Year: 1998, Month: 5, Day: 14}
		if _, err := db.CreateRecord(ctx, r.u.Scope(), sqlstore.NewRecord{Party: r.party, Fields: f}); err != nil {
			t.Fatal(err)
		}
	}
	if st, body := e.do("op", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "UA", "held_party": "RU", "threshold": 0.01}); st != 201 && st != 200 {
		t.Fatalf("match run: %d %s", st, body)
	}
	const pw = "a long enough password"
	b := newBrowser(t, e.ts.URL)

	t.Run("registrar creates a record and fixes a field error", func(t *testing.T) {
		b.as(t)
		b.login("ua-reg", pw)
		b.screenshot("home")
		b.axe("home")
		b.run("open the form",
			chromedp.Navigate(b.base+"/records/new"),
			chromedp.WaitVisible(chromedp.ID("#f-surname")),
		)
		b.axe("record-form")
		b.run("submit with a bad date and no surname",
			chromedp.SendKeys(chromedp.ID("#f-given_names"), "Олена"),
			chromedp.SendKeys(chromedp.ID("#f-birth_date"), "31.02.1990"),
			chromedp.Click(chromedp.ID("#save-record")),
			chromedp.WaitVisible(chromedp.ID("#e-birth_date")),
			chromedp.WaitVisible(chromedp.ID("#e-surname")),
		)
		b.screenshot("record-form-errors")
		b.axe("record-form-errors")
		b.run("fix the fields",
			chromedp.Clear(chromedp.ID("f-birth_date")),
			chromedp.SendKeys(chromedp.ID("#f-birth_date"), "28.02.1990"),
			chromedp.SendKeys(chromedp.ID("#f-surname"), "Ґалаґан"),
			chromedp.Click(chromedp.ID("#save-record")),
			chromedp.WaitVisible(chromedp.ID("#record-name")),
		)
		if got := b.text("#record-name"); got != "Ґалаґан Олена" {
			t.Errorf("record name %q", got)
		}
		b.screenshot("record")
		b.axe("record")
		// Search as you type (htmx swaps the table; without JavaScript the
		// form's button does the same).
		b.run("search as you type", chromedp.Navigate(b.base+"/records?kind=sought"), chromedp.WaitVisible(chromedp.ID("#q")),
			chromedp.WaitVisible(chromedp.Search(`//tbody//a[contains(., "Ковальчук")]`)),
			chromedp.SendKeys(chromedp.ID("#q"), "шевч"),
			chromedp.WaitNotPresent(chromedp.Search(`//tbody//a[contains(., "Ковальчук")]`)),
			chromedp.WaitVisible(chromedp.Search(`//tbody/tr[1]/td[1]/a[contains(., "Шевченко")]`)))
		b.screenshot("records")
		b.axe("records")
		b.run("language switch",
			chromedp.Navigate(b.base+"/"),
			chromedp.WaitVisible(chromedp.ID("#lang-select")),
			chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
			chromedp.Click(chromedp.ID("#lang-go")),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
		)
		if got := b.text("main h1"); got != "Огляд" {
			t.Errorf("heading after switching to Ukrainian: %q", got)
		}
		b.screenshot("home-uk")
		// Remembered per user: a new login shows Ukrainian at once.
		b.logout()
		b.login("ua-reg", pw)
		if got := b.text("main h1"); got != "Огляд" {
			t.Errorf("heading after logging in again: %q", got)
		}
		b.run("back to English", chromedp.SetValue(chromedp.ID("#lang-select"), "en"), chromedp.Click(chromedp.ID("#lang-go")),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
		b.logout()
	})

	t.Run("the other party's registrar cannot open the sought register", func(t *testing.T) {
		b.as(t)
		b.login("ru-reg", pw)
		b.run("open UA's sought register", chromedp.Navigate(b.base+"/records?party=UA&kind=sought"), chromedp.WaitVisible(chromedp.CSS(".status")))
		if got := b.text(".status"); got != "403" {
			t.Errorf("status shown: %q, want 403", got)
		}
		b.screenshot("forbidden")
		b.axe("forbidden")
		b.logout()
	})

	t.Run("mediator confirms a match", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("runs", chromedp.Navigate(b.base+"/matching"), chromedp.WaitVisible(chromedp.CSS("td a[href^='/matching/runs/']")))
		b.screenshot("runs")
		b.axe("runs")
		b.run("candidates", chromedp.Click(chromedp.CSS("td a[href^='/matching/runs/']")), chromedp.WaitVisible(chromedp.ID("#cand-1")))
		b.screenshot("candidates")
		b.axe("candidates")
		// Keyboard: j moves to the first pair, / to its reason, Escape back
		// to the pair, c confirms.
		b.run("confirm with the keyboard",
			chromedp.KeyEvent("j"),
			chromedp.WaitReady(chromedp.CSS("#cand-1:focus")),
			chromedp.KeyEvent("/"),
			chromedp.WaitReady(chromedp.CSS("#reason-1:focus")),
			chromedp.SendKeys(chromedp.ID("#reason-1"), "same service number and date of birth"),
			chromedp.KeyEvent(kb.Escape),
			chromedp.WaitReady(chromedp.CSS("#cand-1:focus")),
			chromedp.KeyEvent("c"),
			chromedp.WaitVisible(chromedp.CSS("#cand-1 .badge-confirmed")),
			// htmx swapped the card in place; wait until it has settled.
			htmxSettled(),
			chromedp.WaitReady(chromedp.CSS("#cand-1:focus")),
		)
		if got := b.text("#cand-1 p.decided"); !strings.HasSuffix(got, ": same service number and date of birth") {
			t.Errorf("decision shown as %q", got)
		}
		b.screenshot("candidate-confirmed")
		b.run("disclose to the seeking party",
			chromedp.Click(chromedp.CSS("#cand-1 button.disclose")),
			chromedp.WaitVisible(chromedp.CSS("#cand-1 p.flash")),
			htmxSettled(),
		)
		b.run("undo needs a reason",
			chromedp.Click(chromedp.CSS("#cand-1 button.undo")),
			chromedp.WaitVisible(chromedp.CSS("#cand-1 p.error")),
			htmxSettled(),
		)
		b.logout()
	})

	t.Run("administrator enrols a second factor", func(t *testing.T) {
		b.as(t)
		// The holder of the data directory issues the first administrator's
		// enrolment code ('handover user code').
		code, err := db.IssueCode(ctx, access.Scope{}, "admin", access.CodeEnrol)
		if err != nil {
			t.Fatal(err)
		}
		const newPW = "the administrator's own password"
		b.run("enrolment page", chromedp.Navigate(b.base+"/enrol"), chromedp.WaitVisible(chromedp.ID("totp-secret")))
		secret := strings.TrimSpace(b.text("#totp-secret"))
		b.screenshot("enrol")
		b.axe("enrol")
		b.run("enrol",
			chromedp.SendKeys(chromedp.ID("#login"), "admin"),
			chromedp.SendKeys(chromedp.ID("#code"), code.Code),
			chromedp.SendKeys(chromedp.ID("#password"), newPW),
			chromedp.SendKeys(chromedp.ID("#password2"), newPW),
			chromedp.SendKeys(chromedp.ID("#totp_code"), totpNow(t, secret, clk.now())),
			chromedp.Click(chromedp.ID("#enrol-submit")),
			chromedp.WaitVisible(chromedp.ID("#enrolled")))
		clk.skip()
		b.login("admin", newPW)
		b.run("second factor", chromedp.WaitVisible(chromedp.ID("code")))
		b.screenshot("totp")
		b.axe("totp")
		b.run("enter the code", chromedp.SendKeys(chromedp.ID("#code"), totpNow(t, secret, clk.now())), chromedp.Click(chromedp.ID("#totp-submit")),
			chromedp.WaitVisible(chromedp.CSS("a[href='/admin/users']")))
		for _, p := range []string{"/admin/users", "/admin/tokens", "/keys", "/audit", "/account"} {
			b.run("open "+p, chromedp.Navigate(b.base+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
			name := strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
			b.screenshot(name)
			b.axe(name)
		}
		b.logout()
		b.run("login page", chromedp.WaitVisible(chromedp.ID("#login")))
		b.axe("login")
		b.screenshot("login")
	})
}
