package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Tracing cases (docs/design/tracing.md): a case is the rows of
// case_steps with its id, folded by internal/casework. Each step is one
// transaction: the log's lock, the case read and folded, the domain's
// decision, the step's leaf (case.<kind>) and its row. What the family
// told the bureau (the enquirer's name and how to reach them, what was
// said) is sealed with the data key, bound to the case and step.

// caseLeaf is the leaf type of a step of kind k.
func caseLeaf(k casework.Kind) audit.LeafType { return audit.LeafType("case." + string(k)) }

// caseAD binds a sealed step to its case and place.
func caseAD(id string, n int) []byte { return []byte("case:" + id + "/" + strconv.Itoa(n)) }

// caseContent is what a step's leaf commits to: the case, its party and
// record, and the whole step, sealed fields included.
func caseContent(id, party, record string, st casework.Step) ([]byte, error) {
	return json.Marshal(struct {
		Case   string        `json:"case"`
		Party  string        `json:"party"`
		Record string        `json:"record"`
		Step   casework.Step `json:"step"`
	}{id, party, record, st})
}

// caseClock is the instant a step's dates are checked against: a bureau
// east of UTC records "today" before the server's UTC date turns (UTC+14
// is the furthest ahead).
func caseClock(now time.Time) time.Time { return now.Add(14 * time.Hour) }

// CaseView is a case as its reader sees it: the case, the sought person
// it is about, the person's trace where the reader may read it (the
// bureau; not the mediator's agency), and what is due today.
type CaseView struct {
	Case   *casework.Case `json:"case"`
	Person person.Record  `json:"person"`
	Trace  *TraceResult   `json:"trace,omitempty"`
	Due    []casework.Due `json:"due"`
}

// forReader is c as s may read it: the mediator's agency, reading a case
// the bureau shared, does not get how to reach an enquirer who did not
// consent to share it.
func forReader(s access.Scope, c *casework.Case) *casework.Case {
	if s.Party == c.Party {
		return c
	}
	out := *c
	out.Steps = make([]casework.Step, len(c.Steps))
	for i, st := range c.Steps {
		if e := st.Enquiry; e != nil && !e.Consent && e.Reach != "" {
			e2 := *e
			e2.Reach = ""
			st.Enquiry = &e2
		}
		out.Steps[i] = st
	}
	return &out
}

// mayReadCase reports whether s may read c: NotFound otherwise, so that a
// case's existence does not leak.
func mayReadCase(s access.Scope, c *casework.Case) error {
	if access.Decide(s, access.CaseRead, access.Resource{Party: c.Party, Shared: c.Shared}) != nil {
		return errs.E("sqlstore.Case", errs.NotFound, fmt.Sprintf("no case %s", c.ID), errs.Coded{Code: "no_case", Args: []string{c.ID}})
	}
	return nil
}

// OpenCase opens a case on one of the caller's party's sought records,
// with the first enquiry when given, in one transaction. Only the
// record's own bureau opens it (case.write); a record with an open case
// is a Conflict naming that case (case_exists): add the enquiry to it.
func (db *DB) OpenCase(ctx context.Context, s access.Scope, recordID string, enquiry *casework.Enquiry) (*casework.Case, error) {
	const op = "sqlstore.OpenCase"
	var c *casework.Case
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.openCase(ctx, s, recordID, enquiry)
		return err
	})
	if err != nil {
		return nil, errs.E(op, err)
	}
	return c, nil
}

