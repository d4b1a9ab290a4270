package match

import "strings"

// date is a possibly partial calendar date: zero parts are unknown.
type date struct {
	y    int16
	m, d int8
}

func (d date) full() bool { return d.y != 0 && d.m != 0 && d.d != 0 }

// pack gives the date as yyyymmdd with zeros for unknown parts.
func (d date) pack() int32 { return int32(d.y)*10000 + int32(d.m)*100 + int32(d.d) }

func unpack(p int32) date {
	return date{y: int16(p / 10000), m: int8(p / 100 % 100), d: int8(p % 100)}
}

// parseDate reads the date forms clerks write: ISO (1998-05-12, 1998-05,
// 1998), dotted or slashed day-first (12.05.1998, 05.1998, 12/05/1998),
// compact (19980512) and ISO date-times. Digits out of range are kept (see
// below). It returns ok=false for anything else; an unreadable date is
// treated as missing (a clerk's typo is evidence, not an error).
func parseDate(s string) (date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return date{}, false
	}
	if i := strings.IndexAny(s, "T "); i == 10 {
		s = s[:i]
	}
	var parts [3]int
	var lens [3]int
	n := 0
	cur, curLen := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if curLen >= 8 {
				return date{}, false
			}
			cur = cur*10 + int(s[i]-'0')
			curLen++
			continue
		}
		if i < len(s) && !strings.ContainsRune("-./ ", rune(s[i])) {
			return date{}, false
		}
		if curLen == 0 {
			if i < len(s) {
				continue
			}
			break
		}
		if n == 3 {
			return date{}, false
		}
		parts[n], lens[n] = cur, curLen
		n++
		cur, curLen = 0, 0
	}
	var d date
	switch {
	case n == 1 && lens[0] == 8:
		d = date{y: int16(parts[0] / 10000), m: int8(parts[0] / 100 % 100), d: int8(parts[0] % 100)}
	case n == 1 && lens[0] == 4:
		d = date{y: int16(parts[0])}
	case n == 2 && lens[0] == 4:
		d = date{y: int16(parts[0]), m: int8(parts[1])}
	case n == 2 && lens[1] == 4:
		d = date{y: int16(parts[1]), m: int8(parts[0])}
	case n == 3 && lens[0] == 4:
		d = date{y: int16(parts[0]), m: int8(parts[1]), d: int8(parts[2])}
	case n == 3 && lens[2] == 4:
		d = date{y: int16(parts[2]), m: int8(parts[1]), d: int8(parts[0])}
	default:
		return date{}, false
	}
	// A mistyped month, day or year ("02.68.1983", "04/09/6991") is kept
	// as written: one digit off is still evidence, at level typo.
	if d.y < 1000 || (d.m == 0 && d.d != 0) {
		return date{}, false
	}
	return d, true
}

// dateDigits writes a full date as eight ASCII digits for edit comparison.
func dateDigits(d date, buf *[8]byte) {
	v := int(d.pack())
	for i := 7; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
}
