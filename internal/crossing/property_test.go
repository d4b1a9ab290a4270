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
	rule := Rule{Kind: RuleKind(1 + rng.IntN(3)), Reserves: rng.IntN(3) > 0, Observed: rng.IntN(3) == 0}
	return mkPlan(1+rng.IntN(3), per, rng.IntN(3)), rule
}

// randomEvent returns an event of a random type about a random person,
// recorded by the party that may record it or (one time in eight) by
// another, valid or not: the stage must refuse what it cannot accept.
func randomEvent(rng *rand.Rand, b *ev, plan Plan, tried []Event) Event {
	if len(tried) > 0 && rng.IntN(10) == 0 {
		e := tried[rng.IntN(len(tried))] // a retry
		if rng.IntN(3) == 0 {
			e.Reason += " (edited)" // the same id with other content
		}
		return e
	}
	e := randomAct(rng, b, plan, tried)
	if rng.IntN(8) == 0 {
		e.Party = []string{"RU", "UA", Mediator}[rng.IntN(3)]
	}
	return e
}

func randomAct(rng *rand.Rand, b *ev, plan Plan, tried []Event) Event {
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
	switch rng.IntN(30) {
	case 0, 1, 2, 3, 4, 5:
		return b.released(side, rec)
	case 15, 16, 17, 18, 19, 20:
		e := b.received(side, rec)
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
		e := b.received(side, rec)
		e.Type, e.Reason, e.Check, e.Health = IdentityMismatch, "photo differs", IdentityCheck{}, ""
		return e
	case 10, 11:
		return b.substituted(side, rec, pick(reserves))
	case 21:
		e := b.received(side, pick(reserves)) // a reserve taken over
		if rng.IntN(10) == 0 {
			e.Objection = "convicted of a non-war crime"
		}
		return e
	case 22:
		e := b.received(side, rec)
		e.Type, e.Reason, e.Check, e.Health = Disputed, "not shown to us", IdentityCheck{}, ""
		return e
	case 23:
		return b.observed([]EventType{ObservedHandover, ObservedRefusal}[rng.IntN(2)], side, rec)
	case 24, 25:
		if len(tried) == 0 {
			return b.retract(side, "nothing")
		}
		subj := tried[rng.IntN(len(tried))]
		return b.retract(subj.Party, subj.ID)
	case 12:
		e := b.unlisted(side, []person.Category{person.Military, person.Civilian}[rng.IntN(2)])
		if rng.IntN(2) == 0 {
			e.Party = Mediator
		}
		return e
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
		return b.amend(t, sides[rng.IntN(2)], pick(subjects))
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
		return e
	}
}

// mayRecord says, without the stage, whether party may record e: what an
// accepted event must satisfy.
func mayRecord(e Event, tried []Event) bool {
	switch e.Type.RecordedBy() {
	case ByReleasing:
		return e.Party == e.Side
	case ByReceiving:
		return e.Party == other(e.Side)
	case ByObserver, ByMediator:
		return e.Party == Mediator
	case ByReleasingOrObserver:
		return e.Party == e.Side || e.Party == Mediator
	case BySide:
		return e.Party == "UA" || e.Party == "RU"
	case BySubjectRecorder:
		for _, t := range tried {
			if t.ID == e.Subject {
				return t.Party == e.Party
			}
		}
	}
	return false
}

