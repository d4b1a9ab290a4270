package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// Checkpoint is the log's statement of its size and root (C2SP
// tlog-checkpoint), without extension lines.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// String returns a short form for messages: "size 120, root 3Y1n…".
func (c Checkpoint) String() string {
	return fmt.Sprintf("size %d, root %s", c.Size, base64.StdEncoding.EncodeToString(c.Root[:])[:12]+"…")
}

// Marshal returns the checkpoint body: origin, size and base64 root, each
// followed by a newline.
func (c Checkpoint) Marshal() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses a checkpoint body (not a signed note: see
// [Keys.OpenCheckpoint]). It refuses extension lines, which this log never
// writes, and non-canonical numbers.
func ParseCheckpoint(body []byte) (Checkpoint, error) {
	const op = "audit.ParseCheckpoint"
	lines := strings.Split(string(body), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, errs.E(op, errs.Invalid, "checkpoint must be exactly three lines: origin, size, root")
	}
	c := Checkpoint{Origin: lines[0]}
	if c.Origin == "" || strings.TrimSpace(c.Origin) != c.Origin {
		return Checkpoint{}, errs.E(op, errs.Invalid, "checkpoint origin is empty or has surrounding space")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, errs.Errorf(op, errs.Invalid, "checkpoint size %q is not a decimal number", lines[1])
	}
	c.Size = n
	root, err := decodeCanonicalBase64(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, errs.Errorf(op, errs.Invalid, "checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(c.Root[:], root)
	return c, nil
}

// SignCheckpoint returns c as a signed note, signed by the log's key. The
// signer's name must be the checkpoint's origin.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	const op = "audit.SignCheckpoint"
	if s.Name() != c.Origin {
		return nil, errs.Errorf(op, errs.Invalid, "log key %q does not match the origin %q", s.Name(), c.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Marshal())}, s)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return msg, nil
}

// PeekCheckpoint parses a signed checkpoint without checking any signature:
// only to learn its origin and size before choosing keys. Never trust it.
func PeekCheckpoint(msg []byte) (Checkpoint, error) {
	body, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, errs.E("audit.PeekCheckpoint", errs.Invalid, "not a signed note: no blank line before the signatures")
	}
	return ParseCheckpoint(append(body, '\n'))
}

// SignedCheckpoint is a checkpoint whose log signature verified, with the
// witnesses whose cosignatures verified.
type SignedCheckpoint struct {
	Checkpoint
	Note      []byte   // the signed note as given
	Cosigners []string // names of witnesses with a valid cosignature, in note order
	Unknown   []string // names of signers not among the trusted keys
}

// CosignedBy reports whether witness name has a valid cosignature on c.
func (c SignedCheckpoint) CosignedBy(name string) bool {
	for _, n := range c.Cosigners {
		if n == name {
			return true
		}
	}
	return false
}

// OpenCheckpoint verifies a signed checkpoint: a valid signature by the log
// key, a valid checkpoint body with the log's origin, and every signature
// from a trusted witness valid. Signatures by unknown keys are listed but do
// not count. A missing or bad signature is errs.Conflict; a malformed note
// errs.Invalid.
func (k *Keys) OpenCheckpoint(msg []byte) (SignedCheckpoint, error) {
	const op = "audit.OpenCheckpoint"
	n, err := note.Open(msg, k)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return SignedCheckpoint{}, errs.Errorf(op, errs.Conflict,
				"checkpoint is not signed by the log key %s: signed only by unknown key(s) %s",
				k.log.Name(), signerNames(unverified.Note.UnverifiedSigs))
		case errors.As(err, &invalid):
			return SignedCheckpoint{}, errs.Errorf(op, errs.Conflict,
				"checkpoint signature by %s does not verify: the checkpoint was altered or the signature forged", invalid.Name)
		}
		return SignedCheckpoint{}, errs.E(op, errs.Invalid, "checkpoint is not a valid signed note", err)
	}
	sc := SignedCheckpoint{Note: msg}
	logSigned := false
	for _, s := range n.Sigs {
		if s.Name == k.log.Name() && s.Hash == k.log.KeyHash() {
			logSigned = true
		} else {
			sc.Cosigners = append(sc.Cosigners, s.Name)
		}
	}
	for _, s := range n.UnverifiedSigs {
		sc.Unknown = append(sc.Unknown, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	if !logSigned {
		return SignedCheckpoint{}, errs.Errorf(op, errs.Conflict,
			"checkpoint is not signed by the log key %s (unknown signers: %s)", k.log.Name(), strings.Join(sc.Unknown, ", "))
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if c.Origin != k.Origin {
		return SignedCheckpoint{}, errs.Errorf(op, errs.Conflict, "checkpoint origin %q is not the log's origin %q", c.Origin, k.Origin)
	}
	sc.Checkpoint = c
	return sc, nil
}

func signerNames(sigs []note.Signature) string {
	var names []string
	for _, s := range sigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// AddCosignatures appends cosignature lines (from [Cosigner.Cosign]) to a
// signed checkpoint, skipping lines it already has. This is how the server
// serves a checkpoint with the cosignatures it stored.
func AddCosignatures(msg []byte, lines ...string) ([]byte, error) {
	if !bytes.Contains(msg, []byte("\n\n")) || !bytes.HasSuffix(msg, []byte("\n")) {
		return nil, errs.E("audit.AddCosignatures", errs.Invalid, "not a signed note")
	}
	out := bytes.Clone(msg)
	for _, l := range lines {
		if !strings.HasPrefix(l, "— ") || !strings.HasSuffix(l, "\n") || strings.Count(l, "\n") != 1 {
			return nil, errs.Errorf("audit.AddCosignatures", errs.Invalid, "%s is not a signature line", abbrev(l))
		}
		if bytes.Contains(out, []byte("\n"+l)) {
			continue
		}
		out = append(out, l...)
	}
	return out, nil
}

// CheckpointSchedule says when the server makes a new checkpoint: after
// EveryLeaves new leaves or Every time since the last one, whichever comes
// first (a zero value disables that trigger), and on demand.
type CheckpointSchedule struct {
	EveryLeaves int64
	Every       time.Duration
}

// Due reports whether a checkpoint is due for a log of size leaves at time
// now, when the last checkpoint had lastSize leaves and was made at lastAt.
// A log that has not grown needs none.
func (s CheckpointSchedule) Due(lastSize int64, lastAt time.Time, size int64, now time.Time) bool {
	if size <= lastSize {
		return false
	}
	if s.EveryLeaves > 0 && size-lastSize >= s.EveryLeaves {
		return true
	}
	return s.Every > 0 && now.Sub(lastAt) >= s.Every
}
