package crossing

import (
	"fmt"
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// april19Rule is the parity of the 19 April 2025 exchange: 246 for 246
// with N-for-N parity, and the seriously wounded without numeric parity
// (GC III Art. 109(1): regardless of number).
func april19Rule() Rule {
	return Rule{Kind: NForN, Parts: []PartRule{
		{ID: "pow", Kind: NForN, Categories: []person.Category{person.Military}},
		{ID: "wounded", Kind: AllForAll, Categories: []person.Category{person.SeriouslyWoundedSick}},
	}}
}

func april19Plan() Plan {
	p := Plan{Exchange: "ex-2025-04-19", Stage: 1, Sides: map[string]SidePlan{}, Points: []string{"BY-UA"}}
	for side, wounded := range map[string]int{"UA": 31, "RU": 15} {
		var sp SidePlan
		for i := range 246 {
			sp.Persons = append(sp.Persons, PlannedPerson{RecordID: fmt.Sprintf("%s-military-%d", side, i), Category: person.Military})
		}
		for i := range wounded {
			sp.Persons = append(sp.Persons, PlannedPerson{RecordID: fmt.Sprintf("%s-sws-%d", side, i), Category: person.SeriouslyWoundedSick})
		}
		p.Sides[side] = sp
	}
	return p
}

// TestApril19Parity: 246 for 246 with parity, and 31 and 15 seriously
// wounded without it, in one stage; each part's parity is reported.
func TestApril19Parity(t *testing.T) {
	// One rule for the whole stage cannot hold it: N for N refuses 31
	// against 15.
	if _, err := New(april19Plan(), Rule{Kind: NForN}); err == nil {
		t.Fatal("a single N-for-N rule accepted 31 wounded against 15")
	}
	s, err := New(april19Plan(), april19Rule())
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	mustApply(t, s, b.stage(StageOpened, ""))
	for _, side := range []string{"UA", "RU"} {
		for _, pp := range s.Plan().Sides[side].Persons {
			if pp.RecordID == "RU-military-0" {
				continue
			}
			mustApply(t, s, b.crossed(side, pp.RecordID)...)
		}
	}
	r := s.Report()
	part := func(id string) PartReport {
		t.Helper()
		for _, p := range r.Parts {
			if p.ID == id {
				return p
			}
		}
		t.Fatalf("no part %q in %+v", id, r.Parts)
		return PartReport{}
	}
	if r.Parity || part("pow").Parity || !part("wounded").Parity {
		t.Errorf("one RU soldier outstanding: parity %v, pow %v, wounded %v; want false, false, true (%v)", r.Parity, part("pow").Parity, part("wounded").Parity, r.Blockers)
	}
	if got := part("wounded").Sides["UA"].HandedOver; got != 31 {
		t.Errorf("wounded UA handed over %d, want 31", got)
	}
	mustApply(t, s, b.crossed("RU", "RU-military-0")...)
	r = s.Report()
	if !r.Parity || !part("pow").Parity || !part("wounded").Parity {
		t.Fatalf("all crossed: parity %v %+v (%v)", r.Parity, r.Parts, r.Blockers)
	}
	if p := part("pow"); p.Rule != "n_for_n" || p.Sides["UA"].HandedOver != 246 || p.Sides["RU"].HandedOver != 246 {
		t.Errorf("pow: %+v", p)
	}
	if p := part("wounded"); p.Rule != "all_for_all" || p.Sides["RU"].HandedOver != 15 {
		t.Errorf("wounded: %+v", p)
	}
	mustApply(t, s, b.stage(StageClosing, ""), b.stage(StageClosed, ""))
	sum := s.Summary()
	if !sum.Parity || len(sum.Parts) != 2 || sum.Parts[0].ID != "pow" || !sum.Parts[1].Parity || sum.Parts[1].HandedOver["UA"] != 31 {
		t.Errorf("summary: %+v", sum)
	}
}
