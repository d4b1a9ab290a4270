package web

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// fakeClock is a settable clock for the limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// try reserves an attempt; an error of the database fails the test.
func try(t testing.TB, l *loginLimiter, login, addr string) (*loginAttempt, time.Duration) {
	t.Helper()
	a, wait, err := l.reserve(context.Background(), login, addr)
	if err != nil {
		t.Fatalf("reserve %s from %s: %v", login, addr, err)
	}
	return a, wait
}

// guess makes one attempt that fails, and says whether it was let through.
func guess(t testing.TB, l *loginLimiter, login, addr string) bool {
	t.Helper()
	a, _ := try(t, l, login, addr)
	if a == nil {
		return false
	}
	a.fail()
	return true
}

// eachLimiter runs fn with a limiter on a fresh database of each dialect
// and a fake clock.
func eachLimiter(t *testing.T, fn func(t *testing.T, l *loginLimiter, clk *fakeClock)) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
		fn(t, newLoginLimiter(db, clk.now), clk)
	})
}

// TestLimiterReservesBeforeTheCheck: 30 guesses at once from one address
// at one account: exactly the limit gets through to the password check,
// however the goroutines interleave, because an attempt is counted when it
// starts, not when it has failed.
func TestLimiterReservesBeforeTheCheck(t *testing.T) {
	eachLimiter(t, func(t *testing.T, l *loginLimiter, clk *fakeClock) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		held := make(chan *loginAttempt, 30)
		for range 30 {
			wg.Go(func() {
				<-start
				if a, _, err := l.reserve(context.Background(), "ua-appr", "198.51.100.7"); err != nil {
					t.Error(err)
				} else if a != nil {
					held <- a // still checking the password
				}
			})
		}
		close(start)
		wg.Wait()
		close(held)
		if n := len(held); n != l.lim.PerPair {
			t.Fatalf("%d of 30 parallel attempts reached the password check, want %d", n, l.lim.PerPair)
		}
		for a := range held {
			a.fail()
		}
		if guess(t, l, "ua-appr", "198.51.100.7") {
			t.Fatal("a guess after the limit got through")
		}
	})
}

// TestLimiterReleasesWhatWasNotAGuess: an attempt that ended without a
// verdict (a server error) or with the right password does not count.
func TestLimiterReleasesWhatWasNotAGuess(t *testing.T) {
	eachLimiter(t, func(t *testing.T, l *loginLimiter, clk *fakeClock) {
		for range 3 * l.lim.PerPair {
			a, _ := try(t, l, "aud", "198.51.100.7")
			if a == nil {
				t.Fatal("an attempt that was not a failure was counted")
			}
			a.release() // no verdict
		}
		for range l.lim.PerPair - 1 {
			guess(t, l, "aud", "198.51.100.7")
		}
		a, _ := try(t, l, "aud", "198.51.100.7")
		a.succeed()
		a.release() // after a verdict, release does nothing
		for i := range l.lim.PerPair {
			if !guess(t, l, "aud", "198.51.100.7") {
				t.Fatalf("guess %d after a successful login was refused: the success did not clear the pair's failures", i+1)
			}
		}
		if guess(t, l, "aud", "198.51.100.7") {
			t.Fatal("a guess beyond the limit got through")
		}
	})
}

// TestLimiterLockoutIsNoWeapon: guessing at an account from one address
// locks out that address, not the account's owner elsewhere; guessing from
// many addresses meets the gentler per-account limit, which the owner's
// known address does not; guessing at many accounts from one address
// meets the per-address limit. Each lifts when its window has passed.
func TestLimiterLockoutIsNoWeapon(t *testing.T) {
	eachLimiter(t, func(t *testing.T, l *loginLimiter, clk *fakeClock) {
		const owner, attacker = "203.0.113.10", "198.51.100.7"

		// The owner has logged in before from their address.
		a, _ := try(t, l, "ua-appr", owner)
		a.succeed()

		for range l.lim.PerPair {
			guess(t, l, "ua-appr", attacker)
		}
		if guess(t, l, "ua-appr", attacker) {
			t.Fatal("the attacker's address was not held back")
		}
		if a, _ := try(t, l, "ua-appr", owner); a == nil {
			t.Fatal("guesses from another address locked the owner out")
		} else {
			a.release()
		}
		if a, _ := try(t, l, "ua-appr", "192.0.2.99"); a == nil {
			t.Fatal("one address's guesses locked the account for every new address")
		} else {
			a.release()
		}

		// Spread over many addresses, the account's own limit holds.
		for i := 0; ; i++ {
			if i > 10*l.lim.PerAccount {
				t.Fatal("no per-account limit")
			}
			if !guess(t, l, "ua-appr", fmt.Sprintf("10.1.%d.%d", i/250, i%250)) {
				break
			}
		}
		if a, wait := try(t, l, "ua-appr", "192.0.2.99"); a != nil || wait <= 0 {
			t.Fatal("a new address was let through past the per-account limit")
		}
		if a, _ := try(t, l, "ua-appr", owner); a == nil {
			t.Fatal("the per-account limit locked out the address the owner logs in from")
		} else {
			a.release()
		}

		// One address guessing at many accounts meets the per-address limit.
		for i := 0; ; i++ {
			if i > 10*l.lim.PerAddr {
				t.Fatal("no per-address limit")
			}
			if !guess(t, l, fmt.Sprintf("user-%d", i), "198.51.100.200") {
				if i != l.lim.PerAddr {
					t.Fatalf("the per-address limit held after %d guesses, want %d", i, l.lim.PerAddr)
				}
				break
			}
		}

		// Every limit lifts once its window has passed.
		clk.add(l.lim.AccountWindow + time.Second)
		for _, tc := range []struct{ login, addr string }{{"ua-appr", attacker}, {"ua-appr", "192.0.2.99"}, {"user-0", "198.51.100.200"}} {
			if a, _ := try(t, l, tc.login, tc.addr); a == nil {
				t.Errorf("%s from %s still refused after the window", tc.login, tc.addr)
			} else {
				a.release()
			}
		}
	})
}

// TestLimiterAcrossServers: two server processes on one database count
// the same guesses. Guesses sent to both at once meet the pair's limit
// once over the two, and a guess after it is refused by either.
func TestLimiterAcrossServers(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
		ls := []*loginLimiter{newLoginLimiter(a, clk.now), newLoginLimiter(b, clk.now)}
		var wg sync.WaitGroup
		var mu sync.Mutex
		through := 0
		for i := range 20 {
			wg.Go(func() {
				at, _, err := ls[i%2].reserve(context.Background(), "ua-appr", "198.51.100.7")
				if err != nil {
					t.Error(err)
					return
				}
				if at != nil {
					at.fail()
					mu.Lock()
					through++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if through != ls[0].lim.PerPair {
			t.Fatalf("%d of 20 guesses sent to two servers reached the password check, want %d", through, ls[0].lim.PerPair)
		}
		for i, l := range ls {
			if guess(t, l, "ua-appr", "198.51.100.7") {
				t.Errorf("server %d let a guess through past the limit the two counted", i+1)
			}
		}
		// A success through one server clears the pair on both.
		clk.add(ls[0].lim.Window + time.Second)
		at, _ := try(t, ls[0], "ua-appr", "198.51.100.7")
		if at == nil {
			t.Fatal("refused after the window")
		}
		at.succeed()
		if !guess(t, ls[1], "ua-appr", "198.51.100.7") {
			t.Error("the other server still refused after a success")
		}
	})
}
