package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
)

// Party is one side of an exchange.
type Party struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var partyCode = regexp.MustCompile(`^[A-Z]{2,3}$`)

// CreateParty adds a party. Codes are two or three capital letters.
func (db *DB) CreateParty(ctx context.Context, code, name string) (Party, error) {
	const op = "sqlstore.CreateParty"
	code = strings.TrimSpace(code)
	name = strings.TrimSpace(name)
	if !partyCode.MatchString(code) {
		return Party{}, errs.E(op, errs.Invalid, fmt.Sprintf("party code %q must be two or three capital letters (UA, RU)", code))
	}
	if name == "" || len(name) > 200 {
		return Party{}, errs.E(op, errs.Invalid, "a party needs a name of at most 200 characters")
	}
	p := Party{Code: code, Name: name}
	err := db.write(ctx, func(tx *Tx) error {
		p.CreatedAt = tx.now
		_, err := tx.exec(ctx, `INSERT INTO parties (code, name, created_at) VALUES (?, ?, ?)`, code, name, fmtTime(tx.now))
		if tx.d.isUniqueViolation(err) {
			return errs.E(op, errs.Conflict, fmt.Sprintf("party %s exists already", code))
		}
		return err
	})
	return p, err
}

// Parties lists the parties by code.
func (db *DB) Parties(ctx context.Context) ([]Party, error) {
	rows, err := db.query(ctx, `SELECT code, name, created_at FROM parties ORDER BY code`)
	if err != nil {
		return nil, errs.E("sqlstore.Parties", errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (Party, error) {
		var p Party
		err := rows.Scan(&p.Code, &p.Name, dbTime{&p.CreatedAt})
		return p, err
	})
	if err != nil {
		return nil, errs.E("sqlstore.Parties", errs.Internal, err)
	}
	return out, nil
}

func (db *DB) partyCodes(ctx context.Context) ([]string, error) {
	ps, err := db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(ps))
	for i, p := range ps {
		codes[i] = p.Code
	}
	return codes, nil
}

