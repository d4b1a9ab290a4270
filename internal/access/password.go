package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/handover-project/handover/internal/errs"
)

// Argon2Params are the argon2id cost parameters. They are stored with each
// hash, so they can be raised later without breaking old passwords.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option (64 MiB, t=3).
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// CheckPassword says what is wrong with a new password, or returns nil.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return errs.E("access.CheckPassword", errs.Invalid, fmt.Sprintf("the password must have at least %d characters", MinPasswordLen))
	}
	if len(pw) > 1024 {
		return errs.E("access.CheckPassword", errs.Invalid, "the password is too long")
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(pw string, p Argon2Params) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches the encoded hash, in constant
// time with respect to the hash.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Memory > 1<<22 || p.Time > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// TokenPrefix starts every API token, so that a leaked token is recognisable
// (secret scanners, logs).
const TokenPrefix = "hov_"

// NewToken returns a new API token: the prefix and 32 random bytes in
// unpadded base64url. Only its hash is stored.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a token: what the store keeps and looks
// tokens up by. A token has 256 bits of entropy, so a fast hash suffices.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// TokenHint returns the part of a token that may be shown again later to
// recognise it (prefix and four characters).
func TokenHint(token string) string {
	if len(token) < len(TokenPrefix)+4 {
		return token
	}
	return token[:len(TokenPrefix)+4]
}
