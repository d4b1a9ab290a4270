package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// sensitive is the part of a record sealed at rest: health and next of
// kin, read by the owning party's own users alone; the reason a record is
// withheld (a prisoner's own words to the neutral, or the bureau's), read
// by whoever reads the record's flag. A version written before migration
// 0030, not yet sealed by Open, has its withhold reason in its body.
type sensitive struct {
	Health            string `json:"health,omitempty"`
	NextOfKin         string `json:"next_of_kin,omitempty"`
	DetrimentalReason string `json:"detrimental_reason,omitempty"`
}

// openSensitive opens the sealed part of version v of record id.
func (db *DB) openSensitive(sealed []byte, id string, v int) (sensitive, error) {
	var sens sensitive
	plain, err := db.seal.open(sealed, sealAD(id, v))
	if err == nil {
		err = json.Unmarshal(plain, &sens)
	}
	return sens, err
}

// into puts the sealed fields into f, the fields of the version's body. A
// withhold reason both in the body and sealed is refused: the store never
// writes it so, and one of them would be read unchecked.
func (sens sensitive) into(f *person.Fields) error {
	if sens.DetrimentalReason != "" {
		if f.DetrimentalReason != "" {
			return fmt.Errorf("the withhold reason is both in clear and sealed")
		}
		f.DetrimentalReason = sens.DetrimentalReason
	}
	f.Health, f.NextOfKin = sens.Health, sens.NextOfKin
	return nil
}

// NewRecord is one record to create: its owner, its fields and where it
// came from (Provenance.EnteredBy and EnteredAt are set by the store).
type NewRecord struct {
	Party  string
	Fields person.Fields
	Source string // "entered by hand" when empty
	Ref    string // file hash, sheet and row, list reference
}

// CreateRecord adds one record to a register of its owning party.
func (db *DB) CreateRecord(ctx context.Context, s access.Scope, nr NewRecord) (person.Record, error) {
	recs, err := db.CreateRecords(ctx, s, []NewRecord{nr})
	if err != nil {
		return person.Record{}, err
	}
	return recs[0], nil
}

// CreateRecords adds records in one transaction: all or none. Every record is
// validated first and every problem is reported, numbered from 1 as
// "record N" (an importer maps that to its rows).
func (db *DB) CreateRecords(ctx context.Context, s access.Scope, nrs []NewRecord) ([]person.Record, error) {
	const op = "sqlstore.CreateRecords"
	if len(nrs) == 0 {
		return nil, nil
	}
	now := db.Now()
	var bad []errs.FieldError
	recs := make([]person.Record, len(nrs))
	for i := range nrs {
		nr := &nrs[i]
		if err := access.Decide(s, access.RecordCreate, access.Resource{Party: nr.Party, Kind: string(nr.Fields.Kind)}); err != nil {
			return nil, errs.E(op, err)
		}
		nr.Fields.Normalize()
		err := nr.Fields.Validate(now)
		if err == nil {
			// A withholding at the person's own request comes only from
			// the neutral's interview (GC III Arts. 118, 122(3)).
			err = person.CheckWithholdWrite(nil, &nr.Fields)
		}
		if err != nil {
			for _, fe := range errs.Fields(err) {
				if len(nrs) > 1 {
					fe.Where = fmt.Sprintf("record %d", i+1)
				}
				bad = append(bad, fe)
			}
		}
	}
	if len(bad) > 0 {
		return nil, errs.E(op, errs.Invalid, "the records have invalid fields; nothing was stored", bad)
	}
	err := db.write(ctx, func(tx *Tx) error {
		for i := range nrs {
			nr := &nrs[i]
			src := nr.Source
			if src == "" {
				src = "entered by hand"
			}
			recs[i] = person.Record{
				ID: newID("r"), Version: 1, Party: nr.Party, Fields: nr.Fields,
				Provenance: person.Provenance{Source: src, SourceRef: nr.Ref, EnteredBy: s.Login, EnteredAt: tx.now},
			}
		}
		return tx.insertRecords(ctx, actor(s.UserID), recs)
	})
	if err != nil {
		if errs.Is(errs.Invalid, err) {
			return nil, err
		}
		return nil, errs.E(op, err)
	}
	for i := range recs {
		recs[i].Warnings = recs[i].Fields.Check()
	}
	return recs, nil
}

