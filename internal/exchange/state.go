package exchange

import (
	"fmt"

	"github.com/handover-project/handover/internal/errs"
)

// This file holds every state machine of the package and its one table of
// allowed transitions. A transition not in a table is refused; the store
// MUST change a state only through [ListState.CanMove] or
// [AgreementState.CanMove] (or the functions that call them), never by
// assigning a new value.

// ListState is the state of one list version.
type ListState uint8

// List version states. The list is append-only: never reorder.
const (
	// ListDraft is a version being edited by its party. Only a draft may be
	// changed, and only a draft is invisible to the other party.
	ListDraft ListState = iota + 1
	// ListSubmitted is a version handed to the other party. It MUST NOT
	// change again: a correction is a new version. It is the one the other
	// party answers.
	ListSubmitted
	// ListSuperseded is a submitted version that a later submitted version
	// of the same list replaced. Answers MUST NOT be given to it any more;
	// its answers stay in the history.
	ListSuperseded
)

var listStateNames = [...]string{ListDraft: "draft", ListSubmitted: "submitted", ListSuperseded: "superseded"}

// listMoves is the table of allowed list version transitions.
var listMoves = map[ListState][]ListState{
	ListDraft:      {ListSubmitted},
	ListSubmitted:  {ListSuperseded},
	ListSuperseded: {}, // final
}

// String returns the stable name of s ("draft", "submitted", "superseded").
func (s ListState) String() string {
	if int(s) < len(listStateNames) && listStateNames[s] != "" {
		return listStateNames[s]
	}
	return fmt.Sprintf("list_state(%d)", uint8(s))
}

// ParseListState returns the state named s.
func ParseListState(s string) (ListState, bool) {
	for i, n := range listStateNames {
		if n != "" && n == s {
			return ListState(i), true
		}
	}
	return 0, false
}

// MarshalText writes the state's name (for JSON); the zero value is "".
func (s ListState) MarshalText() ([]byte, error) {
	if s == 0 {
		return nil, nil
	}
	if _, ok := ParseListState(s.String()); !ok {
		return nil, fmt.Errorf("exchange: no list state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a state's name; "" is the zero value.
func (s *ListState) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = 0
		return nil
	}
	v, ok := ParseListState(string(b))
	if !ok {
		return fmt.Errorf("exchange: no list state %q", b)
	}
	*s = v
	return nil
}

// CanMove reports whether a list version may go from s to next.
func (s ListState) CanMove(next ListState) bool {
	for _, n := range listMoves[s] {
		if n == next {
			return true
		}
	}
	return false
}

// AgreementState is the state of one version of an agreement document.
type AgreementState uint8

// Agreement version states. The list is append-only: never reorder.
const (
	// AgreementOpen is a frozen document waiting for signatures. Its text
	// MUST NOT change; signatures are added beside it.
	AgreementOpen AgreementState = iota + 1
	// AgreementSigned is a document that carries every required signature
	// (an approver of each party and the mediator). It is in effect and
	// frozen (DESIGN.md §4.5): any change MUST be a new version made with
	// [NewVersion], which carries no signature over.
	AgreementSigned
	// AgreementSuperseded is a version replaced by a later one, whether it
	// had been signed or not. Signatures MUST NOT be added to it.
	AgreementSuperseded
)

var agreementStateNames = [...]string{AgreementOpen: "open", AgreementSigned: "signed", AgreementSuperseded: "superseded"}

// agreementMoves is the table of allowed agreement version transitions.
var agreementMoves = map[AgreementState][]AgreementState{
	AgreementOpen:       {AgreementSigned, AgreementSuperseded},
	AgreementSigned:     {AgreementSuperseded},
	AgreementSuperseded: {}, // final
}

// String returns the stable name of s ("open", "signed", "superseded").
func (s AgreementState) String() string {
	if int(s) < len(agreementStateNames) && agreementStateNames[s] != "" {
		return agreementStateNames[s]
	}
	return fmt.Sprintf("agreement_state(%d)", uint8(s))
}

// CheckSignable returns nil if a signature may be added to an agreement
// version in state s: only an open version takes signatures. A superseded
// version is errs.Conflict (stale: sign the current version); a signed one
// is errs.Conflict too (frozen: it needs nothing more).
func (s AgreementState) CheckSignable() error {
	switch s {
	case AgreementOpen:
		return nil
	case AgreementSuperseded:
		return errs.E("exchange.CheckSignable", errs.Conflict, "this version of the agreement was superseded: sign the current version")
	case AgreementSigned:
		return errs.E("exchange.CheckSignable", errs.Conflict, "this version is already signed by all and frozen: a change is a new version")
	}
	return errs.Errorf("exchange.CheckSignable", errs.Invalid, "unknown agreement state %d", uint8(s))
}

// ParseAgreementState returns the state named s.
func ParseAgreementState(s string) (AgreementState, bool) {
	for i, n := range agreementStateNames {
		if n != "" && n == s {
			return AgreementState(i), true
		}
	}
	return 0, false
}

// MarshalText writes the state's name (for JSON); the zero value is "".
func (s AgreementState) MarshalText() ([]byte, error) {
	if s == 0 {
		return nil, nil
	}
	if _, ok := ParseAgreementState(s.String()); !ok {
		return nil, fmt.Errorf("exchange: no agreement state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a state's name; "" is the zero value.
func (s *AgreementState) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = 0
		return nil
	}
	v, ok := ParseAgreementState(string(b))
	if !ok {
		return fmt.Errorf("exchange: no agreement state %q", b)
	}
	*s = v
	return nil
}

// CanMove reports whether an agreement version may go from s to next.
func (s AgreementState) CanMove(next AgreementState) bool {
	for _, n := range agreementMoves[s] {
		if n == next {
			return true
		}
	}
	return false
}
