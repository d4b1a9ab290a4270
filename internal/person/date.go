package person

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date that may be partial: a year alone, a year and a
// month, or a full date. A missing part is zero. The zero Date means
// "unknown". A partial date never has a day invented for it.
type Date struct {
	Year  int
	Month int // 0 when unknown
	Day   int // 0 when unknown; never set without Month
}

// ParseDate reads the ISO forms "YYYY", "YYYY-MM" and "YYYY-MM-DD". The empty
// string is the zero Date. Other forms people type (23.05.1998, Excel
// serials) are the importers' business; this is the canonical form.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	var d Date
	nums := []*int{&d.Year, &d.Month, &d.Day}
	for i, p := range parts {
		if (i > 0 && len(p) != 2) || !allDigits(p) {
			return Date{}, fmt.Errorf("%q is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		n, _ := strconv.Atoi(p)
		*nums[i] = n
	}
	if err := d.check(); err != nil {
		return Date{}, fmt.Errorf("%q: %v", s, err)
	}
	return d, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// check reports whether d is a real (possibly partial) date.
func (d Date) check() error {
	if p := d.problem(); p != nil {
		return errors.New(p.fieldError("").Message)
	}
	return nil
}

// problem says why d is not a real (possibly partial) date, or nil.
func (d Date) problem() *problem {
	if d.IsZero() {
		return nil
	}
	if d.Year < 1000 || d.Year > 9999 {
		return prob("year_range", strconv.Itoa(d.Year))
	}
	if d.Month < 0 || d.Month > 12 {
		return prob("no_month", strconv.Itoa(d.Month))
	}
	if d.Day != 0 {
		if d.Month == 0 {
			return prob("day_without_month")
		}
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if t.Day() != d.Day || d.Day < 0 {
			return prob("no_day", strconv.Itoa(d.Day), fmt.Sprintf("%04d-%02d", d.Year, d.Month))
		}
	}
	return nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// Precision names how much of the date is known: "", "year", "month", "day".
func (d Date) Precision() string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return "year"
	case d.Day == 0:
		return "month"
	}
	return "day"
}

// String returns the canonical ISO form ("1998", "1998-05", "1998-05-23"),
// or "" for the zero Date.
func (d Date) String() string {
	switch d.Precision() {
	case "":
		return ""
	case "year":
		return fmt.Sprintf("%04d", d.Year)
	case "month":
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// After reports whether the earliest day d can denote is after t's date:
// used to refuse dates in the future.
func (d Date) After(t time.Time) bool {
	if d.IsZero() {
		return false
	}
	y, m, day := t.Date()
	first := Date{d.Year, max(d.Month, 1), max(d.Day, 1)}
	if first.Year != y {
		return first.Year > y
	}
	if first.Month != int(m) {
		return first.Month > int(m)
	}
	return first.Day > day
}

// AgeAt returns the age in whole years on the reference date ref, and false
// when d is too partial to know it (a year alone spans two possible ages).
// A person born on 29 February reaches a new age on 1 March in common years.
func (d Date) AgeAt(ref time.Time) (int, bool) {
	if d.Precision() != "day" {
		return 0, false
	}
	y, m, day := ref.Date()
	age := y - d.Year
	if int(m) < d.Month || (int(m) == d.Month && day < d.Day) {
		age--
	}
	return age, true
}

// MarshalJSON writes the canonical string form.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the canonical string form, and every other form
// ReadDate reads (16.01.1987, 05.1998, 23 травня 1998): the API takes the
// dates the pages, the command line and the sheets take.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string: YYYY-MM-DD, DD.MM.YYYY, MM.YYYY or YYYY")
	}
	v, err := ParseDate(s) // the canonical form, as stored: the fast path
	if err != nil {
		v, err = ReadDate(s)
	}
	if err != nil {
		return err
	}
	*d = v
	return nil
}
