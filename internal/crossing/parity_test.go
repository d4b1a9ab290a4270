package crossing

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TestMay2025 plays the shape of the exchange of 23–25 May 2025: stages of
// 390 (270 military + 120 civilians), 307 and 303 each way, with a few
// refusals, no-shows replaced from reserves and one unlisted person
// flagged; each stage closes with parity, and the stages total 1,000.
func TestMay2025(t *testing.T) {
	rule := Rule{Kind: NForN, Reserves: true}
	stages := []map[person.Category]int{
		{person.Military: 270, person.Civilian: 120},
		{person.Military: 307},
		{person.Military: 303},
	}
	total := map[string]int{}
	for i, per := range stages {
		n := i + 1
		t.Run(fmt.Sprintf("stage %d", n), func(t *testing.T) {
			s, err := New(mkPlan(n, per, 5), rule)
			if err != nil {
				t.Fatal(err)
			}
			b := newEv()
			mustApply(t, s, b.stage(StageOpened, ""))
			// The exceptions of this stage: on UA's list, person 3 refuses
			// and person 5 is not presented; on RU's list, person 7 is not
			// presented. RU also presents one person not on the agreement.
			except := map[string]bool{"UA-military-3": true, "UA-military-5": true, "RU-military-7": true}
			for _, side := range []string{"UA", "RU"} {
				for _, pp := range s.Plan().Sides[side].Persons {
					if !except[pp.RecordID] {
						mustApply(t, s, b.crossed(side, pp.RecordID)...)
					}
				}
			}
			mustApply(t, s, b.refused("UA", "UA-military-3"), b.notPresented("UA", "UA-military-5"), b.notPresented("RU", "RU-military-7"))
			u := b.unlisted("RU", person.Military)
			mustApply(t, s, u)

			r := s.Report()
			if r.Parity {
				t.Fatal("parity before the reserves crossed")
			}
			if len(r.Balance) != 3 {
				t.Fatalf("balance %+v, want 3 suggestions", r.Balance)
			}
			for _, sg := range r.Balance {
				mustApply(t, s, b.replaced(sg.Side, sg.Replaces, sg.Reserve)...)
			}
			mustApply(t, s, b.amend(AmendmentRejected, "UA", u.ID))
			mustApply(t, s, b.stage(StageClosing, ""))
			r = s.Report()
			if !r.MayClose {
				t.Fatalf("may not close: %v", r.Blockers)
			}
			mustApply(t, s, b.stage(StageClosed, ""))
			got := s.Summary()
			planned := per[person.Military] + per[person.Civilian]
			want := StageSummary{Stage: n, Planned: planned, HandedOver: map[string]int{"UA": planned, "RU": planned},
				Refused: 1, NotPresented: 2, Substituted: 3, Unlisted: 1, Parity: true}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
			js, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			wantJS := fmt.Sprintf(`{"stage":%d,"planned":%d,"handed_over":{"RU":%d,"UA":%d},"refused":1,"not_presented":2,"substituted":3,"unlisted":1,"parity":true}`, n, planned, planned, planned)
			if string(js) != wantJS {
				t.Fatalf("summary JSON\n got %s\nwant %s", js, wantJS)
			}
			if len(r.Flags) != 1 || r.Flags[0].Kind != "unlisted" || r.Flags[0].Amendment != AmendRejected {
				t.Fatalf("flags %+v, want the unlisted person flagged", r.Flags)
			}
			if c := r.Sides["UA"].ByCategory[person.Civilian]; per[person.Civilian] > 0 && c.HandedOver != 120 {
				t.Fatalf("UA civilians %+v", c)
			}
			for side, sr := range r.Sides {
				total[side] += sr.Total.HandedOver
			}
		})
	}
	if total["UA"] != 1000 || total["RU"] != 1000 {
		t.Fatalf("totals %v, want 1000 each way", total)
	}
}

