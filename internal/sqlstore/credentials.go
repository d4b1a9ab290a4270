package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// Credentials that their people set themselves (docs/design/security.md
// §4): one-time codes issued by the administrator, the enrolment with one
// (password and second factor), a password reset with one, a password
// change, and the second factor at login. Each of these account events is a
// row of account_events and a leaf of the log in the same transaction; the
// audit replays them (replayAccounts).

// Account events.
const (
	accountEnrolmentIssued = "enrolment_issued" // an enrolment code was issued: the account's credentials were cleared
	accountResetIssued     = "reset_issued"     // a password reset code was issued
	accountEnrolled        = "enrolled"         // the person set their password (and second factor) with an enrolment code
	accountPasswordReset   = "password_reset"   // the person set a new password with a reset code
	accountPasswordChanged = "password_changed" // the person changed their password, giving the current one
	accountPasswordSet     = "password_set"     // the account was made with a password (user add on the database, the first administrator)
	accountRecorded        = "recorded"         // the credentials as they stood when the log's coverage began (coverage.go)
)

// tagAccountEvent is the commitment tag of account events.
const tagAccountEvent = "handover/account-event/v1"

// accountLeaf is the leaf type of an account event.
func accountLeaf(event string) audit.LeafType { return audit.LeafType("account." + event) }

// Code is a one-time code just issued: shown once, never stored in clear.
type Code struct {
	Login     string             `json:"login"`
	Purpose   access.CodePurpose `json:"purpose"`
	Code      string             `json:"code"`
	ExpiresAt time.Time          `json:"expires_at"`
}

// actorOf is the log actor of a change made by s: its user, or "system"
// for the holder of the data directory (the CLI on the database).
func actorOf(s access.Scope) string {
	if s.UserID == 0 {
		return "system"
	}
	return actor(s.UserID)
}

// accountContent is what an account event's leaf commits to: the event,
// the account, who did it and, for an event that sets a credential, the
// SHA-256 of what the account holds afterwards (of the password hash; of the
// second factor's secret), so that the audit can tell a credential changed
// around the log; for the issue of a one-time code (from migration 0031),
// the SHA-256 of the code's stored hash, so that the audit can tell a code
// planted or changed around the log (checkCodes).
func accountContent(event string, userID, by int64, d accountDigests) map[string]string {
	c := map[string]string{"event": event, "user": strconv.FormatInt(userID, 10), "by": strconv.FormatInt(by, 10)}
	if d.password != "" {
		c["password"] = d.password
	}
	if d.totp != "" {
		c["totp"] = d.totp
	}
	if d.code != "" {
		c["code"] = d.code
	}
	return c
}

// accountDigests are the SHA-256 digests (hex) an account event commits
// to, each "" when the event sets none: the password hash and the second
// factor's secret it set, the stored hash of the code it issued.
type accountDigests struct{ password, totp, code string }

