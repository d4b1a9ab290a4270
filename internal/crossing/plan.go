package crossing

import (
	"sort"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Plan is what the agreement says about one stage: for each releasing side,
// the persons it hands over, its reserves and its planned counts per
// category; the crossing points and the window. The caller maps the
// exchange's frozen stage plan onto it.
type Plan struct {
	Exchange string `json:"exchange"` // opaque exchange id
	Stage    int    `json:"stage"`    // stage number, from 1
	// Sides maps a party code ("UA", "RU") to what that party releases.
	Sides  map[string]SidePlan `json:"sides"`
	Points []string            `json:"points,omitempty"`
	Window Window              `json:"window,omitzero"`
}

// SidePlan is what one party releases in a stage.
type SidePlan struct {
	Persons  []PlannedPerson `json:"persons"`
	Reserves []PlannedPerson `json:"reserves,omitempty"`
	// Planned is the planned count per category; when nil it is the count
	// of Persons per category.
	Planned map[person.Category]int `json:"planned,omitempty"`
	// Holds are the persons and reserves of this side held back, by record
	// id, with the reason shown to the officers: their record changed
	// after the agreement was signed (docs/design/crossing.md, "What was
	// signed is what crosses"). A held person may be handed over but MUST
	// NOT count toward parity, and is flagged, until an amendment lifts the
	// hold; a reserve may cross in their place.
	Holds map[string]string `json:"holds,omitempty"`
}

// PlannedPerson is one person on a stage's list or reserve list.
type PlannedPerson struct {
	RecordID string          `json:"record_id"`
	Category person.Category `json:"category"`
}

// sideNames returns the plan's side codes in sorted order.
func (p Plan) sideNames() []string {
	out := make([]string, 0, len(p.Sides))
	for s := range p.Sides {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// planned returns the planned count of side in category c.
func (sp SidePlan) planned() map[person.Category]int {
	if sp.Planned != nil {
		return sp.Planned
	}
	m := map[person.Category]int{}
	for _, p := range sp.Persons {
		m[p.Category]++
	}
	return m
}

// Validate checks a plan against a rule: two sides other than the
// mediator, known categories, no person twice, planned counts that match
// the list, and for N-for-N equal planned counts on both sides.
func (p Plan) Validate(rule Rule) error {
	var fe []errs.FieldError
	bad := func(f errs.FieldError) { fe = append(fe, f) }
	if p.Stage < 1 {
		bad(errs.FieldError{Field: "stage", Message: "must be 1 or more", Code: "stage_one_or_more"})
	}
	if len(p.Sides) != 2 {
		bad(errs.FieldError{Field: "sides", Message: "a stage has exactly two releasing sides, got " + itoa(len(p.Sides)), Args: []string{itoa(len(p.Sides))}, Code: "two_sides"})
	}
	if !p.Window.Valid() {
		bad(errs.FieldError{Field: "window", Message: "must end after it starts", Code: "window_order"})
	}
	if !rule.Kind.Valid() {
		bad(errs.FieldError{Field: "rule", Message: "unknown parity rule", Code: "bad_parity_rule"})
	}
	type at struct {
		list string
		i    int
	}
	seen := map[pkey]at{}
	for _, side := range p.sideNames() {
		sp := p.Sides[side]
		if side == "" || side == Mediator {
			bad(errs.FieldError{Field: "sides", Message: quote(side) + " is not a party", Args: []string{side}, Code: "not_party"})
		}
		check := func(list string, ps []PlannedPerson) {
			for i, pp := range ps {
				where := func() string { return side + "." + list + "[" + itoa(i) + "]" }
				if pp.RecordID == "" {
					bad(errs.FieldError{Field: where() + ".record_id", Message: "is required", Code: "required"})
					continue
				}
				if !pp.Category.Valid() {
					bad(errs.FieldError{Field: where() + ".category", Message: quote(string(pp.Category)) + " is not a category", Args: []string{string(pp.Category)}, Code: "not_category"})
				}
				k := pkey{side, pp.RecordID}
				if prev, dup := seen[k]; dup {
					bad(errs.FieldError{Field: where() + ".record_id", Message: quote(pp.RecordID) + " is already at " + side + "." + prev.list + "[" + itoa(prev.i) + "]", Args: []string{pp.RecordID, side + "." + prev.list + "[" + itoa(prev.i) + "]"}, Code: "already_at"})
				}
				seen[k] = at{list, i}
			}
		}
		check("persons", sp.Persons)
		check("reserves", sp.Reserves)
		for _, id := range sortedKeys(sp.Holds) {
			if _, ok := seen[pkey{side, id}]; !ok {
				bad(errs.FieldError{Field: side + ".holds", Message: quote(id) + " is not on " + side + "'s list or reserves", Args: []string{id, side}, Code: "hold_not_listed"})
			}
		}
		if sp.Planned != nil {
			have := map[person.Category]int{}
			for _, pp := range sp.Persons {
				have[pp.Category]++
			}
			for _, c := range categoriesOf(sp.Planned, have) {
				if sp.Planned[c] != have[c] {
					bad(errs.FieldError{Field: side + ".planned." + string(c), Message: "plans " + itoa(sp.Planned[c]) + " but the list has " + itoa(have[c]), Args: []string{itoa(sp.Planned[c]), itoa(have[c])}, Code: "plans_but_list"})
				}
			}
		}
	}
	for i, pr := range rule.Parts {
		if pr.ID == "" || !pr.Kind.Valid() {
			bad(errs.FieldError{Field: "rule.parts[" + itoa(i) + "]", Message: "a part needs an id and a known parity rule", Code: "bad_parity_part"})
		}
	}
	if len(p.Sides) == 2 {
		names := p.sideNames()
		a, b := p.Sides[names[0]].planned(), p.Sides[names[1]].planned()
		for _, c := range categoriesOf(a, b) {
			if rule.kindOf(c) == NForN && a[c] != b[c] {
				bad(errs.FieldError{Field: "planned." + string(c), Message: "N for N needs equal counts: " + names[0] + " plans " + itoa(a[c]) + ", " + names[1] + " plans " + itoa(b[c]), Args: []string{names[0], itoa(a[c]), names[1], itoa(b[c])}, Code: "n_for_n_counts"})
			}
		}
	}
	if len(fe) > 0 {
		return errs.E("crossing.Plan.Validate", errs.Invalid, "the stage plan is not valid", fe)
	}
	return nil
}

// categoriesOf returns the categories present in any of ms, in
// person.Categories order, then any others sorted.
func categoriesOf(ms ...map[person.Category]int) []person.Category {
	set := map[person.Category]bool{}
	for _, m := range ms {
		for c := range m {
			set[c] = true
		}
	}
	var out []person.Category
	for _, c := range person.Categories {
		if set[c] {
			out = append(out, c)
			delete(set, c)
		}
	}
	var rest []person.Category
	for c := range set {
		rest = append(rest, c)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	return append(out, rest...)
}
