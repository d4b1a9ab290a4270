package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserNegotiationForms drives the negotiation forms in chromium: the
// mediator's operator opens an exchange (after a field error), UA's
// registrar builds version 2 of its offer list by striking one person
// with a reason and adding another by service number, sees the
// differences and submits, and the operator freezes the agreed lists with
// a stage plan. axe runs on every new page.
func TestBrowserNegotiationForms(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ctx := context.Background()
	held := map[string][]string{
		"UA": heldRecords(t, db, "ua-reg", "UA", person.Held, 4),
		"RU": heldRecords(t, db, "ru-reg", "RU", person.Held, 4),
	}
	const pw = "a long enough password"
	b := newBrowser(t, e.ts.URL)
	var id string

	t.Run("operator opens an exchange", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("exchanges", chromedp.Navigate(b.base+"/exchanges"), chromedp.Click(chromedp.ID("open-exchange-link")), chromedp.WaitVisible(chromedp.ID("f-name")))
		b.screenshot("exchange-new")
		b.axe("exchange-new")
		b.run("without a name",
			chromedp.SendKeys(chromedp.ID("f-crossings"), "border"),
			chromedp.SetValue(chromedp.ID("f-from"), "2025-05-23"),
			chromedp.SendKeys(chromedp.ID("f-total"), "3"),
			chromedp.Click(chromedp.ID("open-exchange")),
			chromedp.WaitVisible(chromedp.ID("e-name")),
		)
		if v := b.value("#f-crossings"); v != "border" {
			t.Errorf("the crossing typed is lost: %q", v)
		}
		b.axe("exchange-new-errors")
		b.run("with a name", chromedp.SendKeys(chromedp.ID("f-name"), "Весна"), chromedp.Click(chromedp.ID("open-exchange")),
			chromedp.WaitVisible(chromedp.ID("freeze-link")))
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		id = loc[strings.LastIndex(loc, "/")+1:]
		if !strings.HasPrefix(id, "ex-") {
			t.Fatalf("after opening: %s", loc)
		}
	})
	if id == "" {
		t.FailNow()
	}
	// Version 1 of both offers, three persons each, through the store.
	for _, p := range []string{"UA", "RU"} {
		var items []exchange.Item
		for _, r := range held[p][:3] {
			items = append(items, exchange.Item{RecordID: r, Category: person.Military})
		}
		if _, err := db.SubmitList(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), id, exchange.Offer, items, nil, "first"); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("registrar submits version 2 of the offer", func(t *testing.T) {
		b.as(t)
		b.login("ua-reg", pw)
		b.run("exchange", chromedp.Navigate(b.base+"/exchanges/"+id), chromedp.Click(chromedp.ID("submit-offer")), chromedp.WaitVisible(chromedp.ID("draft-rows")))
		b.screenshot("list-submit")
		b.axe("list-submit")
		b.run("strike the first", chromedp.Click(chromedp.CSS(`button[name="strike"][value="`+held["UA"][0]+`"]`)), chromedp.WaitVisible(chromedp.ID("diff-removed")))
		b.run("add the fourth by service number and check",
			chromedp.SendKeys(chromedp.ID("f-add"), "Ж-UAh0003"),
			chromedp.SendKeys(chromedp.ID("f-remove_reason"), "помер у полоні"),
			chromedp.Click(chromedp.ID("draft-preview")),
			chromedp.WaitVisible(chromedp.ID("diff-added")),
		)
		added, removed := b.text("#diff-added"), b.text("#diff-removed")
		if !strings.Contains(added, held["UA"][3]) || !strings.Contains(removed, held["UA"][0]) || !strings.Contains(removed, "помер у полоні") {
			t.Errorf("the differences: added %q, removed %q", added, removed)
		}
		b.screenshot("list-submit-diff")
		b.axe("list-submit-diff")
		b.run("submit", chromedp.SendKeys(chromedp.ID("f-reason"), "one died, one more offered"), chromedp.Click(chromedp.ID("draft-submit")),
			chromedp.WaitVisible(chromedp.ID("list-UA-offer")))
		if s := b.text("#list-UA-offer"); !strings.Contains(s, held["UA"][3]) || strings.Contains(s, held["UA"][0]+"\n") {
			t.Errorf("the exchange page after submitting: %s", s)
		}
	})
	// Each side accepts the other's current offer.
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		lv, err := db.List(ctx, mustScope(t, db, "op"), id, other, exchange.Offer, 0)
		if err != nil {
			t.Fatal(err)
		}
		var answers []exchange.Response
		for _, it := range lv.Items {
			answers = append(answers, exchange.Response{RecordID: it.RecordID, Answer: exchange.Accept, Reason: "ok"})
		}
		if _, err := db.Respond(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), id, other, exchange.Offer, lv.Version, answers); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("operator freezes", func(t *testing.T) {
		b.as(t)
		b.login("op", pw)
		b.run("freeze page", chromedp.Navigate(b.base+"/exchanges/"+id), chromedp.Click(chromedp.ID("freeze-link")), chromedp.WaitVisible(chromedp.ID("f-s1_UA_military")))
		b.screenshot("freeze")
		b.axe("freeze")
		b.run("a stage without its end",
			chromedp.SetValue(chromedp.ID("f-s1_end"), ""),
			chromedp.Click(chromedp.ID("freeze")),
			chromedp.WaitVisible(chromedp.ID("e-s1_end")),
		)
		b.axe("freeze-errors")
		b.run("freeze", chromedp.SetValue(chromedp.ID("f-s1_end"), "2025-05-23T20:00"), chromedp.Click(chromedp.ID("freeze")),
			chromedp.WaitVisible(chromedp.CSS(".agreement-open")))
		b.screenshot("agreement-frozen")
	})
}

// value returns the value of a form field.
func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}
