package sqlstore

import (
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
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// Leaf types of the negotiation that the audit package does not name.
const (
	leafExchangeOpened  audit.LeafType = "exchange.opened"
	leafListAnswered    audit.LeafType = "list.answered"
	leafEvidence        audit.LeafType = "evidence.recorded"
	leafAgreementFrozen audit.LeafType = "agreement.frozen"
)

// commitLeaf commits to content with a fresh nonce under tag, appends the
// leaf in the transaction, and returns the nonce, which the caller stores
// with the row it commits to so that the commitment can be opened and the
// audit can replay it (docs/design/log.md §2). rev 0 means none.
func (tx *Tx) commitLeaf(ctx context.Context, typ audit.LeafType, s access.Scope, exchangeID, subject string, rev int, tag string, content []byte) ([]byte, error) {
	nonce, err := audit.NewNonce()
	if err != nil {
		return nil, err
	}
	app, err := tx.appender(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := app.add(audit.Leaf{Type: typ, Actor: actor(s.UserID), Time: tx.now, Exchange: exchangeID, Subject: subject,
		Rev: int64(rev), Commitment: audit.Commit(tag, nonce, content)}); err != nil {
		return nil, err
	}
	return nonce[:], app.flush(ctx)
}

// OpenExchange opens an exchange between two parties with its terms. The
// mediator's operator opens it; the store gives it its id.
func (db *DB) OpenExchange(ctx context.Context, s access.Scope, ex exchange.Exchange) (exchange.Exchange, error) {
	const op = "sqlstore.OpenExchange"
	if err := access.Decide(s, access.ExchangeOpen, access.Resource{}); err != nil {
		return ex, errs.E(op, err)
	}
	ex.ID = "ex-" + newID("")
	if err := ex.Validate(); err != nil {
		return ex, err
	}
	body, err := json.Marshal(ex)
	if err != nil {
		return ex, errs.E(op, errs.Internal, err)
	}
	err = db.write(ctx, func(tx *Tx) error {
		for _, p := range ex.Parties {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM parties WHERE code = ?`, p).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.E(op, errs.Invalid, fmt.Sprintf("party %s does not exist", p), errs.FieldError{Field: "parties", Message: "unknown party " + p, Args: []string{p}, Code: "unknown_party"})
			}
		}
		nonce, err := tx.commitLeaf(ctx, leafExchangeOpened, s, ex.ID, "exchange:"+ex.ID, 1, audit.TagExchange, ex.Canonical())
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO exchanges (id, party_a, party_b, body, created_by, created_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ex.ID, ex.Parties[0], ex.Parties[1], string(body), s.Login, fmtTime(tx.now), nonce)
		return err
	})
	if err != nil {
		return ex, errs.E(op, err)
	}
	return ex, nil
}

// Exchange returns one exchange the scope may read: the mediator's and the
// auditor's, or one of its two parties'. Others get NotFound.
func (db *DB) Exchange(ctx context.Context, s access.Scope, id string) (exchange.Exchange, error) {
	const op = "sqlstore.Exchange"
	var ex exchange.Exchange
	var body string
	err := db.queryRow(ctx, `SELECT body FROM exchanges WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return ex, errs.E(op, errs.NotFound, fmt.Sprintf("no exchange %s", id), errs.Coded{Code: "no_exchange", Args: []string{id}})
	}
	if err != nil {
		return ex, errs.E(op, errs.Internal, err)
	}
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		return ex, errs.E(op, errs.Internal, err)
	}
	if !mayReadExchange(s, &ex) {
		return exchange.Exchange{}, errs.E(op, errs.NotFound, fmt.Sprintf("no exchange %s", id), errs.Coded{Code: "no_exchange", Args: []string{id}})
	}
	return ex, nil
}

func mayReadExchange(s access.Scope, ex *exchange.Exchange) bool {
	if access.Decide(s, access.ExchangeRead, access.Resource{Party: s.Party}) != nil {
		return false
	}
	return s.Party == "" || ex.HasParty(s.Party)
}

// Exchanges lists the exchanges the scope may read, oldest first.
func (db *DB) Exchanges(ctx context.Context, s access.Scope) ([]exchange.Exchange, error) {
	const op = "sqlstore.Exchanges"
	if err := access.Decide(s, access.ExchangeRead, access.Resource{Party: s.Party}); err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT body FROM exchanges ORDER BY seq`)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	all, err := collect(rows, scanJSON[exchange.Exchange])
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []exchange.Exchange{}
	for _, ex := range all {
		if mayReadExchange(s, &ex) {
			out = append(out, ex)
		}
	}
	return out, nil
}

// listVersions returns every submitted version of one list, oldest first,
// with their states derived: all but the last are superseded.
func listVersions(ctx context.Context, q querier, exID, party string, kind exchange.ListKind) ([]exchange.ListVersion, error) {
	rows, err := q.query(ctx, `SELECT body FROM exchange_lists WHERE exchange_id = ? AND party = ? AND kind = ? ORDER BY version`, exID, party, string(kind))
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, scanJSON[exchange.ListVersion])
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].State = exchange.ListSuperseded
	}
	if len(out) > 0 {
		out[len(out)-1].State = exchange.ListSubmitted
	}
	return out, nil
}

// SubmittedList is a list version as submitted, with its difference from
// the version before.
type SubmittedList struct {
	List exchange.ListVersion `json:"list"`
	Diff exchange.ListDiff    `json:"diff"`
}

// SubmitList submits the next version of the scope's party's list (offer:
// persons it releases from its held register; request: persons it asks for
// from its sought register). Every item must be a current record of the
// right register of the party. The version and its list.submitted leaf are
// written together.
func (db *DB) SubmitList(ctx context.Context, s access.Scope, exID string, kind exchange.ListKind, items []exchange.Item, removed []exchange.Removal, reason string) (SubmittedList, error) {
	const op = "sqlstore.SubmitList"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return SubmittedList{}, errs.E(op, err)
	}
	if err := access.Decide(s, access.ListSubmit, access.Resource{Party: s.Party}); err != nil {
		return SubmittedList{}, errs.E(op, err)
	}
	if !kind.Valid() {
		return SubmittedList{}, errs.E(op, errs.Invalid, fmt.Sprintf("list kind %q: use offer or request", kind))
	}
	want := person.Held
	if kind == exchange.Request {
		want = person.Sought
	}
	var out SubmittedList
	err = db.write(ctx, func(tx *Tx) error {
		var bad []errs.FieldError
		for i, it := range items {
			if err := tx.refuseErased(ctx, it.RecordID, "items"); err != nil {
				return err
			}
			// The other side's held record a request names is checked
			// under the same lock: a list names no erased person.
			if it.HeldRecordID != "" {
				if err := tx.refuseErased(ctx, it.HeldRecordID, "items"); err != nil {
					return err
				}
			}
			var party, k string
			err := tx.queryRow(ctx, `SELECT party, kind FROM records WHERE id = ?`, it.RecordID).Scan(&party, &k)
			switch {
			case errors.Is(err, sql.ErrNoRows) || (err == nil && party != s.Party):
				bad = append(bad, errs.FieldError{Field: "items", Where: fmt.Sprintf("item %d", i+1), Message: fmt.Sprintf("record %s is not in %s's registers", it.RecordID, s.Party), Code: "not_own_record", Args: []string{it.RecordID, s.Party}})
			case err != nil:
				return err
			case k != string(want):
				bad = append(bad, errs.FieldError{Field: "items", Where: fmt.Sprintf("item %d", i+1), Message: fmt.Sprintf("record %s is %s; a%s lists %s records", it.RecordID, k, map[bool]string{true: "n", false: ""}[kind == exchange.Offer], want), Code: map[exchange.ListKind]string{exchange.Offer: "wrong_register_offer", exchange.Request: "wrong_register_request"}[kind], Args: []string{it.RecordID}})
			}
		}
		if len(bad) > 0 {
			return errs.E(op, errs.Invalid, "the list names records it cannot", bad)
		}
		if kind == exchange.Offer {
			// The log's lock first, so no interview commits between the
			// gate and the list: a person whose latest interview refuses
			// is not offered for handover (GC III Art. 109(3), Art. 118).
			if _, err := tx.appender(ctx); err != nil {
				return err
			}
			ids := make([]string, len(items))
			for i, it := range items {
				ids[i] = it.RecordID
			}
			if err := checkInterviewGate(ctx, tx, op, exID, ids); err != nil {
				return err
			}
		}
		versions, err := listVersions(ctx, tx, exID, s.Party, kind)
		if err != nil {
			return err
		}
		var prev *exchange.ListVersion
		if len(versions) > 0 {
			prev = &versions[len(versions)-1]
		}
		draft := exchange.NewDraft(ex.ID, s.Party, kind, prev, items, reason)
		draft.Removed = removed
		sub, _, err := exchange.Submit(draft, prev, tx.now, actor(s.UserID))
		if err != nil {
			return err
		}
		body, err := json.Marshal(sub)
		if err != nil {
			return err
		}
		nonce, err := tx.commitLeaf(ctx, audit.ListSubmitted, s, exID, fmt.Sprintf("list:%s/%s/%s", exID, s.Party, kind), sub.Version, audit.TagList, sub.Canonical())
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO exchange_lists (exchange_id, party, kind, version, body, submitted_by, submitted_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			exID, s.Party, string(kind), sub.Version, string(body), s.Login, fmtTime(tx.now), nonce); err != nil {
			if tx.d.isUniqueViolation(err) {
				const msg = "another version of this list was submitted meanwhile; read it and submit again"
				return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "version", Message: msg, Code: "list_changed"})
			}
			return err
		}
		out = SubmittedList{List: sub, Diff: exchange.Diff(prev, &sub)}
		return nil
	})
	if err != nil {
		return SubmittedList{}, errs.E(op, err)
	}
	return out, nil
}

// responses returns the answer history of an exchange in append order.
func responses(ctx context.Context, q querier, exID string) ([]exchange.Response, error) {
	rows, err := q.query(ctx, `SELECT body FROM exchange_responses WHERE exchange_id = ? ORDER BY seq`, exID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanJSON[exchange.Response])
}

// Respond records the scope's party's answers to persons of the other
// party's current list version, all or none, each with its list.answered
// leaf. A party never answers its own list.
func (db *DB) Respond(ctx context.Context, s access.Scope, exID, listParty string, kind exchange.ListKind, version int, answers []exchange.Response) ([]exchange.Response, error) {
	const op = "sqlstore.Respond"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	if err := access.Decide(s, access.ListRespond, access.Resource{Party: s.Party}); err != nil {
		return nil, errs.E(op, err)
	}
	var out []exchange.Response
	err = db.write(ctx, func(tx *Tx) error {
		// The log's lock first: a version submitted meanwhile is seen
		// here, never answered past.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		versions, err := listVersions(ctx, tx, exID, listParty, kind)
		if err != nil {
			return err
		}
		if version < 1 || version > len(versions) {
			return errs.E(op, errs.NotFound, fmt.Sprintf("%s has no %s list version %d in %s", listParty, kind, version, exID), errs.Coded{Code: "no_list_version", Args: []string{listParty, string(kind), fmt.Sprint(version), exID}})
		}
		list := &versions[version-1]
		rs := make([]exchange.Response, len(answers))
		for i, a := range answers {
			a.Party = s.Party
			a.At = tx.now
			a.By = actor(s.UserID)
			rs[i] = a
		}
		out, err = exchange.RespondAll(&ex, list, rs)
		if err != nil {
			return err
		}
		for i := range out {
			r := &out[i]
			body, err := json.Marshal(r)
			if err != nil {
				return err
			}
			content, err := r.Content()
			if err != nil {
				return err
			}
			nonce, err := tx.commitLeaf(ctx, leafListAnswered, s, exID, fmt.Sprintf("answer:%s/%s/%s/%s", exID, r.ListParty, r.ListKind, r.RecordID), r.ListVersion, audit.TagAnswer, content)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO exchange_responses (exchange_id, body, nonce) VALUES (?, ?, ?)`, exID, string(body), nonce); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.E(op, err)
	}
	return out, nil
}

// ListItem is one person of a list as a reader sees it: the item, the
// listed record's identity fields as disclosed (never sensitive fields;
// nothing at all for a transmission-detrimental record seen by the other
// party), and the current answer.
type ListItem struct {
	exchange.Item
	Person   *person.Fields     `json:"person,omitempty"`
	Withheld bool               `json:"withheld,omitempty"`
	Answer   *exchange.Response `json:"answer,omitempty"`
}

// ListView is one version of a list with its items.
type ListView struct {
	Exchange string             `json:"exchange"`
	Party    string             `json:"party"`
	Kind     exchange.ListKind  `json:"kind"`
	Version  int                `json:"version"`
	State    string             `json:"state"`
	Latest   int                `json:"latest"`
	Reason   string             `json:"reason,omitempty"`
	Removed  []exchange.Removal `json:"removed,omitempty"`
	Items    []ListItem         `json:"items"`
	Diff     exchange.ListDiff  `json:"diff"`
}

// List returns a version of a party's list (0 for the current one), as the
// scope may see it: the exchange discloses the listed persons' identity
// fields to the other party and the mediator.
func (db *DB) List(ctx context.Context, s access.Scope, exID, party string, kind exchange.ListKind, version int) (ListView, error) {
	const op = "sqlstore.List"
	if _, err := db.Exchange(ctx, s, exID); err != nil {
		return ListView{}, errs.E(op, err)
	}
	versions, err := listVersions(ctx, db, exID, party, kind)
	if err != nil {
		return ListView{}, errs.E(op, errs.Internal, err)
	}
	if len(versions) == 0 {
		return ListView{}, errs.E(op, errs.NotFound, fmt.Sprintf("%s has submitted no %s list in %s", party, kind, exID), errs.Coded{Code: "no_list", Args: []string{party, string(kind), exID}})
	}
	if version == 0 {
		version = len(versions)
	}
	if version < 0 || version > len(versions) {
		return ListView{}, errs.E(op, errs.NotFound, fmt.Sprintf("no version %d of %s's %s list", version, party, kind), errs.Coded{Code: "no_list_version_of", Args: []string{fmt.Sprint(version), party, string(kind)}})
	}
	v := versions[version-1]
	var prev *exchange.ListVersion
	if version > 1 {
		prev = &versions[version-2]
	}
	history, err := responses(ctx, db, exID)
	if err != nil {
		return ListView{}, errs.E(op, errs.Internal, err)
	}
	current := exchange.Current(&v, history)
	lv := ListView{Exchange: exID, Party: party, Kind: kind, Version: version, State: v.State.String(), Latest: len(versions),
		Reason: v.Reason, Removed: v.Removed, Diff: exchange.Diff(prev, &v)}
	ids := make([]string, len(v.Items))
	for i, it := range v.Items {
		ids[i] = it.RecordID
	}
	fields, err := currentFields(ctx, db, ids)
	if err != nil {
		return ListView{}, errs.E(op, errs.Internal, err)
	}
	for _, it := range v.Items {
		li := ListItem{Item: it}
		if f, ok := fields[it.RecordID]; ok {
			if f.Detrimental && s.Party != party {
				li.Withheld = true
			} else {
				d := disclosedFields(f)
				li.Person = &d
			}
		}
		if a, ok := current[it.RecordID]; ok {
			li.Answer = &a
		}
		lv.Items = append(lv.Items, li)
	}
	if lv.Items == nil {
		lv.Items = []ListItem{}
	}
	return lv, nil
}

// currentFields returns the current fields (body only, nothing sealed) of
// records by id.
func currentFields(ctx context.Context, q querier, ids []string) (map[string]person.Fields, error) {
	out := make(map[string]person.Fields, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT r.id, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
			WHERE r.id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id, body string
			if err := rows.Scan(&id, &body); err != nil {
				return err
			}
			var f person.Fields
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				return err
			}
			out[id] = f
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetEvidence records eligibility evidence (medical commission decision,
// consent events, release blocker) on one of the scope's party's records.
// The latest entry is the evidence; earlier ones stay.
func (db *DB) SetEvidence(ctx context.Context, s access.Scope, recordID string, ev exchange.Evidence) error {
	const op = "sqlstore.SetEvidence"
	rec, err := db.Record(ctx, s, recordID)
	if err != nil {
		return errs.E(op, err)
	}
	if err := access.Decide(s, access.EvidenceWrite, access.Resource{Party: rec.Party}); err != nil {
		return errs.E(op, err)
	}
	if err := ev.Validate(db.Now()); err != nil {
		return err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	return db.write(ctx, func(tx *Tx) error {
		// Consent events are only ever added: checked against the latest
		// evidence inside the transaction that replaces it, under the log's
		// lock so that two entries made at once cannot both pass.
		if err := tx.refuseErased(ctx, recordID, "record"); err != nil {
			return err
		}
		var prevBody string
		switch err := tx.queryRow(ctx, `SELECT body FROM evidence WHERE record_id = ? ORDER BY seq DESC LIMIT 1`, recordID).Scan(&prevBody); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			var prev exchange.Evidence
			if err := json.Unmarshal([]byte(prevBody), &prev); err != nil {
				return errs.E(op, errs.Internal, err)
			}
			if err := exchange.CheckAmend(&prev, &ev); err != nil {
				return err
			}
		}
		nonce, err := tx.commitLeaf(ctx, leafEvidence, s, "", "evidence:"+recordID, 0, audit.TagEvidence, body)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO evidence (record_id, body, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?)`, recordID, string(body), s.Login, fmtTime(tx.now), nonce)
		return err
	})
}

// evidenceOf returns the latest evidence of each record.
func evidenceOf(ctx context.Context, q querier, ids []string) (map[string]exchange.Evidence, error) {
	out := map[string]exchange.Evidence{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT record_id, body FROM evidence WHERE record_id IN (`+placeholders(len(part))+`) ORDER BY seq`, args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id, body string
			var ev exchange.Evidence
			if err := rows.Scan(&id, &body); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				return err
			}
			out[id] = ev
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// negotiation loads, through q, everything the view and the agreement are
// computed from: the current lists, the answer history, and the facts and
// evidence of every held person who is listed or could fall under an
// all-for-all rule.
func negotiation(ctx context.Context, q querier, ex *exchange.Exchange) (*exchange.ViewInput, error) {
	in := &exchange.ViewInput{Exchange: ex, Persons: map[string]exchange.Person{}, Held: map[string][]exchange.Person{}}
	for _, p := range ex.Parties {
		for _, k := range []exchange.ListKind{exchange.Offer, exchange.Request} {
			vs, err := listVersions(ctx, q, ex.ID, p, k)
			if err != nil {
				return nil, err
			}
			if len(vs) > 0 {
				in.Lists = append(in.Lists, vs[len(vs)-1])
			}
		}
	}
	var err error
	if in.Responses, err = responses(ctx, q, ex.ID); err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range in.Lists {
		for _, it := range l.Items {
			if l.Kind == exchange.Offer {
				ids = append(ids, it.RecordID)
			} else if it.HeldRecordID != "" {
				ids = append(ids, it.HeldRecordID)
			}
		}
	}
	allForAll := ex.Terms.AllForAllCategories()
	heldBy := map[string][]string{}
	if len(allForAll) > 0 {
		for _, p := range ex.Parties {
			rows, err := q.query(ctx, `SELECT r.id, v.category FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.party = ? AND r.kind = 'held'`, p)
			if err != nil {
				return nil, err
			}
			err = eachRow(rows, func(rows *sql.Rows) error {
				var id, cat string
				if err := rows.Scan(&id, &cat); err != nil {
					return err
				}
				if allForAll[person.Category(cat)] {
					heldBy[p] = append(heldBy[p], id)
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	fields, err := currentFields(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	evs, err := evidenceOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		f, ok := fields[id]
		if !ok {
			continue
		}
		r := person.Record{ID: id, Fields: f}
		in.Persons[id] = exchange.PersonOf(&r, evs[id])
	}
	for p, hs := range heldBy {
		for _, id := range hs {
			in.Held[p] = append(in.Held[p], in.Persons[id])
		}
	}
	return in, nil
}

// ExchangeView returns the mediator's view of the negotiation: per side and
// category, counts against the terms, eligibility violations, what blocks
// agreement and the eligible persons left out under all-for-all rules.
func (db *DB) ExchangeView(ctx context.Context, s access.Scope, exID string) (*exchange.View, error) {
	const op = "sqlstore.ExchangeView"
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	in, err := negotiation(ctx, db, &ex)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	v := exchange.NewView(in)
	if err := db.withholdFromView(ctx, s, v); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return v, nil
}

// withholdFromView keeps from a party's view what the other party's
// records say about persons it withholds (transmission detrimental, GC III
// Art. 123): the eligibility violations (ages, evidence) and the release
// blocker of such a person's item. The item still blocks, by record id.
func (db *DB) withholdFromView(ctx context.Context, s access.Scope, v *exchange.View) error {
	if s.Party == "" {
		return nil
	}
	var ids []string
	for _, b := range v.Blocking {
		if b.Party != s.Party {
			ids = append(ids, b.RecordID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	fields, err := currentFields(ctx, db, ids)
	if err != nil {
		return err
	}
	for i := range v.Blocking {
		b := &v.Blocking[i]
		if f, ok := fields[b.RecordID]; ok && b.Party != s.Party && f.Detrimental {
			b.Violations, b.Blocker = nil, ""
		}
	}
	return nil
}

// AgreementStatus is an agreement version with its signatures and state.
type AgreementStatus struct {
	Exchange string               `json:"exchange"`
	Version  int                  `json:"version"`
	Latest   int                  `json:"latest"`
	State    string               `json:"state"`
	Hash     string               `json:"hash"`
	Document string               `json:"document"` // the text, signatures appended
	Signed   []exchange.Signature `json:"signed"`
	Missing  []string             `json:"missing"`
	// Final says whether every signature's log leaf is under a checkpoint
	// cosigned by every registered witness (both parties' bureaus and the
	// mediator; docs/design/log.md §7): only then does a signed agreement
	// count. FinalMissing names the witnesses whose cosignature is awaited.
	Final        bool     `json:"final"`
	FinalMissing []string `json:"final_missing,omitempty"`
	// NoWitness: no witness key is registered, so nothing can make the
	// agreement final yet (FinalMissing is then empty).
	NoWitness bool      `json:"no_witness,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// signerKeys returns the keys in one of the states as agreement signer
// keys: a key registered for a party signs for that party, one without a
// party for the mediator. A new signature needs a key in effect; a stored
// one was checked when it was added and stays valid after its key is
// revoked.
func signerKeys(ctx context.Context, q querier, states ...access.KeyState) ([]exchange.SignerKey, error) {
	ks, err := loadKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]exchange.SignerKey, 0, len(ks))
	for _, k := range ks {
		if k.Purpose != KeySigner || !slices.Contains(states, k.State) {
			continue // a witness key cosigns checkpoints, never agreements
		}
		role := k.Party
		if role == "" {
			role = exchange.Mediator
		}
		out = append(out, exchange.SignerKey{Role: role, VKey: k.VKey})
	}
	return out, nil
}

// FreezeAgreement freezes the agreed lists with a stage plan into the next
// agreement version: the persons each side releases (what the other side
// accepted), each by record id and the commitment of its current version,
// under a fresh checkpoint of the log that holds those commitments. Any
// earlier version is superseded and its signatures no longer count.
func (db *DB) FreezeAgreement(ctx context.Context, s access.Scope, signer *Signer, exID string, plan exchange.StagePlan) (AgreementStatus, error) {
	const op = "sqlstore.FreezeAgreement"
	if err := access.Decide(s, access.ExchangeOpen, access.Resource{}); err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	ex, err := db.Exchange(ctx, s, exID)
	if err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	if signer == nil {
		return AgreementStatus{}, errs.E(op, errs.Conflict, "this server has no log key: the agreement needs a checkpoint")
	}
	var version int
	err = db.write(ctx, func(tx *Tx) error {
		// The exchange's row orders this freeze against signatures; the
		// log's lock against every other change, since each writes its
		// leaf: nothing the negotiation is read from can commit between
		// the readiness check and the freeze.
		if err := tx.lockExchange(ctx, exID); err != nil {
			return err
		}
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		in, err := negotiation(ctx, tx, &ex)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		if v := exchange.NewView(in); !v.Ready {
			return errs.E(op, errs.Conflict, fmt.Sprintf("the negotiation is not ready: %d items block agreement, %d shortfalls", len(v.Blocking), len(v.Shortfalls)))
		}
		agreed := exchange.Agreed(&ex, in.Lists, in.Responses)
		if err := plan.Validate(&ex, agreed); err != nil {
			return err
		}
		var ids []string
		for _, items := range agreed {
			for _, it := range items {
				ids = append(ids, it.RecordID)
			}
		}
		if err := checkInterviewGate(ctx, tx, op, exID, ids); err != nil {
			return err
		}
		commitments, err := commitments(ctx, tx, ids)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		prev, err := agreementVersion(ctx, tx, exID, 0)
		if err != nil && !errs.Is(errs.NotFound, err) {
			return err
		}
		if prev != nil {
			// The version in effect until now is superseded.
			if st := prev.verified.StateAt(prev.latest); !st.CanMove(exchange.AgreementSuperseded) {
				return errs.E(op, errs.Conflict, fmt.Sprintf("version %d of the agreement is %s and cannot be superseded", prev.version, st))
			}
		}
		cp, err := tx.checkpoint(ctx, signer, audit.CheckpointSchedule{}, true)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		fin := exchange.FreezeInput{Exchange: &ex, Agreed: agreed, Plan: plan, Commitments: commitments, Log: cp}
		var doc []byte
		var a *exchange.Agreement
		if prev == nil {
			a, doc, err = exchange.Freeze(fin)
		} else {
			a, doc, err = exchange.NewVersion(prev.doc, fin)
		}
		if err != nil {
			return err
		}
		version = a.Version
		nonce, err := tx.commitLeaf(ctx, leafAgreementFrozen, s, exID, fmt.Sprintf("agreement:%s/%d", exID, a.Version), a.Version, audit.TagAgreement, doc)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO agreements (exchange_id, version, document, hash, created_by, created_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			exID, a.Version, doc, exchange.Hash(doc).String(), s.Login, fmtTime(tx.now), nonce)
		return err
	})
	if err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	return db.Agreement(ctx, s, exID, version)
}

// storedAgreement is one stored version of an agreement, verified against
// the signer keys in effect or revoked.
type storedAgreement struct {
	version, latest int
	doc             []byte   // the document text
	lines           []string // its signature lines, oldest first
	hash            string
	createdAt       time.Time
	verified        *exchange.Verified
}

// agreementVersion reads through q a version of an exchange's agreement (0
// for the latest) with its signatures, and verifies it. No agreement, or
// no such version, is errs.NotFound.
func agreementVersion(ctx context.Context, q querier, exID string, version int) (*storedAgreement, error) {
	const op = "sqlstore.Agreement"
	a := &storedAgreement{}
	if err := q.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM agreements WHERE exchange_id = ?`, exID).Scan(&a.latest); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if a.latest == 0 {
		return nil, errs.E(op, errs.NotFound, fmt.Sprintf("exchange %s has no agreement yet", exID), errs.Coded{Code: "no_agreement", Args: []string{exID}})
	}
	a.version = version
	if version == 0 {
		a.version = a.latest
	}
	err := q.queryRow(ctx, `SELECT document, hash, created_at FROM agreements WHERE exchange_id = ? AND version = ?`, exID, a.version).Scan(&a.doc, &a.hash, dbTime{&a.createdAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(op, errs.NotFound, fmt.Sprintf("no agreement version %d of %s", a.version, exID), errs.Coded{Code: "no_agreement_version", Args: []string{fmt.Sprint(a.version), exID}})
	}
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	rows, err := q.query(ctx, `SELECT line FROM agreement_signatures WHERE exchange_id = ? AND version = ? ORDER BY signed_at, role`, exID, a.version)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if a.lines, err = collect(rows, scanString); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	keys, err := signerKeys(ctx, q, access.KeyActive, access.KeyRevoked)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	v, verr := exchange.Verify(exchange.AddSignatures(a.doc, a.lines...), keys, nil)
	if v == nil {
		return nil, errs.E(op, errs.Internal, "a stored agreement does not verify", verr)
	}
	a.verified = v
	return a, nil
}

// commitments returns the commitment of each record's current version.
func commitments(ctx context.Context, q querier, ids []string) (map[string]audit.Digest, error) {
	out := make(map[string]audit.Digest, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.query(ctx, `SELECT r.id, v.commitment FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
			WHERE r.id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id string
			var c sql.NullString
			if err := rows.Scan(&id, &c); err != nil {
				return err
			}
			d, err := audit.ParseDigest(c.String)
			if err != nil {
				return fmt.Errorf("record %s: stored commitment: %w", id, err)
			}
			out[id] = d
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Agreement returns a version of an exchange's agreement (0 for the
// latest) with its signatures and state.
func (db *DB) Agreement(ctx context.Context, s access.Scope, exID string, version int) (AgreementStatus, error) {
	const op = "sqlstore.Agreement"
	if _, err := db.Exchange(ctx, s, exID); err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	a, err := agreementVersion(ctx, db, exID, version)
	if err != nil {
		return AgreementStatus{}, err
	}
	v := a.verified
	state := v.StateAt(a.latest)
	st := AgreementStatus{Exchange: exID, Version: a.version, Latest: a.latest, State: state.String(), Hash: a.hash, CreatedAt: a.createdAt,
		Document: string(exchange.AddSignatures(a.doc, a.lines...)), Signed: v.Signatures, Missing: v.Missing}
	if st.Signed == nil {
		st.Signed = []exchange.Signature{}
	}
	if st.Missing == nil {
		st.Missing = []string{}
	}
	if state == exchange.AgreementSigned {
		st.Final, st.FinalMissing, err = db.finality(ctx, exID, a.version)
		if err != nil {
			return AgreementStatus{}, errs.E(op, err)
		}
		st.NoWitness = !st.Final && len(st.FinalMissing) == 0
	}
	return st, nil
}

// SignAgreement adds a signature line, made on the signer's own machine
// with a registered key, to a version of an agreement: an approver signs
// for its party, the mediator's operator for the mediator. The server
// checks it; a wrong key, the other party's key, a signature over another
// document, or a stale version is refused. Each signature is logged.
func (db *DB) SignAgreement(ctx context.Context, s access.Scope, exID string, version int, line string) (AgreementStatus, error) {
	const op = "sqlstore.SignAgreement"
	role := s.Party
	if s.Party == "" {
		role = exchange.Mediator
	}
	if err := access.Decide(s, access.AgreementSign, access.Resource{Party: role}); err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	if _, err := db.Exchange(ctx, s, exID); err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	if version < 1 {
		return AgreementStatus{}, errs.E(op, errs.NotFound, fmt.Sprintf("no agreement version %d of %s", version, exID), errs.Coded{Code: "no_agreement_version", Args: []string{fmt.Sprint(version), exID}})
	}
	err := db.write(ctx, func(tx *Tx) error {
		// A freeze of the next version, or this role's signature made on
		// another server, waits for this transaction or is seen by it.
		if err := tx.lockExchange(ctx, exID); err != nil {
			return err
		}
		a, err := agreementVersion(ctx, tx, exID, version)
		if err != nil {
			return err
		}
		if err := a.verified.CheckSign(a.latest, role); err != nil {
			return err
		}
		keys, err := signerKeys(ctx, tx, access.KeyActive)
		if err != nil {
			return err
		}
		sig, err := exchange.CheckSignature(a.doc, strings.TrimSpace(line)+"\n", keys, role)
		if err != nil {
			return err
		}
		// agreement.md §5: the document as a signed note carrying this one
		// signature.
		nonce, err := tx.commitLeaf(ctx, audit.AgreementSigned, s, exID, fmt.Sprintf("agreement:%s/%d", exID, version), version, audit.TagAgreement, signedContent(a.doc, sig.Line))
		if err != nil {
			return err
		}
		leaf := tx.log.size - 1 // the leaf commitLeaf just appended
		_, err = tx.exec(ctx, `INSERT INTO agreement_signatures (exchange_id, version, role, key_name, line, signed_by, signed_at, nonce, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			exID, version, role, sig.KeyName, sig.Line, s.Login, fmtTime(tx.now), nonce, leaf)
		return err
	})
	if err != nil {
		return AgreementStatus{}, errs.E(op, err)
	}
	return db.Agreement(ctx, s, exID, version)
}

// signedContent is what an agreement.signed leaf commits to: the document
// text, a newline and the one signature line (agreement.md §5).
func signedContent(doc []byte, line string) []byte {
	out := make([]byte, 0, len(doc)+1+len(line))
	out = append(out, doc...)
	out = append(out, '\n')
	return append(out, strings.TrimRight(line, "\n")...)
}

// finality applies the log's finality policy to an agreement version's
// signatures: final when a checkpoint that covers every signature leaf
// carries a valid cosignature of every registered witness key. It returns
// the witnesses still awaited on the newest covering checkpoint otherwise,
// none when no witness key is registered.
func (db *DB) finality(ctx context.Context, exID string, version int) (bool, []string, error) {
	var last sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MAX(leaf_index) FROM agreement_signatures WHERE exchange_id = ? AND version = ?`, exID, version).Scan(&last); err != nil {
		return false, nil, err
	}
	keys, err := db.LogKeys(ctx)
	if err != nil {
		return false, nil, err
	}
	vkeys := map[string]string{}
	var required []string
	for _, k := range keys {
		if k.Purpose == KeyWitness {
			required = append(required, k.Name)
			vkeys[k.Name] = k.VKey
		}
	}
	if len(required) == 0 {
		return false, nil, nil // no witness key is registered
	}
	if !last.Valid {
		return false, required, nil
	}
	sizes, err := db.CheckpointSizes(ctx)
	if err != nil {
		return false, nil, err
	}
	missing := required // nothing covers the leaves yet
	for i := len(sizes) - 1; i >= 0 && sizes[i] > last.Int64; i-- {
		m, err := db.missingCosigners(ctx, sizes[i], required, vkeys)
		if err != nil {
			return false, nil, err
		}
		if len(m) == 0 {
			return true, nil, nil
		}
		if i == len(sizes)-1 {
			missing = m
		}
	}
	return false, missing, nil
}

// missingCosigners returns the required witnesses without a valid
// cosignature on the checkpoint of a size.
func (db *DB) missingCosigners(ctx context.Context, size int64, required []string, vkeys map[string]string) ([]string, error) {
	var bare []byte
	if err := db.queryRow(ctx, `SELECT note FROM log_checkpoints WHERE size = ?`, size).Scan(&bare); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT key_name, line FROM log_cosignatures WHERE size = ?`, size)
	if err != nil {
		return nil, err
	}
	cosigned := map[string]bool{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var name, line string
		if err := rows.Scan(&name, &line); err != nil {
			return err
		}
		if vk, ok := vkeys[name]; ok && audit.VerifyCosignature(vk, bare, line) == nil {
			cosigned[name] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, r := range required {
		if !cosigned[r] {
			missing = append(missing, r)
		}
	}
	return missing, nil
}