func credentialDigest(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// accountEvent writes an account event and its leaf in tx; password and
// totp are the credentials it set ("" for none).
func (tx *Tx) accountEvent(ctx context.Context, by access.Scope, userID int64, event, password, totp string) error {
	var d accountDigests
	if password != "" {
		d.password = credentialDigest(password)
	}
	if totp != "" {
		d.totp = credentialDigest(totp)
	}
	return tx.logAccountEvent(ctx, by, userID, event, d)
}

// logAccountEvent writes an account event committing to the digests d,
// and its leaf, in tx.
func (tx *Tx) logAccountEvent(ctx context.Context, by access.Scope, userID int64, event string, d accountDigests) error {
	nonce, err := audit.NewNonce()
	if err != nil {
		return err
	}
	c, err := audit.CommitFields(tagAccountEvent, nonce, accountContent(event, userID, by.UserID, d))
	if err != nil {
		return err
	}
	app, err := tx.appender(ctx)
	if err != nil {
		return err
	}
	if _, err := app.add(audit.Leaf{Type: accountLeaf(event), Actor: actorOf(by), Time: tx.now, Subject: "user:" + strconv.FormatInt(userID, 10), Commitment: c}); err != nil {
		return err
	}
	if err := app.flush(ctx); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO account_events (user_id, event, by_user, password_digest, totp_digest, code_digest, at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		userID, event, by.UserID, d.password, d.totp, d.code, fmtTime(tx.now), nonce[:])
	return err
}

// issueCode ends u's unused codes and issues a new one of purpose. An
// enrolment code also clears the account's password and second factor and
// ends its sessions and tokens: the account is the code holder's to set up
// again.
func (tx *Tx) issueCode(ctx context.Context, by access.Scope, u User, purpose access.CodePurpose) (*Code, error) {
	code := access.NewCode()
	c := &Code{Login: u.Login, Purpose: purpose, Code: code, ExpiresAt: tx.now.Add(access.CodeLifetime)}
	if _, err := tx.exec(ctx, `UPDATE user_codes SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`, fmtTime(tx.now), u.ID); err != nil {
		return nil, err
	}
	hash := access.HashCode(code)
	if _, err := tx.exec(ctx, `INSERT INTO user_codes (user_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		u.ID, string(purpose), hash, fmtTime(tx.now), fmtTime(c.ExpiresAt)); err != nil {
		return nil, err
	}
	event := codeEvent(purpose)
	if purpose == access.CodeEnrol {
		if err := tx.clearCredentials(ctx, actorOf(by), u.ID); err != nil {
			return nil, err
		}
	}
	var d accountDigests
	if !tx.db.before0031 {
		d.code = credentialDigest(string(hash))
	}
	if err := tx.logAccountEvent(ctx, by, u.ID, event, d); err != nil {
		return nil, err
	}
	return c, nil
}

// codeEvent is the account event that issues a code of purpose; "" for
// none.
func codeEvent(purpose access.CodePurpose) string {
	switch purpose {
	case access.CodeEnrol:
		return accountEnrolmentIssued
	case access.CodeReset:
		return accountResetIssued
	}
	return ""
}

// clearCredentials removes a user's password and second factor and ends
// their sessions and tokens.
func (tx *Tx) clearCredentials(ctx context.Context, who string, userID int64) error {
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = '' WHERE id = ?`, userID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE user_prefs SET totp_sealed = NULL, totp_enrolled_at = NULL WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.endAccess(ctx, who, userID)
	return err
}

// endAccess ends every session and revokes every token of a user, each
// with its leaf (session.ended, token.revoked) by who, and returns how many
// sessions were open.
func (tx *Tx) endAccess(ctx context.Context, who string, userID int64) (int, error) {
	open, err := tx.idHashes(ctx, `SELECT id_hash FROM sessions WHERE user_id = ? AND ended_at IS NULL`, userID)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`, fmtTime(tx.now), userID); err != nil {
		return 0, err
	}
	if err := tx.logSessions(ctx, leafSessionEnded, who, open...); err != nil {
		return 0, err
	}
	rows, err := tx.query(ctx, `SELECT id FROM tokens WHERE user_id = ? AND revoked_at IS NULL`, userID)
	if err != nil {
		return 0, err
	}
	ids, err := collect(rows, scanInt64)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, fmtTime(tx.now), userID); err != nil {
		return 0, err
	}
	return len(open), tx.logTokens(ctx, leafTokenRevoked, who, ids...)
}

// IssueCode issues a one-time code for login: an enrolment code (the
// account goes back to enrolment: its password and second factor are
// cleared, its sessions and tokens end) or a password reset code. Earlier
// unused codes of the account end. by is the administrator; a zero scope is
// the holder of the data directory (the CLI), logged as "system".
func (db *DB) IssueCode(ctx context.Context, by access.Scope, login string, purpose access.CodePurpose) (Code, error) {
	const op = "sqlstore.IssueCode"
	if by.UserID != 0 {
		if err := access.Decide(by, access.UserManage, access.Resource{}); err != nil {
			return Code{}, errs.E(op, err)
		}
	}
	if purpose != access.CodeEnrol && purpose != access.CodeReset {
		return Code{}, errs.E(op, errs.Invalid, fmt.Sprintf("code purpose %q: use enrol or reset", purpose))
	}
	var c *Code
	err := db.write(ctx, func(tx *Tx) error {
		var u User
		err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE login = ?`, login), &u)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(op, errs.NotFound, fmt.Sprintf("no user %s", login), errs.Coded{Code: "no_user", Args: []string{login}})
		}
		if err != nil {
			return err
		}
		if !u.DisabledAt.IsZero() {
			return errs.E(op, errs.Invalid, fmt.Sprintf("user %s is disabled", login))
		}
		if by.UserID != 0 && u.ID == by.UserID {
			return errs.E(op, errs.Forbidden, "your own codes come from another administrator: change your password on your account page")
		}
		c, err = tx.issueCode(ctx, by, u, purpose)
		return err
	})
	if err != nil {
		return Code{}, errs.E(op, err)
	}
	return *c, nil
}

