package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
)

// Findings the store's replay adds to the audit's own.
const (
	RecordChanged      audit.FindingCode = "record-changed"        // content no longer matches its commitment
	RecordUnlogged     audit.FindingCode = "record-unlogged"       // a version with no leaf
	RecordMissing      audit.FindingCode = "record-missing"        // a leaf whose version is not in the database
	RecordCommitDiffer audit.FindingCode = "record-commit-differs" // stored commitment differs from the leaf's
	RecordHeadWrong    audit.FindingCode = "record-head-wrong"     // the current-version pointer is not the latest version
	EventChanged       audit.FindingCode = "event-changed"         // a negotiation row no longer matches any leaf of its type
	EventMissing       audit.FindingCode = "event-missing"         // a leaf whose row is not in the database
	RecordNotErased    audit.FindingCode = "record-not-erased"     // a version of an erased record that still holds content
)

// AuditResult is the verdict of AuditLog: the log's own audit and the
// replay of record events against the database.
type AuditResult struct {
	*audit.Report
	Records  int64    // record versions checked
	Replayed int64    // record leaves replayed
	Erased   []string // the records erased (record.erased, with their tombstones): their versions are checked against their leaves by who, when and stored commitment only
	Notes    []string // what the audit could not check, and why (rows that predate the coverage)
}

// OK reports whether nothing was found.
func (r *AuditResult) OK() bool { return r.Report.OK() }

type versionKey struct {
	id      string
	version int64
}

