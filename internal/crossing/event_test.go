package crossing

import (
	"reflect"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func openStage(t *testing.T, per map[person.Category]int, reserves int, rule Rule) (*Stage, *ev) {
	t.Helper()
	s, err := New(mkPlan(1, per, reserves), rule)
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	mustApply(t, s, b.stage(StageOpened, ""))
	return s, b
}

func TestIdempotentRecording(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 2}, 0, Rule{Kind: NForN})
	e := b.received("UA", "UA-military-0")
	mustApply(t, s, e)
	before := s.Report()
	// A retry after a dropped connection records once.
	dup, err := s.Apply(e)
	if err != nil || !dup {
		t.Fatalf("retry: got dup %v, err %v; want a duplicate", dup, err)
	}
	if got := s.Report(); !reflect.DeepEqual(got, before) {
		t.Fatalf("a duplicate changed the report:\n got %+v\nwant %+v", got, before)
	}
	if n := len(s.Events()); n != 2 {
		t.Fatalf("got %d events, want 2", n)
	}
	// The same id with other content is a conflict.
	other := e
	other.Health = HealthSick
	_, err = s.Apply(other)
	wantKind(t, err, errs.Conflict)
	// The same time in another zone is the same content.
	same := e
	same.At = e.At.In(fixedZone)
	if dup, err := s.Apply(same); err != nil || !dup {
		t.Fatalf("same instant in another zone: dup %v err %v", dup, err)
	}
}

