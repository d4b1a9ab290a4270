package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// The neutral's interview of a listed person (docs/design/law.md; ICRC
// practice, GC III Art. 118 and its Commentary on non-refoulement): a
// row of interviews (migration 0025) with its leaf, and, when he asks that
// his information be withheld from his own side, a new version of his
// record flagged with the basis person.WithholdOwnRequest.

// leafInterview is the leaf of a recorded interview; tagInterview the tag
// of its commitment.
const leafInterview audit.LeafType = "interview.recorded"

const tagInterview = "handover/interview/v1"

// interviewAD binds a sealed interview to its row.
func interviewAD(id string) []byte { return []byte("interview:" + id) }

// RecordInterview records the neutral's interview of a person listed in
// exchange exID (interview.record: the mediator's operator). The person
// is a held record of one of the exchange's parties named by a list of
// the exchange. With iv.Withhold his record gets a new version with the
// flag, its basis own_request and iv.WithholdReason, its provenance naming
// the interview, and what was disclosed of it is withdrawn; all in one
// transaction with the interview's row and leaf. The row keeps the
// interview whole sealed with the data key, as the leaf commits to it,
// and only its public part in clear (exchange.Interview.Public).
func (db *DB) RecordInterview(ctx context.Context, s access.Scope, exID string, iv exchange.Interview) (exchange.Interview, error) {
	const op = "sqlstore.RecordInterview"
	if err := access.Decide(s, access.InterviewRecord, access.Resource{}); err != nil {
		return iv, errs.E(op, err)
	}
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return iv, errs.E(op, err)
	}
	iv.Normalize()
	iv.Exchange = ex.ID
	if err := iv.Validate(db.Now()); err != nil {
		return iv, errs.E(op, err)
	}
	notListed := func() error {
		msg := fmt.Sprintf("record %s is not a held person on a list of exchange %s", iv.RecordID, ex.ID)
		return errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "record_id", Message: msg, Code: "interview_not_listed", Args: []string{iv.RecordID, ex.ID}})
	}
	err = db.write(ctx, func(tx *Tx) error {
		// The log's lock first: two interviews of one person are ordered.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		var party, kind string
		err := tx.queryRow(ctx, `SELECT party, kind FROM records WHERE id = ?`, iv.RecordID).Scan(&party, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return notListed()
		}
		if err != nil {
			return err
		}
		if kind != string(person.Held) || !ex.HasParty(party) {
			return notListed()
		}
		listed, err := listedHeld(ctx, tx, ex.ID)
		if err != nil {
			return err
		}
		if !listed[iv.RecordID] {
			return notListed()
		}
		iv.ID, iv.Party, iv.RecordedBy, iv.RecordedAt = newID("iv"), party, s.Login, tx.now
		body, err := json.Marshal(iv)
		if err != nil {
			return err
		}
		nonce, err := tx.commitLeaf(ctx, leafInterview, s, ex.ID, "interview:"+iv.ID, 0, tagInterview, body)
		if err != nil {
			return err
		}
		public, sealed := body, []byte(nil)
		if !db.clearBefore0030 {
			if public, err = json.Marshal(iv.Public()); err != nil {
				return err
			}
			if sealed, err = tx.seal(ctx, body, interviewAD(iv.ID)); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO interviews (id, exchange_id, record_id, party, outcome, body, sealed, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			iv.ID, ex.ID, iv.RecordID, party, string(iv.Outcome), string(public), sealed, s.Login, fmtTime(tx.now), nonce); err != nil {
			return err
		}
		switch {
		case iv.Withhold:
			return tx.withholdAtRequest(ctx, s, &iv)
		case iv.LiftWithhold:
			return tx.liftAtRequest(ctx, s, &iv)
		}
		return nil
	})
	if err != nil {
		return iv, errs.E(op, err)
	}
	return iv, nil
}

