package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// offline cuts the tab's connection, or gives it back, with DevTools
// network emulation: requests fail (the service worker's too) and
// navigator.onLine says so.
func (b *browser) offline(on bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("network.enable: %v", err)
	}
	cond := []*network.Conditions{{Offline: on, DownloadThroughput: -1, UploadThroughput: -1}}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &on, MatchedNetworkConditions: cond}); err != nil {
		b.t.Fatalf("emulate network conditions: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: on, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		b.t.Fatalf("override network state: %v", err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into v.
func (b *browser) eval(expr string, v any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Promise.resolve(`+expr+`).then(v => JSON.stringify(v))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.shot("FAILED-eval")
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		b.t.Fatalf("eval %s answered %q: %v", expr, s, err)
	}
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond)); err != nil {
		file := b.shot("FAILED-" + what)
		b.t.Fatalf("%s: %v (screenshot: %s)", what, err, file)
	}
}

// setting chooses a value of the screen's settings as a person does.
func setting(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, id, value))
}

// noOverflow fails when the page is wider than the window (horizontal
// scrolling), and when a visible button or select of the stage screen is
// smaller than 44 px, the least a thumb hits.
func (b *browser) noOverflow(where string) {
	b.t.Helper()
	var r struct {
		Scroll, Inner int
		Small, Wide   []string
	}
	b.eval(`({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
		wide: Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)),
		small: Array.from(document.querySelectorAll("main button, main select, main input[type=search]")).filter(e => e.offsetParent !== null && !e.closest("details:not([open])"))
			.map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.height < 44 || r.width < 44).map(([e, r]) => (e.id || e.textContent.trim()) + " " + Math.round(r.width) + "×" + Math.round(r.height))})`, &r)
	if r.Scroll > r.Inner {
		b.shot("overflow-" + where)
		b.t.Errorf("%s: the page is %d px wide in a window of %d px: %q", where, r.Scroll, r.Inner, r.Wide)
	}
	if len(r.Small) > 0 {
		b.t.Errorf("%s: touch targets under 44 px: %q", where, r.Small)
	}
}

// inView fails unless the card's top is in the window, and its primary
// button (when it has one) wholly.
func (b *browser) inView(what, sel string) {
	b.t.Helper()
	var r struct {
		OK                 bool
		Top, Bottom, Inner float64
	}
	b.eval(fmt.Sprintf(`(() => { const c = document.querySelector(%q); const r = c.getBoundingClientRect(); const p = c.querySelector("button.primary");
		const pb = p ? p.getBoundingClientRect().bottom : r.top;
		return {ok: r.top >= -1 && r.top < window.innerHeight && pb <= window.innerHeight + 1, top: r.top, bottom: pb, inner: window.innerHeight}; })()`, sel), &r)
	if !r.OK {
		b.shot("not-in-view-" + what)
		b.t.Errorf("%s: %s is not in view after the search (top %.0f, button's bottom %.0f, window %.0f)", what, sel, r.Top, r.Bottom, r.Inner)
	}
}