// Test2017 is the Donbas exchange of December 2017: 26 persons refused at
// the exchange point itself, mid-stage. The stage still closes: by
// reserves where the terms allow them, by a recorded discrepancy otherwise.
func Test2017(t *testing.T) {
	const listed, refusing = 100, 26
	run := func(t *testing.T, rule Rule, reserves int) (*Stage, *ev) {
		s, err := New(mkPlan(1, map[person.Category]int{person.Military: listed}, reserves), rule)
		if err != nil {
			t.Fatal(err)
		}
		b := newEv()
		mustApply(t, s, b.stage(StageOpened, ""))
		for i := range listed {
			mustApply(t, s, b.crossed("RU", fmt.Sprintf("RU-military-%d", i))...)
			// Mid-stage, 26 of UA's list refuse at the point.
			if i%3 == 0 && i/3 < refusing {
				mustApply(t, s, b.refused("UA", fmt.Sprintf("UA-military-%d", i)))
			} else {
				mustApply(t, s, b.crossed("UA", fmt.Sprintf("UA-military-%d", i))...)
			}
		}
		mustApply(t, s, b.stage(StageClosing, ""))
		return s, b
	}
	t.Run("balanced by reserves", func(t *testing.T) {
		s, b := run(t, Rule{Kind: NForN, Reserves: true}, 30)
		r := s.Report()
		if got := r.Sides["UA"].Total; got.Refused != refusing || got.Left != refusing || got.HandedOver != listed-refusing {
			t.Fatalf("UA %+v", got)
		}
		if len(r.Balance) != refusing {
			t.Fatalf("got %d suggestions, want %d", len(r.Balance), refusing)
		}
		for _, sg := range r.Balance {
			mustApply(t, s, b.replaced(sg.Side, sg.Replaces, sg.Reserve)...)
		}
		mustApply(t, s, b.stage(StageClosed, ""))
		if s.Discrepancy() != "" || !s.History()[len(s.History())-1].Parity {
			t.Fatalf("closed with %q", s.Discrepancy())
		}
		// The refusals stay on record: the persons stay on the agreement.
		if got := s.Report().Sides["UA"].Total; got.Refused != refusing || got.Substituted != refusing {
			t.Fatalf("UA %+v", got)
		}
	})
	t.Run("too few reserves: discrepancy", func(t *testing.T) {
		s, b := run(t, Rule{Kind: NForN, Reserves: true}, 10)
		r := s.Report()
		for _, sg := range r.Balance {
			mustApply(t, s, b.replaced(sg.Side, sg.Replaces, sg.Reserve)...)
		}
		r = s.Report()
		if r.Parity || r.Sides["UA"].Total.Left != refusing-10 {
			t.Fatalf("report %+v", r)
		}
		_, err := s.Apply(b.stage(StageClosed, ""))
		wantKind(t, err, errs.Conflict)
		mustApply(t, s, b.stage(StageClosed, "16 refused at the point with no reserve left (GC III Art. 109(3))"))
		if s.State() != Closed || s.Discrepancy() == "" || s.History()[len(s.History())-1].Parity {
			t.Fatalf("got %s %q", s.State(), s.Discrepancy())
		}
	})
	t.Run("no reserves in the terms: discrepancy", func(t *testing.T) {
		s, b := run(t, Rule{Kind: NForN}, 0)
		r := s.Report()
		if r.MayClose || len(r.Balance) != 0 {
			t.Fatalf("report %+v", r)
		}
		// A party cannot record the discrepancy: only the mediator.
		c := b.stage(StageClosed, "26 refused")
		c.Party = "RU"
		_, err := s.Apply(c)
		wantKind(t, err, errs.Forbidden)
		mustApply(t, s, b.stage(StageClosed, "26 refused at the point (GC III Art. 109(3))"))
	})
	t.Run("all for all: a refusal accounts for the person", func(t *testing.T) {
		s, _ := run(t, Rule{Kind: AllForAll}, 0)
		if r := s.Report(); !r.MayClose {
			t.Fatalf("blockers %v", r.Blockers)
		}
	})
}

func TestAllForAllNoShowBlocks(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.SeriouslyWoundedSick: 2}, 0, Rule{Kind: AllForAll})
	for _, rec := range []string{"UA-seriously_wounded_sick-0", "UA-seriously_wounded_sick-1", "RU-seriously_wounded_sick-0"} {
		mustApply(t, s, b.crossed(rec[:2], rec)...)
	}
	mustApply(t, s, b.notPresented("RU", "RU-seriously_wounded_sick-1"))
	r := s.Report()
	if r.Parity || r.Sides["RU"].Total.Left != 1 || r.Sides["UA"].Total.Left != 0 {
		t.Fatalf("report %+v", r)
	}
}

func TestNoParityRemains(t *testing.T) {
	plan := Plan{Exchange: "exchange:2", Stage: 1, Sides: map[string]SidePlan{}}
	for side, n := range map[string]int{"RU": 60, "UA": 1} {
		var sp SidePlan
		for i := range n {
			sp.Persons = append(sp.Persons, PlannedPerson{RecordID: fmt.Sprintf("%s-%d", side, i), Category: person.RemainsCategory})
		}
		plan.Sides[side] = sp
	}
	if err := plan.Validate(Rule{Kind: NForN}); err == nil {
		t.Fatal("60 against 1 is not N for N")
	}
	s, err := New(plan, Rule{Kind: NoParity})
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	mustApply(t, s, b.stage(StageOpened, ""))
	for _, side := range []string{"RU", "UA"} {
		for _, pp := range plan.Sides[side].Persons {
			mustApply(t, s, b.crossed(side, pp.RecordID)...)
		}
	}
	mustApply(t, s, b.stage(StageClosing, ""))
	if r := s.Report(); !r.MayClose || r.Sides["RU"].Total.HandedOver != 60 || r.Sides["UA"].Total.HandedOver != 1 {
		t.Fatalf("report %+v", r)
	}
}

