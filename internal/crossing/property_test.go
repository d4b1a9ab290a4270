package crossing

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// randomStage returns a small random plan and rule.
func randomStage(rng *rand.Rand) (Plan, Rule) {
	per := map[person.Category]int{person.Military: 1 + rng.IntN(4)}
	if rng.IntN(2) == 0 {
		per[person.Civilian] = rng.IntN(3)
	}
	rule := Rule{Kind: RuleKind(1 + rng.IntN(3)), Reserves: rng.IntN(3) > 0}
	return mkPlan(1+rng.IntN(3), per, rng.IntN(3)), rule
}

// randomEvent returns an event of a random type about a random person,
// valid or not: the stage must refuse what it cannot accept.
func randomEvent(rng *rand.Rand, b *ev, plan Plan, tried []Event) Event {
	if len(tried) > 0 && rng.IntN(10) == 0 {
		e := tried[rng.IntN(len(tried))] // a retry
		if rng.IntN(3) == 0 {
			e.Reason += " (edited)" // the same id with other content
		}
		return e
	}
	sides := []string{"RU", "UA"}
	side := sides[rng.IntN(2)]
	var ids []string
	sp := plan.Sides[side]
	for _, pp := range sp.Persons {
		ids = append(ids, pp.RecordID)
	}
	var reserves []string
	for _, pp := range sp.Reserves {
		reserves = append(reserves, pp.RecordID)
	}
	pick := func(xs []string) string {
		if len(xs) == 0 || rng.IntN(15) == 0 {
			return "nobody"
		}
		return xs[rng.IntN(len(xs))]
	}
	rec := pick(ids)
	switch rng.IntN(26) {
	case 0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20:
		e := b.handed(side, rec)
		if rng.IntN(12) == 0 {
			e.Objection = "not a civilian"
		}
		return e
	case 6:
		return b.refused(side, rec)
	case 7:
		e := b.refused(side, rec)
		e.ID, e.Type = "w"+e.ID, RefusalWithdrawn
		return e
	case 8:
		return b.notPresented(side, rec)
	case 9:
		e := b.notPresented(side, rec)
		e.Type, e.Reason = IdentityMismatch, "photo differs"
		return e
	case 10, 11:
		e := b.substituted(side, rec, pick(reserves))
		if rng.IntN(10) == 0 {
			e.Objection = "convicted of a non-war crime"
		}
		return e
	case 12:
		return b.unlisted(side, []person.Category{person.Military, person.Civilian}[rng.IntN(2)])
	case 13, 14:
		var subjects []string
		for _, e := range tried {
			if e.Type == UnlistedPresented || e.Objection != "" {
				subjects = append(subjects, e.ID)
			}
		}
		t := AmendmentAccepted
		if rng.IntN(3) == 0 {
			t = AmendmentRejected
		}
		party := sides[rng.IntN(2)]
		if rng.IntN(10) == 0 {
			party = Mediator
		}
		return b.amend(t, party, pick(subjects))
	default:
		types := []EventType{StageOpened, StageClosing, StageReopened, StageClosed, StageClosed, StageSuspended, StageResumed, StageCancelled, StageSlipped}
		t := types[rng.IntN(len(types))]
		reason := ""
		if rng.IntN(2) == 0 {
			reason = "recorded by the mediator"
		}
		e := b.stage(t, reason)
		if t == StageSlipped {
			e.Window = Window{Start: b.at.Add(86400e9), End: b.at.Add(2 * 86400e9)}
		}
		if rng.IntN(15) == 0 {
			e.Party = side
		}
		return e
	}
}

// naiveCounts recounts handed over, refused, not presented, substituted
// and unlisted per side and category straight from the accepted events,
// without the stage's bookkeeping.
func naiveCounts(plan Plan, events []Event) map[string]map[person.Category]Counts {
	cat := map[string]person.Category{}
	for side, sp := range plan.Sides {
		for _, pp := range append(append([]PlannedPerson(nil), sp.Persons...), sp.Reserves...) {
			cat[side+"/"+pp.RecordID] = pp.Category
		}
	}
	out := map[string]map[person.Category]Counts{}
	add := func(side string, c person.Category, f func(*Counts)) {
		if out[side] == nil {
			out[side] = map[person.Category]Counts{}
		}
		x := out[side][c]
		f(&x)
		out[side][c] = x
	}
	accepted, rejected := map[string]map[string]bool{}, map[string]bool{}
	for _, e := range events {
		switch e.Type {
		case AmendmentAccepted:
			if accepted[e.Subject] == nil {
				accepted[e.Subject] = map[string]bool{}
			}
			accepted[e.Subject][e.Party] = true
		case AmendmentRejected:
			rejected[e.Subject] = true
		}
	}
	ok := func(id string) bool { return !rejected[id] && accepted[id]["UA"] && accepted[id]["RU"] }
	for _, e := range events {
		c := cat[e.Side+"/"+e.RecordID]
		switch e.Type {
		case HandedOver:
			add(e.Side, c, func(x *Counts) {
				if e.Objection == "" || ok(e.ID) {
					x.HandedOver++
				} else {
					x.Flagged++
				}
			})
		case SubstitutedBy:
			add(e.Side, c, func(x *Counts) {
				x.Substituted++
				if e.Objection == "" || ok(e.ID) {
					x.HandedOver++
				} else {
					x.Flagged++
				}
			})
		case Refused:
			add(e.Side, c, func(x *Counts) { x.Refused++ })
		case RefusalWithdrawn:
			add(e.Side, c, func(x *Counts) { x.Refused-- })
		case NotPresented:
			add(e.Side, c, func(x *Counts) { x.NotPresented++ })
		case UnlistedPresented:
			add(e.Side, e.Category, func(x *Counts) {
				x.Unlisted++
				if ok(e.ID) {
					x.HandedOver++
				} else {
					x.Flagged++
				}
			})
		}
	}
	return out
}

