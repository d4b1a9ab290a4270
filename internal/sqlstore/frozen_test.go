package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// amend freezes the agreed lists again with the same plan (a new agreement
// version, taking in every record's current version) and has it signed
// by both approvers and the mediator; pending, if not nil, runs before the
// signatures.
func (f *crossingFixture) amend(t *testing.T, pending func()) int {
	t.Helper()
	ctx := context.Background()
	ag, err := f.db.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan)
	if err != nil {
		t.Fatal(err)
	}
	if pending != nil {
		pending()
	}
	for _, login := range []string{"ua-appr", "ru-appr", "op"} {
		line, err := exchange.Sign([]byte(ag.Document), f.signers[login])
		if err != nil {
			t.Fatal(err)
		}
		if ag, err = f.db.SignAgreement(ctx, f.scopes[login], f.ex, ag.Version, line); err != nil {
			t.Fatal(err)
		}
	}
	if ag.State != exchange.AgreementSigned.String() {
		t.Fatalf("amendment %d is %s", ag.Version, ag.State)
	}
	return ag.Version
}

// correct changes a record's surname, given names and service number.
func (f *crossingFixture) correct(t *testing.T, id, login, surname, given, number string) {
	t.Helper()
	ctx := context.Background()
	r, err := f.db.Record(ctx, f.scopes[login], id)
	if err != nil {
		t.Fatal(err)
	}
	fl := r.Fields
	fl.Surname, fl.GivenNames, fl.ServiceNumber = surname, given, number
	if _, err := f.db.CorrectRecord(ctx, f.scopes[login], id, r.Version, fl, "corrected after signing"); err != nil {
		t.Fatal(err)
	}
}

func entryOf(l sqlstore.StageList, id string) (sqlstore.StageListEntry, bool) {
	i := slices.IndexFunc(l.Persons, func(e sqlstore.StageListEntry) bool { return e.RecordID == id })
	if i < 0 {
		return sqlstore.StageListEntry{}, false
	}
	return l.Persons[i], true
}

