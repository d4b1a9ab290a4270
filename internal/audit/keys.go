package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/errs"
)

const algEd25519 = 1 // signed-note algorithm byte of an Ed25519 key

// GenerateKey makes an Ed25519 signed-note key pair named name: the private
// key skey ("PRIVATE+KEY+name+hash+…"), which never leaves its owner's
// machine, and the public verifier key vkey ("name+hash+…"). The same key
// signs checkpoints (the server's) or cosigns them (a witness's).
func GenerateKey(name string) (skey, vkey string, err error) {
	return generateKey(rand.Reader, name)
}

func generateKey(r io.Reader, name string) (skey, vkey string, err error) {
	if !validKeyName(name) {
		return "", "", errs.Errorf("audit.GenerateKey", errs.Invalid,
			"key name %q must be non-empty, without spaces or '+'", name)
	}
	skey, vkey, err = note.GenerateKey(r, name)
	if err != nil {
		return "", "", errs.E("audit.GenerateKey", errs.Internal, err)
	}
	return skey, vkey, nil
}

func validKeyName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 &&
		!strings.Contains(name, "+")
}

// KeyKind is the signature type of a verifier key: its algorithm byte.
type KeyKind byte

const (
	// KeyNote is a signed-note Ed25519 key (type 0x01), as 'handover keygen'
	// prints it: it signs checkpoints, agreements and endorsements, and as a
	// witness key it verifies cosignatures too.
	KeyNote KeyKind = algEd25519
	// KeyCosignature is a C2SP tlog-cosignature Ed25519 key (type 0x04), as
	// a standard witness (litewitness, say) prints it: it verifies
	// timestamped cosignatures only.
	KeyCosignature KeyKind = algCosignature
)

const algCosignature = 4 // tlog-cosignature algorithm byte of an Ed25519 key

// KeyType returns the kind of a verifier key, after checking its form and
// its key hash.
func KeyType(vkey string) (KeyKind, error) {
	_, key, err := splitVerifierKey(vkey)
	if err != nil {
		return 0, err
	}
	return KeyKind(key[0]), nil
}

// splitVerifierKey returns the name and the key bytes (algorithm byte
// first) of a vkey of either kind, after checking its key hash:
// SHA-256(name || "\n" || algorithm byte || public key), first four bytes.
func splitVerifierKey(vkey string) (name string, key []byte, err error) {
	bad := func(why string) (string, []byte, error) {
		return "", nil, errs.E("audit.ParseVerifierKey", errs.Invalid,
			"not an Ed25519 verifier key (name+hash+base64, type 0x01 or 0x04): "+why+": "+abbrev(vkey))
	}
	name, rest, ok1 := strings.Cut(vkey, "+")
	hash16, key64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validKeyName(name) || len(hash16) != 8 {
		return bad("not name+hash+key")
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil {
		return bad("the hash is not 8 hex digits")
	}
	key, err = base64.StdEncoding.DecodeString(key64)
	if err != nil {
		return bad("the key is not base64")
	}
	if len(key) != 1+ed25519.PublicKeySize || (key[0] != algEd25519 && key[0] != algCosignature) {
		return bad("not an Ed25519 key of type 0x01 or 0x04")
	}
	if uint32(hash) != keyHash(name, key) {
		return bad("the key hash does not match the name and key")
	}
	return name, key, nil
}

// keyHash is a verifier key's hash: the first four bytes, big-endian, of
// SHA-256(name || "\n" || algorithm byte || public key).
func keyHash(name string, algKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(algKey)
	s := h.Sum(nil)
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

// Fingerprint returns the fingerprint of a verifier key, for checking it over
// another channel (read aloud, on paper): the first 16 bytes of
// SHA-256(name || "\n" || algorithm byte || public key), in lowercase hex in
// eight groups of four.
func Fingerprint(vkey string) (string, error) {
	name, key, err := splitVerifierKey(vkey)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(key)
	sum := hex.EncodeToString(h.Sum(nil)[:16])
	var b strings.Builder
	for i := 0; i < len(sum); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sum[i : i+4])
	}
	return b.String(), nil
}

// KeyName returns the name part of a verifier or signer key.
func KeyName(key string) string {
	key = strings.TrimPrefix(key, "PRIVATE+KEY+")
	name, _, _ := strings.Cut(key, "+")
	return name
}

