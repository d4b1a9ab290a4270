// Package form reads the UI's forms, and reads only their syntax: it turns
// what a person typed into the domain's values, and says what it cannot
// read — a date that is no date, a count that is no whole number, a line
// that is not "id text" — as an errs.FieldError with a Code, named after
// the form's field. Every rule the values must then meet (a name is
// required, the parties differ, the ages lie in a band, remains are
// confirmed by a primary method…) and its message are the domain's: the
// page calls the store, which calls the domain, and shows the domain's
// field errors through internal/locale. A rule is never repeated here, so
// a rule changed in the domain changes what the form says.
package form

import (
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Problem codes of this package (messages: problem.<code> in
// internal/locale).
const (
	CodeNotDay    = "not_a_day"    // a date that is no date; Args: the text
	CodeNotTime   = "not_a_time"   // a time that is no time; Args: the text
	CodeNotNumber = "not_a_number" // a count that is no whole number; Args: the text
	CodeLine      = "not_id_text"  // a line that is not "id text"; Args: the line number
)

// Day reads a day as the forms take it, with the one date parser of every
// input (person.ReadDate): 2025-05-23 (a browser's date field), 23.05.2025,
// 23 травня 2025… A month or a year alone is not a day. Empty is the zero
// time.
func Day(field, s string) (time.Time, *errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := person.ReadDate(s); err == nil && d.Precision() == "day" {
		return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, &errs.FieldError{Field: field, Message: strconv.Quote(s) + " is not a date: write 2025-05-23 or 23.05.2025", Code: CodeNotDay, Args: []string{s}}
}

// When reads a time as people type it, in UTC: 2025-05-23 10:00,
// 2025-05-23T10:00 (a browser's date-time field), 23.05.2025 10:00, a date
// alone, or RFC 3339. Empty is now.
func When(field, s string, now time.Time) (time.Time, *errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "02.01.2006 15:04", "2006-01-02", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &errs.FieldError{Field: field, Message: strconv.Quote(s) + " is not a time: write 2025-05-23 10:00 or 23.05.2025 10:00", Code: CodeNotTime, Args: []string{s}}
}

// Count reads a whole number, with spaces between digit groups allowed
// (100 000). Empty is 0. Whether a negative number or 0 is allowed is the
// domain's to say.
func Count(field, s string) (int, *errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s))
	if err != nil {
		return 0, NotCount(field, s)
	}
	return n, nil
}

// IDs reads a list of ids separated by commas, semicolons, spaces or
// lines.
func IDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// Lines reads a textarea of one item a line: trimmed, blank lines left
// out.
func Lines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Minute reads a time to the minute as a browser's date-time field sends
// it (2025-05-23T08:00) or as people type it (2025-05-23 08:00,
// 23.05.2025 08:00, or a date alone), in UTC. Empty is the zero time.
func Minute(field, s string) (time.Time, *errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "02.01.2006 15:04", time.DateOnly, "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &errs.FieldError{Field: field, Message: strconv.Quote(s) + " is not a time: write 2025-05-23 10:00 or 23.05.2025 10:00", Code: CodeNotTime, Args: []string{s}}
}

// NotCount is the field error of a text that is not a count of persons
// to take: a form that picks persons by number reads no sign.
func NotCount(field, s string) *errs.FieldError {
	return &errs.FieldError{Field: field, Message: strconv.Quote(s) + " is not a whole number", Code: CodeNotNumber, Args: []string{s}}
}
