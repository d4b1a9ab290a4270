package web

import (
	"fmt"
	"sync"
	"testing"
	"time"
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

// guess makes one attempt that fails, and says whether it was let through.
func guess(l *loginLimiter, login, addr string) bool {
	a, _ := l.reserve(login, addr)
	if a == nil {
		return false
	}
	a.fail()
	return true
}

// TestLimiterReservesBeforeTheCheck: 30 guesses at once from one address
// at one account: exactly the limit gets through to the password check,
// however the goroutines interleave, because an attempt is counted when it
// starts, not when it has failed.
func TestLimiterReservesBeforeTheCheck(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
	l := newLoginLimiter(clk.now)
	var wg sync.WaitGroup
	start := make(chan struct{})
	held := make(chan *loginAttempt, 30)
	for range 30 {
		wg.Go(func() {
			<-start
			if a, _ := l.reserve("ua-appr", "198.51.100.7"); a != nil {
				held <- a // still checking the password
			}
		})
	}
	close(start)
	wg.Wait()
	close(held)
	if n := len(held); n != l.perPair {
		t.Fatalf("%d of 30 parallel attempts reached the password check, want %d", n, l.perPair)
	}
	for a := range held {
		a.fail()
	}
	if guess(l, "ua-appr", "198.51.100.7") {
		t.Fatal("a guess after the limit got through")
	}
}

// TestLimiterReleasesWhatWasNotAGuess: an attempt that ended without a
// verdict (a server error) or with the right password does not count.
func TestLimiterReleasesWhatWasNotAGuess(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
	l := newLoginLimiter(clk.now)
	for range 3 * l.perPair {
		a, _ := l.reserve("aud", "198.51.100.7")
		if a == nil {
			t.Fatal("an attempt that was not a failure was counted")
		}
		a.release() // no verdict
	}
	for range l.perPair - 1 {
		guess(l, "aud", "198.51.100.7")
	}
	a, _ := l.reserve("aud", "198.51.100.7")
	a.succeed()
	a.release() // after a verdict, release does nothing
	for i := range l.perPair {
		if !guess(l, "aud", "198.51.100.7") {
			t.Fatalf("guess %d after a successful login was refused: the success did not clear the pair's failures", i+1)
		}
	}
	if guess(l, "aud", "198.51.100.7") {
		t.Fatal("a guess beyond the limit got through")
	}
}

// TestLimiterLockoutIsNoWeapon: guessing at an account from one address
// locks out that address, not the account's owner elsewhere; guessing from
// many addresses meets the gentler per-account limit, which the owner's
// known address does not; guessing at many accounts from one address
// meets the per-address limit. Each lifts when its window has passed.
func TestLimiterLockoutIsNoWeapon(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
	l := newLoginLimiter(clk.now)
	const owner, attacker = "203.0.113.10", "198.51.100.7"

	// The owner has logged in before from their address.
	a, _ := l.reserve("ua-appr", owner)
	a.succeed()

	for range l.perPair {
		guess(l, "ua-appr", attacker)
	}
	if guess(l, "ua-appr", attacker) {
		t.Fatal("the attacker's address was not held back")
	}
	if a, _ := l.reserve("ua-appr", owner); a == nil {
		t.Fatal("guesses from another address locked the owner out")
	} else {
		a.release()
	}
	if a, _ := l.reserve("ua-appr", "192.0.2.99"); a == nil {
		t.Fatal("one address's guesses locked the account for every new address")
	} else {
		a.release()
	}

	// Spread over many addresses, the account's own limit holds.
	for i := 0; ; i++ {
		if i > 10*l.perAccount {
			t.Fatal("no per-account limit")
		}
		if !guess(l, "ua-appr", fmt.Sprintf("10.1.%d.%d", i/250, i%250)) {
			break
		}
	}
	if a, wait := l.reserve("ua-appr", "192.0.2.99"); a != nil || wait <= 0 {
		t.Fatal("a new address was let through past the per-account limit")
	}
	if a, _ := l.reserve("ua-appr", owner); a == nil {
		t.Fatal("the per-account limit locked out the address the owner logs in from")
	} else {
		a.release()
	}

	// One address guessing at many accounts meets the per-address limit.
	for i := 0; ; i++ {
		if i > 10*l.perAddr {
			t.Fatal("no per-address limit")
		}
		if !guess(l, fmt.Sprintf("user-%d", i), "198.51.100.200") {
			if i != l.perAddr {
				t.Fatalf("the per-address limit held after %d guesses, want %d", i, l.perAddr)
			}
			break
		}
	}

	// Every limit lifts once its window has passed.
	clk.add(l.accountWindow + time.Second)
	for _, tc := range []struct{ login, addr string }{{"ua-appr", attacker}, {"ua-appr", "192.0.2.99"}, {"user-0", "198.51.100.200"}} {
		if a, _ := l.reserve(tc.login, tc.addr); a == nil {
			t.Errorf("%s from %s still refused after the window", tc.login, tc.addr)
		} else {
			a.release()
		}
	}
}

// TestLimiterForgets: old failures and reservations are swept, so the
// limiter's memory follows the guesses of the last window only.
func TestLimiterForgets(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)}
	l := newLoginLimiter(clk.now)
	for i := range 1000 {
		guess(l, fmt.Sprintf("user-%d", i), fmt.Sprintf("10.2.%d.%d", i/250, i%250))
	}
	clk.add(l.accountWindow + 2*time.Minute)
	guess(l, "aud", "198.51.100.7")
	l.mu.Lock()
	n := len(l.counts)
	l.mu.Unlock()
	if n > 3 {
		t.Errorf("%d keys held after the window, want the last guess's 3", n)
	}
}