func (tx *Tx) openCase(ctx context.Context, s access.Scope, recordID string, enquiry *casework.Enquiry) (*casework.Case, error) {
	const op = "sqlstore.OpenCase"
	rec, err := tx.db.Record(ctx, s, recordID)
	if err != nil {
		return nil, err
	}
	if err := access.Decide(s, access.CaseWrite, access.Resource{Party: rec.Party}); err != nil || s.Party == "" {
		return nil, errs.E(op, errs.Forbidden, "only the record's own bureau opens a case on it",
			errs.FieldError{Field: "record", Message: "only the record's own bureau opens a case", Code: "case_owner_only"})
	}
	if err := tx.refuseErased(ctx, rec.ID, "record"); err != nil {
		return nil, err
	}
	if rec.Party != s.Party || rec.Kind != person.Sought {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("record %s is not a sought record of %s", recordID, s.Party),
			errs.FieldError{Field: "record", Message: "a case is opened on a sought record of your own party", Code: "case_record_not_sought"})
	}
	if _, err := tx.appender(ctx); err != nil { // the log's lock: one open case per record
		return nil, err
	}
	switch other, err := tx.openCaseOf(ctx, recordID); {
	case err != nil:
		return nil, err
	case other != nil:
		return nil, errs.E(op, errs.Conflict, fmt.Sprintf("record %s has an open case: %s", recordID, other.ID),
			errs.FieldError{Field: "record", Message: "the person has an open case", Args: []string{other.ID}, Code: "case_exists"})
	}
	c := casework.New("case-"+newID(""), rec.Party, rec.ID)
	if err := tx.addStep(ctx, s, c, casework.Step{Kind: casework.KindOpened}); err != nil {
		return nil, err
	}
	if enquiry != nil {
		if err := tx.addStep(ctx, s, c, casework.Step{Kind: casework.KindEnquiry, Enquiry: enquiry}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// AddCaseStep adds one step to a case the caller may work: an enquiry, a
// contact, a task, a task done, a notice; and, for the owning bureau
// only, sharing, closing and reopening. N, By and At are the store's.
func (db *DB) AddCaseStep(ctx context.Context, s access.Scope, caseID string, st casework.Step) (*casework.Case, error) {
	const op = "sqlstore.AddCaseStep"
	var c *casework.Case
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.appender(ctx); err != nil { // the log's lock: steps of a case in order
			return err
		}
		var err error
		if c, err = loadCase(ctx, tx, db, caseID); err != nil {
			return err
		}
		if err := mayReadCase(s, c); err != nil {
			return err
		}
		return tx.addStep(ctx, s, c, st)
	})
	if err != nil {
		return nil, errs.E(op, err)
	}
	return forReader(s, c), nil
}

// addStep decides and writes one step of c (already read in tx, under
// the log's lock) and applies it to c.
func (tx *Tx) addStep(ctx context.Context, s access.Scope, c *casework.Case, st casework.Step) error {
	const op = "sqlstore.addStep"
	if err := access.Decide(s, access.CaseWrite, access.Resource{Party: c.Party, Shared: c.Shared}); err != nil {
		return err
	}
	switch st.Kind {
	case casework.KindOpened, casework.KindShared, casework.KindClosed, casework.KindReopened:
		if s.Party != c.Party {
			return errs.E(op, errs.Forbidden, "only the bureau that owns the case opens, shares, closes or reopens it",
				errs.FieldError{Field: "kind", Message: "the owning bureau only", Code: "case_owner_only"})
		}
	}
	st.N, st.By, st.At = len(c.Steps)+1, s.Login, tx.now
	if n := st.Notice; n != nil && strings.TrimSpace(n.By) == "" {
		n2 := *n
		n2.By = s.Login // who notified: by default the one who records it
		st.Notice = &n2
	}
	if err := st.Validate(caseClock(tx.now)); err != nil {
		return err
	}
	if st.Task != nil {
		var role, party string
		var disabled sql.NullString
		err := tx.queryRow(ctx, `SELECT role, COALESCE(party, ''), disabled_at FROM users WHERE login = ?`, st.Task.Assignee).Scan(&role, &party, &disabled)
		ok := err == nil && party == c.Party && !disabled.Valid && (role == string(access.PartyRegistrar) || role == string(access.PartyApprover))
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if !ok {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not a registrar or approver of %s", st.Task.Assignee, c.Party),
				errs.FieldError{Field: "assignee", Message: "not a user of the bureau", Args: []string{st.Task.Assignee}, Code: "case_bad_assignee"})
		}
	}
	if cl := st.Closing; cl != nil && cl.Reason == casework.CloseMerged {
		into, err := loadCase(ctx, tx, tx.db, cl.Into)
		if err != nil && !errs.Is(errs.NotFound, err) {
			return err
		}
		if err != nil || into.Party != c.Party || into.ID == c.ID {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not another case of %s", cl.Into, c.Party),
				errs.FieldError{Field: "into", Message: "not another case of the bureau", Args: []string{cl.Into}, Code: "case_no_merge_target"})
		}
	}
	if err := c.Apply(st); err != nil {
		return err
	}
	content, err := caseContent(c.ID, c.Party, c.Record, st)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	pub, secret := st.Split()
	body, err := json.Marshal(pub)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	var sealed []byte
	if !secret.IsZero() {
		plain, err := json.Marshal(secret)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		if sealed, err = tx.seal(ctx, plain, caseAD(c.ID, st.N)); err != nil {
			return err
		}
	}
	nonce, err := tx.commitLeaf(ctx, caseLeaf(st.Kind), s, "", "case:"+c.ID, st.N, audit.TagCase, content)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO case_steps (case_id, n, party, record_id, kind, body, sealed, entered_by, entered_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, st.N, c.Party, c.Record, string(st.Kind), string(body), sealed, s.Login, fmtTime(tx.now), nonce)
	return err
}

