package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// leafExported is the leaf of a bureau's export of its held register for
// the Central Tracing Agency; tagExported the tag of its commitment.
const leafExported audit.LeafType = "bureau.exported"

const tagExported = "handover/tracing-export/v1"

// TracingFile is an export as its renderer made it: the file's bytes, the
// schema they follow, and how many records it holds (how many of them
// marked detrimental to transmit to the other party).
type TracingFile struct {
	Data           []byte
	Format, Schema string
	Count, Flagged int
}

// TracingExport is one logged export of a party's held register for the
// Central Tracing Agency: what the party transmitted, provable later by
// the file's SHA-256.
type TracingExport struct {
	Seq      int64     `json:"seq"`
	Party    string    `json:"party"`
	Format   string    `json:"format"`
	Schema   string    `json:"schema"`
	Exported time.Time `json:"exported_at"`
	Count    int       `json:"count"`
	Flagged  int       `json:"flagged"`
	Size     int       `json:"size"`
	SHA256   string    `json:"sha256"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// exportBody is what a tracing_exports row and its leaf commit to.
type exportBody struct {
	Party    string    `json:"party"`
	Format   string    `json:"format"`
	Schema   string    `json:"schema"`
	Exported time.Time `json:"exported_at"`
	Count    int       `json:"count"`
	Flagged  int       `json:"flagged"`
	Size     int       `json:"size"`
	SHA256   string    `json:"sha256"`
}

// ExportTracing exports party's held register for the Central Tracing
// Agency (GC III Arts. 122–123): every held record, those marked
// detrimental included — information withheld from the other party is not
// withheld from the Agency (GC IV Art. 137(2)) — read at one instant and
// handed to render with that instant; the file it makes is logged (a
// tracing_exports row and its bureau.exported leaf, with the count and
// the file's SHA-256) before it is returned. tracing.export decides:
// the party's own registrars and approvers, and the mediator's operator;
// sealed fields (health, next of kin) are opened for the party's own
// users only.
func (db *DB) ExportTracing(ctx context.Context, s access.Scope, party string, render func(recs []person.Record, at time.Time) (TracingFile, error)) (TracingExport, []byte, error) {
	const op = "sqlstore.ExportTracing"
	party, err := tracingParty(s, party)
	if err != nil {
		return TracingExport{}, nil, errs.E(op, err)
	}
	known, err := db.partyCodes(ctx)
	if err != nil {
		return TracingExport{}, nil, errs.E(op, errs.Internal, err)
	}
	if !slices.Contains(known, party) {
		return TracingExport{}, nil, errs.E(op, errs.Invalid, fmt.Sprintf("party %s does not exist", party),
			errs.FieldError{Field: "party", Message: "unknown party " + party, Args: []string{party}, Code: "unknown_party"})
	}
	at := db.Now().UTC().Truncate(time.Second)
	rows, err := db.query(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
		WHERE r.party = ? AND r.kind = ? AND `+notErased+` ORDER BY r.seq`, party, string(person.Held))
	if err != nil {
		return TracingExport{}, nil, errs.E(op, errs.Internal, err)
	}
	recs, err := collect(rows, func(rows *sql.Rows) (person.Record, error) {
		r, _, err := db.scanRecord(rows, s)
		return r, err
	})
	if err != nil {
		return TracingExport{}, nil, errs.E(op, errs.Internal, err)
	}
	f, err := render(recs, at)
	if err != nil {
		return TracingExport{}, nil, errs.E(op, err)
	}
	sum := sha256.Sum256(f.Data)
	b := exportBody{Party: party, Format: f.Format, Schema: f.Schema, Exported: at, Count: f.Count, Flagged: f.Flagged, Size: len(f.Data), SHA256: hex.EncodeToString(sum[:])}
	body, err := json.Marshal(b)
	if err != nil {
		return TracingExport{}, nil, errs.E(op, errs.Internal, err)
	}
	out := TracingExport{Party: party, Format: b.Format, Schema: b.Schema, Exported: at, Count: b.Count, Flagged: b.Flagged, Size: b.Size, SHA256: b.SHA256, By: s.Login}
	err = db.write(ctx, func(tx *Tx) error {
		nonce, err := tx.commitLeaf(ctx, leafExported, s, "", "tracing-export:"+party, 0, tagExported, body)
		if err != nil {
			return err
		}
		out.At = tx.now
		return tx.queryRow(ctx, `INSERT INTO tracing_exports (party, body, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?) RETURNING seq`,
			party, string(body), s.Login, fmtTime(tx.now), nonce).Scan(&out.Seq)
	})
	if err != nil {
		return TracingExport{}, nil, errs.E(op, err)
	}
	return out, f.Data, nil
}

