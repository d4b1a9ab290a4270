package sqlstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// wantCode fails unless err is of kind k and names code among its fields.
func wantCode(t *testing.T, what string, err error, k errs.Kind, code string) {
	t.Helper()
	if !errs.Is(k, err) {
		t.Errorf("%s: %v, want %v", what, err, k)
		return
	}
	for _, fe := range errs.Fields(err) {
		if fe.Code == code {
			return
		}
	}
	t.Errorf("%s: %v %+v, want the code %s", what, err, errs.Fields(err), code)
}

// interview is an interview of rec by the ICRC's delegate an hour ago.
func interview(db *sqlstore.DB, rec string, o exchange.InterviewOutcome) exchange.Interview {
	return exchange.Interview{RecordID: rec, At: db.Now().Add(-time.Hour), Place: "колонія №1", Interviewer: "J. Delegate",
		Organisation: "ICRC", Outcome: o, Notes: "НОТАТКА-ДЕЛЕГАТА: боїться повертатися"}
}

// TestWithholdBasis: the holding party's registrar may withhold a civilian's
// record (GC IV Art. 137(2)) but not a prisoner of war's (GC III
// Art. 122(3)): on a military record the flag is refused on creation and on
// correction, whatever the basis; only the neutral's recorded interview
// withholds it at his own request, as a new version that names the
// interview; the registrar's later edits keep that flag and cannot lift it.
func TestWithholdBasis(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, false)
		reg := f.scopes["ru-reg"]
		civ := held("Цивільний")
		civ.Category, civ.Status = person.Civilian, person.StatusDetainedCivilian
		civ.Detrimental, civ.DetrimentalBasis, civ.DetrimentalReason = true, person.WithholdCivilian, "the family would be in danger"
		rec, err := db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "RU", Fields: civ})
		if err != nil {
			t.Fatalf("a civilian withheld by the bureau: %v", err)
		}
		if got, err := db.Record(ctx, reg, rec.ID); err != nil || !got.Detrimental || got.DetrimentalBasis != person.WithholdCivilian || got.DetrimentalReason != civ.DetrimentalReason {
			t.Errorf("the civilian's record as stored: %+v %v", got.Fields, err)
		}
		mil := held("Військовий")
		mil.Status = person.StatusPOW
		for _, b := range []person.WithholdBasis{person.WithholdCivilian, ""} {
			m := mil
			m.Detrimental, m.DetrimentalBasis, m.DetrimentalReason = true, b, "the holding party's wish"
			_, err := db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "RU", Fields: m})
			wantCode(t, "a POW created withheld on basis "+string(b), err, errs.Invalid, "detrimental_pow")
		}
		m := mil
		m.Detrimental, m.DetrimentalBasis, m.DetrimentalReason = true, person.WithholdOwnRequest, "he asked, they say"
		_, err = db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "RU", Fields: m})
		wantCode(t, "a POW created withheld 'at his own request' by the registrar", err, errs.Invalid, "detrimental_own_request")

		// A listed prisoner of war: the registrar's correction may not
		// withhold him.
		pow := f.held["RU"][0]
		cur, err := db.Record(ctx, reg, pow)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []person.WithholdBasis{person.WithholdCivilian, person.WithholdOwnRequest} {
			fl := cur.Fields
			fl.Detrimental, fl.DetrimentalBasis, fl.DetrimentalReason = true, b, "the holding party's wish"
			_, err := db.CorrectRecord(ctx, reg, pow, cur.Version, fl, "withhold")
			wantCode(t, "the registrar withholds a POW on basis "+string(b), err, errs.Invalid, map[person.WithholdBasis]string{
				person.WithholdCivilian: "detrimental_pow", person.WithholdOwnRequest: "detrimental_own_request"}[b])
		}
		if got, _ := db.Record(ctx, reg, pow); got.Version != cur.Version || got.Detrimental {
			t.Fatalf("a refused correction wrote %+v", got)
		}

		// The neutral's interview: he asks that his information be withheld.
		iv := interview(db, pow, exchange.WishesReturn)
		iv.Withhold, iv.WithholdReason = true, "fears for his family"
		stored, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, iv)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Record(ctx, reg, pow)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Detrimental || got.DetrimentalBasis != person.WithholdOwnRequest || got.DetrimentalReason != "fears for his family" ||
			got.Version != cur.Version+1 || got.Provenance.Source != "interview" || got.Provenance.SourceRef != "interview:"+stored.ID || got.Provenance.EnteredBy != "op" {
			t.Errorf("after the interview: %+v %+v", got.Fields, got.Provenance)
		}
		if got.Surname != cur.Surname || got.ServiceNumber != cur.ServiceNumber {
			t.Errorf("the interview changed his identity: %+v", got.Fields)
		}
		// The registrar edits the record: the flag stays; lifting it or
		// changing its reason is refused.
		fl := got.Fields
		fl.Notes = "transferred to another camp"
		if _, err := db.CorrectRecord(ctx, reg, pow, got.Version, fl, "transfer"); err != nil {
			t.Fatalf("an edit that keeps the flag: %v", err)
		}
		fl.Detrimental, fl.DetrimentalBasis, fl.DetrimentalReason = false, "", ""
		_, err = db.CorrectRecord(ctx, reg, pow, got.Version+1, fl, "lift")
		wantCode(t, "the registrar lifts his own request", err, errs.Invalid, "detrimental_own_request_kept")

		// A newer interview: he no longer asks it; the flag is lifted, by
		// a version that names that interview. Nothing is left to lift.
		lift := interview(db, pow, exchange.WishesReturn)
		lift.LiftWithhold = true
		lifted, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, lift)
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.Record(ctx, reg, pow)
		if err != nil || got.Detrimental || got.DetrimentalBasis != "" || got.DetrimentalReason != "" || got.Provenance.SourceRef != "interview:"+lifted.ID {
			t.Errorf("after the interview that lifts it: %+v %+v %v", got.Fields, got.Provenance, err)
		}
		_, err = db.RecordInterview(ctx, f.scopes["op"], f.ex, lift)
		wantCode(t, "lifting what is not withheld", err, errs.Invalid, "interview_lift_unflagged")
		civIV := interview(db, rec.ID, exchange.WishesReturn)
		civIV.LiftWithhold = true
		_, err = db.RecordInterview(ctx, f.scopes["op"], f.ex, civIV)
		wantCode(t, "the neutral lifts the bureau's withholding of an unlisted civilian", err, errs.Invalid, "interview_not_listed")

		res, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Errorf("the audit after the interview:\n%s", res.Summary())
		}
	})
}

