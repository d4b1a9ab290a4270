package crossing

import (
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// Mediator is the party code of the neutral mediator. Stage transitions are
// the mediator's to record.
const Mediator = "mediator"

// State is where a stage stands. The zero value is not a state.
type State uint8

// States of a stage. Values are stable; append only.
const (
	Planned   State = iota + 1 // agreed and scheduled; may slip to a new window
	Open                       // persons are being checked and handed over
	Closing                    // the count is being reconciled; events still accepted
	Closed                     // final: parity held or a discrepancy was recorded
	Suspended                  // halted with a reason; resumes to open or is cancelled
	Cancelled                  // final: the stage did not take place
)

var stateNames = [...]string{
	Planned:   "planned",
	Open:      "open",
	Closing:   "closing",
	Closed:    "closed",
	Suspended: "suspended",
	Cancelled: "cancelled",
}

// String returns the stable snake_case name of s.
func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return "state(" + itoa(int(s)) + ")"
}

// ParseState returns the State named s.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n != "" && n == s {
			return State(i), nil
		}
	}
	return 0, errs.Errorf("crossing.ParseState", errs.Invalid, "%q is not a stage state", s)
}

// Final reports whether no event may follow s.
func (s State) Final() bool { return s == Closed || s == Cancelled }

// AcceptsHandovers reports whether handover events may be recorded in s.
func (s State) AcceptsHandovers() bool { return s == Open || s == Closing }

// UnderWay reports whether a stage in s has opened and is not yet final:
// open, closing or suspended. Officers work on such stages.
func (s State) UnderWay() bool { return s == Open || s == Closing || s == Suspended }

// transition is one row of the stage state machine.
type transition struct {
	From State
	Via  EventType
	To   State
}

// transitions is the one table of allowed stage transitions. Every stage
// change is an event of a Via type applied in the From state; nothing else
// moves a stage.
//
// Invariants kept by the guards in [Stage.applyTransition]:
//   - a stage MUST NOT close unless parity holds or the mediator records a
//     discrepancy with a reason (DESIGN.md §4.6);
//   - a stage MUST NOT be cancelled once anyone has been handed over in it:
//     it is closed with a discrepancy instead;
//   - a suspension, a cancellation and a slip MUST carry a reason;
//   - a stage MAY slip (take a new window) only while planned;
//   - closed and cancelled are final: no event is accepted after them.
var transitions = []transition{
	{Planned, StageSlipped, Planned},
	{Planned, StageOpened, Open},
	{Planned, StageSuspended, Suspended},
	{Planned, StageCancelled, Cancelled},
	{Open, StageClosing, Closing},
	{Open, StageSuspended, Suspended},
	{Closing, StageReopened, Open},
	{Closing, StageClosed, Closed},
	{Closing, StageSuspended, Suspended},
	{Suspended, StageResumed, Open},
	{Suspended, StageCancelled, Cancelled},
}

// next returns the state that event type t leads to from s, and whether the
// table allows it.
func next(s State, t EventType) (State, bool) {
	for _, tr := range transitions {
		if tr.From == s && tr.Via == t {
			return tr.To, true
		}
	}
	return 0, false
}

// Allowed returns the stage event types the table allows in state s, in
// table order.
func Allowed(s State) []EventType {
	var out []EventType
	for _, tr := range transitions {
		if tr.From == s {
			out = append(out, tr.Via)
		}
	}
	return out
}

// Window is the time a stage is planned to take place in.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Valid reports whether w is empty or ends after it starts.
func (w Window) Valid() bool {
	if w.Start.IsZero() && w.End.IsZero() {
		return true
	}
	return !w.Start.IsZero() && !w.End.IsZero() && w.End.After(w.Start)
}

