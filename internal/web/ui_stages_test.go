package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// sessionUK starts a session for login whose language is Ukrainian.
func (e *env) sessionUK(login string) string {
	e.t.Helper()
	u, err := e.db.UserByLogin(context.Background(), login)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.SetUserLang(context.Background(), u.ID, "uk"); err != nil {
		e.t.Fatal(err)
	}
	return e.session(login)
}

// wantPage checks a page answer's status and that its body holds each of
// the strings.
func wantPage(t *testing.T, what string, st int, body string, want int, has ...string) {
	t.Helper()
	if st != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, st, want, body)
	}
	for _, h := range has {
		if !strings.Contains(body, h) {
			t.Errorf("%s: the page lacks %q", what, h)
		}
	}
}

// ruOfficer adds RU's checkpoint officer, "ru-officer", with a token:
// the receiving side's officer of what UA releases.
func (e *env) ruOfficer() {
	e.t.Helper()
	if _, ok := e.tokens["ru-officer"]; !ok {
		e.addUser("ru-officer", access.CheckpointOfficer, "RU")
	}
}

// handOver records, through the API, the handover of rec at stage 1 of
// exchange id as both sides record it: the release by side's officer,
// the receipt by the other side's.
func handOver(e *env, id, eventID, side, rec string) {
	e.t.Helper()
	e.ruOfficer()
	recv := map[string]string{"UA": "RU", "RU": "UA"}[side]
	path := "/api/v1/exchanges/" + id + "/stages/1/events"
	e.must(strings.ToLower(side)+"-officer", "POST", path, map[string]any{"events": []any{map[string]any{
		"id": eventID, "type": "released", "side": side, "record_id": rec}}}, nil, 200)
	e.must(strings.ToLower(recv)+"-officer", "POST", path, map[string]any{"events": []any{map[string]any{
		"id": eventID + "-r", "type": "received", "side": side, "record_id": rec, "check": map[string]any{"method": "document"}, "health": "good"}}}, nil, 200)
}

// TestPagesStagesDomainRefusals: the stage form reads the reason; whether
// a stage may move is crossing.Stage's rule, said at the reason field.
// Once a side has recorded a release (its receipt not yet recorded), the
// stage may no longer be cancelled, though nobody has crossed both ways.
func TestPagesStagesDomainRefusals(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "")
		op := e.sessionUK("op")
		base := "/exchanges/" + id + "/stages"
		if st, _, _ := e.page(op, "POST", base, url.Values{"stage": {"1"}}); st != 303 {
			t.Fatalf("open stage 1: %d", st)
		}
		e.must("ua-officer", "POST", "/api/v1/exchanges/"+id+"/stages/1/events", map[string]any{"events": []any{map[string]any{
			"id": "rel-1", "type": "released", "side": "UA", "record_id": held["UA"][0]}}}, nil, 200)
		move := base + "/1/move"
		if st, _, _ := e.page(op, "POST", move, url.Values{"to": {"suspend"}, "reason": {"fog"}}); st != 303 {
			t.Fatalf("suspend: %d", st)
		}
		st, body, _ := e.page(op, "POST", move, url.Values{"to": {"cancel"}, "reason": {"called off"}})
		wantPage(t, "cancel after a release", st, body, 422, `id="reason-1" name="reason" class="wide" value="called off" aria-invalid="true"`)
		if got := fieldError(body, "reason-1-err"); !strings.Contains(got, "На цьому етапі вже передано осіб") {
			t.Errorf("cancel after a release: the reason field says %q", got)
		}
	})
}

