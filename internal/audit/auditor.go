package audit

import (
	"encoding/base64"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// StoredLeaf is one row of the leaf table as the store holds it.
type StoredLeaf struct {
	Index int64
	Data  []byte
}

// StoredHash is one row of the stored-hash table.
type StoredHash struct {
	Index int64 // tlog stored-hash index
	Hash  tlog.Hash
}

// FindingCode classifies a finding of the audit. The list is append-only.
type FindingCode string

// Finding codes.
const (
	LeafMissing            FindingCode = "leaf-missing"            // an index is absent from the leaf table
	LeafOutOfOrder         FindingCode = "leaf-out-of-order"       // an index repeats or goes backwards
	LeafInvalid            FindingCode = "leaf-invalid"            // the leaf bytes are not a canonical leaf
	LeafHashDiffers        FindingCode = "leaf-hash-differs"       // the stored leaf hash is not the hash of the leaf bytes
	HashDiffers            FindingCode = "hash-differs"            // a stored interior hash differs from the recomputed one
	HashMissing            FindingCode = "hash-missing"            // a stored hash is absent
	HashUnexpected         FindingCode = "hash-unexpected"         // a stored hash is duplicated or beyond the leaves
	CheckpointSignature    FindingCode = "checkpoint-signature"    // bad, missing or unknown signature, or malformed
	CheckpointRoot         FindingCode = "checkpoint-root"         // the root is not that of the leaves
	CheckpointBeyond       FindingCode = "checkpoint-beyond"       // the checkpoint has more leaves than the log
	CheckpointShrank       FindingCode = "checkpoint-shrank"       // smaller than the checkpoint before it
	CheckpointFork         FindingCode = "checkpoint-fork"         // same size as the one before, another root
	CheckpointInconsistent FindingCode = "checkpoint-inconsistent" // no consistency proof from the one before
	CheckpointMissing      FindingCode = "checkpoint-missing"      // a checkpoint the log or an outside copy knows of is not stored
	CheckpointLeafDiffers  FindingCode = "checkpoint-leaf-differs" // a log.checkpoint leaf commits to another tree
	CosignatureMissing     FindingCode = "cosignature-missing"     // a cosignature a log.cosigned leaf records is not stored
	ExternalInvalid        FindingCode = "external-invalid"        // a checkpoint held outside does not verify
	ExternalFork           FindingCode = "external-fork"           // a checkpoint held outside has another root at its size
	LogRolledBack          FindingCode = "log-rolled-back"         // the log is shorter than a checkpoint held outside
)

// Finding is one discrepancy the audit found, with where it is.
type Finding struct {
	Code       FindingCode
	Leaf       int64 // leaf index, or -1
	Checkpoint int   // 1-based position in the checkpoint sequence, or 0
	Message    string
}

// String returns the finding as a line for people: "leaf 17: missing".
func (f Finding) String() string { return f.Message }

// CheckpointStatus is the audit's view of one stored checkpoint that
// verified.
type CheckpointStatus struct {
	Position  int
	Size      int64
	Root      tlog.Hash
	Cosigners []string
}

// External is a signed checkpoint held outside the database: a witness's
// state file, a checkpoint a party saved from /log/checkpoint or a proof.
// The log must extend it: a log shorter than a checkpoint someone holds was
// truncated or rolled back, which nothing inside the database can show.
type External struct {
	Source string // where it came from, for messages: a file name
	Note   []byte // the signed note, cosignatures included
}

// ExternalStatus is an outside checkpoint that verified and that the log
// extends.
type ExternalStatus struct {
	Source    string
	Size      int64
	Cosigners []string
}

// Report is the result of [Audit].
type Report struct {
	Leaves      int64     // leaves read
	Size        int64     // leaves hashed into the recomputed tree (stops at a gap)
	Root        tlog.Hash // recomputed root of Size leaves
	Hashes      int64     // stored hashes read
	Checkpoints []CheckpointStatus
	External    []ExternalStatus // outside checkpoints the log extends
	Findings    []Finding
	Omitted     int      // findings beyond MaxFindings, counted only
	Warnings    []string // not findings, but worth saying loudly
}

// OK reports whether the audit found nothing wrong.
func (r *Report) OK() bool { return len(r.Findings) == 0 && r.Omitted == 0 }

// Summary returns the verdict for people: a first line that starts with
// "OK" or "FAILED", then one line per finding.
func (r *Report) Summary() string {
	var b strings.Builder
	if r.OK() {
		fmt.Fprintf(&b, "OK: %d leaves, %d stored hashes, %d checkpoints verified; root %s\n",
			r.Size, r.Hashes, len(r.Checkpoints), base64.StdEncoding.EncodeToString(r.Root[:]))
		for _, w := range r.Warnings {
			b.WriteString("  warning: " + w + "\n")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "FAILED: %d problem(s) in a log of %d leaves\n", len(r.Findings)+r.Omitted, r.Leaves)
	for _, f := range r.Findings {
		b.WriteString("  " + f.Message + "\n")
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", r.Omitted)
	}
	for _, w := range r.Warnings {
		b.WriteString("  warning: " + w + "\n")
	}
	return b.String()
}

// MaxFindings bounds the findings a report lists; later ones are counted.
const MaxFindings = 1000

func (r *Report) add(code FindingCode, leaf int64, cp int, format string, args ...any) {
	if len(r.Findings) >= MaxFindings {
		r.Omitted++
		return
	}
	r.Findings = append(r.Findings, Finding{Code: code, Leaf: leaf, Checkpoint: cp, Message: fmt.Sprintf(format, args...)})
}

// AuditInput is what the store feeds [Audit], each in order as stored.
type AuditInput struct {
	// Leaves yields the leaf table in index order. Required.
	Leaves iter.Seq2[StoredLeaf, error]
	// Hashes yields the stored-hash table in index order; nil skips the
	// comparison of stored hashes.
	Hashes iter.Seq2[StoredHash, error]
	// Checkpoints yields the stored signed checkpoints, each with its
	// cosignatures appended ([AddCosignatures]), in the order they were
	// made; nil skips them.
	Checkpoints iter.Seq2[[]byte, error]
	// Visit, if set, is called with every leaf that decodes, in order: the
	// store replays events from it.
	Visit func(index int64, leaf Leaf) error
	// External are checkpoints held outside the database, which the log
	// must extend.
	External []External
}

// logLeaf is a log.checkpoint or log.cosigned leaf, kept for the check of
// the stored checkpoints and cosignatures.
type logLeaf struct {
	index      int64
	typ        LeafType
	size       int64
	commitment Digest
}

// Audit recomputes the Merkle tree from every leaf, compares it with the
// stored hashes, and checks every checkpoint's signatures, root and
// consistency with the one before it. It returns the findings; the error is
// only for failures to read the input (or from Visit). Memory: about 64
// bytes per leaf for the recomputed tree.
func Audit(keys *Keys, in AuditInput) (*Report, error) {
	const op = "audit.Audit"
	r := &Report{}
	var tree MemoryHashes
	var logLeaves []logLeaf
	broken := false
	lastBad := int64(-1) // highest first-leaf of a reported hash difference

	var nextStored func() (StoredHash, error, bool)
	var stopStored func()
	if in.Hashes != nil {
		nextStored, stopStored = iter.Pull2(in.Hashes)
		defer stopStored()
	}
	var pending *StoredHash // a pulled stored hash not yet matched
	pull := func() (*StoredHash, error) {
		if pending != nil {
			return pending, nil
		}
		h, err, ok := nextStored()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		r.Hashes++
		pending = &h
		return pending, nil
	}

	// compare checks the stored hashes from base on against hs, the
	// recomputed hashes that leaf closes.
	compare := func(leaf int64, hs []tlog.Hash, base int64) error {
		for j, h := range hs {
			idx := base + int64(j)
			level, node := tlog.SplitStoredHashIndex(idx)
			// A difference above an already reported one is its
			// consequence, not news: report only the lowest.
			explained := lastBad >= node<<level
			for {
				s, err := pull()
				if err != nil {
					return errs.E(op, errs.Internal, fmt.Errorf("read stored hashes: %w", err))
				}
				if s == nil || s.Index > idx {
					if !explained {
						r.add(HashMissing, leaf, 0, "%s: missing from the stored hashes", describeHash(idx, leaf))
						lastBad = max(lastBad, node<<level)
					}
					break
				}
				pending = nil
				if s.Index < idx {
					r.add(HashUnexpected, -1, 0, "stored hash %d: duplicate or out of order", s.Index)
					continue
				}
				if s.Hash != h && !explained {
					if level == 0 {
						r.add(LeafHashDiffers, leaf, 0, "leaf %d: stored hash differs from the hash of the leaf's bytes", leaf)
					} else {
						r.add(HashDiffers, leaf, 0, "%s: differs from the recomputed hash", describeHash(idx, leaf))
					}
					lastBad = max(lastBad, node<<level)
				}
				break
			}
		}
		return nil
	}

	// recoverLeaf continues the tree over a leaf missing from the leaf
	// table with its stored leaf hash, if there is one, so that the rest of
	// the log can still be checked. It reports whether it could.
	recoverLeaf := func() (bool, error) {
		if nextStored == nil {
			return false, nil
		}
		m := r.Size
		idx := StoredHashIndex(m)
		for {
			s, err := pull()
			if err != nil {
				return false, errs.E(op, errs.Internal, fmt.Errorf("read stored hashes: %w", err))
			}
			if s == nil || s.Index > idx {
				return false, nil
			}
			pending = nil
			if s.Index < idx {
				r.add(HashUnexpected, -1, 0, "stored hash %d: duplicate or out of order", s.Index)
				continue
			}
			hs, err := tlog.StoredHashesForRecordHash(m, s.Hash, tree)
			if err != nil {
				return false, errs.E(op, errs.Internal, err)
			}
			tree = append(tree, hs...)
			r.Size++
			return true, compare(m, hs[1:], idx+1)
		}
	}

	// missing reports leaves [from, to) absent from the leaf table, and
	// recovers what it can.
	missing := func(from, to int64, next string) error {
		for r.Size < to {
			ok, err := recoverLeaf()
			if err != nil {
				return err
			}
			if !ok {
				broken = true
				break
			}
		}
		switch {
		case !broken && to == from+1:
			r.add(LeafMissing, from, 0, "leaf %d: missing from the leaf table%s; its stored hash is there and was used to check the rest", from, next)
		case !broken:
			r.add(LeafMissing, from, 0, "leaves %d–%d: missing from the leaf table%s; their stored hashes are there and were used to check the rest", from, to-1, next)
		case to == from+1:
			r.add(LeafMissing, from, 0, "leaf %d: missing%s, and so is its stored hash; leaves from %d on were not checked", from, next, r.Size)
		default:
			r.add(LeafMissing, from, 0, "leaves %d–%d: missing%s, and so are stored hashes; leaves from %d on were not checked", from, to-1, next, r.Size)
		}
		return nil
	}

	for sl, err := range in.Leaves {
		if err != nil {
			return nil, errs.E(op, errs.Internal, fmt.Errorf("read leaves: %w", err))
		}
		r.Leaves++
		if broken {
			continue
		}
		if sl.Index < r.Size {
			r.add(LeafOutOfOrder, sl.Index, 0, "leaf %d: appears again after leaf %d (duplicate or out of order)", sl.Index, r.Size-1)
			continue
		}
		if sl.Index > r.Size {
			if err := missing(r.Size, sl.Index, fmt.Sprintf(" (the next stored leaf is %d)", sl.Index)); err != nil {
				return nil, err
			}
			if broken {
				continue
			}
		}
		want := r.Size
		leaf, derr := DecodeLeaf(sl.Data)
		if derr != nil {
			r.add(LeafInvalid, sl.Index, 0, "leaf %d: not a valid leaf: %s", sl.Index, errs.Message(derr))
		} else {
			if leaf.Type == LogCheckpoint || leaf.Type == LogCosigned {
				n, err := strconv.ParseInt(strings.TrimPrefix(leaf.Subject, "checkpoint:"), 10, 64)
				if err != nil || CheckpointSubject(n) != leaf.Subject || n < 0 || n > sl.Index {
					r.add(LeafInvalid, sl.Index, 0, "leaf %d: %s leaf names no checkpoint before it: %q", sl.Index, leaf.Type, leaf.Subject)
				} else {
					logLeaves = append(logLeaves, logLeaf{sl.Index, leaf.Type, n, leaf.Commitment})
				}
			}
			if in.Visit != nil {
				if err := in.Visit(sl.Index, leaf); err != nil {
					return nil, err
				}
			}
		}
		hs, err := AppendHashes(want, sl.Data, tree)
		if err != nil {
			return nil, err
		}
		base := int64(len(tree))
		tree = append(tree, hs...)
		r.Size++
		if nextStored != nil {
			if err := compare(want, hs, base); err != nil {
				return nil, err
			}
		}
	}
	if nextStored != nil && !broken {
		// Leaves deleted from the end leave their stored hashes behind.
		from := r.Size
		for {
			ok, err := recoverLeaf()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
		}
		if r.Size > from {
			if r.Size == from+1 {
				r.add(LeafMissing, from, 0, "leaf %d: missing from the end of the leaf table; its stored hash is there and was used to check the rest", from)
			} else {
				r.add(LeafMissing, from, 0, "leaves %d–%d: missing from the end of the leaf table; their stored hashes are there and were used to check the rest", from, r.Size-1)
			}
		}
		first, last, n := int64(-1), int64(-1), 0
		for {
			s, err := pull()
			if err != nil {
				return nil, errs.E(op, errs.Internal, fmt.Errorf("read stored hashes: %w", err))
			}
			if s == nil {
				break
			}
			pending = nil
			if first < 0 {
				first = s.Index
			}
			last = s.Index
			n++
		}
		if n > 0 {
			r.add(HashUnexpected, -1, 0, "stored hashes %d–%d (%d): beyond the %d leaves of the log", first, last, n, r.Size)
		}
	}
	if r.Size > 0 {
		root, err := TreeHash(r.Size, tree)
		if err != nil {
			return nil, err
		}
		r.Root = root
	}

	if err := r.checkExternal(keys, in.External, tree, broken); err != nil {
		return nil, err
	}
	if in.Checkpoints == nil {
		return r, nil
	}
	var prev *CheckpointStatus
	prevRootOK := false
	pos := 0
	stored := map[int64][]byte{} // size → note, of every stored checkpoint that parses
	for msg, err := range in.Checkpoints {
		if err != nil {
			return nil, errs.E(op, errs.Internal, fmt.Errorf("read checkpoints: %w", err))
		}
		pos++
		name := fmt.Sprintf("checkpoint %d", pos)
		if c, err := PeekCheckpoint(msg); err == nil {
			name = fmt.Sprintf("checkpoint %d (size %d)", pos, c.Size)
			stored[c.Size] = msg
		}
		sc, err := keys.OpenCheckpoint(msg)
		if err != nil {
			r.add(CheckpointSignature, -1, pos, "%s: %s", name, errs.Message(err))
			continue
		}
		st := CheckpointStatus{Position: pos, Size: sc.Size, Root: sc.Root, Cosigners: sc.Cosigners}
		rootOK := false
		switch {
		case sc.Size > r.Size && broken:
			r.add(CheckpointBeyond, -1, pos, "%s: cannot be checked: leaves are missing from leaf %d", name, r.Size)
		case sc.Size > r.Size:
			r.add(CheckpointBeyond, -1, pos, "%s: the log has only %d leaves (truncated?)", name, r.Size)
		default:
			root, err := TreeHash(sc.Size, tree)
			if err != nil {
				return nil, err
			}
			if root != sc.Root {
				r.add(CheckpointRoot, -1, pos, "%s: root mismatch: the signed root is not the root of the stored leaves", name)
			} else {
				rootOK = true
			}
		}
		if prev != nil {
			switch {
			case sc.Size < prev.Size:
				r.add(CheckpointShrank, -1, pos, "%s: smaller than checkpoint %d (size %d): the log shrank", name, prev.Position, prev.Size)
			case sc.Size == prev.Size && sc.Root != prev.Root:
				r.add(CheckpointFork, -1, pos, "%s: different root from checkpoint %d of the same size: the log forked", name, prev.Position)
			case rootOK && prevRootOK && prev.Size > 0 && prev.Size < sc.Size:
				// Both roots are of the one recomputed tree, so they are
				// consistent; check it independently of tlog all the same.
				p, err := tlog.ProveTree(sc.Size, prev.Size, tree)
				if err == nil {
					err = proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(prev.Size), uint64(sc.Size), hashSlices(p), prev.Root[:], sc.Root[:])
				}
				if err != nil {
					r.add(CheckpointInconsistent, -1, pos, "%s: not a consistent extension of checkpoint %d (size %d): %v", name, prev.Position, prev.Size, err)
				}
			}
		}
		r.Checkpoints = append(r.Checkpoints, st)
		prev, prevRootOK = &st, rootOK
	}
	if err := r.checkLogLeaves(keys, logLeaves, stored, tree, broken); err != nil {
		return nil, err
	}
	for _, e := range r.External {
		if _, ok := stored[e.Size]; !ok {
			r.add(CheckpointMissing, -1, 0, "checkpoint of size %d from %s (signed by the log key) is not among the stored checkpoints: deleted?", e.Size, e.Source)
		}
	}
	if r.Size > 0 && len(r.Checkpoints) == 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("no stored checkpoint verified: nothing signed covers the %d leaves; if checkpoints were made, they were deleted", r.Size))
	}
	return r, nil
}

