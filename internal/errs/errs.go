// Package errs defines the one error type of handover: an operation, a fixed
// Kind, a message safe to show a user, and the wrapped cause that is never
// shown. Adapters (HTTP, CLI) turn a Kind into a status or an exit code in
// exactly one place each.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
// The list is append-only: values are stable and never reordered.
type Kind uint8

// Kinds of error.
const (
	Other           Kind = iota // unclassified; treated as Internal at the edges
	Invalid                     // bad input: the caller must change the request
	NotFound                    // the thing does not exist, or is not visible to the caller
	Conflict                    // the request clashes with current state (stale version, duplicate)
	Forbidden                   // the caller is known but may not do this
	Unauthenticated             // the caller is not known
	Internal                    // our fault: logged, never detailed to the user
	TooMany                     // rate limited; try again later
)

var kindNames = [...]string{
	Other:           "other",
	Invalid:         "invalid",
	NotFound:        "not_found",
	Conflict:        "conflict",
	Forbidden:       "forbidden",
	Unauthenticated: "unauthenticated",
	Internal:        "internal",
	TooMany:         "too_many_requests",
}

// String returns the stable snake_case name used in JSON errors.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// FieldError names one problem with one field of an input, and where the
// input came from (a file row, a JSON path). Message is safe to show.
//
// Code, when set, names the kind of problem with a stable snake_case word
// ("required", "too_long") and Args are the values its message quotes, in
// order, as text: a user interface translates Code with Args instead of
// showing the English Message.
type FieldError struct {
	Field   string   `json:"field"`
	Message string   `json:"message"`
	Where   string   `json:"where,omitempty"`
	Code    string   `json:"code,omitempty"`
	Args    []string `json:"args,omitempty"`
}

func (f FieldError) String() string {
	s := f.Field + ": " + f.Message
	if f.Where != "" {
		s = f.Where + ": " + s
	}
	return s
}

// Error is handover's error. Op is the operation ("store.CreateRecord"),
// Message the user-safe text (in English), Code and Args the same text as
// a code the user interface translates ("problem.<code>" of
// internal/locale), Fields the per-field problems of an Invalid error, Err
// the cause (never shown to users).
type Error struct {
	Op      string
	Kind    Kind
	Message string
	Code    string
	Args    []string
	Fields  []FieldError
	Err     error
}

// Coded is an error's message as a code and its arguments, for E: the
// user interface renders "problem.<Code>" with Args in the user's
// language, while the English message stays for logs and API clients
// (which get the code and arguments beside it).
type Coded struct {
	Code string
	Args []string
}

// E builds an Error. Arguments may be, in any order: a string op (the first
// string), a Kind, a user message (the second string), its Coded form,
// []FieldError, or an error cause. If the cause is itself an *Error and no Kind was given, the
// Kind is inherited.
func E(args ...any) error {
	e := &Error{}
	nstr := 0
	for _, a := range args {
		switch v := a.(type) {
		case string:
			if nstr == 0 {
				e.Op = v
			} else {
				e.Message = v
			}
			nstr++
		case Kind:
			e.Kind = v
		case []FieldError:
			e.Fields = append(e.Fields, v...)
		case FieldError:
			e.Fields = append(e.Fields, v)
		case Coded:
			e.Code, e.Args = v.Code, v.Args
		case error:
			e.Err = v
		case nil:
		default:
			panic(fmt.Sprintf("errs.E: bad argument %T", a))
		}
	}
	if e.Kind == Other && e.Err != nil {
		e.Kind = KindOf(e.Err)
	}
	return e
}

// Errorf is E with a formatted user message.
func Errorf(op string, kind Kind, format string, args ...any) error {
	return &Error{Op: op, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Error renders op, message, fields and cause for logs.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Message != "" {
		b.WriteString(e.Message)
	} else if e.Kind != Other {
		b.WriteString(e.Kind.String())
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the outermost *Error in err's chain that has
// one, or Internal when there is none (an unclassified error is our fault).
func KindOf(err error) Kind {
	if err == nil {
		return Other
	}
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			break
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Internal
}

// Is reports whether err has the given Kind.
func Is(kind Kind, err error) bool { return err != nil && KindOf(err) == kind }

// Message returns the message safe to show a user: the first non-empty
// Message in the chain, or a generic text for the Kind. Internal errors never
// reveal their cause.
func Message(err error) string {
	k := KindOf(err)
	if k == Internal {
		return "internal error"
	}
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			break
		}
		if e.Message != "" {
			return e.Message
		}
		err = e.Err
	}
	switch k {
	case NotFound:
		return "not found"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "authentication required"
	case Conflict:
		return "conflict with the current state"
	case TooMany:
		return "too many requests; try again later"
	}
	return "invalid request"
}

// CodeOf returns the code and arguments of the message Message returns:
// those of the first error in err's chain with a message or a code; ""
// when that one has none, and for an Internal error.
func CodeOf(err error) (string, []string) {
	if KindOf(err) == Internal {
		return "", nil
	}
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			break
		}
		if e.Message != "" || e.Code != "" {
			return e.Code, e.Args
		}
		err = e.Err
	}
	return "", nil
}

// Fields returns all field errors in err's chain.
func Fields(err error) []FieldError {
	var out []FieldError
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			break
		}
		out = append(out, e.Fields...)
		err = e.Err
	}
	return out
}
