package exchange

import (
	"fmt"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// This file hands a signed agreement's stage to the crossing engine: the
// crossing package knows no agreement, so the plan and rule of a stage are
// worked out here, where the terms are.

// CrossingPlan maps stage n of the agreement onto the crossing engine's
// plan and rule: the persons and planned counts of each side, the side's whole
// reserve list, the crossing point and the window. Numeric terms are N for
// N; category terms are all for all; parts terms hold each part to its own
// rule. Substitution is allowed when the agreement has a reserve list.
// The third result is the stage's crossing point. NotFound (no_stage) when
// the agreement has no stage n.
func (a *Agreement) CrossingPlan(n int) (crossing.Plan, crossing.Rule, string, error) {
	const op = "exchange.CrossingPlan"
	var st *Stage
	for i := range a.Plan.Stages {
		if a.Plan.Stages[i].Number == n {
			st = &a.Plan.Stages[i]
		}
	}
	if st == nil {
		return crossing.Plan{}, crossing.Rule{}, "", errs.E(op, errs.NotFound, fmt.Sprintf("the agreement has no stage %d", n), errs.Coded{Code: "no_stage", Args: []string{fmt.Sprint(n)}})
	}
	cat := map[string]person.Category{}
	reserves := map[string][]crossing.PlannedPerson{}
	for _, sd := range a.Sides {
		for _, p := range sd.Persons {
			cat[sd.Party+"\x00"+p.RecordID] = p.Category
		}
		for _, p := range sd.Reserve {
			reserves[sd.Party] = append(reserves[sd.Party], crossing.PlannedPerson{RecordID: p.RecordID, Category: p.Category})
		}
	}
	plan := crossing.Plan{Exchange: a.Exchange.ID, Stage: n, Sides: map[string]crossing.SidePlan{}, Points: []string{st.Crossing},
		Window: crossing.Window{Start: st.Start, End: st.End}}
	rule := crossing.Rule{Kind: crossing.NForN, Observed: st.Observed}
	if a.Exchange.Terms.Kind == CategoryTerms {
		rule.Kind = crossing.AllForAll
	}
	if t := &a.Exchange.Terms; t.Kind == PartsTerms {
		// Parity per part: a numeric part N for N, a category part (the
		// seriously wounded, GC III Art. 109(1)) all for all.
		for _, pt := range t.Parts {
			pr := crossing.PartRule{ID: pt.ID, Kind: crossing.NForN}
			if pt.Kind == CategoryTerms {
				pr.Kind = crossing.AllForAll
			}
			for _, c := range person.Categories {
				if in, ok := t.PartOf(c); ok && in.ID == pt.ID {
					pr.Categories = append(pr.Categories, c)
				}
			}
			rule.Parts = append(rule.Parts, pr)
		}
		if len(rule.Parts) > 0 {
			rule.Kind = rule.Parts[0].Kind
		}
	}
	for _, sd := range st.Sides {
		sp := crossing.SidePlan{Reserves: reserves[sd.Party], Planned: map[person.Category]int{}}
		for _, id := range sd.Persons {
			sp.Persons = append(sp.Persons, crossing.PlannedPerson{RecordID: id, Category: cat[sd.Party+"\x00"+id]})
		}
		for c, k := range sd.Planned {
			if k != 0 {
				sp.Planned[c] = k
			}
		}
		if len(sp.Reserves) > 0 {
			rule.Reserves = true
		}
		plan.Sides[sd.Party] = sp
	}
	if !st.Start.Before(st.End) {
		plan.Window = crossing.Window{}
	}
	return plan, rule, st.Crossing, nil
}
