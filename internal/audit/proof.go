package audit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// Proof file headers (docs/design/log.md §8).
const (
	InclusionHeader   = "c2sp.org/tlog-proof@v1"
	ConsistencyHeader = "handover/consistency-proof@v1"
)

// InclusionProof shows that leaf Index, with the given bytes, is in the log
// whose signed checkpoint is Checkpoint. Its file form is C2SP tlog-proof
// with the leaf as the extra data.
type InclusionProof struct {
	Index      int64
	Leaf       []byte      // canonical leaf bytes
	Hashes     []tlog.Hash // RFC 6962 inclusion path, leaf to root
	Checkpoint []byte      // signed note, with cosignatures
}

// ConsistencyProof shows that the log at checkpoint New extends the log at
// checkpoint Old.
type ConsistencyProof struct {
	Old    []byte      // signed note of the smaller checkpoint
	New    []byte      // signed note of the larger checkpoint
	Hashes []tlog.Hash // RFC 6962 consistency path from Old's size to New's
}

// ProveInclusion makes the inclusion proof of leaf index in the tree of the
// given size, whose signed checkpoint is cp, reading stored hashes from r.
func ProveInclusion(index int64, leaf []byte, size int64, cp []byte, r HashStore) (InclusionProof, error) {
	if index < 0 || index >= size {
		return InclusionProof{}, errs.Errorf("audit.ProveInclusion", errs.Invalid, "leaf %d is not in a log of %d leaves", index, size)
	}
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return InclusionProof{}, errs.E("audit.ProveInclusion", errs.Internal, err)
	}
	return InclusionProof{Index: index, Leaf: leaf, Hashes: p, Checkpoint: cp}, nil
}

// ProveConsistency makes the consistency proof from the tree of oldSize
// leaves to the tree of newSize leaves, with their signed checkpoints.
func ProveConsistency(oldSize, newSize int64, oldCP, newCP []byte, r HashStore) (ConsistencyProof, error) {
	if oldSize < 0 || oldSize > newSize {
		return ConsistencyProof{}, errs.Errorf("audit.ProveConsistency", errs.Invalid, "no consistency proof from size %d to size %d", oldSize, newSize)
	}
	var p tlog.TreeProof
	if oldSize > 0 {
		var err error
		if p, err = tlog.ProveTree(newSize, oldSize, r); err != nil {
			return ConsistencyProof{}, errs.E("audit.ProveConsistency", errs.Internal, err)
		}
	}
	return ConsistencyProof{Old: oldCP, New: newCP, Hashes: p}, nil
}

// Marshal returns the proof file.
func (p InclusionProof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(InclusionHeader + "\n")
	b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Leaf) + "\n")
	fmt.Fprintf(&b, "index %d\n", p.Index)
	writeHashes(&b, p.Hashes)
	b.WriteByte('\n')
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// Marshal returns the proof file.
func (p ConsistencyProof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(ConsistencyHeader + "\n")
	b.WriteString("old " + base64.StdEncoding.EncodeToString(p.Old) + "\n")
	writeHashes(&b, p.Hashes)
	b.WriteByte('\n')
	b.Write(p.New)
	return b.Bytes()
}