// checkLogLeaves checks the log.checkpoint and log.cosigned leaves against
// the stored checkpoints: every checkpoint the log records as made is
// stored, of the tree the leaves make, with every cosignature the log
// records as received.
func (r *Report) checkLogLeaves(keys *Keys, ls []logLeaf, stored map[int64][]byte, tree MemoryHashes, broken bool) error {
	gone := map[int64]bool{} // checkpoints reported missing: their cosignatures go with them
	for _, l := range ls {
		if l.size > r.Size || (broken && l.index >= r.Size) {
			continue // the tree does not reach it; reported already
		}
		switch l.typ {
		case LogCheckpoint:
			root, err := TreeHash(l.size, tree)
			if err != nil {
				return err
			}
			if CommitCheckpoint(Checkpoint{Origin: keys.Origin, Size: l.size, Root: root}) != l.commitment {
				r.add(CheckpointLeafDiffers, l.index, 0, "leaf %d records a checkpoint of size %d that is not of the stored leaves (another origin or root)", l.index, l.size)
			} else if stored[l.size] == nil {
				gone[l.size] = true
				r.add(CheckpointMissing, l.index, 0, "checkpoint of size %d, which leaf %d records as made, is missing from the stored checkpoints: deleted?", l.size, l.index)
			}
		case LogCosigned:
			msg := stored[l.size]
			if gone[l.size] {
				continue
			}
			if msg == nil {
				r.add(CosignatureMissing, l.index, 0, "leaf %d records a cosignature on the checkpoint of size %d, which is not stored", l.index, l.size)
				continue
			}
			found := false
			for _, line := range signatureLines(msg) {
				found = found || CommitCosignature(line) == l.commitment
			}
			if !found {
				r.add(CosignatureMissing, l.index, 0, "leaf %d records a cosignature on the checkpoint of size %d that is no longer stored with it: deleted?", l.index, l.size)
			}
		}
	}
	return nil
}

