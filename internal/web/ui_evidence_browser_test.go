package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserEvidence: a registrar working in Ukrainian opens a civilian's
// eligibility evidence from the record page, adds a consent row, leaves
// the witness out and reads the error at the field, fills it in and saves,
// and is back on the record page with the message; the form then starts
// from what was saved. axe runs on the empty form, the form with the error
// and the prefilled form.
func TestBrowserEvidence(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	id := e.civilian("Мельник")
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("ua-reg", "a long enough password")
	b.run("switch to Ukrainian",
		chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
		chromedp.Click(chromedp.ID("#lang-go")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
	)
	b.run("open the evidence from the record page",
		chromedp.Navigate(b.base+"/records/"+id),
		chromedp.Click(chromedp.ID("#record-evidence")),
		chromedp.WaitVisible(chromedp.ID("#evidence-form")),
	)
	b.screenshot("evidence")
	b.axe("evidence")

	b.run("add a row, fill a consent without its witness",
		chromedp.Click(chromedp.ID("#add-consent-row")),
		chromedp.WaitVisible(chromedp.ID("#f-consent_kind_1")),
		chromedp.SetValue(chromedp.ID("#f-consent_kind_0"), "given"),
		chromedp.SetValue(chromedp.ID("#f-consent_date_0"), "2026-04-01"),
		chromedp.Click(chromedp.ID("#save-evidence")),
		chromedp.WaitVisible(chromedp.ID("#e-consent_witness_0")),
	)
	if got := b.text("#e-consent_witness_0"); got != "Обов’язкове: хто засвідчив заяву." {
		t.Errorf("the witness's error %q", got)
	}
	b.screenshot("evidence-error")
	b.axe("evidence-error")

	b.run("fill the witness and save",
		chromedp.SetValue(chromedp.ID("#f-consent_witness_0"), "делегат МКЧХ"),
		chromedp.Click(chromedp.ID("#save-evidence")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if got := b.text("p.flash"); got != "Відомості для критеріїв обміну збережено." {
		t.Errorf("flash %q", got)
	}
	ev, err := db.Evidence(context.Background(), e.scopeOf("ua-reg"), id)
	if err != nil || len(ev.Consent) != 1 || ev.Consent[0].Witness != "делегат МКЧХ" {
		t.Fatalf("saved %+v (%v)", ev, err)
	}
	b.run("the form starts from the saved evidence",
		chromedp.Click(chromedp.ID("#record-evidence")),
		chromedp.WaitVisible(chromedp.ID("#evidence-current")),
	)
	if got := b.text("#evidence-current"); !strings.Contains(got, "делегат МКЧХ") {
		t.Errorf("current evidence %q", got)
	}
	b.screenshot("evidence-saved")
	b.axe("evidence-saved")
}
