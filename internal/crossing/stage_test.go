package crossing

import (
	"encoding/json"
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func TestStageLifecycle(t *testing.T) {
	plan := mkPlan(1, map[person.Category]int{person.Military: 2}, 1)
	s, err := New(plan, Rule{Kind: NForN, Reserves: true})
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	// Handovers before the stage opens are refused.
	_, err = s.Apply(b.released("UA", "UA-military-0"))
	wantKind(t, err, errs.Conflict)

	slip := b.stage(StageSlipped, "weather")
	slip.Window = Window{Start: t0.Add(24 * 3600e9), End: t0.Add(30 * 3600e9)}
	mustApply(t, s, slip, b.stage(StageOpened, ""))
	// A slip is allowed only while planned.
	slip2 := b.stage(StageSlipped, "again")
	slip2.Window = slip.Window
	_, err = s.Apply(slip2)
	wantKind(t, err, errs.Conflict)

	for _, side := range []string{"UA", "RU"} {
		mustApply(t, s, b.crossed(side, side+"-military-0")...)
	}
	// A party may not move the stage.
	c := b.stage(StageClosing, "")
	c.Party = "UA"
	_, err = s.Apply(c)
	wantKind(t, err, errs.Forbidden)

	mustApply(t, s, b.stage(StageClosing, ""))
	_, err = s.Apply(b.stage(StageClosed, ""))
	wantKind(t, err, errs.Conflict) // one outstanding per side

	// Suspension needs a reason; resuming returns to open.
	_, err = s.Apply(b.stage(StageSuspended, ""))
	wantKind(t, err, errs.Invalid)
	mustApply(t, s, b.stage(StageSuspended, "shelling near the crossing"))
	if s.Reason() == "" || s.State() != Suspended {
		t.Fatalf("got %s %q, want suspended with a reason", s.State(), s.Reason())
	}
	// Someone crossed: the stage cannot be cancelled.
	_, err = s.Apply(b.stage(StageCancelled, "called off"))
	wantKind(t, err, errs.Conflict)
	mustApply(t, s, b.stage(StageResumed, ""))
	for _, side := range []string{"UA", "RU"} {
		mustApply(t, s, b.crossed(side, side+"-military-1")...)
	}
	mustApply(t, s, b.stage(StageClosing, ""))
	if r := s.Report(); !r.MayClose {
		t.Fatalf("report: %+v, want may close", r)
	}
	mustApply(t, s, b.stage(StageClosed, ""))
	if s.State() != Closed || s.Discrepancy() != "" {
		t.Fatalf("got %s %q", s.State(), s.Discrepancy())
	}
	h := s.History()
	if len(h) != 7 || !h[len(h)-1].Parity {
		t.Fatalf("history %+v", h)
	}
	_, err = s.Apply(b.received("UA", "UA-military-1"))
	wantKind(t, err, errs.Conflict)
}

func TestTransitionTable(t *testing.T) {
	for _, tc := range []struct {
		from State
		via  EventType
		to   State
		ok   bool
	}{
		{Planned, StageOpened, Open, true},
		{Planned, StageClosed, 0, false},
		{Open, StageClosed, 0, false},
		{Open, StageCancelled, 0, false},
		{Closing, StageClosed, Closed, true},
		{Suspended, StageResumed, Open, true},
		{Closed, StageReopened, 0, false},
		{Cancelled, StageOpened, 0, false},
	} {
		t.Run(tc.from.String()+"/"+tc.via.String(), func(t *testing.T) {
			to, ok := next(tc.from, tc.via)
			if ok != tc.ok || to != tc.to {
				t.Errorf("got %s %v, want %s %v", to, ok, tc.to, tc.ok)
			}
		})
	}
	for s := Planned; s <= Cancelled; s++ {
		got, err := ParseState(s.String())
		if err != nil || got != s {
			t.Errorf("ParseState(%s) = %v, %v", s, got, err)
		}
		if s.Final() != (len(Allowed(s)) == 0) {
			t.Errorf("%s: final %v but allows %v", s, s.Final(), Allowed(s))
		}
	}
}

func TestCancelPlanned(t *testing.T) {
	s, err := New(mkPlan(2, map[person.Category]int{person.Military: 1}, 0), Rule{Kind: NForN})
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	mustApply(t, s, b.stage(StageCancelled, "the other side did not come"))
	if s.State() != Cancelled {
		t.Fatalf("got %s", s.State())
	}
}

func TestTextEncodings(t *testing.T) {
	type doc struct {
		State State       `json:"state"`
		Rule  RuleKind    `json:"rule"`
		Trace TraceStatus `json:"trace"`
	}
	in := doc{State: Closing, Rule: AllForAll, Trace: TraceInStage}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"state":"closing","rule":"all_for_all","trace":"in_stage"}`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"state":"ajar"}`), &out); err == nil {
		t.Fatal("an unknown state decoded")
	}
}

// TestUnderWay: officers work on a stage from its opening until it is
// final; a planned stage is not yet under way.
func TestUnderWay(t *testing.T) {
	want := map[State]bool{Planned: false, Open: true, Closing: true, Suspended: true, Closed: false, Cancelled: false}
	for s, w := range want {
		if s.UnderWay() != w {
			t.Errorf("%s: under way %v, want %v", s, s.UnderWay(), w)
		}
		if s.UnderWay() && s.Final() {
			t.Errorf("%s is final and under way", s)
		}
	}
}

// TestCheckClose: the check that changes nothing says what closing would
// say, from open (closing first) or closing, with or without parity.
func TestCheckClose(t *testing.T) {
	plan := mkPlan(1, map[person.Category]int{person.Military: 1}, 0)
	s, err := New(plan, Rule{Kind: NForN})
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	code := func(err error) string {
		if fes := errs.Fields(err); len(fes) > 0 {
			return fes[0].Code
		}
		return ""
	}
	// Planned: a stage not yet open may not close.
	if err := s.CheckClose(""); errs.KindOf(err) != errs.Conflict || code(err) != "not_allowed_in_state" {
		t.Errorf("planned: %v, want not_allowed_in_state", err)
	}
	mustApply(t, s, b.stage(StageOpened, ""))
	// Open, without parity: the refusal closing would give, coded, and
	// the stage still open.
	err = s.CheckClose("")
	if errs.KindOf(err) != errs.Conflict || code(err) != "may_not_close" || len(errs.Fields(err)) < 2 {
		t.Errorf("open without parity: %v, want may_not_close with its blockers", err)
	}
	if s.State() != Open || len(s.History()) != 1 {
		t.Errorf("the check changed the stage: %s, %d changes", s.State(), len(s.History()))
	}
	// With a discrepancy reason it may close; the same as applying says.
	if err := s.CheckClose("the rest next week"); err != nil {
		t.Errorf("open with a reason: %v", err)
	}
	mustApply(t, s, b.stage(StageClosing, ""))
	_, applied := s.Apply(b.stage(StageClosed, ""))
	if checked := s.CheckClose(""); code(checked) != code(applied) || errs.KindOf(checked) != errs.KindOf(applied) {
		t.Errorf("closing: check says %v, applying %v", checked, applied)
	}
	// Parity holds: no reason needed.
	for _, side := range []string{"UA", "RU"} {
		mustApply(t, s, b.crossed(side, side+"-military-0")...)
	}
	if err := s.CheckClose(""); err != nil {
		t.Errorf("closing with parity: %v", err)
	}
	mustApply(t, s, b.stage(StageClosed, ""))
	if err := s.CheckClose("x"); code(err) != "not_allowed_in_state" {
		t.Errorf("closed: %v, want not_allowed_in_state", err)
	}
}
