package crossing

import (
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Two-sided handover: each party's officer records only what that party
// does at the stage, and a person counts when both halves agree.

// TestOnlyOwnSide: an officer records only what their own party does: the
// releasing side releases (or records a refusal or a no-show), the
// receiving side receives, the mediator's observer observes. Anything else
// is Forbidden, whatever the event says about itself.
func TestOnlyOwnSide(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event func(b *ev) Event
		kind  errs.Kind // Other: accepted
	}{
		{"RU records a UA release", func(b *ev) Event { e := b.released("UA", "UA-military-0"); e.Party = "RU"; return e }, errs.Forbidden},
		{"RU records a UA refusal", func(b *ev) Event { e := b.refused("UA", "UA-military-0"); e.Party = "RU"; return e }, errs.Forbidden},
		{"RU records a UA no-show", func(b *ev) Event { e := b.notPresented("UA", "UA-military-0"); e.Party = "RU"; return e }, errs.Forbidden},
		{"RU substitutes for UA", func(b *ev) Event {
			e := b.substituted("UA", "UA-military-0", "UA-military-r0")
			e.Party = "RU"
			return e
		}, errs.Forbidden},
		{"the mediator records a release", func(b *ev) Event { e := b.released("UA", "UA-military-0"); e.Party = Mediator; return e }, errs.Forbidden},
		{"UA receives its own release", func(b *ev) Event { e := b.received("UA", "UA-military-0"); e.Party = "UA"; return e }, errs.Forbidden},
		{"the releasing side's mismatch", func(b *ev) Event {
			e := b.received("UA", "UA-military-0")
			e.Type, e.Party, e.Reason = IdentityMismatch, "UA", "photo differs"
			return e
		}, errs.Forbidden},
		{"a party observes", func(b *ev) Event {
			e := b.observed(ObservedHandover, "UA", "UA-military-0")
			e.Party = "RU"
			return e
		}, errs.Forbidden},
		{"RU presents an unlisted person for UA", func(b *ev) Event { e := b.unlisted("UA", person.Military); e.Party = "RU"; return e }, errs.Forbidden},
		{"UA releases its own", func(b *ev) Event { return b.released("UA", "UA-military-0") }, errs.Other},
		{"RU receives UA's", func(b *ev) Event { return b.received("UA", "UA-military-0") }, errs.Other},
		{"UA records its own refusal", func(b *ev) Event { return b.refused("UA", "UA-military-0") }, errs.Other},
		{"the observer observes", func(b *ev) Event { return b.observed(ObservedHandover, "UA", "UA-military-0") }, errs.Other},
		{"the observer flags an unlisted person", func(b *ev) Event { e := b.unlisted("UA", person.Military); e.Party = Mediator; return e }, errs.Other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, b := openStage(t, map[person.Category]int{person.Military: 2}, 1, Rule{Kind: NForN, Reserves: true})
			before := s.Report()
			_, err := s.Apply(tc.event(b))
			if tc.kind == errs.Other {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			wantKind(t, err, tc.kind)
			if fe := errs.Fields(err); len(fe) == 0 || fe[0].Code == "" {
				t.Errorf("a refusal without a coded field error: %v", err)
			}
			if len(s.Events()) != 1 || s.Report().Sides["UA"].Total != before.Sides["UA"].Total {
				t.Error("a forbidden event changed the stage")
			}
		})
	}
}

