package person

import (
	"fmt"
	"strconv"
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
		{"detrimental_reason", &f.DetrimentalReason, MaxTextLen, true},
		{"health", &f.Health, MaxTextLen, true},
		{"next_of_kin", &f.NextOfKin, MaxTextLen, true},
	}
}

// Problems are the codes of Validate's field errors with their English
// messages: a user interface translates a code, with the error's Args in
// the same order, instead of showing the English.
var Problems = map[string]string{
	"kind_required":        "required: held or sought",
	"bad_kind":             "%q is not a register: use held or sought",
	"category_required":    "required: one of %s",
	"bad_category":         "%q is not a category: use one of %s",
	"bad_status":           "%q is not a status",
	"bad_sex":              "%q is not a sex: use male, female or leave empty",
	"bad_name_language":    "%q is not a name language: use uk (Ukrainian), ru (Russian) or leave empty",
	"surname_required":     "required (or a full name, or mark the identity as not established)",
	"marks_required":       "required when the identity is not established and no name is known",
	"too_long":             "too long: %s characters, at most %s",
	"not_utf8":             "not valid UTF-8 text",
	"control_char":         "contains a control character at position %s",
	"too_many_latin":       "too many: %s, at most %s",
	"year_range":           "year %s is out of range",
	"no_month":             "month %s does not exist",
	"day_without_month":    "a day without a month",
	"no_day":               "day %s does not exist in %s",
	"future":               "%s is in the future",
	"too_early":            "%s is implausibly early",
	"capture_before_birth": "%s is before the birth date %s",
	"code_char":            "%q is not plausible: unexpected character %q",
	"code_no_digits":       "%q is not plausible: a service number has digits",
	"code_too_short":       "%q is not plausible: too short",
	"held_disappearance":   "a held record has a capture date, not a disappearance",
	"sought_capture":       "a sought record carries capture details only with status pow",

	"bad_detrimental_basis":        "%q is not a basis: use gc4_art137_2 (a civilian, GC IV Art. 137(2)) or own_request (the person's own request in the neutral's interview)",
	"detrimental_unflagged":        "a basis or reason of withholding without the flag: set the flag or leave both empty",
	"detrimental_basis_required":   "required with the flag: gc4_art137_2 (a civilian, GC IV Art. 137(2)) or own_request (the neutral's interview)",
	"detrimental_reason_required":  "required with the flag: why transmitting the information would be detrimental",
	"detrimental_pow":              "GC IV Art. 137(2) applies to civilians: a prisoner of war's information is transmitted to his state (GC III Art. 122(3)); only he may ask that it be withheld, in the neutral's interview",
	"detrimental_own_request":      "withholding at the person's own request is set only through the neutral's recorded interview, not on a record",
	"detrimental_own_request_kept": "the person asked, in the neutral's interview, that his information be withheld: a record write keeps that flag and its reason as they are",
}

// problem is one field error before it is placed: its code and the values
// its message quotes.
type problem struct {
	code string
	args []string
}

func prob(code string, args ...string) *problem { return &problem{code, args} }

// fieldError places p on field.
func (p *problem) fieldError(field string) errs.FieldError {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		args[i] = a
	}
	return errs.FieldError{Field: field, Message: fmt.Sprintf(Problems[p.code], args...), Code: p.code, Args: p.args}
}

