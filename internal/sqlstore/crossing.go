package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// Leaf types of the crossing that the audit package does not name. A
// handover event is audit.HandoverRecorded.
const (
	leafStageChanged    audit.LeafType = "stage.changed"
	leafRemainsRecorded audit.LeafType = "remains.recorded"
)

// stageKey names one stage of one exchange.
type stageKey struct {
	ex string
	n  int
}

// liveStage is one stage held in memory between requests: the fold of its
// stored events, and the officer's lookup index built when it is loaded.
// Its mutex serialises everything that reads or changes st. st is nil when
// it must be replayed from the stored events (first use, or after a failed
// transaction left memory ahead of the database).
type liveStage struct {
	mu       sync.Mutex
	st       *crossing.Stage
	plan     crossing.Plan
	rule     crossing.Rule
	version  int    // the agreement version the stage runs under
	hash     string // its SHA-256
	parties  [2]string
	persons  map[string]StagePerson // record id → the person as frozen
	index    *crossing.LookupIndex
	openedAt time.Time
	eventsN  int   // events stored
	lastSeq  int64 // seq of the last stored event this process knows
	// checkedAt is the log size when st was last found to hold every
	// stored event (lastSeq the stage's newest seq). Every event is
	// written with its log leaf, so while the log has that size no
	// server process has recorded one since: a read then needs no query
	// of the stage's events.
	checkedAt int64
	// amendments are the later signed agreement versions the persons are
	// frozen from; logSeen is the log size when persons were last checked
	// (refreshFrozen).
	amendments []StageAmendment
	logSeen    int64
}

// stageCache holds the live stages of one DB (its field stages): two
// stores open in one process (tests) never share stages, and a closed
// store's stages are freed with it.
type stageCache struct {
	mu sync.Mutex
	m  map[stageKey]*liveStage
}

func (db *DB) stageCache() *stageCache { return &db.stages }

// StagePerson is one person of a stage as the printed list and the
// officer's lookup show them: as frozen in the agreement, from the record
// version whose commitment the signed document holds (checked when the
// stage is loaded), never from the record as it stands now.
type StagePerson struct {
	RecordID      string          `json:"record_id"`
	Side          string          `json:"side"` // the releasing party
	Category      person.Category `json:"category"`
	Reserve       bool            `json:"reserve,omitempty"`
	Surname       string          `json:"surname,omitempty"`
	GivenNames    string          `json:"given_names,omitempty"`
	Patronymic    string          `json:"patronymic,omitempty"`
	FullName      string          `json:"full_name,omitempty"`
	BirthDate     person.Date     `json:"birth_date"`
	Rank          string          `json:"rank,omitempty"`
	ServiceNumber string          `json:"service_number,omitempty"`
	// Version is the record version the agreement froze.
	Version int `json:"version,omitempty"`
	// AmendedIn is the later agreement version (an amendment, signed by
	// all) that froze this version; 0 when it is the stage's own.
	AmendedIn int `json:"amended_in,omitempty"`
	// CorrectedAfterSigning says that the record's identity changed after
	// the agreement froze it: the person is held back (does not count)
	// until an amendment takes in the new version. Changed names the
	// identity fields that changed (person.IdentityChanges), for the
	// readers the person is not withheld from.
	CorrectedAfterSigning bool     `json:"corrected_after_signing,omitempty"`
	Changed               []string `json:"changed,omitempty"`
	// Withheld says that the holding party marked the record
	// transmission-detrimental (GC IV Art. 137(2), or at the person's own request in the neutral's interview): the other party's users
	// see only the record id, category and outcome.
	Withheld bool `json:"withheld,omitempty"`
}

// Name returns the person's name as one line.
func (p StagePerson) Name() string {
	if p.FullName != "" && p.Surname == "" {
		return p.FullName
	}
	return strings.Join(strings.Fields(p.Surname+" "+p.GivenNames+" "+p.Patronymic), " ")
}

// StageView is a stage as the API shows it: state, agreement, history and
// the parity report.
type StageView struct {
	Exchange         string                  `json:"exchange"`
	Stage            int                     `json:"stage"`
	State            string                  `json:"state"`
	Crossing         string                  `json:"crossing,omitempty"`
	Window           crossing.Window         `json:"window"`
	AgreementVersion int                     `json:"agreement_version"`
	AgreementHash    string                  `json:"agreement_hash"`
	Rule             crossing.Rule           `json:"rule"`
	History          []crossing.Change       `json:"history"`
	Report           crossing.Report         `json:"report"`
	Summary          crossing.StageSummary   `json:"summary"`
	Unlisted         []crossing.PersonStatus `json:"unlisted,omitempty"`
	// Amendments are the later agreement versions, signed by all, that
	// froze persons of the stage anew (the plan stays AgreementVersion's).
	Amendments []StageAmendment `json:"amendments,omitempty"`
}

// RecordResult is the answer to a queue of handover events: one result per
// event, in order, and the stage after them.
type RecordResult struct {
	Results []crossing.Result `json:"results"`
	Stage   StageView         `json:"stage"`
}

// signedAgreement returns the raw text (without signatures), version and
// hash of the exchange's latest agreement, which MUST be signed.
func (db *DB) signedAgreement(ctx context.Context, s access.Scope, exID string) (*exchange.Agreement, int, string, error) {
	const op = "sqlstore.signedAgreement"
	if _, err := db.Exchange(ctx, s, exID); err != nil {
		return nil, 0, "", err
	}
	a, err := agreementVersion(ctx, db, exID, 0)
	if err != nil {
		return nil, 0, "", err
	}
	if st := a.verified.StateAt(a.latest); st != exchange.AgreementSigned {
		return nil, 0, "", errs.E(op, errs.Conflict, fmt.Sprintf("agreement version %d of %s is %s: a stage runs only under a signed agreement (missing %s)", a.version, exID, st, strings.Join(a.verified.Missing, ", ")))
	}
	return a.verified.Agreement, a.version, a.hash, nil
}

// latestSigned returns the exchange's latest agreement version that every
// required signer signed (the latest, or one superseded by a version still
// awaiting signatures: an amendment under way), parsed, with its version
// and hash. Conflict when none is.
func (db *DB) latestSigned(ctx context.Context, exID string) (*exchange.Agreement, int, string, error) {
	const op = "sqlstore.latestSigned"
	cur, err := agreementVersion(ctx, db, exID, 0)
	if err != nil {
		return nil, 0, "", err
	}
	for v := cur.version; v >= 1; v-- {
		a := cur
		if v != cur.version {
			if a, err = agreementVersion(ctx, db, exID, v); err != nil {
				return nil, 0, "", err
			}
		}
		if a.verified.State() == exchange.AgreementSigned {
			return a.verified.Agreement, v, a.hash, nil
		}
	}
	return nil, 0, "", errs.E(op, errs.Conflict, fmt.Sprintf("no agreement version of %s is signed yet (missing %s)", exID, strings.Join(cur.verified.Missing, ", ")))
}

// exchangeParties returns an exchange's two parties without an access
// check: callers decide access themselves.
func (db *DB) exchangeParties(ctx context.Context, exID string) ([2]string, error) {
	var p [2]string
	err := db.queryRow(ctx, `SELECT party_a, party_b FROM exchanges WHERE id = ?`, exID).Scan(&p[0], &p[1])
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E("sqlstore.exchange", errs.NotFound, fmt.Sprintf("no exchange %s", exID), errs.Coded{Code: "no_exchange", Args: []string{exID}})
	}
	if err != nil {
		return p, errs.E("sqlstore.exchange", errs.Internal, err)
	}
	return p, nil
}