// queryAll runs a query through q and reads every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scan)
}

// caseRow is one stored step with what the replay needs of it.
type caseRow struct {
	seq                int64
	id, party, record  string
	n                  int
	kind, body, by, at string
	sealed, nonce      []byte
}

const caseCols = `seq, case_id, n, party, record_id, kind, body, sealed, entered_by, entered_at, nonce`

func scanCaseRow(rows *sql.Rows) (caseRow, error) {
	var r caseRow
	err := rows.Scan(&r.seq, &r.id, &r.n, &r.party, &r.record, &r.kind, &r.body, &r.sealed, &r.by, &r.at, &r.nonce)
	return r, err
}

// step reads a stored step, sealed fields opened.
func (db *DB) step(r caseRow) (casework.Step, error) {
	var st casework.Step
	if err := json.Unmarshal([]byte(r.body), &st); err != nil {
		return st, fmt.Errorf("case %s step %d: %w", r.id, r.n, err)
	}
	if len(r.sealed) > 0 {
		plain, err := db.seal.open(r.sealed, caseAD(r.id, r.n))
		if err != nil {
			return st, fmt.Errorf("case %s step %d: sealed fields: %w", r.id, r.n, err)
		}
		var secret casework.Sealed
		if err := json.Unmarshal(plain, &secret); err != nil {
			return st, fmt.Errorf("case %s step %d: sealed fields: %w", r.id, r.n, err)
		}
		st = st.Join(secret)
	}
	return st, nil
}

// foldCases folds stored steps, ordered by case and step, into cases.
func (db *DB) foldCases(rows []caseRow) ([]*casework.Case, error) {
	var out []*casework.Case
	var c *casework.Case
	for _, r := range rows {
		if c == nil || c.ID != r.id {
			c = casework.New(r.id, r.party, r.record)
			out = append(out, c)
		}
		st, err := db.step(r)
		if err != nil {
			return nil, err
		}
		if err := c.Apply(st); err != nil {
			return nil, fmt.Errorf("case %s step %d: %w", r.id, r.n, err)
		}
	}
	return out, nil
}

