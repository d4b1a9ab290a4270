package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// LoginLimits are the login limiter's numbers (internal/web/limit.go;
// docs/design/security.md, "Guessing and lockout"): at most PerPair
// attempts at one account from one address in Window, and PerPairAll
// failures of that pair in Window whether a success forgot them or not
// (so the owner's logins from an address they share with a guesser do not
// hand the guesser fresh guesses); and, except from
// the addresses the account logged in from within KnownFor (at most
// KnownMax of them remembered), PerAddr from one address at accounts not
// known there in Window and PerAccount at one account in AccountWindow.
type LoginLimits struct {
	Window, AccountWindow time.Duration
	PerPair, PerAddr      int
	PerPairAll            int
	PerAccount            int
	KnownFor              time.Duration
	KnownMax              int
}

// ReserveLogin checks the limits for an attempt at login from addr at now
// and, if they allow it, counts it at once (login_attempts) and returns
// its id; otherwise it returns 0 and how long until an attempt may be
// made. The check and the count are one transaction, serialised over
// every server process on the database (PostgreSQL: an advisory lock;
// SQLite: its write lock), so that thirty guesses sent at once to two
// servers meet the limit as they start. Rows older than every window are
// dropped on the way.
func (db *DB) ReserveLogin(ctx context.Context, lim LoginLimits, login, addr string, now time.Time) (int64, time.Duration, error) {
	const op = "sqlstore.ReserveLogin"
	t := now.UnixNano()
	var id int64
	var wait time.Duration
	err := db.write(ctx, func(tx *Tx) error {
		if q := tx.d.lockLogins(); q != "" {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		oldest := t - max(lim.Window, lim.AccountWindow).Nanoseconds()
		if _, err := tx.exec(ctx, `DELETE FROM login_attempts WHERE at_ns <= ?`, oldest); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM login_known WHERE at_ns <= ?`, t-lim.KnownFor.Nanoseconds()); err != nil {
			return err
		}
		// nth returns the time of the n-th newest attempt a limit counts,
		// if there are n.
		nth := func(n int, where string, args ...any) (int64, bool, error) {
			var at int64
			err := tx.queryRow(ctx, `SELECT at_ns FROM login_attempts WHERE `+where+` ORDER BY at_ns DESC LIMIT 1 OFFSET ?`, append(args, n-1)...).Scan(&at)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, false, nil
			}
			return at, err == nil, err
		}
		type limit struct {
			n      int
			window time.Duration
			where  string
			args   []any
		}
		w := lim.Window.Nanoseconds()
		limits := []limit{
			{lim.PerPair, lim.Window, `login = ? AND addr = ? AND pair_forgotten = 0 AND at_ns > ?`, []any{login, addr, t - w}},
			// A success forgets the pair's failures for PerPair only: at
			// an address the owner shares with a guesser (a NAT, a proxy
			// without --trusted-proxy) it forgets the guesser's too, and
			// at a known address no other limit holds them.
			{lim.PerPairAll, lim.Window, `login = ? AND addr = ? AND at_ns > ?`, []any{login, addr, t - w}},
		}
		var known int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM login_known WHERE login = ? AND addr = ?`, login, addr).Scan(&known); err != nil {
			return err
		}
		if known == 0 {
			// An account not known at the address: the address's limit,
			// which counts its attempts at accounts not known there, and
			// the account's own. A known pair meets neither: a flood of
			// guesses at other logins from the same address (every client
			// behind a reverse proxy has the proxy's) does not lock out
			// its owner, and the pair's limit still holds its guesses to
			// what they were.
			limits = append(limits,
				limit{lim.PerAddr, lim.Window, `addr = ? AND at_ns > ? AND NOT EXISTS (SELECT 1 FROM login_known k WHERE k.login = login_attempts.login AND k.addr = login_attempts.addr)`, []any{addr, t - w}},
				limit{lim.PerAccount, lim.AccountWindow, `login = ? AND at_ns > ?`, []any{login, t - lim.AccountWindow.Nanoseconds()}})
		}
		for _, l := range limits {
			at, full, err := nth(l.n, l.where, l.args...)
			if err != nil {
				return err
			}
			if full {
				// Allowed again when all but n-1 of them have left the window.
				wait = max(wait, time.Duration(at+l.window.Nanoseconds()-t))
			}
		}
		if wait > 0 {
			return nil
		}
		return tx.queryRow(ctx, `INSERT INTO login_attempts (login, addr, at_ns) VALUES (?, ?, ?) RETURNING id`, login, addr, t).Scan(&id)
	})
	if err != nil {
		return 0, 0, errs.E(op, errs.Internal, "cannot count a login attempt", err)
	}
	return id, wait, nil
}

// SettleLogin settles an attempt ReserveLogin counted. A failure stays
// counted (nothing to do: it is not called for one). A success (ok) is
// taken back, the account's failures from this address no longer count
// for the pair, and the address becomes one the account is known to log
// in from (the newest KnownMax kept). An attempt that ended without a
// verdict (!ok) is taken back.
func (db *DB) SettleLogin(ctx context.Context, lim LoginLimits, id int64, login, addr string, ok bool, now time.Time) error {
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM login_attempts WHERE id = ?`, id); err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE login_attempts SET pair_forgotten = 1 WHERE login = ? AND addr = ?`, login, addr); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO login_known (login, addr, at_ns) VALUES (?, ?, ?) ON CONFLICT (login, addr) DO UPDATE SET at_ns = excluded.at_ns`, login, addr, now.UnixNano()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM login_known WHERE login = ? AND addr NOT IN (SELECT addr FROM login_known WHERE login = ? ORDER BY at_ns DESC, addr LIMIT ?)`, login, login, lim.KnownMax)
		return err
	})
	if err != nil {
		return errs.E("sqlstore.SettleLogin", errs.Internal, "cannot settle a login attempt", err)
	}
	return nil
}
