package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// The custody timeline and GC III Art. 122 notifications
// (docs/design/law.md, issue 20): each custody event of a record is a row
// of custody_events (migration 0026), numbered from 1 per record, folded
// by internal/custody. Each event is one transaction: the log's lock, the
// record's events read and folded, the domain's decision (Validate,
// Apply), the leaf custody.recorded (rev the event's number) and the row.

// leafCustody is the leaf of a custody event; tagCustody the tag of its
// commitment. One leaf type for every kind: the kind is in the committed
// body (docs/design/log.md).
const leafCustody audit.LeafType = "custody.recorded"

const tagCustody = "handover/custody/v1"

// custodyBody is what a custody_events row holds and its leaf commits to:
// the record, its party and the event (its number, without who and when:
// those are the row's and the leaf's).
type custodyBody struct {
	Record string        `json:"record"`
	Party  string        `json:"party"`
	Event  custody.Event `json:"event"`
}

// CustodyView is a person's custody as its reader sees it: the record,
// the timeline and the notifications overdue today.
type CustodyView struct {
	Record   person.Record    `json:"record"`
	Timeline custody.Timeline `json:"timeline"`
	Overdue  []custody.Item   `json:"overdue"`
}

// CustodyOverdue is one person of a bureau's list of notifications overdue.
type CustodyOverdue struct {
	RecordID  string         `json:"record_id"`
	Party     string         `json:"party"`
	Name      string         `json:"name"`
	BirthDate person.Date    `json:"birth_date"`
	Place     string         `json:"place,omitempty"` // where he is now
	Items     []custody.Item `json:"items"`
}

// CustodyNotification is one capture card or death notification sent:
// the event, the person's record as it stands (the identity fields of
// Annex IV) and his timeline up to the event (capture, place, death).
type CustodyNotification struct {
	Record   person.Record    `json:"record"`
	Event    custody.Event    `json:"event"`
	Timeline custody.Timeline `json:"timeline"`
}

// custodyRecord reads a record for an action on its custody: the scope
// must read the record and may do a on its party; else NotFound or
// Forbidden.
func (db *DB) custodyRecord(ctx context.Context, s access.Scope, a access.Action, recordID string) (person.Record, error) {
	rec, err := db.Record(ctx, s, recordID)
	if err != nil {
		return rec, err
	}
	if access.Decide(s, access.CustodyRead, access.Resource{Party: rec.Party}) != nil {
		return rec, errs.E(errs.NotFound, fmt.Sprintf("no record %s", rec.ID), errs.Coded{Code: "no_record", Args: []string{rec.ID}})
	}
	if err := access.Decide(s, a, access.Resource{Party: rec.Party, Kind: string(rec.Kind)}); err != nil {
		return rec, err
	}
	return rec, nil
}

// custodyEvents reads a record's events in order.
func custodyEvents(ctx context.Context, q querier, recordID string) ([]custody.Event, error) {
	return queryAll(ctx, q, scanCustodyEvent, `SELECT body, entered_by, entered_at FROM custody_events WHERE record_id = ? ORDER BY n`, recordID)
}

func scanCustodyEvent(rows *sql.Rows) (custody.Event, error) {
	var body, by string
	var at time.Time
	if err := rows.Scan(&body, &by, dbTime{&at}); err != nil {
		return custody.Event{}, err
	}
	var b custodyBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return custody.Event{}, err
	}
	b.Event.By, b.Event.At = by, at
	return b.Event, nil
}

