package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// recordOne records one event and returns its answer.
func recordOne(t *testing.T, db *sqlstore.DB, f *crossingFixture, login string, e crossing.Event) (crossing.Result, sqlstore.StageView) {
	t.Helper()
	res, err := db.RecordEvents(context.Background(), f.scopes[login], f.ex, 1, []crossing.Event{e})
	if err != nil {
		t.Fatalf("%s records %s: %v", login, e.Type, err)
	}
	return res.Results[0], res.Stage
}

func wantResult(t *testing.T, r crossing.Result, status string, k errs.Kind) {
	t.Helper()
	if r.Status != status || (status == "refused" && r.Kind != k.String()) {
		t.Fatalf("%s: got %s/%s (%s), want %s/%s", r.ID, r.Status, r.Kind, r.Message, status, k)
	}
}

// TestOfficerRecordsOwnSideOnly: the store sets an event's party from the
// officer's account, so RU's officer recording what UA releases is
// refused, Forbidden, whatever the event says; and so is an officer whose
// account was disabled after its token was read.
func TestOfficerRecordsOwnSideOnly(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		ua0, ua1 := f.held["UA"][0], f.held["UA"][1]
		for _, tc := range []struct {
			login string
			e     crossing.Event
		}{
			{"ru-officer", crossing.Event{ID: "x1", Type: crossing.Refused, At: at0, Side: "UA", RecordID: ua0, Observer: "med-officer", Reason: "declines"}},
			{"ru-officer", crossing.Event{ID: "x2", Type: crossing.NotPresented, At: at0, Side: "UA", RecordID: ua1}},
			{"ru-officer", released("x3", "UA", ua0)},
			{"med-officer", released("x4", "UA", ua0)},
			{"ua-officer", received("x5", "UA", ua0)},
		} {
			r, _ := recordOne(t, db, f, tc.login, tc.e)
			wantResult(t, r, "refused", errs.Forbidden)
		}
		r, v := recordOne(t, db, f, "ua-officer", released("ok1", "UA", ua0))
		wantResult(t, r, "applied", errs.Other)
		if v.Report.Sides["UA"].Total.HandedOver != 0 {
			t.Fatal("a release alone counted")
		}
		// Disabled meanwhile: the account is read in the transaction.
		if err := db.DisableUser(ctx, "ru-officer"); err != nil {
			t.Fatal(err)
		}
		_, err := db.RecordEvents(ctx, f.scopes["ru-officer"], f.ex, 1, []crossing.Event{received("x6", "UA", ua0)})
		wantKind(t, err, errs.Forbidden)
	})
}

// TestReceiverObserverAreAccounts: the receiver and the observer an event
// names are checkpoint officers' accounts of the right party, given by
// login or as user:ID and recorded as user:ID; free text is Invalid.
func TestReceiverObserverAreAccounts(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		ua := f.held["UA"]
		refusal := func(id, observer string) crossing.Event {
			return crossing.Event{ID: id, Type: crossing.Refused, At: at0, Side: "UA", RecordID: ua[0], Observer: observer, Reason: "declines"}
		}
		for _, tc := range []struct {
			name string
			e    crossing.Event
		}{
			{"free-text observer", refusal("a1", "fake-observer")},
			{"a party's officer as observer", refusal("a2", "ru-officer")},
			{"a registrar as observer", refusal("a3", "ua-reg")},
			{"free-text receiver", func() crossing.Event { e := released("a4", "UA", ua[1]); e.Receiver = "ru-3"; return e }()},
			{"the releasing side's officer as receiver", func() crossing.Event { e := released("a5", "UA", ua[1]); e.Receiver = "ua-officer"; return e }()},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, _ := recordOne(t, db, f, "ua-officer", tc.e)
				wantResult(t, r, "refused", errs.Invalid)
			})
		}
		med, _ := db.UserByLogin(ctx, "med-officer")
		ru, _ := db.UserByLogin(ctx, "ru-officer")
		r, _ := recordOne(t, db, f, "ua-officer", refusal("b1", "med-officer"))
		wantResult(t, r, "applied", errs.Other)
		rel := released("b2", "UA", ua[1])
		rel.Receiver, rel.Observer = fmt.Sprintf("user:%d", ru.ID), "med-officer"
		r, _ = recordOne(t, db, f, "ua-officer", rel)
		wantResult(t, r, "applied", errs.Other)
		// A resend names them as it did: a duplicate, recorded once.
		r, _ = recordOne(t, db, f, "ua-officer", rel)
		wantResult(t, r, "duplicate", errs.Other)
		events, err := db.RawStageEvents(ctx, f.ex, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]string{"b1": {"", fmt.Sprintf("user:%d", med.ID)}, "b2": {fmt.Sprintf("user:%d", ru.ID), fmt.Sprintf("user:%d", med.ID)}}
		for _, e := range events {
			if w, ok := want[e.ID]; ok && (e.Receiver != w[0] || e.Observer != w[1]) {
				t.Errorf("%s stored receiver %q observer %q, want %q %q", e.ID, e.Receiver, e.Observer, w[0], w[1])
			}
		}
		// The officers a stage screen offers: each with its party.
		officers, err := db.StageOfficers(ctx, f.scopes["ua-officer"], f.ex, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(officers, func(o sqlstore.Officer) bool { return o.Login == "med-officer" && o.Party == crossing.Mediator }) ||
			!slices.ContainsFunc(officers, func(o sqlstore.Officer) bool { return o.Login == "ru-officer" && o.Party == "RU" }) ||
			slices.ContainsFunc(officers, func(o sqlstore.Officer) bool { return o.Login == "ua-reg" }) {
			t.Fatalf("officers %+v", officers)
		}
	})
}