// tracingParty is the party an export is of: the one named, else the
// caller's own; a caller of no party (the mediator's operator) must name
// one. tracing.export decides.
func tracingParty(s access.Scope, party string) (string, error) {
	if party == "" {
		party = s.Party
	}
	if party == "" {
		if s.Role == access.MediatorOperator {
			const msg = "name the party whose held register to export"
			return "", errs.E(errs.Invalid, msg, errs.FieldError{Field: "party", Message: msg, Code: "required"})
		}
		return "", access.Decide(s, access.TracingExport, access.Resource{})
	}
	if err := access.Decide(s, access.TracingExport, access.Resource{Party: party, Kind: string(person.Held)}); err != nil {
		return "", err
	}
	return party, nil
}

// TracingExports lists party's logged exports for the Central Tracing
// Agency, newest first; tracing.export decides, as for ExportTracing.
func (db *DB) TracingExports(ctx context.Context, s access.Scope, party string) ([]TracingExport, error) {
	const op = "sqlstore.TracingExports"
	party, err := tracingParty(s, party)
	if err != nil {
		return nil, errs.E(op, err)
	}
	out, err := queryAll(ctx, db, func(rows *sql.Rows) (TracingExport, error) {
		var e TracingExport
		var body string
		if err := rows.Scan(&e.Seq, &body, &e.By, dbTime{&e.At}); err != nil {
			return e, err
		}
		var b exportBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return e, fmt.Errorf("tracing export %d: %w", e.Seq, err)
		}
		e.Party, e.Format, e.Schema, e.Exported, e.Count, e.Flagged, e.Size, e.SHA256 = b.Party, b.Format, b.Schema, b.Exported, b.Count, b.Flagged, b.Size, b.SHA256
		return e, nil
	}, `SELECT seq, body, entered_by, entered_at FROM tracing_exports WHERE party = ? ORDER BY seq DESC`, party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if out == nil {
		out = []TracingExport{}
	}
	return out, nil
}

// checkTracingExports pairs each party's tracing_exports rows, in order,
// with its bureau.exported leaves: the party must be the committed
// body's, who and when the leaf's; a leaf left over lost its row. The
// content itself is checked by replayEvents.
func (db *DB) checkTracingExports(ctx context.Context, rp *replay) error {
	type row struct {
		seq                 int64
		party, body, by, at string
	}
	rows, err := queryAll(ctx, db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.party, &r.body, &r.by, &r.at)
		return r, err
	}, `SELECT seq, party, body, entered_by, entered_at FROM tracing_exports ORDER BY seq`)
	if err != nil {
		return err
	}
	next := map[string]int{}
	for _, r := range rows {
		what := fmt.Sprintf("tracing_exports %d (party %s)", r.seq, r.party)
		var b exportBody
		if json.Unmarshal([]byte(r.body), &b) == nil && b.Party != r.party {
			rp.add(ColumnChanged, -1, "%s: party is %q, but its committed body says %q", what, r.party, b.Party)
		}
		subject := "tracing-export:" + r.party
		ls := rp.pairLeaves(leafExported, subject)
		i := next[subject]
		next[subject]++
		if i >= len(ls) {
			rp.add(RowUnlogged, -1, "%s: no bureau.exported leaf about this party for this row (written around the log, or moved to another party)", what)
			continue
		}
		ls[i].used = true
		rp.checkBy(what, "entered_by", r.by, "entered_at", r.at, ls[i])
	}
	for subject, ls := range rp.bySubject[leafExported] {
		for _, l := range ls[min(next[subject], len(ls)):] {
			rp.add(RowMissing, l.index, "leaf %d (bureau.exported) is about an export of %s, which has fewer tracing_exports rows (removed, or moved to another party?)", l.index, strings.TrimPrefix(subject, "tracing-export:"))
		}
	}
	return nil
}