// useCode finds login's unused, unexpired code of purpose, ends it and
// returns the account. Any failure is the same Unauthenticated error.
func (tx *Tx) useCode(ctx context.Context, login, code string, purpose access.CodePurpose) (User, error) {
	fail := errs.E("sqlstore.useCode", errs.Unauthenticated, "wrong login or code, or the code was used or has expired: ask the administrator for a new one")
	var u User
	var codeID int64
	err := scanUser(scanExtra{tx.queryRow(ctx, `SELECT u.id, u.login, u.role, COALESCE(u.party, ''), u.created_at, u.disabled_at, c.id
		FROM user_codes c JOIN users u ON u.id = c.user_id
		WHERE u.login = ? AND c.hash = ? AND c.purpose = ? AND c.ended_at IS NULL AND c.expires_at > ?`, login, access.HashCode(code), string(purpose), fmtTime(tx.now)), []any{&codeID}}, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fail
	}
	if err != nil {
		return User{}, err
	}
	if !u.DisabledAt.IsZero() {
		return User{}, fail
	}
	res, err := tx.exec(ctx, `UPDATE user_codes SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, fmtTime(tx.now), codeID)
	if err != nil {
		return User{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return User{}, fail // used meanwhile
	}
	return u, nil
}

// Enrolment is what a person sends to enrol with their enrolment code.
type Enrolment struct {
	Login, Code, Password string
	// TOTPSecret and TOTPCode are the second factor the person chose (their
	// authenticator app's secret and its current code); required for roles
	// that need one (access.Role.NeedsMFA), refused for the others.
	TOTPSecret, TOTPCode string
	Argon2               access.Argon2Params // zero: access.DefaultArgon2
}

// Enrol sets up an account with its one-time enrolment code: the person's
// own password and, for roles that need one, their second factor, checked
// with a current code. The code works once. An account.enrolled leaf is
// written with it.
func (db *DB) Enrol(ctx context.Context, e Enrolment) (User, error) {
	const op = "sqlstore.Enrol"
	if err := checkNewPassword(e.Password); err != nil {
		return User{}, errs.E(op, err)
	}
	params := e.Argon2
	if params == (access.Argon2Params{}) {
		params = access.DefaultArgon2
	}
	hash := access.HashPassword(e.Password, params)
	var u User
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		if u, err = tx.useCode(ctx, e.Login, e.Code, access.CodeEnrol); err != nil {
			return err
		}
		totp := ""
		if u.Role.NeedsMFA() {
			step := access.TOTPStep(e.TOTPSecret, e.TOTPCode, tx.now)
			if e.TOTPSecret == "" || step < 0 {
				msg := "enter the six-digit code your authenticator app shows for the new secret"
				return errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "totp_code", Message: msg, Code: "totp_wrong"})
			}
			sealed, err := tx.seal(ctx, []byte(e.TOTPSecret), totpAD(u.ID))
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO user_prefs (user_id, totp_sealed, totp_enrolled_at, totp_last_step) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id) DO UPDATE SET totp_sealed = excluded.totp_sealed, totp_enrolled_at = excluded.totp_enrolled_at, totp_last_step = excluded.totp_last_step`,
				u.ID, sealed, fmtTime(tx.now), step); err != nil {
				return err
			}
			totp = e.TOTPSecret
		} else if e.TOTPSecret != "" {
			msg := fmt.Sprintf("a %s has no second factor", u.Role)
			return errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "totp_secret", Message: msg, Args: []string{string(u.Role)}, Code: "totp_not_needed"})
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return err
		}
		if _, err := tx.endAccess(ctx, actor(u.ID), u.ID); err != nil {
			return err
		}
		return tx.accountEvent(ctx, u.Scope(), u.ID, accountEnrolled, hash, totp)
	})
	if err != nil {
		return User{}, errs.E(op, err)
	}
	return u, nil
}

