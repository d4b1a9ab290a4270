package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindsAndMessages(t *testing.T) {
	cause := errors.New("disk on fire")
	tests := []struct {
		name string
		err  error
		kind Kind
		msg  string
	}{
		{"invalid with message", E("op", Invalid, "surname required"), Invalid, "surname required"},
		{"kind inherited through wrapping", E("outer", E("inner", NotFound, "no record r1")), NotFound, "no record r1"},
		{"fmt wrapping keeps the kind", fmt.Errorf("load: %w", E("op", Conflict, "stale")), Conflict, "stale"},
		{"plain error is internal", cause, Internal, "internal error"},
		{"internal never shows its cause", E("op", Internal, "db broke", cause), Internal, "internal error"},
		{"default text per kind", E("op", Forbidden), Forbidden, "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOf(tc.err); got != tc.kind {
				t.Errorf("kind: got %v, want %v", got, tc.kind)
			}
			if got := Message(tc.err); got != tc.msg {
				t.Errorf("message: got %q, want %q", got, tc.msg)
			}
		})
	}
	if KindOf(nil) != Other || Is(Invalid, nil) {
		t.Error("nil error has a kind")
	}
}

func TestFields(t *testing.T) {
	err := E("outer", E("inner", Invalid, "bad", []FieldError{{Field: "surname", Message: "required", Where: "row 3"}}))
	fs := Fields(err)
	if len(fs) != 1 || fs[0].String() != "row 3: surname: required" {
		t.Fatalf("got %v", fs)
	}
	if got := err.Error(); got != "outer: invalid: inner: bad: row 3: surname: required" {
		t.Errorf("Error() = %q", got)
	}
}

// TestCodeOf: the code of an error is the code of the message it shows,
// never one an outer message hides, and never an internal error's.
func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code string
		args []string
	}{
		{"coded", E("op", NotFound, "exchange x has no agreement yet", Coded{"no_agreement", []string{"x"}}), "no_agreement", []string{"x"}},
		{"through a wrapper without a message", E("outer", E("inner", NotFound, "m", Coded{"no_record", []string{"r1"}})), "no_record", []string{"r1"}},
		{"an outer message without a code hides the inner code", E("outer", NotFound, "other", E("inner", NotFound, "m", Coded{"no_record", nil})), "", nil},
		{"no code", E("op", Conflict, "stale"), "", nil},
		{"internal", E("op", Internal, "m", Coded{"no_record", nil}), "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, args := CodeOf(tc.err)
			if code != tc.code || fmt.Sprint(args) != fmt.Sprint(tc.args) {
				t.Errorf("CodeOf = %q %v, want %q %v", code, args, tc.code, tc.args)
			}
		})
	}
}
