package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
)

// Session is a signed-in browser of the web UI. It is found by the SHA-256
// of its secret (the cookie's value); the secret is shown once, to the
// browser, and never stored.
type Session struct {
	UserID     int64
	MFA        bool // the user passed the second factor in this session
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Lang is the user's chosen language ("" when never chosen).
	Lang string
	// TOTPEnrolled says whether the user has a confirmed second factor.
	TOTPEnrolled bool
}

// SessionLimits bound a session's life: Idle since it was last used,
// Absolute since the login that started it (a new id on privilege change
// keeps the login's start).
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// seenEvery is how stale last_seen_at may get before a request writes it:
// one write a minute per session, not one per page.
const seenEvery = time.Minute

func sessionHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSessionSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session for an active user after a password login
// and returns its secret. mfa says whether the second factor was passed.
func (db *DB) CreateSession(ctx context.Context, userID int64, mfa bool) (string, error) {
	const op = "sqlstore.CreateSession"
	secret := newSessionSecret()
	err := db.write(ctx, func(tx *Tx) error {
		var disabled sql.NullString
		if err := tx.queryRow(ctx, `SELECT disabled_at FROM users WHERE id = ?`, userID).Scan(&disabled); errors.Is(err, sql.ErrNoRows) || disabled.Valid {
			return errs.E(op, errs.Unauthenticated, "no such active user")
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, mfa, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			sessionHash(secret), userID, boolInt(mfa), fmtTime(tx.now), fmtTime(tx.now)); err != nil {
			return err
		}
		return tx.logSessions(ctx, leafSessionStarted, actor(userID), sessionHash(secret))
	})
	if err != nil {
		return "", errs.E(op, err)
	}
	return secret, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SessionUser returns the user and session of a session secret, or an
// Unauthenticated error when the session is unknown, ended, idle for longer
// than lim.Idle or older than lim.Absolute, or its user is disabled. It
// marks the session as seen.
func (db *DB) SessionUser(ctx context.Context, secret string, lim SessionLimits) (User, Session, error) {
	const op = "sqlstore.SessionUser"
	fail := errs.E(op, errs.Unauthenticated, "the session has ended: log in again")
	if secret == "" || len(secret) > 100 {
		return User{}, Session{}, fail
	}
	hash := sessionHash(secret)
	var u User
	var ss Session
	var mfa int
	var ended, enrolled sql.NullString
	var role string
	var disabled sql.NullString
	err := db.queryRow(ctx, `SELECT u.id, u.login, u.role, COALESCE(u.party, ''), u.created_at, u.disabled_at,
		s.mfa, s.created_at, s.last_seen_at, s.ended_at, COALESCE(p.lang, ''), p.totp_enrolled_at
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN user_prefs p ON p.user_id = u.id
		WHERE s.id_hash = ?`, hash).
		Scan(&u.ID, &u.Login, &role, &u.Party, dbTime{&u.CreatedAt}, &disabled, &mfa, dbTime{&ss.CreatedAt}, dbTime{&ss.LastSeenAt}, &ended, &ss.Lang, &enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Session{}, fail
	}
	if err != nil {
		return User{}, Session{}, errs.E(op, errs.Internal, err)
	}
	u.Role = access.Role(role)
	ss.UserID, ss.MFA, ss.TOTPEnrolled = u.ID, mfa == 1, enrolled.Valid
	u.MFA = ss.MFA
	now := db.Now().UTC()
	if ended.Valid || disabled.Valid || now.Sub(ss.LastSeenAt) > lim.Idle || now.Sub(ss.CreatedAt) > lim.Absolute {
		return User{}, Session{}, fail
	}
	if now.Sub(ss.LastSeenAt) > seenEvery {
		err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, fmtTime(tx.now), hash)
			return err
		})
		if err != nil {
			return User{}, Session{}, errs.E(op, err)
		}
		ss.LastSeenAt = now
	}
	return u, ss, nil
}