func TestPlanValidate(t *testing.T) {
	good := mkPlan(1, map[person.Category]int{person.Military: 2}, 1)
	for _, tc := range []struct {
		name string
		mut  func(p *Plan)
	}{
		{"one side", func(p *Plan) { delete(p.Sides, "RU") }},
		{"no stage", func(p *Plan) { p.Stage = 0 }},
		{"duplicate person", func(p *Plan) {
			sp := p.Sides["UA"]
			sp.Reserves = append(sp.Reserves, sp.Persons[0])
			p.Sides["UA"] = sp
		}},
		{"planned count off", func(p *Plan) {
			sp := p.Sides["UA"]
			sp.Planned = map[person.Category]int{person.Military: 3}
			p.Sides["UA"] = sp
		}},
		{"bad category", func(p *Plan) {
			sp := p.Sides["UA"]
			sp.Persons = append([]PlannedPerson(nil), sp.Persons...)
			sp.Persons[0].Category = "convict"
			p.Sides["UA"] = sp
		}},
		{"unequal N for N", func(p *Plan) {
			sp := p.Sides["UA"]
			sp.Persons = sp.Persons[:1]
			p.Sides["UA"] = sp
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mkPlan(1, map[person.Category]int{person.Military: 2}, 1)
			tc.mut(&p)
			wantKind(t, p.Validate(Rule{Kind: NForN}), errs.Invalid)
		})
	}
	if err := good.Validate(Rule{Kind: NForN}); err != nil {
		t.Fatal(err)
	}
}

func TestAllForAllObjectionBlocks(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Civilian: 1}, 0, Rule{Kind: AllForAll})
	mustApply(t, s, b.crossed("UA", "UA-civilian-0")...)
	e := b.received("RU", "RU-civilian-0")
	e.Objection = "convicted of theft, not a civilian detainee"
	mustApply(t, s, b.released("RU", "RU-civilian-0"), e)
	if r := s.Report(); r.Parity || r.Sides["RU"].Total.Left != 1 || len(r.Balance) != 0 {
		t.Fatalf("a pending objection passed silently: %+v", r)
	}
	mustApply(t, s, b.amend(AmendmentAccepted, "UA", e.ID), b.amend(AmendmentAccepted, "RU", e.ID))
	if r := s.Report(); !r.Parity || r.Sides["RU"].Total.HandedOver != 1 {
		t.Fatalf("accepted by both: %+v", r)
	}
}

// TestBlockerCodes: every blocker comes also as a code with its side,
// category and counts, one for one with the English lines, so that a page
// says it in the user's language; and a refused close carries the stage
// and each blocker as a coded field error.
func TestBlockerCodes(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 3}, 0, Rule{Kind: NForN})
	mustApply(t, s, b.crossed("UA", "UA-military-0")...)
	mustApply(t, s, b.crossed("UA", "UA-military-1")...)
	mustApply(t, s, b.crossed("RU", "RU-military-0")...)
	r := s.Report()
	if len(r.BlockerCodes) != len(r.Blockers) || len(r.Blockers) == 0 {
		t.Fatalf("%d codes for %d blockers: %v", len(r.BlockerCodes), len(r.Blockers), r.Blockers)
	}
	var got []string
	for i, fe := range r.BlockerCodes {
		if fe.Message != r.Blockers[i] {
			t.Errorf("code %d says %q, the line %q", i, fe.Message, r.Blockers[i])
		}
		got = append(got, fe.Code+fmt.Sprint(fe.Args))
	}
	want := []string{
		"parity_outstanding[RU military 2]", "parity_left_of[RU military 2 1 3]",
		"parity_outstanding[UA military 1]", "parity_left_of[UA military 1 2 3]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
	mustApply(t, s, b.stage(StageClosing, ""))
	_, err := s.Apply(b.stage(StageClosed, ""))
	wantKind(t, err, errs.Conflict)
	fes := errs.Fields(err)
	if len(fes) != 1+len(r.BlockerCodes) || fes[0].Code != "may_not_close" || fes[1].Code != "parity_outstanding" || fes[1].Args[0] != "RU" {
		t.Errorf("close refused with %+v", fes)
	}
}
