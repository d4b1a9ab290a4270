package person

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/handover-project/handover/internal/errs"
)

// Limits on field lengths, in characters.
const (
	MaxNameLen  = 100
	MaxShortLen = 200  // rank, unit, places, service number
	MaxTextLen  = 4000 // notes, circumstances, health, next of kin
	MaxLatin    = 10   // Latin spellings per record
)

// Normalize brings every text field to NFC, trims it and collapses runs of
// white space inside names. It changes nothing else: names are kept as
// entered, in whatever script.
func (f *Fields) Normalize() {
	for _, p := range f.textFields() {
		*p.v = clean(*p.v, p.long)
	}
	out := f.LatinNames[:0]
	for _, s := range f.LatinNames {
		if s = clean(s, false); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	f.LatinNames = out
}

func clean(s string, long bool) string {
	s = norm.NFC.String(s)
	if long {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

type textField struct {
	name string
	v    *string
	max  int
	long bool // multi-line text: newlines and tabs allowed
}

func (f *Fields) textFields() []textField {
	return []textField{
		{"surname", &f.Surname, MaxNameLen, false},
		{"given_names", &f.GivenNames, MaxNameLen, false},
		{"patronymic", &f.Patronymic, MaxNameLen, false},
		{"full_name", &f.FullName, 3 * MaxNameLen, false},
		{"birth_place", &f.BirthPlace, MaxShortLen, false},
		{"rank", &f.Rank, MaxShortLen, false},
		{"service_number", &f.ServiceNumber, 32, false},
		{"unit", &f.Unit, MaxShortLen, false},
		{"power", &f.Power, MaxShortLen, false},
		{"citizenship", &f.Citizenship, MaxShortLen, false},
		{"mother_maiden_name", &f.MotherMaidenName, MaxNameLen, false},
		{"capture_place", &f.CapturePlace, MaxShortLen, false},
		{"disappearance_circumstances", &f.DisappearanceCircumstances, MaxTextLen, true},
		{"distinguishing_marks", &f.DistinguishingMarks, MaxTextLen, true},
		{"notes", &f.Notes, MaxTextLen, true},
		{"health", &f.Health, MaxTextLen, true},
		{"next_of_kin", &f.NextOfKin, MaxTextLen, true},
	}
}

// Validate checks f as of the instant now (dates may not lie after it) and
// returns an errs.Invalid error listing every problem by field, or nil.
// Call Normalize first.
func (f *Fields) Validate(now time.Time) error {
	var bad []errs.FieldError
	add := func(field, format string, args ...any) {
		bad = append(bad, errs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !f.Kind.Valid() {
		if f.Kind == "" {
			add("kind", "required: held or sought")
		} else {
			add("kind", "%q is not a register: use held or sought", string(f.Kind))
		}
	}
	if !f.Category.Valid() {
		if f.Category == "" {
			add("category", "required: one of %s", categoryList())
		} else {
			add("category", "%q is not a category: use one of %s", string(f.Category), categoryList())
		}
	}
	if !f.Status.Valid() {
		add("status", "%q is not a status", string(f.Status))
	}
	switch f.Sex {
	case SexUnknown, Male, Female:
	default:
		add("sex", "%q is not a sex: use male, female or leave empty", string(f.Sex))
	}
	if f.Surname == "" && f.FullName == "" && !f.IdentityNotEstablished {
		add("surname", "required (or a full name, or mark the identity as not established)")
	}
	if f.IdentityNotEstablished && f.DistinguishingMarks == "" && f.Surname == "" && f.FullName == "" {
		add("distinguishing_marks", "required when the identity is not established and no name is known")
	}
	for _, p := range f.textFields() {
		v := *p.v
		if n := utf8.RuneCountInString(v); n > p.max {
			add(p.name, "too long: %d characters, at most %d", n, p.max)
		}
		if !utf8.ValidString(v) {
			add(p.name, "not valid UTF-8 text")
		} else if i := controlIndex(v, p.long); i >= 0 {
			add(p.name, "contains a control character at position %d", i+1)
		}
	}
	if len(f.LatinNames) > MaxLatin {
		add("latin_names", "too many: %d, at most %d", len(f.LatinNames), MaxLatin)
	}
	for i, s := range f.LatinNames {
		if n := utf8.RuneCountInString(s); n > 3*MaxNameLen {
			add(fmt.Sprintf("latin_names[%d]", i), "too long: %d characters", n)
		}
		if controlIndex(s, false) >= 0 {
			add(fmt.Sprintf("latin_names[%d]", i), "contains a control character")
		}
	}
	for _, d := range []struct {
		name string
		d    Date
	}{{"birth_date", f.BirthDate}, {"capture_date", f.CaptureDate}, {"disappearance_date", f.DisappearanceDate}} {
		if err := d.d.check(); err != nil {
			add(d.name, "%v", err)
		} else if d.d.After(now) {
			add(d.name, "%s is in the future", d.d)
		} else if !d.d.IsZero() && d.d.Year < 1900 {
			add(d.name, "%s is implausibly early", d.d)
		}
	}
	if !f.BirthDate.IsZero() && !f.CaptureDate.IsZero() && f.CaptureDate.Year < f.BirthDate.Year {
		add("capture_date", "%s is before the birth date %s", f.CaptureDate, f.BirthDate)
	}
	if f.ServiceNumber != "" {
		if msg := checkCode(f.ServiceNumber, true); msg != "" {
			add("service_number", "%s", msg)
		}
	}
	if f.Unit != "" {
		if msg := checkCode(f.Unit, false); msg != "" {
			add("unit", "%s", msg)
		}
	}
	if f.Kind == Held && (!f.DisappearanceDate.IsZero() || f.DisappearanceCircumstances != "") {
		add("disappearance_date", "a held record has a capture date, not a disappearance")
	}
	if f.Kind == Sought && (!f.CaptureDate.IsZero() || f.CapturePlace != "") && f.Status != StatusPOW {
		// A sought person reported captured may carry capture details, but
		// only when the report says he is a prisoner of war.
		add("capture_date", "a sought record carries capture details only with status pow")
	}
	if len(bad) > 0 {
		return errs.E("person.Validate", errs.Invalid, "the record has invalid fields", bad)
	}
	return nil
}

func categoryList() string {
	s := make([]string, len(Categories))
	for i, c := range Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// controlIndex returns the rune index of the first control or format
// character that has no place in the field, or -1.
func controlIndex(s string, long bool) int {
	i := 0
	for _, r := range s {
		if long && (r == '\n' || r == '\t' || r == '\r') {
			i++
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' || r == '\u200b' || r == '\u202e' || r == '\u202d' {
			return i
		}
		i++
	}
	return -1
}

// checkCode checks a service number or unit code for plausibility. It is
// kept as entered; this only refuses what cannot be one.
func checkCode(s string, service bool) string {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r), r == ' ', r == '-', r == '/', r == '.', r == '№', r == '#', r == '(', r == ')', r == '"', r == '«', r == '»', r == '\'', r == '’', r == 'ʼ', r == ',':
		default:
			return fmt.Sprintf("%q is not plausible: unexpected character %q", s, r)
		}
	}
	if service {
		if digits == 0 {
			return fmt.Sprintf("%q is not plausible: a service number has digits", s)
		}
		if utf8.RuneCountInString(s) < 3 {
			return fmt.Sprintf("%q is not plausible: too short", s)
		}
	}
	return ""
}

// Check returns the non-blocking warnings for f: Latin look-alike letters
// inside Cyrillic words (or the reverse) in names, kept as entered but
// flagged for a person to look at.
func (f *Fields) Check() []Warning {
	var ws []Warning
	for _, p := range []struct {
		name string
		v    string
	}{{"surname", f.Surname}, {"given_names", f.GivenNames}, {"patronymic", f.Patronymic}, {"full_name", f.FullName}, {"mother_maiden_name", f.MotherMaidenName}} {
		if w := mixedScriptWord(p.v); w != "" {
			ws = append(ws, Warning{Field: p.name, Code: "mixed_script", Message: fmt.Sprintf("%q mixes Latin and Cyrillic letters: look-alike characters?", w)})
		}
	}
	return ws
}

// mixedScriptWord returns the first word of s that has both Latin and
// Cyrillic letters, or "".
func mixedScriptWord(s string) string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == ',' || r == '.' }) {
		var lat, cyr bool
		for _, r := range w {
			if unicode.Is(unicode.Latin, r) {
				lat = true
			} else if unicode.Is(unicode.Cyrillic, r) {
				cyr = true
			}
		}
		if lat && cyr {
			return w
		}
	}
	return ""
}