// RenewSession ends the session of secret and starts another for the same
// user with the same login time, returning the new secret: a new session
// id on every change of privilege (here: passing the second factor, which
// sets mfa). An ended or unknown session cannot be renewed.
func (db *DB) RenewSession(ctx context.Context, secret string, mfa bool) (string, error) {
	const op = "sqlstore.RenewSession"
	fresh := newSessionSecret()
	err := db.write(ctx, func(tx *Tx) error {
		var userID int64
		var created string
		err := tx.queryRow(ctx, `SELECT user_id, created_at FROM sessions WHERE id_hash = ? AND ended_at IS NULL`, sessionHash(secret)).Scan(&userID, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(op, errs.Unauthenticated, "the session has ended: log in again")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE sessions SET ended_at = ? WHERE id_hash = ?`, fmtTime(tx.now), sessionHash(secret)); err != nil {
			return err
		}
		if err := tx.logSessions(ctx, leafSessionEnded, actor(userID), sessionHash(secret)); err != nil {
			return err
		}
		if _, err = tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, mfa, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			sessionHash(fresh), userID, boolInt(mfa), created, fmtTime(tx.now)); err != nil {
			return err
		}
		return tx.logSessions(ctx, leafSessionStarted, actor(userID), sessionHash(fresh))
	})
	if err != nil {
		return "", errs.E(op, err)
	}
	return fresh, nil
}

// EndSession ends one session (logout). Ending an ended or unknown session
// is not an error.
func (db *DB) EndSession(ctx context.Context, secret string) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL`, fmtTime(tx.now), sessionHash(secret))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.logSessions(ctx, leafSessionEnded, "system", sessionHash(secret))
	})
}

// EndUserSessions ends every session of a user and revokes every API token
// of theirs ("log out everywhere": a stolen token dies with the stolen
// cookie), each with its leaf, and returns how many sessions were open.
func (db *DB) EndUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.endAccess(ctx, actor(userID), userID)
		return err
	})
	return n, err
}

// OpenSessions counts a user's sessions that have not ended (some may have
// timed out without being ended).
func (db *DB) OpenSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, errs.E("sqlstore.OpenSessions", errs.Internal, err)
	}
	return n, nil
}

// Languages the UI speaks.
var uiLangs = map[string]bool{"uk": true, "ru": true, "en": true}

// SetUserLang remembers a user's language: uk, ru or en.
func (db *DB) SetUserLang(ctx context.Context, userID int64, lang string) error {
	const op = "sqlstore.SetUserLang"
	if !uiLangs[lang] {
		return errs.E(op, errs.Invalid, fmt.Sprintf("language %q: use uk, ru or en", lang), errs.FieldError{Field: "lang", Message: "uk, ru or en", Code: "bad_lang"})
	}
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO user_prefs (user_id, lang) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang`, userID, lang)
		return err
	})
}

func totpAD(userID int64) []byte { return []byte("totp/" + strconv.FormatInt(userID, 10)) }

// TOTPSecret returns a user's TOTP secret and whether it is confirmed, or a
// NotFound error when the user has none.
func (db *DB) TOTPSecret(ctx context.Context, userID int64) (string, bool, error) {
	const op = "sqlstore.TOTPSecret"
	var sealed []byte
	var enrolled sql.NullString
	err := db.queryRow(ctx, `SELECT totp_sealed, totp_enrolled_at FROM user_prefs WHERE user_id = ?`, userID).Scan(&sealed, &enrolled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sealed == nil) {
		return "", false, errs.E(op, errs.NotFound, "no second factor enrolled", errs.Coded{Code: "no_totp"})
	}
	if err != nil {
		return "", false, errs.E(op, errs.Internal, err)
	}
	plain, err := db.seal.open(sealed, totpAD(userID))
	if err != nil {
		return "", false, errs.E(op, errs.Internal, err)
	}
	return string(plain), enrolled.Valid, nil
}

// RegisterCount is the number of records in one party's register.
type RegisterCount struct {
	Party string
	Kind  string
	Count int
}

// RegisterCounts counts the records of every register the scope may read,
// by party and register, for the home page.
func (db *DB) RegisterCounts(ctx context.Context, s access.Scope) ([]RegisterCount, error) {
	const op = "sqlstore.RegisterCounts"
	all, err := db.partyCodes(ctx)
	if err != nil {
		return nil, err
	}
	parties := access.Readable(s, "", all)
	if len(parties) == 0 {
		return nil, nil
	}
	args := make([]any, len(parties))
	for i, p := range parties {
		args[i] = p
	}
	rows, err := db.query(ctx, `SELECT party, kind, COUNT(*) FROM records WHERE party IN (`+placeholders(len(parties))+`) GROUP BY party, kind ORDER BY party, kind`, args...)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (RegisterCount, error) {
		var c RegisterCount
		err := rows.Scan(&c.Party, &c.Kind, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}