// TestBrowserOfflineKeys runs the shared fixture of search keys through the
// browser's port (static/fold.js): it must compute what person.FoldCode
// and names.TypedForms compute (TestOfflineKeysFixture checks those).
func TestBrowserOfflineKeys(t *testing.T) {
	chromiumPath(t)
	b := newBrowser(t, "")
	src, err := os.ReadFile(filepath.Join("ui", "static", "fold.js"))
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile(filepath.Join("ui", "testdata", "offline", "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	letters, _ := json.Marshal(names.SkeletonLetters())
	b.run("load", chromedp.Navigate("about:blank"), chromedp.Evaluate[chromedp.Void](string(src)),
		chromedp.Evaluate[chromedp.Void](`handoverFold.setLetters(`+string(letters)+`)`))
	var fx struct {
		Codes []struct {
			In   string `json:"in"`
			Fold string `json:"fold"`
		} `json:"codes"`
		Queries []struct {
			In     string            `json:"in"`
			Tokens []json.RawMessage `json:"tokens"`
		} `json:"queries"`
	}
	if err := json.Unmarshal(fixture, &fx); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Codes   []string
		Queries []json.RawMessage
	}
	b.eval(`((fx) => ({codes: fx.codes.map(c => handoverFold.foldCode(c.in)), queries: fx.queries.map(q => handoverFold.queryTokens(q.in))}))(`+string(fixture)+`)`, &got)
	if len(got.Codes) != len(fx.Codes) || len(got.Queries) != len(fx.Queries) {
		t.Fatalf("the port answered %d codes and %d queries of %d and %d", len(got.Codes), len(got.Queries), len(fx.Codes), len(fx.Queries))
	}
	for i, c := range fx.Codes {
		if got.Codes[i] != c.Fold {
			t.Errorf("foldCode(%q) = %q in the browser, %q in Go", c.In, got.Codes[i], c.Fold)
		}
	}
	for i, q := range fx.Queries {
		want, _ := json.Marshal(q.Tokens)
		var g, w any
		json.Unmarshal(got.Queries[i], &g)
		json.Unmarshal(want, &w)
		gs, _ := json.Marshal(g)
		ws, _ := json.Marshal(w)
		if string(gs) != string(ws) {
			t.Errorf("queryTokens(%q):\n browser %s\n Go      %s", q.In, gs, ws)
		}
	}
}

// offlinePerson names the held persons of the offline tests: Ukrainian
// and Russian names in Cyrillic, service numbers with a Cyrillic Р.
func offlinePerson(p string, i int) map[string]any {
	ua := []string{"Шевченко", "Коваленко", "Ткаченко", "Бондаренко", "Олійник", "Мельник", "Кравченко", "Гончаренко"}
	ru := []string{"Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов"}
	r := map[string]any{"kind": "held", "category": "military", "status": "pow", "birth_date": fmt.Sprintf("19%02d-0%d-1%d", 70+i%30, 1+i%9, i%10),
		"service_number": fmt.Sprintf("Р-%s%05d", p, i)}
	if p == "UA" {
		r["surname"], r["given_names"], r["patronymic"] = ua[i%len(ua)], "Григорій", "Олександрович"
	} else {
		r["surname"], r["given_names"], r["patronymic"] = ru[i%len(ru)], "Алексей", "Иванович"
	}
	if i >= 8 {
		r["surname"] = fmt.Sprintf("%s%d", r["surname"], i)
	}
	return r
}

// TestBrowserOffline is the officer's day at a crossing with no signal, at
// a laptop's width and at a phone's (390 × 844): the stage kit is stored
// when the screen opens; with the connection cut (DevTools), the officer
// finds persons by a Latin spelling of a Cyrillic name and by a service
// number and records three outcomes, and a refusal without the observer;
// the page reloaded offline still has the kit and the queue; the session
// ends on the server; back online the screen asks to log in again and
// keeps the queue; after logging in the three are accepted on the server
// and the fourth is refused, kept and shown with the field to correct; it
// is corrected and sent again; logging out removes the kit.
func TestBrowserOffline(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int64
	}{{"laptop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			offlineJourney(t, size.w, size.h)
		})
	}
}

