package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
)

// WorkStage is a stage that is being worked now (open, closing or
// suspended), as the crossing page lists it for an officer who may not
// read exchanges: where it is, who hands over, and how far it has got.
type WorkStage struct {
	Exchange string          `json:"exchange"`
	Stage    int             `json:"stage"`
	State    string          `json:"state"`
	Parties  [2]string       `json:"parties"`
	Crossing string          `json:"crossing,omitempty"`
	Window   crossing.Window `json:"window"`
	OpenedAt time.Time       `json:"opened_at"`
	// Planned is each side's planned count; HandedOver the persons
	// counted toward parity; Outstanding the listed persons still without
	// a final outcome.
	Planned     map[string]int `json:"planned"`
	HandedOver  map[string]int `json:"handed_over"`
	Outstanding int            `json:"outstanding"`
	Parity      bool           `json:"parity"`
}

// OpenStages returns the stages the caller may work now: every stage that
// was opened and is open, closing or suspended (not closed, not
// cancelled), of the exchanges the caller may use — for a party-bound
// caller (a party's checkpoint officer, registrar or approver) only the
// exchanges of its party; for the mediator's roles all of them. It is
// decided as ReportRead, the action of the officer's screen. Oldest
// opened first.
func (db *DB) OpenStages(ctx context.Context, s access.Scope) ([]WorkStage, error) {
	const op = "sqlstore.OpenStages"
	if err := access.Decide(s, access.ReportRead, access.Resource{Party: s.Party}); err != nil {
		return nil, errs.E(op, err)
	}
	type row struct {
		ex     string
		n      int
		opened time.Time
		p      [2]string
	}
	rows, err := db.query(ctx, `SELECT s.exchange_id, s.stage, s.opened_at, e.party_a, e.party_b FROM stages s JOIN exchanges e ON e.id = s.exchange_id
		WHERE ? = '' OR e.party_a = ? OR e.party_b = ? ORDER BY s.opened_at, s.exchange_id, s.stage`, s.Party, s.Party, s.Party)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	found, err := collect(rows, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.ex, &r.n, dbTime{&r.opened}, &r.p[0], &r.p[1])
		return r, err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []WorkStage{}
	for _, r := range found {
		if err := mayUseStage(s, r.p, r.ex); err != nil {
			continue // the query already keeps to the caller's party
		}
		ls, err := db.liveStage(ctx, r.ex, r.n)
		if err != nil {
			return nil, errs.E(op, err)
		}
		ls.mu.Lock()
		err = db.ensureLoaded(ctx, ls, r.ex, r.n)
		var v StageView
		if err == nil {
			v = ls.view()
		}
		ls.mu.Unlock()
		if err != nil {
			return nil, errs.E(op, err)
		}
		if st, err := crossing.ParseState(v.State); err != nil || !st.UnderWay() {
			continue
		}
		w := WorkStage{Exchange: r.ex, Stage: r.n, State: v.State, Parties: r.p, Crossing: v.Crossing, Window: v.Window, OpenedAt: r.opened,
			Planned: map[string]int{}, HandedOver: map[string]int{}, Parity: v.Report.Parity}
		for side, sr := range v.Report.Sides {
			w.Planned[side] = sr.Total.Planned
			w.HandedOver[side] = sr.Total.HandedOver
			w.Outstanding += sr.Total.Outstanding
		}
		out = append(out, w)
	}
	return out, nil
}

// TimelinePoint is the count of persons handed over (counted toward
// parity) per releasing side after one event of a stage.
type TimelinePoint struct {
	Event      int            `json:"event"` // 1-based index of the event in the stage
	At         time.Time      `json:"at"`
	HandedOver map[string]int `json:"handed_over"`
}

// StageTimeline returns how a stage's counts grew over its events: a
// point after the first event, after every event that changed a side's
// count, and after the last, at most max points (evenly thinned, the
// first and last kept; max below 2 means 200). Counted as the parity
// report counts, so an unlisted person accepted later counts from the
// acceptance. Decided as ReportRead, like the stage itself.
func (db *DB) StageTimeline(ctx context.Context, s access.Scope, exID string, n, max int) ([]TimelinePoint, error) {
	const op = "sqlstore.StageTimeline"
	if max < 2 {
		max = 200
	}
	ls, err := db.readableStage(ctx, s, exID, n)
	if err != nil {
		return nil, errs.E(op, err)
	}
	events := ls.st.Events()
	plan, rule := ls.plan, ls.rule
	ls.mu.Unlock()
	st, err := crossing.New(plan, rule)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	// The counts follow the persons each event touches, so that the
	// timeline stays linear in the events (the report is linear in the
	// persons, too slow to take after each of thousands of events).
	type who struct{ side, id, unlisted string }
	byID := make(map[string]crossing.Event, len(events))
	counted := map[who]bool{}
	c := map[string]int{}
	for side := range plan.Sides {
		c[side] = 0
	}
	touch := func(w who) {
		var ps crossing.PersonStatus
		if w.unlisted != "" {
			for _, u := range st.Unlisted() {
				if u.AmendmentEvent == w.unlisted {
					ps = u
				}
			}
		} else {
			ps, _ = st.Person(w.side, w.id)
		}
		if ps.Counted != counted[w] {
			counted[w] = ps.Counted
			if ps.Counted {
				c[w.side]++
			} else {
				c[w.side]--
			}
		}
	}
	var affected func(e crossing.Event) []who
	affected = func(e crossing.Event) []who {
		switch e.Type {
		case crossing.UnlistedPresented:
			return []who{{side: e.Side, unlisted: e.ID}}
		case crossing.SubstitutedBy:
			return []who{{side: e.Side, id: e.RecordID}, {side: e.Side, id: e.Reserve}}
		case crossing.AmendmentAccepted, crossing.AmendmentRejected, crossing.Retracted:
			if subj, ok := byID[e.Subject]; ok {
				return affected(subj)
			}
			return nil
		}
		if e.Type.IsStage() {
			return nil
		}
		return []who{{side: e.Side, id: e.RecordID}}
	}
	var all []TimelinePoint
	for i, e := range events {
		if _, err := st.Apply(e); err != nil {
			return nil, errs.E(op, errs.Internal, fmt.Sprintf("event %d does not replay", i), err)
		}
		byID[e.ID] = e
		changed := i == 0 || i == len(events)-1
		for _, w := range affected(e) {
			before := c[w.side]
			touch(w)
			changed = changed || c[w.side] != before
		}
		if changed {
			m := make(map[string]int, len(c))
			for k, v := range c {
				m[k] = v
			}
			all = append(all, TimelinePoint{Event: i + 1, At: e.At, HandedOver: m})
		}
	}
	if len(all) <= max {
		return all, nil
	}
	thin := make([]TimelinePoint, 0, max)
	for k := range max {
		thin = append(thin, all[k*(len(all)-1)/(max-1)])
	}
	return thin, nil
}
