package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// TestRetention: once every stage of the exchange is closed and the
// period has passed, a retention run erases the party's records that are
// named in nothing signed, of the sought register (a held record is never
// erased, whatever its status) and not flagged now (a record whose flags
// were cleared is erased, its flags rows blanked), as "system" with the
// rule as the reason; a dry run only lists them; before the period
// nothing is due; the audit passes afterwards.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 2, true)
		reg := f.scopes["ua-reg"]
		mk := func(fl person.Fields) string {
			t.Helper()
			r, err := db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "UA", Fields: fl})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		due := mk(soughtFields("Ретенченко"))
		pow := held("Полоненко")
		pow.Status = person.StatusPOW
		kept := mk(pow)
		noStatus := mk(held("Безстатусенко"))
		dead := mk(pow)
		pow.Status = person.StatusDeceased
		if _, err := db.CorrectRecord(ctx, reg, dead, 1, pow, "typo"); err != nil {
			t.Fatal(err)
		}
		sought := held("Шуканенко")
		sought.Kind, sought.Status = person.Sought, person.StatusMissing
		flagged := mk(sought)
		if _, err := db.SetPriority(ctx, reg, flagged, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}}); err != nil {
			t.Fatal(err)
		}
		sought.Surname = "Знятенко"
		cleared := mk(sought)
		for _, fl := range []backlog.Flags{{Marks: []backlog.Mark{backlog.Woman}, Group: "група Знятенка"}, {}} {
			if _, err := db.SetPriority(ctx, reg, cleared, fl); err != nil {
				t.Fatal(err)
			}
		}
		withEvidence := mk(soughtFields("Свідченко"))
		if err := db.SetEvidence(ctx, reg, withEvidence, exchange.Evidence{Blocker: exchange.PendingProsecution}); err != nil {
			t.Fatal(err)
		}
		requested := mk(soughtFields("Запитаний"))
		if _, err := db.SubmitList(ctx, reg, f.ex, exchange.Request, []exchange.Item{{RecordID: requested, Category: person.Military}}, nil, "our people"); err != nil {
			t.Fatal(err)
		}
		rule := sqlstore.RetentionRule{After: 90 * 24 * time.Hour}

		// The stage is open: nothing is due, whenever.
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(100 * 24 * time.Hour)
		rep, err := db.ApplyRetention(ctx, rule, later, true)
		if err != nil || len(rep.Parties) != 0 || len(rep.Items) != 0 {
			t.Fatalf("with a stage open: %+v %v", rep, err)
		}
		res, err := db.RecordEvents(ctx, f.scopes["op"], f.ex, 1, []crossing.Event{{ID: "c", Type: crossing.StageClosing}, {ID: "d", Type: crossing.StageClosed, Reason: "nobody came"}})
		if err != nil || res.Results[1].Status != "applied" {
			t.Fatalf("closing the stage: %+v %v", res, err)
		}
		// Closed, but not 90 days ago.
		if rep, err := db.ApplyRetention(ctx, rule, time.Now().Add(24*time.Hour), true); err != nil || len(rep.Parties) != 0 {
			t.Fatalf("a day after closing: %+v %v", rep, err)
		}
		if _, err := db.ApplyRetention(ctx, sqlstore.RetentionRule{}, later, true); !errs.Is(errs.Invalid, err) {
			t.Fatalf("no period: %v, want Invalid", err)
		}

		check := func(rep sqlstore.RetentionReport, erased bool) {
			t.Helper()
			got := map[string]sqlstore.RetentionItem{}
			for _, it := range rep.Items {
				got[it.Record] = it
			}
			for _, id := range []string{due, cleared} {
				if it := got[id]; !it.Due || it.Erased != erased {
					t.Errorf("record %s: %+v, want due (erased %v)", id, it, erased)
				}
			}
			for id, why := range map[string]string{kept: "held", noStatus: "held", dead: "held", flagged: "flagged", withEvidence: "erase_in_evidence", requested: "erase_in_list", f.held["UA"][0]: "held"} {
				if it := got[id]; it.Due || it.Kept != why {
					t.Errorf("record %s: %+v, want kept as %s", id, it, why)
				}
			}
		}
		rep, err = db.ApplyRetention(ctx, rule, later, true)
		if err != nil {
			t.Fatal(err)
		}
		check(rep, false)
		if r, err := db.Record(ctx, reg, due); err != nil || r.Erased != nil {
			t.Fatalf("a dry run erased: %+v %v", r.Erased, err)
		}
		rep, err = db.ApplyRetention(ctx, rule, later, false)
		if err != nil {
			t.Fatal(err)
		}
		check(rep, true)
		r, err := db.Record(ctx, reg, due)
		if err != nil || r.Erased == nil || r.Erased.By != sqlstore.SystemLogin || r.Erased.Reason != rule.Reason() || r.Surname != "" {
			t.Fatalf("the record the rule erased: %+v %v", r.Erased, err)
		}
		if rows, err := db.RawFlags(ctx, cleared); err != nil || len(rows) != 2 || rows[0].Body != "{}" || rows[1].Body != "{}" {
			t.Fatalf("the flags of the record whose flags were cleared, after the run: %+v %v", rows, err)
		}
		if rep, err := db.ApplyRetention(ctx, rule, later, false); err != nil || rep.Due() != 0 {
			t.Fatalf("a second run: %d due, %v", rep.Due(), err)
		}
		audit, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if erased := slices.Sorted(slices.Values(audit.Erased)); !audit.OK() || !slices.Equal(erased, slices.Sorted(slices.Values([]string{due, cleared}))) {
			t.Fatalf("the audit after the retention run (erased %v):\n%s", audit.Erased, audit.Summary())
		}
	})
}