func TestPersonEvents(t *testing.T) {
	rule := Rule{Kind: NForN, Reserves: true}
	one := func(e Event) []Event { return []Event{e} }
	then := func(es []Event, e ...Event) []Event { return append(es, e...) }
	for _, tc := range []struct {
		name  string
		build func(b *ev) []Event // all applied; the last one is judged
		kind  errs.Kind           // Other: accepted
	}{
		{"released", func(b *ev) []Event { return one(b.released("UA", "UA-military-0")) }, errs.Other},
		{"received", func(b *ev) []Event { return b.crossed("UA", "UA-military-0") }, errs.Other},
		{"twice released", func(b *ev) []Event {
			return []Event{b.released("UA", "UA-military-0"), b.released("UA", "UA-military-0")}
		}, errs.Conflict},
		{"twice received", func(b *ev) []Event {
			return then(b.crossed("UA", "UA-military-0"), b.received("UA", "UA-military-0"))
		}, errs.Conflict},
		{"refused after released", func(b *ev) []Event {
			return []Event{b.released("UA", "UA-military-0"), b.refused("UA", "UA-military-0")}
		}, errs.Conflict},
		{"received after refused: a disagreement, recorded", func(b *ev) []Event {
			return []Event{b.refused("UA", "UA-military-0"), b.received("UA", "UA-military-0")}
		}, errs.Other},
		{"not on the list", func(b *ev) []Event { return one(b.released("UA", "RU-military-0")) }, errs.Invalid},
		{"receipt of a stranger", func(b *ev) []Event { return one(b.received("UA", "RU-military-0")) }, errs.Invalid},
		{"reserve without substitution", func(b *ev) []Event { return one(b.released("UA", "UA-military-r0")) }, errs.Invalid},
		{"receipt of a reserve before its substitution", func(b *ev) []Event { return one(b.received("UA", "UA-military-r0")) }, errs.Other},
		{"another crossing point", func(b *ev) []Event {
			e := b.released("UA", "UA-military-0")
			e.Point = "TR-IST"
			return one(e)
		}, errs.Invalid},
		{"the stage's crossing point", func(b *ev) []Event {
			e := b.released("UA", "UA-military-0")
			e.Point = "BY-UA"
			return one(e)
		}, errs.Other},
		{"unknown side", func(b *ev) []Event { return one(b.released("BY", "UA-military-0")) }, errs.Invalid},
		{"receipt without identity check", func(b *ev) []Event {
			e := b.received("UA", "UA-military-0")
			e.Check = IdentityCheck{}
			return one(e)
		}, errs.Invalid},
		{"receipt without health", func(b *ev) []Event {
			e := b.received("UA", "UA-military-0")
			e.Health = ""
			return one(e)
		}, errs.Invalid},
		{"objection on a release", func(b *ev) []Event {
			e := b.released("UA", "UA-military-0")
			e.Objection = "not a civilian"
			return one(e)
		}, errs.Invalid},
		{"refusal without witness", func(b *ev) []Event {
			e := b.refused("UA", "UA-military-0")
			e.Observer = ""
			return one(e)
		}, errs.Invalid},
		{"refusal withdrawn then released", func(b *ev) []Event {
			w := b.refused("UA", "UA-military-0")
			w.ID, w.Type = "w-1", RefusalWithdrawn
			return []Event{b.refused("UA", "UA-military-0"), w, b.released("UA", "UA-military-0")}
		}, errs.Other},
		{"withdraw without refusal", func(b *ev) []Event {
			w := b.refused("UA", "UA-military-0")
			w.Type = RefusalWithdrawn
			return one(w)
		}, errs.Conflict},
		{"mismatch then received", func(b *ev) []Event {
			m := b.received("UA", "UA-military-0")
			m.Type, m.Reason = IdentityMismatch, "service number differs"
			return []Event{b.released("UA", "UA-military-0"), m, b.received("UA", "UA-military-0")}
		}, errs.Other},
		{"mismatch after a receipt", func(b *ev) []Event {
			m := b.received("UA", "UA-military-0")
			m.Type, m.Reason = IdentityMismatch, "service number differs"
			return then(b.crossed("UA", "UA-military-0"), m)
		}, errs.Conflict},
		{"dispute without a reason", func(b *ev) []Event {
			d := b.received("UA", "UA-military-0")
			d.Type = Disputed
			return []Event{b.refused("UA", "UA-military-0"), d}
		}, errs.Invalid},
		{"dispute of a refusal", func(b *ev) []Event {
			d := b.received("UA", "UA-military-0")
			d.Type, d.Reason = Disputed, "the person was not shown to us"
			return []Event{b.refused("UA", "UA-military-0"), d}
		}, errs.Other},
		{"observed twice", func(b *ev) []Event {
			return []Event{b.observed(ObservedHandover, "UA", "UA-military-0"), b.observed(ObservedRefusal, "UA", "UA-military-0")}
		}, errs.Conflict},
		{"substitution after refusal", func(b *ev) []Event {
			return then(one(b.refused("UA", "UA-military-0")), b.replaced("UA", "UA-military-0", "UA-military-r0")...)
		}, errs.Other},
		{"substitution for a no-show", func(b *ev) []Event {
			return one(b.substituted("UA", "UA-military-0", "UA-military-r0"))
		}, errs.Other},
		{"reserve used twice", func(b *ev) []Event {
			return []Event{b.substituted("UA", "UA-military-0", "UA-military-r0"), b.substituted("UA", "UA-military-1", "UA-military-r0")}
		}, errs.Conflict},
		{"reserve of the other side", func(b *ev) []Event {
			return one(b.substituted("UA", "UA-military-0", "RU-military-r0"))
		}, errs.Invalid},
		{"substituting a person released", func(b *ev) []Event {
			return []Event{b.released("UA", "UA-military-0"), b.substituted("UA", "UA-military-0", "UA-military-r0")}
		}, errs.Conflict},
		{"reserve of another category", func(b *ev) []Event {
			return one(b.substituted("UA", "UA-military-0", "UA-civilian-r0"))
		}, errs.Invalid},
		{"a substitution is not retracted", func(b *ev) []Event {
			sub := b.substituted("UA", "UA-military-0", "UA-military-r0")
			return []Event{sub, b.retract("UA", sub.ID)}
		}, errs.Conflict},
		{"retracting an unknown event", func(b *ev) []Event { return one(b.retract("UA", "nope")) }, errs.Invalid},
		{"unlisted with a listed id", func(b *ev) []Event {
			u := b.unlisted("UA", person.Military)
			u.RecordID = "UA-military-0"
			return one(u)
		}, errs.Invalid},
		{"amendment of nothing", func(b *ev) []Event { return one(b.amend(AmendmentAccepted, "UA", "nope")) }, errs.Invalid},
		{"amendment by the mediator", func(b *ev) []Event {
			u := b.unlisted("UA", person.Military)
			return []Event{u, b.amend(AmendmentAccepted, Mediator, u.ID)}
		}, errs.Invalid},
		{"accepted twice by one party", func(b *ev) []Event {
			u := b.unlisted("UA", person.Military)
			return []Event{u, b.amend(AmendmentAccepted, "RU", u.ID), b.amend(AmendmentAccepted, "RU", u.ID)}
		}, errs.Conflict},
		{"accepted after rejection", func(b *ev) []Event {
			u := b.unlisted("UA", person.Military)
			return []Event{u, b.amend(AmendmentRejected, "RU", u.ID), b.amend(AmendmentAccepted, "UA", u.ID)}
		}, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, b := openStage(t, map[person.Category]int{person.Military: 2, person.Civilian: 1}, 1, rule)
			es := tc.build(b)
			mustApply(t, s, es[:len(es)-1]...)
			_, err := s.Apply(es[len(es)-1])
			if tc.kind == errs.Other {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			wantKind(t, err, tc.kind)
		})
	}
}

