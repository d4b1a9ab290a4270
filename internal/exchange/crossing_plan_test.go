package exchange

import (
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func TestCrossingPlan(t *testing.T) {
	in, _, _ := example(t)
	a, _, err := Freeze(in)
	noErr(t, err)
	plan, rule, point, err := a.CrossingPlan(1)
	noErr(t, err)
	if point != "Belarus–Ukraine border" || !slices.Equal(plan.Points, []string{point}) {
		t.Errorf("point %q, points %v", point, plan.Points)
	}
	if rule.Kind != crossing.NForN || !rule.Reserves {
		t.Errorf("rule %+v: numeric terms are N for N, with reserves", rule)
	}
	if plan.Exchange != "ex-example" || plan.Stage != 1 || !plan.Window.Start.Equal(a.Plan.Stages[0].Start) {
		t.Errorf("plan %+v", plan)
	}
	for _, p := range []string{"UA", "RU"} {
		sp := plan.Sides[p]
		want := []crossing.PlannedPerson{{RecordID: hid(p, 3), Category: person.Civilian}, {RecordID: hid(p, 1), Category: person.Military}}
		if !slices.Equal(sp.Persons, want) {
			t.Errorf("%s persons %+v, want %+v", p, sp.Persons, want)
		}
		if sp.Planned[person.Military] != 1 || sp.Planned[person.Civilian] != 1 || len(sp.Planned) != 2 {
			t.Errorf("%s planned %v", p, sp.Planned)
		}
		if len(sp.Reserves) != 1 || sp.Reserves[0].RecordID != hid(p, 4) {
			t.Errorf("%s reserves %+v", p, sp.Reserves)
		}
	}
	if _, err := crossing.New(plan, rule); err != nil {
		t.Errorf("the plan is not one the crossing engine takes: %v", err)
	}

	// Category terms are all for all.
	a.Exchange.Terms.Kind = CategoryTerms
	if _, rule, _, err := a.CrossingPlan(2); err != nil || rule.Kind != crossing.AllForAll {
		t.Errorf("category terms: rule %+v, %v", rule, err)
	}

	// A stage the agreement does not have.
	_, _, _, err = a.CrossingPlan(3)
	wantKind(t, err, errs.NotFound)
	if c, _ := errs.CodeOf(err); c != "no_stage" {
		t.Errorf("code %q, want no_stage", c)
	}
}