// naiveCounts recounts handed over, refused, not presented, substituted,
// unlisted and flagged per side and category straight from the accepted
// events, without the stage's bookkeeping: each party's standing record
// per person is the last one it made and did not retract.
func naiveCounts(plan Plan, rule Rule, events []Event) map[string]map[person.Category]Counts {
	cat, reserve := map[string]person.Category{}, map[string]bool{}
	for side, sp := range plan.Sides {
		for _, pp := range sp.Persons {
			cat[side+"/"+pp.RecordID] = pp.Category
		}
		for _, pp := range sp.Reserves {
			cat[side+"/"+pp.RecordID] = pp.Category
			reserve[side+"/"+pp.RecordID] = true
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
	type standing struct{ rel, rec, dis, obs Event }
	st := map[string]*standing{}
	substituted := map[string]bool{}
	get := func(k string) *standing {
		if st[k] == nil {
			st[k] = &standing{}
		}
		return st[k]
	}
	for _, e := range events {
		k := e.Side + "/" + e.RecordID
		switch e.Type {
		case AmendmentAccepted:
			if accepted[e.Subject] == nil {
				accepted[e.Subject] = map[string]bool{}
			}
			accepted[e.Subject][e.Party] = true
		case AmendmentRejected:
			rejected[e.Subject] = true
		case Released, Refused, NotPresented:
			get(k).rel = e
		case RefusalWithdrawn:
			get(k).rel = Event{}
		case SubstitutedBy:
			if get(k).rel.Type == "" {
				get(k).rel = e
			}
			substituted[k] = true
			get(e.Side + "/" + e.Reserve).rel = e
		case Received, IdentityMismatch:
			get(k).rec = e
		case Disputed:
			get(k).dis = e
		case ObservedHandover, ObservedRefusal:
			get(k).obs = e
		case Retracted:
			for _, x := range st {
				for _, a := range []*Event{&x.rel, &x.rec, &x.dis, &x.obs} {
					if a.ID == e.Subject && a.Type != SubstitutedBy {
						*a = Event{}
					}
				}
			}
		}
	}
	ok := func(id string) bool { return !rejected[id] && accepted[id]["UA"] && accepted[id]["RU"] }
	for k, x := range st {
		side, c := k[:2], cat[k]
		if substituted[k] {
			add(side, c, func(n *Counts) { n.Substituted++ })
		}
		crossed := x.rel.Type == Released || (reserve[k] && x.rel.Type == SubstitutedBy)
		quiet := x.dis.Type == "" // no dispute
		switch {
		case crossed && x.rec.Type == Received && quiet && x.obs.Type != ObservedRefusal && (!rule.Observed || x.obs.Type == ObservedHandover):
			add(side, c, func(n *Counts) {
				if x.rec.Objection == "" || ok(x.rec.ID) {
					n.HandedOver++
				} else {
					n.Flagged++
				}
			})
		case x.rel.Type == Refused && x.rec.Type == "" && quiet && (x.obs.Type == "" && !rule.Observed || x.obs.Type == ObservedRefusal):
			add(side, c, func(n *Counts) { n.Refused++ })
		case x.rel.Type == NotPresented && x.rec.Type == "" && quiet && x.obs.Type == "":
			add(side, c, func(n *Counts) { n.NotPresented++ })
		}
	}
	for _, e := range events {
		if e.Type == UnlistedPresented {
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
	want := naiveCounts(s.Plan(), s.Rule(), s.Events())
	disagreements := 0
	for _, f := range r.Flags {
		if f.Kind == "disagreement" {
			disagreements++
		}
	}
	pending := 0
	for side, sr := range r.Sides {
		for c, got := range sr.ByCategory {
			w := want[side][c]
			g := Counts{HandedOver: got.HandedOver, Refused: got.Refused, NotPresented: got.NotPresented, Substituted: got.Substituted, Unlisted: got.Unlisted, Flagged: got.Flagged}
			if g != w {
				t.Fatalf("%s %s: report %+v, events say %+v\nevents: %v", side, c, g, w, eventTypesOf(s.Events()))
			}
		}
		pending += sr.Total.Pending + sr.Total.Disputed
		// Conservation: every listed person is in exactly one bucket.
		byOutcome := map[Outcome]int{}
		for _, pp := range s.Plan().Sides[side].Persons {
			p, err := s.Person(side, pp.RecordID)
			if err != nil {
				t.Fatal(err)
			}
			byOutcome[p.Outcome]++
			if p.Counted && p.Disagreement != "" {
				t.Fatalf("%s counts with the disagreement %s", pp.RecordID, p.Disagreement)
			}
		}
		listed := len(s.Plan().Sides[side].Persons)
		if got := sr.Total.Outstanding + sr.Total.Refused + sr.Total.NotPresented + byOutcome[OutcomeReplaced] + byOutcome[OutcomeHandedOver]; got != listed {
			t.Fatalf("%s: %+v and %v account for %d of %d listed", side, sr.Total, byOutcome, got, listed)
		}
		if sr.Total.Planned != listed {
			t.Fatalf("%s planned %d, listed %d", side, sr.Total.Planned, listed)
		}
	}
	if pending != disagreements || (pending > 0 && r.Parity) {
		t.Fatalf("%d pending or disputed, %d disagreement flags, parity %v", pending, disagreements, r.Parity)
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
// checks, at every step: a refused event changes nothing; an event
// recorded by a party that may not record it is never accepted; the counts
// never disagree with the events (a person counts only on a standing
// release and receipt, and the observer's confirmation where required);
// no person with a disagreement counts, and any disagreement blocks
// parity; a closed stage satisfied the rule or carries a discrepancy. At the end: replaying the events gives the same stage, and
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
				before, nEvents := s.Report(), len(s.Events())
				dup, err := s.Apply(e)
				after := s.Report()
				if (err != nil || dup) && (!reflect.DeepEqual(before, after) || len(s.Events()) != nEvents) {
					t.Fatalf("%s %s refused (%v, dup %v) but changed the stage", e.Type, e.ID, err, dup)
				}
				if err == nil && !dup && !mayRecord(e, tried) {
					t.Fatalf("%s %s about %s recorded by %s was accepted", e.Type, e.ID, e.Side, e.Party)
				}
				tried = append(tried, e)
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
