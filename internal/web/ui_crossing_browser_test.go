package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// activeID is the id of the element that has the keyboard focus.
func (b *browser) activeID() string {
	b.t.Helper()
	id, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		b.t.Fatalf("active element: %v", err)
	}
	return id
}

// TestBrowserCrossing drives the negotiation, agreement and crossing pages:
// a registrar reads the exchange, the mediator's operator hands in the last
// signature on the agreement page, UA's officer records its side's half of
// a stage's handovers with the keyboard only (search, Enter, Enter: a
// release of a person UA releases, a receipt of one RU releases), sees a
// receipt that RU has not matched, records a no-show offline and one
// substitution by a reserve with two clicks while the parity panel
// follows RU's halves by polling, and the operator closes the stage.
func TestBrowserCrossing(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	id, held, medKey := signedExchange(t, e, db, 3, "op")
	const pw = "a long enough password"
	b := newBrowser(t, e.ts.URL)

	t.Run("registrar reads the exchange", func(t *testing.T) {
		b.as(t)
		b.login("ua-reg", pw)
		b.run("exchanges", chromedp.Navigate(b.base+"/exchanges"), chromedp.WaitVisible(chromedp.CSS(`a[href="/exchanges/`+id+`"]`)))
		b.screenshot("exchanges")
		b.axe("exchanges")
		b.run("exchange", chromedp.Click(chromedp.CSS(`a[href="/exchanges/`+id+`"]`)), chromedp.WaitVisible(chromedp.ID("list-RU-offer")))
		if !strings.Contains(b.text("#list-RU-offer"), "ПетренкоRU0") {
			t.Errorf("the RU offer list does not show its persons")
		}
		b.screenshot("exchange")
		b.axe("exchange")
	})

	t.Run("operator signs the agreement", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("agreement", chromedp.Navigate(b.base+"/exchanges/"+id+"/agreement"), chromedp.WaitVisible(chromedp.ID("line")))
		b.screenshot("agreement-open")
		b.axe("agreement")
		var ag sqlstore.AgreementStatus
		e.must("op", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &ag, 200)
		line, err := exchange.Sign([]byte(ag.Document), medKey)
		if err != nil {
			t.Fatal(err)
		}
		b.run("sign", chromedp.SendKeys(chromedp.ID("line"), line), chromedp.Submit(chromedp.ID("line")),
			chromedp.WaitVisible(chromedp.CSS(".agreement-signed")))
		b.screenshot("agreement-signed")
	})
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)

	e.ruOfficer()
	medOfficer, _ := db.UserByLogin(context.Background(), "med-officer")
	ruOfficer, _ := db.UserByLogin(context.Background(), "ru-officer")
	events := "/api/v1/exchanges/" + id + "/stages/1/events"
	released := func(id, side, rec string) map[string]any {
		return map[string]any{"events": []any{map[string]any{"id": id, "type": "released", "side": side, "record_id": rec}}}
	}
	received := func(id, side, rec string) map[string]any {
		return map[string]any{"events": []any{map[string]any{"id": id, "type": "received", "side": side, "record_id": rec,
			"check": map[string]any{"method": "document"}, "health": "good"}}}
	}

	t.Run("officer records the stage", func(t *testing.T) {
		b.as(t)
		b.login("ua-officer", pw)
		// The officer may not read exchanges: the stage is picked from
		// the list of open stages on /crossing.
		b.run("crossing", chromedp.Navigate(b.base+"/crossing"), chromedp.WaitVisible(chromedp.CSS(`a.stage-link[href="/exchanges/`+id+`/stages/1"]`)))
		b.screenshot("crossing")
		b.axe("crossing")
		// The receiver and the observer are accounts, chosen from lists.
		b.run("stage", chromedp.Click(chromedp.CSS(`a.stage-link[href="/exchanges/`+id+`/stages/1"]`)), chromedp.WaitVisible(chromedp.ID("q")),
			chromedp.SetValue(chromedp.ID("receiver"), "user:"+strconv.FormatInt(ruOfficer.ID, 10)),
			chromedp.SetValue(chromedp.ID("observer"), "user:"+strconv.FormatInt(medOfficer.ID, 10)), chromedp.Focus(chromedp.ID("q")))
		b.screenshot("stage")
		b.axe("stage")
		// RU releases a person and UA's colleague receives them on other
		// machines: the parity panel follows by polling, without a reload.
		e.must("ru-officer", "POST", events, released("elsewhere-1", "RU", held["RU"][1]), nil, 200)
		e.must("ua-officer", "POST", events, received("elsewhere-2", "RU", held["RU"][1]), nil, 200)
		pctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		_, err := chromedp.Run(pctx, chromedp.Poll[bool](`document.querySelectorAll('#parity table')[0].querySelector('tbody td:nth-child(3)').innerText.trim() === '1'`))
		cancel()
		if err != nil {
			b.shot("FAILED-poll")
			t.Fatalf("the parity panel did not follow a handover recorded elsewhere: %v", err)
		}
		// With the keyboard only: search, Enter records the officer's own
		// half: UA's release of a person UA releases, UA's receipt of a
		// person RU releases.
		for _, sn := range []string{"Ж-UA00000", "Ж-RU00000"} {
			if got := b.activeID(); got != "q" {
				t.Fatalf("before %s the focus is on %q, not the search box", sn, got)
			}
			b.run("search "+sn, chromedp.KeyEvent(sn), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("article.person")))
			if got := b.activeID(); !strings.HasPrefix(got, "handover-") {
				b.shot("focus-" + sn)
				t.Fatalf("after finding %s the focus is on %q, not the record button", sn, got)
			}
			if sn == "Ж-RU00000" {
				b.screenshot("stage-card")
				b.axe("stage-card")
			}
			b.run("record "+sn, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("p.flash")))
			want := map[string]string{"Ж-UA00000": "released", "Ж-RU00000": "received"}[sn]
			if !strings.Contains(b.text("p.flash"), want) {
				t.Errorf("no clear feedback after %s: %q", sn, b.text("p.flash"))
			}
		}
		// RU has not recorded the release of the person UA received: the
		// card says so.
		b.run("one-sided", chromedp.SendKeys(chromedp.ID("q"), "Ж-RU00000\n"), chromedp.WaitVisible(chromedp.CSS("article.outcome-received p.disagree")))
		if got := b.text("article.person p.disagree"); !strings.Contains(got, "RU has not recorded the release") {
			t.Errorf("the card of a receipt without release: %q", got)
		}
		b.screenshot("stage-one-sided")
		b.axe("stage-one-sided")
		// UA's other person is not presented, recorded while the
		// connection is down: queued, then sent when it is back.
		b.run("search before going offline", chromedp.Navigate(b.base+"/exchanges/"+id+"/stages/1"), chromedp.WaitVisible(chromedp.ID("q")),
			chromedp.SendKeys(chromedp.ID("q"), "Ж-UA00001\n"), chromedp.WaitVisible(chromedp.CSS("article.person")))
		b.offline(true)
		b.run("not presented offline", chromedp.WaitVisible(chromedp.CSS("#net.net-off")),
			chromedp.Click(chromedp.CSS(`form.act input[value="not_presented"] ~ button`)),
			chromedp.WaitVisible(chromedp.CSS("#net.net-off .counts")))
		if got := b.text("#net"); !strings.Contains(got, "Waiting 1") {
			t.Errorf("offline feedback: %q", got)
		}
		b.screenshot("stage-offline")
		b.offline(false)
		b.waitFor("back online", `document.querySelector("#net.net-ok .counts") && document.querySelector("#net .counts").textContent.includes("accepted 1")`)
		if got := b.text("#net"); !strings.Contains(got, "accepted 1") {
			t.Errorf("queued event feedback: %q", got)
		}
		// A reserve crosses instead.
		b.run("search again", chromedp.SendKeys(chromedp.ID("q"), "Ж-UA00001\n"), chromedp.WaitVisible(chromedp.CSS("article.outcome-not_presented")))
		b.run("substitute", chromedp.WaitVisible(chromedp.ID("r-"+held["UA"][1])),
			chromedp.Click(chromedp.CSS(`form.act input[value="substituted_by"] ~ button`)), chromedp.WaitVisible(chromedp.CSS("p.flash")))
		if !strings.Contains(b.text("p.flash"), "reserve") {
			t.Errorf("substitution feedback: %q", b.text("p.flash"))
		}
		// RU records its halves elsewhere; the parity panel follows by polling.
		e.must("ru-officer", "POST", events, released("elsewhere-3", "RU", held["RU"][0]), nil, 200)
		e.must("ru-officer", "POST", events, received("elsewhere-4", "UA", held["UA"][0]), nil, 200)
		e.must("ru-officer", "POST", events, received("elsewhere-5", "UA", held["UA"][2]), nil, 200)
		b.run("parity", chromedp.WaitVisible(chromedp.CSS("#parity .badge-confirmed")))
		b.screenshot("stage-parity")
		b.run("Ukrainian", chromedp.SetValue(chromedp.ID("#lang-select"), "uk"), chromedp.Click(chromedp.ID("#lang-go")),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)))
		if !strings.Contains(b.text("#parity"), "Паритет") {
			t.Errorf("the stage page in Ukrainian: %q", b.text("#parity"))
		}
		b.run("search in Ukrainian", chromedp.SendKeys(chromedp.ID("q"), "Петренко\n"), chromedp.WaitVisible(chromedp.CSS("article.person")))
		b.screenshot("stage-uk")
		b.axe("stage-uk")
	})

	t.Run("operator suspends and resumes the stage", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("stages", chromedp.Navigate(b.base+"/crossing"), chromedp.Click(chromedp.CSS(`a[href="/exchanges/`+id+`/stages"]`)), chromedp.WaitVisible(chromedp.ID("suspend-1")),
			chromedp.WaitVisible(chromedp.CSS("figure.timeline svg polyline")))
		b.screenshot("stages")
		b.axe("stages")
		// Without a reason: said next to the field, nothing changes.
		b.run("suspend without reason", chromedp.Click(chromedp.ID("suspend-1")), chromedp.WaitVisible(chromedp.ID("reason-1-err")))
		if got := b.text("#reason-1-err"); !strings.Contains(got, "Required: say why.") {
			t.Errorf("the missing reason: %q", got)
		}
		b.axe("stages-error")
		b.run("suspend", chromedp.SendKeys(chromedp.ID("reason-1"), "shelling near the crossing"), chromedp.Click(chromedp.ID("suspend-1")),
			chromedp.WaitVisible(chromedp.ID("resume-1")))
		if got := b.text("#stage-1"); !strings.Contains(got, "suspended") || !strings.Contains(got, "shelling near the crossing") {
			t.Errorf("the suspended stage: %q", got)
		}
		b.screenshot("stages-suspended")
		b.run("resume", chromedp.Click(chromedp.ID("resume-1")), chromedp.WaitVisible(chromedp.ID("suspend-1")))
		if got := b.text("p.flash"); !strings.Contains(got, "Stage 1 is open again") {
			t.Errorf("after resuming: %q", got)
		}
		// Remains: a batch recorded from its form.
		b.run("remains", chromedp.Navigate(b.base+"/exchanges/"+id+"/remains"), chromedp.WaitVisible(chromedp.CSS("#form-batch summary")),
			chromedp.Click(chromedp.CSS("#form-batch summary")), chromedp.WaitVisible(chromedp.ID("batch-id")),
			chromedp.SendKeys(chromedp.ID("batch-id"), "b1"), chromedp.SetValue(chromedp.ID("batch-sender"), "RU"), chromedp.SetValue(chromedp.ID("batch-receiver"), "UA"),
			chromedp.SendKeys(chromedp.ID("batch-declared"), "12"), chromedp.Click(chromedp.ID("go-batch")), chromedp.WaitVisible(chromedp.ID("directions")))
		if got := b.text("#directions"); !strings.Contains(got, "RU → UA") {
			t.Errorf("the remains per direction: %q", got)
		}
		b.screenshot("remains")
		b.axe("remains")
	})

	t.Run("operator closes the stage", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("close", chromedp.Navigate(b.base+"/exchanges/"+id+"/stages/1"), chromedp.WaitVisible(chromedp.ID("close-stage")),
			chromedp.Click(chromedp.ID("close-stage")), chromedp.WaitVisible(chromedp.CSS(".stage-closed")))
		b.screenshot("stage-closed")
		b.run("exchange", chromedp.Navigate(b.base+"/exchanges/"+id), chromedp.WaitVisible(chromedp.CSS("figure.chart")))
		b.screenshot("exchange-charts")
		b.axe("exchange-charts")
		// A matching run: the home page draws its review backlog.
		uaReg, _ := db.UserByLogin(context.Background(), "ua-reg")
		f := person.Fields{Kind: person.Sought, Category: person.Military, Surname: "Петренко", GivenNames: "Іван", BirthDate: person.Date{Year: 1990, Month: 1, Day: 2}}
		if _, err := db.CreateRecord(context.Background(), uaReg.Scope(), sqlstore.NewRecord{Party: "UA", Fields: f}); err != nil {
			t.Fatal(err)
		}
		if st, body := e.do("op", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "UA", "held_party": "RU", "threshold": 0.01}); st != 201 && st != 200 {
			t.Fatalf("match run: %d %s", st, body)
		}
		b.run("home", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS("figure.chart")))
		b.screenshot("home-backlog")
		b.axe("home-backlog")
	})

	t.Run("bureau traces a sought person", func(t *testing.T) {
		uaReg, _ := db.UserByLogin(context.Background(), "ua-reg")
		f := person.Fields{Kind: person.Sought, Category: person.Military, Surname: "Бондаренко", GivenNames: "Олег", BirthDate: person.Date{Year: 1991, Month: 3, Day: 9}}
		if _, err := db.CreateRecord(context.Background(), uaReg.Scope(), sqlstore.NewRecord{Party: "UA", Fields: f}); err != nil {
			t.Fatal(err)
		}
		b.as(t)
		b.login("ua-reg", pw)
		b.run("trace", chromedp.Navigate(b.base+"/trace"), chromedp.WaitVisible(chromedp.ID("name")),
			chromedp.SendKeys(chromedp.ID("name"), "Bondarenko"), chromedp.SendKeys(chromedp.ID("birth_date"), "1991\n"),
			chromedp.WaitVisible(chromedp.CSS("table.data a")))
		b.screenshot("trace")
		b.axe("trace")
		b.run("timeline", chromedp.Click(chromedp.CSS("table.data a")), chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
		b.screenshot("trace-person")
		b.axe("trace-person")
	})
}
