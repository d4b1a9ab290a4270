package audit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
)

// Digest is a SHA-256 value: a commitment. Its text form is 64 lowercase hex
// digits.
type Digest [32]byte

// String returns d in lowercase hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// IsZero reports whether d is all zero bytes (the "absent" value).
func (d Digest) IsZero() bool { return d == Digest{} }

// ParseDigest parses 64 lowercase hex digits.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != 64 || strings.ToLower(s) != s {
		return d, errs.Errorf("audit.ParseDigest", errs.Invalid, "digest %q is not 64 lowercase hex digits", s)
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return d, errs.Errorf("audit.ParseDigest", errs.Invalid, "digest %q is not 64 lowercase hex digits", s)
	}
	return d, nil
}

// Domain-separation tags for commitments (docs/design/log.md §2). A tag
// names what is committed to and the version of its content encoding.
const (
	TagRecord    = "handover/record/v1"
	TagMatch     = "handover/match/v1"
	TagList      = "handover/list/v1"
	TagAgreement = "handover/agreement/v1"
	TagHandover  = "handover/handover/v1"
	TagKey       = "handover/key/v1"
	TagExchange  = "handover/exchange/v1"
	TagAnswer    = "handover/answer/v1"
	TagEvidence  = "handover/evidence/v1"
	TagCase      = "handover/case/v1"
	// TagCheckpoint and TagCosignature commit to public content (nonce
	// all zeros): a checkpoint's body, a cosignature line.
	TagCheckpoint  = "handover/checkpoint/v1"
	TagCosignature = "handover/cosignature/v1"
)

// Nonce is the secret 32-byte value that blinds a commitment. It is stored
// with the committed version and shown only to those who may see it.
type Nonce [32]byte

// NewNonce returns a fresh nonce from crypto/rand.
func NewNonce() (Nonce, error) {
	var n Nonce
	if _, err := rand.Read(n[:]); err != nil {
		return n, errs.E("audit.NewNonce", errs.Internal, err)
	}
	return n, nil
}

// Commit returns SHA-256(tag || 0x00 || nonce || content). The tag must be
// NUL-free ASCII; Commit panics otherwise, since tags are constants.
func Commit(tag string, nonce Nonce, content []byte) Digest {
	if tag == "" || strings.IndexByte(tag, 0) >= 0 || !isASCII(tag) {
		panic("audit.Commit: bad tag " + tag)
	}
	h := sha256.New()
	h.Write([]byte(tag))
	h.Write([]byte{0})
	h.Write(nonce[:])
	h.Write(content)
	var d Digest
	h.Sum(d[:0])
	return d
}

// CommitFields is Commit over [CanonicalJSON] of fields: how the store
// commits to a record version.
func CommitFields(tag string, nonce Nonce, fields map[string]string) (Digest, error) {
	b, err := CanonicalJSON(fields)
	if err != nil {
		return Digest{}, err
	}
	return Commit(tag, nonce, b), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func utf8ValidString(s string) bool { return utf8.ValidString(s) }

// CommitKey returns the commitment of a key.registered leaf: the verifier
// key is public, so the nonce is all zeros and anyone can check it.
func CommitKey(vkey string) Digest { return Commit(TagKey, Nonce{}, []byte(vkey)) }

// CommitCheckpoint returns the commitment of a log.checkpoint leaf: to the
// checkpoint's body, public, so the nonce is all zeros.
func CommitCheckpoint(c Checkpoint) Digest { return Commit(TagCheckpoint, Nonce{}, c.Marshal()) }

// CommitCosignature returns the commitment of a log.cosigned leaf: to the
// cosignature line as stored, newline included (public, zero nonce).
func CommitCosignature(line string) Digest { return Commit(TagCosignature, Nonce{}, []byte(line)) }

// CheckpointSubject is the subject of the log.checkpoint and log.cosigned
// leaves about the checkpoint of a size: "checkpoint:120".
func CheckpointSubject(size int64) string { return "checkpoint:" + strconv.FormatInt(size, 10) }
