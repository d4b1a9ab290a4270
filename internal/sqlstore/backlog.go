package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// The backlog across rounds (docs/design/law.md, issue 20): a bureau's
// sought persons with every request of them, every answer and what the
// crossing said, derived by internal/backlog from the lists, answers and
// traces the store keeps; only the priority flags are stored for it
// (priority_flags, migration 0022), each with its log leaf.

// leafPriority is the leaf of a bureau setting the priority flags of one
// of its sought persons; tagPriority the tag of its commitment.
const leafPriority audit.LeafType = "priority.flagged"

const tagPriority = "handover/priority/v1"

// priorityBody is what a priority_flags row holds and its leaf commits to.
type priorityBody struct {
	Record string        `json:"record"`
	Party  string        `json:"party"`
	Flags  backlog.Flags `json:"flags"`
}

// BacklogEntry is one person of a bureau's backlog, with the name he is
// registered under.
type BacklogEntry struct {
	backlog.Person
	Name          string      `json:"name"`
	BirthDate     person.Date `json:"birth_date"`
	ServiceNumber string      `json:"service_number,omitempty"`
}

// BacklogView is a bureau's backlog: its rounds (the exchanges it took
// part in, in the order opened) and its persons, unresolved first, the
// most requested first.
type BacklogView struct {
	Party   string          `json:"party"`
	Rounds  []backlog.Round `json:"rounds"`
	Persons []BacklogEntry  `json:"persons"`
	fields  map[string]person.Fields
	input   *backlog.Input
}

// Backlog returns the caller's party's backlog across rounds: every sought
// person it requested in some exchange or flagged. Only the party's bureau
// reads it (trace.read).
func (db *DB) Backlog(ctx context.Context, s access.Scope) (BacklogView, error) {
	const op = "sqlstore.Backlog"
	if err := access.Decide(s, access.TraceRead, access.Resource{Party: s.Party}); err != nil || s.Party == "" {
		return BacklogView{}, errs.E(op, errs.Forbidden, "only a party's bureau reads the backlog of its sought persons", errs.Coded{Code: "backlog_bureau_only"})
	}
	v, err := db.backlog(ctx, db, s.Party, nil)
	if err != nil {
		return BacklogView{}, errs.E(op, err)
	}
	return v, nil
}

// BacklogOf returns one of the caller's party's sought persons' backlog:
// his history across rounds (empty when he was never requested) and his
// flags. Another party's record, or one the caller may not trace, is
// NotFound; a held record is Invalid.
func (db *DB) BacklogOf(ctx context.Context, s access.Scope, recordID string) (BacklogEntry, error) {
	const op = "sqlstore.BacklogOf"
	rec, err := db.soughtOwn(ctx, s, access.TraceRead, recordID)
	if err != nil {
		return BacklogEntry{}, errs.E(op, err)
	}
	v, err := db.backlog(ctx, db, rec.Party, []string{rec.ID})
	if err != nil {
		return BacklogEntry{}, errs.E(op, err)
	}
	for _, p := range v.Persons {
		if p.RecordID == rec.ID {
			return p, nil
		}
	}
	return BacklogEntry{Person: backlog.Person{RecordID: rec.ID, Category: rec.Category, Events: []backlog.Event{}, Rounds: []int{}, Answers: []backlog.Tally{}, Flags: backlog.Flags{Marks: []backlog.Mark{}}},
		Name: rec.DisplayName(), BirthDate: rec.BirthDate, ServiceNumber: rec.ServiceNumber}, nil
}

