package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

var testLimits = sqlstore.LoginLimits{Window: 15 * time.Minute, AccountWindow: time.Hour, PerPair: 5, PerPairAll: 20, PerAddr: 20, PerAccount: 50,
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

// TestLoginLimitsSharedAddress: behind a reverse proxy that does not pass
// the client's address on (serve without --trusted-proxy), every attempt
// comes from the proxy's. Twenty wrong passwords there for made-up logins
// fill the address's limit for logins not known at it, and nothing more:
// an officer who logged in from it before still logs in, while guesses at
// his account from it still meet the pair's limit, as before. An officer's
// own failures at an account known there do not fill the address's limit.
func TestLoginLimitsSharedAddress(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const proxy = "127.0.0.1"
		now := time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)
		reserve := func(login string, at time.Time) (int64, time.Duration) {
			t.Helper()
			id, wait, err := db.ReserveLogin(ctx, testLimits, login, proxy, at)
			if err != nil {
				t.Fatalf("reserve %s: %v", login, err)
			}
			return id, wait
		}
		// The officers logged in through the proxy yesterday.
		for _, login := range []string{"ua-officer", "ru-officer"} {
			id, _ := reserve(login, now.Add(-24*time.Hour))
			if err := db.SettleLogin(ctx, testLimits, id, login, proxy, true, now.Add(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		// RU's officer mistypes his password four times: his own failures
		// at an account known at the address.
		for range testLimits.PerPair - 1 {
			if id, wait := reserve("ru-officer", now); id == 0 {
				t.Fatalf("ru-officer's own retry refused for %v", wait)
			}
		}
		for i := range testLimits.PerAddr {
			if id, wait := reserve(fmt.Sprintf("nobody-%d", i), now); id == 0 {
				t.Fatalf("guess %d at a made-up login refused for %v: the officer's mistakes filled the address's limit", i+1, wait)
			}
		}
		if id, wait := reserve("nobody-else", now); id != 0 || wait <= 0 {
			t.Errorf("a made-up login after %d guesses at others: let through, want held back", testLimits.PerAddr)
		}
		if id, wait := reserve("ua-registrar", now); id != 0 || wait <= 0 {
			t.Errorf("an account never logged in from the address: let through, want held back by the address's limit")
		}
		// The officer, at the address he logs in from, is let through, but
		// his account's guesses there stop at the pair's limit.
		for i := range testLimits.PerPair {
			if id, wait := reserve("ua-officer", now.Add(time.Second)); id == 0 {
				t.Fatalf("ua-officer's attempt %d at the address he logs in from held back for %v after guesses at other logins", i+1, wait)
			}
		}
		if id, _ := reserve("ua-officer", now.Add(time.Second)); id != 0 {
			t.Errorf("attempt %d at a known account from one address let through: more guesses than the pair's limit", testLimits.PerPair+1)
		}
	})
}