// loadCase reads and folds case id through q; NotFound when it has no steps.
func loadCase(ctx context.Context, q querier, db *DB, id string) (*casework.Case, error) {
	rows, err := queryAll(ctx, q, scanCaseRow, `SELECT `+caseCols+` FROM case_steps WHERE case_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, errs.E("sqlstore.loadCase", errs.Internal, err)
	}
	if len(rows) == 0 {
		return nil, errs.E("sqlstore.loadCase", errs.NotFound, fmt.Sprintf("no case %s", id), errs.Coded{Code: "no_case", Args: []string{id}})
	}
	cs, err := db.foldCases(rows)
	if err != nil {
		return nil, errs.E("sqlstore.loadCase", errs.Internal, err)
	}
	return cs[0], nil
}

// Case returns one case the caller may read, with its person, the
// person's trace (for the bureau) and what is due on it on the day of
// today.
func (db *DB) Case(ctx context.Context, s access.Scope, id string, today person.Date) (CaseView, error) {
	const op = "sqlstore.Case"
	c, err := loadCase(ctx, db, db, id)
	if err != nil {
		return CaseView{}, errs.E(op, err)
	}
	if err := mayReadCase(s, c); err != nil {
		return CaseView{}, err
	}
	views, err := db.caseViews(ctx, s, []*casework.Case{c}, today)
	if err != nil {
		return CaseView{}, errs.E(op, err)
	}
	return views[0], nil
}

// caseViews adds each case's person, trace and what is due: the persons
// read in chunks, and the traces of those the caller may trace derived
// together (a worklist is one pass, not a query per case).
func (db *DB) caseViews(ctx context.Context, s access.Scope, cases []*casework.Case, today person.Date) ([]CaseView, error) {
	ids := make([]string, 0, len(cases))
	for _, c := range cases {
		ids = append(ids, c.Record)
	}
	recs := map[string]person.Record{}
	err := inChunks(ids, func(part []string, args []any) error {
		rows, err := db.query(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return err
		}
		return eachRow(rows, func(rows *sql.Rows) error {
			r, _, err := db.scanRecord(rows, s)
			if err == nil && access.Decide(s, access.RecordRead, access.Resource{Party: r.Party, Kind: string(r.Kind)}) == nil {
				recs[r.ID] = r
			}
			return err
		})
	})
	if err != nil {
		return nil, errs.E("sqlstore.caseViews", errs.Internal, err)
	}
	var subjects []traceSubject
	for _, id := range ids {
		r, ok := recs[id]
		if ok && access.Decide(s, access.TraceRead, access.Resource{Party: r.Party}) == nil {
			subjects = append(subjects, traceSubject{id: r.ID, party: r.Party, kind: r.Kind, fields: r.Fields})
		}
	}
	traces := map[string]*TraceResult{}
	if len(subjects) > 0 {
		got, err := db.traces(ctx, subjects)
		if err != nil {
			return nil, err
		}
		for i := range got {
			traces[got[i].RecordID] = &got[i]
		}
	}
	out := make([]CaseView, 0, len(cases))
	for _, c := range cases {
		rec, ok := recs[c.Record]
		if !ok {
			return nil, errs.E("sqlstore.caseViews", errs.NotFound, fmt.Sprintf("no record %s", c.Record))
		}
		v := CaseView{Case: forReader(s, c), Person: rec, Trace: traces[c.Record]}
		var status crossing.TraceStatus
		var since person.Date
		if v.Trace != nil {
			status, since = v.Trace.Trace.Status, casework.Today(v.Trace.Trace.Since)
		}
		if v.Due = c.Due(today, status, since); v.Due == nil {
			v.Due = []casework.Due{}
		}
		out = append(out, v)
	}
	return out, nil
}

// Cases is the caller's worklist: the cases it may read that pass the
// filter, ordered as casework.Worklist orders them (overdue first), each
// with its person, trace and what is due on the day of today. A bureau
// sees its own party's cases; the mediator's agency those shared with it.
func (db *DB) Cases(ctx context.Context, s access.Scope, f casework.Filter, today person.Date) ([]CaseView, error) {
	const op = "sqlstore.Cases"
	if access.Decide(s, access.CaseRead, access.Resource{Party: s.Party}) != nil && access.Decide(s, access.CaseRead, access.Resource{Shared: true}) != nil {
		return nil, errs.E(op, errs.Forbidden, "only a party's bureau, and the mediator's tracing agency, read tracing cases", errs.Coded{Code: "cases_forbidden"})
	}
	q, args := `SELECT `+caseCols+` FROM case_steps ORDER BY case_id, n`, []any{}
	if s.Party != "" {
		q, args = `SELECT `+caseCols+` FROM case_steps WHERE party = ? ORDER BY case_id, n`, []any{s.Party}
	}
	rows, err := queryAll(ctx, db, scanCaseRow, q, args...)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	all, err := db.foldCases(rows)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	var readable []*casework.Case
	for _, c := range all {
		if mayReadCase(s, c) == nil {
			readable = append(readable, c)
		}
	}
	views, err := db.caseViews(ctx, s, readable, today)
	if err != nil {
		return nil, errs.E(op, err)
	}
	items := make([]casework.Item, len(views))
	byID := map[string]CaseView{}
	for i, v := range views {
		items[i] = casework.Item{Case: v.Case, Due: v.Due}
		byID[v.Case.ID] = v
	}
	out := []CaseView{}
	for _, it := range casework.Worklist(items, f) {
		out = append(out, byID[it.Case.ID])
	}
	return out, nil
}

// CasesOfRecord returns the cases about a record that the caller may
// read, oldest first (the record's and the trace's pages link them).
func (db *DB) CasesOfRecord(ctx context.Context, s access.Scope, recordID string) ([]*casework.Case, error) {
	const op = "sqlstore.CasesOfRecord"
	rows, err := queryAll(ctx, db, scanCaseRow, `SELECT `+caseCols+` FROM case_steps WHERE record_id = ? ORDER BY case_id, n`, recordID)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	all, err := db.foldCases(rows)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []*casework.Case{}
	for _, c := range all {
		if mayReadCase(s, c) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// EnquiryImport is one enquiry of an import: about which record, and
// where in the file it came from.
type EnquiryImport struct {
	Record  string
	Enquiry casework.Enquiry
	Where   string // "row 7"
}

// ImportResult says what an import of enquiries did.
type ImportResult struct {
	Opened int `json:"opened"` // cases opened
	Added  int `json:"added"`  // enquiries added to a case already open
}

// ImportEnquiries records existing enquiries of the caller's bureau, all
// or nothing: each goes to the record's open case, or opens one. Every
// bad row is reported (its Where on each field error) and nothing is
// written.
func (db *DB) ImportEnquiries(ctx context.Context, s access.Scope, in []EnquiryImport) (ImportResult, error) {
	const op = "sqlstore.ImportEnquiries"
	var res ImportResult
	if err := access.Decide(s, access.CaseWrite, access.Resource{Party: s.Party}); err != nil || s.Party == "" {
		return res, errs.E(op, errs.Forbidden, "only a party's bureau imports its enquiries", errs.Coded{Code: "cases_forbidden"})
	}
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		var bad []errs.FieldError
		open := map[string]*casework.Case{} // record → its open case
		for _, e := range in {
			c, ok := open[e.Record]
			var err error
			if !ok {
				c, err = tx.openCaseOf(ctx, e.Record)
			}
			switch {
			case err == nil && c != nil:
				if err = tx.addStep(ctx, s, c, casework.Step{Kind: casework.KindEnquiry, Enquiry: &e.Enquiry}); err == nil {
					res.Added++
				}
			case err == nil:
				if c, err = tx.openCase(ctx, s, e.Record, &e.Enquiry); err == nil {
					res.Opened++
				}
			}
			if err != nil {
				if errs.Is(errs.Internal, err) {
					return err
				}
				fes := errs.Fields(err)
				if len(fes) == 0 {
					fes = []errs.FieldError{{Field: "record", Message: errs.Message(err), Args: []string{e.Record}, Code: "case_record_not_sought"}}
				}
				for _, fe := range fes {
					fe.Where = e.Where
					bad = append(bad, fe)
				}
				continue
			}
			open[e.Record] = c
		}
		if len(bad) > 0 {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%d problems: nothing was imported", len(bad)), bad)
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, errs.E(op, err)
	}
	return res, nil
}

// openCaseOf returns the open case about record in tx, or nil.
func (tx *Tx) openCaseOf(ctx context.Context, record string) (*casework.Case, error) {
	ids, err := queryAll(ctx, tx, scanString, `SELECT DISTINCT case_id FROM case_steps WHERE record_id = ? ORDER BY case_id`, record)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		c, err := loadCase(ctx, tx, tx.db, id)
		if err != nil {
			return nil, err
		}
		if c.State == casework.Open {
			return c, nil
		}
	}
	return nil, nil
}

// replayCaseSteps recomputes the commitment of every case step from its
// row (the case, party and record columns, the body and the sealed
// fields opened) and its nonce, and pairs it with a leaf of its kind
// committing to exactly that (AuditLog's replayEvents).
func (db *DB) replayCaseSteps(ctx context.Context, take func(audit.LeafType, audit.Digest) bool, add func(audit.FindingCode, int64, string, ...any)) error {
	rows, err := queryAll(ctx, db, scanCaseRow, `SELECT `+caseCols+` FROM case_steps ORDER BY seq`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		what := fmt.Sprintf("case %s step %d (%s)", r.id, r.n, r.kind)
		typ := caseLeaf(casework.Kind(r.kind))
		st, err := db.step(r)
		if err != nil {
			add(EventChanged, -1, "%s: stored content is not readable: %v", what, err)
			continue
		}
		content, err := caseContent(r.id, r.party, r.record, st)
		switch {
		case err != nil:
			add(EventChanged, -1, "%s: %v", what, err)
		case len(r.nonce) != len(audit.Nonce{}):
			add(EventChanged, -1, "%s has no nonce to check it with", what)
		case !take(typ, audit.Commit(audit.TagCase, audit.Nonce(padNonce(r.nonce)), content)):
			add(EventChanged, -1, "%s no longer matches any %s leaf (changed in the database, or written around the log)", what, typ)
		}
	}
	return nil
}

// checkCases pairs each case step with the leaf about its case and place
// (replayCovered): the row's kind and number are its body's, and who and
// when are the leaf's.
func (db *DB) checkCases(ctx context.Context, rp *replay) error {
	rows, err := queryAll(ctx, db, scanCaseRow, `SELECT `+caseCols+` FROM case_steps ORDER BY seq`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		what := fmt.Sprintf("case_steps %d (case %s, step %d)", r.seq, r.id, r.n)
		var st casework.Step
		if json.Unmarshal([]byte(r.body), &st) == nil && (st.N != r.n || string(st.Kind) != r.kind) {
			rp.add(ColumnChanged, -1, "%s: n and kind are %d and %q, but its committed body says %d and %q", what, r.n, r.kind, st.N, st.Kind)
		}
		typ := caseLeaf(casework.Kind(r.kind))
		var leaf *replayLeaf
		for _, l := range rp.pairLeaves(typ, "case:"+r.id) {
			if l.rev == int64(r.n) {
				leaf = l
			}
		}
		if leaf == nil {
			rp.add(RowUnlogged, -1, "%s: no %s leaf about this step of this case (written around the log, or moved to another case)", what, typ)
			continue
		}
		leaf.used = true
		rp.checkBy(what, "entered_by", r.by, "entered_at", r.at, leaf)
	}
	return nil
}
