package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

func day(s string) person.Date {
	d, err := person.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fieldCode returns the code of the first field error of err.
func fieldCode(err error) string {
	if fs := errs.Fields(err); len(fs) > 0 {
		return fs[0].Code
	}
	return ""
}

// TestCustody: RU's bureau records the custody of H, a prisoner it holds,
// whom the mediator matched with S, one of UA's sought persons. Interned
// with no capture card, H is flagged overdue after a week (GC III Art.
// 70); the card clears it. Events are refused to the other party and the
// mediator, in the future, and after the death; the death reaches S's
// trace, for UA's bureau and in the family view; the notifications are
// exported since a date. A sought person confirmed missing by UA's bureau
// has that trace status.
func TestCustody(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		hs, err := db.CreateRecords(ctx, sc["ru-reg"], []sqlstore.NewRecord{{Party: "RU", Fields: held("Тримач")}})
		if err != nil {
			t.Fatal(err)
		}
		ss, err := db.CreateRecords(ctx, sc["ua-reg"], []sqlstore.NewRecord{{Party: "UA", Fields: soughtFields("Тримач")}, {Party: "UA", Fields: soughtFields("Зниклий")}})
		if err != nil {
			t.Fatal(err)
		}
		h, s, gone := hs[0].ID, ss[0].ID, ss[1].ID
		if _, err := db.SaveMatchRun(ctx, sc["op"], sqlstore.MatchRun{SoughtParty: "UA", HeldParty: "RU", Threshold: 0.5},
			[]match.Pair{{LeftID: s, RightID: h, Score: 0.99, Weight: 20}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideMatch(ctx, sc["op"], s, h, "confirm", "same person"); err != nil {
			t.Fatal(err)
		}
		add := func(who, id string, e custody.Event) (custody.Timeline, error) {
			return db.RecordCustody(ctx, sc[who], id, e)
		}
		mustAdd := func(who, id string, e custody.Event) custody.Timeline {
			t.Helper()
			tl, err := add(who, id, e)
			if err != nil {
				t.Fatalf("%s %s: %v", who, e.Kind, err)
			}
			return tl
		}
		mustAdd("ru-reg", h, custody.Event{Kind: custody.Captured, Date: day("2025-03-01"), Place: "Покровськ", Unit: "25 ОПДБр"})
		tl := mustAdd("ru-reg", h, custody.Event{Kind: custody.Interned, Date: day("2025-03-03"), Place: "Табір №1"})
		if tl.Place != "Табір №1" || len(tl.Events) != 2 || tl.Events[1].N != 2 || tl.Events[1].By != "ru-reg" {
			t.Errorf("timeline %+v", tl)
		}

		// Overdue: a week after arrival with no capture card.
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		list, err := db.CustodyOverdueList(ctx, sc["ru-reg"], "", at)
		if err != nil || len(list) != 1 || list[0].RecordID != h || list[0].Place != "Табір №1" || len(list[0].Items) != 1 || list[0].Items[0].Days != 4 {
			t.Fatalf("RU's overdue list: %+v, %v", list, err)
		}
		if list, err := db.CustodyOverdueList(ctx, sc["op"], "", at); err != nil || len(list) != 1 {
			t.Errorf("the mediator's overdue list: %+v, %v", list, err)
		}
		if list, err := db.CustodyOverdueList(ctx, sc["ua-reg"], "RU", at); err != nil || len(list) != 0 {
			t.Errorf("UA's overdue list holds RU's persons: %+v, %v", list, err)
		}
		_, err = db.CustodyOverdueList(ctx, sc["ua-officer"], "", at)
		wantKind(t, err, errs.Forbidden)
		v, err := db.Custody(ctx, sc["op"], h, at)
		if err != nil || len(v.Overdue) != 1 || v.Timeline.Capture.Unit != "25 ОПДБр" {
			t.Errorf("the mediator reads H's custody: %+v, %v", v, err)
		}
		_, err = db.Custody(ctx, sc["ua-reg"], h, at)
		wantKind(t, err, errs.NotFound)

		// Who may not record, and what is refused.
		_, err = add("ua-reg", h, custody.Event{Kind: custody.Escaped, Date: day("2025-03-10")})
		wantKind(t, err, errs.NotFound)
		_, err = add("op", h, custody.Event{Kind: custody.Escaped, Date: day("2025-03-10")})
		wantKind(t, err, errs.Forbidden)
		_, err = add("ru-reg", h, custody.Event{Kind: custody.Escaped, Date: person.Date{Year: time.Now().Year() + 1, Month: 1, Day: 1}})
		if wantKind(t, err, errs.Invalid); fieldCode(err) != "future" {
			t.Errorf("a date in the future: %v", err)
		}
		_, err = add("ru-reg", h, custody.Event{Kind: custody.Interned, Date: day("2025-03-10")})
		if wantKind(t, err, errs.Invalid); fieldCode(err) != "required" {
			t.Errorf("an internment without its place: %v", err)
		}
		_, err = add("ru-reg", h, custody.Event{Kind: custody.ConfirmedMissing, Date: day("2025-03-10"), Reason: "x"})
		if wantKind(t, err, errs.Invalid); fieldCode(err) != "custody_register" {
			t.Errorf("confirmed missing on a held record: %v", err)
		}

		mustAdd("ru-reg", h, custody.Event{Kind: custody.CaptureCardSent, Date: day("2025-03-15"), SentTo: []custody.Recipient{custody.CentralAgency, custody.OwnState}})
		if list, err := db.CustodyOverdueList(ctx, sc["ru-reg"], "", at.AddDate(0, 0, 7)); err != nil || len(list) != 0 {
			t.Errorf("overdue after the card: %+v, %v", list, err)
		}

		// The death: nothing after it but its notification; it reaches
		// S's trace and the family view of UA's bureau.
		mustAdd("ru-reg", h, custody.Event{Kind: custody.Died, Date: day("2025-05-01"), Place: "Табір №1", Cause: "поранення", Grave: "ділянка 4, могила 12"})
		_, err = add("ru-reg", h, custody.Event{Kind: custody.Escaped, Date: day("2025-05-02")})
		if wantKind(t, err, errs.Conflict); fieldCode(err) != "custody_after_death" {
			t.Errorf("an escape after the death: %v", err)
		}
		tl = mustAdd("ru-reg", h, custody.Event{Kind: custody.DeathNotified, Date: day("2025-05-03"), SentTo: []custody.Recipient{custody.OwnState, custody.CentralAgency}})
		if tl.Death == nil || tl.Death.Grave != "ділянка 4, могила 12" || len(tl.DeathNotices) != 1 || len(tl.CaptureCards) != 1 {
			t.Errorf("after the notification: %+v", tl)
		}
		tr, err := db.Trace(ctx, sc["ua-reg"], s)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Trace.Status != crossing.TraceDied {
			t.Errorf("S's trace status %s, want died (history %+v)", tr.Trace.Status, tr.Trace.History)
		}
		if fam := tr.Trace.View(crossing.ViewerFamily, nil); fam.Status != string(crossing.FamilyDied) {
			t.Errorf("the family view says %q, want died", fam.Status)
		}

		// The backlog takes the death as his resolution: a flagged person
		// who died in custody is carried into no further round.
		if _, err := db.SetPriority(ctx, sc["ua-reg"], s, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}}); err != nil {
			t.Fatal(err)
		}
		bl, err := db.BacklogOf(ctx, sc["ua-reg"], s)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(bl.Events); !bl.Resolved || n == 0 || bl.Events[n-1].Kind != backlog.Died {
			t.Errorf("the backlog of the dead: resolved %v, events %+v", bl.Resolved, bl.Events)
		}

		// The notifications since a date, with the person's fields.
		ns, err := db.CustodyNotifications(ctx, sc["ru-reg"], time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "")
		if err != nil || len(ns) != 2 {
			t.Fatalf("notifications: %+v, %v", ns, err)
		}
		if ns[0].Event.Kind != custody.CaptureCardSent || ns[0].Record.Surname != "Тримач" || ns[0].Timeline.Place != "Табір №1" || ns[0].Timeline.Death != nil {
			t.Errorf("the capture card: %+v", ns[0])
		}
		if ns[1].Event.Kind != custody.DeathNotified || ns[1].Timeline.Death == nil || ns[1].Timeline.Death.Cause != "поранення" {
			t.Errorf("the death notification: %+v", ns[1])
		}
		if ns, err := db.CustodyNotifications(ctx, sc["ru-reg"], time.Date(2025, 5, 3, 0, 0, 0, 0, time.UTC), ""); err != nil || len(ns) != 1 || ns[0].Event.Kind != custody.DeathNotified {
			t.Errorf("notifications since 3 May: %+v, %v", ns, err)
		}
		if ns, err := db.CustodyNotifications(ctx, sc["ua-reg"], time.Time{}, ""); err != nil || len(ns) != 0 {
			t.Errorf("UA's notifications hold RU's: %+v, %v", ns, err)
		}
		if ns, err := db.CustodyNotifications(ctx, sc["op"], time.Time{}, ""); err != nil || len(ns) != 2 {
			t.Errorf("the mediator's notifications: %d, %v", len(ns), err)
		}

		// A sought person confirmed missing by his bureau.
		_, err = add("ua-reg", gone, custody.Event{Kind: custody.Captured, Date: day("2025-03-10"), Place: "x"})
		if wantKind(t, err, errs.Invalid); fieldCode(err) != "custody_register" {
			t.Errorf("a capture on a sought record: %v", err)
		}
		mustAdd("ua-appr", gone, custody.Event{Kind: custody.ConfirmedMissing, Date: day("2025-04-01"), Reason: "не повернувся з бойового завдання"})
		tr, err = db.Trace(ctx, sc["ua-reg"], gone)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Trace.Status != crossing.TraceConfirmedMissing || tr.Trace.View(crossing.ViewerFamily, nil).Status != string(crossing.FamilyConfirmedMissing) {
			t.Errorf("the trace of the missing: %s (%+v)", tr.Trace.Status, tr.Trace.History)
		}
	})
}