// TestReleaseAloneDoesNotCount: a person counts when the release and the
// receipt both exist, in either order.
func TestReleaseAloneDoesNotCount(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 0, Rule{Kind: NForN})
	rel := b.released("UA", "UA-military-0")
	mustApply(t, s, rel)
	r := s.Report()
	if got := r.Sides["UA"].Total.HandedOver; got != 0 {
		t.Fatalf("a release alone counted: handed over %d", got)
	}
	p, _ := s.Person("UA", "UA-military-0")
	if p.Counted || p.Outcome == OutcomeHandedOver || p.Release.Event != rel.ID || p.Disagreement != "release_without_receipt" {
		t.Fatalf("person after the release alone: %+v", p)
	}
	mustApply(t, s, b.received("UA", "UA-military-0"))
	if got := s.Report().Sides["UA"].Total.HandedOver; got != 1 {
		t.Fatalf("release and receipt: handed over %d, want 1", got)
	}
	// The other way round: the receiving side's queue arrives first.
	rec := b.received("RU", "RU-military-0")
	mustApply(t, s, rec)
	if got := s.Report().Sides["RU"].Total.HandedOver; got != 0 {
		t.Fatalf("a receipt alone counted: %d", got)
	}
	if p, _ := s.Person("RU", "RU-military-0"); p.Disagreement != "receipt_without_release" {
		t.Fatalf("receipt alone: %+v", p)
	}
	mustApply(t, s, b.released("RU", "RU-military-0"))
	if r := s.Report(); !r.Parity || r.Sides["RU"].Total.HandedOver != 1 {
		t.Fatalf("both halves on both sides: %+v", r)
	}
}

// TestObserverConfirmation: where the terms require it (Rule.Observed),
// a handover counts, and a refusal stands, only once the mediator's
// observer confirms it.
func TestObserverConfirmation(t *testing.T) {
	rule := Rule{Kind: AllForAll}
	rule.Observed = true
	s, b := openStage(t, map[person.Category]int{person.Military: 2}, 0, rule)
	mustApply(t, s, b.crossed("UA", "UA-military-0")...)
	mustApply(t, s, b.crossed("RU", "RU-military-0")...)
	mustApply(t, s, b.refused("UA", "UA-military-1"), b.refused("RU", "RU-military-1"))
	if r := s.Report(); r.Sides["UA"].Total.HandedOver != 0 || r.Parity {
		t.Fatalf("unconfirmed handovers counted: %+v", r)
	}
	if p, _ := s.Person("UA", "UA-military-0"); p.Disagreement != "observer_confirmation_missing" {
		t.Fatalf("person %+v", p)
	}
	for _, side := range []string{"UA", "RU"} {
		mustApply(t, s, b.observed(ObservedHandover, side, side+"-military-0"), b.observed(ObservedRefusal, side, side+"-military-1"))
	}
	if r := s.Report(); !r.Parity || r.Sides["UA"].Total.HandedOver != 1 || r.Sides["UA"].Total.Refused != 1 {
		t.Fatalf("confirmed: %+v", r)
	}
}

// TestDisagreementVisibleNeverOverwritten: a receipt of someone the
// releasing side says refused is recorded, shown on the report as a
// disagreement, blocks closing without a discrepancy, and stays visible
// after the stage closes with one.
func TestDisagreementVisibleNeverOverwritten(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 0, Rule{Kind: AllForAll})
	mustApply(t, s, b.crossed("RU", "RU-military-0")...)
	ref := b.refused("UA", "UA-military-0")
	rec := b.received("UA", "UA-military-0")
	mustApply(t, s, ref, rec)
	p, _ := s.Person("UA", "UA-military-0")
	if p.Disagreement != "received_but_refused" || p.Counted || !slices.Contains(p.Events, ref.ID) || !slices.Contains(p.Events, rec.ID) {
		t.Fatalf("person %+v", p)
	}
	r := s.Report()
	flagged := slices.ContainsFunc(r.Flags, func(f Flag) bool {
		return f.Kind == "disagreement" && f.Code == "received_but_refused" && f.RecordID == "UA-military-0"
	})
	if r.Parity || !flagged || r.Sides["UA"].Total.Disputed != 1 {
		t.Fatalf("the disagreement is not on the report: %+v", r)
	}
	if !slices.ContainsFunc(r.Blockers, func(b string) bool { return strings.Contains(b, "disagree") }) {
		t.Errorf("blockers %v do not name the disagreement", r.Blockers)
	}
	mustApply(t, s, b.stage(StageClosing, ""))
	_, err := s.Apply(b.stage(StageClosed, ""))
	wantKind(t, err, errs.Conflict)
	mustApply(t, s, b.stage(StageClosed, "UA says the person refused; RU says it received him"))
	r = s.Report()
	if !slices.ContainsFunc(r.Flags, func(f Flag) bool { return f.Code == "received_but_refused" }) {
		t.Fatalf("the disagreement vanished on closing: %+v", r.Flags)
	}
	if sum := s.Summary(); sum.Disagreements != 1 || sum.Parity {
		t.Fatalf("summary %+v", sum)
	}
}

