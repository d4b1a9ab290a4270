package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Erasure that keeps the log verifiable (issue 19, docs/design/security.md
// §9). A data-protection request, or a retention rule, erases a record's
// personal fields in every version: the body becomes {}, the sealed
// fields, the nonce, the source's reference and the reason are cleared,
// and the search keys are deleted. Each version keeps its row, its leaf
// and its stored commitment: without the nonce the commitment can no
// longer be linked to the person by guessing names. The record's priority
// flags rows are blanked too (body {}, no nonce; migration 0032), each
// keeping its leaf. A tombstone row (record_erasures, migration 0028) says
// who erased the record, when and why, with its own leaf (record.erased).

// leafRecordErased is the leaf of a record's erasure; tagErasure the tag
// of its commitment.
const leafRecordErased audit.LeafType = "record.erased"

const tagErasure = "handover/erasure/v1"

// notErased is the condition that keeps erased records (r) out of lists,
// matching and exports: an erased record is read by its id alone.
const notErased = `NOT EXISTS (SELECT 1 FROM record_erasures e WHERE e.record_id = r.id)`

// SystemLogin is the login a retention rule erases as (actor "system").
const SystemLogin = "system"

// erasureBody is what a record.erased leaf commits to, with the
// tombstone's nonce.
type erasureBody struct {
	Record   string `json:"record"`
	Party    string `json:"party"`
	Versions int64  `json:"versions"`
	Reason   string `json:"reason"`
}

func (b erasureBody) content() []byte {
	c, _ := json.Marshal(b)
	return c
}

// MaxErasureReason bounds an erasure's reason: a request's reference, or
// the rule that erased it.
const MaxErasureReason = 200

// EraseRecord erases record id's personal fields for a data-protection
// request (record.erase: the owning party's approver, after the second
// factor). reason is the request's reference; it must hold no personal
// data (it stays in the tombstone and its leaf's commitment).
func (db *DB) EraseRecord(ctx context.Context, s access.Scope, id, reason string) (person.Erasure, error) {
	const op = "sqlstore.EraseRecord"
	// A record the scope may not read is not found (ids cannot be
	// probed); one it reads but may not erase is Forbidden.
	rec, err := db.Record(ctx, s, id)
	if err != nil {
		return person.Erasure{}, errs.E(op, err)
	}
	if err := access.Decide(s, access.RecordErase, access.Resource{Party: rec.Party}); err != nil {
		return person.Erasure{}, errs.E(op, err)
	}
	e, err := db.erase(ctx, actor(s.UserID), s.Login, id, reason)
	if err != nil {
		return e, errs.E(op, err)
	}
	db.scrubAfter(ctx)
	return e, nil
}

// EraseRecordAsSystem erases record id under a retention rule: the
// tombstone and its leaf name the actor "system", reason says the rule.
// It is for the command line on the database (handover retention run),
// never for a request.
func (db *DB) EraseRecordAsSystem(ctx context.Context, id, reason string) (person.Erasure, error) {
	e, err := db.erase(ctx, "system", SystemLogin, id, reason)
	if err != nil {
		return e, errs.E("sqlstore.EraseRecordAsSystem", err)
	}
	db.scrubAfter(ctx)
	return e, nil
}

// ScrubHook is told that erasures committed but the database did not give
// back the space they freed (Scrub failed, with err): the erasures stand,
// and the erased values may stay in the database's files until its next
// checkpoint (SQLite) or vacuum (PostgreSQL). err holds no personal data;
// ctx is the erasure's (a request's id).
type ScrubHook func(ctx context.Context, err error)

// OnScrubFailure adds a hook told when the scrub after an erasure fails:
// the server logs it, the command line warns.
func (db *DB) OnScrubFailure(h ScrubHook) { addHook(&db.scrubHooks, h) }

// scrubAfter gives back the space of erasures just committed (Scrub):
// every erasure does it, through the server or the command line, so that
// the names are gone from the files when the erasure is answered. It is
// best-effort: a failure is told to the OnScrubFailure hooks, never to
// the caller, whose erasure committed. It runs to its end when the
// request that erased has gone (a client that hung up). A scrub a reader
// holds up on SQLite is retried in the background (retryScrub): the
// names leave the files once no reader holds the log.
func (db *DB) scrubAfter(ctx context.Context) {
	err := db.Scrub(context.WithoutCancel(ctx))
	if err == nil {
		return
	}
	if errors.Is(err, errScrubBusy) {
		// A reader holds the log: retried until it is gone, without
		// holding up the erasure's answer or any writer.
		db.retryScrub()
		return
	}
	db.tellScrubFailure(ctx, err)
}

// tellScrubFailure tells the OnScrubFailure hooks that a scrub failed.
func (db *DB) tellScrubFailure(ctx context.Context, err error) {
	if hs := db.scrubHooks.Load(); hs != nil {
		for _, h := range *hs {
			h(ctx, err)
		}
	}
}

// erasureBlockers are the places that hold a record's names in a signed,
// cosigned or committed document of someone else's, which an erasure of
// the record cannot reach: the record is not erased while it is named in
// one (docs/design/security.md §9). Each query counts the rows naming the
// record (its id as the only argument, twice where two columns are
// asked).
var erasureBlockers = []struct {
	code, what, query string
	args              int
	// bulk selects, for a retention run, the column naming records in
	// every row: record ids, or bodies (JSON) to find record ids in.
	bulk   string
	bodies bool
}{
	{"erase_in_list", "an exchange's list", `SELECT COUNT(*) FROM exchange_lists WHERE body LIKE '%"' || ? || '"%'`, 1, `SELECT body FROM exchange_lists`, true},
	{"erase_in_list", "an answer to an exchange's list", `SELECT COUNT(*) FROM exchange_responses WHERE body LIKE '%"' || ? || '"%'`, 1, `SELECT body FROM exchange_responses`, true},
	{"erase_in_stage", "a stage's events", `SELECT COUNT(*) FROM stage_events WHERE body LIKE '%"' || ? || '"%'`, 1, `SELECT body FROM stage_events`, true},
	{"erase_in_stage", "a repatriation of remains", `SELECT COUNT(*) FROM remains_items WHERE body LIKE '%"' || ? || '"%'`, 1, `SELECT body FROM remains_items`, true},
	{"erase_in_match", "a matching run's candidates", `SELECT COUNT(*) FROM match_candidates WHERE sought_id = ? OR held_id = ?`, 2, `SELECT sought_id FROM match_candidates UNION SELECT held_id FROM match_candidates`, false},
	{"erase_in_match", "a match decision", `SELECT COUNT(*) FROM match_decisions WHERE sought_id = ? OR held_id = ?`, 2, `SELECT sought_id FROM match_decisions UNION SELECT held_id FROM match_decisions`, false},
	{"erase_in_evidence", "eligibility evidence", `SELECT COUNT(*) FROM evidence WHERE record_id = ?`, 1, `SELECT DISTINCT record_id FROM evidence`, false},
	{"erase_in_case", "a tracing case", `SELECT COUNT(*) FROM case_steps WHERE record_id = ?`, 1, `SELECT DISTINCT record_id FROM case_steps`, false},
	{"erase_in_custody", "a custody timeline", `SELECT COUNT(*) FROM custody_events WHERE record_id = ?`, 1, `SELECT DISTINCT record_id FROM custody_events`, false},
	{"erase_in_stage", "a stage's reserves", `SELECT COUNT(*) FROM stage_reserves WHERE record_id = ?`, 1, `SELECT DISTINCT record_id FROM stage_reserves`, false},
	{"erase_in_interview", "the neutral's interview at an exchange", `SELECT COUNT(*) FROM interviews WHERE record_id = ?`, 1, `SELECT DISTINCT record_id FROM interviews`, false},
}

// recordIDInJSON finds the record ids a JSON body names (newID("r"): r
// and 16 characters of its base32 alphabet, as a whole string value).
var recordIDInJSON = regexp.MustCompile(`"(r[0-9a-hjkmnp-tv-z]{16})"`)

// blockedRecords returns every record some erasure blocker names, with
// the first blocker's code: what a retention run keeps, found in one pass
// over each table instead of one query per record and table. (The
// erasure itself checks each record again, exactly, in its transaction.)
func (db *DB) blockedRecords(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, b := range erasureBlockers {
		rows, err := db.query(ctx, b.bulk)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			ids := []string{v}
			if b.bodies {
				ids = ids[:0]
				for _, m := range recordIDInJSON.FindAllStringSubmatch(v, -1) {
					ids = append(ids, m[1])
				}
			}
			for _, id := range ids {
				if _, ok := out[id]; !ok {
					out[id] = b.code
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// erase writes the erasure of record id in one transaction: the checks,
// the versions blanked, the search keys deleted, the tombstone and its
// leaf. who is the leaf's actor, login the tombstone's erased_by.
func (db *DB) erase(ctx context.Context, who, login, id, reason string) (person.Erasure, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		const msg = "say why the record is erased: the request's reference, or the retention rule (no personal data)"
		return person.Erasure{}, errs.E("sqlstore.erase", errs.Invalid, msg, errs.FieldError{Field: "reason", Message: msg, Code: "erase_reason_missing"})
	case len(reason) > MaxErasureReason:
		msg := fmt.Sprintf("the reason is longer than %d bytes", MaxErasureReason)
		return person.Erasure{}, errs.E("sqlstore.erase", errs.Invalid, msg, errs.FieldError{Field: "reason", Message: msg, Code: "erase_reason_long", Args: []string{fmt.Sprint(MaxErasureReason)}})
	}
	var e person.Erasure
	err := db.write(ctx, func(tx *Tx) error {
		// The log's lock first: a correction of the record waits for it.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		var party, kind string
		var seq, versions int64
		err := tx.queryRow(ctx, `SELECT party, seq, version, kind FROM records WHERE id = ?`, id).Scan(&party, &seq, &versions, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E("sqlstore.erase", errs.NotFound, fmt.Sprintf("no record %s", id), errs.Coded{Code: "no_record", Args: []string{id}})
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM record_erasures WHERE record_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E("sqlstore.erase", errs.Conflict, fmt.Sprintf("record %s is erased already", id), errs.Coded{Code: "erase_already", Args: []string{id}})
		}
		for _, b := range erasureBlockers {
			args := []any{id}
			if b.args == 2 {
				args = append(args, id)
			}
			if err := tx.queryRow(ctx, b.query, args...).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errs.E("sqlstore.erase", errs.Conflict, fmt.Sprintf("record %s is named in %s, which is signed or committed to with the names: it cannot be erased", id, b.what),
					errs.Coded{Code: b.code, Args: []string{id}})
			}
		}
		// A record of the held register is never erased: a held person's
		// information is owed to his own side and the Central Agency
		// (GC III Arts. 120, 122; GC IV Art. 136), whatever his status
		// says now — a wrong entry is corrected, not erased. Erasure
		// serves the sought register (the families' reports). A retention
		// run keeps him for the same reason.
		if person.Kind(kind) == person.Held {
			return errs.E("sqlstore.erase", errs.Conflict, fmt.Sprintf("record %s is of the held register: a held person's information is owed to his own side and the Central Agency (GC III Arts. 120, 122; GC IV Art. 136) and is corrected, never erased", id),
				errs.Coded{Code: "erase_held", Args: []string{id}})
		}
		body := erasureBody{Record: id, Party: party, Versions: versions, Reason: reason}
		nonce, err := audit.NewNonce()
		if err != nil {
			return err
		}
		app, err := tx.appender(ctx)
		if err != nil {
			return err
		}
		if _, err := app.add(audit.Leaf{Type: leafRecordErased, Actor: who, Time: tx.now, Subject: "record:" + id, Rev: versions,
			Commitment: audit.Commit(tagErasure, nonce, body.content())}); err != nil {
			return err
		}
		if err := app.flush(ctx); err != nil {
			return err
		}
		// The tombstone first: the append-only guard of record_versions
		// lets an erased record's versions be blanked, and only those.
		if _, err := tx.exec(ctx, `INSERT INTO record_erasures (record_id, party, versions, reason, erased_by, erased_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, party, versions, reason, login, fmtTime(tx.now), nonce[:]); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE record_versions SET body = '{}', sealed = NULL, nonce = NULL, source_ref = '', reason = '' WHERE record_seq = ?`, seq); err != nil {
			return fmt.Errorf("erase the versions: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM record_terms WHERE record_seq = ?`, seq); err != nil {
			return fmt.Errorf("erase the search keys: %w", err)
		}
		// His priority flags go with him, whether they stand or were
		// cleared since (clearing appends a row and keeps the earlier
		// ones): every row is blanked, as the guard (migration 0032)
		// lets an erased record's rows be and no other's; each keeps its
		// leaf, who and when.
		if _, err := tx.exec(ctx, `UPDATE priority_flags SET body = '{}', nonce = NULL WHERE record_id = ?`, id); err != nil {
			return fmt.Errorf("erase the priority flags: %w", err)
		}
		e = person.Erasure{By: login, At: tx.now, Reason: reason, Versions: int(versions)}
		return nil
	})
	return e, err
}

// refuseErased returns a Conflict (record_erased) when a record is
// erased: nothing new is written about a person whose data was erased
// (a list item, evidence, a case, priority flags). It takes the log's
// lock first, as an erasure does, so that the two are ordered.
func (tx *Tx) refuseErased(ctx context.Context, id, field string) error {
	if _, err := tx.appender(ctx); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM record_erasures WHERE record_id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		msg := fmt.Sprintf("record %s is erased (a data-protection request or the retention rule): nothing more is recorded about it", id)
		return errs.E("sqlstore.refuseErased", errs.Conflict, msg, errs.FieldError{Field: field, Message: msg, Code: "record_erased", Args: []string{id}})
	}
	return nil
}

// refuseErasedAny is refuseErased for many records (a matching run's
// candidates): the log's lock first, then one query per 500 ids.
func (tx *Tx) refuseErasedAny(ctx context.Context, ids []string, field string) error {
	if _, err := tx.appender(ctx); err != nil {
		return err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		var gone string
		err := tx.queryRow(ctx, `SELECT record_id FROM record_erasures WHERE record_id IN (`+placeholders(len(part))+`) ORDER BY record_id LIMIT 1`, anySlice(part)...).Scan(&gone)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		return tx.refuseErased(ctx, gone, field)
	}
	return nil
}

// Erasure returns the erasure of record id, if it is erased.
func (db *DB) erasure(ctx context.Context, q querier, id string) (*person.Erasure, error) {
	var e person.Erasure
	err := q.queryRow(ctx, `SELECT erased_by, erased_at, reason, versions FROM record_erasures WHERE record_id = ?`, id).
		Scan(&e.By, dbTime{&e.At}, &e.Reason, &e.Versions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// Scrub makes the database give back the space the erased values held:
// on SQLite the write-ahead log is checkpointed and truncated (the freed
// pages themselves are zeroed as they are freed: secure_delete); on
// PostgreSQL the tables an erasure writes are vacuumed, so that the old
// row versions are gone. A failure leaves the erasure itself standing.
//
// On SQLite it MUST NOT block writers: a truncating checkpoint holds the
// write lock while it waits for the readers of the log, so it is tried on
// a connection of its own that does not wait (busy_timeout 0). While a
// reader holds the log (a backup's VACUUM INTO, an audit) it copies what
// it can and Scrub says so (errScrubBusy); scrubAfter then retries it in
// the background.
//
// Every erasure calls it after its commit (EraseRecord,
// EraseRecordAsSystem), a retention run once at its end.
func (db *DB) Scrub(ctx context.Context) error {
	var err error
	if db.dialect.name == "sqlite" {
		err = db.checkpointNoWait(ctx)
	} else {
		_, err = db.db.ExecContext(ctx, `VACUUM record_versions, record_terms, priority_flags`)
	}
	if err != nil {
		return errs.E("sqlstore.Scrub", errs.Internal, err)
	}
	return nil
}

// errScrubBusy says that a reader held SQLite's write-ahead log, so that
// the checkpoint could not empty it.
var errScrubBusy = errors.New("the write-ahead log was not emptied: a reader held it")

// checkpointNoWait checkpoints and truncates SQLite's write-ahead log on a
// connection that does not wait for a lock (busy_timeout 0), so that no
// writer waits for it. A reader or a writer in the way makes it copy what
// it can and return errScrubBusy.
func (db *DB) checkpointNoWait(ctx context.Context) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var prev int
	if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&prev); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	defer func() {
		// The connection goes back to the pool waiting as the others do,
		// or not at all.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, prev)); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	var busy, frames, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return fmt.Errorf("%w (%d of %d frames copied)", errScrubBusy, done, frames)
	}
	return nil
}

// scrubRetry retries, in the background, a scrub a reader kept from
// emptying SQLite's write-ahead log, until it succeeds or the store
// closes (Close tries once more and tells the OnScrubFailure hooks if
// that fails too). One retrier runs at most.
type scrubRetry struct {
	mu      sync.Mutex
	running bool
	stop    chan struct{} // closed by Close
	closed  bool
	wg      sync.WaitGroup
}

// scrubRetryEvery is how often the background scrub is retried.
var scrubRetryEvery = 250 * time.Millisecond

// retryScrub starts the background retrier unless one runs.
func (db *DB) retryScrub() {
	r := &db.scrubRetry
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running || r.closed {
		return
	}
	if r.stop == nil {
		r.stop = make(chan struct{})
	}
	r.running = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(scrubRetryEvery)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
			if err := db.Scrub(context.Background()); err == nil || !errors.Is(err, errScrubBusy) {
				r.mu.Lock()
				r.running = false
				r.mu.Unlock()
				if err != nil {
					db.tellScrubFailure(context.Background(), err)
				}
				return
			}
		}
	}()
}

// closeScrubRetry stops the background retrier; if a scrub was still
// pending, it is tried once more and its failure told to the hooks.
func (db *DB) closeScrubRetry() {
	r := &db.scrubRetry
	r.mu.Lock()
	r.closed = true
	if r.stop != nil {
		close(r.stop)
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.mu.Lock()
	pending := r.running
	r.running = false
	r.mu.Unlock()
	if pending {
		if err := db.Scrub(context.Background()); err != nil {
			db.tellScrubFailure(context.Background(), err)
		}
	}
}

// checkErasures pairs every tombstone (record_erasures) with its
// record.erased leaf (replayCovered): the leaf's commitment is recomputed
// from the row and its nonce; who and when are the leaf's. A tombstone
// without its leaf, or a leaf without its tombstone, is a finding; the
// erased records are kept for checkRecords, which then accepts their
// blanked versions (and reports the versions that still hold content).
func (db *DB) checkErasures(ctx context.Context, rp *replay) error {
	type row struct {
		seq                           int64
		record, party, reason, by, at string
		versions                      int64
		nonce                         []byte
	}
	rows, err := queryAll(ctx, db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.record, &r.party, &r.versions, &r.reason, &r.by, &r.at, &r.nonce)
		return r, err
	}, `SELECT seq, record_id, party, versions, reason, erased_by, erased_at, nonce FROM record_erasures ORDER BY seq`)
	if err != nil {
		return err
	}
	rp.erased = map[string]*replayLeaf{}
	for _, r := range rows {
		what := fmt.Sprintf("record_erasures %d (record %s)", r.seq, r.record)
		ls := rp.pairLeaves(leafRecordErased, "record:"+r.record)
		if len(ls) == 0 {
			rp.add(RowUnlogged, -1, "%s: no record.erased leaf about this record: the tombstone was written around the log", what)
			continue
		}
		l := ls[0]
		l.used = true
		rp.erased[r.record] = l
		rp.checkBy(what, "erased_by", r.by, "erased_at", r.at, l)
		if len(r.nonce) != len(audit.Nonce{}) {
			rp.add(ColumnChanged, l.index, "%s: nonce is missing: the tombstone cannot be checked against leaf %d", what, l.index)
			continue
		}
		b := erasureBody{Record: r.record, Party: r.party, Versions: r.versions, Reason: r.reason}
		if audit.Commit(tagErasure, audit.Nonce(r.nonce), b.content()) != l.commitment {
			rp.add(ColumnChanged, l.index, "%s: party, versions or reason no longer match leaf %d's commitment", what, l.index)
		}
	}
	for subject, ls := range rp.bySubject[leafRecordErased] {
		for _, l := range ls {
			if !l.used {
				rp.add(RowMissing, l.index, "leaf %d (record.erased) erased record %s, whose tombstone is not in the database (removed: the record would look never erased)", l.index, strings.TrimPrefix(subject, "record:"))
			}
		}
	}
	return nil
}