// TestTwoSidedStage: a person counts when UA's release and RU's receipt
// both stand; a disagreement stays on the stage, blocks closing without a
// discrepancy and stays visible once the stage is closed with one.
func TestTwoSidedStage(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		ua, ru := f.held["UA"], f.held["RU"]
		for i, rec := range ru {
			recordOne(t, db, f, "ru-officer", released(fmt.Sprintf("ru-rel-%d", i), "RU", rec))
			recordOne(t, db, f, "ua-officer", received(fmt.Sprintf("ua-rec-%d", i), "RU", rec))
		}
		recordOne(t, db, f, "ua-officer", released("ua-rel-0", "UA", ua[0]))
		_, v := recordOne(t, db, f, "ru-officer", received("ru-rec-0", "UA", ua[0]))
		if v.Report.Sides["UA"].Total.HandedOver != 1 || v.Report.Sides["RU"].Total.HandedOver != 2 {
			t.Fatalf("counts %+v", v.Report.Sides)
		}
		// UA records a refusal; RU says it received the person.
		recordOne(t, db, f, "ua-officer", crossing.Event{ID: "ua-ref-1", Type: crossing.Refused, At: at0, Side: "UA", RecordID: ua[1], Observer: "med-officer", Reason: "declines"})
		_, v = recordOne(t, db, f, "ru-officer", received("ru-rec-1", "UA", ua[1]))
		if v.Report.Parity || v.Summary.Disagreements != 1 ||
			!slices.ContainsFunc(v.Report.Flags, func(fl crossing.Flag) bool { return fl.Code == crossing.ReceivedButRefused && fl.RecordID == ua[1] }) {
			t.Fatalf("the disagreement is not on the stage: %+v", v.Report)
		}
		res, err := db.RecordEvents(ctx, f.scopes["op"], f.ex, 1, []crossing.Event{
			{ID: "c1", Type: crossing.StageClosing, At: at0}, {ID: "c2", Type: crossing.StageClosed, At: at0}})
		if err != nil {
			t.Fatal(err)
		}
		wantResult(t, res.Results[1], "refused", errs.Conflict)
		res, err = db.RecordEvents(ctx, f.scopes["op"], f.ex, 1, []crossing.Event{{ID: "c3", Type: crossing.StageClosed, At: at0, Reason: "UA and RU disagree on one person"}})
		if err != nil || res.Results[0].Status != "applied" {
			t.Fatalf("close with a discrepancy: %+v %v", res.Results, err)
		}
		all, err := db.ExchangeStages(ctx, f.scopes["ru-reg"], f.ex)
		if err != nil || all[0].State != "closed" || all[0].Summary.Disagreements != 1 {
			t.Fatalf("after closing: %+v %v", all, err)
		}
	})
}