// TestPagesStages: the operator opens, suspends, resumes and (not) cancels
// or closes a stage from the stages page, with the reasons said next to
// the field in Ukrainian; officers find the open stage on /crossing and
// may not manage it; the lists, the report and the parity chart are there.
func TestPagesStages(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "")
		op, officer, reg := e.sessionUK("op"), e.session("ua-officer"), e.session("ua-reg")
		base := "/exchanges/" + id + "/stages"

		st, body, _ := e.page(officer, "GET", "/crossing", nil)
		wantPage(t, "crossing before", st, body, 200, "No stage you may work is open now.")
		st, body, _ = e.page(op, "GET", "/crossing", nil)
		wantPage(t, "operator's crossing", st, body, 200, `href="/exchanges/`+id+`/stages"`)
		if _, body, _ = e.page(officer, "GET", "/crossing", nil); strings.Contains(body, `href="/exchanges/`+id+`/stages"`) {
			t.Errorf("an officer is offered the stage management of an exchange")
		}
		st, body, _ = e.page(op, "GET", base, nil)
		wantPage(t, "stages", st, body, 200, `id="open-1"`, "Етапи обміну")

		// Opening: not for an officer; a bad number is said; then opened.
		if st, _, _ = e.page(officer, "POST", base, url.Values{"stage": {"1"}}); st != 403 {
			t.Errorf("an officer opens a stage: %d", st)
		}
		st, body, _ = e.page(op, "POST", base, url.Values{"stage": {"x"}})
		wantPage(t, "open stage x", st, body, 422, "Оберіть етап угоди, який треба відкрити.")
		st, body, _ = e.page(op, "POST", base, url.Values{"stage": {"7"}})
		wantPage(t, "open stage 7", st, body, 422, "Етап 7 не відкрито.")
		if st, _, _ = e.page(op, "POST", base, url.Values{"stage": {"1"}}); st != 303 {
			t.Fatalf("open stage 1: %d", st)
		}
		st, body, _ = e.page(op, "GET", base+"?done=opened&stage=1", nil)
		wantPage(t, "stages after opening", st, body, 200, "Етап 1 відкрито.", `id="suspend-1"`, `id="close-1"`, `/stages/1/lists/UA/pdf`, `/report/xlsx`)

		// Officers of the exchange find it on /crossing.
		for _, who := range []string{"ua-officer", "med-officer"} {
			st, body, _ = e.page(e.session(who), "GET", "/crossing", nil)
			wantPage(t, who+" crossing", st, body, 200, `href="/exchanges/`+id+`/stages/1"`)
		}

		// Suspend: a reason is required, said next to the field.
		move := base + "/1/move"
		st, body, _ = e.page(op, "POST", move, url.Values{"to": {"suspend"}})
		wantPage(t, "suspend without reason", st, body, 422, `id="reason-1" name="reason" class="wide" value="" aria-invalid="true"`)
		if got := fieldError(body, "reason-1-err"); got != "Обов’язкове: вкажіть причину." {
			t.Errorf("suspend without reason: the reason field says %q", got)
		}
		if st, _, _ = e.page(officer, "POST", move, url.Values{"to": {"suspend"}, "reason": {"fog"}}); st != 403 {
			t.Errorf("an officer suspends: %d", st)
		}
		if st, body, _ = e.page(op, "POST", move, url.Values{"to": {"suspend"}, "reason": {"shelling nearby"}}); st != 303 {
			t.Fatalf("suspend: %d %s", st, body)
		}
		st, body, _ = e.page(op, "GET", base, nil)
		wantPage(t, "suspended", st, body, 200, "shelling nearby", `id="resume-1"`, `id="cancel-1"`)
		st, body, _ = e.page(officer, "GET", "/crossing", nil)
		wantPage(t, "crossing while suspended", st, body, 200, "stage-suspended")
		// Resume is not a move of an open stage.
		if st, _, _ = e.page(op, "POST", move, url.Values{"to": {"resume"}}); st != 303 {
			t.Fatalf("resume: %d", st)
		}
		st, body, _ = e.page(op, "POST", move, url.Values{"to": {"resume"}})
		wantPage(t, "resume an open stage", st, body, 422, "Неможливо, поки етап має стан «відкрито».")

		// A person crosses: the stage may not be cancelled, closes only
		// with a discrepancy reason; the chart draws it.
		handOver(e, id, "h1", "UA", held["UA"][0])
		if st, _, _ = e.page(op, "POST", move, url.Values{"to": {"suspend"}, "reason": {"fog"}}); st != 303 {
			t.Fatalf("suspend again: %d", st)
		}
		st, body, _ = e.page(op, "POST", move, url.Values{"to": {"cancel"}, "reason": {"called off"}})
		wantPage(t, "cancel after a handover", st, body, 422)
		if got := fieldError(body, "reason-1-err"); got != "На цьому етапі вже передано осіб: закрийте його з розбіжністю замість скасування." {
			t.Errorf("cancel after a handover: the reason field says %q", got)
		}
		if st, _, _ = e.page(op, "POST", move, url.Values{"to": {"resume"}}); st != 303 {
			t.Fatalf("resume again: %d", st)
		}
		// Closing without parity and without a reason: the stage's own
		// refusal at the reason field, and nothing recorded (the stage is
		// not left closing).
		st, body, _ = e.page(op, "POST", move, url.Values{"to": {"close"}})
		wantPage(t, "close without parity", st, body, 422)
		if got := fieldError(body, "reason-1-err"); !strings.HasPrefix(got, "Етап 1 не можна закрити") {
			t.Errorf("close without parity: the reason field says %q", got)
		}
		var sv struct{ State string }
		e.must("op", "GET", "/api/v1/exchanges/"+id+"/stages/1", nil, &sv, 200)
		if sv.State != "open" {
			t.Errorf("a refused close left the stage %s", sv.State)
		}
		// Likewise from the officer's screen of the stage.
		st, body, _ = e.page(op, "POST", "/exchanges/"+id+"/stages/1/close", url.Values{})
		wantPage(t, "close without parity from the stage's screen", st, body, 422, "Етап 1 не можна закрити")
		e.must("op", "GET", "/api/v1/exchanges/"+id+"/stages/1", nil, &sv, 200)
		if sv.State != "open" {
			t.Errorf("a refused close from the stage's screen left the stage %s", sv.State)
		}
		st, body, _ = e.page(reg, "GET", base, nil)
		wantPage(t, "registrar reads the stages", st, body, 200, `<svg viewBox="0 0 720 230"`, `<title id="timeline-1-title">`, `<desc id="timeline-1-desc">RU handed over 0 of 2 planned; UA handed over 1 of 2 planned.</desc>`, "<polyline")
		if strings.Contains(body, `id="suspend-1"`) {
			t.Errorf("a registrar is offered the operator's buttons")
		}

		// The printed list and the report, for a page session.
		st, body, h := e.page(officer, "GET", base+"/1/lists/RU/pdf", nil)
		if st != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
			t.Errorf("list PDF: %d %s", st, h.Get("Content-Type"))
		}
		st, body, h = e.page(reg, "GET", "/exchanges/"+id+"/report/xlsx", nil)
		if st != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(h.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("report XLSX: %d %s", st, h.Get("Content-Disposition"))
		}

		// Closed with a discrepancy: gone from /crossing.
		if st, _, _ = e.page(op, "POST", move, url.Values{"to": {"close"}, "reason": {"the rest next week"}}); st != 303 {
			t.Fatalf("close with a discrepancy: %d", st)
		}
		st, body, _ = e.page(officer, "GET", "/crossing", nil)
		wantPage(t, "crossing after closing", st, body, 200, "No stage you may work is open now.")
	})
}