// AuditLog is the fsck: it recomputes the tree from every leaf, checks
// every stored hash and checkpoint (signatures with keys, consistency
// between consecutive ones), replays the events and compares them with the
// database: every record version has exactly its leaf, its stored
// commitment is the leaf's, and its current content (sensitive fields
// included) still matches that commitment; every negotiation row matches a
// leaf committing to it; every covered column (accounts, tokens, sessions,
// match decisions, disclosures and runs, stage pins, who and when of every
// row) is what its leaf says (logreplay.go); and every derived table
// equals its rebuild from its sources.
//
// external are checkpoints held outside the database (a witness's state, a
// checkpoint a party kept): the log must extend each of them, which is the
// only way to see leaves removed from the end together with the newer
// checkpoints.
func (db *DB) AuditLog(ctx context.Context, keys *audit.Keys, external ...audit.External) (*AuditResult, error) {
	const op = "sqlstore.AuditLog"
	events := map[audit.LeafType]map[audit.Digest][]int64{}
	res := &AuditResult{}
	rp := newReplay()
	report, err := audit.Audit(keys, audit.AuditInput{
		Leaves:      db.leafSeq(ctx),
		Hashes:      db.hashSeq(ctx),
		Checkpoints: db.checkpointSeq(ctx),
		External:    external,
		Visit: func(index int64, leaf audit.Leaf) error {
			rp.visit(index, leaf)
			if replayed[leaf.Type] {
				if events[leaf.Type] == nil {
					events[leaf.Type] = map[audit.Digest][]int64{}
				}
				events[leaf.Type][leaf.Commitment] = append(events[leaf.Type][leaf.Commitment], index)
				return nil
			}
			if leaf.Type == audit.RecordCreated || leaf.Type == audit.RecordCorrected {
				res.Replayed++
			}
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
	rp.add = add
	if err := db.replayCovered(ctx, rp, res); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	// The flags rows an erasure blanked have nothing left to recompute
	// their commitment from: checkPriority paired each with its leaf (by
	// position, who and when), which replayEvents does not look for again.
	for _, l := range rp.blankedFlags {
		events[leafPriority][l.commitment] = slices.DeleteFunc(events[leafPriority][l.commitment], func(i int64) bool { return i == l.index })
	}
	if err := db.replayEvents(ctx, events, add); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return res, nil
}

// replayed are the leaf types whose rows replayEvents checks.
var replayed = map[audit.LeafType]bool{
	leafExchangeOpened: true, audit.ListSubmitted: true, leafListAnswered: true, leafEvidence: true,
	leafAgreementFrozen: true, audit.AgreementSigned: true, audit.KeyRegistered: true,
	audit.HandoverRecorded: true, leafStageChanged: true, leafRemainsRecorded: true, leafMatchWithdrawn: true,
	leafKeyProposed: true, leafKeyConfirmed: true, leafKeyRevoked: true, leafPriority: true, leafExported: true, leafCustody: true, leafInterview: true,
}

func init() {
	for _, t := range accountLeafTypes {
		replayed[t] = true
		replayKept[t] = true // by subject too, for checkCodes
	}
	for _, t := range audit.CaseLeaves {
		replayed[t] = true
		replayKept[t] = true
	}
}

// replayEvents recomputes the commitment of every negotiation row (an
// exchange, a list version, an answer, an evidence entry, an agreement
// version, a signature, a registered key) from its stored content and
// nonce, and pairs it with a leaf of its type committing to exactly that.
// A row without its leaf was changed or written around the log; a leaf
// left without a row lost its row.
func (db *DB) replayEvents(ctx context.Context, events map[audit.LeafType]map[audit.Digest][]int64, add func(audit.FindingCode, int64, string, ...any)) error {
	take := func(t audit.LeafType, d audit.Digest) bool {
		idx := events[t][d]
		if len(idx) == 0 {
			return false
		}
		events[t][d] = idx[1:]
		return true
	}
	type source struct {
		typ   audit.LeafType
		what  string
		query string
		// commit returns the commitment of a row: its description and
		// stored columns (all but the last, the nonce).
		commit func(cols []any, nonce audit.Nonce) (string, audit.Digest, error)
		cols   int
	}
	str := func(v any) string {
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	}
	sources := []source{
		{leafExchangeOpened, "exchange", `SELECT id, body, nonce FROM exchanges ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			var ex exchange.Exchange
			if err := json.Unmarshal([]byte(str(c[1])), &ex); err != nil {
				return "", audit.Digest{}, err
			}
			return "exchange " + str(c[0]), audit.Commit(audit.TagExchange, n, ex.Canonical()), nil
		}, 2},
		{audit.ListSubmitted, "list version", `SELECT exchange_id, body, nonce FROM exchange_lists ORDER BY exchange_id, party, kind, version`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			var v exchange.ListVersion
			if err := json.Unmarshal([]byte(str(c[1])), &v); err != nil {
				return "", audit.Digest{}, err
			}
			return fmt.Sprintf("%s's %s list version %d in %s", v.Party, v.Kind, v.Version, str(c[0])), audit.Commit(audit.TagList, n, v.Canonical()), nil
		}, 2},
		{leafListAnswered, "answer", `SELECT exchange_id, body, nonce FROM exchange_responses ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			var r exchange.Response
			if err := json.Unmarshal([]byte(str(c[1])), &r); err != nil {
				return "", audit.Digest{}, err
			}
			content, err := r.Content()
			return fmt.Sprintf("%s's answer on %s in %s", r.Party, r.RecordID, str(c[0])), audit.Commit(audit.TagAnswer, n, content), err
		}, 2},
		{leafEvidence, "evidence", `SELECT record_id, body, nonce FROM evidence ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return "evidence on record " + str(c[0]), audit.Commit(audit.TagEvidence, n, []byte(str(c[1]))), nil
		}, 2},
		{leafPriority, "priority flags", `SELECT record_id, body, nonce FROM priority_flags WHERE NOT (body = '{}' AND nonce IS NULL) ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return "the priority flags of record " + str(c[0]), audit.Commit(tagPriority, n, []byte(str(c[1]))), nil
		}, 2},
		{leafExported, "tracing export", `SELECT seq, party, body, nonce FROM tracing_exports ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return fmt.Sprintf("tracing export %s of %s", str(c[0]), str(c[1])), audit.Commit(tagExported, n, []byte(str(c[2]))), nil
		}, 3},
		{leafCustody, "custody event", `SELECT record_id, n, body, nonce FROM custody_events ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return fmt.Sprintf("custody event %s of record %s", str(c[1]), str(c[0])), audit.Commit(tagCustody, n, []byte(str(c[2]))), nil
		}, 3},
		{leafInterview, "interview", `SELECT id, record_id, body, sealed, nonce FROM interviews ORDER BY seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			sealed, _ := c[3].([]byte)
			content, err := db.interviewContent(str(c[0]), str(c[2]), sealed)
			return "interview " + str(c[0]) + " of record " + str(c[1]), audit.Commit(tagInterview, n, content), err
		}, 4},
		{leafAgreementFrozen, "agreement", `SELECT exchange_id, version, document, nonce FROM agreements ORDER BY exchange_id, version`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return fmt.Sprintf("agreement %s version %s", str(c[0]), str(c[1])), audit.Commit(audit.TagAgreement, n, []byte(str(c[2]))), nil
		}, 3},
		{audit.AgreementSigned, "signature", `SELECT s.exchange_id, s.version, s.role, a.document, s.line, s.nonce FROM agreement_signatures s
			JOIN agreements a ON a.exchange_id = s.exchange_id AND a.version = s.version ORDER BY s.exchange_id, s.version, s.role`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return fmt.Sprintf("%s's signature on agreement %s version %s", str(c[2]), str(c[0]), str(c[1])),
				audit.Commit(audit.TagAgreement, n, signedContent([]byte(str(c[3])), str(c[4]))), nil
		}, 5},
		{leafMatchWithdrawn, "disclosure withdrawal", `SELECT disclosure_seq, sought_id, held_id, reason, nonce FROM match_withdrawals ORDER BY disclosure_seq`, func(c []any, n audit.Nonce) (string, audit.Digest, error) {
			return fmt.Sprintf("the withdrawal of disclosure %s (%s/%s)", str(c[0]), str(c[1]), str(c[2])),
				audit.Commit(audit.TagMatch, n, withdrawContent(str(c[0]), str(c[1]), str(c[2]), str(c[3]))), nil
		}, 4},
	}
	for _, src := range sources {
		rows, err := db.query(ctx, src.query)
		if err != nil {
			return err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			vals := make([]any, src.cols+1)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			nb, _ := vals[src.cols].([]byte)
			what, d, err := src.commit(vals[:src.cols], audit.Nonce(padNonce(nb)))
			switch {
			case err != nil:
				add(EventChanged, -1, "%s: stored content is not readable: %v", src.what, err)
			case len(nb) != len(audit.Nonce{}):
				add(EventChanged, -1, "%s has no nonce to check it with", what)
			case !take(src.typ, d):
				add(EventChanged, -1, "%s no longer matches any %s leaf (changed in the database, or written around the log)", what, src.typ)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Stage events: each commits to the canonical JSON of its content.
	rows, err := db.query(ctx, `SELECT exchange_id, stage, event_id, body, nonce FROM stage_events ORDER BY seq`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var exID, eventID, body string
		var stage int
		var nb []byte
		if err := rows.Scan(&exID, &stage, &eventID, &body, &nb); err != nil {
			return err
		}
		what := fmt.Sprintf("event %s of stage %d of %s", eventID, stage, exID)
		var e crossing.Event
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			add(EventChanged, -1, "%s: stored content is not readable: %v", what, err)
			return nil
		}
		typ := audit.HandoverRecorded
		if e.Type.IsStage() {
			typ = leafStageChanged
		}
		c, err := audit.CanonicalJSON(e.Content())
		switch {
		case err != nil:
			add(EventChanged, -1, "%s: %v", what, err)
		case len(nb) != len(audit.Nonce{}):
			add(EventChanged, -1, "%s has no nonce to check it with", what)
		case !take(typ, audit.Commit(audit.TagHandover, audit.Nonce(padNonce(nb)), c)):
			add(EventChanged, -1, "%s no longer matches any %s leaf (changed in the database, or written around the log)", what, typ)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Remains: the committed content is derived by the repatriation engine
	// from the whole batch; here each row is paired with one leaf by count
	// and nonce (the content check needs the engine's replay).
	var remains int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM remains_items WHERE nonce IS NOT NULL`).Scan(&remains); err != nil {
		return err
	}
	for d, idx := range events[leafRemainsRecorded] {
		for len(idx) > 0 && remains > 0 {
			idx = idx[1:]
			remains--
		}
		events[leafRemainsRecorded][d] = idx
	}
	if remains > 0 {
		add(EventChanged, -1, "%d remains entries have no remains.recorded leaf", remains)
	}
	if err := db.replayKeys(ctx, take, add); err != nil {
		return err
	}
	if err := db.replayAccounts(ctx, take, add); err != nil {
		return err
	}
	if err := db.replayCaseSteps(ctx, take, add); err != nil {
		return err
	}
	for t, byDigest := range events {
		for _, idx := range byDigest {
			for _, i := range idx {
				add(EventMissing, i, "leaf %d (%s) has no row in the database", i, t)
			}
		}
	}
	return nil
}

// padNonce copies b into a nonce-sized array (zero when b is short; the
// caller reports a missing nonce).
func padNonce(b []byte) [32]byte {
	var n [32]byte
	copy(n[:], b)
	return n
}

// leafSeq yields the leaf table in index order.
func (db *DB) leafSeq(ctx context.Context) iter.Seq2[audit.StoredLeaf, error] {
	return rowSeq(func() (*sql.Rows, error) {
		return db.query(ctx, `SELECT idx, data FROM log_leaves ORDER BY idx`)
	}, func(rows *sql.Rows) (audit.StoredLeaf, error) {
		var l audit.StoredLeaf
		err := rows.Scan(&l.Index, &l.Data)
		return l, err
	})
}

// hashSeq yields the stored-hash table in index order.
func (db *DB) hashSeq(ctx context.Context) iter.Seq2[audit.StoredHash, error] {
	return rowSeq(func() (*sql.Rows, error) {
		return db.query(ctx, `SELECT idx, hash FROM log_hashes ORDER BY idx`)
	}, func(rows *sql.Rows) (audit.StoredHash, error) {
		var h audit.StoredHash
		var b []byte
		if err := rows.Scan(&h.Index, &b); err != nil {
			return h, err
		}
		if len(b) != tlog.HashSize {
			return h, fmt.Errorf("stored hash %s has %d bytes", strconv.FormatInt(h.Index, 10), len(b))
		}
		h.Hash = tlog.Hash(b)
		return h, nil
	})
}
