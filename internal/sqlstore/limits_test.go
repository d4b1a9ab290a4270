package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

var testLimits = sqlstore.LoginLimits{Window: 15 * time.Minute, AccountWindow: time.Hour, PerPair: 5, PerAddr: 20, PerAccount: 50,
	KnownFor: 30 * 24 * time.Hour, KnownMax: 8}

// TestLoginLimitsForget: the counts follow the guesses of the last window
// only: after it, a thousand old failures are swept by the next attempt,
// and the known addresses of an account are at most KnownMax, the newest.
func TestLoginLimitsForget(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)
		for i := range 200 {
			if _, _, err := db.ReserveLogin(ctx, testLimits, fmt.Sprintf("user-%d", i), fmt.Sprintf("10.2.%d.%d", i/250, i%250), now); err != nil {
				t.Fatal(err)
			}
		}
		for i := range testLimits.KnownMax + 3 {
			addr := fmt.Sprintf("192.0.2.%d", i)
			id, _, err := db.ReserveLogin(ctx, testLimits, "aud", addr, now.Add(time.Duration(i)*time.Second))
			if err != nil || id == 0 {
				t.Fatalf("reserve from %s: %d %v", addr, id, err)
			}
			if err := db.SettleLogin(ctx, testLimits, id, "aud", addr, true, now.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.CountRows(ctx, "login_known"); err != nil || n != int64(testLimits.KnownMax) {
			t.Errorf("%d known addresses (%v), want %d", n, err, testLimits.KnownMax)
		}
		later := now.Add(testLimits.AccountWindow + 2*time.Minute)
		if _, _, err := db.ReserveLogin(ctx, testLimits, "aud", "198.51.100.7", later); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountRows(ctx, "login_attempts"); err != nil || n != 1 {
			t.Errorf("%d attempts held after the window (%v), want the last one", n, err)
		}
	})
}
