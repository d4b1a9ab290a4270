package sqlstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
)

// MatchRecords returns every current record of one party's register, for a
// matching run by the mediator. It is scoped like every read: only a scope
// that may run matching and read that register gets them.
func (db *DB) MatchRecords(ctx context.Context, s access.Scope, party string, kind person.Kind) ([]person.Record, error) {
	const op = "sqlstore.MatchRecords"
	if err := access.Decide(s, access.MatchRun, access.Resource{}); err != nil {
		return nil, errs.E(op, err)
	}
	if err := access.Decide(s, access.RecordRead, access.Resource{Party: party, Kind: string(kind)}); err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT `+recordCols+` FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
		WHERE r.party = ? AND r.kind = ? AND `+notErased+` ORDER BY r.seq`, party, string(kind))
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (person.Record, error) {
		r, _, err := db.scanRecord(rows, s)
		return r, err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}

// MatchRun is one run of the linkage engine: the sought register of one
// party against the held register of the other.
type MatchRun struct {
	ID          int64       `json:"id"`
	SoughtParty string      `json:"sought_party"`
	HeldParty   string      `json:"held_party"`
	Threshold   float64     `json:"threshold"`
	Stats       match.Stats `json:"stats"`
	Candidates  int         `json:"candidates"`
	StartedBy   string      `json:"started_by"`
	StartedAt   time.Time   `json:"started_at"`
	// Inputs, when set, are what the run was computed from (RunMatching).
	Inputs *MatchInputs `json:"-"`
}

// MatchInputs are what a run was computed from: the record versions of
// each side ("id@version") and the reviewers' labels. They are stored with
// the run, committed to by its leaf, so that the audit can rebuild the
// candidates from them.
type MatchInputs struct {
	Sought []string      `json:"sought"`
	Held   []string      `json:"held"`
	Labels []match.Label `json:"labels"`
}

// matchInput turns a register record into the engine's input: the name
// as split, or as one string when only that is known, and the fields the
// default configuration compares.
func matchInput(cfg match.Config, r person.Record) match.Record {
	mr := match.NewRecord(cfg, r.ID, map[string]string{
		"surname": r.Surname, "given_name": r.GivenNames, "patronymic": r.Patronymic,
		"birth_date": r.BirthDate.String(), "birth_place": r.BirthPlace, "service_number": r.ServiceNumber,
		"unit": r.Unit, "rank": r.Rank,
	})
	if r.Surname == "" && r.GivenNames == "" {
		mr.FullName = r.FullName
	}
	return mr
}

// linkRecords runs the engine as a matching run does: the default
// configuration with the run's threshold and labels, every candidate kept.
func linkRecords(sought, held []person.Record, threshold float64, labels []match.Label, progress ...match.Progress) (match.Result, error) {
	cfg := match.DefaultConfig()
	cfg.Threshold = threshold
	cfg.Labels = labels
	left := make([]match.Record, len(sought))
	for i, rec := range sought {
		left[i] = matchInput(cfg, rec)
	}
	right := make([]match.Record, len(held))
	for i, rec := range held {
		right[i] = matchInput(cfg, rec)
	}
	opt := match.Options{Candidates: true}
	if len(progress) > 0 {
		opt.Progress = progress[0]
	}
	return match.Link(left, right, cfg, opt)
}

// RunMatching runs the linkage engine over one party's sought register and
// the other party's held register, as they are now, with the reviewers'
// decisions as labels, and stores the run with its inputs.
func (db *DB) RunMatching(ctx context.Context, s access.Scope, soughtParty, heldParty string, threshold float64) (MatchRun, error) {
	return db.RunMatchingProgress(ctx, s, soughtParty, heldParty, threshold, nil)
}

// RunMatchingProgress is RunMatching that reports the engine's progress
// (match.Progress: stage, done, total) as it goes, when progress is set.
func (db *DB) RunMatchingProgress(ctx context.Context, s access.Scope, soughtParty, heldParty string, threshold float64, progress match.Progress) (MatchRun, error) {
	const op = "sqlstore.RunMatching"
	sought, err := db.MatchRecords(ctx, s, soughtParty, person.Sought)
	if err != nil {
		return MatchRun{}, err
	}
	held, err := db.MatchRecords(ctx, s, heldParty, person.Held)
	if err != nil {
		return MatchRun{}, err
	}
	labels, err := db.MatchLabels(ctx, s)
	if err != nil {
		return MatchRun{}, err
	}
	var res match.Result
	if progress != nil {
		res, err = linkRecords(sought, held, threshold, labels, progress)
	} else {
		res, err = linkRecords(sought, held, threshold, labels)
	}
	if err != nil {
		return MatchRun{}, errs.E(op, errs.Internal, err)
	}
	in := &MatchInputs{Labels: labels}
	for _, r := range sought {
		in.Sought = append(in.Sought, r.ID+"@"+strconv.Itoa(r.Version))
	}
	for _, r := range held {
		in.Held = append(in.Held, r.ID+"@"+strconv.Itoa(r.Version))
	}
	return db.SaveMatchRun(ctx, s, MatchRun{SoughtParty: soughtParty, HeldParty: heldParty, Threshold: threshold, Stats: res.Stats, Inputs: in}, res.Pairs)
}

// candidateRow is one stored candidate, as the run's commitment covers it.
type candidateRow struct {
	sought, held  string
	score, weight float64
	explanation   string
}

// candidatesDigest is the digest of a run's candidates in the run's
// commitment: SHA-256 over the rows in (sought, held) order.
func candidatesDigest(rows []candidateRow) string {
	slices.SortFunc(rows, func(a, b candidateRow) int {
		return cmp.Or(cmp.Compare(a.sought, b.sought), cmp.Compare(a.held, b.held))
	})
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\n", r.sought, r.held, strconv.FormatFloat(r.score, 'g', -1, 64), strconv.FormatFloat(r.weight, 'g', -1, 64), r.explanation)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// runContent is what a match.run leaf commits to: the run's parameters,
// its inputs and (by digest) every candidate it stored.
func runContent(id int64, soughtParty, heldParty string, threshold float64, stats, inputs, candidates string) map[string]string {
	in := sha256.Sum256([]byte(inputs))
	return map[string]string{
		"id": strconv.FormatInt(id, 10), "sought_party": soughtParty, "held_party": heldParty,
		"threshold": strconv.FormatFloat(threshold, 'g', -1, 64), "stats": stats, "inputs": hex.EncodeToString(in[:]), "candidates": candidates,
	}
}

func runSubject(id int64) string { return "match-run:" + strconv.FormatInt(id, 10) }

// SaveMatchRun stores a run and its candidate pairs, with its match.run
// leaf. Decisions already taken on a pair stay: they belong to the pair,
// not to a run.
func (db *DB) SaveMatchRun(ctx context.Context, s access.Scope, run MatchRun, pairs []match.Pair) (MatchRun, error) {
	const op = "sqlstore.SaveMatchRun"
	if err := access.Decide(s, access.MatchRun, access.Resource{}); err != nil {
		return MatchRun{}, errs.E(op, err)
	}
	if run.SoughtParty == run.HeldParty {
		return MatchRun{}, errs.E(op, errs.Invalid, "a run matches one party's sought register against the other party's held register")
	}
	stats, _ := json.Marshal(run.Stats)
	inputs := ""
	if run.Inputs != nil {
		b, _ := json.Marshal(run.Inputs)
		inputs = string(b)
	}
	run.StartedBy = s.Login
	run.Candidates = len(pairs)
	nonce, err := audit.NewNonce()
	if err != nil {
		return MatchRun{}, errs.E(op, err)
	}
	ids := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		ids = append(ids, p.LeftID, p.RightID)
	}
	err = db.write(ctx, func(tx *Tx) error {
		// The run read its inputs before this transaction: a record
		// erased since is refused under the log's lock, which an erasure
		// takes, so no candidate names an erased person.
		if err := tx.refuseErasedAny(ctx, ids, "candidates"); err != nil {
			return err
		}
		run.StartedAt = tx.now
		if err := tx.queryRow(ctx, `INSERT INTO match_runs (sought_party, held_party, threshold, stats, started_by, started_at, nonce, inputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			run.SoughtParty, run.HeldParty, run.Threshold, string(stats), s.Login, fmtTime(tx.now), nonce[:], inputs).Scan(&run.ID); err != nil {
			return err
		}
		rows := make([]candidateRow, 0, len(pairs))
		for start := 0; start < len(pairs); start += 500 {
			part := pairs[start:min(start+500, len(pairs))]
			args := make([]any, 0, 6*len(part))
			for _, p := range part {
				ex, _ := json.Marshal(p.Explanation)
				args = append(args, run.ID, p.LeftID, p.RightID, p.Score, p.Weight, string(ex))
				rows = append(rows, candidateRow{p.LeftID, p.RightID, p.Score, p.Weight, string(ex)})
			}
			if _, err := tx.exec(ctx, `INSERT INTO match_candidates (run_id, sought_id, held_id, score, weight, explanation) VALUES `+rowsOf(len(part), 6), args...); err != nil {
				return err
			}
		}
		c, err := audit.CommitFields(tagMatchRun, nonce, runContent(run.ID, run.SoughtParty, run.HeldParty, run.Threshold, string(stats), inputs, candidatesDigest(rows)))
		if err != nil {
			return err
		}
		return tx.appendLeaf(ctx, audit.Leaf{Type: leafMatchRun, Actor: actor(s.UserID), Time: tx.now, Subject: runSubject(run.ID), Commitment: c})
	})
	if err != nil {
		return MatchRun{}, errs.E(op, err)
	}
	return run, nil
}