// TestPagesStageEvents: officers record, from the officer's screen, what
// their own side does: UA's officer an identity mismatch of a person RU
// releases, an unlisted person UA presents, UA's decision on the
// amendment, a receipt under objection, a dispute and a retraction; RU's
// officer a refusal and its withdrawal. Missing fields are said next to
// them in Ukrainian; what the crossing engine refuses is said, by its
// code, in Ukrainian too.
// TestPagesStageEventsDomainRefusals: the officer's forms read what was
// typed; what an event needs is crossing.Event's rule (and the store's: an
// observer is an account), said at the field of the form that was posted,
// not at the screen's settings.
func TestPagesStageEventsDomainRefusals(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "")
		e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
		officer := e.sessionUK("ua-officer")
		ev := "/exchanges/" + id + "/stages/1/event"
		un := url.Values{"type": {"unlisted_person_presented"}, "event": {"u-1"}, "side": {"UA"}, "category": {"civilian"}, "observer": {"fake-observer"}, "unlisted_reason": {"says he is Петро Іваненко"}}
		st, body, _ := e.page(officer, "POST", ev, un)
		wantPage(t, "an unlisted person with a free-text observer", st, body, 422)
		if got := fieldError(body, "u-observer-err"); !strings.Contains(got, "«fake-observer» — не обліковий запис") {
			t.Errorf("the unlisted person's observer field says %q", got)
		}
		// A mismatch whose reason is only spaces: the event's rule, at the
		// card's reason.
		rec := held["RU"][0]
		mm := url.Values{"type": {"identity_mismatch"}, "side": {"RU"}, "record_id": {rec}, "event": {"mm-1"}, "reason": {"  "}, "q": {"Ж-RU00000"}}
		st, body, _ = e.page(officer, "POST", ev, mm)
		wantPage(t, "a mismatch without reason", st, body, 422)
		if got := fieldError(body, "mm-"+rec+"-err"); got != "Обов’язкове." {
			t.Errorf("the mismatch's reason field says %q", got)
		}
	})
}

