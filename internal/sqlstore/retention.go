package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// The retention rule a deployment sets (docs/operations.md, "Erasure and
// retention"; docs/design/security.md §9): a record is erased After the
// last stage of its party's exchanges closed, when
//
//   - every exchange its party took part in has stages, and every stage
//     is closed or cancelled, the last of them before now − After;
//   - the record was last written (its current version) before then too;
//   - the person is not held: a record whose status says the person is a
//     prisoner of war, an internee, a detained civilian or convicted is
//     kept, whatever its age (the bureau keeps what it knows of a person
//     in its power, GC III Art. 122, GC IV Art. 136);
//   - it has no priority flags standing (its bureau flagged it to be
//     sought in a later round; flags cleared since keep it no more);
//   - it is named in no document signed, cosigned or committed to with the
//     names (a list or its answers, a stage, a match, evidence, a tracing
//     case, a custody timeline): those keep it (EraseRecord refuses them).
//
// A retention run erases as the actor "system", with the rule as the
// reason.

// RetentionRule is a deployment's rule.
type RetentionRule struct {
	// After is how long after the last stage closed a record is erased.
	After time.Duration
	// Party, when set, limits the run to one party's records.
	Party string
}

// Reason is what the tombstone of a record the rule erased says.
func (r RetentionRule) Reason() string {
	return fmt.Sprintf("retention: %s after the last stage of the party's exchanges closed", fmtDays(r.After))
}

