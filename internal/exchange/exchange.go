package exchange

import (
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// Mediator is the signer role of the mediator in an agreement, beside the
// two parties' codes. A party MUST NOT be called so.
const Mediator = "mediator"

// Exchange is one negotiated exchange between two parties through the
// mediator, as the mediator opens it: its parties, crossing points,
// expected dates and terms.
type Exchange struct {
	// ID is the store's opaque id, used in the log and the agreement
	// document ("ex-2025-05-16").
	ID   string `json:"id"`
	Name string `json:"name"`
	// Parties are the two parties' codes ("UA", "RU"), in the order every
	// view and document lists them.
	Parties [2]string `json:"parties"`
	// Crossings are the crossing points; an exchange may run at several
	// at once. Stages name one of them.
	Crossings []string  `json:"crossings"`
	From      time.Time `json:"from,omitzero"` // expected first day
	To        time.Time `json:"to,omitzero"`   // expected last day
	Terms     Terms     `json:"terms"`
}

// problem is f with its Message formatted from format and args, and its
// Args the args as text, in order: a user interface translates f.Code
// with them instead of showing the English.
func problem(f errs.FieldError, format string, args ...any) errs.FieldError {
	f.Message = fmt.Sprintf(format, args...)
	for _, a := range args {
		f.Args = append(f.Args, fmt.Sprint(a))
	}
	return f
}

// refuse is an error of kind whose message is also f's, so that a user
// interface can say it in the user's language by f.Code.
func refuse(op string, kind errs.Kind, f errs.FieldError) error {
	return errs.E(op, kind, f.Message, f)
}

// Validate checks the exchange and its terms and returns an errs.Invalid
// error listing every problem by field, or nil.
func (e *Exchange) Validate() error {
	var fe []errs.FieldError
	add := func(f errs.FieldError, format string, args ...any) {
		fe = append(fe, problem(f, format, args...))
	}
	if !validID(e.ID) {
		add(errs.FieldError{Field: "id", Code: "bad_id"}, idRule)
	}
	if !validText(e.Name) {
		add(errs.FieldError{Field: "name", Code: "one_line_required"}, "required, one line without control characters")
	}
	for i, p := range e.Parties {
		if !validID(p) || p == Mediator {
			add(errs.FieldError{Field: fmt.Sprintf("parties[%d]", i), Code: "party_not_mediator"}, "must be a party code ("+idRule+"), not %q", Mediator)
		}
	}
	if e.Parties[0] == e.Parties[1] {
		add(errs.FieldError{Field: "parties", Code: "same_parties"}, "an exchange is between two different parties")
	}
	if len(e.Crossings) == 0 {
		add(errs.FieldError{Field: "crossings", Code: "crossing_required"}, "at least one crossing point is required")
	}
	seen := map[string]bool{}
	for i, c := range e.Crossings {
		if !validText(c) {
			add(errs.FieldError{Field: fmt.Sprintf("crossings[%d]", i), Code: "one_line"}, "one line without control characters")
		} else if seen[c] {
			add(errs.FieldError{Field: fmt.Sprintf("crossings[%d]", i), Code: "listed_twice"}, "%q is listed twice", c)
		}
		seen[c] = true
	}
	if !e.From.IsZero() && !e.To.IsZero() && e.To.Before(e.From) {
		add(errs.FieldError{Field: "to", Code: "before_from"}, "is before from")
	}
	if err := e.Terms.Validate(); err != nil {
		for _, f := range errs.Fields(err) {
			f.Field = "terms." + f.Field
			fe = append(fe, f)
		}
	}
	if fe != nil {
		return errs.E("exchange.Exchange.Validate", errs.Invalid, "invalid exchange", fe)
	}
	return nil
}

// HasParty reports whether p is one of the exchange's parties.
func (e *Exchange) HasParty(p string) bool {
	return p != "" && (e.Parties[0] == p || e.Parties[1] == p)
}

// Other returns the party facing p, and false when p is not a party.
func (e *Exchange) Other(p string) (string, bool) {
	switch p {
	case e.Parties[0]:
		return e.Parties[1], true
	case e.Parties[1]:
		return e.Parties[0], true
	}
	return "", false
}

// HasCrossing reports whether c is one of the exchange's crossing points.
func (e *Exchange) HasCrossing(c string) bool {
	for _, x := range e.Crossings {
		if x == c {
			return true
		}
	}
	return false
}
