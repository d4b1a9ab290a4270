package person

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The codes of a date ReadDate refuses (DateError.Code).
const (
	DateFormat       = "date_format"         // not a date form we read
	DateAmbiguous    = "date_ambiguous"      // could be read two ways (month/day order)
	DateTwoDigitYear = "date_two_digit_year" // the century is not written
	DateImpossible   = "date_impossible"     // a day or month that does not exist
)

// DateError says why a cell is not a date. Code is one of the Code*
// constants for dates.
type DateError struct {
	Code    string
	Message string
}

func (e *DateError) Error() string { return e.Message }

func dateErr(code, format string, args ...any) error {
	return &DateError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ReadDate is the one parser of dates as people type them, for every
// input: the API, the pages, the command line and (with Excel serials
// besides, which only a sheet holds) the sheet reader:
//
//	23.05.1998  23/05/1998  23-05-1998  1998-05-23  1998.05.23
//	05.1998  05/1998  1998-05  1998
//	00.05.1998 (day unknown)  00.00.1998 (day and month unknown)
//	23 травня 1998 р.  23 мая 1998 г.  23 May 1998  May 23, 1998  травень 1998  May 1998
//
// The result may be partial (a year, or a year and month). Day-month-year
// with dots, dashes or slashes is read day first, as in Ukraine and Russia;
// a slash date whose second number cannot be a month (05/23/1998) is
// refused as month-first, and a two-digit year is refused as ambiguous.
// Nothing is guessed: every refusal is a *DateError.
func ReadDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	if len(s) > 64 {
		return Date{}, dateErr(DateFormat, "too long to be a date")
	}
	t := strings.ToLower(s)
	t = strings.ReplaceAll(t, "\u00a0", " ")
	t = trimYearWord(t)
	// A date-time at midnight, as some programs write full dates.
	for _, suf := range []string{" 00:00:00", "t00:00:00z", "t00:00:00", " 0:00:00", " 00:00"} {
		t = strings.TrimSuffix(t, suf)
	}
	if t == "" {
		return Date{}, dateErr(DateFormat, "%q is not a date", s)
	}
	if strings.ContainsAny(t, "?~≈") || strings.HasPrefix(t, "бл") || strings.HasPrefix(t, "ок") || strings.HasPrefix(t, "circa") || strings.HasPrefix(t, "c.") {
		return Date{}, dateErr(DateFormat, "%q is approximate: write the year alone if only the year is known", s)
	}
	if hasLetter(t) {
		return textDate(s, t)
	}
	if digitsOnly(t) {
		switch {
		case len(t) == 4:
			return checked(s, Date{Year: atoi(t)})
		}
		return Date{}, dateErr(DateFormat, "%q is not a date: a number that is not a year", s)
	}
	for _, dbl := range []string{"..", "//", "--", ".-", "-.", "/.", "./"} {
		if strings.Contains(t, dbl) {
			return Date{}, dateErr(DateFormat, "%q is not a date: use DD.MM.YYYY, MM.YYYY or YYYY", s)
		}
	}
	seps := func(r rune) bool { return r == '.' || r == '/' || r == '-' || r == ' ' }
	parts := strings.FieldsFunc(t, seps)
	for _, p := range parts {
		if !digitsOnly(p) {
			return Date{}, dateErr(DateFormat, "%q is not a date: use DD.MM.YYYY, MM.YYYY or YYYY", s)
		}
	}
	sep := separatorOf(t)
	switch len(parts) {
	case 1:
		return Date{}, dateErr(DateFormat, "%q is not a date: use DD.MM.YYYY, MM.YYYY or YYYY", s)
	case 2:
		a, b := parts[0], parts[1]
		switch {
		case len(a) == 4 && len(b) <= 2: // 1998-05
			return checked(s, Date{Year: atoi(a), Month: atoi(b)})
		case len(b) == 4 && len(a) <= 2: // 05.1998
			if atoi(a) == 0 {
				return checked(s, Date{Year: atoi(b)})
			}
			return checked(s, Date{Year: atoi(b), Month: atoi(a)})
		case len(b) == 2 && len(a) <= 2:
			return Date{}, dateErr(DateTwoDigitYear, "%q has a two-digit year or no year: write the year in four digits", s)
		}
		return Date{}, dateErr(DateFormat, "%q is not a date: use DD.MM.YYYY, MM.YYYY or YYYY", s)
	case 3:
		a, b, c := parts[0], parts[1], parts[2]
		if len(a) == 4 && len(b) <= 2 && len(c) <= 2 { // 1998-05-23, 1998.05.23
			return dayDate(s, atoi(a), atoi(b), atoi(c))
		}
		if len(c) == 4 && len(a) <= 2 && len(b) <= 2 {
			d, m := atoi(a), atoi(b)
			if sep == '/' && m > 12 && d >= 1 && d <= 12 {
				return Date{}, dateErr(DateAmbiguous, "%q looks like month/day/year (US order): write DD.MM.YYYY", s)
			}
			return dayDate(s, atoi(c), m, d)
		}
		if len(c) == 2 && len(a) <= 2 && len(b) <= 2 {
			return Date{}, dateErr(DateTwoDigitYear, "%q has a two-digit year: is it 19%s or 20%s? Write the year in four digits", s, c, c)
		}
	}
	return Date{}, dateErr(DateFormat, "%q is not a date: use DD.MM.YYYY, MM.YYYY or YYYY", s)
}