// User is an account.
type User struct {
	ID         int64       `json:"id"`
	Login      string      `json:"login"`
	Role       access.Role `json:"role"`
	Party      string      `json:"party,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	DisabledAt time.Time   `json:"disabled_at,omitzero"`
	// Enrolment is the one-time enrolment code of a user just created
	// without a password (shown once, to the administrator, who passes it
	// on out of band); nil otherwise.
	Enrolment *Code `json:"enrolment,omitempty"`
	// MFA says whether the session or token the user was found by passed
	// the second factor.
	MFA bool `json:"-"`
}

// Scope returns the access scope of the user.
func (u User) Scope() access.Scope {
	return access.Scope{UserID: u.ID, Login: u.Login, Role: u.Role, Party: u.Party, MFA: u.MFA}
}

var loginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// NewUser says who to create.
type NewUser struct {
	Login string
	Role  access.Role
	Party string
	// Password, when set, is the account's password from the start, with
	// no enrolment: for accounts the program makes for itself (tests, the
	// scenario's throw-away server). The administrator's interfaces never
	// set it: they create the account with an enrolment code (docs/design/
	// security.md §4).
	Password string
	Argon2   access.Argon2Params // zero: access.DefaultArgon2
	// By is who creates the account (the administrator; zero: the holder
	// of the data directory), for the enrolment code's log leaf.
	By access.Scope
}

// CreateUser adds a user: with a password, or, without one, with a
// one-time enrolment code (User.Enrolment) with which the person sets
// their own password and second factor (Enrol).
func (db *DB) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	const op = "sqlstore.CreateUser"
	var bad []errs.FieldError
	if !loginRE.MatchString(nu.Login) {
		bad = append(bad, errs.FieldError{Field: "login", Message: "2–64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", Code: "bad_login"})
	}
	if !nu.Role.Valid() {
		bad = append(bad, errs.FieldError{Field: "role", Message: fmt.Sprintf("%q is not a role", nu.Role), Code: "bad_role", Args: []string{string(nu.Role)}})
	} else if nu.Role.NeedsParty() && nu.Party == "" {
		bad = append(bad, errs.FieldError{Field: "party", Message: fmt.Sprintf("a %s belongs to a party", nu.Role), Args: []string{string(nu.Role)}, Code: "role_needs_party"})
	} else if !nu.Role.MayHaveParty() && nu.Party != "" {
		bad = append(bad, errs.FieldError{Field: "party", Message: fmt.Sprintf("a %s belongs to no party", nu.Role), Args: []string{string(nu.Role)}, Code: "role_no_party"})
	}
	if err := access.CheckPassword(nu.Password); err != nil && nu.Password != "" {
		if utf8.RuneCountInString(nu.Password) < access.MinPasswordLen {
			bad = append(bad, errs.FieldError{Field: "password", Message: errs.Message(err), Args: []string{strconv.Itoa(access.MinPasswordLen)}, Code: "password_too_short"})
		} else {
			bad = append(bad, errs.FieldError{Field: "password", Message: errs.Message(err), Code: "password_too_long"})
		}
	}
	if len(bad) > 0 {
		return User{}, errs.E(op, errs.Invalid, "cannot create the user", bad)
	}
	params := nu.Argon2
	if params == (access.Argon2Params{}) {
		params = access.DefaultArgon2
	}
	hash := "" // no password until the person enrols
	if nu.Password != "" {
		hash = access.HashPassword(nu.Password, params)
	}
	u := User{Login: nu.Login, Role: nu.Role, Party: nu.Party}
	err := db.write(ctx, func(tx *Tx) error {
		if nu.Party != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM parties WHERE code = ?`, nu.Party).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.E(op, errs.Invalid, fmt.Sprintf("party %s does not exist", nu.Party), errs.FieldError{Field: "party", Message: "unknown party", Code: "no_such_party"})
			}
		}
		u.CreatedAt = tx.now
		err := tx.queryRow(ctx, `INSERT INTO users (login, role, party, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			nu.Login, string(nu.Role), nullString(nu.Party), hash, fmtTime(tx.now)).Scan(&u.ID)
		if tx.d.isUniqueViolation(err) {
			return errs.E(op, errs.Conflict, fmt.Sprintf("user %s exists already", nu.Login))
		}
		if err != nil {
			return err
		}
		if err := tx.logUser(ctx, leafUserCreated, actorOf(nu.By), u.ID); err != nil {
			return err
		}
		if nu.Password != "" {
			// The password it was made with is a credential the log
			// vouches for, as one set by enrolment is.
			return tx.accountEvent(ctx, nu.By, u.ID, accountPasswordSet, hash, "")
		}
		u.Enrolment, err = tx.issueCode(ctx, nu.By, u, access.CodeEnrol)
		return err
	})
	return u, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const userCols = `id, login, role, COALESCE(party, ''), created_at, disabled_at`

func scanUser(row interface{ Scan(...any) error }, u *User) error {
	var role string
	var disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Login, &role, &u.Party, dbTime{&u.CreatedAt}, &disabled); err != nil {
		return err
	}
	u.Role = access.Role(role)
	if disabled.Valid {
		return dbTime{&u.DisabledAt}.Scan(disabled.String)
	}
	return nil
}

// Users lists every user by login.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users ORDER BY login`)
	if err != nil {
		return nil, errs.E("sqlstore.Users", errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (User, error) {
		var u User
		err := scanUser(rows, &u)
		return u, err
	})
	if err != nil {
		return nil, errs.E("sqlstore.Users", errs.Internal, err)
	}
	return out, nil
}

