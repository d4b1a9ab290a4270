package backlog

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
)

// Mark is one of the fixed priority marks a bureau sets on a sought person.
type Mark string

// Marks. The list is append-only.
const (
	HeldLongest Mark = "held_longest" // among those held longest
	Woman       Mark = "woman"        // a woman (GC III Arts. 14, 25, 97, 108: separate quarters and treatment)
	Wounded     Mark = "wounded"      // wounded or sick (GC III Arts. 109–110)
)

// Marks lists the marks in display order.
var Marks = []Mark{HeldLongest, Woman, Wounded}

// Valid reports whether m is a known mark.
func (m Mark) Valid() bool { return slices.Contains(Marks, m) }

// maxGroup is the longest a group's name may be, in characters.
const maxGroup = 200

// Flags are the priority flags a bureau sets on one of its sought persons:
// some of the fixed marks and, besides, a named group ("the defenders of
// Azovstal", "the crew of the Moskva"). The latest flags set stand; earlier
// ones stay in the store and the log.
type Flags struct {
	Marks []Mark `json:"marks"`
	Group string `json:"group,omitempty"`
}

// MarshalJSON writes no marks as [] rather than null, so that every reader
// of the API and of a stored body sees a list.
func (f Flags) MarshalJSON() ([]byte, error) {
	type plain Flags
	if f.Marks == nil {
		f.Marks = []Mark{}
	}
	return json.Marshal(plain(f))
}

// Empty reports whether no flag is set.
func (f Flags) Empty() bool { return len(f.Marks) == 0 && f.Group == "" }

// Has reports whether mark m is set.
func (f Flags) Has(m Mark) bool { return slices.Contains(f.Marks, m) }

// Normal returns f with its marks in display order and the group's spaces
// trimmed, as the store keeps it.
func (f Flags) Normal() Flags {
	out := Flags{Marks: []Mark{}, Group: strings.TrimSpace(f.Group)}
	for _, m := range Marks {
		if f.Has(m) {
			out.Marks = append(out.Marks, m)
		}
	}
	for _, m := range f.Marks {
		if !m.Valid() {
			out.Marks = append(out.Marks, m) // kept for Validate to name
		}
	}
	return out
}

// Validate checks f: known marks, each once; a group of one line without
// control characters, at most 200 characters. It returns an errs.Invalid
// error naming every problem by field, or nil.
func (f Flags) Validate() error {
	var fe []errs.FieldError
	seen := map[Mark]bool{}
	for i, m := range f.Marks {
		where := "marks[" + strconv.Itoa(i) + "]"
		switch {
		case !m.Valid():
			fe = append(fe, errs.FieldError{Field: where, Message: "must be held_longest, woman or wounded", Code: "priority_mark", Args: []string{string(m)}})
		case seen[m]:
			fe = append(fe, errs.FieldError{Field: where, Message: "is set twice", Code: "priority_mark_twice", Args: []string{string(m)}})
		}
		seen[m] = true
	}
	g := strings.TrimSpace(f.Group)
	switch {
	case utf8.RuneCountInString(g) > maxGroup:
		fe = append(fe, errs.FieldError{Field: "group", Message: "at most 200 characters", Code: "priority_group_long", Args: []string{strconv.Itoa(maxGroup)}})
	case strings.ContainsFunc(g, unicode.IsControl) || !utf8.ValidString(g):
		fe = append(fe, errs.FieldError{Field: "group", Message: "one line without control characters", Code: "one_line"})
	}
	if fe != nil {
		return errs.E("backlog.Flags.Validate", errs.Invalid, "invalid priority flags", fe)
	}
	return nil
}
