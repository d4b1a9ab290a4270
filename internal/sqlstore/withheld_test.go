package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// markDetrimental withholds a prisoner of war's record the only way the
// law allows (GC III Arts. 118, 122(3)): he asks for it in the neutral's
// interview, which the mediator's operator records; then his own party's
// registrar (login) makes an edit besides, which keeps the flag.
func (f *crossingFixture) markDetrimental(t *testing.T, id, login, surname string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.RecordInterview(ctx, f.scopes["op"], f.ex, exchange.Interview{RecordID: id, At: f.db.Now().Add(-time.Hour), Place: "колонія №1",
		Interviewer: "J. Delegate", Organisation: "ICRC", Outcome: exchange.WishesReturn, Notes: "спокійний",
		Withhold: true, WithholdReason: "fears for his family"}); err != nil {
		t.Fatal(err)
	}
	r, err := f.db.Record(ctx, f.scopes[login], id)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Detrimental || r.DetrimentalBasis != person.WithholdOwnRequest || r.Provenance.Source != "interview" {
		t.Fatalf("after the interview the record is %+v, %+v", r.Fields, r.Provenance)
	}
	fl := r.Fields
	fl.Notes = "seen in a hospital"
	if surname != "" {
		fl.Surname = surname
	}
	if _, err := f.db.CorrectRecord(ctx, f.scopes[login], id, r.Version, fl, "an edit besides"); err != nil {
		t.Fatal(err)
	}
}

// TestWithheldAtTheCrossing: a person the releasing party marked
// transmission-detrimental after signing is shown to the other party's
// users only by record id, category and outcome: not in the stage list,
// not found by name or service number, found by the id the signed
// agreement holds. The releasing party and the mediator see the person.
func TestWithheldAtTheCrossing(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		target := f.held["RU"][1]
		fl := f.fields[target]
		f.markDetrimental(t, target, "ru-reg", "")
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"ua-officer", "ua-reg", "ua-appr"} {
			s := f.scopes[login]
			l, err := db.StageList(ctx, s, f.ex, 1, "RU")
			if err != nil {
				t.Fatal(err)
			}
			e, ok := entryOf(l, target)
			if !ok || !e.Withheld || e.Surname != "" || e.GivenNames != "" || e.ServiceNumber != "" || !e.BirthDate.IsZero() || e.Category != person.Military {
				t.Errorf("%s: the stage list shows %+v", login, e.StagePerson)
			}
			for _, q := range []string{fl.ServiceNumber, fl.Surname + " " + fl.GivenNames} {
				hits, err := db.Lookup(ctx, s, f.ex, 1, q, 100)
				if err != nil {
					t.Fatal(err)
				}
				if slices.ContainsFunc(hits, func(h sqlstore.LookupHit) bool { return h.RecordID == target }) {
					t.Errorf("%s: %q finds the withheld person", login, q)
				}
			}
			hits, err := db.Lookup(ctx, s, f.ex, 1, target, 10)
			if err != nil || len(hits) != 1 || !hits[0].Withheld || hits[0].Surname != "" || hits[0].Outcome != crossing.OutcomeOutstanding {
				t.Errorf("%s: by record id: %+v %v", login, hits, err)
			}
		}
		for _, login := range []string{"ru-officer", "op", "med-officer", "aud"} {
			hits, err := db.Lookup(ctx, f.scopes[login], f.ex, 1, fl.ServiceNumber, 10)
			if err != nil || len(hits) != 1 || hits[0].RecordID != target || hits[0].Surname != fl.Surname || !hits[0].Withheld {
				t.Errorf("%s: %+v %v", login, hits, err)
			}
		}
		// The negotiation view keeps the withheld person's blocker (Rule
		// 128) and violations from the other party.
		if err := db.SetEvidence(ctx, f.scopes["ru-reg"], target, exchange.Evidence{Blocker: exchange.PendingProsecution}); err != nil {
			t.Fatal(err)
		}
		for login, shown := range map[string]bool{"ua-reg": false, "ru-reg": true, "op": true} {
			v, err := db.ExchangeView(ctx, f.scopes[login], f.ex)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(v.Blocking, func(b exchange.Blocking) bool { return b.RecordID == target })
			if i < 0 || (len(v.Blocking[i].Violations) > 0) != shown {
				t.Errorf("%s sees the blocking item %+v", login, v.Blocking)
			}
		}
		// Marking a record detrimental changes no identity field: the
		// person still counts.
		if st, err := db.Stage(ctx, f.scopes["ua-officer"], f.ex, 1); err != nil || st.Summary.Held != 0 {
			t.Errorf("held %+v %v", st.Summary, err)
		}
	})
}

// TestDetrimentalWithdrawsDisclosure: a held record marked
// transmission-detrimental after its match was disclosed leaves the
// seeking party's disclosed matches, edits included, and its trace; the
// withdrawal is a log leaf written with it, which the audit replays.
func TestDetrimentalWithdrawsDisclosure(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		heldID := f.held["RU"][0]
		fl := f.fields[heldID]
		fl.Kind, fl.Status = person.Sought, person.StatusMissing
		sought, err := db.CreateRecord(ctx, f.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: fl})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveMatchRun(ctx, f.scopes["op"], sqlstore.MatchRun{SoughtParty: "UA", HeldParty: "RU", Threshold: 0.5},
			[]match.Pair{{LeftID: sought.ID, RightID: heldID, Score: 0.99, Weight: 20}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideMatch(ctx, f.scopes["op"], sought.ID, heldID, "confirm", "same person"); err != nil {
			t.Fatal(err)
		}
		if err := db.DiscloseMatch(ctx, f.scopes["op"], sought.ID, heldID); err != nil {
			t.Fatal(err)
		}
		ms, err := db.DisclosedMatches(ctx, f.scopes["ua-reg"])
		if err != nil || len(ms) != 1 {
			t.Fatalf("disclosed: %+v %v", ms, err)
		}
		f.markDetrimental(t, heldID, "ru-reg", "Переписаний")
		ms, err = db.DisclosedMatches(ctx, f.scopes["ua-reg"])
		if err != nil || len(ms) != 0 {
			t.Fatalf("after the mark the seeking party still sees %+v %v", ms, err)
		}
		tr, err := db.Trace(ctx, f.scopes["ua-reg"], sought.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range tr.Trace.History {
			if h.Status != crossing.TraceReported {
				t.Errorf("the trace follows the withheld record: %+v", h)
			}
		}
		err = db.DiscloseMatch(ctx, f.scopes["op"], sought.ID, heldID)
		wantKind(t, err, errs.Conflict)
		res, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Errorf("the audit finds %+v", res.Findings)
		}
		size, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		withdrawn := 0
		for i := range size {
			data, err := db.Leaf(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			if l, err := audit.DecodeLeaf(data); err == nil && l.Type == "match.withdrawn" && l.Subject == "match:"+sought.ID+"/"+heldID {
				withdrawn++
			}
		}
		if withdrawn != 1 {
			t.Errorf("%d match.withdrawn leaves, want 1", withdrawn)
		}
		// A withdrawal removed from the database is caught by the audit.
		if err := db.DropGuards(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, `DELETE FROM match_withdrawals`); err != nil {
			t.Fatal(err)
		}
		res, err = db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res.Findings, func(fd audit.Finding) bool { return fd.Code == sqlstore.EventMissing }) {
			t.Errorf("a deleted withdrawal is not found: %+v", res.Findings)
		}
	})
}