// UserByLogin returns one user.
func (db *DB) UserByLogin(ctx context.Context, login string) (User, error) {
	var u User
	err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE login = ?`, login), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E("sqlstore.UserByLogin", errs.NotFound, fmt.Sprintf("no user %s", login), errs.Coded{Code: "no_user", Args: []string{login}})
	}
	if err != nil {
		return User{}, errs.E("sqlstore.UserByLogin", errs.Internal, err)
	}
	return u, nil
}

// Authenticate checks a login and password. Any failure is the same
// Unauthenticated error, so the answer does not tell which part was wrong.
func (db *DB) Authenticate(ctx context.Context, login, password string) (User, error) {
	const op = "sqlstore.Authenticate"
	fail := errs.E(op, errs.Unauthenticated, "wrong login or password")
	var u User
	var hash string
	var role string
	var disabled sql.NullString
	err := db.queryRow(ctx, `SELECT id, login, role, COALESCE(party, ''), created_at, disabled_at, password_hash FROM users WHERE login = ?`, login).
		Scan(&u.ID, &u.Login, &role, &u.Party, dbTime{&u.CreatedAt}, &disabled, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check, so timing does not reveal
		// which logins exist.
		access.VerifyPassword(db.dummyHash(), password)
		return User{}, fail
	}
	if err != nil {
		return User{}, errs.E(op, errs.Internal, err)
	}
	u.Role = access.Role(role)
	if !access.VerifyPassword(hash, password) || disabled.Valid {
		return User{}, fail
	}
	return u, nil
}

// newDummyHash makes a DB's dummy hash: the hash of no account's password,
// made on the first login of an unknown account and kept until Close.
func newDummyHash() func() string {
	return sync.OnceValue(func() string {
		return access.HashPassword("not a real password, only for timing", access.DefaultArgon2)
	})
}

// DisableUser marks a user disabled; their tokens stop working at once.
func (db *DB) DisableUser(ctx context.Context, login string) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE users SET disabled_at = ? WHERE login = ? AND disabled_at IS NULL`, fmtTime(tx.now), login)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("sqlstore.DisableUser", errs.NotFound, fmt.Sprintf("no active user %s", login), errs.Coded{Code: "no_active_user", Args: []string{login}})
		}
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE login = ?`, login).Scan(&id); err != nil {
			return err
		}
		return tx.logUser(ctx, leafUserChanged, "system", id)
	})
}

// Token describes an API token; the secret itself is never stored.
type Token struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Hint      string    `json:"hint"`
	MFA       bool      `json:"mfa"` // minted from a login that passed the second factor
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// MaxTokenLifetime bounds how long a token may live.
const MaxTokenLifetime = 366 * 24 * time.Hour

// CreateToken mints a token for the caller s itself, which expires after
// ttl, and returns the secret (shown once) and its description. Tokens are
// minted by their owner only (docs/design/security.md §2): nobody, the
// administrator included, mints a token for someone else. The token carries
// whether the caller passed the second factor (s.MFA); a role that needs
// one gets a token only from a login or session that passed it.
func (db *DB) CreateToken(ctx context.Context, s access.Scope, name string, ttl time.Duration) (string, Token, error) {
	const op = "sqlstore.CreateToken"
	if err := access.Decide(s, access.TokenSelf, access.Resource{}); err != nil {
		return "", Token{}, errs.E(op, err)
	}
	if ttl <= 0 || ttl > MaxTokenLifetime {
		return "", Token{}, errs.E(op, errs.Invalid, fmt.Sprintf("a token lives between one second and %d days", int(MaxTokenLifetime.Hours()/24)))
	}
	if name == "" {
		name = "api"
	}
	if len(name) > 100 {
		return "", Token{}, errs.E(op, errs.Invalid, "token name too long")
	}
	secret := access.NewToken()
	t := Token{UserID: s.UserID, Login: s.Login, Name: name, Hint: access.TokenHint(secret), MFA: s.MFA}
	err := db.write(ctx, func(tx *Tx) error {
		var disabled sql.NullString
		err := tx.queryRow(ctx, `SELECT login, disabled_at FROM users WHERE id = ?`, s.UserID).Scan(&t.Login, &disabled)
		if errors.Is(err, sql.ErrNoRows) || disabled.Valid {
			return errs.E(op, errs.Invalid, fmt.Sprintf("user %s is disabled or unknown", s.Login))
		}
		if err != nil {
			return err
		}
		t.CreatedAt = tx.now
		t.ExpiresAt = tx.now.Add(ttl)
		if err := tx.queryRow(ctx, `INSERT INTO tokens (user_id, name, prefix, hash, created_at, expires_at, mfa) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.UserID, name, t.Hint, access.HashToken(secret), fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt), boolInt(s.MFA)).Scan(&t.ID); err != nil {
			return err
		}
		return tx.logTokens(ctx, leafTokenCreated, actor(s.UserID), t.ID)
	})
	if err != nil {
		return "", Token{}, errs.E(op, err)
	}
	return secret, t, nil
}