// dayDate builds a date from year, month and day, where a zero day (and a
// zero month with it) means "unknown" as registers write 00.05.1998.
func dayDate(s string, y, m, d int) (Date, error) {
	if d == 0 && m == 0 {
		return checked(s, Date{Year: y})
	}
	if d == 0 {
		return checked(s, Date{Year: y, Month: m})
	}
	if m == 0 {
		return Date{}, dateErr(DateImpossible, "%q has a day but no month", s)
	}
	return checked(s, Date{Year: y, Month: m, Day: d})
}

// checked refuses dates that do not exist (31.02.1998, month 13).
func checked(s string, d Date) (Date, error) {
	if _, err := ParseDate(d.String()); err != nil || d.Year < 1000 || d.Month > 12 || d.Month < 0 {
		switch {
		case d.Month > 12:
			return Date{}, dateErr(DateImpossible, "%q: month %d does not exist", s, d.Month)
		case d.Day != 0:
			return Date{}, dateErr(DateImpossible, "%q: day %d does not exist in %04d-%02d", s, d.Day, d.Year, d.Month)
		}
		return Date{}, dateErr(DateImpossible, "%q is not a real date", s)
	}
	return d, nil
}

// months maps month words (nominative, genitive, short) in uk, ru and en to
// month numbers.
var months = func() map[string]int {
	m := map[string]int{}
	lists := [][]string{
		{"січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень", "вересень", "жовтень", "листопад", "грудень"},
		{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
		{"січ", "лют", "бер", "квіт", "трав", "черв", "лип", "серп", "вер", "жовт", "лист", "груд"},
		{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"},
		{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		{"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
	}
	for _, l := range lists {
		for i, w := range l {
			m[w] = i + 1
		}
	}
	m["sept"] = 9
	m["сент"] = 9
	m["февр"] = 2
	return m
}()

// textDate reads dates with a month written as a word.
func textDate(orig, t string) (Date, error) {
	words := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '-' || r == '/' })
	var day, month, year int
	var nums []string
	for _, w := range words {
		if digitsOnly(w) {
			nums = append(nums, w)
			continue
		}
		m, ok := months[w]
		if !ok || month != 0 {
			return Date{}, dateErr(DateFormat, "%q is not a date: %q is not a month", orig, w)
		}
		month = m
	}
	if month == 0 {
		return Date{}, dateErr(DateFormat, "%q is not a date", orig)
	}
	for _, n := range nums {
		switch {
		case len(n) == 4 && year == 0:
			year = atoi(n)
		case len(n) <= 2 && day == 0:
			day = atoi(n)
		default:
			return Date{}, dateErr(DateFormat, "%q is not a date: write the year in four digits", orig)
		}
	}
	if year == 0 {
		return Date{}, dateErr(DateTwoDigitYear, "%q has no four-digit year", orig)
	}
	return dayDate(orig, year, month, day)
}

// trimYearWord drops "р.", "року", "г.", "года", "рік", "год" after a year.
func trimYearWord(t string) string {
	for _, suf := range []string{"року", "рік", "года", "год", "р.", "г.", "р", "г", "y."} {
		if strings.HasSuffix(t, suf) {
			rest := strings.TrimSpace(strings.TrimSuffix(t, suf))
			if rest != "" && unicode.IsDigit(rune(rest[len(rest)-1])) {
				return rest
			}
		}
	}
	return t
}

func separatorOf(t string) rune {
	for _, r := range t {
		if r == '.' || r == '/' || r == '-' {
			return r
		}
	}
	return ' '
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func digitsOnly(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
