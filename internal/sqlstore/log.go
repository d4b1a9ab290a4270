package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
)

// logAppender appends leaves to the log inside one transaction. It holds
// the log's size and the stored hashes it has read or written, so that a
// bulk import of many records reads each hash from the database once.
type logAppender struct {
	tx            *Tx
	size          int64
	cache         map[int64]tlog.Hash
	pendingLeaves []audit.StoredLeaf
	pendingHashes []audit.StoredHash
	// types counts the leaves added by type, for the commit hooks
	// (DB.OnCommit) once the transaction commits.
	types map[audit.LeafType]int
}

// appender returns the transaction's log appender, taking the log lock on
// first use: PostgreSQL serialises appenders with a transaction-scoped
// advisory lock (per schema) so that indexes stay contiguous; SQLite's
// write transactions are serialised already (BEGIN IMMEDIATE).
func (tx *Tx) appender(ctx context.Context) (*logAppender, error) {
	if tx.log != nil {
		return tx.log, nil
	}
	if q := tx.d.lockLog(); q != "" {
		if _, err := tx.exec(ctx, q); err != nil {
			return nil, fmt.Errorf("lock the log: %w", err)
		}
	}
	var size int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`).Scan(&size); err != nil {
		return nil, fmt.Errorf("read the log size: %w", err)
	}
	tx.log = &logAppender{tx: tx, size: size, cache: map[int64]tlog.Hash{}, types: map[audit.LeafType]int{}}
	return tx.log, nil
}

// ReadHashes implements audit.HashStore over the transaction.
func (a *logAppender) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for _, i := range indexes {
		if _, ok := a.cache[i]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		got, err := readHashes(context.Background(), a.tx.tx, a.tx.d, missing)
		if err != nil {
			return nil, err
		}
		for i, h := range got {
			a.cache[missing[i]] = h
		}
	}
	for i, idx := range indexes {
		out[i] = a.cache[idx]
	}
	return out, nil
}

// queryer is what readHashes needs of a *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// readHashes reads stored hashes by index, exactly one per index, in order.
func readHashes(ctx context.Context, q queryer, d dialect, indexes []int64) ([]tlog.Hash, error) {
	got := make(map[int64]tlog.Hash, len(indexes))
	for start := 0; start < len(indexes); start += 500 {
		part := indexes[start:min(start+500, len(indexes))]
		args := make([]any, len(part))
		for i, x := range part {
			args[i] = x
		}
		rows, err := q.QueryContext(ctx, d.rebind(`SELECT idx, hash FROM log_hashes WHERE idx IN (`+placeholders(len(part))+`)`), args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				return err
			}
			if len(h) != tlog.HashSize {
				return fmt.Errorf("stored hash %d has %d bytes", idx, len(h))
			}
			got[idx] = tlog.Hash(h)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := got[idx]
		if !ok {
			return nil, fmt.Errorf("stored hash %d is missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

// add appends one leaf to the log in memory and returns its index; flush
// writes what was added. Hashes are computed at once (they depend on the
// leaves before), the rows are written in batches.
func (a *logAppender) add(leaf audit.Leaf) (int64, error) {
	if err := leaf.Validate(); err != nil {
		return 0, fmt.Errorf("log leaf: %w", err)
	}
	data := leaf.Encode()
	n := a.size
	hashes, err := audit.AppendHashes(n, data, a)
	if err != nil {
		return 0, fmt.Errorf("log hashes for leaf %d: %w", n, err)
	}
	first := audit.StoredHashIndex(n)
	for i, h := range hashes {
		a.cache[first+int64(i)] = h
		a.pendingHashes = append(a.pendingHashes, audit.StoredHash{Index: first + int64(i), Hash: h})
	}
	a.pendingLeaves = append(a.pendingLeaves, audit.StoredLeaf{Index: n, Data: data})
	a.size = n + 1
	a.types[leaf.Type]++
	return n, nil
}

// flush writes the leaves and hashes added since the last flush.
func (a *logAppender) flush(ctx context.Context) error {
	const batch = 500
	for start := 0; start < len(a.pendingLeaves); start += batch {
		part := a.pendingLeaves[start:min(start+batch, len(a.pendingLeaves))]
		args := make([]any, 0, 2*len(part))
		for _, l := range part {
			args = append(args, l.Index, l.Data)
		}
		if _, err := a.tx.exec(ctx, `INSERT INTO log_leaves (idx, data) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			return fmt.Errorf("insert leaves from %d: %w", part[0].Index, err)
		}
	}
	for start := 0; start < len(a.pendingHashes); start += batch {
		part := a.pendingHashes[start:min(start+batch, len(a.pendingHashes))]
		args := make([]any, 0, 2*len(part))
		for _, h := range part {
			args = append(args, h.Index, h.Hash[:])
		}
		if _, err := a.tx.exec(ctx, `INSERT INTO log_hashes (idx, hash) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			return fmt.Errorf("insert hashes from %d: %w", part[0].Index, err)
		}
	}
	a.pendingLeaves = a.pendingLeaves[:0]
	a.pendingHashes = a.pendingHashes[:0]
	return nil
}

// rowsOf returns "(?, ?), (?, ?)…": n rows of k placeholders.
func rowsOf(n, k int) string {
	row := "(" + placeholders(k) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// tagRecordV2 commits to a record version with its provenance: where it
// came from and why it was made, besides its fields (docs/design/log.md
// §2). Versions logged before the coverage of 0018 commit under
// audit.TagRecord (v1) to the fields alone.
const tagRecordV2 = "handover/record/v2"

// recordContent is the canonical content a record version's commitment
// covers: its id, owner, version and every field, sensitive ones included
// (docs/design/log.md §2), and from v2 on its source, source reference and
// reason. The fields are Go's JSON of person.Fields, which is
// deterministic: struct fields in declaration order. Who made the version
// and when are the leaf's actor and time.
func recordContent(r *person.Record, v2 bool) (map[string]string, error) {
	b, err := json.Marshal(r.Fields)
	if err != nil {
		return nil, err
	}
	m := map[string]string{
		"id":      r.ID,
		"party":   r.Party,
		"version": strconv.Itoa(r.Version),
		"fields":  string(b),
	}
	if v2 {
		m["source"], m["source_ref"], m["reason"] = r.Provenance.Source, r.Provenance.SourceRef, r.Provenance.Reason
	}
	return m, nil
}

// recordCommitment returns the commitment to a record version under the
// content version v2 (what this program writes) or v1 (before 0018).
func recordCommitment(r *person.Record, nonce audit.Nonce, v2 bool) (audit.Digest, error) {
	content, err := recordContent(r, v2)
	if err != nil {
		return audit.Digest{}, err
	}
	tag := audit.TagRecord
	if v2 {
		tag = tagRecordV2
	}
	return audit.CommitFields(tag, nonce, content)
}

// recordCommits reports whether c is the commitment to record version r
// with nonce, under either content version: for readers that check a
// version against a commitment they hold (the audit knows which version a
// leaf must use, and asks recordCommitment).
func recordCommits(r *person.Record, nonce audit.Nonce, c audit.Digest) bool {
	for _, v2 := range []bool{true, false} {
		if d, err := recordCommitment(r, nonce, v2); err == nil && d == c {
			return true
		}
	}
	return false
}

// commitRecord makes a fresh nonce and the commitment to a record version
// (content v2, or v1 as before 0018).
func commitRecord(r *person.Record, v2 bool) (audit.Nonce, audit.Digest, error) {
	nonce, err := audit.NewNonce()
	if err != nil {
		return nonce, audit.Digest{}, err
	}
	c, err := recordCommitment(r, nonce, v2)
	return nonce, c, err
}

// actor is the opaque log identity of a user: never a name.
func actor(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }
