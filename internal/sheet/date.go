package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/person"
)

// DateError says why a cell is not a date; Code is one of the Code*
// constants for dates. It is person.DateError: the sheet reader and every
// other input read dates with the one parser, person.ReadDate.
type DateError = person.DateError

// ParseDate reads a date as a cell holds it: an Excel date serial (35938,
// 35938.75: only a sheet holds those), or any form person.ReadDate reads
// (23.05.1998, 05.1998, 1998, 23 травня 1998 р., …). The result may be
// partial. Nothing is guessed: every refusal is a *DateError.
func ParseDate(s string) (person.Date, error) {
	t := strings.TrimSpace(s)
	if isSerial(t) {
		n, err := strconv.ParseFloat(t, 64)
		if err == nil {
			return SerialDate(n)
		}
	}
	return person.ReadDate(s)
}

// isSerial reports whether t is a number of five or six digits, with or
// without a fraction: an Excel date serial, never a year.
func isSerial(t string) bool {
	ip, frac, _ := strings.Cut(t, ".")
	if len(ip) != 5 && len(ip) != 6 {
		return false
	}
	for _, s := range []string{ip, frac} {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
	}
	return !strings.HasSuffix(t, ".") || frac != ""
}

// SerialDate converts an Excel date serial (days since 1899-12-30 in the
// 1900 date system; a fraction is a time of day and is dropped) to a date.
func SerialDate(n float64) (person.Date, error) {
	if math.IsNaN(n) || n < 61 || n >= 2958466 {
		return person.Date{}, &DateError{Code: CodeDateFormat, Message: strconv.FormatFloat(n, 'f', -1, 64) + " is not an Excel date"}
	}
	t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(n)))
	return person.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, nil
}
