package web

import (
	"sync"
	"time"

	"github.com/handover-project/handover/internal/web/httpx"
)

// loginLimiter bounds the guessing of passwords and second-factor codes,
// without giving a guesser a way to lock others out.
//
// An attempt is reserved before the secret is checked, in the same step
// as the limits are checked (reserve), and counts as a failure while the
// check runs: thirty guesses sent at once meet the limit as they start,
// not after they have failed. The check's verdict then settles it: a
// failure stays counted (fail), a success or an attempt that ended
// without a verdict (a server error) is taken back (succeed, release).
//
// Three limits, each over a sliding window (the numbers are in
// docs/design/security.md, "Guessing and lockout"):
//   - per account and address (perPair in window): one place guessing at
//     one account is held back; the account's owner, elsewhere, is not;
//   - per address (perAddr in window): one place guessing at many
//     accounts is held back;
//   - per account (perAccount in accountWindow), gentler: many places
//     guessing at one account are held back, except from the addresses
//     the account has logged in from within knownFor, so that a guesser
//     with many addresses still cannot lock the owner out.
//
// The limiter lives in memory: a restart forgets it (and the known
// addresses), and several servers behind one database each count alone.
type loginLimiter struct {
	mu            sync.Mutex
	now           func() time.Time
	window        time.Duration // of the per-pair and per-address limits
	accountWindow time.Duration
	perPair       int
	perAddr       int
	perAccount    int
	knownFor      time.Duration
	knownMax      int // addresses remembered per account
	// counts holds, per key, the start times of the failures and of the
	// attempts under way in the key's window, oldest first.
	counts    map[string][]time.Time
	known     map[string]map[string]time.Time // login → address → last success
	lastSweep time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, window: 15 * time.Minute, accountWindow: time.Hour, perPair: 5, perAddr: 20, perAccount: 50,
		knownFor: 30 * 24 * time.Hour, knownMax: 8, counts: map[string][]time.Time{}, known: map[string]map[string]time.Time{}}
}

// The keys of counts, by limit.
func pairKey(login, addr string) string { return "p:" + login + "\x00" + addr }
func addrKey(addr string) string        { return "a:" + addr }
func accountKey(login string) string    { return "l:" + login }

func (l *loginLimiter) windowOf(key string) time.Duration {
	if key[0] == 'l' {
		return l.accountWindow
	}
	return l.window
}

// loginAttempt is a reserved attempt. Exactly one of fail, succeed or
// release settles it; later calls do nothing, so a handler may defer
// release and settle it earlier.
type loginAttempt struct {
	l           *loginLimiter
	login, addr string
	at          time.Time
	settled     bool
}

// reserve checks the limits for an attempt at login from addr and, if
// they allow it, counts it at once and returns it. Otherwise it returns
// nil and how long until an attempt may be made.
func (l *loginLimiter) reserve(login, addr string) (*loginAttempt, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	type limit struct {
		key string
		max int
	}
	limits := []limit{{pairKey(login, addr), l.perPair}, {addrKey(addr), l.perAddr}}
	if _, ok := l.known[login][addr]; !ok {
		limits = append(limits, limit{accountKey(login), l.perAccount})
	}
	var wait time.Duration
	for _, lim := range limits {
		if ts := l.recent(lim.key, now); len(ts) >= lim.max {
			// Allowed again when all but max-1 of them have left the window.
			wait = max(wait, ts[len(ts)-lim.max].Add(l.windowOf(lim.key)).Sub(now))
		}
	}
	if wait > 0 {
		return nil, wait
	}
	for _, k := range []string{pairKey(login, addr), addrKey(addr), accountKey(login)} {
		l.counts[k] = append(l.counts[k], now)
	}
	return &loginAttempt{l: l, login: login, addr: addr, at: now}, 0
}

// fail settles the attempt as a failure: it stays counted.
func (a *loginAttempt) fail() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	a.settled = true
}

// succeed settles the attempt as a success: it is taken back, the
// failures of this account from this address are forgotten (not the
// address's, nor the account's from elsewhere), and the address becomes
// one the account is known to log in from.
func (a *loginAttempt) succeed() {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.settled {
		return
	}
	a.settled = true
	a.takeBack()
	delete(l.counts, pairKey(a.login, a.addr))
	m := l.known[a.login]
	if m == nil {
		m = map[string]time.Time{}
		l.known[a.login] = m
	}
	m[a.addr] = l.now()
	for len(m) > l.knownMax {
		oldest, first := "", time.Time{}
		for addr, t := range m {
			if oldest == "" || t.Before(first) {
				oldest, first = addr, t
			}
		}
		delete(m, oldest)
	}
}

// release takes back an attempt that was not settled: the check ended
// without a verdict on the secret.
func (a *loginAttempt) release() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	if a.settled {
		return
	}
	a.settled = true
	a.takeBack()
}

// takeBack removes the attempt's reservation from its keys; l.mu is held.
func (a *loginAttempt) takeBack() {
	for _, k := range []string{pairKey(a.login, a.addr), addrKey(a.addr), accountKey(a.login)} {
		ts := a.l.counts[k]
		for i, t := range ts {
			if t.Equal(a.at) {
				ts = append(ts[:i], ts[i+1:]...)
				break
			}
		}
		if len(ts) == 0 {
			delete(a.l.counts, k)
		} else {
			a.l.counts[k] = ts
		}
	}
}

// recent drops the times of key that have left its window and returns
// the rest; l.mu is held.
func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.counts[key]
	w := l.windowOf(key)
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= w {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.counts, key)
		return nil
	}
	l.counts[key] = ts
	return ts
}

// sweep drops stale keys and known addresses now and then, so that the
// maps hold only the last window's guesses; l.mu is held.
func (l *loginLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k := range l.counts {
		l.recent(k, now)
	}
	for login, m := range l.known {
		for addr, t := range m {
			if now.Sub(t) >= l.knownFor {
				delete(m, addr)
			}
		}
		if len(m) == 0 {
			delete(l.known, login)
		}
	}
}

// limiter is the login limiter as the handlers see it (httpx.Limiter).
type limiter struct{ l *loginLimiter }

func (l limiter) Reserve(login, addr string) (httpx.Attempt, time.Duration) {
	a, wait := l.l.reserve(login, addr)
	if a == nil {
		return nil, wait
	}
	return attempt{a}, wait
}

type attempt struct{ a *loginAttempt }

func (a attempt) Fail()    { a.a.fail() }
func (a attempt) Succeed() { a.a.succeed() }
func (a attempt) Release() { a.a.release() }