func offlineJourney(t *testing.T, width, height int64) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	id, held, _ := signedExchangeOf(t, e, db, 5, "", offlinePerson)
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
	e.ruOfficer()
	const pw = "a long enough password"
	ctx := context.Background()
	med, _ := db.UserByLogin(ctx, "med-officer")
	ru, _ := db.UserByLogin(ctx, "ru-officer")
	ua, _ := db.UserByLogin(ctx, "ua-officer")
	observer, receiver := "user:"+strconv.FormatInt(med.ID, 10), "user:"+strconv.FormatInt(ru.ID, 10)
	stage := "/exchanges/" + id + "/stages/1"
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.run("viewport", chromedp.EmulateViewport(width, height))
	phone := width < 500

	b.login("ua-officer", pw)
	// Home lists the stage; one click opens its screen, which stores the kit.
	b.run("home", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#my-stages a.stage-link[href="`+stage+`"]`)))
	b.noOverflow("home")
	b.run("open the stage", chromedp.Click(chromedp.CSS(`#my-stages a.stage-link`)), chromedp.WaitVisible(chromedp.ID("q")))
	b.waitFor("kit stored", `document.getElementById("net").dataset.ready === "2" && document.getElementById("net").dataset.kitPersons === "10"`)
	b.run("settings", setting("receiver", receiver), setting("observer", observer))
	if got := b.text("#settings-line"); !strings.Contains(got, "med-officer") || !strings.Contains(got, "ru-officer") {
		t.Errorf("the settings' summary line: %q", got)
	}
	b.noOverflow("stage")
	// The worker keeps the stage screen for a reload with no connection.
	b.waitFor("page kept", `caches.open("handover-pages-1").then(c => c.match(location.pathname)).then(r => !!r)`)

	b.offline(true)
	b.waitFor("offline said", `document.getElementById("net").classList.contains("net-off")`)
	search := func(q string) {
		b.t.Helper()
		b.run("search "+q, chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""; document.querySelectorAll("article.kit-card").forEach(e => e.remove())`), chromedp.Focus(chromedp.ID("q")), chromedp.KeyEvent(q), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("article.kit-card")))
		b.inView(q, "article.kit-card")
		b.noOverflow("search " + q)
	}
	// A Latin spelling of a Cyrillic name: Шевченко, released to RU.
	search("Shevchenko Hryhorii")
	if got := b.text("article.kit-card .pname"); got != "Шевченко Григорій Олександрович" {
		t.Fatalf("Shevchenko Hryhorii found %q", got)
	}
	b.axe("offline-card")
	b.screenshot("offline-card")
	if phone {
		// The narrowest phones in use: 360 px.
		b.run("360 px", chromedp.EmulateViewport(360, 740))
		b.noOverflow("360 px")
		b.run("390 px", chromedp.EmulateViewport(width, height))
	}
	b.run("released", chromedp.Click(chromedp.ID("kit-handover-"+held["UA"][0])), chromedp.WaitVisible(chromedp.CSS("#net .counts")))
	b.waitFor("one waiting", `document.querySelector("#net .counts").textContent.includes("Waiting 1") && document.activeElement.id === "q"`)
	// A service number typed on a Latin keyboard (the paper says Р-RU00001
	// with a Cyrillic Р): RU's person, received.
	search("p-ru 00001")
	if got := b.text("article.kit-card .pname"); got != "Кузнецов Алексей Иванович" {
		t.Fatalf("p-ru 00001 found %q", got)
	}
	b.run("received", chromedp.Click(chromedp.ID("kit-handover-"+held["RU"][1])), chromedp.WaitVisible(chromedp.CSS("#net .counts")))
	b.waitFor("two waiting", `document.querySelector("#net .counts").textContent.includes("Waiting 2") && document.activeElement.id === "q"`)
	search("Kovalenko")
	b.run("not presented", chromedp.Click(chromedp.CSS(`article.kit-card button[data-type="not_presented"]`)))
	b.waitFor("three waiting", `document.querySelector("#net .counts").textContent.includes("Waiting 3") && document.activeElement.id === "q"`)
	// A refusal with no observer chosen: the server will refuse it.
	b.run("no observer", setting("observer", ""))
	search("Tkachenko")
	b.run("refused", chromedp.Click(chromedp.CSS(`article.kit-card button[data-type="refused"]`)))
	b.waitFor("four waiting", `document.querySelector("#net .counts").textContent.includes("Waiting 4")`)
	b.axe("offline-queue")

	// Reloaded with no connection: the worker's page, the kit and the queue.
	b.run("reload offline", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("q")))
	b.waitFor("queue after reload", `document.getElementById("net").dataset.ready === "2" && document.querySelector("#net .counts") && document.querySelector("#net .counts").textContent.includes("Waiting 4")`)
	search("Шевченко")
	if got := b.text("article.kit-card p.queued"); !strings.Contains(got, "released") {
		t.Errorf("the card of a queued release after the reload: %q", got)
	}
	b.screenshot("offline-reloaded")

	// The session ends on the server meanwhile (and ua-officer's API
	// tokens with it).
	if _, err := db.EndUserSessions(ctx, ua.ID); err != nil {
		t.Fatal(err)
	}
	b.offline(false)
	b.run("asked to log in", chromedp.WaitVisible(chromedp.ID("relogin")))
	b.waitFor("still waiting", `document.querySelector("#net .counts").textContent.includes("Waiting 4")`)
	if got := b.text("#net"); !strings.Contains(got, "log in again") || !strings.Contains(got, "Waiting 4") {
		t.Errorf("after the session ended: %q", got)
	}
	b.axe("relogin")
	b.run("to the login page", chromedp.Click(chromedp.ID("relogin")), chromedp.WaitVisible(chromedp.ID("login-submit")))
	b.run("log in again", chromedp.SendKeys(chromedp.ID("login"), "ua-officer"), chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.Click(chromedp.ID("login-submit")))
	b.run("back at the stage", chromedp.WaitVisible(chromedp.ID("q")))
	b.waitFor("answered", `document.querySelector("#net .counts") && document.querySelector("#net .counts").textContent.includes("accepted 3 · refused 1")`)
	// The server has the three.
	look := func(rec string) api.LookupHit {
		var hits api.LookupHits
		e.must("op", "GET", "/api/v1/exchanges/"+id+"/stages/1/lookup?q="+rec, nil, &hits, 200)
		if len(hits.Persons) != 1 {
			t.Fatalf("lookup %s: %+v", rec, hits)
		}
		return hits.Persons[0]
	}
	if h := look(held["UA"][0]); h.Status.Release.Type != "released" {
		t.Errorf("Шевченко's release on the server: %+v", h.Status.Release)
	}
	if h := look(held["RU"][1]); h.Status.Receipt.Type != "received" {
		t.Errorf("Кузнецов's receipt on the server: %+v", h.Status.Receipt)
	}
	if h := look(held["UA"][1]); h.Status.Release.Type != "not_presented" {
		t.Errorf("Коваленко's no-show on the server: %+v", h.Status.Release)
	}
	if h := look(held["UA"][2]); h.Status.Release.Type != "" {
		t.Errorf("the refusal without a witness was recorded: %+v", h.Status.Release)
	}
	// The refusal is kept and says which field, marked, its section open.
	// (The panel is drawn again at each change of the queue: polled.)
	b.waitFor("the refused event", `(document.querySelector("#refused li") || {textContent: ""}).textContent.includes("Ткаченко") &&
		document.querySelector("#refused li").textContent.includes("Mediator's observer: Required.")`)
	var marked bool
	b.eval(`document.getElementById("observer").getAttribute("aria-invalid") === "true" && document.getElementById("settings").open`, &marked)
	if !marked {
		t.Errorf("the observer field is not marked, or its section not open")
	}
	b.noOverflow("refused")
	b.axe("refused")
	b.screenshot("refused")
	b.run("reload keeps the refusal", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#refused li")))
	// Corrected and sent again under its id.
	b.run("correct", setting("observer", observer), chromedp.Click(chromedp.CSS("#refused li button.resend")))
	b.waitFor("all accepted", `document.querySelector("#net .counts").textContent.includes("accepted 4 · refused 0")`)
	if h := look(held["UA"][2]); h.Status.Release.Type != "refused" {
		t.Errorf("the corrected refusal on the server: %+v", h.Status.Release)
	}

	// Logging out removes the kit; the queue's lines stay.
	b.run("logout", chromedp.Click(chromedp.CSS("header form[action='/logout'] button")), chromedp.WaitVisible(chromedp.ID("login-submit")))
	var kits int
	b.eval(`new Promise(res => { const r = indexedDB.open("handover", 1); r.onsuccess = () => { const q = r.result.transaction("kits").objectStore("kits").count(); q.onsuccess = () => res(q.result); }; })`, &kits)
	if kits != 0 {
		t.Errorf("%d kits left after logging out", kits)
	}
	var pages bool
	b.eval(`caches.has("handover-pages-1")`, &pages)
	if pages {
		t.Errorf("the stage screens are kept after logging out")
	}
	if phone {
		b.screenshot("phone-login")
		return
	}
	// A closed stage keeps no kit: the screen drops it.
	b.login("ua-officer", pw)
	b.run("the stage again", chromedp.Navigate(b.base+stage), chromedp.WaitVisible(chromedp.ID("q")))
	b.waitFor("kit stored again", `document.getElementById("net").dataset.ready === "2" && document.getElementById("net").dataset.kitPersons === "10"`)
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages/1/transitions", map[string]any{"events": []any{
		map[string]any{"id": "close-1", "type": "stage_closing"}, map[string]any{"id": "close-2", "type": "stage_closed", "reason": "the test ends the stage"}}}, nil, 200)
	b.run("the closed stage", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".stage-closed")))
	b.waitFor("kit dropped", `document.getElementById("net").dataset.ready === "2"`)
	b.eval(`new Promise(res => { const r = indexedDB.open("handover", 1); r.onsuccess = () => { const q = r.result.transaction("kits").objectStore("kits").count(); q.onsuccess = () => res(q.result); }; })`, &kits)
	if kits != 0 {
		t.Errorf("%d kits kept for a closed stage", kits)
	}
}

// TestBrowserKitFigures prints the figures of the stage kit for a stage of
// 1,000 persons a side (and a reserve) in chromium: the kit's size as sent
// and as stored, the time from opening the stage screen to the first
// search answered from the stored kit, and the time of searches with no
// connection. It measures; it asserts no time. Run it with
// HANDOVER_KIT_FIGURES=1 go test -run TestBrowserKitFigures ./internal/web/ -v
func TestBrowserKitFigures(t *testing.T) {
	if os.Getenv("HANDOVER_KIT_FIGURES") == "" {
		t.Skip("set HANDOVER_KIT_FIGURES=1 to measure the stage kit of 1,000 persons a side")
	}
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	start := time.Now()
	id, _, _ := signedExchangeOf(t, e, db, 1001, "", offlinePerson)
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
	t.Logf("exchange of 1,001 a side signed and stage opened in %v", time.Since(start).Round(time.Millisecond))
	stage := "/exchanges/" + id + "/stages/1"
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("ua-officer", "a long enough password")
	for round := range 3 {
		// From opening the screen to the first search the stored kit answers.
		b.run("open", chromedp.Evaluate[chromedp.Void](`new Promise(r => { const q = indexedDB.open("handover", 1); q.onsuccess = () => { const t = q.result.transaction("kits", "readwrite"); t.objectStore("kits").clear(); t.oncomplete = r; }; q.onerror = r; q.onupgradeneeded = () => { q.result.createObjectStore("kits", {keyPath: "key"}); q.result.createObjectStore("queue", {keyPath: "id"}); }; })`, chromedp.EvalAwaitPromise),
			chromedp.Navigate(b.base+stage), chromedp.WaitVisible(chromedp.ID("q")))
		b.waitFor("kit stored", `document.getElementById("net").dataset.ready === "2" && document.getElementById("net").dataset.kitPersons === "2002"`)
		var f struct {
			Ready, Stored, Bytes, JSON float64
		}
		b.eval(`(async () => {
			const net = document.getElementById("net");
			const nav = performance.getEntriesByType("navigation")[0];
			const kit = performance.getEntriesByType("resource").filter(r => r.name.endsWith("/kit"))[0];
			const est = await navigator.storage.estimate();
			const k = await new Promise(r => { const q = indexedDB.open("handover", 1); q.onsuccess = () => { const g = q.result.transaction("kits").objectStore("kits").getAll(); g.onsuccess = () => r(g.result[0]); }; });
			return {ready: performance.now(), stored: Number(net.dataset.kitStored), bytes: kit ? kit.transferSize || kit.encodedBodySize : 0, json: JSON.stringify(k.kit).length};
		})()`, &f)
		b.offline(true)
		var first float64
		b.eval(`(async () => { const t0 = performance.now(); document.getElementById("q").value = "Shevchenko Hryhorii";
			document.querySelector("form.search-big").requestSubmit(); await new Promise(r => setTimeout(r, 0));
			while (!document.querySelector("article.kit-card")) { await new Promise(r => setTimeout(r, 1)); }
			return performance.now() - t0; })()`, &first)
		var times []float64
		b.eval(`(async () => { const out = []; for (const q of ["Shevchenko", "Kovalenko Hryhorii", "p-ua 00500", "Смирнов", "Kuznetsov Aleksei", "Морозов", "Popov", "00999", "Sokolov Alexei Ivanovich", "Tkachenko"]) {
			document.getElementById("q").value = q; document.querySelector("form.search-big").requestSubmit();
			await new Promise(r => setTimeout(r, 0)); out.push(Number(document.getElementById("net").dataset.searchMs)); } return out; })()`, &times)
		b.offline(false)
		slices.Sort(times)
		t.Logf("round %d: kit %d persons: %.0f kB sent, %.0f kB as JSON stored; stored in IndexedDB in %.0f ms; screen opened to kit stored %.0f ms; first offline search drawn in %.1f ms; search alone: median %.2f ms, max %.2f ms over %d queries",
			round+1, 2002, f.Bytes/1000, f.JSON/1000, f.Stored, f.Ready, first, times[len(times)/2], times[len(times)-1], len(times))
	}
}