// checkNewPassword says what is wrong with a new password, by field.
func checkNewPassword(pw string) error {
	err := access.CheckPassword(pw)
	if err == nil {
		return nil
	}
	fe := errs.FieldError{Field: "password", Message: errs.Message(err), Code: "password_too_long"}
	if len([]rune(pw)) < access.MinPasswordLen {
		fe = errs.FieldError{Field: "password", Message: errs.Message(err), Args: []string{strconv.Itoa(access.MinPasswordLen)}, Code: "password_too_short"}
	}
	return errs.E("sqlstore.checkNewPassword", errs.Invalid, errs.Message(err), fe)
}

// PasswordReset is what a person sends to set a new password with a reset
// code.
type PasswordReset struct {
	Login, Code, Password string
	// TOTPCode is a current code of the account's second factor: required
	// when it has one, so that a reset code alone (which the administrator
	// saw) does not open the account.
	TOTPCode string
	Argon2   access.Argon2Params // zero: access.DefaultArgon2
}

// ResetPassword sets a new password with a one-time reset code (and, for
// an account with a second factor, a current code of it). Every session
// and token of the account ends.
func (db *DB) ResetPassword(ctx context.Context, r PasswordReset) error {
	const op = "sqlstore.ResetPassword"
	if err := checkNewPassword(r.Password); err != nil {
		return errs.E(op, err)
	}
	params := r.Argon2
	if params == (access.Argon2Params{}) {
		params = access.DefaultArgon2
	}
	hash := access.HashPassword(r.Password, params)
	err := db.write(ctx, func(tx *Tx) error {
		u, err := tx.useCode(ctx, r.Login, r.Code, access.CodeReset)
		if err != nil {
			return err
		}
		if err := tx.checkSecondFactor(ctx, u, r.TOTPCode, true); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return err
		}
		if _, err := tx.endAccess(ctx, actor(u.ID), u.ID); err != nil {
			return err
		}
		return tx.accountEvent(ctx, u.Scope(), u.ID, accountPasswordReset, hash, "")
	})
	if err != nil {
		return errs.E(op, err)
	}
	return nil
}

// ChangePassword changes the caller's own password, given the current one.
// Every session and token of the account ends: the person logs in again.
func (db *DB) ChangePassword(ctx context.Context, s access.Scope, current, next string, params access.Argon2Params) error {
	const op = "sqlstore.ChangePassword"
	if err := access.Decide(s, access.TokenSelf, access.Resource{}); err != nil {
		return errs.E(op, err)
	}
	if err := checkNewPassword(next); err != nil {
		return errs.E(op, err)
	}
	if _, err := db.Authenticate(ctx, s.Login, current); err != nil {
		msg := "the current password is wrong"
		return errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "current", Message: msg, Code: "password_wrong"})
	}
	if params == (access.Argon2Params{}) {
		params = access.DefaultArgon2
	}
	hash := access.HashPassword(next, params)
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, s.UserID); err != nil {
			return err
		}
		if _, err := tx.endAccess(ctx, actor(s.UserID), s.UserID); err != nil {
			return err
		}
		return tx.accountEvent(ctx, s, s.UserID, accountPasswordChanged, hash, "")
	})
	if err != nil {
		return errs.E(op, err)
	}
	return nil
}

