package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// custodyPerson makes H, a prisoner UA holds, and S, RU's sought record
// of him, confirmed as the same person by the mediator.
func custodyPerson(t *testing.T, e *env) (h, s string) {
	t.Helper()
	ctx := context.Background()
	ua, _ := e.db.UserByLogin(ctx, "ua-reg")
	ru, _ := e.db.UserByLogin(ctx, "ru-reg")
	op, _ := e.db.UserByLogin(ctx, "op")
	f := person.Fields{Kind: person.Held, Category: person.Military, Surname: "Петров", GivenNames: "Іван", BirthDate: person.Date{Year: 1990, Month: 4, Day: 2}, ServiceNumber: "R-1"}
	hr, err := e.db.CreateRecord(ctx, ua.Scope(), sqlstore.NewRecord{Party: "UA", Fields: f})
	if err != nil {
		t.Fatal(err)
	}
	f.Kind, f.Status = person.Sought, person.StatusMissing
	sr, err := e.db.CreateRecord(ctx, ru.Scope(), sqlstore.NewRecord{Party: "RU", Fields: f})
	if err != nil {
		t.Fatal(err)
	}
	opScope := op.Scope()
	opScope.MFA = true
	if _, err := e.db.SaveMatchRun(ctx, opScope, sqlstore.MatchRun{SoughtParty: "RU", HeldParty: "UA", Threshold: 0.5},
		[]match.Pair{{LeftID: sr.ID, RightID: hr.ID, Score: 0.99, Weight: 20}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.DecideMatch(ctx, opScope, sr.ID, hr.ID, "confirm", "same person"); err != nil {
		t.Fatal(err)
	}
	return hr.ID, sr.ID
}

// TestCustodyAPI is issue 20's test of an overdue notification, through
// the API on both databases: UA's bureau records the capture and
// internment of a prisoner and no capture card; its overdue list flags him
// (GC III Art. 70), RU's does not, the mediator's does; the card clears
// him; a date in the future and an event after the death are refused with
// their codes; the death reaches RU's trace of him; the notifications are
// listed since a date.
func TestCustodyAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		h, s := custodyPerson(t, e)
		path := "/api/v1/records/" + h + "/custody"
		var v api.Custody
		e.must("ua-reg", "POST", path, map[string]any{"kind": "captured", "date": "01.03.2025", "place": "Вовчанськ", "unit": "3 ОШБр"}, &v, 200)
		e.must("ua-appr", "POST", path, map[string]any{"kind": "interned", "date": "2025-03-03", "place": "Табір №9"}, &v, 200)
		if v.Timeline.Place != "Табір №9" || len(v.Overdue) != 1 || v.Overdue[0].Notice != custody.CaptureCardSent || v.Record.ID != h {
			t.Fatalf("after internment: %+v", v)
		}

		var list api.CustodyOverdueList
		e.must("ua-reg", "GET", "/api/v1/custody/overdue", nil, &list, 200)
		if len(list.Persons) != 1 || list.Persons[0].RecordID != h || list.Persons[0].Place != "Табір №9" || list.Persons[0].Items[0].Days < 1 ||
			list.Persons[0].Items[0].Due != (person.Date{Year: 2025, Month: 3, Day: 10}) {
			t.Fatalf("UA's overdue list: %+v", list)
		}
		e.must("ru-reg", "GET", "/api/v1/custody/overdue", nil, &list, 200)
		if len(list.Persons) != 0 {
			t.Errorf("RU's overdue list holds UA's prisoner: %+v", list)
		}
		e.must("op", "GET", "/api/v1/custody/overdue?party=UA", nil, &list, 200)
		if len(list.Persons) != 1 {
			t.Errorf("the mediator's overdue list: %+v", list)
		}
		if st, _ := e.do("ru-reg", "GET", path, nil); st != 404 {
			t.Errorf("RU reads UA's custody: %d", st)
		}
		if st, _ := e.do("ru-reg", "POST", path, map[string]any{"kind": "escaped", "date": "2025-03-05"}); st != 404 {
			t.Errorf("RU records UA's custody: %d", st)
		}

		st, b := e.do("ua-reg", "POST", path, map[string]any{"kind": "escaped", "date": "2099-01-01"})
		if st != 400 || !strings.Contains(string(b), `"future"`) {
			t.Errorf("a date in the future: %d %s", st, b)
		}
		e.must("ua-reg", "POST", path, map[string]any{"kind": "capture_card_sent", "date": "2025-03-12", "sent_to": []string{"central_agency", "own_state"}}, &v, 200)
		if len(v.Overdue) != 0 || len(v.Timeline.CaptureCards) != 1 {
			t.Errorf("after the card: %+v", v)
		}
		e.must("ua-reg", "GET", "/api/v1/custody/overdue", nil, &list, 200)
		if len(list.Persons) != 0 {
			t.Errorf("overdue after the card: %+v", list)
		}

		e.must("ua-reg", "POST", path, map[string]any{"kind": "died", "date": "2025-04-20", "place": "Табір №9", "cause": "серцева недостатність", "grave": "кладовище Табору №9, ряд 2"}, &v, 200)
		st, b = e.do("ua-reg", "POST", path, map[string]any{"kind": "transferred", "date": "2025-04-21", "from": "Табір №9", "to": "Табір №1"})
		if st != 409 || !strings.Contains(string(b), "custody_after_death") {
			t.Errorf("a transfer after the death: %d %s", st, b)
		}
		var tr api.TraceResult
		e.must("ru-reg", "GET", "/api/v1/trace/"+s, nil, &tr, 200)
		if tr.Trace.Status.String() != "died" {
			t.Errorf("RU's trace of him: %s", tr.Trace.Status)
		}

		var ns api.CustodyNotifications
		e.must("ua-reg", "GET", "/api/v1/custody/notifications?since=2025-03-01", nil, &ns, 200)
		if len(ns.Notifications) != 1 || ns.Notifications[0].Event.Kind != custody.CaptureCardSent || ns.Notifications[0].Record.Surname != "Петров" ||
			ns.Notifications[0].Timeline.Capture == nil || ns.Notifications[0].Timeline.Capture.Unit != "3 ОШБр" {
			t.Errorf("notifications: %+v", ns)
		}
		e.must("ua-reg", "GET", "/api/v1/custody/notifications?since=2025-03-13", nil, &ns, 200)
		if len(ns.Notifications) != 0 {
			t.Errorf("notifications since the 13th: %+v", ns)
		}
		if st, _ := e.do("ua-reg", "GET", "/api/v1/custody/notifications?since=2025-03", nil); st != 400 {
			t.Errorf("a month for since: %d", st)
		}
	})
}