// fmtDays writes a duration in days when it is whole days.
func fmtDays(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// RetentionItem is one record a retention run considered: due (erased,
// or to be erased on a dry run), or kept with the code of the reason.
type RetentionItem struct {
	Record string `json:"record"`
	Party  string `json:"party"`
	Due    bool   `json:"due"`
	Kept   string `json:"kept,omitempty"` // held, flagged, recent, or the code EraseRecord refuses with
	Erased bool   `json:"erased,omitempty"`
}

// RetentionReport is what a retention run did or would do.
type RetentionReport struct {
	Cutoff  time.Time       `json:"cutoff"`
	Parties []string        `json:"parties"` // the parties whose exchanges are all closed before the cutoff
	Items   []RetentionItem `json:"items"`
}

// Due counts the items due.
func (r RetentionReport) Due() int {
	n := 0
	for _, it := range r.Items {
		if it.Due {
			n++
		}
	}
	return n
}

// ApplyRetention finds the records the rule erases at now and, unless
// dryRun, erases each in its own transaction (actor "system", the rule
// as the reason). A record that cannot be erased is reported as kept,
// with why.
func (db *DB) ApplyRetention(ctx context.Context, rule RetentionRule, now time.Time, dryRun bool) (RetentionReport, error) {
	const op = "sqlstore.ApplyRetention"
	if rule.After <= 0 {
		return RetentionReport{}, errs.E(op, errs.Invalid, "the retention period must be positive (e.g. 90d)",
			errs.FieldError{Field: "after", Message: "must be positive", Code: "retention_after"})
	}
	cutoff := now.Add(-rule.After).UTC()
	rep := RetentionReport{Cutoff: cutoff, Parties: []string{}, Items: []RetentionItem{}}
	parties, err := db.closedParties(ctx, cutoff)
	if err != nil {
		return rep, errs.E(op, errs.Internal, err)
	}
	for _, p := range parties {
		if rule.Party == "" || rule.Party == p {
			rep.Parties = append(rep.Parties, p)
		}
	}
	if len(rep.Parties) == 0 {
		return rep, nil
	}
	// Flagged is what the flags say now: a record whose flags its bureau
	// cleared is no longer kept for them.
	flagged := map[string]bool{}
	for _, p := range rep.Parties {
		fs, err := latestFlags(ctx, db, p, "")
		if err != nil {
			return rep, errs.E(op, errs.Internal, err)
		}
		for id, f := range fs {
			if !f.Empty() {
				flagged[id] = true
			}
		}
	}
	blocked, err := db.blockedRecords(ctx)
	if err != nil {
		return rep, errs.E(op, errs.Internal, err)
	}
	type cand struct {
		id, party, kind, at string
	}
	cands, err := queryAll(ctx, db, func(rows *sql.Rows) (cand, error) {
		var c cand
		err := rows.Scan(&c.id, &c.party, &c.kind, &c.at)
		return c, err
	}, `SELECT r.id, r.party, r.kind, v.entered_at FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
		WHERE r.party IN (`+placeholders(len(rep.Parties))+`) AND `+notErased+` ORDER BY r.seq`, anySlice(rep.Parties)...)
	if err != nil {
		return rep, errs.E(op, errs.Internal, err)
	}
	for _, c := range cands {
		it := RetentionItem{Record: c.id, Party: c.party}
		switch {
		case person.Kind(c.kind) == person.Held:
			// A record of the held register is never erased (GC III
			// Arts. 120, 122; GC IV Art. 136): see erase.
			it.Kept = "held"
		case flagged[c.id]:
			it.Kept = "flagged"
		case c.at > fmtTime(cutoff):
			it.Kept = "recent"
		case blocked[c.id] != "":
			it.Kept = blocked[c.id]
		default:
			it.Due = true
		}
		if it.Due && !dryRun {
			if _, err := db.erase(ctx, "system", SystemLogin, c.id, rule.Reason()); err != nil {
				if errs.Is(errs.Conflict, err) {
					code, _ := errs.CodeOf(err)
					it.Due, it.Kept = false, code
				} else {
					return rep, errs.E(op, err)
				}
			} else {
				it.Erased = true
			}
		}
		rep.Items = append(rep.Items, it)
	}
	// The space of all the run's erasures is given back once, at its end:
	// a checkpoint or a vacuum per record would make a run of thousands
	// take minutes.
	for _, it := range rep.Items {
		if it.Erased {
			db.scrubAfter(ctx)
			break
		}
	}
	return rep, nil
}

// closedParties returns the parties every exchange of which has stages,
// all closed or cancelled, the last before cutoff.
func (db *DB) closedParties(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, err := db.query(ctx, `SELECT body FROM exchanges ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	exs, err := collect(rows, scanJSON[exchange.Exchange])
	if err != nil {
		return nil, err
	}
	type stageKey struct {
		ex    string
		stage int
	}
	last := map[stageKey]crossing.EventType{}
	lastAt := map[stageKey]string{}
	stages, err := queryAll(ctx, db, func(rows *sql.Rows) (stageKey, error) {
		var k stageKey
		err := rows.Scan(&k.ex, &k.stage)
		return k, err
	}, `SELECT exchange_id, stage FROM stages`)
	if err != nil {
		return nil, err
	}
	type ev struct {
		k        stageKey
		body, at string
	}
	evs, err := queryAll(ctx, db, func(rows *sql.Rows) (ev, error) {
		var e ev
		err := rows.Scan(&e.k.ex, &e.k.stage, &e.body, &e.at)
		return e, err
	}, `SELECT exchange_id, stage, body, recorded_at FROM stage_events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		var x crossing.Event
		if err := json.Unmarshal([]byte(e.body), &x); err != nil {
			return nil, fmt.Errorf("stage event of %s/%d: %w", e.k.ex, e.k.stage, err)
		}
		if x.Type.IsStage() {
			last[e.k], lastAt[e.k] = x.Type, e.at
		}
	}
	closedAt := map[string]string{} // exchange → when its last stage closed; "" when open
	open := map[string]bool{}
	for _, k := range stages {
		if t := last[k]; t != crossing.StageClosed && t != crossing.StageCancelled {
			open[k.ex] = true
			continue
		}
		closedAt[k.ex] = max(closedAt[k.ex], lastAt[k])
	}
	c := fmtTime(cutoff)
	status := map[string]bool{} // party → every exchange closed before the cutoff so far
	for _, ex := range exs {
		ok := !open[ex.ID] && closedAt[ex.ID] != "" && closedAt[ex.ID] <= c
		for _, p := range ex.Parties {
			if prev, seen := status[p]; seen {
				status[p] = prev && ok
			} else {
				status[p] = ok
			}
		}
	}
	var out []string
	for p, ok := range status {
		if ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