// mayUseStage checks that a party-bound caller belongs to the exchange:
// others get NotFound, as for an exchange they may not read.
func mayUseStage(s access.Scope, parties [2]string, exID string) error {
	if s.Party != "" && s.Party != parties[0] && s.Party != parties[1] {
		return errs.E("sqlstore.stage", errs.NotFound, fmt.Sprintf("no exchange %s", exID), errs.Coded{Code: "no_exchange", Args: []string{exID}})
	}
	return nil
}

// mediatorScope is the store's own reading scope for an agreement that
// the caller may use through a stage (an officer reads no exchange).
func mediatorScope() access.Scope {
	return access.Scope{UserID: -1, Login: "system", Role: access.MediatorOperator}
}

// OpenStage opens stage n of an exchange under its latest agreement, which
// MUST be signed: it pins the agreement version, records the stage_opened
// event and its log leaf, and loads the stage with its lookup index.
func (db *DB) OpenStage(ctx context.Context, s access.Scope, exID string, n int) (StageView, error) {
	const op = "sqlstore.OpenStage"
	if err := access.Decide(s, access.StageManage, access.Resource{}); err != nil {
		return StageView{}, errs.E(op, err)
	}
	a, version, hash, err := db.signedAgreement(ctx, s, exID)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	plan, rule, _, err := a.CrossingPlan(n)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	if _, err := crossing.New(plan, rule); err != nil {
		return StageView{}, errs.E(op, errs.Internal, "the agreement's stage does not make a valid plan", err)
	}
	// Every person as the agreement froze them, checked against the
	// commitment, before the stage is opened; the stage is loaded with
	// them.
	seen, err := db.LogSize(ctx)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	fz, err := db.frozenStage(ctx, exID, n, version)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	now := db.Now().UTC().Truncate(time.Microsecond)
	ev := crossing.Event{ID: fmt.Sprintf("stage-%d-opened", n), Type: crossing.StageOpened, At: now, Party: crossing.Mediator, Actor: actor(s.UserID)}
	err = db.write(ctx, func(tx *Tx) error {
		// The pin is checked where it is written: a freeze of a new
		// version since the agreement was read makes it stale.
		if err := tx.lockExchange(ctx, exID); err != nil {
			return err
		}
		var latest int
		if err := tx.queryRow(ctx, `SELECT MAX(version) FROM agreements WHERE exchange_id = ?`, exID).Scan(&latest); err != nil {
			return err
		}
		if latest != version {
			return errs.E(op, errs.Conflict, fmt.Sprintf("agreement version %d of %s was superseded by version %d meanwhile: a stage runs only under a signed agreement", version, exID, latest))
		}
		_, err := tx.exec(ctx, `INSERT INTO stages (exchange_id, stage, agreement_version, agreement_hash, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?)`,
			exID, n, version, hash, s.Login, fmtTime(tx.now))
		if tx.d.isUniqueViolation(err) {
			return errs.E(op, errs.Conflict, fmt.Sprintf("stage %d of %s is open already", n, exID))
		}
		if err != nil {
			return err
		}
		// The pin is logged apart from the event, so that a stage row
		// pointed at another agreement version is seen by the audit.
		if err := tx.appendLeaf(ctx, audit.Leaf{Type: leafStageOpened, Actor: actor(s.UserID), Time: tx.now, Exchange: exID, Subject: stageSubject(exID, n),
			Commitment: audit.Commit(tagStagePin, audit.Nonce{}, stagePinContent(exID, n, version, hash))}); err != nil {
			return err
		}
		return tx.insertEvent(ctx, s, exID, n, ev)
	})
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	ls, err := db.liveStage(ctx, exID, n)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.persons == nil && ls.version == version {
		ls.install(fz, seen)
	}
	if err := db.ensureLoaded(ctx, ls, exID, n); err != nil {
		return StageView{}, errs.E(op, err)
	}
	return ls.view(), nil
}

// insertEvent stores one accepted event with the nonce of its log leaf,
// which commits to event.Content() (a salted hash: never personal data in
// clear).
func (tx *Tx) insertEvent(ctx context.Context, s access.Scope, exID string, n int, e crossing.Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	content, err := audit.CanonicalJSON(e.Content())
	if err != nil {
		return err
	}
	typ := audit.HandoverRecorded
	if e.Type.IsStage() {
		typ = leafStageChanged
	}
	nonce, err := tx.commitLeaf(ctx, typ, s, exID, fmt.Sprintf("stage:%s/%d", exID, n), 0, audit.TagHandover, content)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO stage_events (exchange_id, stage, event_id, body, recorded_by, recorded_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		exID, n, e.ID, string(body), s.Login, fmtTime(tx.now), nonce); err != nil {
		if tx.d.isUniqueViolation(err) {
			return errs.E("sqlstore.insertEvent", errs.Conflict, fmt.Sprintf("event %s was recorded by another request; try again", e.ID))
		}
		return err
	}
	return nil
}

