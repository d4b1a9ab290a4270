package sqlstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// What only the neutral and the holding bureau may read, in the tests of
// what is sealed at rest: the neutral's notes, the reason of an outcome,
// the interviewer and the place; the reason a prisoner gave for being
// withheld from his own side; the bureau's reason for withholding a
// civilian (GC IV Art. 137(2)); that of a record erased since.
const (
	sealedNotes       = "НОТАТКА-ДЕЛЕГАТА: боїться переслідування вдома"
	sealedOutcome     = "ПІДСТАВА-ВІДМОВИ: брат служить в іншій армії"
	sealedInterviewer = "Дюпон Жан"
	sealedPlace       = "МІСЦЕ-БЕСІДИ, барак 4"
	sealedWithhold    = "ПРОХАННЯ-ПОЛОНЕНОГО: родина під тиском"
	sealedBureau      = "ПРИЧИНА-БЮРО: родина під загрозою"
	sealedErased      = "ПРИЧИНА-СТЕРТА: загроза сусідам"
)

var sealedNeedles = []string{sealedNotes, sealedOutcome, sealedInterviewer, sealedPlace, sealedWithhold, sealedBureau, sealedErased}

// sealedWorld is a crossing where the neutral interviewed a prisoner RU
// holds, who refuses to go home and asks to be withheld from his own
// side; RU's bureau withheld a civilian it holds; UA's bureau withheld a
// civilian of its sought register and erased him since.
type sealedWorld struct {
	*crossingFixture
	prisoner, civilian, erased string
}

func newSealedWorld(t *testing.T, db *sqlstore.DB) *sealedWorld {
	t.Helper()
	ctx := context.Background()
	w := &sealedWorld{crossingFixture: newCrossing(t, db, 3, true)}
	w.prisoner, w.civilian = w.held["RU"][0], w.held["RU"][1]
	iv := interview(db, w.prisoner, exchange.RefusesReturn)
	iv.Notes, iv.Reason, iv.Interviewer, iv.Place = sealedNotes, sealedOutcome, sealedInterviewer, sealedPlace
	iv.Withhold, iv.WithholdReason = true, sealedWithhold
	if _, err := db.RecordInterview(ctx, w.scopes["op"], w.ex, iv); err != nil {
		t.Fatal(err)
	}
	reg := w.scopes["ru-reg"]
	cur, err := db.Record(ctx, reg, w.civilian)
	if err != nil {
		t.Fatal(err)
	}
	f := cur.Fields
	f.Category, f.Status = person.Civilian, person.StatusDetainedCivilian
	f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = true, person.WithholdCivilian, sealedBureau
	if _, err := db.CorrectRecord(ctx, reg, w.civilian, cur.Version, f, "civilian, withheld"); err != nil {
		t.Fatal(err)
	}
	sought := held("Сусіденко")
	sought.Kind, sought.Status, sought.Category = person.Sought, person.StatusMissing, person.Civilian
	sought.Detrimental, sought.DetrimentalBasis, sought.DetrimentalReason = true, person.WithholdCivilian, sealedErased
	r, err := db.CreateRecord(ctx, w.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: sought})
	if err != nil {
		t.Fatal(err)
	}
	w.erased = r.ID
	if _, err := db.EraseRecord(ctx, w.scopes["ua-appr"], w.erased, "DP-7"); err != nil {
		t.Fatal(err)
	}
	return w
}

// sealedInClear returns the first of sealedNeedles in any table of the
// database, with the table ("" when none is).
func sealedInClear(t *testing.T, db *sqlstore.DB) (table, needle string) {
	t.Helper()
	dump, err := db.DumpAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dump["interviews"]) == 0 || len(dump["record_versions"]) == 0 {
		t.Fatalf("the dump lacks the interviews or the record versions: %d tables", len(dump))
	}
	for table, b := range dump {
		for _, n := range sealedNeedles {
			if bytes.Contains(b, []byte(n)) {
				return table, n
			}
		}
	}
	return "", ""
}