// soughtOwn reads a record for an action on the backlog: one of the
// caller's party's sought records.
func (db *DB) soughtOwn(ctx context.Context, s access.Scope, a access.Action, recordID string) (person.Record, error) {
	rec, err := db.Record(ctx, s, recordID)
	if err != nil {
		return rec, err
	}
	if access.Decide(s, access.TraceRead, access.Resource{Party: rec.Party}) != nil {
		return rec, errs.E(errs.NotFound, fmt.Sprintf("no record %s", rec.ID), errs.Coded{Code: "no_record", Args: []string{rec.ID}})
	}
	if err := access.Decide(s, a, access.Resource{Party: rec.Party, Kind: string(rec.Kind)}); err != nil {
		return rec, err
	}
	if rec.Kind != person.Sought {
		const msg = "the backlog is of the bureau's sought persons; this record is held"
		return rec, errs.E(errs.Invalid, msg, errs.FieldError{Field: "record_id", Message: msg, Code: "backlog_not_sought", Args: []string{rec.ID}})
	}
	return rec, nil
}

// SetPriority sets the priority flags of one of the caller's party's
// sought persons (priority.write: its registrars and approvers), with its
// priority.flagged leaf, and returns them as stored. Flags the same as
// those standing are a Conflict.
func (db *DB) SetPriority(ctx context.Context, s access.Scope, recordID string, f backlog.Flags) (backlog.Flags, error) {
	const op = "sqlstore.SetPriority"
	rec, err := db.soughtOwn(ctx, s, access.PriorityWrite, recordID)
	if err != nil {
		return f, errs.E(op, err)
	}
	if err := f.Validate(); err != nil {
		return f, errs.E(op, err)
	}
	f = f.Normal()
	body, err := json.Marshal(priorityBody{Record: rec.ID, Party: rec.Party, Flags: f})
	if err != nil {
		return f, errs.E(op, errs.Internal, err)
	}
	err = db.write(ctx, func(tx *Tx) error {
		// The log's lock first: two settings at once are ordered by it.
		if err := tx.refuseErased(ctx, rec.ID, "record_id"); err != nil {
			return err
		}
		prev, err := latestFlags(ctx, tx, rec.Party, rec.ID)
		if err != nil {
			return err
		}
		if cur := prev[rec.ID]; slices.Equal(cur.Marks, f.Marks) && cur.Group == f.Group {
			const msg = "these are the flags already set"
			return errs.E(errs.Conflict, msg, errs.FieldError{Field: "marks", Message: msg, Code: "priority_same"})
		}
		nonce, err := tx.commitLeaf(ctx, leafPriority, s, "", "priority:"+rec.ID, 0, tagPriority, body)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO priority_flags (record_id, party, body, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?, ?)`,
			rec.ID, rec.Party, string(body), s.Login, fmtTime(tx.now), nonce)
		return err
	})
	if err != nil {
		return f, errs.E(op, err)
	}
	return f, nil
}

// latestFlags returns the standing flags of a party's sought records (of
// one record when id is given). The rows an erasure blanked (no nonce)
// say nothing: an erased record has no flags.
func latestFlags(ctx context.Context, q querier, party, id string) (map[string]backlog.Flags, error) {
	query, args := `SELECT body FROM priority_flags WHERE party = ? AND nonce IS NOT NULL ORDER BY seq`, []any{party}
	if id != "" {
		query, args = `SELECT body FROM priority_flags WHERE party = ? AND record_id = ? AND nonce IS NOT NULL ORDER BY seq`, []any{party, id}
	}
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	bodies, err := collect(rows, scanJSON[priorityBody])
	if err != nil {
		return nil, err
	}
	out := map[string]backlog.Flags{}
	for _, b := range bodies {
		out[b.Record] = b.Flags
	}
	return out, nil
}

// backlogInput loads what internal/backlog derives a party's backlog from:
// its exchanges as rounds, its request list versions, the answers to them,
// its flags; the traces are loaded by backlog, for the persons found.
func (db *DB) backlogInput(ctx context.Context, q querier, party string) (*backlog.Input, error) {
	in := &backlog.Input{Party: party, Rounds: []backlog.Round{}}
	rows, err := q.query(ctx, `SELECT body FROM exchanges ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	exs, err := collect(rows, scanJSON[exchange.Exchange])
	if err != nil {
		return nil, err
	}
	for _, ex := range exs {
		if !ex.HasParty(party) {
			continue
		}
		in.Rounds = append(in.Rounds, backlog.Round{Number: len(in.Rounds) + 1, Exchange: ex.ID, Name: ex.Name})
		vs, err := listVersions(ctx, q, ex.ID, party, exchange.Request)
		if err != nil {
			return nil, err
		}
		in.Requests = append(in.Requests, vs...)
		if len(vs) == 0 {
			continue
		}
		rs, err := responses(ctx, q, ex.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.ListParty == party && r.ListKind == exchange.Request {
				in.Answers = append(in.Answers, r)
			}
		}
	}
	if in.Flags, err = latestFlags(ctx, q, party, ""); err != nil {
		return nil, err
	}
	return in, nil
}

// backlog builds a party's backlog (of the records only, when given) with
// the persons' names and traces.
func (db *DB) backlog(ctx context.Context, q querier, party string, only []string) (BacklogView, error) {
	in, err := db.backlogInput(ctx, q, party)
	if err != nil {
		return BacklogView{}, errs.E(errs.Internal, err)
	}
	ids := map[string]bool{}
	for _, v := range in.Requests {
		for _, it := range v.Items {
			ids[it.RecordID] = true
		}
	}
	for id := range in.Flags {
		ids[id] = true
	}
	// An erased person leaves the backlog (docs/design/security.md §9):
	// only his flags could have kept him there.
	erasedRows, err := q.query(ctx, `SELECT record_id FROM record_erasures WHERE party = ?`, party)
	if err != nil {
		return BacklogView{}, errs.E(errs.Internal, err)
	}
	erased, err := collect(erasedRows, scanString)
	if err != nil {
		return BacklogView{}, errs.E(errs.Internal, err)
	}
	for _, id := range erased {
		delete(ids, id)
	}
	if only != nil {
		keep := map[string]bool{}
		for _, id := range only {
			if ids[id] {
				keep[id] = true
			}
		}
		ids = keep
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	slices.Sort(list)
	fields, err := currentFields(ctx, q, list)
	if err != nil {
		return BacklogView{}, errs.E(errs.Internal, err)
	}
	subjects := make([]traceSubject, 0, len(list))
	for _, id := range list {
		subjects = append(subjects, traceSubject{id: id, party: party, kind: person.Sought, fields: fields[id]})
	}
	traces, err := db.traces(ctx, subjects)
	if err != nil {
		return BacklogView{}, err
	}
	in.Traces = make(map[string]crossing.Trace, len(traces))
	for _, t := range traces {
		in.Traces[t.RecordID] = t.Trace
	}
	v := BacklogView{Party: party, Rounds: in.Rounds, Persons: []BacklogEntry{}, fields: fields, input: in}
	for _, p := range backlog.Build(*in) {
		if !ids[p.RecordID] {
			continue
		}
		f := fields[p.RecordID]
		v.Persons = append(v.Persons, BacklogEntry{Person: p, Name: f.DisplayName(), BirthDate: f.BirthDate, ServiceNumber: f.ServiceNumber})
	}
	return v, nil
}

// CarryEntry is one person carried into a round's request list, with his
// name.
type CarryEntry struct {
	backlog.Carried
	Name          string      `json:"name"`
	BirthDate     person.Date `json:"birth_date"`
	ServiceNumber string      `json:"service_number,omitempty"`
}

// CarryOver returns who the caller's party carries into its request list
// of exchange exID: the persons requested in its earlier rounds and still
// unresolved (backlog.Carry), not on that list already. Only the party's
// bureau reads it.
func (db *DB) CarryOver(ctx context.Context, s access.Scope, exID string) (backlog.Round, []CarryEntry, error) {
	const op = "sqlstore.CarryOver"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return backlog.Round{}, nil, errs.E(op, err)
	}
	if err := access.Decide(s, access.TraceRead, access.Resource{Party: s.Party}); err != nil || !ex.HasParty(s.Party) {
		return backlog.Round{}, nil, errs.E(op, errs.Forbidden, "only a party's bureau carries its backlog into its requests", errs.Coded{Code: "backlog_bureau_only"})
	}
	v, err := db.backlog(ctx, db, s.Party, nil)
	if err != nil {
		return backlog.Round{}, nil, errs.E(op, err)
	}
	var round backlog.Round
	for _, r := range v.Rounds {
		if r.Exchange == exID {
			round = r
		}
	}
	listed := map[string]bool{}
	vs, err := listVersions(ctx, db, exID, s.Party, exchange.Request)
	if err != nil {
		return round, nil, errs.E(op, errs.Internal, err)
	}
	if len(vs) > 0 {
		for _, it := range vs[len(vs)-1].Items {
			listed[it.RecordID] = true
		}
	}
	out := []CarryEntry{}
	for _, c := range backlog.Carry(*v.input, exID, listed) {
		f := v.fields[c.Item.RecordID]
		out = append(out, CarryEntry{Carried: c, Name: f.DisplayName(), BirthDate: f.BirthDate, ServiceNumber: f.ServiceNumber})
	}
	return round, out, nil
}

// checkPriority pairs the priority_flags rows of each record, in order,
// with the priority.flagged leaves about it (replayCovered): the record
// and party columns must be what the committed body says, who and when
// the leaf's. The commitment itself is recomputed by replayEvents, but for
// the rows an erasure blanked (body {}, no nonce: nothing to recompute it
// from), which are kept in rp.blankedFlags with their leaves. A blanked
// row is accepted only for an erased record (checkErasures, run before);
// an erased record's row that holds flags again is a finding.
func (db *DB) checkPriority(ctx context.Context, rp *replay) error {
	type row struct {
		seq                         int64
		record, party, body, by, at string
		nonce                       []byte
	}
	rows, err := queryAll(ctx, db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.record, &r.party, &r.body, &r.by, &r.at, &r.nonce)
		return r, err
	}, `SELECT seq, record_id, party, body, entered_by, entered_at, nonce FROM priority_flags ORDER BY seq`)
	if err != nil {
		return err
	}
	next := map[string]int{}
	for _, r := range rows {
		what := fmt.Sprintf("priority_flags %d (record %s)", r.seq, r.record)
		blank := flagsBlank(r.body, r.nonce)
		var b priorityBody
		if !blank && json.Unmarshal([]byte(r.body), &b) == nil {
			for _, c := range []struct{ col, got, want string }{{"record_id", r.record, b.Record}, {"party", r.party, b.Party}} {
				if c.got != c.want {
					rp.add(ColumnChanged, -1, "%s: %s is %q, but its committed body says %q", what, c.col, c.got, c.want)
				}
			}
		}
		subject := "priority:" + r.record
		ls := rp.pairLeaves(leafPriority, subject)
		i := next[subject]
		next[subject]++
		if i >= len(ls) {
			rp.add(RowUnlogged, -1, "%s: no priority.flagged leaf about this record for this row (written around the log, or moved to another record)", what)
			continue
		}
		l := ls[i]
		l.used = true
		rp.checkBy(what, "entered_by", r.by, "entered_at", r.at, l)
		el := rp.erased[r.record]
		switch {
		case blank && el == nil:
			rp.add(EventChanged, l.index, "%s: blanked as if erased, but the record has no erasure (no record_erasures row with its record.erased leaf): its flags erased around the log", what)
		case blank:
			rp.blankedFlags = append(rp.blankedFlags, l)
		case el != nil:
			rp.add(RecordNotErased, l.index, "%s: record %s was erased (leaf %d), but this row still holds flags (body or nonce): not blanked, or written back", what, r.record, el.index)
		}
	}
	for subject, ls := range rp.bySubject[leafPriority] {
		for _, l := range ls[min(next[subject], len(ls)):] {
			rp.add(RowMissing, l.index, "leaf %d (priority.flagged) is about record %s, which has fewer priority_flags rows (removed, or moved to another record?)", l.index, strings.TrimPrefix(subject, "priority:"))
		}
	}
	return nil
}

// flagsBlank reports whether a priority_flags row is in the form an
// erasure leaves it: body {}, no nonce.
func flagsBlank(body string, nonce []byte) bool { return body == "{}" && nonce == nil }
