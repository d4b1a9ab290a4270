package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestClearWriteAfterSealIsRefused (the second review): sealClear runs
// once, then sealed_at_rest says "done" for ever. A process of a version
// before 0030 still writing to the database after the first upgraded one
// opened it (several servers on one PostgreSQL upgraded one by one, or an
// old command line) would write interviews and withhold reasons in clear
// that no later Open seals. Such writes fail loudly (migration 0033), and
// nothing is left in clear.
func TestClearWriteAfterSealIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			w := &sealedWorld{crossingFixture: newCrossing(t, db, 3, true)}
			w.prisoner, w.civilian = w.held["RU"][0], w.held["RU"][1]

			// The other server, still of the old version.
			old, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			old.WriteInClearAsBefore0030()

			iv := interview(old, w.prisoner, exchange.RefusesReturn)
			iv.Notes, iv.Reason, iv.Interviewer, iv.Place = sealedNotes, sealedOutcome, sealedInterviewer, sealedPlace
			_, err = old.RecordInterview(ctx, w.scopes["op"], w.ex, iv)
			if err == nil || !strings.Contains(err.Error(), "must be written sealed") {
				t.Errorf("an interview written in clear after the seal: %v, want refused (must be written sealed)", err)
			}
			reg := w.scopes["ru-reg"]
			cur, err := old.Record(ctx, reg, w.civilian)
			if err != nil {
				t.Fatal(err)
			}
			f := cur.Fields
			f.Category, f.Status = person.Civilian, person.StatusDetainedCivilian
			f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = true, person.WithholdCivilian, sealedBureau
			_, err = old.CorrectRecord(ctx, reg, w.civilian, cur.Version, f, "civilian, withheld")
			if err == nil || !strings.Contains(err.Error(), "must be written sealed") {
				t.Errorf("a withhold reason written in clear after the seal: %v, want refused (must be written sealed)", err)
			}
			sought := held("Сусіденко")
			sought.Kind, sought.Status, sought.Category = person.Sought, person.StatusMissing, person.Civilian
			sought.Detrimental, sought.DetrimentalBasis, sought.DetrimentalReason = true, person.WithholdCivilian, sealedErased
			_, err = old.CreateRecord(ctx, w.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: sought})
			if err == nil || !strings.Contains(err.Error(), "must be written sealed") {
				t.Errorf("a new record with its withhold reason in clear after the seal: %v, want refused (must be written sealed)", err)
			}

			// The upgraded server writes the same, sealed.
			iv.ID = ""
			if _, err := db.RecordInterview(ctx, w.scopes["op"], w.ex, iv); err != nil {
				t.Errorf("the upgraded server's interview: %v", err)
			}
			if cur, err = db.Record(ctx, reg, w.civilian); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CorrectRecord(ctx, reg, w.civilian, cur.Version, f, "civilian, withheld"); err != nil {
				t.Errorf("the upgraded server's withhold reason: %v", err)
			}
			// Nothing in clear: neither what the old server tried to write
			// nor what the new one wrote.
			if table, n := sealedInClear(t, db); n != "" {
				t.Errorf("table %s holds %q in clear, and no Open will seal it", table, n)
			}
		})
	}
}
