package crossing

import (
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TestHoldDoesNotCount: a person held back (the record changed after the
// agreement was signed) may be handed over, but does not count toward
// parity and is flagged until the hold is lifted (an amendment), or a
// reserve crosses in their place.
func TestHoldDoesNotCount(t *testing.T) {
	plan := mkPlan(1, map[person.Category]int{person.Military: 3}, 1)
	held := plan.Sides["UA"]
	held.Holds = map[string]string{"UA-military-1": "surname, service_number"}
	plan.Sides["UA"] = held
	rule := Rule{Kind: NForN, Reserves: true}
	b := newEv()
	events := []Event{b.stage(StageOpened, "")}
	for _, side := range []string{"UA", "RU"} {
		for _, id := range []string{"-military-0", "-military-1", "-military-2"} {
			events = append(events, b.crossed(side, side+id)...)
		}
	}
	s, err := Replay(plan, rule, events)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Report()
	ua := r.Sides["UA"].Total
	if ua.HandedOver != 2 || ua.Held != 1 || ua.Left != 1 || r.Parity {
		t.Fatalf("UA %+v, parity %v, want 2 counted, 1 held, 1 left", ua, r.Parity)
	}
	if len(r.Flags) != 1 || r.Flags[0].Kind != FlagCorrected || r.Flags[0].RecordID != "UA-military-1" || r.Flags[0].Reason != "surname, service_number" {
		t.Fatalf("flags %+v", r.Flags)
	}
	p, _ := s.Person("UA", "UA-military-1")
	if p.Counted || p.Hold == "" || p.Outcome != OutcomeHandedOver {
		t.Fatalf("held person %+v", p)
	}
	if sum := s.Summary(); sum.Held != 1 || sum.HandedOver["UA"] != 2 {
		t.Fatalf("summary %+v", sum)
	}
	// The amendment lifts the hold: the same events now balance.
	plan.Sides["UA"] = SidePlan{Persons: held.Persons, Reserves: held.Reserves}
	s, err = Replay(plan, rule, events)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Report(); !r.Parity || r.Sides["UA"].Total.HandedOver != 3 || len(r.Flags) != 0 {
		t.Fatalf("after the amendment: %+v", r)
	}
}

// TestHoldReplacedByReserve: a held person still to cross may be replaced
// by a reserve, who counts.
func TestHoldReplacedByReserve(t *testing.T) {
	plan := mkPlan(1, map[person.Category]int{person.Military: 1}, 1)
	sp := plan.Sides["RU"]
	sp.Holds = map[string]string{"RU-military-0": "surname"}
	plan.Sides["RU"] = sp
	b := newEv()
	events := append([]Event{b.stage(StageOpened, "")}, b.crossed("UA", "UA-military-0")...)
	s, err := Replay(plan, Rule{Kind: NForN, Reserves: true}, append(events, b.replaced("RU", "RU-military-0", "RU-military-r0")...))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Report(); !r.Parity {
		t.Fatalf("a reserve in the held person's place: %+v", r)
	}
}

// TestHoldMustBeOnTheSide: a hold names a person or reserve of its side.
func TestHoldMustBeOnTheSide(t *testing.T) {
	plan := mkPlan(1, map[person.Category]int{person.Military: 1}, 0)
	sp := plan.Sides["UA"]
	sp.Holds = map[string]string{"RU-military-0": "surname"}
	plan.Sides["UA"] = sp
	err := plan.Validate(Rule{Kind: NForN})
	if errs.KindOf(err) != errs.Invalid {
		t.Fatalf("got %v", err)
	}
}