// MatchRuns lists the runs, newest first.
func (db *DB) MatchRuns(ctx context.Context, s access.Scope) ([]MatchRun, error) {
	const op = "sqlstore.MatchRuns"
	if err := access.Decide(s, access.MatchReview, access.Resource{}); err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT r.id, r.sought_party, r.held_party, r.threshold, r.stats, r.started_by, r.started_at,
		(SELECT COUNT(*) FROM match_candidates c WHERE c.run_id = r.id) FROM match_runs r ORDER BY r.id DESC`)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (MatchRun, error) {
		var r MatchRun
		var stats string
		if err := rows.Scan(&r.ID, &r.SoughtParty, &r.HeldParty, &r.Threshold, &stats, &r.StartedBy, dbTime{&r.StartedAt}, &r.Candidates); err != nil {
			return r, err
		}
		json.Unmarshal([]byte(stats), &r.Stats)
		return r, nil
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}

// Match decisions.
const (
	MatchCandidate = "candidate" // no decision yet (or the last one undone)
	MatchConfirmed = "confirmed"
	MatchRejected  = "rejected"
)

// Candidate is one scored pair of a run with its current decision.
type Candidate struct {
	RunID       int64             `json:"run_id"`
	SoughtID    string            `json:"sought_id"`
	HeldID      string            `json:"held_id"`
	Score       float64           `json:"score"`
	Weight      float64           `json:"weight"`
	Explanation match.Explanation `json:"explanation"`
	Status      string            `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	DecidedBy   string            `json:"decided_by,omitempty"`
	DecidedAt   time.Time         `json:"decided_at,omitzero"`
}