// TestInterviewGate: a person whose latest interview says he refuses to
// return is neither offered nor frozen in an agreement (GC III
// Art. 109(3), Art. 118); a newer interview in which he wishes to return
// lifts the gate. Only the mediator's operator records an interview, of a
// held person listed in the exchange.
func TestInterviewGate(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, false)
		op := f.scopes["op"]
		target := f.held["RU"][0]
		offer := func() error {
			var items []exchange.Item
			for _, id := range append(append([]string{}, f.held["RU"]...), f.res["RU"]...) {
				items = append(items, exchange.Item{RecordID: id, Category: person.Military})
			}
			_, err := db.SubmitList(ctx, f.scopes["ru-reg"], f.ex, exchange.Offer, items, nil, "again")
			return err
		}
		freeze := func() error {
			_, err := db.FreezeAgreement(ctx, op, f.logSigner, f.ex, f.plan)
			return err
		}

		for _, who := range []string{"ru-reg", "ru-appr", "ua-reg", "ru-officer", "med-officer", "aud", "admin"} {
			_, err := db.RecordInterview(ctx, f.scopes[who], f.ex, interview(db, target, exchange.RefusesReturn))
			if !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s records an interview: %v", who, err)
			}
		}
		sought := held("Шуканий")
		sought.Kind, sought.Status = person.Sought, person.StatusMissing
		srec, err := db.CreateRecord(ctx, f.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: sought})
		if err != nil {
			t.Fatal(err)
		}
		unlisted, err := db.CreateRecord(ctx, f.scopes["ru-reg"], sqlstore.NewRecord{Party: "RU", Fields: held("Неперелічений")})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{srec.ID, unlisted.ID, "r-none"} {
			_, err := db.RecordInterview(ctx, op, f.ex, interview(db, id, exchange.WishesReturn))
			wantCode(t, "an interview of "+id, err, errs.Invalid, "interview_not_listed")
		}
		bad := interview(db, target, exchange.NotInterviewed)
		bad.At = db.Now().Add(time.Hour)
		bad.Withhold = true
		_, err = db.RecordInterview(ctx, op, f.ex, bad)
		if fe := errs.Fields(err); !errs.Is(errs.Invalid, err) || len(fe) != 3 {
			t.Errorf("a bad interview: %v %+v, want the time, the reason and the request named", err, fe)
		}

		if _, err := db.RecordInterview(ctx, op, f.ex, interview(db, target, exchange.RefusesReturn)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "an offer with the person who refused", offer(), errs.Conflict, "interview_refused")
		wantCode(t, "an agreement with the person who refused", freeze(), errs.Conflict, "interview_refused")
		// Could not be interviewed: the refusal still stands as his word?
		// No: the latest interview stands, and it says nothing of refusal.
		if _, err := db.RecordInterview(ctx, op, f.ex, interview(db, target, exchange.WishesReturn)); err != nil {
			t.Fatal(err)
		}
		if err := offer(); err != nil {
			t.Errorf("the offer after a newer interview: %v", err)
		}
		if err := freeze(); err != nil {
			t.Errorf("the agreement after a newer interview: %v", err)
		}
	})
}