// TestCustodyPages: UA's bureau, in Ukrainian, records a death on the
// custody page; an escape after it is refused above the form with the
// date of the death, and the form keeps what was typed; RU's registrar
// reads none of it; /custody lists nothing once the death is notified.
func TestCustodyPages(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		h, _ := custodyPerson(t, e)
		reg := e.sessionUK("ua-reg")
		path := "/records/" + h + "/custody"
		for _, f := range []url.Values{
			{"kind": {"captured"}, "date": {"01.03.2025"}, "place": {"Вовчанськ"}},
			{"kind": {"interned"}, "date": {"03.03.2025"}, "place": {"Табір №9"}},
			{"kind": {"died"}, "date": {"20.04.2025"}, "place": {"Табір №9"}, "cause": {"поранення"}, "grave": {"ряд 2"}},
		} {
			if code, body, _ := e.page(reg, "POST", path, f); code != 303 {
				t.Fatalf("%s: %d %s", f.Get("kind"), code, body)
			}
		}
		code, body, _ := e.page(reg, "GET", path, nil)
		wantPage(t, "the timeline", code, body, 200, "Помер 20.04.2025", "помер", "поранення", "Прострочено", "повідомлення про смерть")
		code, body, _ = e.page(reg, "POST", path, url.Values{"kind": {"escaped"}, "date": {"21.04.2025"}, "note": {"вночі"}})
		wantPage(t, "an escape after the death", code, body, 422, `id="form-message"`, "Особа померла 2025-04-20", `value="вночі"`)
		code, body, _ = e.page(reg, "POST", path, url.Values{"kind": {"death_notified"}, "date": {"31.02.2025"}, "sent_to": {"own_state"}})
		wantPage(t, "no such date", code, body, 422, `id="e-date"`)
		if code, _, _ := e.page(reg, "POST", path, url.Values{"kind": {"death_notified"}, "date": {"22.04.2025"}, "sent_to": {"own_state", "central_agency"}}); code != 303 {
			t.Fatalf("the death notified: %d", code)
		}
		code, body, _ = e.page(reg, "GET", "/custody", nil)
		wantPage(t, "nothing overdue", code, body, 200, `id="custody-none"`)
		if code, _, _ := e.page(e.sessionUK("ru-reg"), "GET", path, nil); code != 404 {
			t.Errorf("RU reads UA's custody page: %d", code)
		}
	})
}