func TestPagesStageEvents(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "")
		e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
		e.ruOfficer()
		officer, ruOfficer, med := e.sessionUK("ua-officer"), e.sessionUK("ru-officer"), e.session("med-officer")
		medUser, _ := db.UserByLogin(context.Background(), "med-officer")
		observer := "user:" + strconv.FormatInt(medUser.ID, 10)
		stage := "/exchanges/" + id + "/stages/1"
		ev := stage + "/event"
		rec := held["RU"][0]

		// UA's officer on a person RU releases: the receipt's forms, not
		// the release's; the observer is chosen from the mediator's officers.
		st, body, _ := e.page(officer, "GET", stage+"?q=Ж-RU00000", nil)
		wantPage(t, "card", st, body, 200, `value="identity_mismatch"`, `value="received"`, `value="disputed"`, `id="unlisted-form"`,
			`<option value="`+observer+`">med-officer</option>`, "RU звільняє:")
		if strings.Contains(body, `value="released"`) || strings.Contains(body, `value="not_presented"`) {
			t.Errorf("UA's officer is offered RU's release")
		}
		mm := url.Values{"type": {"identity_mismatch"}, "side": {"RU"}, "record_id": {rec}, "event": {"mm-1"}, "q": {"Ж-RU00000"}}
		st, body, _ = e.page(officer, "POST", ev, mm)
		wantPage(t, "mismatch without reason", st, body, 422, `aria-describedby="mm-`+rec+`-err"`)
		if got := fieldError(body, "mm-"+rec+"-err"); got != "Обов’язкове." {
			t.Errorf("mismatch without reason: %q", got)
		}
		if st, _, _ = e.page(e.session("op"), "POST", ev, mm); st != 403 {
			t.Errorf("the operator records a mismatch: %d", st)
		}
		mm.Set("reason", "the scar on the left hand is missing")
		if st, body, _ = e.page(officer, "POST", ev, mm); st != 303 {
			t.Fatalf("mismatch: %d %s", st, body)
		}
		st, body, _ = e.page(officer, "GET", stage, nil)
		wantPage(t, "flag", st, body, 200, "особа не збігається", "the scar on the left hand is missing")
		// RU's officer may not record UA's half.
		st, body, _ = e.page(ruOfficer, "POST", ev, url.Values{"type": {"identity_mismatch"}, "side": {"RU"}, "record_id": {rec}, "event": {"mm-2"}, "reason": {"x"}})
		wantPage(t, "RU records UA's mismatch", st, body, 422, "Не записано.", "лише офіцери сторони UA")

		// An unlisted person: every missing field next to it.
		st, body, _ = e.page(officer, "POST", ev, url.Values{"type": {"unlisted_person_presented"}, "event": {"u-1"}})
		wantPage(t, "unlisted without fields", st, body, 422)
		for id, want := range map[string]string{"u-side-err": "Обов’язкове.", "u-category-err": "Має бути категорія, до якої особу віднесено при пред’явленні.",
			"u-observer-err": "Обов’язкове.", "u-reason-err": "Обов’язкове."} {
			if got := fieldError(body, id); got != want {
				t.Errorf("unlisted without fields: %s says %q, want %q", id, got, want)
			}
		}
		un := url.Values{"type": {"unlisted_person_presented"}, "event": {"u-1"}, "side": {"UA"}, "category": {"civilian"}, "observer": {"fake-observer"}, "unlisted_reason": {"says he is Петро Іваненко, a civilian from Херсон"}}
		st, body, _ = e.page(officer, "POST", ev, un)
		wantPage(t, "a free-text observer", st, body, 422, "«fake-observer» — не обліковий запис")
		un.Set("observer", observer)
		if st, body, _ = e.page(officer, "POST", ev, un); st != 303 {
			t.Fatalf("unlisted: %d %s", st, body)
		}
		if st, _, _ = e.page(officer, "POST", ev, un); st != 303 {
			t.Errorf("the same form sent twice: %d", st) // recorded once
		}
		var sv sqlstore.StageView
		e.must("ua-officer", "GET", "/api/v1/exchanges/"+id+"/stages/1", nil, &sv, 200)
		if len(sv.Unlisted) != 1 || sv.Unlisted[0].Side != "UA" {
			t.Fatalf("unlisted persons: %+v", sv.Unlisted)
		}
		// The party's officer decides; the mediator's officer has no form.
		st, body, _ = e.page(officer, "GET", stage, nil)
		wantPage(t, "amendment", st, body, 200, `id="accept-u-1"`, `id="reject-u-1"`, "зміна очікує рішення")
		if _, body, _ = e.page(med, "GET", stage, nil); strings.Contains(body, `id="accept-u-1"`) {
			t.Errorf("the mediator's officer is offered the party's decision")
		}
		st, body, _ = e.page(officer, "POST", ev, url.Values{"type": {"amendment_rejected"}, "subject": {"u-1"}, "event": {"r-1"}})
		wantPage(t, "reject without reason", st, body, 422, `aria-describedby="rj-u-1-err"`)
		if got := fieldError(body, "rj-u-1-err"); got != "Обов’язкове." {
			t.Errorf("reject without reason: %q", got)
		}
		if st, _, _ = e.page(officer, "POST", ev, url.Values{"type": {"amendment_accepted"}, "subject": {"u-1"}, "event": {"a-1"}}); st != 303 {
			t.Fatalf("accept: %d", st)
		}
		// Accepting twice for the same party: the stage says why not.
		st, body, _ = e.page(officer, "POST", ev, url.Values{"type": {"amendment_accepted"}, "subject": {"u-1"}, "event": {"a-2"}})
		wantPage(t, "accept twice", st, body, 422, "Не записано.", "Сторона UA уже прийняла зміну «u-1».")
		// A receipt the crossing engine refuses, in Ukrainian too; a form
		// queued as handed_over records the officer's own half.
		st, body, _ = e.page(officer, "POST", stage+"/record", url.Values{"type": {"handed_over"}, "side": {"RU"}, "record_id": {"nobody"}, "event": {"h-x"},
			"method": {"document"}, "observer": {observer}})
		wantPage(t, "not on the list", st, body, 422, "Не записано.", "«nobody» немає в списку сторони RU для етапу 1: запишіть пред’явлення особи поза списком.")
		if strings.Contains(body, "record_id:") || strings.Contains(body, "is not on") {
			t.Errorf("not on the list: the refusal is shown in English")
		}
		// RU's officer: a refusal needs the observer; then taken back.
		ref := url.Values{"type": {"refused"}, "side": {"RU"}, "record_id": {held["RU"][1]}, "event": {"rf-1"}, "q": {"Ж-RU00001"}}
		st, body, _ = e.page(ruOfficer, "POST", stage+"/record", ref)
		wantPage(t, "refusal without observer", st, body, 422)
		if msg := formMessage(body); !strings.Contains(msg, "Спостерігач посередника") || strings.Count(msg, "Обов’язкове") != 1 {
			t.Errorf("refusal without observer: the stage's refusal (observer required) is not said: %q", msg)
		}
		ref.Set("observer", observer)
		if st, body, _ = e.page(ruOfficer, "POST", stage+"/record", ref); st != 303 {
			t.Fatalf("refusal: %d %s", st, body)
		}
		wd := url.Values{"type": {"refusal_withdrawn"}, "side": {"RU"}, "record_id": {held["RU"][1]}, "event": {"w-1"}, "q": {"Ж-RU00001"}}
		st, body, _ = e.page(ruOfficer, "GET", stage+"?q=Ж-RU00001", nil)
		wantPage(t, "refused card", st, body, 200, `id="withdraw-`+held["RU"][1]+`"`, `id="retract-rf-1"`)
		st, body, _ = e.page(ruOfficer, "POST", ev, wd)
		wantPage(t, "withdraw without observer", st, body, 422, "Спершу оберіть", `id="wd-`+held["RU"][1]+`-err"`)
		wd.Set("observer", observer)
		if st, body, _ = e.page(ruOfficer, "POST", ev, wd); st != 303 {
			t.Fatalf("withdraw: %d %s", st, body)
		}
		e.must("ua-officer", "GET", "/api/v1/exchanges/"+id+"/stages/1", nil, &sv, 200)
		if sv.Report.Sides["RU"].Total.Refused != 0 {
			t.Errorf("the refusal was not withdrawn: %+v", sv.Report.Sides["RU"].Total)
		}

		// UA receives a person RU releases under objection.
		e.must("ru-officer", "POST", "/api/v1/exchanges/"+id+"/stages/1/events", map[string]any{"events": []any{map[string]any{
			"id": "rel-2", "type": "released", "side": "RU", "record_id": held["RU"][1]}}}, nil, 200)
		ob := url.Values{"type": {"received"}, "side": {"RU"}, "record_id": {held["RU"][1]}, "event": {"o-1"}, "method": {"document"}, "q": {"Ж-RU00001"}}
		st, body, _ = e.page(officer, "POST", ev, ob)
		wantPage(t, "objection without text", st, body, 422, "Вкажіть, чому особа поза погодженою категорією.", `id="ob-`+held["RU"][1]+`-err"`)
		ob.Set("objection", "a convict, not a civilian")
		if st, body, _ = e.page(officer, "POST", ev, ob); st != 303 {
			t.Fatalf("objection: %d %s", st, body)
		}
		st, body, _ = e.page(officer, "GET", stage, nil)
		wantPage(t, "objected", st, body, 200, "поза погодженою категорією", "a convict, not a civilian", `id="accept-o-1"`)

		// A disagreement: RU says it did not bring a person UA received.
		e.must("ru-officer", "POST", "/api/v1/exchanges/"+id+"/stages/1/events", map[string]any{"events": []any{map[string]any{
			"id": "np-1", "type": "not_presented", "side": "RU", "record_id": rec}}}, nil, 200)
		if st, body, _ = e.page(officer, "POST", stage+"/record", url.Values{"type": {"received"}, "side": {"RU"}, "record_id": {rec}, "event": {"rc-0"}, "method": {"photo"}}); st != 303 {
			t.Fatalf("receipt: %d %s", st, body)
		}
		st, body, _ = e.page(officer, "GET", stage+"?q=Ж-RU00000", nil)
		wantPage(t, "disagreement", st, body, 200, "UA прийняла особу; RU стверджує, що не доставляла цю особу.", "записи розходяться", `id="retract-rc-0"`)
		// UA retracts its receipt: a reason is said next to the field.
		rt := url.Values{"type": {"retracted"}, "subject": {"rc-0"}, "record_id": {rec}, "event": {"rt-1"}, "q": {"Ж-RU00000"}}
		st, body, _ = e.page(officer, "POST", ev, rt)
		wantPage(t, "retract without reason", st, body, 422, "Обов’язкове.")
		rt.Set("reason", "the wrong person was searched")
		if st, body, _ = e.page(officer, "POST", ev, rt); st != 303 {
			t.Fatalf("retract: %d %s", st, body)
		}
		st, body, _ = e.page(officer, "GET", stage+"?q=Ж-RU00000", nil)
		wantPage(t, "after the retraction", st, body, 200, "outcome-not_presented")
		if strings.Contains(body, "записи розходяться") {
			t.Errorf("the disagreement stays after the retraction")
		}
		// The mediator's observer confirms what it saw, and records no half.
		st, body, _ = e.page(med, "GET", stage+"?q=Ж-UA00001", nil)
		wantPage(t, "observer's card", st, body, 200, `value="observed_handover"`, `value="observed_refusal"`)
		if strings.Contains(body, `value="released"`) || strings.Contains(body, `value="received"`) {
			t.Errorf("the observer is offered a party's half")
		}
		if st, body, _ = e.page(med, "POST", stage+"/record", url.Values{"type": {"observed_refusal"}, "side": {"UA"}, "record_id": {held["UA"][1]}, "event": {"ob-1"}}); st != 303 {
			t.Fatalf("observed: %d %s", st, body)
		}
		st, body, _ = e.page(med, "GET", stage+"?q=Ж-UA00001", nil)
		wantPage(t, "observed without UA's record", st, body, 200, "observer recorded the person; neither UA nor RU has.", `id="retract-ob-1"`)
		st, body, _ = e.page(officer, "POST", ev, url.Values{"type": {"nonsense"}})
		wantPage(t, "unknown type", st, body, 400)
	})
}

