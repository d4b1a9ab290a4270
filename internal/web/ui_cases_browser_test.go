package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBrowserCasework: a bureau's registrar working in Ukrainian opens a
// tracing case from a sought person's trace page, records the mother's
// enquiry, tries a call without saying with whom and reads the error at
// the field, records the call, notifies the family of the return and
// closes the case; the worklist lists it. axe runs on the worklist, the
// new case, the form with the error and the closed case.
func TestBrowserCasework(t *testing.T) {
	chromiumPath(t)
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ctx := context.Background()
	rec, err := db.CreateRecord(ctx, e.scopeOf("ua-reg"), sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Sought, Category: person.Military,
		Status: person.StatusMissing, Surname: "Гуцул", GivenNames: "Павло", Patronymic: "Володимирович", BirthDate: person.Date{Year: 1987, Month: 1, Day: 16}}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.ts.URL)
	b.as(t)
	b.login("ua-reg", "a long enough password")
	b.run("switch to Ukrainian",
		chromedp.SetValue(chromedp.ID("#lang-select"), "uk"),
		chromedp.Click(chromedp.ID("#lang-go")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
	)
	b.run("open a case from the trace page",
		chromedp.Navigate(b.base+"/trace/"+rec.ID),
		chromedp.Click(chromedp.ID("#open-case")),
		chromedp.WaitVisible(chromedp.ID("#form-enquiry")),
	)
	b.screenshot("case-new")
	b.axe("case-new")

	b.run("the mother's enquiry",
		chromedp.SetValue(chromedp.ID("#enquiry-name"), "Гуцул Марія Іванівна"),
		chromedp.SetValue(chromedp.ID("#enquiry-relationship"), "parent"),
		chromedp.SetValue(chromedp.ID("#enquiry-reach"), "+380 67 555 01 02"),
		chromedp.SetValue(chromedp.ID("#enquiry-date"), "30.11.2026"),
		chromedp.Click(chromedp.ID("#enquiry-consent")),
		chromedp.Click(chromedp.ID("#save-enquiry")),
		chromedp.WaitVisible(chromedp.ID("#done-enquiry")),
		chromedp.WaitVisible(chromedp.ID("#form-contact")),
	)
	if got := b.text("#case-steps"); !strings.Contains(got, "Гуцул Марія Іванівна") || !strings.Contains(got, "батько або мати") {
		t.Errorf("the steps after the enquiry: %q", got)
	}

	b.run("a call without saying with whom",
		chromedp.SetValue(chromedp.ID("#contact-mode"), "call"),
		chromedp.SetValue(chromedp.ID("#contact-said"), "Чекає новин, просить дзвонити ввечері"),
		chromedp.Click(chromedp.ID("#save-contact")),
		chromedp.WaitVisible(chromedp.ID("#contact-with-err")),
	)
	if got := b.text("#contact-with-err"); got != "Обов’язкове." {
		t.Errorf("the error at the field: %q", got)
	}
	b.screenshot("case-error")
	b.axe("case-error")
	b.run("the call, with the mother",
		chromedp.SetValue(chromedp.ID("#contact-with"), "мати"),
		chromedp.Click(chromedp.ID("#save-contact")),
		chromedp.WaitVisible(chromedp.ID("#done-contact")),
	)
	if got := b.text("#done-contact"); !strings.HasPrefix(got, "Записано: ") {
		t.Errorf("the page after the contact says %q", got)
	}
	b.run("the family notified of the return",
		chromedp.SetValue(chromedp.ID("#notified-news"), "return"),
		chromedp.SetValue(chromedp.ID("#notified-how"), "call"),
		chromedp.Click(chromedp.ID("#save-notified")),
		chromedp.WaitVisible(chromedp.ID("#done-notified")),
		chromedp.WaitVisible(chromedp.ID("#form-closed")),
	)
	b.run("the case closed: returned home",
		chromedp.SetValue(chromedp.ID("#closed-reason"), "returned"),
		chromedp.Click(chromedp.ID("#save-closed")),
		chromedp.WaitVisible(chromedp.ID("#done-closed")),
		chromedp.WaitVisible(chromedp.ID("#form-reopened")),
	)
	if got := b.text("#case-state"); !strings.Contains(got, "закрита") || !strings.Contains(got, "повернення додому") {
		t.Errorf("the case's state: %q", got)
	}
	steps := b.text("#case-steps")
	for _, want := range []string{"Контакт з родиною", "Чекає новин", "Родину повідомлено", "повернення", "Справу закрито"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the steps lack %q: %q", want, steps)
		}
	}
	b.screenshot("case-closed")
	b.axe("case-closed")

	cases, err := db.Cases(ctx, e.scopeOf("ua-reg"), casework.Filter{}, casework.Today(db.Now()))
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %d %v", len(cases), err)
	}
	c := cases[0].Case
	if c.State != casework.Closed || len(c.Steps) != 5 || c.Steps[2].Contact.Said != "Чекає новин, просить дзвонити ввечері" || c.Steps[3].Notice.By != "ua-reg" {
		t.Errorf("stored %+v", c.Steps)
	}
	b.run("the worklist",
		chromedp.Navigate(b.base+"/cases?state=all"),
		chromedp.WaitVisible(chromedp.ID("#cases")),
	)
	if got := b.text("#cases"); !strings.Contains(got, "Гуцул") {
		t.Errorf("the worklist: %q", got)
	}
	b.axe("cases")
}