func checkCounts(t *testing.T, s *Stage, r Report) {
	t.Helper()
	want := naiveCounts(s.Plan(), s.Events())
	for side, sr := range r.Sides {
		for c, got := range sr.ByCategory {
			w := want[side][c]
			g := Counts{HandedOver: got.HandedOver, Refused: got.Refused, NotPresented: got.NotPresented, Substituted: got.Substituted, Unlisted: got.Unlisted, Flagged: got.Flagged}
			if g != w {
				t.Fatalf("%s %s: report %+v, events say %+v\nevents: %v", side, c, g, w, eventTypesOf(s.Events()))
			}
		}
		// Conservation: every listed person is in exactly one bucket.
		byOutcome := map[Outcome]int{}
		for _, pp := range s.Plan().Sides[side].Persons {
			p, err := s.Person(side, pp.RecordID)
			if err != nil {
				t.Fatal(err)
			}
			byOutcome[p.Outcome]++
		}
		listed := len(s.Plan().Sides[side].Persons)
		if got := sr.Total.Outstanding + sr.Total.Refused + sr.Total.NotPresented + byOutcome[OutcomeReplaced] + byOutcome[OutcomeHandedOver]; got != listed {
			t.Fatalf("%s: %+v and %v account for %d of %d listed", side, sr.Total, byOutcome, got, listed)
		}
		if sr.Total.Planned != listed {
			t.Fatalf("%s planned %d, listed %d", side, sr.Total.Planned, listed)
		}
	}
}

func eventTypesOf(es []Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Type) + ":" + e.Side + ":" + e.RecordID
	}
	return out
}

// TestProperties drives random event sequences through random stages and
// checks, at every step: a refused event changes nothing; the counts never
// disagree with the events; a closed stage satisfied the rule or carries a
// discrepancy. At the end: replaying the events gives the same stage, and
// applying them all again changes nothing.
func TestProperties(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range uint64(n) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 2025))
			plan, rule := randomStage(rng)
			s, err := New(plan, rule)
			if err != nil {
				t.Fatal(err)
			}
			b := newEv()
			var tried []Event
			mustApply(t, s, b.stage(StageOpened, ""))
			for range 60 + rng.IntN(60) {
				e := randomEvent(rng, b, plan, tried)
				tried = append(tried, e)
				before, nEvents := s.Report(), len(s.Events())
				dup, err := s.Apply(e)
				after := s.Report()
				if (err != nil || dup) && (!reflect.DeepEqual(before, after) || len(s.Events()) != nEvents) {
					t.Fatalf("%s %s refused (%v, dup %v) but changed the stage", e.Type, e.ID, err, dup)
				}
				checkCounts(t, s, after)
				if s.State() == Closed {
					last := s.History()[len(s.History())-1]
					if s.Discrepancy() == "" && !(last.Parity && after.Parity) {
						t.Fatalf("closed without parity or discrepancy: %+v", after)
					}
				}
			}
			if testing.Verbose() {
				t.Logf("%s %s: %d of %d events accepted", rule.Kind, s.State(), len(s.Events()), len(tried))
			}
			again, err := Replay(plan, rule, s.Events())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again.Report(), s.Report()) || again.State() != s.State() ||
				!reflect.DeepEqual(again.History(), s.History()) || !reflect.DeepEqual(again.Unlisted(), s.Unlisted()) {
				t.Fatalf("replay differs:\n got %+v\nwant %+v", again.Report(), s.Report())
			}
			before := s.Report()
			for _, res := range s.ApplyAll(s.Events()) {
				if res.Status != "duplicate" {
					t.Fatalf("re-applying %s: %s %v", res.ID, res.Status, res.Err)
				}
			}
			if !reflect.DeepEqual(before, s.Report()) {
				t.Fatal("re-applying the events changed the report")
			}
		})
	}
}