// Change is one stage transition as it happened: the history of a stage.
type Change struct {
	Event  string    `json:"event"` // the id of the event that made the change
	From   State     `json:"from"`
	To     State     `json:"to"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
	// Parity is whether parity held when the stage closed (closing changes only).
	Parity bool `json:"parity,omitempty"`
	// Window is the new window of a slip.
	Window Window `json:"window,omitzero"`
}

// applyTransition checks and applies a stage-level event. It changes
// nothing when it returns an error.
func (s *Stage) applyTransition(e Event) error {
	const op = "crossing.Stage.Apply"
	if e.Party != Mediator {
		return errs.E(op, errs.Forbidden, "only the mediator moves a stage: "+e.Type.String()+" recorded by "+quote(e.Party))
	}
	to, ok := next(s.state, e.Type)
	if !ok {
		return s.notAllowed(op, s.state, e)
	}
	ch := Change{Event: e.ID, From: s.state, To: to, At: e.At, Actor: e.Actor, Reason: e.Reason}
	switch e.Type {
	case StageSlipped:
		if e.Window.Start.IsZero() || !e.Window.Valid() {
			return errs.E(op, errs.Invalid, errs.FieldError{Field: "window", Message: "a slip needs a new window that ends after it starts", Code: "slip_window"})
		}
		ch.Window = e.Window
	case StageSuspended, StageCancelled:
		if e.Reason == "" {
			return errs.E(op, errs.Invalid, errs.FieldError{Field: "reason", Message: "is required to " + e.Type.verb(), Code: "reason_required"})
		}
		if e.Type == StageCancelled && s.handedOver() > 0 {
			return conflict(op, errs.FieldError{Field: "type", Where: e.ID, Message: "persons have been handed over in this stage: close it with a discrepancy instead of cancelling it", Code: "cancel_after_handover"})
		}
	case StageClosed:
		var err error
		if ch.Parity, err = s.mayClose(op, e); err != nil {
			return err
		}
	}
	s.state = to
	switch e.Type {
	case StageSlipped:
		s.window = e.Window
	case StageSuspended, StageCancelled:
		s.reason = e.Reason
	case StageResumed, StageReopened, StageOpened:
		s.reason = ""
	case StageClosed:
		s.discrepancy = e.Reason
	}
	s.history = append(s.history, ch)
	return nil
}

// notAllowed is the refusal of an event the state does not allow.
func (s *Stage) notAllowed(op string, from State, e Event) error {
	return conflict(op, errs.FieldError{Field: "type", Where: e.ID, Message: "stage " + itoa(s.plan.Stage) + " is " + from.String() + ": " + e.Type.String() + " is not allowed", Args: []string{itoa(s.plan.Stage), from.String(), e.Type.String()}, Code: "not_allowed_in_state"})
}

// mayClose reports whether parity holds, and refuses to close the stage
// by e when it does not and e gives no discrepancy reason (DESIGN.md
// §4.6: the mediator closes a stage without parity only by recording the
// discrepancy).
func (s *Stage) mayClose(op string, e Event) (parity bool, err error) {
	r := s.Report()
	if r.Parity || e.Reason != "" {
		return r.Parity, nil
	}
	// The refusal says the stage and then each blocker, each a field
	// error with its own code, so that a user interface says all of it in
	// the user's language.
	msg := "stage " + itoa(s.plan.Stage) + " may not close: " + joinBlockers(r.Blockers) + "; the mediator may close it by recording a discrepancy with a reason"
	fes := []errs.FieldError{{Field: "reason", Where: e.ID, Message: msg, Args: []string{itoa(s.plan.Stage)}, Code: "may_not_close"}}
	for _, b := range r.BlockerCodes {
		b.Field, b.Where = "reason", e.ID
		fes = append(fes, b)
	}
	return false, errs.E(op, errs.Conflict, msg, fes)
}

// CheckClose says, without changing the stage, whether the mediator may
// close it now with reason (the discrepancy; empty when parity holds):
// nil, or the coded refusal that closing would give. Closing an open
// stage is two events (closing, then closed); a form asks this first so
// that the first is not recorded when the second would be refused.
func (s *Stage) CheckClose(reason string) error {
	const op = "crossing.Stage.CheckClose"
	from := s.state
	if from == Open {
		from, _ = next(from, StageClosing)
	}
	e := Event{Type: StageClosed, Reason: reason}
	if _, ok := next(from, StageClosed); !ok {
		return s.notAllowed(op, s.state, e)
	}
	_, err := s.mayClose(op, e)
	return err
}

// MarshalText encodes s as its name, so JSON shows "open", not 2.
func (s State) MarshalText() ([]byte, error) {
	if s == 0 || int(s) >= len(stateNames) {
		return nil, errs.Errorf("crossing.State.MarshalText", errs.Internal, "state %d has no name", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a state name.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