// TestInterviewsSeenByParties: the parties see of an interview the outcome
// and who verified it when, never the interviewer's name or notes; the
// mediator's operator sees it whole.
func TestInterviewsSeenByParties(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, false)
		target := f.held["RU"][1]
		iv := interview(db, target, exchange.WishesReturn)
		if _, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, iv); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"ua-reg", "ua-appr", "ru-reg", "aud", "op"} {
			es, err := db.Interviews(ctx, f.scopes[who], f.ex)
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if len(es) != 2*(2+2) {
				t.Errorf("%s sees %d listed persons, want 8", who, len(es))
			}
			var e *exchange.InterviewEntry
			for i := range es {
				if es[i].RecordID == target {
					e = &es[i]
				}
			}
			if e == nil || e.Latest == nil || e.Latest.Outcome != exchange.WishesReturn || e.Latest.Organisation != "ICRC" || !e.Latest.At.Equal(iv.At) || e.Party != "RU" {
				t.Fatalf("%s sees %+v", who, e)
			}
			b, _ := json.Marshal(es)
			full := who == "op"
			if strings.Contains(string(b), "НОТАТКА-ДЕЛЕГАТА") != full || strings.Contains(string(b), "J. Delegate") != full {
				t.Errorf("%s sees the interviewer's notes or name: %v, want %v:\n%s", who, !full, full, b)
			}
		}
	})
}

// TestCrossingRefusalAgainstInterview: a person the neutral's interview
// found wishing to return refuses repatriation at the crossing (GC III
// Art. 109(3)); the interviews show the refusal at the crossing beside the
// interview that said otherwise; a refusal retracted no longer shows.
func TestCrossingRefusalAgainstInterview(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		target := f.held["RU"][0]
		iv := interview(db, target, exchange.WishesReturn)
		if _, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, iv); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		entry := func(who string) exchange.InterviewEntry {
			es, err := db.Interviews(ctx, f.scopes[who], f.ex)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if e.RecordID == target {
					return e
				}
			}
			t.Fatalf("%s does not see %s", who, target)
			return exchange.InterviewEntry{}
		}
		if e := entry("op"); e.CrossingRefused != nil {
			t.Fatalf("a refusal before any: %+v", e)
		}
		recordOne(t, db, f, "ru-officer", crossing.Event{ID: "ref-1", Type: crossing.Refused, At: at0, Side: "RU", RecordID: target, Observer: "med-officer", Reason: "declines"})
		for _, who := range []string{"op", "ua-reg", "ru-reg"} {
			e := entry(who)
			if e.CrossingRefused == nil || !e.CrossingRefused.Equal(at0) || e.Latest == nil || e.Latest.Outcome != exchange.WishesReturn {
				t.Errorf("%s sees %+v", who, e)
			}
		}
		recordOne(t, db, f, "ru-officer", crossing.Event{ID: "ref-1-x", Type: crossing.Retracted, At: at0.Add(time.Minute), Side: "RU", RecordID: target, Subject: "ref-1", Reason: "recorded in error"})
		if e := entry("op"); e.CrossingRefused != nil {
			t.Errorf("a retracted refusal still shows: %+v", e)
		}
	})
}

// TestInterviewKeepsBureauWithholding: a civilian the bureau withheld from
// his own side (GC IV Art. 137(2)) who asks the neutral the same, and later
// no longer asks it, stays withheld on the bureau's basis and for the
// bureau's reason: his own request neither replaces the bureau's flag nor
// lifts it, and the other party still finds nothing of him.
func TestInterviewKeepsBureauWithholding(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		reg := f.scopes["ru-reg"]
		id := f.held["RU"][1]
		cur, err := db.Record(ctx, reg, id)
		if err != nil {
			t.Fatal(err)
		}
		fl := cur.Fields
		fl.Category, fl.Status = person.Civilian, person.StatusDetainedCivilian
		fl.Detrimental, fl.DetrimentalBasis, fl.DetrimentalReason = true, person.WithholdCivilian, "bureau: danger to family"
		if _, err := db.CorrectRecord(ctx, reg, id, cur.Version, fl, "civilian, withheld"); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			got, err := db.Record(ctx, reg, id)
			if err != nil || !got.Detrimental || got.DetrimentalBasis != person.WithholdCivilian || got.DetrimentalReason != "bureau: danger to family" {
				t.Errorf("%s: detrimental=%v basis=%q reason=%q %v", when, got.Detrimental, got.DetrimentalBasis, got.DetrimentalReason, err)
			}
		}
		iv := interview(db, id, exchange.WishesReturn)
		iv.Withhold, iv.WithholdReason = true, "asks too"
		if _, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, iv); err != nil {
			t.Fatal(err)
		}
		check("after his request")
		lift := interview(db, id, exchange.WishesReturn)
		lift.LiftWithhold = true
		if _, err := db.RecordInterview(ctx, f.scopes["op"], f.ex, lift); err != nil {
			t.Fatalf("he no longer asks it: %v", err)
		}
		check("after he no longer asks it")
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{fl.ServiceNumber, fl.Surname + " " + fl.GivenNames} {
			hits, err := db.Lookup(ctx, f.scopes["ua-reg"], f.ex, 1, q, 100)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(hits, func(h sqlstore.LookupHit) bool { return h.RecordID == id }) {
				t.Errorf("the other party's %q finds the withheld civilian", q)
			}
		}
		res, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Errorf("the audit:\n%s", res.Summary())
		}
	})
}