// CandidateFilter selects candidates of one run.
type CandidateFilter struct {
	RunID  int64  // required
	Status string // "" for all
	Offset int
	Limit  int // default 100, at most 1000
}

// latestDecision is the SQL of a pair's current decision row.
const latestDecision = `(SELECT MAX(d2.seq) FROM match_decisions d2 WHERE d2.sought_id = c.sought_id AND d2.held_id = c.held_id)`

// Candidates lists a run's candidates, best first, with their decisions.
func (db *DB) Candidates(ctx context.Context, s access.Scope, f CandidateFilter) ([]Candidate, error) {
	const op = "sqlstore.Candidates"
	if err := access.Decide(s, access.MatchReview, access.Resource{}); err != nil {
		return nil, errs.E(op, err)
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 0 || f.Limit > 1000 || f.Offset < 0 {
		return nil, errs.E(op, errs.Invalid, "limit between 1 and 1000, offset ≥ 0")
	}
	switch f.Status {
	case "", MatchCandidate, MatchConfirmed, MatchRejected:
	default:
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("status %q: use candidate, confirmed or rejected", f.Status))
	}
	q := `SELECT c.run_id, c.sought_id, c.held_id, c.score, c.weight, c.explanation,
		COALESCE(d.decision, 'candidate'), COALESCE(d.reason, ''), COALESCE(d.decided_by, ''), d.decided_at
		FROM match_candidates c LEFT JOIN match_decisions d ON d.seq = ` + latestDecision + `
		WHERE c.run_id = ?`
	args := []any{f.RunID}
	if f.Status != "" {
		q += ` AND COALESCE(d.decision, 'candidate') = ?`
		args = append(args, f.Status)
	}
	q += ` ORDER BY c.score DESC, c.sought_id, c.held_id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []Candidate{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var c Candidate
		var ex string
		var at sql.NullString
		if err := rows.Scan(&c.RunID, &c.SoughtID, &c.HeldID, &c.Score, &c.Weight, &ex, &c.Status, &c.Reason, &c.DecidedBy, &at); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		if c.Status == "undo" {
			c.Status = MatchCandidate
		}
		if at.Valid {
			dbTime{&c.DecidedAt}.Scan(at.String)
		}
		json.Unmarshal([]byte(ex), &c.Explanation)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pairState returns the current decision on a pair ("candidate" if none).
func (tx *Tx) pairState(ctx context.Context, sought, held string) (string, error) {
	var d string
	err := tx.queryRow(ctx, `SELECT decision FROM match_decisions WHERE sought_id = ? AND held_id = ? ORDER BY seq DESC LIMIT 1`, sought, held).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) || d == "undo" {
		return MatchCandidate, nil
	}
	return d, err
}

// DecideMatch records a reviewer's decision on a candidate pair: "confirm",
// "reject" or "undo" (back to candidate), always with a reason. Every
// decision is kept with who and when, and written to the log. A sought
// person can be confirmed with one held record at a time, and a held record
// with one sought person: undo the other first. Nothing is ever merged.
func (db *DB) DecideMatch(ctx context.Context, s access.Scope, soughtID, heldID, decision, reason string) (Candidate, error) {
	const op = "sqlstore.DecideMatch"
	if err := access.Decide(s, access.MatchReview, access.Resource{}); err != nil {
		return Candidate{}, errs.E(op, err)
	}
	reason = strings.TrimSpace(reason)
	var bad []errs.FieldError
	var stored string
	switch decision {
	case "confirm":
		stored = MatchConfirmed
	case "reject":
		stored = MatchRejected
	case "undo":
		stored = "undo"
	default:
		bad = append(bad, errs.FieldError{Field: "decision", Message: "confirm, reject or undo", Code: "bad_decision"})
	}
	if reason == "" {
		bad = append(bad, errs.FieldError{Field: "reason", Message: "required: say why", Code: "reason_required"})
	} else if len(reason) > person.MaxTextLen {
		bad = append(bad, errs.FieldError{Field: "reason", Message: "too long", Code: "reason_too_long", Args: []string{strconv.Itoa(person.MaxTextLen)}})
	}
	if len(bad) > 0 {
		return Candidate{}, errs.E(op, errs.Invalid, "cannot record the decision", bad)
	}
	var c Candidate
	err := db.write(ctx, func(tx *Tx) error {
		// The log's lock first: the pair's state read below holds until
		// this decision commits.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		var ex string
		err := tx.queryRow(ctx, `SELECT run_id, score, weight, explanation FROM match_candidates WHERE sought_id = ? AND held_id = ? ORDER BY run_id DESC LIMIT 1`,
			soughtID, heldID).Scan(&c.RunID, &c.Score, &c.Weight, &ex)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(op, errs.NotFound, fmt.Sprintf("no candidate pair %s / %s", soughtID, heldID), errs.Coded{Code: "no_pair", Args: []string{soughtID, heldID}})
		}
		if err != nil {
			return err
		}
		json.Unmarshal([]byte(ex), &c.Explanation)
		cur, err := tx.pairState(ctx, soughtID, heldID)
		if err != nil {
			return err
		}
		switch {
		case decision == "undo" && cur == MatchCandidate:
			return errs.E(op, errs.Conflict, "there is no decision on this pair to undo")
		case stored == cur:
			return errs.E(op, errs.Conflict, fmt.Sprintf("the pair is %s already", cur))
		case decision == "confirm":
			var other string
			err := tx.queryRow(ctx, `SELECT CASE WHEN d.sought_id = ? THEN d.held_id ELSE d.sought_id END FROM match_decisions d
				WHERE (d.sought_id = ? OR d.held_id = ?) AND NOT (d.sought_id = ? AND d.held_id = ?)
				AND d.seq = (SELECT MAX(d2.seq) FROM match_decisions d2 WHERE d2.sought_id = d.sought_id AND d2.held_id = d.held_id)
				AND d.decision = 'confirmed' LIMIT 1`, soughtID, soughtID, heldID, soughtID, heldID).Scan(&other)
			if err == nil {
				return errs.E(op, errs.Conflict, fmt.Sprintf("one of these records is confirmed with %s already: undo that match first", other))
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		nonce, err := audit.NewNonce()
		if err != nil {
			return err
		}
		kept := nonce[:]
		if db.before0018 {
			kept = nil
		}
		if _, err := tx.exec(ctx, `INSERT INTO match_decisions (sought_id, held_id, decision, reason, decided_by, decided_at, score, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			soughtID, heldID, stored, reason, s.Login, fmtTime(tx.now), c.Score, kept); err != nil {
			return err
		}
		commit, err := audit.CommitFields(audit.TagMatch, nonce, decisionContent(soughtID, heldID, stored, reason, c.Score))
		if err != nil {
			return err
		}
		app, err := tx.appender(ctx)
		if err != nil {
			return err
		}
		if _, err := app.add(audit.Leaf{Type: audit.MatchDecided, Actor: actor(s.UserID), Time: tx.now,
			Subject: "match:" + soughtID + "/" + heldID, Commitment: commit}); err != nil {
			return err
		}
		c.SoughtID, c.HeldID, c.Status, c.Reason, c.DecidedBy, c.DecidedAt = soughtID, heldID, stored, reason, s.Login, tx.now
		if stored == "undo" {
			c.Status = MatchCandidate
		}
		return app.flush(ctx)
	})
	if err != nil {
		return Candidate{}, errs.E(op, err)
	}
	return c, nil
}