// liveStage returns the cache entry of a stage that was opened, creating
// an unloaded one on first use. NotFound when the stage was never opened.
func (db *DB) liveStage(ctx context.Context, exID string, n int) (*liveStage, error) {
	c := db.stageCache()
	k := stageKey{exID, n}
	c.mu.Lock()
	ls, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return ls, nil
	}
	var version int
	var hash string
	var opened time.Time
	err := db.queryRow(ctx, `SELECT agreement_version, agreement_hash, opened_at FROM stages WHERE exchange_id = ? AND stage = ?`, exID, n).Scan(&version, &hash, dbTime{&opened})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("sqlstore.stage", errs.NotFound, fmt.Sprintf("stage %d of %s is not open", n, exID), errs.Coded{Code: "stage_not_open_now", Args: []string{fmt.Sprint(n), exID}})
	}
	if err != nil {
		return nil, errs.E("sqlstore.stage", errs.Internal, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ls, ok := c.m[k]; ok {
		return ls, nil
	}
	ls = &liveStage{version: version, hash: hash, openedAt: opened}
	c.m[k] = ls
	return ls, nil
}

// ensureLoaded builds the plan, the persons as frozen and the lookup index
// on first use (and again when they changed: refreshFrozen), replays the
// stored events when st is nil, and otherwise brings st up to the events
// another server process stored since (catchUp): what one server records,
// every server shows on its next read. The caller holds ls.mu.
func (db *DB) ensureLoaded(ctx context.Context, ls *liveStage, exID string, n int) error {
	return db.load(ctx, ls, exID, n, true)
}

// load is ensureLoaded; without catch, a stage in memory is not brought
// up to the database here: a write does it under the stage's row lock
// (recordEvents), so a query here would be one too many.
func (db *DB) load(ctx context.Context, ls *liveStage, exID string, n int, catch bool) error {
	size, err := db.refreshFrozen(ctx, ls, exID, n)
	if err != nil {
		return err
	}
	if ls.st != nil {
		if !catch || size == ls.checkedAt {
			return nil
		}
		if err := ls.catchUp(ctx, db, exID, n); err != nil {
			return errs.E("sqlstore.stage", errs.Internal, err)
		}
		ls.checkedAt = size
	}
	if ls.st == nil {
		events, last, err := stageEvents(ctx, db, exID, n, 0)
		if err != nil {
			return errs.E("sqlstore.stage", errs.Internal, err)
		}
		st, err := crossing.Replay(ls.plan, ls.rule, events)
		if err != nil {
			return errs.E("sqlstore.stage", errs.Internal, "stored events do not replay", err)
		}
		ls.st, ls.eventsN, ls.lastSeq, ls.checkedAt = st, len(events), last, size
	}
	return nil
}

// catchUp applies to st the events stored after lastSeq, in order (read
// through q: the database, or the write transaction that holds the
// stage's row). An event that does not apply as it did when it was
// recorded leaves st nil, to be replayed from the start. The caller holds
// ls.mu.
func (ls *liveStage) catchUp(ctx context.Context, q querier, exID string, n int) error {
	events, last, err := stageEvents(ctx, q, exID, n, ls.lastSeq)
	if err != nil {
		return err
	}
	for _, e := range events {
		if dup, err := ls.st.Apply(e); err != nil || dup {
			ls.st = nil
			return nil
		}
	}
	if len(events) > 0 {
		ls.eventsN += len(events)
		ls.lastSeq = last
	}
	return nil
}

// stageEvents returns a stage's stored events after seq after, in order,
// and the seq of the last.
func stageEvents(ctx context.Context, q querier, exID string, n int, after int64) ([]crossing.Event, int64, error) {
	rows, err := q.query(ctx, `SELECT seq, body FROM stage_events WHERE exchange_id = ? AND stage = ? AND seq > ? ORDER BY seq`, exID, n, after)
	if err != nil {
		return nil, 0, err
	}
	var out []crossing.Event
	var last int64
	err = eachRow(rows, func(rows *sql.Rows) error {
		var body string
		if err := rows.Scan(&last, &body); err != nil {
			return err
		}
		var e crossing.Event
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, last, nil
}

func (ls *liveStage) view() StageView {
	r := ls.st.Report()
	v := StageView{Exchange: ls.plan.Exchange, Stage: ls.plan.Stage, State: ls.st.State().String(), Window: ls.st.Window(),
		AgreementVersion: ls.version, AgreementHash: ls.hash, Rule: ls.rule, History: ls.st.History(), Report: r,
		Unlisted: ls.st.Unlisted(), Amendments: ls.amendments}
	v.Summary = r.Summary(v.History)
	if len(ls.plan.Points) > 0 {
		v.Crossing = ls.plan.Points[0]
	}
	return v
}

// RecordEvents records a queue of events at a stage, in order: handover
// events from a checkpoint officer (of a party of the exchange, or the
// mediator's observer without a party), stage transitions from the
// mediator's operator. Each event is answered applied, duplicate (same id,
// same content: recorded once) or refused with a kind and a reason; a
// refusal does not stop the queue. The server sets each event's party and
// actor from the caller's account as it stands in the transaction, so an
// officer records only for its own party (the stage refuses, Forbidden,
// what that party may not record: crossing.EventType.RecordedBy); the
// receiver and observer an event names must be checkpoint officers'
// accounts of the right party (given by login or "user:ID", recorded as
// "user:ID"). An event without a time takes the time of its earlier
// recording (a retry) or now. Every applied event is stored with its log
// leaf in the one transaction that judged it; if it fails, nothing is
// recorded and the stage is replayed from the database on next use.
func (db *DB) RecordEvents(ctx context.Context, s access.Scope, exID string, n int, events []crossing.Event) (RecordResult, error) {
	const op = "sqlstore.RecordEvents"
	mayHandover := access.Decide(s, access.HandoverRecord, access.Resource{Party: s.Party})
	mayStage := access.Decide(s, access.StageManage, access.Resource{})
	if mayHandover != nil && mayStage != nil {
		return RecordResult{}, errs.E(op, mayHandover)
	}
	parties, err := db.exchangeParties(ctx, exID)
	if err != nil {
		return RecordResult{}, errs.E(op, err)
	}
	if err := mayUseStage(s, parties, exID); err != nil {
		return RecordResult{}, errs.E(op, err)
	}
	if len(events) == 0 || len(events) > 10000 {
		return RecordResult{}, errs.E(op, errs.Invalid, "send between 1 and 10,000 events")
	}
	ls, err := db.liveStage(ctx, exID, n)
	if err != nil {
		return RecordResult{}, errs.E(op, err)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for attempt := 0; ; attempt++ {
		res, err := db.recordEvents(ctx, s, ls, exID, n, events, mayHandover, mayStage)
		if errors.Is(err, errStale) && attempt == 0 {
			continue // replayed from the database: judge the queue again
		}
		if err != nil {
			return RecordResult{}, errs.E(op, err)
		}
		return res, nil
	}
}

// errStale says that another server process wrote to the stage since this
// one loaded it.
var errStale = errs.E("sqlstore.RecordEvents", errs.Conflict, "the stage changed on another server: send the events again")

// recordEvents judges a queue against the loaded stage and stores what
// was applied, all inside one write transaction: the officer's account is
// read there (its party decides the side it may record for), so are the
// accounts the events name and the reserves used in other stages. The
// caller holds ls.mu.
func (db *DB) recordEvents(ctx context.Context, s access.Scope, ls *liveStage, exID string, n int, events []crossing.Event, mayHandover, mayStage error) (RecordResult, error) {
	const op = "sqlstore.RecordEvents"
	if err := db.load(ctx, ls, exID, n, false); err != nil {
		return RecordResult{}, err
	}
	results := make([]crossing.Result, len(events))
	var applied []crossing.Event
	var last int64
	touched := false // memory changed: drop it if the transaction fails
	err := db.write(ctx, func(tx *Tx) error {
		// Writers of one stage are serialised across server processes:
		// SQLite's write transaction holds the database; PostgreSQL
		// locks the stage's row. Memory is stale if the stage has
		// events this process did not load.
		var v int
		if err := tx.queryRow(ctx, tx.d.forUpdate(`SELECT agreement_version FROM stages WHERE exchange_id = ? AND stage = ?`), exID, n).Scan(&v); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM stage_events WHERE exchange_id = ? AND stage = ?`, exID, n).Scan(&last); err != nil {
			return err
		}
		if last != ls.lastSeq {
			// Another server process recorded since: with the row
			// locked, its events are read here and applied first.
			touched = true
			if err := ls.catchUp(ctx, tx, exID, n); err != nil {
				return err
			}
			if ls.st == nil || ls.lastSeq != last {
				return errStale
			}
		}
		party, err := tx.recorderParty(ctx, s)
		if err != nil {
			return err
		}
		named, err := tx.namedOfficers(ctx, events)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		refuse := func(i int, id string, err error) {
			results[i] = crossing.Result{ID: id, Status: "refused", Err: err, Kind: errs.KindOf(err).String(), Message: errs.Message(err), Fields: errs.Fields(err)}
		}
		for i, e := range events {
			e.Party, e.Actor = party, actor(s.UserID)
			deny := mayHandover
			if e.Type.IsStage() {
				deny = mayStage
			}
			if deny != nil {
				refuse(i, e.ID, deny)
				continue
			}
			// A receiver or an observer given by login is recorded as
			// the account's id; a receipt's check names its officer.
			e.Receiver, e.Observer = named.account(e.Receiver), named.account(e.Observer)
			if e.Type == crossing.Received && e.Check.VerifiedBy == "" {
				e.Check.VerifiedBy = e.Actor
			}
			prev, seen := ls.st.Event(e.ID)
			if e.At.IsZero() {
				e.At = tx.now
				if seen {
					e.At = prev.At // a retry: the time of its first recording
				}
			}
			if !seen { // a retry is judged as it was: a duplicate or a conflict
				if err := ls.st.CheckAccounts(e, named.party); err != nil {
					refuse(i, e.ID, err)
					continue
				}
				if e.Type == crossing.SubstitutedBy && e.Reserve != "" {
					other, err := tx.reserveUsedElsewhere(ctx, exID, n, e.Side, e.Reserve)
					if err != nil {
						return errs.E(op, errs.Internal, err)
					}
					if other > 0 {
						refuse(i, e.ID, errs.E(op, errs.Conflict, fmt.Sprintf("reserve %q was already handed over in stage %d", e.Reserve, other)))
						continue
					}
				}
			}
			touched = true
			r := ls.st.ApplyAll([]crossing.Event{e})[0]
			results[i] = r
			if r.Status == "applied" {
				applied = append(applied, e)
			}
		}
		for _, e := range applied {
			if err := tx.insertEvent(ctx, s, exID, n, e); err != nil {
				return err
			}
			if e.Type != crossing.SubstitutedBy {
				continue
			}
			// A reserve crosses once in the whole exchange; the key
			// catches two stages substituting the same reserve at once.
			_, err := tx.exec(ctx, `INSERT INTO stage_reserves (exchange_id, side, record_id, stage, event_id) VALUES (?, ?, ?, ?, ?)`, exID, e.Side, e.Reserve, n, e.ID)
			if tx.d.isUniqueViolation(err) {
				return errs.E(op, errs.Conflict, fmt.Sprintf("reserve %q was handed over in another stage meanwhile", e.Reserve))
			}
			if err != nil {
				return err
			}
		}
		if len(applied) == 0 {
			return nil
		}
		return tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM stage_events WHERE exchange_id = ? AND stage = ?`, exID, n).Scan(&last)
	})
	if err != nil {
		if touched || errors.Is(err, errStale) {
			ls.st = nil // memory is ahead of the database: replay on next use
		}
		return RecordResult{}, err
	}
	ls.eventsN += len(applied)
	ls.lastSeq = last
	return RecordResult{Results: results, Stage: ls.view()}, nil
}

// reserveUsedElsewhere returns the stage, other than n, in which a
// reserve was handed over; 0 if none.
func (tx *Tx) reserveUsedElsewhere(ctx context.Context, exID string, n int, side, reserve string) (int, error) {
	var stage int
	err := tx.queryRow(ctx, `SELECT stage FROM stage_reserves WHERE exchange_id = ? AND side = ? AND record_id = ?`, exID, side, reserve).Scan(&stage)
	if errors.Is(err, sql.ErrNoRows) || stage == n {
		return 0, nil
	}
	return stage, err
}

// recorderParty reads the caller's account inside the transaction and
// returns the party it records for (crossing.Mediator for an account
// without a party). An account disabled, or whose role or party is not
// the one its session or token was read with, records nothing.
func (tx *Tx) recorderParty(ctx context.Context, s access.Scope) (string, error) {
	const op = "sqlstore.RecordEvents"
	var role, party string
	var disabled sql.NullString
	err := tx.queryRow(ctx, `SELECT role, COALESCE(party, ''), disabled_at FROM users WHERE id = ?`, s.UserID).Scan(&role, &party, &disabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (disabled.Valid || access.Role(role) != s.Role || party != s.Party)) {
		return "", errs.E(op, errs.Forbidden, fmt.Sprintf("account %s is disabled or changed: it records nothing", s.Login))
	}
	if err != nil {
		return "", errs.E(op, errs.Internal, err)
	}
	if party == "" {
		return crossing.Mediator, nil
	}
	return party, nil
}

// officerNames are the accounts a queue names as receivers and observers.
type officerNames struct {
	ids   map[string]string // login or "user:ID" as given → "user:ID"
	party map[string]string // "user:ID" of an enabled checkpoint officer → its party, or crossing.Mediator
}

// account returns the account id of name: as given when it is no known
// login (the stage then refuses it as free text).
func (o officerNames) account(name string) string {
	if id, ok := o.ids[name]; ok {
		return id
	}
	return name
}

// namedOfficers reads the accounts the events name as receivers and
// observers, by login or by id.
func (tx *Tx) namedOfficers(ctx context.Context, events []crossing.Event) (officerNames, error) {
	o := officerNames{ids: map[string]string{}, party: map[string]string{}}
	seen := map[string]bool{}
	var logins, ids []any
	for _, e := range events {
		for _, name := range []string{e.Receiver, e.Observer} {
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if crossing.IsAccount(name) {
				id, _ := strconv.ParseInt(strings.TrimPrefix(name, "user:"), 10, 64)
				ids = append(ids, id)
			} else {
				logins = append(logins, name)
			}
		}
	}
	if len(logins)+len(ids) == 0 {
		return o, nil
	}
	in := func(n int) string {
		if n == 0 {
			return "NULL"
		}
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	rows, err := tx.query(ctx, `SELECT id, login, role, COALESCE(party, ''), disabled_at FROM users WHERE login IN (`+in(len(logins))+`) OR id IN (`+in(len(ids))+`)`,
		append(logins, ids...)...)
	if err != nil {
		return o, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var login, role, party string
		var disabled sql.NullString
		if err := rows.Scan(&id, &login, &role, &party, &disabled); err != nil {
			return err
		}
		acct := actor(id)
		o.ids[login], o.ids[acct] = acct, acct
		if access.Role(role) != access.CheckpointOfficer || disabled.Valid {
			return nil
		}
		if party == "" {
			party = crossing.Mediator
		}
		o.party[acct] = party
		return nil
	})
	return o, err
}

// Officer is a checkpoint officer's account that an event may name as
// the receiver or the observer.
type Officer struct {
	ID    string `json:"id"` // "user:ID", as events name it
	Login string `json:"login"`
	Party string `json:"party"` // a party of the exchange, or "mediator"
}

// StageOfficers lists the enabled checkpoint officers of the stage's two
// parties and of the mediator, by party then login: whom an officer's
// screen offers as the receiver and the observer. Decided as the stage
// itself (ReportRead).
func (db *DB) StageOfficers(ctx context.Context, s access.Scope, exID string, n int) ([]Officer, error) {
	const op = "sqlstore.StageOfficers"
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return nil, errs.E(op, err)
	}
	parties := ls.parties
	ls.mu.Unlock()
	rows, err := db.query(ctx, `SELECT id, login, COALESCE(party, '') FROM users WHERE role = ? AND disabled_at IS NULL AND (party IS NULL OR party IN (?, ?)) ORDER BY login`,
		string(access.CheckpointOfficer), parties[0], parties[1])
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []Officer{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var o Officer
		if err := rows.Scan(&id, &o.Login, &o.Party); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		o.ID = actor(id)
		if o.Party == "" {
			o.Party = crossing.Mediator
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, internal(op, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Party < out[j].Party })
	return out, nil
}

// Stage returns an open stage with its parity report.
func (db *DB) Stage(ctx context.Context, s access.Scope, exID string, n int) (StageView, error) {
	const op = "sqlstore.Stage"
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return StageView{}, errs.E(op, err)
	}
	defer ls.mu.Unlock()
	return ls.view(), nil
}

// readableStage checks ReportRead and returns the loaded stage, locked.
// CheckCloseStage says, writing nothing, whether the caller may close stage
// n of an exchange now with reason (the discrepancy; empty when parity
// holds): nil, or the stage's coded refusal ([crossing.Stage.CheckClose]).
// Closing an open stage records two events (closing, closed); a form asks
// this first so that the first is not recorded alone when the second
// would be refused. RecordEvents checks each event again when it writes.
func (db *DB) CheckCloseStage(ctx context.Context, s access.Scope, exID string, n int, reason string) error {
	const op = "sqlstore.CheckCloseStage"
	if err := access.Decide(s, access.StageManage, access.Resource{}); err != nil {
		return errs.E(op, err)
	}
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return errs.E(op, err)
	}
	defer ls.mu.Unlock()
	if err := ls.st.CheckClose(reason); err != nil {
		return errs.E(op, err)
	}
	return nil
}

func (db *DB) readableStage(ctx context.Context, s access.Scope, exID string, n int) (*liveStage, error) {
	if err := access.Decide(s, access.ReportRead, access.Resource{Party: s.Party}); err != nil {
		return nil, err
	}
	parties, err := db.exchangeParties(ctx, exID)
	if err != nil {
		return nil, err
	}
	if err := mayUseStage(s, parties, exID); err != nil {
		return nil, err
	}
	ls, err := db.liveStage(ctx, exID, n)
	if err != nil {
		return nil, err
	}
	ls.mu.Lock()
	if err := db.ensureLoaded(ctx, ls, exID, n); err != nil {
		ls.mu.Unlock()
		return nil, err
	}
	return ls, nil
}

// ExchangeStages returns every stage of the exchange's latest signed
// agreement (an amendment awaiting signatures does not hide them): the
// open ones as they stand, the others as planned.
func (db *DB) ExchangeStages(ctx context.Context, s access.Scope, exID string) ([]StageView, error) {
	const op = "sqlstore.ExchangeStages"
	if err := access.Decide(s, access.ReportRead, access.Resource{Party: s.Party}); err != nil {
		return nil, errs.E(op, err)
	}
	parties, err := db.exchangeParties(ctx, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	if err := mayUseStage(s, parties, exID); err != nil {
		return nil, errs.E(op, err)
	}
	a, version, hash, err := db.latestSigned(ctx, exID)
	if err != nil {
		return nil, errs.E(op, err)
	}
	var out []StageView
	for _, st := range a.Plan.Stages {
		ls, err := db.liveStage(ctx, exID, st.Number)
		if errs.KindOf(err) == errs.NotFound {
			plan, rule, point, err := a.CrossingPlan(st.Number)
			if err != nil {
				return nil, errs.E(op, err)
			}
			stage, err := crossing.New(plan, rule)
			if err != nil {
				return nil, errs.E(op, errs.Internal, err)
			}
			out = append(out, StageView{Exchange: exID, Stage: st.Number, State: stage.State().String(), Crossing: point, Window: stage.Window(),
				AgreementVersion: version, AgreementHash: hash, Rule: rule, History: []crossing.Change{}, Report: stage.Report(), Summary: stage.Summary()})
			continue
		}
		if err != nil {
			return nil, errs.E(op, err)
		}
		ls.mu.Lock()
		err = db.ensureLoaded(ctx, ls, exID, st.Number)
		if err == nil {
			out = append(out, ls.view())
		}
		ls.mu.Unlock()
		if err != nil {
			return nil, errs.E(op, err)
		}
	}
	return out, nil
}

// StageList is one side's list of a stage for the printed list at the
// crossing: the persons it releases, then its reserves, each with the
// outcome recorded so far.
type StageList struct {
	Exchange         string           `json:"exchange"`
	Stage            int              `json:"stage"`
	Side             string           `json:"side"`
	Receiver         string           `json:"receiver"`
	Crossing         string           `json:"crossing"`
	Window           crossing.Window  `json:"window"`
	AgreementVersion int              `json:"agreement_version"`
	AgreementHash    string           `json:"agreement_hash"`
	Amendments       []StageAmendment `json:"amendments,omitempty"`
	Persons          []StageListEntry `json:"persons"`
}

// StageListEntry is one line of a printed list.
type StageListEntry struct {
	StagePerson
	Outcome crossing.Outcome `json:"outcome"`
}

// List returns side's list of an open stage.
func (db *DB) StageList(ctx context.Context, s access.Scope, exID string, n int, side string) (StageList, error) {
	const op = "sqlstore.StageList"
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return StageList{}, errs.E(op, err)
	}
	defer ls.mu.Unlock()
	sp, ok := ls.plan.Sides[side]
	if !ok {
		return StageList{}, errs.E(op, errs.NotFound, fmt.Sprintf("%s releases nobody in stage %d", side, n), errs.Coded{Code: "releases_nobody", Args: []string{side, fmt.Sprint(n)}})
	}
	out := StageList{Exchange: exID, Stage: n, Side: side, Window: ls.st.Window(), AgreementVersion: ls.version, AgreementHash: ls.hash, Amendments: ls.amendments}
	if len(ls.plan.Points) > 0 {
		out.Crossing = ls.plan.Points[0]
	}
	for _, p := range ls.parties {
		if p != side {
			out.Receiver = p
		}
	}
	add := func(pp crossing.PlannedPerson) {
		ps, _ := ls.st.Person(side, pp.RecordID)
		out.Persons = append(out.Persons, StageListEntry{StagePerson: ls.persons[pp.RecordID].seenBy(s), Outcome: ps.Outcome})
	}
	for _, p := range sp.Persons {
		add(p)
	}
	for _, p := range sp.Reserves {
		add(p)
	}
	return out, nil
}

// LookupHit is one person found by the officer's lookup.
type LookupHit struct {
	StagePerson
	Outcome crossing.Outcome `json:"outcome"`
	// Status is the person at the stage: each party's standing record
	// and any disagreement between them.
	Status crossing.PersonStatus `json:"status"`
	// Score is 1 for a service number or record id, else the name
	// similarity (0..1).
	Score float64 `json:"score"`
	Why   string  `json:"why"` // "service_number", "record_id" or "name"
}

// Lookup finds persons of an open stage by service number, record id or
// name in any script, best first: the officer's search at the crossing.
// It reads only the in-memory index built when the stage was loaded.
func (db *DB) Lookup(ctx context.Context, s access.Scope, exID string, n int, q string, limit int) ([]LookupHit, error) {
	const op = "sqlstore.Lookup"
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return nil, errs.E(op, err)
	}
	defer ls.mu.Unlock()
	if strings.TrimSpace(q) == "" {
		return nil, errs.E(op, errs.Invalid, errs.FieldError{Field: "q", Message: "give a service number or a name", Code: "search_required"})
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	hits := ls.index.Find(q, 0)
	out := make([]LookupHit, 0, min(len(hits), limit))
	for _, h := range hits {
		p := ls.persons[h.RecordID]
		if p.withheldFrom(s) && h.Why != crossing.FoundByRecordID {
			continue // a withheld person is found by the other party only by the id the agreement holds
		}
		if len(out) == limit {
			break
		}
		ps, _ := ls.st.Person(p.Side, p.RecordID)
		out = append(out, LookupHit{StagePerson: p.seenBy(s), Outcome: ps.Outcome, Status: ps, Score: h.Score, Why: h.Why})
	}
	return out, nil
}

// TraceResult is one record's trace status as its own party's bureau sees
// it, with the name it is known by.
type TraceResult struct {
	RecordID  string         `json:"record_id"`
	Party     string         `json:"party"`
	Kind      person.Kind    `json:"kind"`
	Name      string         `json:"name"`
	BirthDate person.Date    `json:"birth_date"`
	Trace     crossing.Trace `json:"trace"`
}

// TraceChange is one dated change of a trace status, for notifying
// families: the export of changes since a date.
type TraceChange struct {
	RecordID string            `json:"record_id"`
	Name     string            `json:"name"`
	Status   string            `json:"status"`
	At       time.Time         `json:"at"`
	Stage    crossing.StageRef `json:"stage,omitzero"`
}

// Trace returns the trace status of one of the caller's party's records:
// reported (a sought record) → confirmed captive (a confirmed match) →
// listed → agreed → in stage N → returned / refused, or identified
// (remains), with its history. Only the owning party's bureau sees it;
// others get NotFound.
func (db *DB) Trace(ctx context.Context, s access.Scope, recordID string) (TraceResult, error) {
	const op = "sqlstore.Trace"
	r, err := db.Record(ctx, s, recordID)
	if err != nil {
		return TraceResult{}, errs.E(op, err)
	}
	return db.TraceOf(ctx, s, r)
}

// TraceOf is Trace of a record the caller has read already (the record
// page holds it): its trace status and history, for the owning party's
// bureau only.
func (db *DB) TraceOf(ctx context.Context, s access.Scope, r person.Record) (TraceResult, error) {
	const op = "sqlstore.Trace"
	if access.Decide(s, access.TraceRead, access.Resource{Party: r.Party}) != nil {
		return TraceResult{}, errs.E(op, errs.NotFound, fmt.Sprintf("no record %s", r.ID), errs.Coded{Code: "no_record", Args: []string{r.ID}})
	}
	out, err := db.traces(ctx, []traceSubject{{id: r.ID, party: r.Party, kind: r.Kind, fields: r.Fields}})
	if err != nil {
		return TraceResult{}, errs.E(op, err)
	}
	return out[0], nil
}

// TraceSearch finds the caller's party's sought persons by name (any
// script: every word must resemble a part of the name) and, if given, a
// birth date ("1990", "1990-05" or "1990-05-17": a prefix of the stored
// date), and returns their trace statuses, best match first.
func (db *DB) TraceSearch(ctx context.Context, s access.Scope, name, birth string, limit int) ([]TraceResult, error) {
	const op = "sqlstore.TraceSearch"
	if err := access.Decide(s, access.TraceRead, access.Resource{Party: s.Party}); err != nil || s.Party == "" {
		return nil, errs.E(op, errs.Forbidden, "only a party's bureau reads the trace of its sought persons")
	}
	if strings.TrimSpace(name) == "" {
		return nil, errs.E(op, errs.Invalid, errs.FieldError{Field: "name", Message: "give a name, in any script", Code: "name_required"})
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	// The one date parser: 16.01.1987, 01.1987, 1987-01-16 alike; the
	// canonical form is the prefix searched for.
	if birth = strings.TrimSpace(birth); birth != "" {
		d, err := person.ReadDate(birth)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, errs.FieldError{Field: "birth_date", Message: err.Error(), Code: dateCode(err), Args: []string{birth}})
		}
		birth = d.String()
	}
	subjects, err := db.traceCandidates(ctx, s.Party, name, birth)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	byID := map[string]traceSubject{}
	for _, sub := range subjects {
		if birth != "" && !strings.HasPrefix(sub.fields.BirthDate.String(), birth) {
			continue
		}
		byID[sub.id] = sub
	}
	var found []traceSubject
	for _, h := range traceIndex(byID).Find(name, limit) {
		if h.Why == crossing.FoundByName && h.Score >= 0.8 {
			found = append(found, byID[h.RecordID])
		}
	}
	if len(found) == 0 {
		return []TraceResult{}, nil
	}
	out, err := db.traces(ctx, found)
	if err != nil {
		return nil, errs.E(op, err)
	}
	return out, nil
}