// insertRecords writes new records (version 1) in batched multi-row inserts.
func (tx *Tx) insertRecords(ctx context.Context, who string, recs []person.Record) error {
	const headCols = 6
	batch := min(500, tx.d.maxParams()/12)
	seqs := make(map[string]int64, len(recs))
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO records (id, party, kind, version, created_at, category, status) VALUES `)
		args := make([]any, 0, len(part)*headCols)
		for i, r := range part {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(`(?, ?, ?, 1, ?, ?, ?)`)
			args = append(args, r.ID, r.Party, string(r.Kind), fmtTime(tx.now), string(r.Category), string(r.Status))
		}
		q.WriteString(` RETURNING seq, id`)
		rows, err := tx.query(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var seq int64
			var id string
			err := rows.Scan(&seq, &id)
			seqs[id] = seq
			return err
		})
		if err != nil {
			return err
		}
		if err := tx.insertVersions(ctx, who, part, seqs, nil); err != nil {
			return err
		}
	}
	return nil
}

// insertVersions writes one version row per record and its log leaf:
// record.created for version 1, record.corrected (with the superseded
// version's commitment in prev) otherwise. who is the leaf's actor.
func (tx *Tx) insertVersions(ctx context.Context, who string, recs []person.Record, seqs map[string]int64, prev map[string]audit.Digest) error {
	app, err := tx.appender(ctx)
	if err != nil {
		return err
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO record_versions (record_seq, version, category, status, body, sealed, source, source_ref, entered_by, entered_at, reason, nonce, commitment) VALUES `)
	args := make([]any, 0, len(recs)*13)
	for i := range recs {
		r := &recs[i]
		seq, ok := seqs[r.ID]
		if !ok {
			return fmt.Errorf("record %s has no sequence number", r.ID)
		}
		body, sealed, err := tx.encode(ctx, r)
		if err != nil {
			return err
		}
		nonce, commitment, err := commitRecord(r, !tx.db.before0018)
		if err != nil {
			return err
		}
		leaf := audit.Leaf{Type: audit.RecordCreated, Actor: who, Time: tx.now, Subject: "record:" + r.ID, Rev: int64(r.Version), Commitment: commitment}
		if r.Version > 1 {
			leaf.Type = audit.RecordCorrected
			leaf.Prev = prev[r.ID]
		}
		if _, err := app.add(leaf); err != nil {
			return err
		}
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		args = append(args, seq, r.Version, string(r.Category), string(r.Status), body, sealed,
			r.Provenance.Source, r.Provenance.SourceRef, r.Provenance.EnteredBy, fmtTime(r.Provenance.EnteredAt), r.Provenance.Reason,
			nonce[:], commitment.String())
	}
	if _, err := tx.exec(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("insert record versions: %w", err)
	}
	if err := tx.writeTerms(ctx, recs, seqs); err != nil {
		return err
	}
	return app.flush(ctx)
}

// encode returns the stored body of a record (its fields without the
// sensitive ones) and the sealed sensitive part (nil when empty).
func (tx *Tx) encode(ctx context.Context, r *person.Record) (string, []byte, error) {
	f := r.Fields
	sens := sensitive{Health: f.Health, NextOfKin: f.NextOfKin, DetrimentalReason: f.DetrimentalReason}
	f.Health, f.NextOfKin, f.DetrimentalReason = "", "", ""
	if tx.db.clearBefore0030 {
		f.DetrimentalReason, sens.DetrimentalReason = sens.DetrimentalReason, ""
	}
	body, err := json.Marshal(f)
	if err != nil {
		return "", nil, err
	}
	var sealed []byte
	if sens != (sensitive{}) {
		plain, _ := json.Marshal(sens)
		if sealed, err = tx.seal(ctx, plain, sealAD(r.ID, r.Version)); err != nil {
			return "", nil, err
		}
	}
	return string(body), sealed, nil
}

func sealAD(id string, version int) []byte { return []byte(id + "/" + strconv.Itoa(version)) }