// withholdAtRequest writes the new version of the interviewed person's
// record that flags it withheld at his own request (GC III Art. 118; the
// flag's basis person.WithholdOwnRequest), unless it is flagged so for
// the same reason already, and withdraws what was disclosed of it. A
// civilian the bureau withheld already (GC IV Art. 137(2)) keeps the
// bureau's flag and reason: his request is recorded in the interview
// only, and replacing the flag would let his later lift end the bureau's
// withholding, which is the bureau's alone to end.
func (tx *Tx) withholdAtRequest(ctx context.Context, s access.Scope, iv *exchange.Interview) error {
	changed, err := tx.versionAtInterview(ctx, s, iv, func(f *person.Fields) (bool, error) {
		if f.Detrimental && f.DetrimentalBasis == person.WithholdCivilian {
			return false, nil
		}
		if f.Detrimental && f.DetrimentalBasis == person.WithholdOwnRequest && f.DetrimentalReason == iv.WithholdReason {
			return false, nil
		}
		f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = true, person.WithholdOwnRequest, iv.WithholdReason
		return true, nil
	}, "he asked, in the neutral's interview of %s, that his information be withheld from his own side")
	if err != nil || !changed {
		return err
	}
	return tx.withdrawDisclosures(ctx, s, iv.RecordID, "the person asked, in the neutral's interview, that his information be withheld from his own side")
}

// liftAtRequest writes the new version of the interviewed person's record
// that lifts the withholding he had asked for: he no longer asks it. A
// record not withheld at all is refused. A civilian withheld by the
// bureau (GC IV Art. 137(2)) stays withheld: that withholding is the
// bureau's to lift, and his no longer asking it is recorded in the
// interview only.
func (tx *Tx) liftAtRequest(ctx context.Context, s access.Scope, iv *exchange.Interview) error {
	_, err := tx.versionAtInterview(ctx, s, iv, func(f *person.Fields) (bool, error) {
		if f.Detrimental && f.DetrimentalBasis == person.WithholdCivilian {
			return false, nil
		}
		if !f.Detrimental || f.DetrimentalBasis != person.WithholdOwnRequest {
			msg := fmt.Sprintf("record %s is not withheld at the person's own request: there is nothing for him to lift", iv.RecordID)
			return false, errs.E(errs.Invalid, msg, errs.FieldError{Field: "lift_withhold", Message: msg, Code: "interview_lift_unflagged", Args: []string{iv.RecordID}})
		}
		f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = false, "", ""
		return true, nil
	}, "he no longer asked, in the neutral's interview of %s, that his information be withheld from his own side")
	return err
}