// TestPagesRemains: the operator records a batch, a package, remains and
// identifications; missing fields and a confirmation without a primary
// identifier are said next to the field in Ukrainian; a registrar reads
// the counts without the forms and may not record.
func TestPagesRemains(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, _, _ := signedExchange(t, e, db, 2, "")
		op, reg := e.sessionUK("op"), e.session("ua-reg")
		page := "/exchanges/" + id + "/remains"
		st, body, _ := e.page(op, "GET", page, nil)
		wantPage(t, "remains", st, body, 200, `id="go-batch"`, `id="go-identification"`, "Поки нічого не записано.")

		st, body, _ = e.page(op, "POST", page, url.Values{"kind": {"batch"}, "sender": {"RU"}, "receiver": {"RU"}, "at": {"yesterday"}})
		wantPage(t, "batch at no time", st, body, 422, "«yesterday» — не час", `<details class="remains-form" id="form-batch" open>`)
		st, body, _ = e.page(op, "POST", page, url.Values{"kind": {"batch"}, "sender": {"RU"}, "receiver": {"RU"}, "at": {"2025-05-23 10:00"}})
		wantPage(t, "bad batch", st, body, 422, `id="batch-id-err">Обов’язкове.`, `id="batch-sender-err">Відправник і отримувач мають бути двома сторонами обміну.`, `<details class="remains-form" id="form-batch" open>`)
		if st, _, _ = e.page(reg, "POST", page, url.Values{"kind": {"batch"}, "id": {"b1"}, "sender": {"RU"}, "receiver": {"UA"}}); st != 403 {
			t.Errorf("a registrar records remains: %d", st)
		}
		for _, f := range []url.Values{
			{"kind": {"batch"}, "id": {"b1"}, "sender": {"RU"}, "receiver": {"UA"}, "at": {"23.05.2025 10:00"}, "point": {"border"}, "declared": {"3"}},
			{"kind": {"package"}, "id": {"p1"}, "batch": {"b1"}, "tag": {"RU-0001"}},
			{"kind": {"package"}, "id": {"p2"}, "batch": {"b1"}},
			{"kind": {"remains"}, "id": {"r1"}, "batch": {"b1"}, "claim_side": {"UA"}, "packages": {"p1"}},
			{"kind": {"link"}, "package": {"p2"}, "remains": {"r1"}},
			{"kind": {"identification"}, "event": {"i1"}, "remains": {"r1"}, "status": {"preliminary"}, "method": {"visual"}, "examiner": {"dr-1"}, "side": {"UA"}},
		} {
			if st, body, _ = e.page(op, "POST", page, f); st != 303 {
				t.Fatalf("%s: %d %s", f.Get("kind"), st, body)
			}
		}
		st, body, _ = e.page(op, "POST", page, url.Values{"kind": {"identification"}, "event": {"i2"}, "remains": {"r1"}, "status": {"confirmed"}, "method": {"visual"}, "examiner": {"dr-1"}, "side": {"UA"}})
		wantPage(t, "confirmed by sight", st, body, 422, "Для підтвердження потрібні відбитки пальців")
		st, body, _ = e.page(op, "POST", page, url.Values{"kind": {"package"}, "id": {"p3"}, "batch": {"nope"}})
		wantPage(t, "unknown batch", st, body, 422, "Не записано.", `id="package-batch-err"`)
		st, body, _ = e.page(reg, "GET", page, nil)
		wantPage(t, "registrar reads", st, body, 200, "RU → UA", "<code>r1</code>", "p1, p2", "dr-1")
		if strings.Contains(body, `id="go-batch"`) {
			t.Errorf("a registrar is offered the forms")
		}
	})
}