// check reads the sealed words back through the store as their readers
// do, with db's keys, and runs the audit.
func (w *sealedWorld) check(t *testing.T, db *sqlstore.DB, when string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []struct {
		who, id, reason string
	}{
		// The holding bureau reads its records' reasons; the mediator's
		// operator and the auditor read them as before they were sealed.
		{"ru-reg", w.prisoner, sealedWithhold}, {"ru-reg", w.civilian, sealedBureau},
		{"op", w.prisoner, sealedWithhold}, {"op", w.civilian, sealedBureau}, {"aud", w.civilian, sealedBureau},
	} {
		r, err := db.Record(ctx, w.scopes[c.who], c.id)
		if err != nil {
			t.Fatalf("%s: %s reads %s: %v", when, c.who, c.id, err)
		}
		if r.DetrimentalReason != c.reason || !r.Detrimental {
			t.Errorf("%s: %s reads the withhold reason of %s as %q, want %q", when, c.who, c.id, r.DetrimentalReason, c.reason)
		}
	}
	hist, err := db.RecordHistory(ctx, w.scopes["ru-reg"], w.civilian)
	if err != nil || len(hist) != 2 || hist[1].DetrimentalReason != sealedBureau || hist[0].DetrimentalReason != "" {
		t.Errorf("%s: the civilian's history: %d versions, %v", when, len(hist), err)
	}
	es, err := db.Interviews(ctx, w.scopes["op"], w.ex)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		if e.RecordID != w.prisoner {
			continue
		}
		found = true
		if len(e.Interviews) != 1 {
			t.Fatalf("%s: the operator reads %d interviews of the prisoner", when, len(e.Interviews))
		}
		iv := e.Interviews[0]
		if iv.Notes != sealedNotes || iv.Reason != sealedOutcome || iv.Interviewer != sealedInterviewer || iv.Place != sealedPlace ||
			!iv.Withhold || iv.WithholdReason != sealedWithhold || iv.Outcome != exchange.RefusesReturn || iv.Organisation != "ICRC" {
			t.Errorf("%s: the operator reads the interview as %+v", when, iv)
		}
	}
	if !found {
		t.Errorf("%s: the operator finds no interview of the prisoner", when)
	}
	// The holding party sees the outcome, who verified it and when.
	es, err = db.Interviews(ctx, w.scopes["ru-reg"], w.ex)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.RecordID == w.prisoner && (e.Latest == nil || e.Latest.Outcome != exchange.RefusesReturn || e.Latest.Organisation != "ICRC" || len(e.Interviews) != 0) {
			t.Errorf("%s: RU sees the interview as %+v", when, e)
		}
	}
	res, err := db.AuditLog(ctx, w.logKeys)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Warnings) > 0 {
		t.Errorf("%s: the audit:\n%s", when, res.Summary())
	}
}

// TestSealedNotesAndWithholdReason: the neutral's interview notes (and
// every word of the interview but its outcome and who verified it) and a
// record's withhold reason are sealed at rest with the data key: after an
// interview of a prisoner who asks to be withheld, a civilian withheld by
// the bureau and one erased, no table of the database holds their words
// in clear; they read back through the store to whoever read them
// before; the audit passes; a rotation of the data key seals them again
// (the new key alone opens them); the erasure left nothing of the erased
// person's reason.
func TestSealedNotesAndWithholdReason(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			w := newSealedWorld(t, db)
			if table, n := sealedInClear(t, db); n != "" {
				t.Errorf("table %s holds %q in clear", table, n)
			}
			w.check(t, db, "sealed")

			if err := db.StartSealRotation(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Reseal(ctx, 2, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FinishSealRotation(ctx); err != nil {
				t.Fatal(err)
			}
			c, err := db.SealedCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if nid := sqlstore.KeyID(newKey); len(c) != 1 || c[nid] == 0 {
				t.Fatalf("sealed values after the rotation: %v, want all under %s", c, nid)
			}
			only, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: newKey})
			if err != nil {
				t.Fatal(err)
			}
			defer only.Close()
			w.check(t, only, "after the rotation, with the new key alone")
		})
	}
}

// TestSealsWhatWasWrittenInClear: a database whose interviews and
// withhold reasons were written in clear, as before migration 0030, has
// them sealed when it is next opened: nothing in clear remains, they read
// back, the log's commitments to them still hold (the audit passes), and
// the tamper guards let nothing else change.
func TestSealsWhatWasWrittenInClear(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			old, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			// A database of 0030 to 0032, written by a version before 0030.
			if err := old.DropClearGuards(ctx); err != nil {
				t.Fatal(err)
			}
			old.WriteInClearAsBefore0030()
			w := newSealedWorld(t, old)
			if _, n := sealedInClear(t, old); n == "" {
				t.Fatalf("the database written as before 0030 holds none of the words in clear: the test writes nothing to seal")
			}
			// The guards let the reason leave the body and the interview be
			// sealed, and nothing more change with them.
			for _, q := range []string{
				`UPDATE record_versions SET body = '{"detrimental":true}', sealed = ? WHERE version = 2 AND record_seq = ` + seqOf(w.civilian),
				`UPDATE interviews SET outcome = 'wishes_return', sealed = ?`,
			} {
				if err := old.RawExec(ctx, q, []byte{1}); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v, want refused as append-only", q, err)
				}
			}
			// As a database migrated to 0030 and never opened since.
			if err := old.RawExec(ctx, `DELETE FROM sealed_at_rest`); err != nil {
				t.Fatal(err)
			}
			old.Close()

			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if table, n := sealedInClear(t, db); n != "" {
				t.Errorf("after the upgrade, table %s holds %q in clear", table, n)
			}
			if dialect == "sqlite" {
				// Nor do the files: the old rows' bytes were zeroed.
				for _, p := range []string{dsn, dsn + "-wal"} {
					b, err := os.ReadFile(p)
					if err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					for _, n := range sealedNeedles {
						if bytes.Contains(b, []byte(n)) {
							t.Errorf("after the upgrade, the file %s holds %q", filepath.Base(p), n)
						}
					}
				}
			}
			w.check(t, db, "after the upgrade")
			if err := db.RawExec(ctx, `UPDATE interviews SET body = '{}'`); err == nil {
				t.Errorf("the guard of interviews let a sealed interview's body change")
			}
			if err := db.RawExec(ctx, `UPDATE record_versions SET body = '{}' WHERE record_seq = `+seqOf(w.civilian)); err == nil {
				t.Errorf("the guard of record_versions let a body change")
			}
			// Opened again: nothing left to do, nothing changes.
			again, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			w.check(t, again, "opened again")
		})
	}
}