// signatureLines returns the signature lines of a signed note, each with
// its newline.
func signatureLines(msg []byte) []string {
	_, sigs, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return nil
	}
	var out []string
	for l := range strings.SplitAfterSeq(sigs, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkExternal checks the checkpoints held outside the database: each must
// verify with the log key and be a checkpoint of the stored leaves, which
// must be at least as many.
func (r *Report) checkExternal(keys *Keys, ext []External, tree MemoryHashes, broken bool) error {
	for _, e := range ext {
		sc, err := keys.OpenCheckpoint(e.Note)
		if err != nil {
			r.add(ExternalInvalid, -1, 0, "checkpoint from %s: %s", e.Source, errs.Message(err))
			continue
		}
		switch {
		case sc.Size > r.Size && broken:
			r.add(CheckpointBeyond, -1, 0, "checkpoint of size %d from %s: cannot be checked: leaves are missing from leaf %d", sc.Size, e.Source, r.Size)
		case sc.Size > r.Size:
			r.add(LogRolledBack, -1, 0, "the log has only %d leaves, but %s holds a checkpoint of size %d signed by the log key%s: leaves were removed from its end (truncated or rolled back)",
				r.Size, e.Source, sc.Size, cosignedBy(sc.Cosigners))
		default:
			root, err := TreeHash(sc.Size, tree)
			if err != nil {
				return err
			}
			if root != sc.Root {
				r.add(ExternalFork, -1, 0, "%s holds a checkpoint of size %d%s whose root is not the root of the stored leaves: the log was rewritten",
					e.Source, sc.Size, cosignedBy(sc.Cosigners))
				continue
			}
			r.External = append(r.External, ExternalStatus{Source: e.Source, Size: sc.Size, Cosigners: sc.Cosigners})
		}
	}
	return nil
}

func cosignedBy(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (cosigned by " + strings.Join(names, ", ") + ")"
}

// describeHash names stored hash idx for a finding.
func describeHash(idx, leaf int64) string {
	level, n := tlog.SplitStoredHashIndex(idx)
	if level == 0 {
		return fmt.Sprintf("leaf %d: stored hash", n)
	}
	return fmt.Sprintf("stored hash %d (level %d, node %d, closed by leaf %d)", idx, level, n, leaf)
}