// Validate checks f as of the instant now (dates may not lie after it) and
// returns an errs.Invalid error listing every problem by field, each with
// a code of Problems, or nil. Call Normalize first.
func (f *Fields) Validate(now time.Time) error {
	var bad []errs.FieldError
	add := func(field, code string, args ...string) {
		bad = append(bad, prob(code, args...).fieldError(field))
	}
	if !f.Kind.Valid() {
		if f.Kind == "" {
			add("kind", "kind_required")
		} else {
			add("kind", "bad_kind", string(f.Kind))
		}
	}
	if !f.Category.Valid() {
		if f.Category == "" {
			add("category", "category_required", categoryList())
		} else {
			add("category", "bad_category", string(f.Category), categoryList())
		}
	}
	if !f.Status.Valid() {
		add("status", "bad_status", string(f.Status))
	}
	switch f.Sex {
	case SexUnknown, Male, Female:
	default:
		add("sex", "bad_sex", string(f.Sex))
	}
	switch f.NameLanguage {
	case "", NameUkrainian, NameRussian:
	default:
		add("name_language", "bad_name_language", f.NameLanguage)
	}
	if f.Surname == "" && f.FullName == "" && !f.IdentityNotEstablished {
		add("surname", "surname_required")
	}
	if f.IdentityNotEstablished && f.DistinguishingMarks == "" && f.Surname == "" && f.FullName == "" {
		add("distinguishing_marks", "marks_required")
	}
	for _, p := range f.textFields() {
		v := *p.v
		if n := utf8.RuneCountInString(v); n > p.max {
			add(p.name, "too_long", strconv.Itoa(n), strconv.Itoa(p.max))
		}
		if !utf8.ValidString(v) {
			add(p.name, "not_utf8")
		} else if i := controlIndex(v, p.long); i >= 0 {
			add(p.name, "control_char", strconv.Itoa(i+1))
		}
	}
	if len(f.LatinNames) > MaxLatin {
		add("latin_names", "too_many_latin", strconv.Itoa(len(f.LatinNames)), strconv.Itoa(MaxLatin))
	}
	for i, s := range f.LatinNames {
		if n := utf8.RuneCountInString(s); n > 3*MaxNameLen {
			add(fmt.Sprintf("latin_names[%d]", i), "too_long", strconv.Itoa(n), strconv.Itoa(3*MaxNameLen))
		}
		if at := controlIndex(s, false); at >= 0 {
			add(fmt.Sprintf("latin_names[%d]", i), "control_char", strconv.Itoa(at+1))
		}
	}
	for _, d := range []struct {
		name string
		d    Date
	}{{"birth_date", f.BirthDate}, {"capture_date", f.CaptureDate}, {"disappearance_date", f.DisappearanceDate}} {
		if p := d.d.problem(); p != nil {
			bad = append(bad, p.fieldError(d.name))
		} else if d.d.After(now) {
			add(d.name, "future", d.d.String())
		} else if !d.d.IsZero() && d.d.Year < 1900 {
			add(d.name, "too_early", d.d.String())
		}
	}
	if !f.BirthDate.IsZero() && !f.CaptureDate.IsZero() && f.CaptureDate.Year < f.BirthDate.Year {
		add("capture_date", "capture_before_birth", f.CaptureDate.String(), f.BirthDate.String())
	}
	if f.ServiceNumber != "" {
		if p := checkCode(f.ServiceNumber, true); p != nil {
			bad = append(bad, p.fieldError("service_number"))
		}
	}
	if f.Unit != "" {
		if p := checkCode(f.Unit, false); p != nil {
			bad = append(bad, p.fieldError("unit"))
		}
	}
	if f.Kind == Held && (!f.DisappearanceDate.IsZero() || f.DisappearanceCircumstances != "") {
		add("disappearance_date", "held_disappearance")
	}
	if f.Kind == Sought && (!f.CaptureDate.IsZero() || f.CapturePlace != "") && f.Status != StatusPOW {
		// A sought person reported captured may carry capture details, but
		// only when the report says he is a prisoner of war.
		add("capture_date", "sought_capture")
	}
	f.withholdProblems(add)
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
func checkCode(s string, service bool) *problem {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r), r == ' ', r == '-', r == '/', r == '.', r == '№', r == '#', r == '(', r == ')', r == '"', r == '«', r == '»', r == '\'', r == '’', r == 'ʼ', r == ',':
		default:
			return prob("code_char", s, string(r))
		}
	}
	if service {
		if digits == 0 {
			return prob("code_no_digits", s)
		}
		if utf8.RuneCountInString(s) < 3 {
			return prob("code_too_short", s)
		}
	}
	return nil
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
			ws = append(ws, Warning{Field: p.name, Code: "mixed_script", Message: fmt.Sprintf("%q mixes Latin and Cyrillic letters: look-alike characters?", w), Args: []string{w}})
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