// DiscloseMatch tells the party that seeks a person that the mediator has
// confirmed the other party holds them. Only confirmed pairs are disclosed.
func (db *DB) DiscloseMatch(ctx context.Context, s access.Scope, soughtID, heldID string) error {
	const op = "sqlstore.DiscloseMatch"
	if err := access.Decide(s, access.MatchReview, access.Resource{}); err != nil {
		return errs.E(op, err)
	}
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		cur, err := tx.pairState(ctx, soughtID, heldID)
		if err != nil {
			return err
		}
		if cur != MatchConfirmed {
			return errs.E(op, errs.Conflict, "only a confirmed match can be disclosed", errs.Coded{Code: "disclose_unconfirmed"})
		}
		var party string
		if err := tx.queryRow(ctx, `SELECT party FROM records WHERE id = ?`, soughtID).Scan(&party); err != nil {
			return err
		}
		var heldBody string
		if err := tx.queryRow(ctx, `SELECT v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version WHERE r.id = ?`, heldID).Scan(&heldBody); err != nil {
			return err
		}
		var held person.Fields
		if err := json.Unmarshal([]byte(heldBody), &held); err != nil {
			return err
		}
		if held.Detrimental {
			// GC III Art. 123: the holding party judged that passing this
			// record on would harm the person; only the CTA may receive it.
			return errs.E(op, errs.Conflict, "the holding party marked this record transmission-detrimental: it cannot be disclosed")
		}
		if _, err := tx.exec(ctx, `INSERT INTO match_disclosures (sought_id, held_id, party, disclosed_by, disclosed_at) VALUES (?, ?, ?, ?, ?)`,
			soughtID, heldID, party, s.Login, fmtTime(tx.now)); err != nil {
			return err
		}
		return tx.appendLeaf(ctx, audit.Leaf{Type: leafMatchDisclosed, Actor: actor(s.UserID), Time: tx.now, Subject: "match:" + soughtID + "/" + heldID,
			Commitment: audit.Commit(tagDisclosure, audit.Nonce{}, disclosureContent(soughtID, heldID, party))})
	})
}