// RecordCustody records one custody event of a record of the caller's
// party (custody.write: its registrars and approvers): on a held record
// every kind but confirmed_missing, on a sought record confirmed_missing.
// The event's dates are checked against the store's clock (caseClock: a
// bureau east of UTC records "today"). It returns the timeline with the
// event.
func (db *DB) RecordCustody(ctx context.Context, s access.Scope, recordID string, e custody.Event) (custody.Timeline, error) {
	const op = "sqlstore.RecordCustody"
	rec, err := db.custodyRecord(ctx, s, access.CustodyWrite, recordID)
	if err != nil {
		return custody.Timeline{}, errs.E(op, err)
	}
	e = e.Normal()
	e.N, e.By, e.At = 0, "", time.Time{}
	var tl custody.Timeline
	err = db.write(ctx, func(tx *Tx) error {
		if err := e.Validate(caseClock(tx.now)); err != nil {
			return err
		}
		if err := custody.CheckRegister(e.Kind, rec.Kind); err != nil {
			return err
		}
		// Withheld from his own side (GC IV Art. 137(2); his own request,
		// GC III Art. 118), as the record stands in this transaction: no
		// notice to his own state.
		cur, _, err := tx.db.scanRecord(tx.queryRow(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.id = ?`, rec.ID), s)
		if err != nil {
			return err
		}
		if err := custody.CheckWithheldRecipients(e, cur.Detrimental); err != nil {
			return err
		}
		// The log's lock first: two events of one person are ordered by it.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		// An erased record keeps no personal data: no custody event
		// puts some back (docs/design/security.md §9).
		var erased int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM record_erasures WHERE record_id = ?`, rec.ID).Scan(&erased); err != nil {
			return err
		}
		if erased > 0 {
			msg := fmt.Sprintf("record %s is erased: no custody event is recorded on it", rec.ID)
			return errs.E(errs.Conflict, msg, errs.FieldError{Field: "record", Message: msg, Code: "custody_erased", Args: []string{rec.ID}})
		}
		events, err := custodyEvents(ctx, tx, rec.ID)
		if err != nil {
			return err
		}
		if tl, err = custody.Fold(events); err != nil {
			return errs.E(errs.Internal, err)
		}
		e.N = len(events) + 1
		if err := tl.Apply(e); err != nil {
			return err
		}
		body, err := json.Marshal(custodyBody{Record: rec.ID, Party: rec.Party, Event: e})
		if err != nil {
			return errs.E(errs.Internal, err)
		}
		nonce, err := tx.commitLeaf(ctx, leafCustody, s, "", "custody:"+rec.ID, e.N, tagCustody, body)
		if err != nil {
			return err
		}
		tl.Events[len(tl.Events)-1].By, tl.Events[len(tl.Events)-1].At = s.Login, tx.now
		_, err = tx.exec(ctx, `INSERT INTO custody_events (record_id, n, party, kind, body, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.ID, e.N, rec.Party, string(e.Kind), string(body), s.Login, fmtTime(tx.now), nonce)
		return err
	})
	if err != nil {
		return custody.Timeline{}, errs.E(op, err)
	}
	return tl, nil
}

// Custody returns a record's custody timeline and the notifications
// overdue on now's date: for its own party's bureau and the mediator's
// operator (custody.read).
func (db *DB) Custody(ctx context.Context, s access.Scope, recordID string, now time.Time) (CustodyView, error) {
	const op = "sqlstore.Custody"
	rec, err := db.custodyRecord(ctx, s, access.CustodyRead, recordID)
	if err != nil {
		return CustodyView{}, errs.E(op, err)
	}
	events, err := custodyEvents(ctx, db, rec.ID)
	if err != nil {
		return CustodyView{}, errs.E(op, errs.Internal, err)
	}
	tl, err := custody.Fold(events)
	if err != nil {
		return CustodyView{}, errs.E(op, errs.Internal, err)
	}
	items := custody.Overdue(events, now)
	if items == nil {
		items = []custody.Item{}
	}
	return CustodyView{Record: rec, Timeline: tl, Overdue: items}, nil
}

// partyEvents reads the custody events of a party's records (of every
// party when party is ""), grouped by record in the order of each
// record's first event.
func (db *DB) partyEvents(ctx context.Context, party string) ([]string, map[string][]custody.Event, error) {
	query, args := `SELECT record_id, body, entered_by, entered_at FROM custody_events ORDER BY record_id, n`, []any{}
	if party != "" {
		query, args = `SELECT record_id, body, entered_by, entered_at FROM custody_events WHERE party = ? ORDER BY record_id, n`, []any{party}
	}
	var order []string
	byRecord := map[string][]custody.Event{}
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, body, by string
		var at time.Time
		if err := rows.Scan(&id, &body, &by, dbTime{&at}); err != nil {
			return err
		}
		var b custodyBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return err
		}
		b.Event.By, b.Event.At = by, at
		if _, ok := byRecord[id]; !ok {
			order = append(order, id)
		}
		byRecord[id] = append(byRecord[id], b.Event)
		return nil
	})
	return order, byRecord, err
}

// custodyParty is the party whose custody the caller reads: its own, or
// for the mediator's operator the party asked for ("" for every party).
func custodyParty(s access.Scope, party string) (string, error) {
	if s.Role != access.MediatorOperator {
		party = s.Party
	}
	if err := access.Decide(s, access.CustodyRead, access.Resource{Party: party}); err != nil || (party == "" && s.Role != access.MediatorOperator) {
		return "", errs.E(errs.Forbidden, "only a party's bureau and the mediator read custody", errs.Coded{Code: "custody_bureau_only"})
	}
	return party, nil
}

// CustodyOverdueList returns the persons of the caller's party (for the
// mediator's operator: of party, or of every party when "") with a
// notification overdue on now's date (custody.Overdue: no capture card
// within a week of arrival at a place of internment, GC III Art. 70; no
// death notification within a week of a death), the most overdue first.
func (db *DB) CustodyOverdueList(ctx context.Context, s access.Scope, party string, now time.Time) ([]CustodyOverdue, error) {
	const op = "sqlstore.CustodyOverdueList"
	party, err := custodyParty(s, party)
	if err != nil {
		return nil, errs.E(op, err)
	}
	order, byRecord, err := db.partyEvents(ctx, party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []CustodyOverdue{}
	for _, id := range order {
		items := custody.Overdue(byRecord[id], now)
		if len(items) == 0 {
			continue
		}
		rec, err := db.Record(ctx, s, id)
		if err != nil {
			return nil, errs.E(op, err)
		}
		tl, _ := custody.Fold(byRecord[id])
		out = append(out, CustodyOverdue{RecordID: id, Party: rec.Party, Name: rec.DisplayName(), BirthDate: rec.BirthDate, Place: tl.Place, Items: items})
	}
	most := func(o CustodyOverdue) int {
		m := 0
		for _, it := range o.Items {
			m = max(m, it.Days)
		}
		return m
	}
	slices.SortStableFunc(out, func(a, b CustodyOverdue) int { return most(b) - most(a) })
	return out, nil
}

// CustodyNotifications returns every capture card and death notification
// sent (by the event's date) on or after since's date, of the caller's
// party (for the mediator's operator: of every party), in the order they
// were recorded per person: the export to the person's own state and the
// Central Agency (GC III Arts. 122–123; Annex IV B and D). With a
// recipient to, only the notices sent to it; for the person's own state
// none of a record withheld from his own side (GC IV Art. 137(2), his own
// request): the Central Agency has them all.
func (db *DB) CustodyNotifications(ctx context.Context, s access.Scope, since time.Time, to custody.Recipient) ([]CustodyNotification, error) {
	const op = "sqlstore.CustodyNotifications"
	party, err := custodyParty(s, "")
	if err != nil {
		return nil, errs.E(op, err)
	}
	if to != "" && !slices.Contains(custody.Recipients, to) {
		msg := fmt.Sprintf("%q is not a recipient: own_state or central_agency", to)
		return nil, errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "for", Message: msg, Code: "custody_bad_recipient", Args: []string{string(to)}})
	}
	order, byRecord, err := db.partyEvents(ctx, party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	y, m, d := since.Date()
	from := person.Date{Year: y, Month: int(m), Day: d}
	out := []CustodyNotification{}
	for _, id := range order {
		var rec *person.Record
		events := byRecord[id]
		for i, e := range events {
			if (e.Kind != custody.CaptureCardSent && e.Kind != custody.DeathNotified) || dateBefore(e.Date, from) {
				continue
			}
			if rec == nil {
				r, err := db.Record(ctx, s, id)
				if err != nil {
					return nil, errs.E(op, err)
				}
				rec = &r
			}
			if to != "" && (!slices.Contains(e.SentTo, to) || to == custody.OwnState && rec.Detrimental) {
				continue
			}
			tl, err := custody.Fold(events[:i+1])
			if err != nil {
				return nil, errs.E(op, errs.Internal, err)
			}
			out = append(out, CustodyNotification{Record: *rec, Event: e, Timeline: tl})
		}
	}
	return out, nil
}

// dateBefore reports whether full date a is before full date b.
func dateBefore(a, b person.Date) bool {
	return fmt.Sprintf("%04d-%02d-%02d", a.Year, a.Month, a.Day) < fmt.Sprintf("%04d-%02d-%02d", b.Year, b.Month, b.Day)
}

// checkCustody pairs each custody_events row with the custody.recorded
// leaf about its record and number (replayCovered): the record, party,
// number and kind columns must be what the committed body says, who and
// when the leaf's. The commitment itself is recomputed by replayEvents.
func (db *DB) checkCustody(ctx context.Context, rp *replay) error {
	type row struct {
		seq, n                            int64
		record, party, kind, body, by, at string
	}
	rows, err := queryAll(ctx, db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.record, &r.n, &r.party, &r.kind, &r.body, &r.by, &r.at)
		return r, err
	}, `SELECT seq, record_id, n, party, kind, body, entered_by, entered_at FROM custody_events ORDER BY seq`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		what := fmt.Sprintf("custody_events %d (record %s, event %d)", r.seq, r.record, r.n)
		var b custodyBody
		if json.Unmarshal([]byte(r.body), &b) == nil {
			for _, c := range []struct{ col, got, want string }{{"record_id", r.record, b.Record}, {"party", r.party, b.Party},
				{"n", fmt.Sprint(r.n), fmt.Sprint(b.Event.N)}, {"kind", r.kind, string(b.Event.Kind)}} {
				if c.got != c.want {
					rp.add(ColumnChanged, -1, "%s: %s is %q, but its committed body says %q", what, c.col, c.got, c.want)
				}
			}
		}
		var leaf *replayLeaf
		for _, l := range rp.pairLeaves(leafCustody, "custody:"+r.record) {
			if l.rev == r.n {
				leaf = l
			}
		}
		if leaf == nil {
			rp.add(RowUnlogged, -1, "%s: no custody.recorded leaf about this event of this record (written around the log, or moved to another record)", what)
			continue
		}
		leaf.used = true
		rp.checkBy(what, "entered_by", r.by, "entered_at", r.at, leaf)
	}
	return nil
}