// CorrectRecord makes a new version of record id with fields f. base is the
// version the caller read: if the record has moved on since, the correction
// is refused with a Conflict (optimistic concurrency; no lost updates). The
// old version stays readable in the history.
func (db *DB) CorrectRecord(ctx context.Context, s access.Scope, id string, base int, f person.Fields, reason string) (person.Record, error) {
	const op = "sqlstore.CorrectRecord"
	cur, err := db.Record(ctx, s, id)
	if err != nil {
		return person.Record{}, errs.E(op, err)
	}
	if err := access.Decide(s, access.RecordCorrect, access.Resource{Party: cur.Party, Kind: string(cur.Kind)}); err != nil {
		return person.Record{}, errs.E(op, err)
	}
	if f.Kind == "" {
		f.Kind = cur.Kind
	}
	if f.Kind != cur.Kind {
		return person.Record{}, errs.E(op, errs.Invalid, "a record cannot move between registers; create a new record instead",
			errs.FieldError{Field: "kind", Message: fmt.Sprintf("is %s, cannot become %s", cur.Kind, f.Kind), Code: "kind_change", Args: []string{string(cur.Kind), string(f.Kind)}})
	}
	if len(reason) > person.MaxTextLen {
		return person.Record{}, errs.E(op, errs.Invalid, "the reason is too long")
	}
	f.Normalize()
	if err := f.Validate(db.Now()); err != nil {
		return person.Record{}, err
	}
	if err := person.CheckWithholdWrite(&cur.Fields, &f); err != nil {
		return person.Record{}, err
	}
	if base != cur.Version {
		return person.Record{}, errs.E(op, errs.Conflict, fmt.Sprintf("record %s is at version %d, not %d: read it again and redo the correction", id, cur.Version, base))
	}
	rec := person.Record{ID: id, Version: base + 1, Party: cur.Party, Fields: f}
	err = db.write(ctx, func(tx *Tx) error {
		// The log's lock first, as an erasure takes it: the check below
		// then sees an erasure that committed before, and an erasure
		// waits for this correction (on PostgreSQL, READ COMMITTED, a
		// check before the lock could pass while an erasure commits, and
		// the correction would write the names back).
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		// An erased record stays erased (docs/design/security.md §9).
		if e, err := db.erasure(ctx, tx, id); err != nil {
			return err
		} else if e != nil {
			return errs.E(op, errs.Conflict, fmt.Sprintf("record %s is erased: it cannot be corrected", id), errs.Coded{Code: "erase_corrected", Args: []string{id}})
		}
		var seq int64
		if err := tx.queryRow(ctx, `SELECT seq FROM records WHERE id = ?`, id).Scan(&seq); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE records SET version = ?, category = ?, status = ? WHERE seq = ? AND version = ?`,
			base+1, string(f.Category), string(f.Status), seq, base)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(op, errs.Conflict, fmt.Sprintf("record %s was corrected by someone else meanwhile: read it again and redo the correction", id))
		}
		rec.Provenance = person.Provenance{Source: "correction", EnteredBy: s.Login, EnteredAt: tx.now, Reason: reason}
		var prevText string
		if err := tx.queryRow(ctx, `SELECT commitment FROM record_versions WHERE record_seq = ? AND version = ?`, seq, base).Scan(&prevText); err != nil {
			return err
		}
		prev, err := audit.ParseDigest(prevText)
		if err != nil {
			return fmt.Errorf("record %s version %d: stored commitment: %w", id, base, err)
		}
		if err := tx.insertVersions(ctx, actor(s.UserID), []person.Record{rec}, map[string]int64{id: seq}, map[string]audit.Digest{id: prev}); err != nil {
			return err
		}
		if f.Detrimental && cur.Kind == person.Held {
			// Withheld means withheld: what was disclosed of the record
			// before is withdrawn with this version.
			return tx.withdrawDisclosures(ctx, s, id, "the holding party marked the held record transmission-detrimental")
		}
		return nil
	})
	if err != nil {
		return person.Record{}, errs.E(op, err)
	}
	rec.Warnings = rec.Fields.Check()
	return rec, nil
}

const recordCols = `r.seq, r.id, r.party, r.kind, v.version, v.body, v.sealed, v.source, v.source_ref, v.entered_by, v.entered_at, v.reason`

// scanRecord reads one row of recordCols. Health and next of kin are
// opened only for the owning party's own users; the withhold reason of a
// withheld record also for the scopes of no party (the mediator's, the
// auditor's), who read it as they read the flag.
func (db *DB) scanRecord(row interface{ Scan(...any) error }, s access.Scope) (person.Record, int64, error) {
	var r person.Record
	var seq int64
	var kind, body string
	var sealed []byte
	err := row.Scan(&seq, &r.ID, &r.Party, &kind, &r.Version, &body, &sealed, &r.Provenance.Source, &r.Provenance.SourceRef,
		&r.Provenance.EnteredBy, dbTime{&r.Provenance.EnteredAt}, &r.Provenance.Reason)
	if err != nil {
		return r, 0, err
	}
	if err := json.Unmarshal([]byte(body), &r.Fields); err != nil {
		return r, 0, fmt.Errorf("record %s version %d: stored body: %w", r.ID, r.Version, err)
	}
	r.Kind = person.Kind(kind)
	own := s.Party == r.Party
	if len(sealed) > 0 && (own || s.Party == "" && r.Detrimental) {
		sens, err := db.openSensitive(sealed, r.ID, r.Version)
		if err != nil {
			return r, 0, fmt.Errorf("record %s version %d: sensitive fields: %w", r.ID, r.Version, err)
		}
		if !own {
			sens = sensitive{DetrimentalReason: sens.DetrimentalReason}
		}
		if err := sens.into(&r.Fields); err != nil {
			return r, 0, fmt.Errorf("record %s version %d: %w", r.ID, r.Version, err)
		}
	}
	r.Warnings = r.Fields.Check()
	return r, seq, nil
}

// Record returns the current version of record id. A record the scope may
// not read is reported as not found, so ids cannot be probed.
func (db *DB) Record(ctx context.Context, s access.Scope, id string) (person.Record, error) {
	const op = "sqlstore.Record"
	row := db.queryRow(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.id = ?`, id)
	r, _, err := db.scanRecord(row, s)
	if errors.Is(err, sql.ErrNoRows) {
		return person.Record{}, errs.E(op, errs.NotFound, fmt.Sprintf("no record %s", id), errs.Coded{Code: "no_record", Args: []string{id}})
	}
	if err != nil {
		return person.Record{}, errs.E(op, errs.Internal, err)
	}
	if access.Decide(s, access.RecordRead, access.Resource{Party: r.Party, Kind: string(r.Kind)}) != nil {
		return person.Record{}, errs.E(op, errs.NotFound, fmt.Sprintf("no record %s", id), errs.Coded{Code: "no_record", Args: []string{id}})
	}
	if r.Erased, err = db.erasure(ctx, db, id); err != nil {
		return person.Record{}, errs.E(op, errs.Internal, err)
	}
	if r.Erased != nil {
		r.Warnings = nil
	}
	return r, nil
}

// RecordHistory returns every version of record id, oldest first.
func (db *DB) RecordHistory(ctx context.Context, s access.Scope, id string) ([]person.Record, error) {
	const op = "sqlstore.RecordHistory"
	cur, err := db.Record(ctx, s, id)
	if err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq WHERE r.id = ? ORDER BY v.version`, id)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (person.Record, error) {
		r, _, err := db.scanRecord(rows, s)
		if cur.Erased != nil {
			r.Erased, r.Warnings = cur.Erased, nil
		}
		return r, err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}

// RecordFilter selects records. Empty fields do not filter.
type RecordFilter struct {
	Party    string
	Kind     person.Kind
	Category person.Category
	Status   person.Status
	Text     string // case-folded "contains" over names in any script, service number, unit
	Cursor   string // from the previous page's Next
	Limit    int    // default 100, at most 1000
	// Newest lists the newest records first (the register page: what was
	// just entered or imported is on the first page).
	Newest bool
	// Count asks for Total, the number of records that match.
	Count bool
	// Trace keeps the sought records whose trace status is this one
	// (0: any); it needs Kind sought and one Party.
	Trace crossing.TraceStatus
}

// RecordPage is one page of records.
type RecordPage struct {
	Records []person.Record `json:"records"`
	Next    string          `json:"next,omitempty"`  // cursor of the next page; empty on the last
	Total   int             `json:"total,omitempty"` // with RecordFilter.Count: how many match
	last    int64           // seq of the last record on the page
	desc    bool
}

// Records lists the current versions of the records the scope may read that
// match f, in the order they were created (newest first with f.Newest).
func (db *DB) Records(ctx context.Context, s access.Scope, f RecordFilter) (RecordPage, error) {
	const op = "sqlstore.Records"
	var bad []errs.FieldError
	if f.Kind != "" && !f.Kind.Valid() {
		bad = append(bad, errs.FieldError{Field: "kind", Message: fmt.Sprintf("%q is not a register: use held or sought", f.Kind), Code: "bad_kind", Args: []string{string(f.Kind)}})
	}
	if f.Category != "" && !f.Category.Valid() {
		bad = append(bad, errs.FieldError{Field: "category", Message: fmt.Sprintf("%q is not a category", f.Category), Code: "bad_category_filter", Args: []string{string(f.Category)}})
	}
	if !f.Status.Valid() {
		bad = append(bad, errs.FieldError{Field: "status", Message: fmt.Sprintf("%q is not a status", f.Status), Code: "bad_status", Args: []string{string(f.Status)}})
	}
	var after int64
	if f.Cursor != "" {
		// c<seq>: records after seq, oldest first; d<seq>: before it, newest first.
		prefix := "c"
		if f.Newest {
			prefix = "d"
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(f.Cursor, prefix), 10, 64)
		if err != nil || n < 0 || !strings.HasPrefix(f.Cursor, prefix) {
			bad = append(bad, errs.FieldError{Field: "cursor", Message: "not a cursor this server gave", Code: "bad_cursor"})
		}
		after = n
	}
	if f.Trace != 0 && (!f.Trace.Valid() || f.Kind != person.Sought || f.Party == "") {
		bad = append(bad, errs.FieldError{Field: "trace", Message: "a trace status filters one party's sought register", Code: "bad_trace_filter"})
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 0 || f.Limit > 1000 {
		bad = append(bad, errs.FieldError{Field: "limit", Message: "between 1 and 1000", Code: "bad_limit"})
	}
	if len(f.Text) > 200 {
		bad = append(bad, errs.FieldError{Field: "text", Message: "at most 200 characters", Code: "search_too_long", Args: []string{"200"}})
	}
	if len(bad) > 0 {
		return RecordPage{}, errs.E(op, errs.Invalid, "bad filter", bad)
	}
	all, err := db.partyCodes(ctx)
	if err != nil {
		return RecordPage{}, err
	}
	parties := access.Readable(s, string(f.Kind), all)
	if f.Party != "" {
		parties = access.Readable(s, string(f.Kind), []string{f.Party})
		if len(parties) == 0 {
			return RecordPage{}, errs.E(op, errs.Forbidden, fmt.Sprintf("a %s may not read these records of %s", s.Role, f.Party), errs.Coded{Code: "forbidden_role", Args: []string{string(s.Role)}})
		}
	}
	if len(parties) == 0 {
		return RecordPage{}, errs.E(op, errs.Forbidden, fmt.Sprintf("a %s may not read the registers", s.Role), errs.Coded{Code: "forbidden_role", Args: []string{string(s.Role)}})
	}
	var where []string
	var args []any
	if len(parties) < len(all) || f.Party != "" {
		// Only when the scope does not read every party: a party filter
		// over all of them would make the planner sort instead of walking
		// the (party, seq) index.
		where = append(where, `r.party IN (`+placeholders(len(parties))+`)`)
		for _, p := range parties {
			args = append(args, p)
		}
	}
	if f.Kind != "" {
		where = append(where, `r.kind = ?`)
		args = append(args, string(f.Kind))
	}
	if f.Category != "" {
		where = append(where, `r.category = ?`)
		args = append(args, string(f.Category))
	}
	if f.Status != "" {
		where = append(where, `r.status = ?`)
		args = append(args, string(f.Status))
	}
	page := RecordPage{desc: f.Newest}
	t := strings.TrimSpace(f.Text)
	if t != "" || f.Trace != 0 {
		// The records whose terms match every word and (or) whose trace
		// is the one asked for, then the filters over those, a slice of
		// them at a time in creation order.
		var seqs []int64
		if t != "" {
			kinds := []string{string(person.Held), string(person.Sought)}
			if f.Kind != "" {
				kinds = []string{string(f.Kind)}
			}
			if seqs, err = db.termMatches(ctx, parties, kinds, queryTokens(t), 0); err != nil {
				return RecordPage{}, errs.E(op, errs.Internal, err)
			}
		}
		if f.Trace != 0 {
			traced, err := db.traceSeqs(ctx, f.Party, f.Trace)
			if err != nil {
				return RecordPage{}, errs.E(op, errs.Internal, err)
			}
			if t != "" {
				seqs = intersectSorted(seqs, traced)
			} else {
				seqs = traced
			}
		}
		if f.Count {
			all, err := db.filterSeqs(ctx, seqs, parties, f, len(seqs))
			if err != nil {
				return RecordPage{}, errs.E(op, errs.Internal, err)
			}
			page.Total = len(all)
		}
		seqs = slices.DeleteFunc(seqs, func(seq int64) bool { return after > 0 && (f.Newest && seq >= after || !f.Newest && seq <= after) })
		if f.Newest {
			slices.Reverse(seqs)
		}
		if seqs, err = db.filterSeqs(ctx, seqs, parties, f, f.Limit+1); err != nil {
			return RecordPage{}, errs.E(op, errs.Internal, err)
		}
		if len(seqs) > 0 {
			// Only the primary key: the planner cannot pick another
			// index (PostgreSQL did, on a register just imported).
			a := make([]any, 0, len(seqs)+1)
			for _, seq := range seqs {
				a = append(a, seq)
			}
			if err := db.recordPage(ctx, s, &page, f.Limit, []string{`r.seq IN (` + placeholders(len(seqs)) + `)`}, a); err != nil {
				return RecordPage{}, errs.E(op, errs.Internal, err)
			}
		}
	} else {
		if f.Count {
			cond := ` WHERE ` + strings.Join(append(slices.Clip(where), notErased), ` AND `)
			if err := db.queryRow(ctx, `SELECT COUNT(*) FROM records r`+cond, args...).Scan(&page.Total); err != nil {
				return RecordPage{}, errs.E(op, errs.Internal, err)
			}
		}
		if after > 0 {
			if f.Newest {
				where = append(where, `r.seq < ?`)
			} else {
				where = append(where, `r.seq > ?`)
			}
			args = append(args, after)
		}
		if err := db.recordPage(ctx, s, &page, f.Limit, where, args); err != nil {
			return RecordPage{}, errs.E(op, errs.Internal, err)
		}
	}
	if page.Records == nil {
		page.Records = []person.Record{}
	}
	return page, nil
}

// recordPage adds to page the records that match where, in creation
// order, until it holds limit; when one more is there, it sets page.Next.
func (db *DB) recordPage(ctx context.Context, s access.Scope, page *RecordPage, limit int, where []string, args []any) error {
	need := limit - len(page.Records)
	args = append(args, need+1)
	cond := ` WHERE ` + strings.Join(append(slices.Clip(where), notErased), ` AND `)
	order := ` ORDER BY r.seq LIMIT ?`
	if page.desc {
		order = ` ORDER BY r.seq DESC LIMIT ?`
	}
	q := `SELECT ` + recordCols + ` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version` +
		cond + order
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, func(rows *sql.Rows) error {
		r, seq, err := db.scanRecord(rows, s)
		if err != nil {
			return err
		}
		if len(page.Records) == limit {
			page.Next = "c" + strconv.FormatInt(page.last, 10)
			if page.desc {
				page.Next = "d" + strconv.FormatInt(page.last, 10)
			}
			return errStop
		}
		page.Records = append(page.Records, r)
		page.last = seq
		return nil
	})
}

// intersectSorted returns the values of two ascending lists that are in both.
func intersectSorted(a, b []int64) []int64 {
	var out []int64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