// BenchmarkRetention erases 2,000 sought records of a party whose only
// exchange closed long ago: a retention run (one transaction an erasure,
// the freed space given back once at the end), and the same records erased
// one by one as EraseRecordAsSystem does (each erasure giving the space
// back: a checkpoint or a vacuum per record). It prints the run's time and
// records erased a second.
//
//	go test -run '^$' -bench Retention -benchtime 1x ./internal/sqlstore
func BenchmarkRetention(b *testing.B) {
	const n = 2_000
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		for _, how := range []string{"run", "each"} {
			b.Run(dialect+"/"+how, func(b *testing.B) {
				var took time.Duration
				for b.Loop() {
					b.StopTimer()
					db := sqltest.Open(b, dialect)
					f := newCrossing(b, db, 1, true)
					recs := make([]sqlstore.NewRecord, 0, n)
					for _, fl := range synth.New(synth.Config{Seed: 1, Ref: time.Now()}).Records("UA", person.Sought, n) {
						recs = append(recs, sqlstore.NewRecord{Party: "UA", Fields: fl, Source: "benchmark"})
					}
					got, err := db.CreateRecords(ctx, f.scopes["ua-reg"], recs)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
						b.Fatal(err)
					}
					if _, err := db.RecordEvents(ctx, f.scopes["op"], f.ex, 1, []crossing.Event{{ID: "c", Type: crossing.StageClosing}, {ID: "d", Type: crossing.StageClosed, Reason: "done"}}); err != nil {
						b.Fatal(err)
					}
					rule := sqlstore.RetentionRule{After: 90 * 24 * time.Hour}
					later := time.Now().Add(100 * 24 * time.Hour)
					b.StartTimer()
					start := time.Now()
					erased := 0
					if how == "run" {
						rep, err := db.ApplyRetention(ctx, rule, later, false)
						if err != nil {
							b.Fatal(err)
						}
						for _, it := range rep.Items {
							if it.Erased {
								erased++
							}
						}
					} else {
						for _, r := range got {
							if _, err := db.EraseRecordAsSystem(ctx, r.ID, rule.Reason()); err != nil {
								b.Fatal(err)
							}
							erased++
						}
					}
					took += time.Since(start)
					if erased != n {
						b.Fatalf("%d records erased, want %d", erased, n)
					}
				}
				b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/run")
				b.ReportMetric(float64(n*b.N)/took.Seconds(), "records/s")
			})
		}
	}
}
