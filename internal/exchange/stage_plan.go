package exchange

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Counts are numbers of persons by category.
type Counts map[person.Category]int

// Total returns the sum of the counts.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String returns the counts in their canonical form: "civilian=120
// military=270", categories sorted by name, zero counts left out; "-" when
// empty.
func (c Counts) String() string {
	keys := make([]string, 0, len(c))
	for k, v := range c {
		if v != 0 {
			keys = append(keys, string(k))
		}
	}
	if len(keys) == 0 {
		return "-"
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(c[person.Category(k)]))
	}
	return b.String()
}

func (c Counts) equal(d Counts) bool {
	for k, v := range c {
		if d[k] != v {
			return false
		}
	}
	for k, v := range d {
		if c[k] != v {
			return false
		}
	}
	return true
}

// Stage is one day or batch of the exchange at one crossing point: a time
// window and, for each side, the persons it releases and the counts
// planned per category. Stages of one agreement may run at several
// crossing points at once.
type Stage struct {
	Number   int         `json:"number"` // 1, 2, … in order
	Start    time.Time   `json:"start"`
	End      time.Time   `json:"end"`
	Crossing string      `json:"crossing"` // one of Exchange.Crossings
	Sides    []StageSide `json:"sides"`    // one per party, in Exchange.Parties order
	// Observed: the mediator's observer confirms each handover and refusal
	// at this stage, and a person counts, or a refusal stands, only once
	// it has (docs/design/crossing.md, "Two-sided handover"). Without it
	// the releasing side's release and the receiving side's receipt
	// suffice.
	Observed bool `json:"observed,omitempty"`
}

// StageSide is what one party releases in a stage.
type StageSide struct {
	Party   string   `json:"party"`
	Planned Counts   `json:"planned"` // e.g. military=270 civilian=120
	Persons []string `json:"persons"` // record ids from the party's agreed list
}

// ReserveList is one party's reserve: agreed persons (accepted by the other
// side) kept out of the stages, to substitute for a person who refuses or is
// not presented.
type ReserveList struct {
	Party   string   `json:"party"`
	Persons []string `json:"persons"`
}

// StagePlan is the staging part of an agreement.
type StagePlan struct {
	Stages  []Stage       `json:"stages"`
	Reserve []ReserveList `json:"reserve,omitempty"`
}

// Side returns party's side of stage s.
func (s *Stage) Side(party string) (*StageSide, bool) {
	for i := range s.Sides {
		if s.Sides[i].Party == party {
			return &s.Sides[i], true
		}
	}
	return nil, false
}

// ReserveOf returns party's reserve list (empty when none).
func (p *StagePlan) ReserveOf(party string) []string {
	for _, r := range p.Reserve {
		if r.Party == party {
			return r.Persons
		}
	}
	return nil
}