func writeHashes(b *bytes.Buffer, hs []tlog.Hash) {
	for _, h := range hs {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
}

// proofReader reads the line-oriented head of a proof file.
type proofReader struct {
	rest []byte
	line int
}

func (r *proofReader) next() (string, bool) {
	i := bytes.IndexByte(r.rest, '\n')
	if i < 0 {
		return "", false
	}
	s := string(r.rest[:i])
	r.rest = r.rest[i+1:]
	r.line++
	return s, true
}

func (r *proofReader) fail(op, format string, args ...any) error {
	return errs.E(op, errs.Invalid, errs.FieldError{Where: "line " + strconv.Itoa(r.line), Field: "proof", Message: fmt.Sprintf(format, args...)})
}

// hashes reads base64 hash lines up to the blank line before the note.
func (r *proofReader) hashes(op string) ([]tlog.Hash, error) {
	var hs []tlog.Hash
	for {
		s, ok := r.next()
		if !ok {
			return nil, r.fail(op, "missing the blank line before the checkpoint")
		}
		if s == "" {
			return hs, nil
		}
		b, err := decodeCanonicalBase64(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, r.fail(op, "%s is not a base64 SHA-256 hash", abbrev(s))
		}
		hs = append(hs, tlog.Hash(b))
	}
}

// ParseInclusionProof parses an inclusion proof file.
func ParseInclusionProof(data []byte) (InclusionProof, error) {
	const op = "audit.ParseInclusionProof"
	r := &proofReader{rest: data}
	if s, _ := r.next(); s != InclusionHeader {
		return InclusionProof{}, r.fail(op, "not an inclusion proof: first line must be %q", InclusionHeader)
	}
	var p InclusionProof
	s, _ := r.next()
	extra, ok := strings.CutPrefix(s, "extra ")
	if !ok {
		return InclusionProof{}, r.fail(op, "missing the \"extra\" line with the leaf")
	}
	leaf, err := decodeCanonicalBase64(extra)
	if err != nil {
		return InclusionProof{}, r.fail(op, "leaf is not base64")
	}
	p.Leaf = leaf
	s, _ = r.next()
	idx, ok := strings.CutPrefix(s, "index ")
	n, err := strconv.ParseInt(idx, 10, 64)
	if !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != idx {
		return InclusionProof{}, r.fail(op, "missing or bad \"index N\" line")
	}
	p.Index = n
	if p.Hashes, err = r.hashes(op); err != nil {
		return InclusionProof{}, err
	}
	p.Checkpoint = r.rest
	return p, nil
}

// ParseConsistencyProof parses a consistency proof file.
func ParseConsistencyProof(data []byte) (ConsistencyProof, error) {
	const op = "audit.ParseConsistencyProof"
	r := &proofReader{rest: data}
	if s, _ := r.next(); s != ConsistencyHeader {
		return ConsistencyProof{}, r.fail(op, "not a consistency proof: first line must be %q", ConsistencyHeader)
	}
	var p ConsistencyProof
	s, _ := r.next()
	old, ok := strings.CutPrefix(s, "old ")
	b, err := decodeCanonicalBase64(old)
	if !ok || err != nil {
		return ConsistencyProof{}, r.fail(op, "missing or bad \"old\" line with the old checkpoint")
	}
	p.Old = b
	if p.Hashes, err = r.hashes(op); err != nil {
		return ConsistencyProof{}, err
	}
	p.New = r.rest
	return p, nil
}

// InclusionResult is what a verified inclusion proof established.
type InclusionResult struct {
	Leaf       Leaf
	Index      int64
	Checkpoint SignedCheckpoint
	Final      bool     // the policy holds (always true for types without a finality rule)
	Missing    []string // required witnesses that have not cosigned
}

// Verify checks the proof offline against trusted keys: the checkpoint's log
// signature and cosignatures, the leaf's canonical form, the inclusion path
// (with transparency-dev/merkle) and, for event types that need it, the
// finality policy. A proof that does not hold is errs.Conflict; a malformed
// one errs.Invalid.
func (p InclusionProof) Verify(keys *Keys, policy Policy) (InclusionResult, error) {
	const op = "audit.InclusionProof.Verify"
	sc, err := keys.OpenCheckpoint(p.Checkpoint)
	if err != nil {
		return InclusionResult{}, err
	}
	leaf, err := DecodeLeaf(p.Leaf)
	if err != nil {
		return InclusionResult{}, wrap(op, fmt.Sprintf("leaf %d in the proof", p.Index), err)
	}
	if p.Index >= sc.Size {
		return InclusionResult{}, errs.Errorf(op, errs.Conflict, "leaf %d is beyond the checkpoint's %d leaves", p.Index, sc.Size)
	}
	lh := LeafHash(p.Leaf)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Index), uint64(sc.Size), lh[:], hashSlices(p.Hashes), sc.Root[:]); err != nil {
		return InclusionResult{}, errs.E(op, errs.Conflict,
			fmt.Sprintf("leaf %d is not in the log at checkpoint size %d: the inclusion proof does not lead to the signed root", p.Index, sc.Size), err)
	}
	res := InclusionResult{Leaf: leaf, Index: p.Index, Checkpoint: sc, Missing: policy.Missing(sc)}
	if leaf.Type.NeedsFinality() && len(res.Missing) > 0 {
		return res, errs.Errorf(op, errs.Conflict, "leaf %d (%s) is in the log, but it is not final: the checkpoint (size %d) lacks cosignatures from %s",
			p.Index, leaf.Type, sc.Size, strings.Join(res.Missing, ", "))
	}
	res.Final = true
	return res, nil
}

// ConsistencyResult is what a verified consistency proof established.
type ConsistencyResult struct {
	Old, New SignedCheckpoint
}

// Verify checks the proof offline: both checkpoints' signatures and that New
// extends Old (with transparency-dev/merkle). If trustedOld is not nil (a
// witness's own state), it replaces the old checkpoint in the file, which
// must then match it. A fork or a shrink is errs.Conflict.
func (p ConsistencyProof) Verify(keys *Keys, trustedOld *Checkpoint) (ConsistencyResult, error) {
	const op = "audit.ConsistencyProof.Verify"
	oldSC, err := keys.OpenCheckpoint(p.Old)
	if err != nil {
		return ConsistencyResult{}, wrap(op, "old checkpoint", err)
	}
	newSC, err := keys.OpenCheckpoint(p.New)
	if err != nil {
		return ConsistencyResult{}, wrap(op, "new checkpoint", err)
	}
	if trustedOld != nil && (trustedOld.Size != oldSC.Size || trustedOld.Root != oldSC.Root) {
		if trustedOld.Size == oldSC.Size {
			return ConsistencyResult{}, errs.Errorf(op, errs.Conflict,
				"the log forked: the proof's old checkpoint at size %d has a different root from the trusted one", oldSC.Size)
		}
		return ConsistencyResult{}, errs.Errorf(op, errs.Conflict,
			"the proof starts at size %d, not at the trusted checkpoint's size %d", oldSC.Size, trustedOld.Size)
	}
	if err := CheckExtension(oldSC.Checkpoint, newSC.Checkpoint, p.Hashes); err != nil {
		return ConsistencyResult{}, err
	}
	return ConsistencyResult{Old: oldSC, New: newSC}, nil
}

// wrap adds context to err's user message, keeping its kind.
func wrap(op, context string, err error) error {
	return errs.E(op, errs.KindOf(err), context+": "+errs.Message(err), err)
}

// decodeCanonicalBase64 decodes standard padded base64 that is exactly
// what encoding it again would give: no line breaks inside (the decoder
// would skip them) and no non-zero padding bits (Strict), so that every
// accepted file round-trips byte for byte.
func decodeCanonicalBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("line break inside base64")
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}