func TestNoSubstitutionWithoutReserveTerms(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 1, Rule{Kind: NForN})
	_, err := s.Apply(b.substituted("UA", "UA-military-0", "UA-military-r0"))
	wantKind(t, err, errs.Conflict)
}

// TestUnlistedSaysWhoAndWhichSide: an unlisted person is recorded with
// the side that presented them and who they say they are; without either
// the event is refused at that field, with every other missing field.
func TestUnlistedSaysWhoAndWhichSide(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Civilian: 1}, 0, Rule{Kind: NForN})
	u := b.unlisted("RU", person.Civilian)
	u.Side, u.Reason, u.Observer = "", "", ""
	_, err := s.Apply(u)
	if !errs.Is(errs.Invalid, err) {
		t.Fatalf("an unlisted person without side, claim and observer: %v", err)
	}
	got := map[string]string{}
	for _, fe := range errs.Fields(err) {
		got[fe.Field] = fe.Code
	}
	for _, f := range []string{"side", "reason", "observer"} {
		if got[f] != "required_for" {
			t.Errorf("%s: %q, want required_for (all: %v)", f, got[f], got)
		}
	}
}

func TestUnlistedNeverCountsUnlessAccepted(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Civilian: 1}, 0, Rule{Kind: NForN})
	mustApply(t, s, b.crossed("UA", "UA-civilian-0")...)
	mustApply(t, s, b.crossed("RU", "RU-civilian-0")...)
	u := b.unlisted("RU", person.Civilian)
	mustApply(t, s, u)
	r := s.Report()
	if got := r.Sides["RU"].Total; got.HandedOver != 1 || got.Unlisted != 1 || got.Flagged != 1 {
		t.Fatalf("RU counts %+v, want 1 handed over, 1 unlisted, 1 flagged", got)
	}
	if !r.Parity || len(r.Flags) != 1 || r.Flags[0].Kind != "unlisted" || r.Flags[0].Amendment != AmendPending {
		t.Fatalf("report %+v", r)
	}
	// One party's acceptance is not enough.
	mustApply(t, s, b.amend(AmendmentAccepted, "RU", u.ID))
	if got := s.Report().Sides["RU"].Total.HandedOver; got != 1 {
		t.Fatalf("after one acceptance RU handed over %d, want 1", got)
	}
	mustApply(t, s, b.amend(AmendmentAccepted, "UA", u.ID))
	r = s.Report()
	if got := r.Sides["RU"].Total.HandedOver; got != 2 {
		t.Fatalf("after both accepted RU handed over %d, want 2", got)
	}
	// Now RU gave one more than UA: N for N no longer holds.
	if r.Parity || r.Sides["UA"].Total.Left != 1 {
		t.Fatalf("report %+v, want UA left 1", r)
	}
}

func TestOutOfCategoryFlagged(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Civilian: 2}, 1, Rule{Kind: NForN, Reserves: true})
	for _, e := range [][]Event{b.crossed("UA", "UA-civilian-0"), b.crossed("UA", "UA-civilian-1"), b.crossed("RU", "RU-civilian-0")} {
		mustApply(t, s, e...)
	}
	conv := b.received("RU", "RU-civilian-1")
	conv.Objection = "serving a sentence for a non-war crime"
	mustApply(t, s, b.released("RU", "RU-civilian-1"), conv)
	r := s.Report()
	if r.Parity || r.Sides["RU"].Total.HandedOver != 1 || r.Sides["RU"].Total.Flagged != 1 {
		t.Fatalf("an objected civilian counted silently: %+v", r)
	}
	mustApply(t, s, b.amend(AmendmentRejected, "UA", conv.ID))
	// Rejected: RU may balance from its reserves; the engine says which.
	r = s.Report()
	if len(r.Balance) != 1 || r.Balance[0] != (Suggestion{Side: "RU", Category: person.Civilian, Replaces: "RU-civilian-1", Reserve: "RU-civilian-r0"}) {
		t.Fatalf("balance %+v", r.Balance)
	}
	mustApply(t, s, b.replaced("RU", "RU-civilian-1", "RU-civilian-r0")...)
	if r := s.Report(); !r.Parity {
		t.Fatalf("report %+v, want parity", r)
	}
	p, err := s.Person("RU", "RU-civilian-1")
	if err != nil || p.Counted || p.Amendment != AmendRejected || p.SubstitutedBy != "RU-civilian-r0" {
		t.Fatalf("person %+v %v", p, err)
	}
}