// Validate checks the plan against the exchange and the agreed lists
// (per party, the offers the other side accepted: [Agreed]). It returns
// an errs.Invalid error listing every problem, or nil. It holds that:
//   - stages are numbered 1, 2, … with a window (start ≤ end) and a crossing
//     point of the exchange, and one side per party;
//   - every agreed person is in exactly one stage or on the reserve list,
//     and nobody else is in a stage or the reserve;
//   - each side's planned counts per category equal its persons' counts;
//   - under numeric (N for N) terms each stage has equal counts per
//     category on both sides, and each side's staged totals equal the
//     terms' total and per-category counts;
//   - under category terms each side's staged total lies between the floor
//     and the ceiling;
//   - under parts terms each part is held to these rules over its own
//     categories: a numeric part pairs up, a category part (the seriously
//     wounded, GC III Art. 109(1)) need not.
func (p *StagePlan) Validate(ex *Exchange, agreed map[string][]Item) error {
	var fe []errs.FieldError
	add := func(f errs.FieldError, format string, args ...any) {
		fe = append(fe, problem(f, format, args...))
	}
	t := &ex.Terms
	n := 0
	for _, items := range agreed {
		n += len(items)
	}
	cat := make(map[string]person.Category, n)
	owner := make(map[string]string, n)
	for party, items := range agreed {
		for _, it := range items {
			cat[it.RecordID], owner[it.RecordID] = it.Category, party
		}
	}
	where := make(map[string]string, n) // record id → "stages[i]…" or "reserve[i]…"
	place := func(field, party, id string) {
		switch {
		case owner[id] == "":
			add(errs.FieldError{Field: field, Code: "not_agreed"}, "%s is not on %s's agreed list (accepted by the other side)", id, party)
		case owner[id] != party:
			add(errs.FieldError{Field: field, Code: "other_party_list"}, "%s is on %s's list, not %s's", id, owner[id], party)
		case where[id] != "":
			add(errs.FieldError{Field: field, Code: "already_placed"}, "%s is already in %s", id, where[id])
		default:
			where[id] = field
		}
	}
	if len(p.Stages) == 0 {
		add(errs.FieldError{Field: "stages", Code: "stage_required"}, "at least one stage is required")
	}
	staged := map[string]Counts{}
	for _, party := range ex.Parties {
		staged[party] = Counts{}
	}
	for i := range p.Stages {
		s := &p.Stages[i]
		f := fmt.Sprintf("stages[%d]", i)
		if s.Number != i+1 {
			add(errs.FieldError{Field: f + ".number", Code: "stage_number"}, "must be %d: stages are numbered 1, 2, … in order", i+1)
		}
		if s.Start.IsZero() {
			add(errs.FieldError{Field: f + ".start", Code: "window_required"}, "a stage needs a window: start and end")
		}
		if s.End.IsZero() {
			add(errs.FieldError{Field: f + ".end", Code: "window_required"}, "a stage needs a window: start and end")
		}
		if !s.Start.IsZero() && !s.End.IsZero() && s.End.Before(s.Start) {
			add(errs.FieldError{Field: f + ".end", Code: "end_before_start"}, "is before start")
		}
		if !ex.HasCrossing(s.Crossing) {
			add(errs.FieldError{Field: f + ".crossing", Code: "not_crossing"}, "%q is not a crossing point of the exchange", s.Crossing)
		}
		if len(s.Sides) != 2 || s.Sides[0].Party != ex.Parties[0] || s.Sides[1].Party != ex.Parties[1] {
			add(errs.FieldError{Field: f + ".sides", Code: "stage_sides"}, "must have one side for %s, then one for %s", ex.Parties[0], ex.Parties[1])
			continue
		}
		var have [2]Counts
		for j := range s.Sides {
			sd := &s.Sides[j]
			sf := fmt.Sprintf("%s.sides[%d]", f, j)
			have[j] = Counts{}
			for _, id := range sd.Persons {
				place(sf+".persons", sd.Party, id)
				if c, ok := cat[id]; ok && owner[id] == sd.Party {
					have[j][c]++
					staged[sd.Party][c]++
				}
			}
			for c, n := range sd.Planned {
				if n < 0 || !c.Valid() {
					add(errs.FieldError{Field: sf + ".planned", Code: "bad_count"}, "%s=%d is not a count of a category", c, n)
				}
			}
			if !have[j].equal(sd.Planned) {
				add(errs.FieldError{Field: sf + ".planned", Code: "planned_mismatch"}, "planned %s but the persons make %s", sd.Planned, have[j])
			}
		}
		if a, b := numericOnly(t, have[0]), numericOnly(t, have[1]); !a.equal(b) {
			add(errs.FieldError{Field: f, Code: "n_for_n"}, "N for N: %s releases %s but %s releases %s", ex.Parties[0], have[0], ex.Parties[1], have[1])
		}
	}
	for i, r := range p.Reserve {
		f := fmt.Sprintf("reserve[%d]", i)
		if !ex.HasParty(r.Party) {
			add(errs.FieldError{Field: f + ".party", Code: "not_party"}, "%q is not a party", r.Party)
			continue
		}
		for j := 0; j < i; j++ {
			if p.Reserve[j].Party == r.Party {
				add(errs.FieldError{Field: f + ".party", Code: "two_reserves"}, "%s has two reserve lists", r.Party)
			}
		}
		for _, id := range r.Persons {
			place(f+".persons", r.Party, id)
		}
	}
	for _, party := range ex.Parties {
		missing := 0
		var first string
		for _, it := range agreed[party] {
			if where[it.RecordID] == "" {
				if missing == 0 {
					first = it.RecordID
				}
				missing++
			}
		}
		if missing > 0 {
			add(errs.FieldError{Field: "stages", Code: "unstaged"}, "%d of %s's agreed persons are in no stage and not on the reserve list (first: %s)", missing, party, first)
		}
		for _, pt := range t.PartList() {
			got := Counts{}
			for c, n := range staged[party] {
				// Terms without parts are one part of every category.
				if in, ok := t.PartOf(c); ok && in.ID == pt.ID || pt.ID == "" {
					got[c] = n
				}
			}
			var total, floor, ceiling errs.FieldError
			switch pt.ID {
			case "":
				total = problem(errs.FieldError{Field: "stages", Code: "total_mismatch"}, "%s releases %d in its stages; the terms say %d", party, got.Total(), pt.Total)
				floor = problem(errs.FieldError{Field: "stages", Code: "below_floor"}, "%s releases %d in its stages; the terms say at least %d", party, got.Total(), pt.Floor)
				ceiling = problem(errs.FieldError{Field: "stages", Code: "above_ceiling"}, "%s releases %d in its stages; the terms say at most %d", party, got.Total(), pt.Ceiling)
			default:
				total = problem(errs.FieldError{Field: "stages", Code: "part_total_mismatch"}, "%s releases %d of part %s in its stages; the terms say %d", party, got.Total(), pt.ID, pt.Total)
				floor = problem(errs.FieldError{Field: "stages", Code: "part_below_floor"}, "%s releases %d of part %s in its stages; the terms say at least %d", party, got.Total(), pt.ID, pt.Floor)
				ceiling = problem(errs.FieldError{Field: "stages", Code: "part_above_ceiling"}, "%s releases %d of part %s in its stages; the terms say at most %d", party, got.Total(), pt.ID, pt.Ceiling)
			}
			switch pt.Kind {
			case Numeric:
				if pt.Total > 0 && got.Total() != pt.Total {
					fe = append(fe, total)
				}
				want := Counts{}
				for _, r := range pt.Rules {
					want[r.Category] += r.Count
				}
				for c, n := range want {
					if n > 0 && got[c] != n {
						add(errs.FieldError{Field: "stages", Code: "category_mismatch"}, "%s releases %d %s in its stages; the terms say %d", party, got[c], c, n)
					}
				}
			case CategoryTerms:
				if pt.Floor > 0 && got.Total() < pt.Floor {
					fe = append(fe, floor)
				}
				if pt.Ceiling > 0 && got.Total() > pt.Ceiling {
					fe = append(fe, ceiling)
				}
			}
		}
	}
	if fe != nil {
		return errs.E("exchange.StagePlan.Validate", errs.Invalid, "invalid stage plan", fe)
	}
	return nil
}

// numericOnly returns the counts of c in the categories whose part is
// numeric (N for N): what a stage must pair up on both sides. Under
// numeric terms a category no rule takes is kept, so that a mismatch still
// shows.
func numericOnly(t *Terms, c Counts) Counts {
	out := Counts{}
	for k, n := range c {
		if p, ok := t.PartOf(k); ok && p.Kind == Numeric || !ok && t.Kind == Numeric {
			out[k] = n
		}
	}
	return out
}