// traceIndex is the lookup index of trace subjects, by name only: a
// family searches by name and birth date, not by service number.
func traceIndex(subjects map[string]traceSubject) *crossing.LookupIndex {
	people := make(map[string]person.Fields, len(subjects))
	for id, sub := range subjects {
		f := sub.fields
		f.ServiceNumber = ""
		people[id] = f
	}
	return crossing.NewLookupIndex(people)
}

// traceCandidates returns the sought records of party that the lookup
// index of all of them would score for name: those born on a date starting
// with birth (when given) that share a blocking key with as many words of
// the name as any such record does. They come from record_terms, which
// files each sought record under the lookup's keys and its birth date, so
// that the search reads the few records it scores instead of the whole
// register; the ranking is then the lookup's own, unchanged.
func (db *DB) traceCandidates(ctx context.Context, party, name, birth string) ([]traceSubject, error) {
	words := strings.Fields(strings.TrimSpace(name))
	perWord, err := db.keyMatches(ctx, party, words)
	if err != nil {
		return nil, err
	}
	var born map[int64]bool
	if birth != "" {
		if born, err = db.birthMatches(ctx, party, birth); err != nil {
			return nil, err
		}
	}
	count := map[int64]int{}
	best := 0
	for _, m := range perWord {
		for seq := range m {
			if born != nil && !born[seq] {
				continue
			}
			count[seq]++
			best = max(best, count[seq])
		}
	}
	var seqs []int64
	for seq, c := range count {
		if c == best {
			seqs = append(seqs, seq)
		}
	}
	return db.soughtBySeq(ctx, party, seqs)
}