// TestSignedIsWhatCrosses is issue 12's reproduction: after every
// signature, UA's registrar changes a listed person's surname, given name
// and service number. RU's officer still sees the person as signed, in
// the stage list and the lookup (by the old number; the new one finds
// nobody), marked as corrected after signing; the person does not count
// toward parity until an amendment, signed by all three, takes in the new
// version. A second person corrected while the stage is open is held back
// as well.
func TestSignedIsWhatCrosses(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		target := f.held["UA"][1]
		signed := f.fields[target]
		f.correct(t, target, "ua-reg", "Підмінний", "Іван", "Б-777777")
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		ru := f.scopes["ru-officer"]
		l, err := db.StageList(ctx, ru, f.ex, 1, "UA")
		if err != nil {
			t.Fatal(err)
		}
		e, ok := entryOf(l, target)
		if !ok || e.Surname != signed.Surname || e.GivenNames != signed.GivenNames || e.ServiceNumber != signed.ServiceNumber {
			t.Fatalf("stage list shows %+v, want the person as signed (%s %s %s)", e.StagePerson, signed.Surname, signed.GivenNames, signed.ServiceNumber)
		}
		if !e.CorrectedAfterSigning || strings.Join(e.Changed, " ") != "surname given_names service_number" || e.Version != 1 {
			t.Errorf("stage list entry %+v: want corrected after signing, version 1, the three fields", e.StagePerson)
		}
		hits, err := db.Lookup(ctx, ru, f.ex, 1, "Б-777777", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 0 {
			t.Errorf("the new service number finds %+v", hits)
		}
		hits, err = db.Lookup(ctx, ru, f.ex, 1, "Підмінний", 10)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(hits, func(h sqlstore.LookupHit) bool { return h.RecordID == target }) {
			t.Errorf("the new surname finds the frozen person: %+v", hits)
		}
		hits, err = db.Lookup(ctx, ru, f.ex, 1, signed.ServiceNumber, 10)
		if err != nil || len(hits) != 1 || hits[0].RecordID != target || hits[0].Surname != signed.Surname || !hits[0].CorrectedAfterSigning {
			t.Fatalf("the old service number: %+v %v", hits, err)
		}
		// Corrected while the stage is open.
		later := f.held["UA"][2]
		f.correct(t, later, "ua-reg", f.fields[later].Surname, "Петро", f.fields[later].ServiceNumber)
		hits, err = db.Lookup(ctx, ru, f.ex, 1, later, 10)
		if err != nil || len(hits) != 1 || hits[0].GivenNames != f.fields[later].GivenNames || strings.Join(hits[0].Changed, " ") != "given_names" {
			t.Fatalf("corrected while open: %+v %v", hits, err)
		}
		// Everyone crosses, as both sides record it: the corrected persons
		// do not count.
		var res sqlstore.RecordResult
		for _, side := range []string{"UA", "RU"} {
			recv := map[string]string{"UA": "RU", "RU": "UA"}[side]
			var rel, rec []crossing.Event
			for _, id := range f.held[side] {
				rel = append(rel, released("h-"+id, side, id))
				rec = append(rec, received("r-"+id, side, id))
			}
			if _, err := db.RecordEvents(ctx, f.scopes[strings.ToLower(side)+"-officer"], f.ex, 1, rel); err != nil {
				t.Fatal(err)
			}
			if res, err = db.RecordEvents(ctx, f.scopes[strings.ToLower(recv)+"-officer"], f.ex, 1, rec); err != nil {
				t.Fatal(err)
			}
		}
		rep := res.Stage.Report
		if ua := rep.Sides["UA"].Total; ua.HandedOver != 1 || ua.Held != 2 || rep.Parity {
			t.Fatalf("UA %+v, parity %v: want 1 counted and 2 held", ua, rep.Parity)
		}
		if res.Stage.Summary.Held != 2 {
			t.Errorf("summary %+v", res.Stage.Summary)
		}
		if !slices.ContainsFunc(rep.Flags, func(fl crossing.Flag) bool { return fl.Kind == crossing.FlagCorrected && fl.RecordID == target }) {
			t.Errorf("no flag on the corrected person: %+v", rep.Flags)
		}
		// The amendment takes in the new version: the person counts, as
		// now recorded.
		v := f.amend(t, func() {
			// Awaiting signatures, the amendment changes nothing yet, and
			// the stages are still shown.
			vs, err := db.ExchangeStages(ctx, f.scopes["ru-reg"], f.ex)
			if err != nil || len(vs) != 1 || vs[0].Summary.Held != 2 {
				t.Fatalf("stages while the amendment awaits signatures: %+v %v", vs, err)
			}
		})
		st, err := db.Stage(ctx, ru, f.ex, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ua := st.Report.Sides["UA"].Total; ua.HandedOver != 3 || ua.Held != 0 || !st.Report.Parity {
			t.Fatalf("after amendment %d: UA %+v, parity %v", v, ua, st.Report.Parity)
		}
		l, err = db.StageList(ctx, ru, f.ex, 1, "UA")
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := entryOf(l, target); e.Surname != "Підмінний" || e.CorrectedAfterSigning || e.AmendedIn != v || e.Version != 2 {
			t.Errorf("after the amendment the list shows %+v", e.StagePerson)
		}
		hits, err = db.Lookup(ctx, ru, f.ex, 1, "Б-777777", 10)
		if err != nil || len(hits) != 1 || hits[0].RecordID != target {
			t.Errorf("after the amendment the new number finds %+v %v", hits, err)
		}
	})
}

// TestFrozenCommitmentChecked: the stage recomputes the commitment of
// every frozen version from what is stored; a version changed in the
// database is an error that names the record, never shown.
func TestFrozenCommitmentChecked(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		target := f.held["RU"][0]
		if err := db.DropGuards(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, `UPDATE record_versions SET body = REPLACE(body, ?, ?) WHERE record_seq = (SELECT seq FROM records WHERE id = ?)`,
			f.fields[target].Surname, "Чужий", target); err != nil {
			t.Fatal(err)
		}
		_, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1)
		wantKind(t, err, errs.Conflict)
		if !strings.Contains(errs.Message(err), target) {
			t.Errorf("the error does not name the record: %v", err)
		}
		fes := errs.Fields(err)
		if len(fes) != 1 || fes[0].Code != "commitment_mismatch" || fes[0].Args[0] != target {
			t.Errorf("fields %+v", fes)
		}
	})
}

// BenchmarkFrozenStage10k builds a stage of 10,000 persons a side as
// frozen: every frozen version read, its commitment recomputed, compared
// with the current version. Opening a stage pays it twice, loading it once.
//
//	go test -run '^$' -bench FrozenStage10k -benchtime 10x ./internal/sqlstore/
func BenchmarkFrozenStage10k(b *testing.B) {
	const perSide = 10000
	db := sqltest.Open(b, "sqlite")
	f := newCrossing(b, db, perSide, true)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := db.FrozenStage(ctx, f.ex, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
}
