package crossing

import (
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// fullStage returns the plan and events of a stage of n persons per side
// (70% military, 30% civilians), everyone released and received but a few refusals
// balanced from reserves, and the stage in closing.
func fullStage(n int) (Plan, Rule, []Event) {
	mil := n * 7 / 10
	plan := mkPlan(1, map[person.Category]int{person.Military: mil, person.Civilian: n - mil}, 20)
	rule := Rule{Kind: NForN, Reserves: true}
	b := newEv()
	events := []Event{b.stage(StageOpened, "")}
	for _, side := range []string{"UA", "RU"} {
		for i, pp := range plan.Sides[side].Persons {
			if i%1000 == 7 {
				events = append(events, b.refused(side, pp.RecordID))
				events = append(events, b.replaced(side, pp.RecordID, side+"-"+string(pp.Category)+"-r"+itoa(i/1000))...)
				continue
			}
			events = append(events, b.crossed(side, pp.RecordID)...)
		}
	}
	return plan, rule, append(events, b.stage(StageClosing, ""))
}

// BenchmarkReport10k is the parity recomputation at 10,000 persons per
// side of a stage: what runs after every event.
func BenchmarkReport10k(b *testing.B) {
	plan, rule, events := fullStage(10000)
	s, err := Replay(plan, rule, events)
	if err != nil {
		b.Fatal(err)
	}
	if r := s.Report(); !r.MayClose {
		b.Fatalf("blockers %v", r.Blockers)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Report()
	}
}

// BenchmarkCompute10k is the pure engine from scratch: the plan and all
// 40,000 events (a release and a receipt per person) of a stage of 10,000 persons per side replayed, then the
// report.
func BenchmarkCompute10k(b *testing.B) {
	plan, rule, events := fullStage(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(plan, rule, events); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply is the cost of recording one handover event.
func BenchmarkApply(b *testing.B) {
	plan, rule, events := fullStage(10000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, err := New(plan, rule)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, e := range events {
			if _, err := s.Apply(e); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}

// BenchmarkReport10kReleased is the parity recomputation at its worst for
// the two-sided handover: 10,000 persons per side released and none of
// them received yet, so every one is a disagreement flag of the report.
func BenchmarkReport10kReleased(b *testing.B) {
	plan, rule, _ := fullStage(10000)
	e := newEv()
	events := []Event{e.stage(StageOpened, "")}
	for _, side := range []string{"UA", "RU"} {
		for _, pp := range plan.Sides[side].Persons {
			events = append(events, e.released(side, pp.RecordID))
		}
	}
	s, err := Replay(plan, rule, events)
	if err != nil {
		b.Fatal(err)
	}
	if r := s.Report(); len(r.Flags) != 20000 {
		b.Fatalf("%d flags", len(r.Flags))
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Report()
	}
}
