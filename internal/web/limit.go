package web

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
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
// Four limits, each over a sliding window (the numbers are in
// docs/design/security.md, "Guessing and lockout"):
//   - per account and address (perPair in window): one place guessing at
//     one account is held back; the account's owner, elsewhere, is not;
//     the owner's success there forgets the pair's failures for it;
//   - per account and address, all (perPairAll in window): the same
//     failures, forgotten or not, so that an owner logging in often from
//     an address shared with a guesser does not hand the guesser fresh
//     guesses;
//   - per address (perAddr in window): one place guessing at many
//     accounts is held back;
//   - per account (perAccount in accountWindow), gentler: many places
//     guessing at one account are held back.
//
// The last two spare the addresses the account has logged in from within
// knownFor, and the per-address limit counts only the failures at accounts
// not known at the address: a guesser with many addresses cannot lock the
// owner out, nor one who shares the owner's address (every client behind
// a reverse proxy without serve --trusted-proxy), while the pair's limit
// still holds every account's guesses from one address.
//
// The address is the client's as the server found it (httpx.ClientIP;
// clientAddr for a trusted proxy).
//
// The counts live in the database (sqlstore.ReserveLogin), not in the
// process: every server process on one database counts the same guesses,
// and a restart forgets none of them (docs/operations.md, "Several
// servers").
type loginLimiter struct {
	db  *sqlstore.DB
	now func() time.Time
	lim sqlstore.LoginLimits
}

func newLoginLimiter(db *sqlstore.DB, now func() time.Time) *loginLimiter {
	return &loginLimiter{db: db, now: now, lim: sqlstore.LoginLimits{Window: 15 * time.Minute, AccountWindow: time.Hour,
		PerPair: 5, PerPairAll: 20, PerAddr: 20, PerAccount: 50, KnownFor: 30 * 24 * time.Hour, KnownMax: 8}}
}

// loginAttempt is a reserved attempt. Exactly one of fail, succeed or
// release settles it; later calls do nothing, so a handler may defer
// release and settle it earlier.
type loginAttempt struct {
	l           *loginLimiter
	id          int64
	login, addr string
	settled     atomic.Bool
}

// reserve checks the limits for an attempt at login from addr and, if
// they allow it, counts it at once and returns it. Otherwise it returns
// nil and how long until an attempt may be made. An error says that the
// database could not count it: nothing is let through.
func (l *loginLimiter) reserve(ctx context.Context, login, addr string) (*loginAttempt, time.Duration, error) {
	id, wait, err := l.db.ReserveLogin(ctx, l.lim, login, addr, l.now())
	if err != nil || wait > 0 {
		return nil, wait, err
	}
	return &loginAttempt{l: l, id: id, login: login, addr: addr}, 0, nil
}

// settleTimeout bounds the settling of an attempt, which runs after the
// request's context may have ended.
const settleTimeout = 10 * time.Second

// fail settles the attempt as a failure: it stays counted.
func (a *loginAttempt) fail() { a.settled.Store(true) }

// succeed settles the attempt as a success: it is taken back, the
// failures of this account from this address are forgotten (not the
// address's, nor the account's from elsewhere), and the address becomes
// one the account is known to log in from. If the database cannot be
// written, the attempt stays counted as a failure: the safe side.
func (a *loginAttempt) succeed() { a.settle(true) }

// release takes back an attempt that was not settled: the check ended
// without a verdict on the secret.
func (a *loginAttempt) release() { a.settle(false) }

func (a *loginAttempt) settle(ok bool) {
	if a.settled.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
	defer cancel()
	_ = a.l.db.SettleLogin(ctx, a.l.lim, a.id, a.login, a.addr, ok, a.l.now())
}

// limiter is the login limiter as the handlers see it (httpx.Limiter).
type limiter struct{ l *loginLimiter }

func (l limiter) Reserve(ctx context.Context, login, addr string) (httpx.Attempt, time.Duration, error) {
	a, wait, err := l.l.reserve(ctx, login, addr)
	if a == nil {
		return nil, wait, err
	}
	return attempt{a}, wait, nil
}

type attempt struct{ a *loginAttempt }

func (a attempt) Fail()    { a.a.fail() }
func (a attempt) Succeed() { a.a.succeed() }
func (a attempt) Release() { a.a.release() }