// checkSecondFactor checks a code of u's second factor and uses its time
// step. When the account has none: an error if the role needs one (the
// person must enrol), nothing to check otherwise (onlyIfEnrolled).
func (tx *Tx) checkSecondFactor(ctx context.Context, u User, code string, onlyIfEnrolled bool) error {
	const op = "sqlstore.checkSecondFactor"
	var sealed []byte
	var enrolled sql.NullString
	err := tx.queryRow(ctx, `SELECT totp_sealed, totp_enrolled_at FROM user_prefs WHERE user_id = ?`, u.ID).Scan(&sealed, &enrolled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if sealed == nil || !enrolled.Valid {
		if onlyIfEnrolled && !u.Role.NeedsMFA() {
			return nil
		}
		return errs.E(op, errs.Unauthenticated, fmt.Sprintf("%s has no second factor: enrol with the code the administrator gave you", u.Login))
	}
	secret, err := tx.db.seal.open(sealed, totpAD(u.ID))
	if err != nil {
		return err
	}
	step := access.TOTPStep(string(secret), code, tx.now)
	if step < 0 {
		msg := "the one-time code is wrong: enter the six digits your authenticator app shows now"
		return errs.E(op, errs.Unauthenticated, msg, errs.FieldError{Field: "totp_code", Message: msg, Code: "totp_wrong"})
	}
	res, err := tx.exec(ctx, `UPDATE user_prefs SET totp_last_step = ? WHERE user_id = ? AND totp_last_step < ?`, step, u.ID, step)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		msg := "this code was used already: wait for the next one"
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "totp_code", Message: msg, Code: "totp_reused"})
	}
	return nil
}

// CheckSecondFactor checks a code of the user's enrolled second factor and
// uses it (a code works once): Unauthenticated when the code is wrong or
// the user has no second factor, Conflict when the code was used already.
func (db *DB) CheckSecondFactor(ctx context.Context, u User, code string) error {
	err := db.write(ctx, func(tx *Tx) error { return tx.checkSecondFactor(ctx, u, code, false) })
	if err != nil {
		return errs.E("sqlstore.CheckSecondFactor", err)
	}
	return nil
}

// HasSecondFactor reports whether the user has an enrolled second factor.
func (db *DB) HasSecondFactor(ctx context.Context, userID int64) (bool, error) {
	var enrolled sql.NullString
	err := db.queryRow(ctx, `SELECT totp_enrolled_at FROM user_prefs WHERE user_id = ? AND totp_sealed IS NOT NULL`, userID).Scan(&enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, errs.E("sqlstore.HasSecondFactor", errs.Internal, err)
	}
	return enrolled.Valid, nil
}

// scanExtra scans a row into a scanner's destinations followed by extra
// ones: scanUser and a column or two more.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// AccountChanged is the audit's finding for an account whose credentials
// are not the ones its last logged event set.
const AccountChanged audit.FindingCode = "account-changed"

// accountLeafTypes are the leaf types of account events, for the audit.
var accountLeafTypes = []audit.LeafType{accountLeaf(accountEnrolmentIssued), accountLeaf(accountResetIssued), accountLeaf(accountEnrolled),
	accountLeaf(accountPasswordReset), accountLeaf(accountPasswordChanged), accountLeaf(accountPasswordSet), accountLeaf(accountRecorded)}