// leafMatchWithdrawn is the leaf of a disclosure withdrawn (withdrawContent).
const leafMatchWithdrawn audit.LeafType = "match.withdrawn"

// withdrawContent is what a match.withdrawn leaf commits to: the pair, the
// disclosure withdrawn (its seq) and the reason.
func withdrawContent(disclosure, sought, held, reason string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{"disclosure": disclosure, "sought": sought, "held": held, "reason": reason})
	return b
}

// withdrawDisclosures withdraws every disclosure of a held record still in
// force: the record has just been withheld (a civilian by the holding
// party, GC IV Art. 137(2); a prisoner of war at his own request in the
// neutral's interview), so the seeking party must no longer see it, nor
// its later edits. reason is the withdrawal's, as logged. Each withdrawal
// is a row and a match.withdrawn leaf in the caller's transaction, the
// one that writes the withholding version.
func (tx *Tx) withdrawDisclosures(ctx context.Context, s access.Scope, heldID, reason string) error {
	rows, err := tx.query(ctx, `SELECT x.seq, x.sought_id FROM match_disclosures x WHERE x.held_id = ?
		AND NOT EXISTS (SELECT 1 FROM match_withdrawals w WHERE w.disclosure_seq = x.seq) ORDER BY x.seq`, heldID)
	if err != nil {
		return err
	}
	type disclosure struct {
		seq    int64
		sought string
	}
	open, err := collect(rows, func(rows *sql.Rows) (disclosure, error) {
		var d disclosure
		err := rows.Scan(&d.seq, &d.sought)
		return d, err
	})
	if err != nil {
		return err
	}
	for _, d := range open {
		nonce, err := tx.commitLeaf(ctx, leafMatchWithdrawn, s, "", "match:"+d.sought+"/"+heldID, 0, audit.TagMatch, withdrawContent(strconv.FormatInt(d.seq, 10), d.sought, heldID, reason))
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO match_withdrawals (disclosure_seq, sought_id, held_id, reason, withdrawn_by, withdrawn_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.seq, d.sought, heldID, reason, s.Login, fmtTime(tx.now), nonce); err != nil {
			return err
		}
	}
	return nil
}