// TestRetraction: a party takes back only its own record; the retracted
// event stays in the history, and the disagreement resolves when the
// accounts agree.
func TestRetraction(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 0, Rule{Kind: NForN})
	ref := b.refused("UA", "UA-military-0")
	mustApply(t, s, ref, b.received("UA", "UA-military-0"))
	_, err := s.Apply(b.retract("RU", ref.ID))
	wantKind(t, err, errs.Forbidden)
	noReason := b.retract("UA", ref.ID)
	noReason.Reason = ""
	_, err = s.Apply(noReason)
	wantKind(t, err, errs.Invalid)
	// A second release while the refusal stands: UA must retract first.
	_, err = s.Apply(b.released("UA", "UA-military-0"))
	wantKind(t, err, errs.Conflict)
	mustApply(t, s, b.retract("UA", ref.ID))
	if p, _ := s.Person("UA", "UA-military-0"); p.Disagreement != "receipt_without_release" || !slices.Contains(p.Events, ref.ID) {
		t.Fatalf("after the retraction: %+v", p)
	}
	_, err = s.Apply(b.retract("UA", ref.ID))
	wantKind(t, err, errs.Conflict) // retracted already
	mustApply(t, s, b.released("UA", "UA-military-0"))
	p, _ := s.Person("UA", "UA-military-0")
	if !p.Counted || p.Disagreement != "" || len(p.Events) != 4 {
		t.Fatalf("resolved: %+v", p)
	}
}

// TestHandedOverIsTwoSided: the one-sided handed_over of before is no
// longer recorded; the refusal says what to record instead.
func TestHandedOverIsTwoSided(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 0, Rule{Kind: NForN})
	e := b.released("UA", "UA-military-0")
	e.Type = HandedOver
	_, err := s.Apply(e)
	wantKind(t, err, errs.Invalid)
	if fe := errs.Fields(err); len(fe) == 0 || fe[0].Code != "two_sided_handover" {
		t.Fatalf("fields %+v", fe)
	}
}

// TestCheckAccounts: the receiver and the observer an event names are
// accounts of checkpoint officers of the right party, not free text.
func TestCheckAccounts(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 1}, 0, Rule{Kind: NForN})
	officers := map[string]string{"user:1": "UA", "user:2": "RU", "user:3": Mediator}
	for _, tc := range []struct {
		name               string
		receiver, observer string
		code               string // "" accepted
	}{
		{"both right", "user:2", "user:3", ""},
		{"none named", "", "", ""},
		{"free-text observer", "", "fake-observer", "not_account"},
		{"free-text receiver", "ru-3", "", "not_account"},
		{"receiver of the releasing side", "user:1", "", "receiver_not_officer"},
		{"unknown account", "user:99", "", "receiver_not_officer"},
		{"observer of a party", "", "user:2", "observer_not_mediator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := b.released("UA", "UA-military-0")
			e.Receiver, e.Observer = tc.receiver, tc.observer
			err := s.CheckAccounts(e, officers)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			wantKind(t, err, errs.Invalid)
			if fe := errs.Fields(err); len(fe) != 1 || fe[0].Code != tc.code {
				t.Fatalf("fields %+v, want %s", fe, tc.code)
			}
		})
	}
}