// NewLogSigner returns the signer of checkpoints for the server's private
// key. Its name must be the log's origin (docs/design/log.md §4).
func NewLogSigner(skey string) (note.Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, errs.E("audit.NewLogSigner", errs.Invalid, "not a signed-note private key", err)
	}
	return s, nil
}

// WitnessKey is a trusted witness (a party's bureau or the mediator): its
// name, its verifier key and the cosignature/v1 verifier derived from it.
// [NewKeys] makes them.
type WitnessKey struct {
	Name     string
	VKey     string
	verifier note.Verifier
}

// Keys is a set of trusted public keys for one log: the log key, whose name
// is the log's origin, and the witness keys. It implements note.Verifiers,
// so it can open a checkpoint with its cosignatures. Make one with [NewKeys]
// or [ParseKeys]; it is read-only afterwards and safe for concurrent use.
type Keys struct {
	Origin    string
	LogKey    string // the log's verifier key
	Witnesses []WitnessKey

	log note.Verifier
}

// NewKeys builds a key set from verifier keys: the one named origin is the
// log key (exactly one is required), every other one a witness key.
func NewKeys(origin string, vkeys ...string) (*Keys, error) {
	const op = "audit.NewKeys"
	k := &Keys{Origin: origin}
	seen := map[string]bool{}
	for _, vk := range vkeys {
		name, _, err := splitVerifierKey(vk)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, errs.Errorf(op, errs.Invalid, "two keys are named %q", name)
		}
		seen[name] = true
		if name == origin {
			v, err := note.NewVerifier(vk)
			if err != nil {
				return nil, errs.Errorf(op, errs.Invalid,
					"the log key %s must be a signed-note key (type 0x01), as 'handover keygen' prints it; a cosignature key (0x04) cannot sign checkpoints", name)
			}
			k.LogKey, k.log = vk, v
			continue
		}
		v, err := fnote.NewVerifierForCosignatureV1(vk)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "witness key "+name+" cannot verify cosignatures", err)
		}
		k.Witnesses = append(k.Witnesses, WitnessKey{Name: name, VKey: vk, verifier: v})
	}
	if k.log == nil {
		return nil, errs.Errorf(op, errs.Invalid, "no key named %q (the log's origin) among the trusted keys", origin)
	}
	return k, nil
}

// ParseKeys reads a keys file (docs/design/log.md §5): one verifier key per
// line; blank lines and lines starting with '#' are skipped; anything after
// the key, separated by white space, is a comment.
func ParseKeys(data []byte, origin string) (*Keys, error) {
	var vkeys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if _, _, err := splitVerifierKey(f[0]); err != nil {
			return nil, errs.E("audit.ParseKeys", errs.Invalid, errs.FieldError{Where: "line " + strconv.Itoa(line), Field: "key", Message: "not an Ed25519 verifier key (name+hash+base64, type 0x01 or 0x04)", Code: "not_ed25519_key"})
		}
		vkeys = append(vkeys, f[0])
	}
	if err := sc.Err(); err != nil {
		return nil, errs.E("audit.ParseKeys", errs.Invalid, "cannot read keys file", err)
	}
	return NewKeys(origin, vkeys...)
}

// Witness returns the witness key named name.
func (k *Keys) Witness(name string) (WitnessKey, bool) {
	for _, w := range k.Witnesses {
		if w.Name == name {
			return w, true
		}
	}
	return WitnessKey{}, false
}

// Verifier implements note.Verifiers: the log key verifies plain signatures,
// witness keys verify cosignature/v1 signatures.
func (k *Keys) Verifier(name string, hash uint32) (note.Verifier, error) {
	if k.log != nil && name == k.log.Name() && hash == k.log.KeyHash() {
		return k.log, nil
	}
	for _, w := range k.Witnesses {
		if name == w.Name && hash == w.verifier.KeyHash() {
			return w.verifier, nil
		}
	}
	return nil, &note.UnknownVerifierError{Name: name, KeyHash: hash}
}

func abbrev(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40] + "…")
	}
	return strconv.Quote(s)
}

// cosignKeyHash is the key hash of a cosignature/v1 Ed25519 key: the first
// four bytes, big-endian, of SHA-256(name || "\n" || 0x04 || public key).
func cosignKeyHash(name string, pub ed25519.PublicKey) uint32 {
	return keyHash(name, append([]byte{algCosignature}, pub...))
}