// UserByToken returns the user a valid, unexpired, unrevoked token belongs
// to, or an Unauthenticated error.
func (db *DB) UserByToken(ctx context.Context, secret string) (User, error) {
	const op = "sqlstore.UserByToken"
	fail := errs.E(op, errs.Unauthenticated, "the token is unknown, expired or revoked")
	if !strings.HasPrefix(secret, access.TokenPrefix) {
		return User{}, fail
	}
	var u User
	var mfa int
	err := scanUser(scanExtra{db.queryRow(ctx, `SELECT u.id, u.login, u.role, COALESCE(u.party, ''), u.created_at, u.disabled_at, t.mfa
		FROM tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`, access.HashToken(secret), fmtTime(db.Now())), []any{&mfa}}, &u)
	u.MFA = mfa == 1
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fail
	}
	if err != nil {
		return User{}, errs.E(op, errs.Internal, err)
	}
	if !u.DisabledAt.IsZero() {
		return User{}, fail
	}
	return u, nil
}

// Tokens lists the tokens of one user ("" for all users).
func (db *DB) Tokens(ctx context.Context, login string) ([]Token, error) {
	q := `SELECT t.id, t.user_id, u.login, t.name, t.prefix, t.mfa, t.created_at, t.expires_at, t.revoked_at
		FROM tokens t JOIN users u ON u.id = t.user_id`
	var args []any
	if login != "" {
		q += ` WHERE u.login = ?`
		args = append(args, login)
	}
	rows, err := db.query(ctx, q+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, errs.E("sqlstore.Tokens", errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (Token, error) {
		var t Token
		var revoked sql.NullString
		var mfa int
		if err := rows.Scan(&t.ID, &t.UserID, &t.Login, &t.Name, &t.Hint, &mfa, dbTime{&t.CreatedAt}, dbTime{&t.ExpiresAt}, &revoked); err != nil {
			return t, err
		}
		if revoked.Valid {
			dbTime{&t.RevokedAt}.Scan(revoked.String)
		}
		t.MFA = mfa == 1
		return t, nil
	})
	if err != nil {
		return nil, errs.E("sqlstore.Tokens", errs.Internal, err)
	}
	return out, nil
}

// RevokeToken revokes token id. When login is not "", the token must belong
// to that user (a user revoking their own token).
func (db *DB) RevokeToken(ctx context.Context, id int64, login string) error {
	return db.write(ctx, func(tx *Tx) error {
		q := `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`
		args := []any{fmtTime(tx.now), id}
		if login != "" {
			q += ` AND user_id = (SELECT id FROM users WHERE login = ?)`
			args = append(args, login)
		}
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("sqlstore.RevokeToken", errs.NotFound, fmt.Sprintf("no active token %d", id), errs.Coded{Code: "no_active_token", Args: []string{fmt.Sprint(id)}})
		}
		return tx.logTokens(ctx, leafTokenRevoked, "system", id)
	})
}
