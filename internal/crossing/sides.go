package crossing

// Who records what at a stage. An officer acts for their own party only:
// the releasing side's officer records what the releasing side does with a
// person (released, refused, not presented, substituted by a reserve), the
// receiving side's officer what the receiving side does (received, identity
// mismatch, disputed), the mediator's observer (an officer without a party)
// what it saw (observed_handover, observed_refusal). The store sets an
// event's Party from the officer's account; the stage refuses, Forbidden,
// an event whose Party may not record it.

import (
	"github.com/handover-project/handover/internal/errs"
)

// receiving returns the side that receives what side releases: the
// stage's other side, or "" when side is not one of its two sides.
func (s *Stage) receiving(side string) string {
	if len(s.sides) != 2 {
		return ""
	}
	switch side {
	case s.sides[0]:
		return s.sides[1]
	case s.sides[1]:
		return s.sides[0]
	}
	return ""
}

// authorise refuses, Forbidden with a coded field error, an event recorded
// by a party that may not record it. Retractions and amendment decisions
// are judged where they are applied, against their subject.
func (s *Stage) authorise(e Event) error {
	const op = "crossing.Stage.Apply"
	forbid := func(fe errs.FieldError) error {
		fe.Field, fe.Where = "party", e.ID
		return errs.E(op, errs.Forbidden, fe.Message, fe)
	}
	t := string(e.Type)
	switch e.Type.RecordedBy() {
	case ByReleasing:
		if e.Party != e.Side {
			msg := e.Party + " may not record " + t + " for a person " + e.Side + " releases: only " + e.Side + "'s officers record what " + e.Side + " releases"
			return forbid(errs.FieldError{Message: msg, Args: []string{e.Party, t, e.Side}, Code: "release_by_releasing_side"})
		}
	case ByReceiving:
		if r := s.receiving(e.Side); e.Party != r {
			msg := e.Party + " may not record " + t + " for a person " + e.Side + " releases: only " + r + "'s officers record what " + r + " receives"
			return forbid(errs.FieldError{Message: msg, Args: []string{e.Party, t, e.Side, r}, Code: "receipt_by_receiving_side"})
		}
	case ByObserver:
		if e.Party != Mediator {
			msg := e.Party + " may not record " + t + ": only the mediator's observer records what it observed"
			return forbid(errs.FieldError{Message: msg, Args: []string{e.Party, t}, Code: "observation_by_mediator"})
		}
	case ByReleasingOrObserver:
		if e.Party != e.Side && e.Party != Mediator {
			msg := e.Party + " may not record a person " + e.Side + " presents: only " + e.Side + "'s officers or the mediator's observer"
			return forbid(errs.FieldError{Message: msg, Args: []string{e.Party, e.Side}, Code: "unlisted_by_releasing_side"})
		}
	}
	return nil
}

// CheckAccounts checks the accounts an event names against officers, the
// checkpoint officers' accounts that may be named ("user:ID" → their
// party, or Mediator for the mediator's observers): the receiver must be
// an officer of the side that receives the person, the observer one of
// the mediator's. It returns Invalid with a coded field error per bad
// account. The store calls it, inside the transaction that records the
// event, for new events only: a stored event is not judged again on
// replay, when accounts may since have been disabled.
func (s *Stage) CheckAccounts(e Event, officers map[string]string) error {
	var fe []errs.FieldError
	bad := func(f errs.FieldError) { f.Where = e.ID; fe = append(fe, f) }
	if e.Receiver != "" {
		want := s.receiving(e.Side)
		switch party, ok := officers[e.Receiver]; {
		case !IsAccount(e.Receiver):
			bad(errs.FieldError{Field: "receiver", Message: quote(e.Receiver) + " is not an account: name a checkpoint officer's account", Args: []string{e.Receiver}, Code: "not_account"})
		case !ok || party != want || want == "":
			bad(errs.FieldError{Field: "receiver", Message: e.Receiver + " is not a checkpoint officer of " + want + ", the receiving side", Args: []string{e.Receiver, want}, Code: "receiver_not_officer"})
		}
	}
	if e.Observer != "" {
		switch party, ok := officers[e.Observer]; {
		case !IsAccount(e.Observer):
			bad(errs.FieldError{Field: "observer", Message: quote(e.Observer) + " is not an account: name a checkpoint officer's account", Args: []string{e.Observer}, Code: "not_account"})
		case !ok || party != Mediator:
			bad(errs.FieldError{Field: "observer", Message: e.Observer + " is not one of the mediator's checkpoint officers", Args: []string{e.Observer}, Code: "observer_not_mediator"})
		}
	}
	if len(fe) > 0 {
		return errs.E("crossing.Stage.CheckAccounts", errs.Invalid, "the event names accounts that may not be named", fe)
	}
	return nil
}