// DisclosedMatch is what a party learns of a confirmed match on one of its
// sought records: the other party's held record as it was disclosed.
type DisclosedMatch struct {
	SoughtID    string        `json:"sought_id"`
	HeldID      string        `json:"held_id"`
	HeldParty   string        `json:"held_party"`
	Held        person.Fields `json:"held"`
	Score       float64       `json:"score"`
	DisclosedAt time.Time     `json:"disclosed_at"`
}

// DisclosedMatches lists the matches disclosed to the scope's party that are
// still confirmed (an undone match disappears from the party's view) and
// not withdrawn (a held record marked transmission-detrimental after the
// disclosure disappears, and is never shown while so marked). Only the
// held record's identity fields are shown: never its sensitive fields,
// notes or provenance.
func (db *DB) DisclosedMatches(ctx context.Context, s access.Scope) ([]DisclosedMatch, error) {
	const op = "sqlstore.DisclosedMatches"
	if err := access.Decide(s, access.MatchRead, access.Resource{Party: s.Party}); err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT x.sought_id, x.held_id, r.party, v.body, x.disclosed_at,
		(SELECT MAX(c.score) FROM match_candidates c WHERE c.sought_id = x.sought_id AND c.held_id = x.held_id)
		FROM match_disclosures x
		JOIN records r ON r.id = x.held_id
		JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
		WHERE x.party = ?
		AND NOT EXISTS (SELECT 1 FROM match_withdrawals w WHERE w.disclosure_seq = x.seq)
		AND (SELECT d.decision FROM match_decisions d WHERE d.sought_id = x.sought_id AND d.held_id = x.held_id ORDER BY d.seq DESC LIMIT 1) = 'confirmed'
		ORDER BY x.seq`, s.Party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []DisclosedMatch{}
	seen := map[string]bool{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var m DisclosedMatch
		var body string
		if err := rows.Scan(&m.SoughtID, &m.HeldID, &m.HeldParty, &body, dbTime{&m.DisclosedAt}, &m.Score); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		if seen[m.SoughtID+"/"+m.HeldID] {
			return nil
		}
		seen[m.SoughtID+"/"+m.HeldID] = true
		var f person.Fields
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		if f.Detrimental {
			return nil // withheld (GC IV Art. 137(2), or at his own request), whatever the disclosures say
		}
		m.Held = disclosedFields(f)
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// disclosedFields keeps the identity fields the other party needs to
// recognise its person, and nothing else.
func disclosedFields(f person.Fields) person.Fields {
	return person.Fields{
		Kind: f.Kind, Category: f.Category, Status: f.Status,
		Surname: f.Surname, GivenNames: f.GivenNames, Patronymic: f.Patronymic, FullName: f.FullName, LatinNames: f.LatinNames,
		Sex: f.Sex, BirthDate: f.BirthDate, BirthPlace: f.BirthPlace, Rank: f.Rank, ServiceNumber: f.ServiceNumber, Unit: f.Unit,
		CaptureDate: f.CaptureDate, CapturePlace: f.CapturePlace,
	}
}

// MatchLabels returns the reviewers' current decisions as labels for the
// engine (confirmed = a match, rejected = not), so that a new run learns
// from them.
func (db *DB) MatchLabels(ctx context.Context, s access.Scope) ([]match.Label, error) {
	const op = "sqlstore.MatchLabels"
	if err := access.Decide(s, access.MatchRun, access.Resource{}); err != nil {
		return nil, errs.E(op, err)
	}
	rows, err := db.query(ctx, `SELECT d.sought_id, d.held_id, d.decision FROM match_decisions d
		WHERE d.seq = (SELECT MAX(d2.seq) FROM match_decisions d2 WHERE d2.sought_id = d.sought_id AND d2.held_id = d.held_id)
		AND d.decision IN ('confirmed', 'rejected') ORDER BY d.seq`)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out, err := collect(rows, func(rows *sql.Rows) (match.Label, error) {
		var l match.Label
		var d string
		err := rows.Scan(&l.LeftID, &l.RightID, &d)
		l.Match = d == MatchConfirmed
		return l, err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}
