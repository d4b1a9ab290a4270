package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestLoginLimitsOwnerDoesNotResetGuesser: at an address shared with
// the victim (a NAT, or a proxy without --trusted-proxy: the case the
// change is for), the pair's limit is now the only limit on guesses at an
// account known there. Each success of the owner from that address
// forgets the pair's failures (pair_forgotten), the guesser's with them;
// before, the per-address limit still counted those guesses and stopped
// them at PerAddr a window whatever the owner did. An owner that logs in
// often (an automation account, several devices) gives the guesser
// PerPair fresh guesses each time.
func TestLoginLimitsOwnerDoesNotResetGuesser(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const nat = "198.51.100.1"
		now := time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)
		id, _, err := db.ReserveLogin(ctx, testLimits, "victim", nat, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SettleLogin(ctx, testLimits, id, "victim", nat, true, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		guesses := 0
		for round := range 10 {
			at := now.Add(time.Duration(round) * time.Second)
			for range testLimits.PerPair - 1 { // a slot left, or the owner is held back too
				id, _, err := db.ReserveLogin(ctx, testLimits, "victim", nat, at)
				if err != nil {
					t.Fatal(err)
				}
				if id == 0 {
					break
				}
				guesses++ // a failure: stays counted
			}
			// The owner logs in from the same address.
			id, _, err := db.ReserveLogin(ctx, testLimits, "victim", nat, at)
			if err != nil {
				t.Fatal(err)
			}
			if id == 0 {
				// Held back: the owner too; that is the old behaviour's price.
				continue
			}
			if err := db.SettleLogin(ctx, testLimits, id, "victim", nat, true, at); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%d wrong guesses at one account from one address within 10 seconds (PerPair %d, PerAddr %d)", guesses, testLimits.PerPair, testLimits.PerAddr)
		if guesses > testLimits.PerAddr {
			t.Errorf("%d wrong guesses at one account from one address within one window: more than the per-address limit (%d) that held them before", guesses, testLimits.PerAddr)
		}
	})
}
