package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserCustody: UA's registrar, in Ukrainian, finds a prisoner whose
// capture card is overdue on the bureau's page, opens his custody
// timeline, records the card (first without its recipients: the error at
// the field), and the page of overdue notifications is empty; axe runs on
// each page.
func TestBrowserCustody(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	h, _ := custodyPerson(t, e)
	ctx := context.Background()
	ua, _ := db.UserByLogin(ctx, "ua-reg")
	for _, ev := range []custody.Event{
		{Kind: custody.Captured, Date: person.Date{Year: 2025, Month: 3, Day: 1}, Place: "Вовчанськ", Unit: "3 ОШБр"},
		{Kind: custody.Interned, Date: person.Date{Year: 2025, Month: 3, Day: 3}, Place: "Табір №9"},
	} {
		if _, err := db.RecordCustody(ctx, ua.Scope(), h, ev); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("ua-reg", "a long enough password")
	b.run("switch to Ukrainian",
		chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
		chromedp.Click(chromedp.ID("#lang-go")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
	)
	b.run("the notifications overdue",
		chromedp.Navigate(b.base+"/custody"),
		chromedp.WaitVisible(chromedp.ID("#custody-overdue")),
	)
	if got := b.text("#od-" + h + "-2"); !strings.Contains(got, "Петров") || !strings.Contains(got, "Табір №9") || !strings.Contains(got, "картка про взяття в полон") {
		t.Errorf("the overdue row: %q", got)
	}
	b.axe("custody")
	b.run("his timeline",
		chromedp.Click(chromedp.CSS(`a[href="/records/`+h+`/custody"]`)),
		chromedp.WaitVisible(chromedp.ID("#custody-events")),
	)
	if got := b.text("#custody-due"); !strings.Contains(got, "Прострочено") {
		t.Errorf("the timeline's overdue line: %q", got)
	}
	b.axe("custody-person")
	b.run("the card without its recipients",
		chromedp.SetValue(chromedp.ID("#c-kind"), "capture_card_sent"),
		chromedp.SetValue(chromedp.ID("#c-date"), "12.03.2025"),
		chromedp.Click(chromedp.ID("#custody-save")),
		chromedp.WaitVisible(chromedp.ID("#form-message")),
	)
	if got := b.text("#e-sent_to"); got == "" {
		t.Errorf("no error at the recipients")
	}
	b.axe("custody-error")
	b.run("the card sent to the Central Agency",
		chromedp.Click(chromedp.ID("#c-to-central_agency")),
		chromedp.Click(chromedp.ID("#custody-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := b.text(".flash"); got != "Подію записано." {
		t.Errorf("the flash: %q", got)
	}
	if got := b.text("#custody-events"); !strings.Contains(got, "картку про взяття в полон надіслано") || !strings.Contains(got, "Центральне агентство") {
		t.Errorf("the timeline after the card: %q", got)
	}
	b.run("nothing overdue",
		chromedp.Navigate(b.base+"/custody"),
		chromedp.WaitVisible(chromedp.ID("#custody-none")),
	)
}
