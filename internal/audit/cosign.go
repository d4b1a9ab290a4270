package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// Cosigner makes C2SP cosignature/v1 signatures with a witness's Ed25519
// key. Unlike a note.Signer it takes the time as an argument: this package
// has no clock.
type Cosigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
}

// NewCosigner returns the cosigner for a private key made by [GenerateKey].
func NewCosigner(skey string) (*Cosigner, error) {
	const op = "audit.NewCosigner"
	skey = strings.TrimSpace(skey)
	if _, err := note.NewSigner(skey); err != nil {
		return nil, errs.E(op, errs.Invalid, "not a signed-note private key (PRIVATE+KEY+name+hash+base64)", err)
	}
	parts := strings.SplitN(skey, "+", 5)
	key, _ := base64.StdEncoding.DecodeString(parts[4])
	if len(key) != 1+ed25519.SeedSize || key[0] != algEd25519 {
		return nil, errs.E(op, errs.Invalid, "not an Ed25519 private key")
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	pub := priv.Public().(ed25519.PublicKey)
	return &Cosigner{name: parts[2], hash: cosignKeyHash(parts[2], pub), priv: priv}, nil
}

// Name returns the witness's key name.
func (c *Cosigner) Name() string { return c.name }

// Sign returns a cosignature/v1 signature line ("— name base64\n") on a
// checkpoint body at time t (Unix seconds). It signs whatever it is given:
// use [Cosign], which first checks that the log only grew.
func (c *Cosigner) Sign(body []byte, t time.Time) string {
	ts := uint64(t.Unix())
	msg := fmt.Appendf(nil, "cosignature/v1\ntime %d\n%s", ts, body)
	sig := make([]byte, 0, 4+8+ed25519.SignatureSize)
	sig = binary.BigEndian.AppendUint32(sig, c.hash)
	sig = binary.BigEndian.AppendUint64(sig, ts)
	sig = append(sig, ed25519.Sign(c.priv, msg)...)
	return "— " + c.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
}

// CheckExtension checks that checkpoint next is an append-only extension of
// prev, the last checkpoint a witness accepted, using the RFC 6962
// consistency proof from prev.Size to next.Size. It verifies with
// transparency-dev/merkle, not tlog. A shrunk or forked log is errs.Conflict
// with a message that says which.
func CheckExtension(prev, next Checkpoint, consistency []tlog.Hash) error {
	const op = "audit.CheckExtension"
	switch {
	case prev.Origin != next.Origin:
		return errs.Errorf(op, errs.Conflict, "checkpoint is for log %q, not %q", next.Origin, prev.Origin)
	case next.Size < prev.Size:
		return errs.Errorf(op, errs.Conflict,
			"the log shrank: new checkpoint has %d leaves, but size %d was already cosigned", next.Size, prev.Size)
	case next.Size == prev.Size && next.Root != prev.Root:
		return errs.Errorf(op, errs.Conflict,
			"the log forked: two different roots for size %d (cosigned %s, now %s)", next.Size, prev, next)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(prev.Size), uint64(next.Size),
		hashSlices(consistency), prev.Root[:], next.Root[:]); err != nil {
		return errs.E(op, errs.Conflict, fmt.Sprintf(
			"the log forked: checkpoint at size %d is not an extension of the cosigned checkpoint at size %d", next.Size, prev.Size), err)
	}
	return nil
}

func hashSlices(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// Cosign is a witness's whole step: it opens the signed checkpoint next with
// the trusted keys, checks that it extends prev (the witness's state; nil on
// first use, which trusts the checkpoint as it is), and only then returns its
// cosignature line and the new state. now is the cosignature's timestamp.
func Cosign(c *Cosigner, keys *Keys, prev *Checkpoint, next []byte, consistency []tlog.Hash, now time.Time) (string, SignedCheckpoint, error) {
	sc, err := keys.OpenCheckpoint(next)
	if err != nil {
		return "", SignedCheckpoint{}, err
	}
	if prev != nil {
		if err := CheckExtension(*prev, sc.Checkpoint, consistency); err != nil {
			return "", SignedCheckpoint{}, err
		}
	}
	return c.Sign(sc.Marshal(), now), sc, nil
}

// CosignatureKeyHash returns the key hash that a witness key's cosignature
// lines carry: the hash of its type 0x04 form, whichever form vkey is in.
func CosignatureKeyHash(vkey string) (uint32, error) {
	name, key, err := splitVerifierKey(vkey)
	if err != nil {
		return 0, err
	}
	return cosignKeyHash(name, key[1:]), nil
}

// VerifyCosignature checks one cosignature/v1 line by witness vkey on the
// signed checkpoint msg, using the independent verifier of
// transparency-dev/formats. A bad signature is errs.Conflict.
func VerifyCosignature(vkey string, msg []byte, line string) error {
	const op = "audit.VerifyCosignature"
	vkey = strings.TrimSpace(vkey)
	if _, _, err := splitVerifierKey(vkey); err != nil {
		return errs.E(op, errs.Invalid, "not a witness verifier key", err)
	}
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return errs.E(op, errs.Invalid, "not a witness verifier key", err)
	}
	cl, err := ParseCosignatureLine(line)
	if err != nil {
		return errs.E(op, err)
	}
	withLine, err := AddCosignatures(msg, cl.Line)
	if err != nil {
		return err
	}
	n, err := note.Open(withLine, note.VerifierList(v))
	if err != nil {
		return errs.E(op, errs.Conflict, "cosignature by "+v.Name()+" does not verify", err)
	}
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			return nil
		}
	}
	return errs.E(op, errs.Conflict, "no cosignature by "+v.Name())
}

// CosignatureLine is a cosignature/v1 signature line, read for its form
// only: who says they signed (name and key hash), and the line as the note
// holds it (ending in one newline).
type CosignatureLine struct {
	Name string
	Hash uint32
	Line string
}

// ParseCosignatureLine reads a cosignature line ("— name base64", the
// base64 of a 4-byte key hash, an 8-byte timestamp and a 64-byte Ed25519
// signature) before any key is tried, so that a malformed line is said to
// be one (errs.Invalid) rather than a signature that does not verify. A
// line without its final newline, as a shell's $(…) leaves it, is taken
// as the same line.
func ParseCosignatureLine(line string) (CosignatureLine, error) {
	const op = "audit.ParseCosignatureLine"
	bad := func(why string) (CosignatureLine, error) {
		return CosignatureLine{}, errs.E(op, errs.Invalid, "not a cosignature line (\"— <witness key name> <base64>\"): "+why)
	}
	body := strings.TrimSuffix(line, "\n")
	switch {
	case strings.TrimSpace(body) == "":
		return bad("it is empty")
	case strings.Contains(body, "\n"):
		return bad("it must be one line")
	}
	rest, ok := strings.CutPrefix(body, "— ")
	if !ok {
		return bad("it must start with \"— \" (an em dash and a space), as " + abbrev(body) + " does not")
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok || name == "" || b64 == "" || strings.Contains(b64, " ") {
		return bad("it must hold a key name and a signature, separated by one space")
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return bad("the signature is not base64")
	}
	if len(sig) != 4+8+ed25519.SignatureSize {
		return bad(fmt.Sprintf("the signature is %d bytes, too short or long for a timestamped Ed25519 cosignature (76)", len(sig)))
	}
	return CosignatureLine{Name: name, Hash: binary.BigEndian.Uint32(sig), Line: body + "\n"}, nil
}
