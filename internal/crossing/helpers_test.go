package crossing

import (
	"fmt"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

var t0 = time.Date(2025, 5, 23, 9, 0, 0, 0, time.UTC)

// mkPlan builds a two-sided plan with n persons per category per side and
// r reserves per category per side. Record ids are "UA-military-7".
func mkPlan(stage int, per map[person.Category]int, reserves int) Plan {
	p := Plan{Exchange: "exchange:1", Stage: stage, Sides: map[string]SidePlan{}, Points: []string{"BY-UA"}}
	for _, side := range []string{"RU", "UA"} {
		var sp SidePlan
		for _, c := range person.Categories {
			n, ok := per[c]
			if !ok {
				continue
			}
			for i := range n {
				sp.Persons = append(sp.Persons, PlannedPerson{RecordID: fmt.Sprintf("%s-%s-%d", side, c, i), Category: c})
			}
			for i := range reserves {
				sp.Reserves = append(sp.Reserves, PlannedPerson{RecordID: fmt.Sprintf("%s-%s-r%d", side, c, i), Category: c})
			}
		}
		p.Sides[side] = sp
	}
	return p
}

// ev is a small builder for events in tests: every event gets a distinct
// id and a time one second after the last.
type ev struct {
	n  int
	at time.Time
}

func newEv() *ev { return &ev{at: t0} }

func (b *ev) next(prefix string) (string, time.Time) {
	b.n++
	b.at = b.at.Add(time.Second)
	return fmt.Sprintf("%s-%d", prefix, b.n), b.at
}

func (b *ev) stage(t EventType, reason string) Event {
	id, at := b.next("stage")
	return Event{ID: id, Type: t, At: at, Party: Mediator, Actor: "user:mediator", Reason: reason}
}

// released is the releasing side's release of a listed person.
func (b *ev) released(side, rec string) Event {
	id, at := b.next("rel")
	return Event{ID: id, Type: Released, At: at, Party: side, Actor: "user:officer-" + side, Side: side, RecordID: rec}
}

// received is the receiving side's receipt of a person side released.
func (b *ev) received(side, rec string) Event {
	id, at := b.next("rec")
	by := other(side)
	return Event{ID: id, Type: Received, At: at, Party: by, Actor: "user:officer-" + by, Side: side, RecordID: rec,
		Check: IdentityCheck{Method: CheckServiceNumber, VerifiedBy: "user:officer-" + by}, Health: HealthGood}
}

// crossed is one person handed over as both sides record it.
func (b *ev) crossed(side, rec string) []Event {
	return []Event{b.released(side, rec), b.received(side, rec)}
}

func (b *ev) observed(t EventType, side, rec string) Event {
	id, at := b.next("obs")
	return Event{ID: id, Type: t, At: at, Party: Mediator, Actor: "user:observer", Side: side, RecordID: rec}
}

func (b *ev) retract(party, subject string) Event {
	id, at := b.next("ret")
	return Event{ID: id, Type: Retracted, At: at, Party: party, Actor: "user:officer-" + party, Subject: subject, Reason: "recorded in error"}
}

func (b *ev) refused(side, rec string) Event {
	id, at := b.next("rf")
	return Event{ID: id, Type: Refused, At: at, Party: side, Actor: "user:officer-" + side, Side: side, RecordID: rec, Observer: "user:observer", Reason: "declines repatriation"}
}

func (b *ev) notPresented(side, rec string) Event {
	id, at := b.next("np")
	return Event{ID: id, Type: NotPresented, At: at, Party: side, Actor: "user:officer-" + side, Side: side, RecordID: rec}
}

// substituted is the releasing side's release of a reserve in place of rec.
func (b *ev) substituted(side, rec, reserve string) Event {
	id, at := b.next("sub")
	return Event{ID: id, Type: SubstitutedBy, At: at, Party: side, Actor: "user:officer-" + side, Side: side, RecordID: rec, Reserve: reserve}
}

// replaced is a substitution as both sides record it.
func (b *ev) replaced(side, rec, reserve string) []Event {
	return []Event{b.substituted(side, rec, reserve), b.received(side, reserve)}
}

func other(side string) string { return map[string]string{"UA": "RU", "RU": "UA"}[side] }

func (b *ev) unlisted(side string, c person.Category) Event {
	id, at := b.next("ul")
	return Event{ID: id, Type: UnlistedPresented, At: at, Party: side, Actor: "user:officer-" + side, Side: side, Category: c, Observer: "user:observer", Reason: "says who they are"}
}

func (b *ev) amend(t EventType, party, subject string) Event {
	id, at := b.next("am")
	return Event{ID: id, Type: t, At: at, Party: party, Actor: "user:approver-" + party, Subject: subject, Reason: "not agreed"}
}

func mustApply(t testing.TB, s *Stage, es ...Event) {
	t.Helper()
	for _, e := range es {
		if _, err := s.Apply(e); err != nil {
			t.Fatalf("apply %s %s: %v", e.Type, e.ID, err)
		}
	}
}

func wantKind(t testing.TB, err error, k errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("got kind %s (%v), want %s", got, err, k)
	}
}

var fixedZone = time.FixedZone("MSK", 3*3600)
