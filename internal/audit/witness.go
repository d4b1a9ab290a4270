package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// The witness protocol (C2SP tlog-witness): a log submits each new
// checkpoint to a witness with "add-checkpoint", giving the size the
// witness cosigned last and the consistency proof from it; the witness
// checks, remembers the new checkpoint and answers with its cosignature.
// This file holds the protocol's messages and the witness's decision,
// without a clock, storage or HTTP; internal/witness serves and calls it.

// Statuses of add-checkpoint refusals, as tlog-witness names them.
const (
	WitnessBadRequest    = 400 // malformed body, or old size above the checkpoint's
	WitnessForbidden     = 403 // no valid signature by the log's key, or a bad one
	WitnessUnknownLog    = 404 // an origin the witness does not witness
	WitnessConflict      = 409 // old size is not the size the witness cosigned last
	WitnessUnprocessable = 422 // the proof does not verify, or the roots differ
)

// MaxWitnessProof is the most consistency proof lines a request may carry.
const MaxWitnessProof = 63

// AddCheckpoint is the body of an add-checkpoint request.
type AddCheckpoint struct {
	OldSize    int64
	Proof      []tlog.Hash
	Checkpoint []byte // the signed note
}

// Marshal encodes the request: "old N", one base64 hash a line, an empty
// line, the checkpoint.
func (a AddCheckpoint) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", a.OldSize)
	for _, h := range a.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(a.Checkpoint)
	return b.Bytes()
}

// ParseAddCheckpoint reads an add-checkpoint request body. A malformed one
// is a WitnessRefusal with status 400.
func ParseAddCheckpoint(body []byte) (AddCheckpoint, error) {
	bad := func(format string, args ...any) (AddCheckpoint, error) {
		return AddCheckpoint{}, &WitnessRefusal{Status: WitnessBadRequest, Reason: fmt.Sprintf(format, args...)}
	}
	var a AddCheckpoint
	line, rest, ok := bytes.Cut(body, []byte("\n"))
	if !ok {
		return bad("the body must start with the line \"old <size>\"")
	}
	n, ok := strings.CutPrefix(string(line), "old ")
	size, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || size < 0 || strconv.FormatInt(size, 10) != n {
		return bad("the first line must be \"old <size>\" with the size in decimal, not %s", abbrev(string(line)))
	}
	a.OldSize = size
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return bad("no empty line before the checkpoint")
		}
		if len(line) == 0 {
			break
		}
		if len(a.Proof) == MaxWitnessProof {
			return bad("more than %d consistency proof lines", MaxWitnessProof)
		}
		h, err := base64.StdEncoding.DecodeString(string(line))
		if err != nil || len(h) != tlog.HashSize {
			return bad("proof line %d is not a base64 SHA-256 hash", len(a.Proof)+1)
		}
		a.Proof = append(a.Proof, tlog.Hash(h))
	}
	a.Checkpoint = rest
	return a, nil
}

// WitnessRefusal is a witness's refusal of add-checkpoint: the status the
// protocol gives it, the size the witness cosigned last (with
// WitnessConflict), and why.
type WitnessRefusal struct {
	Status int
	Size   int64
	Reason string
}

func (r *WitnessRefusal) Error() string {
	if r.Status == WitnessConflict {
		return fmt.Sprintf("witness: %s (it cosigned size %d last)", r.Reason, r.Size)
	}
	return "witness: " + r.Reason
}

// WitnessAdd is a witness's whole decision on an add-checkpoint request:
// the checkpoint is signed by the log key in keys, old is the size it
// cosigned last (last; nil before its first cosignature, which is size 0),
// the proof shows the checkpoint extends it, and only then it returns its
// cosignature line at time now and the checkpoint to remember. The caller
// must check last and store the result atomically (tlog-witness: two
// requests racing must not roll the witness back). Every refusal is a
// *WitnessRefusal.
func WitnessAdd(c *Cosigner, keys *Keys, last *Checkpoint, req AddCheckpoint, now time.Time) (string, SignedCheckpoint, error) {
	refuse := func(status int, format string, args ...any) (string, SignedCheckpoint, error) {
		r := &WitnessRefusal{Status: status, Reason: fmt.Sprintf(format, args...)}
		if last != nil {
			r.Size = last.Size
		}
		return "", SignedCheckpoint{}, r
	}
	peek, err := PeekCheckpoint(req.Checkpoint)
	if err != nil {
		return refuse(WitnessBadRequest, "not a signed checkpoint: %s", errs.Message(err))
	}
	if peek.Origin != keys.Origin {
		return refuse(WitnessUnknownLog, "this witness does not witness the log %q", peek.Origin)
	}
	sc, err := keys.OpenCheckpoint(req.Checkpoint)
	if err != nil {
		if errs.Is(errs.Invalid, err) {
			return refuse(WitnessBadRequest, "%s", errs.Message(err))
		}
		return refuse(WitnessForbidden, "%s", errs.Message(err))
	}
	next := sc.Checkpoint
	if req.OldSize > next.Size {
		return refuse(WitnessBadRequest, "old size %d is above the checkpoint's size %d", req.OldSize, next.Size)
	}
	var lastSize int64
	if last != nil {
		lastSize = last.Size
	}
	if req.OldSize != lastSize {
		return refuse(WitnessConflict, "old size %d is not the size this witness cosigned last", req.OldSize)
	}
	if next.Size == 0 && next.Root != tlog.Hash(sha256.Sum256(nil)) {
		return refuse(WitnessUnprocessable, "a checkpoint of size 0 must have the empty tree's root")
	}
	switch {
	case req.OldSize == 0:
		if len(req.Proof) != 0 {
			return refuse(WitnessUnprocessable, "a proof from size 0 must be empty")
		}
	default:
		if err := CheckExtension(*last, next, req.Proof); err != nil {
			return refuse(WitnessUnprocessable, "%s", errs.Message(err))
		}
	}
	return c.Sign(sc.Marshal(), now), sc, nil
}
