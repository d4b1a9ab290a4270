package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserInterview: the mediator's operator opens the interviews of an
// exchange from its page, records one without a place (the error at the
// field), then whole: the person refuses to return, verified by the ICRC;
// RU's registrar sees the outcome and "verified by", not the notes; axe
// runs on each page.
func TestBrowserInterview(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	exID, held, _ := interviewExchange(t, e)
	target := held["RU"][1]
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("op", "a long enough password")
	b.run("the exchange",
		chromedp.Navigate(b.base+"/exchanges/"+exID),
		chromedp.WaitVisible(chromedp.ID("#interviews-link")),
	)
	b.run("its interviews",
		chromedp.Click(chromedp.ID("#interviews-link")),
		chromedp.WaitVisible(chromedp.ID("#interview-form")),
	)
	if got := b.text("#iv-" + target); !strings.Contains(got, "ПетренкоRU1") || !strings.Contains(got, "not interviewed yet") {
		t.Errorf("the person's row before: %q", got)
	}
	b.axe("interviews")
	b.run("an interview without a place",
		chromedp.SetValue(chromedp.ID("#i-record_id"), target),
		chromedp.SetValue(chromedp.ID("#i-at"), "2026-01-05T10:30"),
		chromedp.SetValue(chromedp.ID("#i-interviewer"), "J. Delegate"),
		chromedp.SetValue(chromedp.ID("#i-organisation"), "ICRC"),
		chromedp.SetValue(chromedp.ID("#i-outcome"), "refuses"),
		chromedp.SetValue(chromedp.ID("#i-notes"), "НОТАТКА-ДЕЛЕГАТА"),
		chromedp.Click(chromedp.ID("#interview-save")),
		chromedp.WaitVisible(chromedp.ID("#form-message")),
	)
	if got := b.text("#e-place"); got == "" {
		t.Errorf("no error at the place")
	}
	b.axe("interview-error")
	b.run("the interview whole",
		chromedp.SetValue(chromedp.ID("#i-place"), "колонія №1"),
		chromedp.Click(chromedp.ID("#interview-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := b.text(".flash"); got != "The interview is recorded." {
		t.Errorf("the flash: %q", got)
	}
	if got := b.text("#iv-" + target); !strings.Contains(got, "refuses to return") || !strings.Contains(got, "verified by ICRC") {
		t.Errorf("the person's row after: %q", got)
	}
	b.logout()
	b.login("ru-reg", "a long enough password")
	b.run("RU's view of the interviews",
		chromedp.Navigate(b.base+"/exchanges/"+exID+"/interviews"),
		chromedp.WaitVisible(chromedp.ID("#interview-persons")),
	)
	got := b.text("#iv-" + target)
	if !strings.Contains(got, "refuses to return") || !strings.Contains(got, "verified by ICRC") {
		t.Errorf("RU's row: %q", got)
	}
	if page := b.text("main"); strings.Contains(page, "НОТАТКА-ДЕЛЕГАТА") || strings.Contains(page, "J. Delegate") {
		t.Errorf("RU sees the notes or the interviewer: %q", page)
	}
	b.axe("interviews-party")
}