// versionAtInterview writes a new version of the interviewed person's
// record with change applied, its provenance naming the interview (why:
// a format with the interview's date), when change says it changed.
func (tx *Tx) versionAtInterview(ctx context.Context, s access.Scope, iv *exchange.Interview, change func(*person.Fields) (bool, error), why string) (bool, error) {
	// The record as its own party reads it: its sealed fields carry over
	// into the new version.
	row := tx.queryRow(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.id = ?`, iv.RecordID)
	cur, seq, err := tx.db.scanRecord(row, access.Scope{Party: iv.Party})
	if err != nil {
		return false, err
	}
	f := cur.Fields
	if changed, err := change(&f); err != nil || !changed {
		return false, err
	}
	if err := f.Validate(tx.now); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `UPDATE records SET version = ? WHERE seq = ? AND version = ?`, cur.Version+1, seq, cur.Version)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, errs.E(errs.Conflict, fmt.Sprintf("record %s was corrected meanwhile: record the interview again", cur.ID))
	}
	var prevText string
	if err := tx.queryRow(ctx, `SELECT commitment FROM record_versions WHERE record_seq = ? AND version = ?`, seq, cur.Version).Scan(&prevText); err != nil {
		return false, err
	}
	prev, err := audit.ParseDigest(prevText)
	if err != nil {
		return false, fmt.Errorf("record %s version %d: stored commitment: %w", cur.ID, cur.Version, err)
	}
	rec := person.Record{ID: cur.ID, Version: cur.Version + 1, Party: cur.Party, Fields: f,
		Provenance: person.Provenance{Source: "interview", SourceRef: "interview:" + iv.ID, EnteredBy: s.Login, EnteredAt: tx.now,
			Reason: fmt.Sprintf(why, iv.At.UTC().Format(time.DateOnly))}}
	if err := tx.insertVersions(ctx, actor(s.UserID), []person.Record{rec}, map[string]int64{cur.ID: seq}, map[string]audit.Digest{cur.ID: prev}); err != nil {
		return false, err
	}
	return true, nil
}

// listedHeld returns the held records named by any version of a list of
// the exchange: the offers of the holding parties, and the held records a
// request names.
func listedHeld(ctx context.Context, q querier, exID string) (map[string]bool, error) {
	rows, err := q.query(ctx, `SELECT body FROM exchange_lists WHERE exchange_id = ? ORDER BY party, kind, version`, exID)
	if err != nil {
		return nil, err
	}
	vs, err := collect(rows, scanJSON[exchange.ListVersion])
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range vs {
		for _, it := range v.Items {
			if v.Kind == exchange.Offer {
				out[it.RecordID] = true
			} else if it.HeldRecordID != "" {
				out[it.HeldRecordID] = true
			}
		}
	}
	return out, nil
}

// interviewsOf returns the interviews of an exchange, oldest first: whole
// when open is given (it opens each sealed interview), else their public
// part (exchange.Interview.Public), what the gate and the parties need.
func interviewsOf(ctx context.Context, q querier, exID string, open func(id string, sealed []byte) ([]byte, error)) ([]exchange.Interview, error) {
	rows, err := q.query(ctx, `SELECT id, body, sealed FROM interviews WHERE exchange_id = ? ORDER BY seq`, exID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (exchange.Interview, error) {
		var iv exchange.Interview
		var id, body string
		var sealed []byte
		if err := rows.Scan(&id, &body, &sealed); err != nil {
			return iv, err
		}
		content := []byte(body)
		if open != nil && sealed != nil {
			var err error
			if content, err = open(id, sealed); err != nil {
				return iv, fmt.Errorf("interview %s: %w", id, err)
			}
		}
		if err := json.Unmarshal(content, &iv); err != nil {
			return iv, fmt.Errorf("interview %s: stored body: %w", id, err)
		}
		if open == nil {
			iv = iv.Public()
		}
		return iv, nil
	})
}

// openInterview opens the sealed interview id.
func (db *DB) openInterview(id string, sealed []byte) ([]byte, error) {
	return db.seal.open(sealed, interviewAD(id))
}

// latestInterviews returns each person's standing interview in the
// exchange, the last recorded, as its public part.
func latestInterviews(ctx context.Context, q querier, exID string) (map[string]exchange.Interview, error) {
	all, err := interviewsOf(ctx, q, exID, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]exchange.Interview, len(all))
	for _, iv := range all {
		out[iv.RecordID] = iv
	}
	return out, nil
}

// checkInterviewGate refuses, with exchange.InterviewRefusedError, a list or
// agreement that puts up for handover a person whose latest interview in
// the exchange says he refuses to return.
func checkInterviewGate(ctx context.Context, q querier, op, exID string, ids []string) error {
	latest, err := latestInterviews(ctx, q, exID)
	if err != nil {
		return err
	}
	return exchange.InterviewRefusedError(op, latest, ids)
}

// Interviews returns the held persons listed in exchange exID with their
// interviews, as the scope may see them: the mediator's operator sees
// every interview and the names; a party or the auditor only the latest
// outcome, who verified it and when, of each. A person withheld from the
// caller's party is left out.
func (db *DB) Interviews(ctx context.Context, s access.Scope, exID string) ([]exchange.InterviewEntry, error) {
	const op = "sqlstore.Interviews"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	full := access.Decide(s, access.InterviewRecord, access.Resource{}) == nil
	listed, err := listedHeld(ctx, db, ex.ID)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	var open func(string, []byte) ([]byte, error)
	if full {
		open = db.openInterview
	}
	all, err := interviewsOf(ctx, db, ex.ID, open)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	ids := make([]string, 0, len(listed))
	for id := range listed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	fields, err := currentFields(ctx, db, ids)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	parties, err := recordParties(ctx, db, ids)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	refused, err := db.crossingRefusals(ctx, ex.ID)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []exchange.InterviewEntry{}
	byID := map[string]int{}
	for _, id := range ids {
		f := fields[id]
		p := parties[id]
		if f.Detrimental && s.Party != "" && s.Party != p {
			continue
		}
		e := exchange.InterviewEntry{RecordID: id, Party: p}
		if full {
			e.Name = f.DisplayName()
		}
		if t, ok := refused[id]; ok {
			e.CrossingRefused = &t
		}
		byID[id] = len(out)
		out = append(out, e)
	}
	for _, iv := range all {
		i, ok := byID[iv.RecordID]
		if !ok {
			continue
		}
		seen := iv.Seen()
		out[i].Latest = &seen
		if full {
			out[i].Interviews = append(out[i].Interviews, iv)
		}
	}
	return out, nil
}

// recordParties returns the owning party of each record.
func recordParties(ctx context.Context, q querier, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT id, party FROM records WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id, p string
			if err := rows.Scan(&id, &p); err != nil {
				return err
			}
			out[id] = p
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// interviewContent is the content an interview's leaf commits to: the
// interview sealed whole, or, for a row written in clear before migration
// 0030 and not sealed yet, its body.
func (db *DB) interviewContent(id, body string, sealed []byte) ([]byte, error) {
	if sealed == nil {
		return []byte(body), nil
	}
	content, err := db.openInterview(id, sealed)
	if err != nil {
		return nil, fmt.Errorf("interview %s: the sealed interview does not open: %w", id, err)
	}
	return content, nil
}

// checkInterviews pairs each interviews row with the interview.recorded
// leaf about it (replayCovered): the exchange, record, party and outcome
// columns must be what the committed body (the sealed interview) says,
// the body in clear its public part, who and when the leaf's. The
// commitment itself is recomputed by replayEvents.
func (db *DB) checkInterviews(ctx context.Context, rp *replay) error {
	type row struct {
		seq                                      int64
		id, ex, record, party, outcome, body, by string
		sealed                                   []byte
		at                                       string
	}
	rows, err := queryAll(ctx, db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.id, &r.ex, &r.record, &r.party, &r.outcome, &r.body, &r.sealed, &r.by, &r.at)
		return r, err
	}, `SELECT seq, id, exchange_id, record_id, party, outcome, body, sealed, entered_by, entered_at FROM interviews ORDER BY seq`)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		what := fmt.Sprintf("interviews %d (record %s)", r.seq, r.record)
		var b exchange.Interview
		content, err := db.interviewContent(r.id, r.body, r.sealed)
		if err == nil && json.Unmarshal(content, &b) == nil {
			for _, c := range []struct{ col, got, want string }{
				{"id", r.id, b.ID}, {"exchange_id", r.ex, b.Exchange}, {"record_id", r.record, b.RecordID}, {"party", r.party, b.Party}, {"outcome", r.outcome, string(b.Outcome)},
			} {
				if c.got != c.want {
					rp.add(ColumnChanged, -1, "%s: %s is %q, but its committed body says %q", what, c.col, c.got, c.want)
				}
			}
			if r.sealed != nil && !samePublic(r.body, &b) {
				rp.add(ColumnChanged, -1, "%s: body, its part in clear, is not the public part of its committed body (sealed): changed in the database?", what)
			}
		}
		subject := "interview:" + r.id
		seen[subject] = true
		ls := rp.pairLeaves(leafInterview, subject)
		if len(ls) == 0 {
			rp.add(RowUnlogged, -1, "%s: no interview.recorded leaf about this interview (written around the log)", what)
			continue
		}
		ls[0].used = true
		if ls[0].exchange != r.ex {
			rp.add(ColumnChanged, ls[0].index, "%s: exchange_id is %q, but leaf %d is about exchange %q", what, r.ex, ls[0].index, ls[0].exchange)
		}
		rp.checkBy(what, "entered_by", r.by, "entered_at", r.at, ls[0])
	}
	for subject, ls := range rp.bySubject[leafInterview] {
		if !seen[subject] {
			for _, l := range ls {
				rp.add(RowMissing, l.index, "leaf %d (interview.recorded) is about interview %s, which has no row (removed?)", l.index, strings.TrimPrefix(subject, "interview:"))
			}
		}
	}
	return nil
}

// samePublic reports whether body, an interview's part in clear, is the
// public part of the whole interview iv, field by field.
func samePublic(body string, iv *exchange.Interview) bool {
	var got exchange.Interview
	if json.Unmarshal([]byte(body), &got) != nil {
		return false
	}
	a, err1 := json.Marshal(got)
	b, err2 := json.Marshal(iv.Public())
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// crossingRefusals returns, for each person who refused repatriation at a
// crossing of the exchange (GC III Art. 109(3)) and stands by it, when he
// refused: a refusal withdrawn or retracted no longer counts.
func (db *DB) crossingRefusals(ctx context.Context, exID string) (map[string]time.Time, error) {
	rows, err := db.query(ctx, `SELECT body FROM stage_events WHERE exchange_id = ? ORDER BY seq`, exID)
	if err != nil {
		return nil, err
	}
	evs, err := collect(rows, scanJSON[crossing.Event])
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	refusal := map[string]string{} // event id → record id
	for _, e := range evs {
		switch e.Type {
		case crossing.Refused:
			out[e.RecordID], refusal[e.ID] = e.At, e.RecordID
		case crossing.RefusalWithdrawn:
			delete(out, e.RecordID)
		case crossing.Retracted:
			if id, ok := refusal[e.Subject]; ok {
				delete(out, id)
			}
		}
	}
	return out, nil
}
