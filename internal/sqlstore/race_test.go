package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// race runs do on both stores at once, rounds times, each round from a
// common start, and checks that exactly one call of each round wins and
// the other gets a Conflict.
func race(t *testing.T, rounds int, a, b *sqlstore.DB, do func(db *sqlstore.DB, round, who int) error) {
	t.Helper()
	for r := range rounds {
		var start, done sync.WaitGroup
		start.Add(1)
		var errsOf [2]error
		for i, db := range []*sqlstore.DB{a, b} {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				errsOf[i] = do(db, r, i)
			}()
		}
		start.Done()
		done.Wait()
		won, lost := 0, 0
		for _, err := range errsOf {
			switch {
			case err == nil:
				won++
			case errs.Is(errs.Conflict, err):
				lost++
			default:
				t.Fatalf("round %d: %v", r, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won and %d got a Conflict (%v), want exactly one of each", r, won, lost, errsOf)
		}
	}
}

// TestRecordRemainsRace: two server processes record the same batch id
// with different content at the same moment. Exactly one is stored; the
// other is a Conflict, and the stored flow still replays.
func TestRecordRemainsRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		op := f.scopes["op"]
		race(t, 8, a, b, func(db *sqlstore.DB, round, who int) error {
			batch := crossing.Batch{ID: fmt.Sprintf("b%d", round), Sender: "RU", Receiver: "UA", At: at0, Declared: 10 + who}
			_, err := db.RecordRemains(ctx, op, f.ex, sqlstore.RemainsInput{Kind: "batch", Batch: &batch})
			return err
		})
		v, err := a.Remains(ctx, f.scopes["aud"], f.ex)
		if err != nil {
			t.Fatalf("the stored remains do not read back: %v", err)
		}
		if len(v.Summary) == 0 {
			t.Errorf("no batches in the summary: %+v", v)
		}
	})
}
