package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Findings the store's replay adds to the audit's own.
const (
	RecordChanged      audit.FindingCode = "record-changed"        // content no longer matches its commitment
	RecordUnlogged     audit.FindingCode = "record-unlogged"       // a version with no leaf
	RecordMissing      audit.FindingCode = "record-missing"        // a leaf whose version is not in the database
	RecordCommitDiffer audit.FindingCode = "record-commit-differs" // stored commitment differs from the leaf's
	RecordHeadWrong    audit.FindingCode = "record-head-wrong"     // the current-version pointer is not the latest version
)

// AuditResult is the verdict of AuditLog: the log's own audit and the
// replay of record events against the database.
type AuditResult struct {
	*audit.Report
	Records  int64 // record versions checked
	Replayed int64 // record leaves replayed
}

// OK reports whether nothing was found.
func (r *AuditResult) OK() bool { return r.Report.OK() }

type versionKey struct {
	id      string
	version int64
}

type loggedVersion struct {
	leaf       int64
	commitment audit.Digest
	seen       bool
}

// AuditLog is the fsck: it recomputes the tree from every leaf, checks
// every stored hash and checkpoint (signatures with keys, consistency
// between consecutive ones), replays the record events and compares them
// with the database: every record version has exactly its leaf, its stored
// commitment is the leaf's, and its current content (sensitive fields
// included) still matches that commitment.
func (db *DB) AuditLog(ctx context.Context, keys *audit.Keys) (*AuditResult, error) {
	const op = "sqlstore.AuditLog"
	logged := map[versionKey]*loggedVersion{}
	res := &AuditResult{}
	report, err := audit.Audit(keys, audit.AuditInput{
		Leaves:      db.leafSeq(ctx),
		Hashes:      db.hashSeq(ctx),
		Checkpoints: db.checkpointSeq(ctx),
		Visit: func(index int64, leaf audit.Leaf) error {
			if leaf.Type != audit.RecordCreated && leaf.Type != audit.RecordCorrected {
				return nil
			}
			id, ok := strings.CutPrefix(leaf.Subject, "record:")
			if !ok {
				return nil
			}
			res.Replayed++
			logged[versionKey{id, leaf.Rev}] = &loggedVersion{leaf: index, commitment: leaf.Commitment}
			return nil
		},
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	res.Report = report
	add := func(code audit.FindingCode, leaf int64, format string, args ...any) {
		if len(report.Findings) >= audit.MaxFindings {
			report.Omitted++
			return
		}
		report.Findings = append(report.Findings, audit.Finding{Code: code, Leaf: leaf, Message: fmt.Sprintf(format, args...)})
	}
	rows, err := db.query(ctx, `SELECT r.id, r.party, r.version, v.version, v.body, v.sealed, v.nonce, v.commitment
		FROM record_versions v JOIN records r ON r.seq = v.record_seq ORDER BY r.seq, v.version`)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	defer rows.Close()
	heads := map[string][2]int64{} // id → head pointer, latest version seen
	for rows.Next() {
		var id, party, body string
		var head, version int64
		var sealed, nonce []byte
		var commitText *string
		if err := rows.Scan(&id, &party, &head, &version, &body, &sealed, &nonce, &commitText); err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
		res.Records++
		h := heads[id]
		heads[id] = [2]int64{head, max(h[1], version)}
		lv := logged[versionKey{id, version}]
		if lv == nil {
			add(RecordUnlogged, -1, "record %s version %d has no leaf in the log", id, version)
			continue
		}
		lv.seen = true
		if commitText == nil {
			add(RecordCommitDiffer, lv.leaf, "record %s version %d has no stored commitment (leaf %d)", id, version, lv.leaf)
			continue
		}
		stored, err := audit.ParseDigest(*commitText)
		if err != nil || stored != lv.commitment {
			add(RecordCommitDiffer, lv.leaf, "record %s version %d: stored commitment differs from leaf %d's", id, version, lv.leaf)
		}
		r := person.Record{ID: id, Party: party, Version: int(version)}
		if err := json.Unmarshal([]byte(body), &r.Fields); err != nil {
			add(RecordChanged, lv.leaf, "record %s version %d: stored content is not readable: %v", id, version, err)
			continue
		}
		if len(sealed) > 0 {
			plain, err := db.seal.open(sealed, sealAD(id, int(version)))
			var sens sensitive
			if err == nil {
				err = json.Unmarshal(plain, &sens)
			}
			if err != nil {
				add(RecordChanged, lv.leaf, "record %s version %d: sealed fields do not open: %v", id, version, err)
				continue
			}
			r.Health, r.NextOfKin = sens.Health, sens.NextOfKin
		}
		content, err := recordContent(&r)
		if err != nil || len(nonce) != len(audit.Nonce{}) {
			add(RecordChanged, lv.leaf, "record %s version %d: no nonce to check the content with", id, version)
			continue
		}
		got, err := audit.CommitFields(audit.TagRecord, audit.Nonce(nonce), content)
		if err != nil || got != lv.commitment {
			add(RecordChanged, lv.leaf, "record %s version %d: content no longer matches leaf %d's commitment (changed in the database?)", id, version, lv.leaf)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	for id, h := range heads {
		if h[0] != h[1] {
			add(RecordHeadWrong, -1, "record %s points at version %d but its latest version is %d", id, h[0], h[1])
		}
	}
	for k, lv := range logged {
		if !lv.seen {
			add(RecordMissing, lv.leaf, "leaf %d records record %s version %d, which is not in the database", lv.leaf, k.id, k.version)
		}
	}
	return res, nil
}

// leafSeq yields the leaf table in index order.
func (db *DB) leafSeq(ctx context.Context) iter.Seq2[audit.StoredLeaf, error] {
	return func(yield func(audit.StoredLeaf, error) bool) {
		rows, err := db.query(ctx, `SELECT idx, data FROM log_leaves ORDER BY idx`)
		if err != nil {
			yield(audit.StoredLeaf{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var l audit.StoredLeaf
			if err := rows.Scan(&l.Index, &l.Data); err != nil {
				yield(l, err)
				return
			}
			if !yield(l, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.StoredLeaf{}, err)
		}
	}
}

// hashSeq yields the stored-hash table in index order.
func (db *DB) hashSeq(ctx context.Context) iter.Seq2[audit.StoredHash, error] {
	return func(yield func(audit.StoredHash, error) bool) {
		rows, err := db.query(ctx, `SELECT idx, hash FROM log_hashes ORDER BY idx`)
		if err != nil {
			yield(audit.StoredHash{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var h audit.StoredHash
			var b []byte
			if err := rows.Scan(&h.Index, &b); err != nil {
				yield(h, err)
				return
			}
			if len(b) != tlog.HashSize {
				yield(h, fmt.Errorf("stored hash %s has %d bytes", strconv.FormatInt(h.Index, 10), len(b)))
				return
			}
			h.Hash = tlog.Hash(b)
			if !yield(h, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.StoredHash{}, err)
		}
	}
}
