package api

import (
	"time"

	"github.com/handover-project/handover/internal/access"
)

// LoginRequest is POST /api/v1/auth/login.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

// TokenAnswer is a token minted by a login: the secret, shown once.
type TokenAnswer struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EnrolRequest is POST /api/v1/auth/enrol: the one-time enrolment code, the
// person's own password and, for roles that need one, the second factor's
// secret and current code.
type EnrolRequest struct {
	Login      string `json:"login"`
	Code       string `json:"code"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	TOTPCode   string `json:"totp_code"`
}

// Enrolled says what an enrolment set up.
type Enrolled struct {
	Login        string      `json:"login"`
	Role         access.Role `json:"role"`
	Party        *string     `json:"party"` // null for the mediator's roles
	SecondFactor bool        `json:"second_factor"`
}

// ResetRequest is POST /api/v1/auth/reset: a new password with a one-time
// reset code (and a second-factor code when the account has one).
type ResetRequest struct {
	Login    string `json:"login"`
	Code     string `json:"code"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

// PasswordChange is POST /api/v1/me/password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// Me is the caller, GET /api/v1/me.
type Me struct {
	Login string      `json:"login"`
	Role  access.Role `json:"role"`
	Party *string     `json:"party"` // null for the mediator's roles
}

// Party is one party of the server.
type Party struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Parties is GET /api/v1/parties.
type Parties struct {
	Parties []Party `json:"parties"`
}

// NewUser is POST /api/v1/users.
type NewUser struct {
	Login string      `json:"login"`
	Role  access.Role `json:"role"`
	Party string      `json:"party"`
}

// User is an account as the administrator sees it.
type User struct {
	ID         int64       `json:"id"`
	Login      string      `json:"login"`
	Role       access.Role `json:"role"`
	Party      string      `json:"party,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	DisabledAt time.Time   `json:"disabled_at,omitzero"`
	// Enrolment is the one-time enrolment code of a user just created,
	// shown once; nil otherwise.
	Enrolment *Code `json:"enrolment,omitempty"`
}

// Users is GET /api/v1/users.
type Users struct {
	Users []User `json:"users"`
}

// CodeRequest is POST /api/v1/users/{login}/codes.
type CodeRequest struct {
	Purpose access.CodePurpose `json:"purpose"`
}

// Code is a one-time enrolment or reset code, shown once.
type Code struct {
	Login     string             `json:"login"`
	Purpose   access.CodePurpose `json:"purpose"`
	Code      string             `json:"code"`
	ExpiresAt time.Time          `json:"expires_at"`
}

// TokenRequest is POST /api/v1/tokens: a token for the caller (Login, when
// given, must be the caller's own).
type TokenRequest struct {
	Login    string  `json:"login,omitempty"`
	Name     string  `json:"name"`
	TTLHours float64 `json:"ttl_hours"`
}

// Token is an API token as listed: never its secret.
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

// NewToken is a minted token: the secret, shown once, and what is listed.
type NewToken struct {
	Token string `json:"token"`
	Info  Token  `json:"info"`
}

// Tokens is GET /api/v1/tokens and /api/v1/me/tokens.
type Tokens struct {
	Tokens []Token `json:"tokens"`
}