// TraceChanges returns the status changes of the caller's party's sought
// persons at or after since, oldest first: what the bureau sends on to
// families.
func (db *DB) TraceChanges(ctx context.Context, s access.Scope, since time.Time) ([]TraceChange, error) {
	const op = "sqlstore.TraceChanges"
	if err := access.Decide(s, access.TraceRead, access.Resource{Party: s.Party}); err != nil || s.Party == "" {
		return nil, errs.E(op, errs.Forbidden, "only a party's bureau reads the trace of its sought persons")
	}
	subjects, err := db.soughtOf(ctx, s.Party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	traces, err := db.traces(ctx, subjects)
	if err != nil {
		return nil, errs.E(op, err)
	}
	out := []TraceChange{}
	for _, t := range traces {
		for _, f := range t.Trace.History {
			if !f.At.Before(since) {
				out = append(out, TraceChange{RecordID: t.RecordID, Name: t.Name, Status: f.Status.String(), At: f.At, Stage: f.Stage})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

type traceSubject struct {
	id      string
	party   string
	kind    person.Kind
	fields  person.Fields
	created time.Time
}

// traceSeqs returns, in creation order, the sought records of party whose
// trace status is status.
func (db *DB) traceSeqs(ctx context.Context, party string, status crossing.TraceStatus) ([]int64, error) {
	subjects, err := db.soughtOf(ctx, party)
	if err != nil {
		return nil, err
	}
	res, err := db.traces(ctx, subjects)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range res {
		if r.Trace.Status == status {
			want[r.RecordID] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, `SELECT seq, id FROM records WHERE party = ? AND kind = 'sought' ORDER BY seq`, party)
	if err != nil {
		return nil, err
	}
	var out []int64
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var id string
		err := rows.Scan(&seq, &id)
		if err == nil && want[id] {
			out = append(out, seq)
		}
		return err
	})
	return out, err
}

// Traces returns the trace status of each record, as TraceOf, for the
// records of a register page; records the scope may not trace are left out.
func (db *DB) Traces(ctx context.Context, s access.Scope, recs []person.Record) (map[string]TraceResult, error) {
	const op = "sqlstore.Traces"
	var subjects []traceSubject
	for _, r := range recs {
		if r.Kind != person.Sought || access.Decide(s, access.TraceRead, access.Resource{Party: r.Party}) != nil {
			continue
		}
		subjects = append(subjects, traceSubject{id: r.ID, party: r.Party, kind: r.Kind, fields: r.Fields})
	}
	out := map[string]TraceResult{}
	if len(subjects) == 0 {
		return out, nil
	}
	res, err := db.traces(ctx, subjects)
	if err != nil {
		return nil, errs.E(op, err)
	}
	for _, r := range res {
		out[r.RecordID] = r
	}
	return out, nil
}

// soughtOf returns a party's sought records with their current fields.
func (db *DB) soughtOf(ctx context.Context, party string) ([]traceSubject, error) {
	rows, err := db.query(ctx, `SELECT r.id, r.created_at, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
		WHERE r.party = ? AND r.kind = 'sought' ORDER BY r.seq`, party)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (traceSubject, error) {
		sub := traceSubject{party: party, kind: person.Sought}
		var body string
		if err := rows.Scan(&sub.id, dbTime{&sub.created}, &body); err != nil {
			return sub, err
		}
		err := json.Unmarshal([]byte(body), &sub.fields)
		return sub, err
	})
}

// traces derives the trace of each subject from what the store holds: the
// record's creation (reported), confirmed matches (confirmed captive: the
// other side holds the person under its held record), list versions
// (listed), signed agreements (agreed), opened stages (in stage, returned,
// refused, not presented) and confirmed identifications of remains.
func (db *DB) traces(ctx context.Context, subjects []traceSubject) ([]TraceResult, error) {
	fail := func(err error) ([]TraceResult, error) { return nil, errs.E("sqlstore.traces", errs.Internal, err) }
	if len(subjects) == 0 {
		return []TraceResult{}, nil
	}
	subs := make([]crossing.TraceSubject, len(subjects))
	var sought []string
	for i := range subjects {
		sub := &subjects[i]
		if sub.created.IsZero() {
			if err := db.queryRow(ctx, `SELECT created_at FROM records WHERE id = ?`, sub.id).Scan(dbTime{&sub.created}); err != nil {
				return fail(err)
			}
		}
		subs[i] = crossing.TraceSubject{ID: sub.id, Party: sub.party, Sought: sub.kind == person.Sought, Reported: sub.created}
		sought = append(sought, sub.id)
	}
	// The decisions on the subjects' pairs, then the held records that
	// confirmed ones link them to.
	var decisions []crossing.MatchDecision
	err := inChunks(sought, func(part []string, args []any) error {
		rows, err := db.query(ctx, `SELECT sought_id, held_id, decision, decided_at FROM match_decisions WHERE sought_id IN (`+placeholders(len(part))+`) ORDER BY seq`, args...)
		if err != nil {
			return err
		}
		got, err := collect(rows, func(rows *sql.Rows) (crossing.MatchDecision, error) {
			var d crossing.MatchDecision
			var decision string
			err := rows.Scan(&d.Sought, &d.Held, &decision, dbTime{&d.At})
			d.Confirmed = decision == MatchConfirmed
			return d, err
		})
		decisions = append(decisions, got...)
		return err
	})
	if err != nil {
		return fail(err)
	}
	// Chunks keep each chunk's decisions in order; the pairs of one
	// sought record are in one chunk, so the latest of each pair stands.
	held := map[string]crossing.HeldRecord{}
	err = inChunks(crossing.ConfirmedHeld(decisions), func(part []string, args []any) error {
		rows, err := db.query(ctx, `SELECT r.id, r.party, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
			WHERE r.id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return err
		}
		return eachRow(rows, func(rows *sql.Rows) error {
			var id, party, body string
			if err := rows.Scan(&id, &party, &body); err != nil {
				return err
			}
			var f person.Fields
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				return err
			}
			held[id] = crossing.HeldRecord{Party: party, Withheld: f.Detrimental}
			return nil
		})
	})
	if err != nil {
		return fail(err)
	}
	tr := crossing.NewTracing(subs, decisions, held)
	// Only the parties of the tracked records (the subjects and the held
	// records confirmed as them) list or agree on them: a party's list
	// names its own records alone (SubmitList), and an agreement is made of
	// its exchange's two parties' lists.
	parties := map[string]bool{}
	for _, sub := range subjects {
		parties[sub.party] = true
	}
	for _, h := range held {
		parties[h.Party] = true
	}
	pargs := make([]any, 0, len(parties))
	for _, p := range slices.Sorted(maps.Keys(parties)) {
		pargs = append(pargs, p)
	}
	in := placeholders(len(pargs))
	// Lists, in the order they were submitted.
	rows, err := db.query(ctx, `SELECT body FROM exchange_lists WHERE party IN (`+in+`) ORDER BY submitted_at`, pargs...)
	if err != nil {
		return fail(err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		lv, err := scanJSON[exchange.ListVersion](rows)
		if err != nil {
			return err
		}
		ids := make([]string, len(lv.Items))
		for i, it := range lv.Items {
			ids[i] = it.RecordID
		}
		tr.Listed(lv.Exchange, lv.Party, string(lv.Kind), lv.Version, lv.SubmittedAt, ids)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	// Signed agreements, and the stages opened under them.
	rows, err = db.query(ctx, `SELECT DISTINCT a.exchange_id FROM agreements a JOIN exchanges e ON e.id = a.exchange_id
		WHERE e.party_a IN (`+in+`) OR e.party_b IN (`+in+`) ORDER BY a.exchange_id`, append(pargs, pargs...)...)
	if err != nil {
		return fail(err)
	}
	exIDs, err := collect(rows, scanString)
	if err != nil {
		return fail(err)
	}
	for _, exID := range exIDs {
		a, version, _, err := db.latestSigned(ctx, exID)
		if errs.KindOf(err) == errs.Conflict {
			continue // not signed: nobody is agreed yet
		}
		if err != nil {
			return nil, err
		}
		var signedAt time.Time
		if err := db.queryRow(ctx, `SELECT MAX(signed_at) FROM agreement_signatures WHERE exchange_id = ? AND version = ?`, exID, version).Scan(dbTime{&signedAt}); err != nil {
			return fail(err)
		}
		var ids []string
		for _, sd := range a.Sides {
			for _, list := range [][]exchange.AgreedPerson{sd.Persons, sd.Reserve} {
				for _, p := range list {
					ids = append(ids, p.RecordID)
				}
			}
		}
		tr.Agreed(exID, version, signedAt, ids)
		for _, st := range a.Plan.Stages {
			ls, err := db.liveStage(ctx, exID, st.Number)
			if errs.KindOf(err) == errs.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			ls.mu.Lock()
			err = db.ensureLoaded(ctx, ls, exID, st.Number)
			if err == nil {
				tr.StageFacts(ls.st)
			}
			ls.mu.Unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	// Remains identified as the person.
	rows, err = db.query(ctx, `SELECT body FROM remains_items WHERE kind = 'identification' ORDER BY seq`)
	if err != nil {
		return fail(err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		x, err := scanJSON[crossing.Identification](rows)
		if err == nil {
			tr.Identified(x)
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	// Custody: a death in custody of a held record, a sought person
	// confirmed missing by his bureau (custody_events, migration 0026).
	// Only the tracked records' events are read (the unique key on
	// record and number is their index): a trace reads a few rows however
	// many custody events the store holds.
	tracked := append(slices.Clone(sought), slices.Sorted(maps.Keys(held))...)
	err = inChunks(tracked, func(part []string, args []any) error {
		rows, err := db.query(ctx, `SELECT record_id, n, kind, entered_at FROM custody_events WHERE record_id IN (`+placeholders(len(part))+`) AND kind IN (?, ?) ORDER BY seq`,
			append(args, string(custody.Died), string(custody.ConfirmedMissing))...)
		if err != nil {
			return err
		}
		return eachRow(rows, func(rows *sql.Rows) error {
			var id, kind string
			var n int
			var at time.Time
			if err := rows.Scan(&id, &n, &kind, dbTime{&at}); err != nil {
				return err
			}
			source := fmt.Sprintf("custody:%s/%d", id, n)
			if custody.Kind(kind) == custody.Died {
				tr.Died(id, at, source)
			} else {
				tr.ConfirmedMissing(id, at, source)
			}
			return nil
		})
	})
	if err != nil {
		return fail(err)
	}
	traces, err := tr.Traces()
	if err != nil {
		return fail(err)
	}
	out := make([]TraceResult, 0, len(subjects))
	for i, sub := range subjects {
		name := StagePerson{Surname: sub.fields.Surname, GivenNames: sub.fields.GivenNames, Patronymic: sub.fields.Patronymic, FullName: sub.fields.FullName}.Name()
		out = append(out, TraceResult{RecordID: sub.id, Party: sub.party, Kind: sub.kind, Name: name, BirthDate: sub.fields.BirthDate, Trace: traces[i]})
	}
	return out, nil
}

// inChunks calls fn on the ids 500 at a time, each chunk with its ids as
// query arguments.
func inChunks(ids []string, fn func(part []string, args []any) error) error {
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := fn(part, args); err != nil {
			return err
		}
	}
	return nil
}

// RemainsInput is one item of the repatriation of remains, by Kind:
// "batch", "package", "remains", "link", "identification" or "hand_back"
// (a batch and the remains it hands back).
type RemainsInput struct {
	Kind           string                   `json:"kind"`
	Batch          *crossing.Batch          `json:"batch,omitempty"`
	Package        *crossing.Package        `json:"package,omitempty"`
	Remains        *crossing.Remains        `json:"remains,omitempty"`
	Link           *crossing.Link           `json:"link,omitempty"`
	Identification *crossing.Identification `json:"identification,omitempty"`
	HandBack       []string                 `json:"hand_back,omitempty"` // remains ids, with Batch
}

// RemainsView is an exchange's repatriation of remains: counts per
// direction (no parity) and every remains with its identifications.
type RemainsView struct {
	Exchange string                   `json:"exchange"`
	Summary  []crossing.Direction     `json:"summary"`
	Remains  []crossing.RemainsStatus `json:"remains"`
}

type remainsRow struct {
	kind, id string
	in       RemainsInput
}

// apply applies one item to the flow.
func (in RemainsInput) apply(r *crossing.Repatriation) (id string, content map[string]string, err error) {
	const op = "sqlstore.RecordRemains"
	missing := func(f string) error {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: f, Message: "is required for kind " + in.Kind, Args: []string{in.Kind}, Code: "required_for_kind"})
	}
	switch in.Kind {
	case "batch":
		if in.Batch == nil {
			return "", nil, missing("batch")
		}
		return in.Batch.ID, in.Batch.Content(), r.AddBatch(*in.Batch)
	case "package":
		if in.Package == nil {
			return "", nil, missing("package")
		}
		return in.Package.ID, in.Package.Content(), r.AddPackage(*in.Package)
	case "remains":
		if in.Remains == nil {
			return "", nil, missing("remains")
		}
		return in.Remains.ID, in.Remains.Content(), r.AddRemains(*in.Remains)
	case "link":
		if in.Link == nil {
			return "", nil, missing("link")
		}
		return in.Link.Package + "/" + in.Link.Remains, in.Link.Content(), r.Link(*in.Link)
	case "identification":
		if in.Identification == nil {
			return "", nil, missing("identification")
		}
		return in.Identification.ID, in.Identification.Content(), r.Identify(*in.Identification)
	case "hand_back":
		if in.Batch == nil {
			return "", nil, missing("batch")
		}
		c := in.Batch.Content()
		c["hand_back"] = strings.Join(in.HandBack, ",")
		return in.Batch.ID, c, r.HandBack(*in.Batch, in.HandBack)
	}
	return "", nil, errs.E(op, errs.Invalid, errs.FieldError{Field: "kind", Message: "use batch, package, remains, link, identification or hand_back", Code: "bad_remains_kind"})
}

// repatriation replays the stored items of an exchange's remains flow, read
// through q: the store for a view, the write transaction for a change.
func repatriation(ctx context.Context, q querier, exID string, parties [2]string) (*crossing.Repatriation, []string, []remainsRow, error) {
	r, err := crossing.NewRepatriation(parties[0], parties[1])
	if err != nil {
		return nil, nil, nil, err
	}
	rows, err := q.query(ctx, `SELECT kind, item_id, body FROM remains_items WHERE exchange_id = ? ORDER BY seq`, exID)
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []string
	var stored []remainsRow
	err = eachRow(rows, func(rows *sql.Rows) error {
		var row remainsRow
		var body string
		if err := rows.Scan(&row.kind, &row.id, &body); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(body), &row.in); err != nil {
			return err
		}
		if _, _, err := row.in.apply(r); err != nil {
			return errs.E("sqlstore.repatriation", errs.Internal, "stored remains do not replay", err)
		}
		if row.kind == "remains" {
			ids = append(ids, row.id)
		}
		stored = append(stored, row)
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return r, ids, stored, nil
}

// RecordRemains records one item of an exchange's repatriation of remains
// (the mediator's operator), with a remains.recorded log leaf committing
// to its content. The same item again changes nothing; other content
// under the same id is a Conflict.
func (db *DB) RecordRemains(ctx context.Context, s access.Scope, exID string, in RemainsInput) (RemainsView, error) {
	const op = "sqlstore.RecordRemains"
	if err := access.Decide(s, access.StageManage, access.Resource{}); err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	parties, err := db.exchangeParties(ctx, exID)
	if err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	if in.Identification != nil && in.Identification.At.IsZero() {
		in.Identification.At = db.Now().UTC().Truncate(time.Microsecond)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return RemainsView{}, errs.E(op, errs.Internal, err)
	}
	err = db.write(ctx, func(tx *Tx) error {
		// The flow is read and checked inside the write transaction, with
		// the exchange's row locked: two server processes recording at
		// once cannot both pass the check.
		if err := tx.lockExchange(ctx, exID); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		r, _, stored, err := repatriation(ctx, tx, exID, parties)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		id, content, err := in.apply(r)
		if err != nil {
			return err
		}
		for _, row := range stored {
			if b, _ := json.Marshal(row.in); row.kind == in.Kind && row.id == id && string(b) == string(body) {
				return nil // the same item again changes nothing
			}
		}
		c, err := audit.CanonicalJSON(content)
		if err != nil {
			return err
		}
		nonce, err := tx.commitLeaf(ctx, leafRemainsRecorded, s, exID, "remains:"+exID+"/"+in.Kind, 0, audit.TagHandover, c)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO remains_items (exchange_id, kind, item_id, body, recorded_by, recorded_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			exID, in.Kind, id, string(body), s.Login, fmtTime(tx.now), nonce)
		return err
	})
	if err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	return db.remainsView(ctx, exID, parties)
}

// Remains returns an exchange's repatriation of remains.
func (db *DB) Remains(ctx context.Context, s access.Scope, exID string) (RemainsView, error) {
	const op = "sqlstore.Remains"
	if err := access.Decide(s, access.ReportRead, access.Resource{Party: s.Party}); err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	parties, err := db.exchangeParties(ctx, exID)
	if err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	if err := mayUseStage(s, parties, exID); err != nil {
		return RemainsView{}, errs.E(op, err)
	}
	return db.remainsView(ctx, exID, parties)
}

func (db *DB) remainsView(ctx context.Context, exID string, parties [2]string) (RemainsView, error) {
	r, ids, _, err := repatriation(ctx, db, exID, parties)
	if err != nil {
		return RemainsView{}, errs.E("sqlstore.Remains", errs.Internal, err)
	}
	v := RemainsView{Exchange: exID, Summary: r.Summary(), Remains: []crossing.RemainsStatus{}}
	for _, id := range ids {
		st, err := r.Status(id)
		if err != nil {
			return RemainsView{}, err
		}
		v.Remains = append(v.Remains, st)
	}
	return v, nil
}

// dateCode is the code of a date person.ReadDate refused.
func dateCode(err error) string {
	var de *person.DateError
	if errors.As(err, &de) {
		return de.Code
	}
	return person.DateFormat
}
