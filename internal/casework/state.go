package casework

import (
	"fmt"

	"github.com/handover-project/handover/internal/errs"
)

// State is where a case stands: open while the bureau works it, closed
// once it has an answer for the family (or the family withdrew, or it was
// merged into another case).
type State string

// Case states.
const (
	// Open: every step but a reopening may be added.
	Open State = "open"
	// Closed: the case MUST NOT take contacts, tasks or notifications; it
	// is reopened (with a reason) to take them again. Sharing may still
	// change, so that the tracing agency may read a closed case.
	Closed State = "closed"
)

// Kind is the kind of a step. The list is append-only.
type Kind string

// Step kinds.
const (
	KindOpened   Kind = "opened"    // the case about a sought record
	KindEnquiry  Kind = "enquiry"   // a family member (or unit) asked
	KindContact  Kind = "contact"   // a call, letter, visit or message
	KindTask     Kind = "task"      // something to do, by someone, by a date
	KindTaskDone Kind = "task_done" // a task done
	KindNotified Kind = "notified"  // the family was told of a capture, a return, a death or remains identified
	KindShared   Kind = "shared"    // the bureau shares the case with the mediator's tracing agency, or stops
	KindClosed   Kind = "closed"    // the case closed, with its reason
	KindReopened Kind = "reopened"  // a closed case opened again, with a reason
)

// Kinds lists every step kind, in the order of a case's life.
var Kinds = []Kind{KindOpened, KindEnquiry, KindContact, KindTask, KindTaskDone, KindNotified, KindShared, KindClosed, KindReopened}

// moves is the one table of what each state allows: the step kinds it
// takes and the state each leaves the case in. The empty state is a case
// not yet opened: its only step is the opening.
var moves = map[State]map[Kind]State{
	"": {KindOpened: Open},
	Open: {KindEnquiry: Open, KindContact: Open, KindTask: Open, KindTaskDone: Open, KindNotified: Open,
		KindShared: Open, KindClosed: Closed},
	Closed: {KindShared: Closed, KindReopened: Open},
}

// Valid reports whether k is a step kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// next returns the state after a step of kind k in state s, or a Conflict
// coded case_not_open / case_not_closed / case_opened.
func next(s State, k Kind) (State, error) {
	if to, ok := moves[s][k]; ok {
		return to, nil
	}
	const op = "casework.next"
	switch {
	case s == "":
		return s, errs.E(op, errs.Invalid, "a case starts with its opening", errs.FieldError{Field: "kind", Message: "a case starts with its opening", Args: []string{string(k)}, Code: "case_not_opened"})
	case k == KindOpened:
		return s, errs.E(op, errs.Conflict, "the case is already open", errs.FieldError{Field: "kind", Message: "the case was opened already", Code: "case_opened"})
	case s == Closed:
		return s, errs.E(op, errs.Conflict, fmt.Sprintf("a closed case takes no %s: reopen it first", k), errs.FieldError{Field: "kind", Message: "the case is closed: reopen it first", Args: []string{string(k)}, Code: "case_closed"})
	}
	return s, errs.E(op, errs.Conflict, fmt.Sprintf("an open case takes no %s", k), errs.FieldError{Field: "kind", Message: "the case is open", Args: []string{string(k)}, Code: "case_not_closed"})
}
