package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/handover-project/handover/internal/errs"
)

// One-time codes (docs/design/security.md §4). The administrator makes an
// account with an enrolment code, shown once and passed to the person out
// of band; the person enrols with it, setting their own password and, for
// roles that need one, their second factor, so that the administrator never
// knows either. A reset code lets a person who forgot their password set a
// new one; for a role with a second factor it works only with a code of
// that factor, so it gives the administrator nothing.

// CodePurpose says what a one-time code is for.
type CodePurpose string

// Code purposes.
const (
	CodeEnrol CodePurpose = "enrol" // set the first password (and second factor)
	CodeReset CodePurpose = "reset" // set a new password
)

// CodeLifetime is how long a one-time code may be used.
const CodeLifetime = 7 * 24 * time.Hour

// codeAlphabet is Crockford's base32: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode returns a one-time code: 20 characters of Crockford base32 (100
// bits) in groups of four, e.g. K7QF-3MZP-WX2D-9RTA-HC4N.
func NewCode() string {
	b := make([]byte, 20)
	rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return out.String()
}

// HashCode returns what the store keeps of a code: the SHA-256 of its
// normal form (upper case, no dashes or spaces; O read as 0, I and L as
// 1). A code has 100 bits, so a fast hash suffices.
func HashCode(code string) []byte {
	norm := strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		case 'o', 'O':
			return '0'
		case 'i', 'I', 'l', 'L':
			return '1'
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, code)
	h := sha256.Sum256([]byte(norm))
	return h[:]
}

// NewTOTPSecret returns a new TOTP secret (RFC 6238, SHA-1, 30 s, six
// digits, as authenticator apps expect) for login.
func NewTOTPSecret(login string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "handover", AccountName: login})
	if err != nil {
		return "", errs.E("access.NewTOTPSecret", errs.Internal, err)
	}
	return key.Secret(), nil
}

// TOTPStep returns the 30-second time step whose code is code, within one
// step of now, or -1 when the code is wrong. The store accepts a step only
// once (a code works once).
func TOTPStep(secret, code string, now time.Time) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return -1
	}
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCode(secret, t)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30
		}
	}
	return -1
}

// TOTPCode returns the code of secret at t: what an authenticator app
// shows. The demo and the tests use it to act as their users.
func TOTPCode(secret string, t time.Time) (string, error) {
	c, err := totp.GenerateCode(secret, t)
	if err != nil {
		return "", errs.E("access.TOTPCode", errs.Invalid, "not a TOTP secret", err)
	}
	return c, nil
}
