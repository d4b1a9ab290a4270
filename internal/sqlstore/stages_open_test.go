package sqlstore_test

import (
	"context"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestOpenStages: the stages a caller may work are the open, closing and
// suspended stages of the exchanges of the caller's party (all of them for
// the mediator); closed and cancelled stages and other parties' exchanges
// are absent.
func TestOpenStages(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossingStages(t, db, 2, 4, true)
		op := f.scopes["op"]
		// A third party and its officer, in no exchange.
		if _, err := db.CreateParty(ctx, "GE", "Georgia"); err != nil {
			t.Fatal(err)
		}
		ge, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ge-officer", Role: access.CheckpointOfficer, Party: "GE", Password: "a long enough password", Argon2: cheap})
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			if _, err := db.OpenStage(ctx, op, f.ex, n); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("h1", "UA", f.held["UA"][0])}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordEvents(ctx, f.scopes["ru-officer"], f.ex, 1, []crossing.Event{received("h1r", "UA", f.held["UA"][0])}); err != nil {
			t.Fatal(err)
		}
		move := func(n int, evs ...crossing.Event) {
			t.Helper()
			res, err := db.RecordEvents(ctx, op, f.ex, n, evs)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Results {
				if r.Status != "applied" {
					t.Fatalf("stage %d: %s %s", n, r.ID, r.Message)
				}
			}
		}
		move(2, crossing.Event{ID: "c", Type: crossing.StageClosing}, crossing.Event{ID: "d", Type: crossing.StageClosed, Reason: "nobody came"})
		move(3, crossing.Event{ID: "s", Type: crossing.StageSuspended, Reason: "shelling"})
		move(4, crossing.Event{ID: "s", Type: crossing.StageSuspended, Reason: "fog"}, crossing.Event{ID: "x", Type: crossing.StageCancelled, Reason: "called off"})

		for _, who := range []string{"ua-officer", "ru-officer", "med-officer", "op", "aud", "ua-reg"} {
			got, err := db.OpenStages(ctx, f.scopes[who])
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if len(got) != 2 || got[0].Stage != 1 || got[1].Stage != 3 {
				t.Fatalf("%s sees %+v, want stages 1 (open) and 3 (suspended)", who, got)
			}
			if got[0].State != "open" || got[1].State != "suspended" || got[0].Exchange != f.ex || got[0].Parties != [2]string{"UA", "RU"} {
				t.Errorf("%s: %+v", who, got)
			}
			if got[0].HandedOver["UA"] != 1 || got[0].HandedOver["RU"] != 0 || got[0].Planned["RU"] != 2 || got[0].Outstanding != 3 {
				t.Errorf("%s: counts of stage 1: %+v", who, got[0])
			}
		}
		got, err := db.OpenStages(ctx, ge.Scope())
		if err != nil || len(got) != 0 {
			t.Errorf("an officer of a party outside the exchange sees %+v (%v)", got, err)
		}
		sys := access.Scope{UserID: 99, Login: "sys", Role: access.Sysadmin}
		_, err = db.OpenStages(ctx, sys)
		wantKind(t, err, errs.Forbidden)
	})
}

// TestStageTimeline: the counts after each event that changed them, as
// the parity report counts (an unlisted person from its acceptance by
// both parties), ending at the report's totals; thinned to max points.
func TestStageTimeline(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		op, ua, ru := f.scopes["op"], f.scopes["ua-officer"], f.scopes["ru-officer"]
		if _, err := db.OpenStage(ctx, op, f.ex, 1); err != nil {
			t.Fatal(err)
		}
		record := func(s access.Scope, e crossing.Event) {
			t.Helper()
			res, err := db.RecordEvents(ctx, s, f.ex, 1, []crossing.Event{e})
			if err != nil || res.Results[0].Status != "applied" {
				t.Fatalf("%s: %v %+v", e.ID, err, res.Results)
			}
		}
		record(ua, released("h1", "UA", f.held["UA"][0]))
		record(ru, received("h1r", "UA", f.held["UA"][0]))
		record(ru, released("h2", "RU", f.held["RU"][0]))
		record(ua, received("h2r", "RU", f.held["RU"][0]))
		record(ua, crossing.Event{ID: "u1", Type: crossing.UnlistedPresented, At: at0, Side: "UA", Category: person.Military, Observer: "med-officer", Reason: "says he is a soldier"})
		record(ua, crossing.Event{ID: "n1", Type: crossing.NotPresented, At: at0, Side: "UA", RecordID: f.held["UA"][1]})
		record(ua, crossing.Event{ID: "a1", Type: crossing.AmendmentAccepted, At: at0, Subject: "u1"})
		record(ru, crossing.Event{ID: "a2", Type: crossing.AmendmentAccepted, At: at0, Subject: "u1"})
		record(ru, released("h3", "RU", f.held["RU"][1]))
		record(ua, received("h3r", "RU", f.held["RU"][1]))

		pts, err := db.StageTimeline(ctx, ua, f.ex, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		type pt struct{ ev, ua, ru int }
		want := []pt{{1, 0, 0}, {3, 1, 0}, {5, 1, 1}, {9, 2, 1}, {11, 2, 2}}
		if len(pts) != len(want) {
			t.Fatalf("got %d points %+v, want %v", len(pts), pts, want)
		}
		for i, w := range want {
			if g := (pt{pts[i].Event, pts[i].HandedOver["UA"], pts[i].HandedOver["RU"]}); g != w {
				t.Errorf("point %d: got %v, want %v", i, g, w)
			}
		}
		st, err := db.Stage(ctx, ua, f.ex, 1)
		if err != nil {
			t.Fatal(err)
		}
		last := pts[len(pts)-1]
		for side, sr := range st.Report.Sides {
			if last.HandedOver[side] != sr.Total.HandedOver {
				t.Errorf("%s: timeline ends at %d, the report counts %d", side, last.HandedOver[side], sr.Total.HandedOver)
			}
		}
		thin, err := db.StageTimeline(ctx, ua, f.ex, 1, 2)
		if err != nil || len(thin) != 2 || thin[0].Event != 1 || thin[1].Event != 11 {
			t.Errorf("thinned to 2: %+v %v", thin, err)
		}
		_, err = db.StageTimeline(ctx, access.Scope{UserID: 99, Login: "sys", Role: access.Sysadmin}, f.ex, 1, 0)
		wantKind(t, err, errs.Forbidden)
	})
}