func TestOfflineQueue(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 3}, 0, Rule{Kind: NForN})
	first := b.released("UA", "UA-military-0")
	mustApply(t, s, first)
	queue := []Event{
		first,                                 // sent before the connection dropped: duplicate
		b.released("UA", "UA-military-1"),     // applied
		b.refused("UA", "UA-military-0"),      // UA's release stands: refused
		b.notPresented("UA", "UA-military-2"), // applied
		b.released("UA", "UA-military-2"),     // after UA's own no-show: refused
	}
	got := s.ApplyAll(queue)
	want := []string{"duplicate", "applied", "refused", "applied", "refused"}
	for i := range want {
		if got[i].Status != want[i] || got[i].ID != queue[i].ID {
			t.Errorf("queue[%d]: got %s %s (%v), want %s", i, got[i].ID, got[i].Status, got[i].Err, want[i])
		}
		if want[i] == "refused" && errs.KindOf(got[i].Err) != errs.Conflict {
			t.Errorf("queue[%d]: kind %s, want conflict", i, errs.KindOf(got[i].Err))
		}
	}
	if errs.Message(got[2].Err) == "" {
		t.Error("a refusal must say why")
	}
}

func TestContentIsCanonical(t *testing.T) {
	b := newEv()
	for _, e := range []Event{b.received("UA", "запис-1"), b.refused("RU", "x"), b.stage(StageClosed, "26 refused at the point")} {
		if _, err := audit.CanonicalJSON(e.Content()); err != nil {
			t.Errorf("%s: %v", e.Type, err)
		}
		if _, err := audit.CommitFields("handover.recorded", audit.Nonce{}, e.Content()); err != nil {
			t.Errorf("%s: %v", e.Type, err)
		}
	}
}

// TestKeyFollowsContent keeps the idempotency key and Content in step:
// every field of the content changes the key.
func TestKeyFollowsContent(t *testing.T) {
	full := Event{ID: "e", Type: Received, At: t0, Party: "UA", Actor: "a", Point: "p", Side: "UA", RecordID: "r",
		Category: person.Civilian, Check: IdentityCheck{Method: CheckPhoto, VerifiedBy: "v"}, Receiver: "rc", Observer: "o",
		Health: HealthSick, Reserve: "rs", Objection: "ob", Subject: "s", Reason: "why", Window: Window{Start: t0, End: t0.Add(1)}}
	if n := len(full.Content()); n != 20 {
		t.Fatalf("content has %d fields; update this test and Event.key", n)
	}
	for k := range full.Content() {
		t.Run(k, func(t *testing.T) {
			var e Event
			rv := reflect.ValueOf(&e).Elem()
			rv.Set(reflect.ValueOf(full))
			clearField(&e, k)
			if _, still := e.Content()[k]; still {
				t.Fatalf("clearing %s left it in the content", k)
			}
			if e.key() == full.key() {
				t.Errorf("clearing %s does not change the key", k)
			}
		})
	}
}

func clearField(e *Event, k string) {
	switch k {
	case "id":
		e.ID = ""
	case "type":
		e.Type = ""
	case "at":
		e.At = time.Time{}
	case "party":
		e.Party = ""
	case "actor":
		e.Actor = ""
	case "point":
		e.Point = ""
	case "side":
		e.Side = ""
	case "record_id":
		e.RecordID = ""
	case "category":
		e.Category = ""
	case "check_method":
		e.Check.Method = ""
	case "check_verified_by":
		e.Check.VerifiedBy = ""
	case "receiver":
		e.Receiver = ""
	case "observer":
		e.Observer = ""
	case "health":
		e.Health = ""
	case "reserve":
		e.Reserve = ""
	case "objection":
		e.Objection = ""
	case "subject":
		e.Subject = ""
	case "reason":
		e.Reason = ""
	case "window_start":
		e.Window.Start = time.Time{}
	case "window_end":
		e.Window.End = time.Time{}
	}
}