// replayAccounts pairs every account event with a leaf of its type that
// commits to exactly that row, and checks that each account whose
// credentials were set through a logged event still holds what its last
// such event set: a password (or second factor) written into the database
// around the log, to log in as someone, is reported.
func (db *DB) replayAccounts(ctx context.Context, take func(audit.LeafType, audit.Digest) bool, add func(audit.FindingCode, int64, string, ...any)) error {
	type account struct {
		login, password, totp string
		// want* are the digests the last credential event set; logged
		// says there was one.
		wantPassword, wantTOTP string
		logged                 bool
	}
	users := map[int64]*account{}
	rows, err := db.query(ctx, `SELECT u.id, u.login, u.password_hash, p.totp_sealed FROM users u LEFT JOIN user_prefs p ON p.user_id = u.id`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var sealed []byte
		a := &account{}
		if err := rows.Scan(&id, &a.login, &a.password, &sealed); err != nil {
			return err
		}
		if a.password != "" {
			a.password = credentialDigest(a.password)
		}
		if sealed != nil {
			plain, err := db.seal.open(sealed, totpAD(id))
			if err != nil {
				a.totp = "unreadable"
			} else {
				a.totp = credentialDigest(string(plain))
			}
		}
		users[id] = a
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = db.query(ctx, `SELECT seq, user_id, event, by_user, password_digest, totp_digest, code_digest, nonce FROM account_events ORDER BY seq`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq, userID, by int64
		var event string
		var ds accountDigests
		var nonce []byte
		if err := rows.Scan(&seq, &userID, &event, &by, &ds.password, &ds.totp, &ds.code, &nonce); err != nil {
			return err
		}
		pd, td := ds.password, ds.totp
		a := users[userID]
		if a == nil {
			add(EventChanged, -1, "account event %d is about user %d, who does not exist", seq, userID)
			return nil
		}
		what := fmt.Sprintf("account event %s of %s", event, a.login)
		if len(nonce) != len(audit.Nonce{}) {
			add(EventChanged, -1, "%s has no nonce to check it with", what)
			return nil
		}
		d, err := audit.CommitFields(tagAccountEvent, audit.Nonce(nonce), accountContent(event, userID, by, ds))
		if err != nil {
			return err
		}
		if !take(accountLeaf(event), d) {
			add(EventChanged, -1, "%s no longer matches any %s leaf (changed in the database, or written around the log)", what, accountLeaf(event))
		}
		switch event {
		case accountEnrolmentIssued:
			a.logged, a.wantPassword, a.wantTOTP = true, "", ""
		case accountEnrolled:
			a.logged, a.wantPassword, a.wantTOTP = true, pd, td
		case accountPasswordReset, accountPasswordChanged:
			a.logged, a.wantPassword = true, pd
		case accountPasswordSet:
			a.logged, a.wantPassword, a.wantTOTP = true, pd, ""
		case accountRecorded:
			a.logged, a.wantPassword, a.wantTOTP = true, pd, td
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range users {
		if !a.logged {
			continue
		}
		if a.password != a.wantPassword {
			add(AccountChanged, -1, "the password of %s is not the one its last logged account event set (changed in the database)", a.login)
		}
		if a.totp != a.wantTOTP {
			add(AccountChanged, -1, "the second factor of %s is not the one its last logged account event set (changed in the database)", a.login)
		}
	}
	return rows.Err()
}

// CodeUnlogged is the audit's finding for a one-time code (user_codes)
// that no logged issue of a code accounts for: planted in the database, or
// its hash changed there.
const CodeUnlogged audit.FindingCode = "code-unlogged"

// checkCodes checks every one-time code against the logged issue of it, so
// that a code planted in the database (to enrol as the administrator, say)
// or revived there is reported: each row of user_codes pairs with one
// issued event (account.enrolment_issued or account.reset_issued, as its
// purpose says) of its user whose leaf commits to the SHA-256 of the row's
// hash; created_at is that leaf's time and expires_at that time plus the
// code's lifetime; a code still open must have no later leaf of its user
// that ended it (another code issued, or the enrolment or reset that used
// it). An event of before migration 0031 commits to no digest: its code is
// paired by user, purpose and time, and must have ended or expired (the
// migration ended every open one). An issued event whose code row is gone
// is row-missing.
func (db *DB) checkCodes(ctx context.Context, rp *replay) error {
	type issue struct {
		leaf        *replayLeaf
		user        int64
		event, code string // code: the digest committed to, "" before 0031
		paired      bool
	}
	var issues []*issue
	claimed := map[*replayLeaf]bool{}
	rows, err := db.query(ctx, `SELECT user_id, event, by_user, password_digest, totp_digest, code_digest, nonce FROM account_events WHERE event IN (?, ?) ORDER BY seq`,
		accountEnrolmentIssued, accountResetIssued)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		is := &issue{}
		var by int64
		var ds accountDigests
		var nonce []byte
		if err := rows.Scan(&is.user, &is.event, &by, &ds.password, &ds.totp, &ds.code, &nonce); err != nil {
			return err
		}
		d, err := audit.CommitFields(tagAccountEvent, audit.Nonce(padNonce(nonce)), accountContent(is.event, is.user, by, ds))
		if err != nil {
			return err
		}
		for _, l := range rp.of(userSubject(is.user), accountLeaf(is.event)) {
			if l.commitment == d && !claimed[l] {
				claimed[l], is.leaf, is.code = true, l, ds.code
				break
			}
		}
		if is.leaf != nil { // an event without its leaf is replayAccounts' to report
			issues = append(issues, is)
		}
		return nil
	})
	if err != nil {
		return err
	}
	byCode := map[string]*issue{}
	legacy := map[string][]*issue{} // user, event and time → the issues of before 0031
	for _, is := range issues {
		if is.code != "" {
			byCode[is.code] = is
		} else {
			k := fmt.Sprint(is.user, is.event, is.leaf.at())
			legacy[k] = append(legacy[k], is)
		}
	}
	now := fmtTime(db.Now())
	rows, err = db.query(ctx, `SELECT c.id, c.user_id, COALESCE(u.login, ''), c.purpose, c.hash, c.created_at, c.expires_at, c.ended_at
		FROM user_codes c LEFT JOIN users u ON u.id = c.user_id ORDER BY c.id`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, user int64
		var login, purpose, created, expires string
		var hash []byte
		var ended sql.NullString
		if err := rows.Scan(&id, &user, &login, &purpose, &hash, &created, &expires, &ended); err != nil {
			return err
		}
		what := fmt.Sprintf("user_codes %d (%s, %s)", id, login, purpose)
		event, digest := codeEvent(access.CodePurpose(purpose)), credentialDigest(string(hash))
		is := byCode[digest]        // the issue that committed to this code
		if is == nil || is.paired { // or one of before 0031, which committed to none
			is = nil
			for _, x := range legacy[fmt.Sprint(user, event, created)] {
				if !x.paired {
					is = x
					break
				}
			}
		}
		if is == nil {
			rp.add(CodeUnlogged, -1, "%s: no issued event's leaf commits to its hash: the code was written or changed around the log", what)
			return nil
		}
		is.paired = true
		l := is.leaf
		if is.user != user {
			rp.add(ColumnChanged, l.index, "%s: user_id is %d, but leaf %d issued the code to user %d", what, user, l.index, is.user)
		}
		if is.event != event {
			rp.add(ColumnChanged, l.index, "%s: purpose is %q, but leaf %d is an account.%s", what, purpose, l.index, is.event)
		}
		if created != l.at() {
			rp.add(ColumnChanged, l.index, "%s: created_at is %s, but leaf %d issued it at %s", what, created, l.index, l.at())
		}
		if want := fmtTime(l.time.Add(access.CodeLifetime)); expires != want {
			rp.add(ColumnChanged, l.index, "%s: expires_at is %s, but the code leaf %d issued expires at %s", what, expires, l.index, want)
		}
		if ended.Valid {
			return nil
		}
		for _, later := range rp.of(userSubject(is.user), accountLeaf(accountEnrolmentIssued), accountLeaf(accountResetIssued), accountLeaf(codeUse(is.event))) {
			if later.index > l.index {
				rp.add(ColumnChanged, l.index, "%s: ended_at is empty, but leaf %d (%s) ended the code leaf %d issued: it was opened again", what, later.index, later.typ, l.index)
				return nil
			}
		}
		if is.code == "" && expires > now {
			rp.add(CodeUnlogged, l.index, "%s: issued by leaf %d before codes were logged (migration 0031), which ended every such code; open again, it cannot be told from a planted one", what, l.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, is := range issues {
		if !is.paired {
			rp.add(RowMissing, is.leaf.index, "leaf %d (%s) issued a code to user %d, which is not in user_codes", is.leaf.index, is.leaf.typ, is.user)
		}
	}
	return nil
}

// codeUse is the account event that uses a code the event issued issues.
func codeUse(issued string) string {
	if issued == accountEnrolmentIssued {
		return accountEnrolled
	}
	return accountPasswordReset
}