// TestCustodyOfErasedRecord: custody is kept of held persons only, and a
// record of the held register is never erased (erase_held, GC III Arts.
// 120, 122; GC IV Art. 136), with custody events or without; custody is
// recorded on it after the refusal as before.
func TestCustodyOfErasedRecord(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		recs, err := db.CreateRecords(ctx, sc["ua-reg"], []sqlstore.NewRecord{{Party: "UA", Fields: held("Стертий")}, {Party: "UA", Fields: held("Утримуваний")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.EraseRecordAsSystem(ctx, recs[0].ID, "DP-2026-0042"); !errs.Is(errs.Conflict, err) || code(err) != "erase_held" {
			t.Errorf("a held record erased: %v, want Conflict erase_held", err)
		}
		if _, err := db.RecordCustody(ctx, sc["ua-reg"], recs[0].ID, custody.Event{Kind: custody.Captured, Date: day("2025-03-01"), Place: "Вовчанськ"}); err != nil {
			t.Fatalf("a capture after the refused erasure: %v", err)
		}
		if _, err := db.RecordCustody(ctx, sc["ua-reg"], recs[1].ID, custody.Event{Kind: custody.Captured, Date: day("2025-03-01"), Place: "Вовчанськ"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EraseRecordAsSystem(ctx, recs[1].ID, "DP-2026-0043"); !errs.Is(errs.Conflict, err) {
			t.Errorf("a record with custody events erased: %v", err)
		}
	})
}

// TestCustodyWithheldNotifications: a capture card of a civilian withheld
// from his own side (GC IV Art. 137(2)) is refused as sent to his own
// state, allowed to the Central Agency; the notifications for the own
// state leave out every withheld record, one withheld after its card was
// sent included; the Central Agency's keep them, marked.
func TestCustodyWithheldNotifications(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		civ := func(name string, withheld bool) person.Fields {
			fs := held(name)
			fs.Category, fs.Status = person.Civilian, person.StatusDetainedCivilian
			if withheld {
				fs.Detrimental, fs.DetrimentalBasis, fs.DetrimentalReason = true, person.WithholdCivilian, "danger to family"
			}
			return fs
		}
		hs, err := db.CreateRecords(ctx, sc["ru-reg"], []sqlstore.NewRecord{{Party: "RU", Fields: civ("Утаєний", true)},
			{Party: "RU", Fields: civ("Відкритий", false)}, {Party: "RU", Fields: civ("Пізніше", false)}})
		if err != nil {
			t.Fatal(err)
		}
		withheld, open, later := hs[0].ID, hs[1].ID, hs[2].ID
		both := []custody.Recipient{custody.OwnState, custody.CentralAgency}
		for _, id := range []string{withheld, open, later} {
			for _, e := range []custody.Event{{Kind: custody.Captured, Date: day("2025-03-01"), Place: "X"}, {Kind: custody.Interned, Date: day("2025-03-03"), Place: "Табір №1"}} {
				if _, err := db.RecordCustody(ctx, sc["ru-reg"], id, e); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, to := range [][]custody.Recipient{{custody.OwnState}, both} {
			_, err := db.RecordCustody(ctx, sc["ru-reg"], withheld, custody.Event{Kind: custody.CaptureCardSent, Date: day("2025-03-05"), SentTo: to})
			wantCode(t, fmt.Sprintf("a withheld civilian's card to %v", to), err, errs.Invalid, "custody_withheld_own_state")
		}
		if v, err := db.Custody(ctx, sc["ru-reg"], withheld, db.Now()); err != nil || len(v.Timeline.Events) != 2 {
			t.Errorf("a refused card wrote: %+v %v", v.Timeline.Events, err)
		}
		card := func(id string, to []custody.Recipient) {
			t.Helper()
			if _, err := db.RecordCustody(ctx, sc["ru-reg"], id, custody.Event{Kind: custody.CaptureCardSent, Date: day("2025-03-05"), SentTo: to}); err != nil {
				t.Fatal(err)
			}
		}
		card(withheld, []custody.Recipient{custody.CentralAgency})
		card(open, both)
		card(later, both)
		cur, err := db.Record(ctx, sc["ru-reg"], later)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CorrectRecord(ctx, sc["ru-reg"], later, cur.Version, civ("Пізніше", true), "withheld"); err != nil {
			t.Fatal(err)
		}
		for to, want := range map[custody.Recipient][]string{"": {withheld, open, later}, custody.CentralAgency: {withheld, open, later}, custody.OwnState: {open}} {
			ns, err := db.CustodyNotifications(ctx, sc["ru-reg"], time.Time{}, to)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range ns {
				got = append(got, n.Record.ID)
				if n.Record.Detrimental != (n.Record.ID != open) {
					t.Errorf("for %q: %s marked detrimental=%v", to, n.Record.ID, n.Record.Detrimental)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("notifications for %q: %v, want %v", to, got, want)
			}
		}
		_, err = db.CustodyNotifications(ctx, sc["ru-reg"], time.Time{}, "press")
		wantCode(t, "notifications for the press", err, errs.Invalid, "custody_bad_recipient")
	})
}
