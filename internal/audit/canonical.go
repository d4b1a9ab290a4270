package audit

import (
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
)

// CanonicalJSON returns the RFC 8785 canonical encoding of an object whose
// members are all strings: members sorted by key as UTF-16 code units, no
// whitespace, minimal escaping. It is the content encoding that commitments
// to field sets (record versions, decisions) use: the caller puts every field
// present in the version into fields, formatted as a string (dates as
// YYYY-MM-DD, numbers in decimal), and omits absent fields. Keys and values
// must be valid UTF-8.
func CanonicalJSON(fields map[string]string) ([]byte, error) {
	const op = "audit.CanonicalJSON"
	size := 2
	for k, v := range fields {
		if !utf8.ValidString(k) {
			return nil, errs.Errorf(op, errs.Invalid, "key %q is not valid UTF-8", k)
		}
		if !utf8.ValidString(v) {
			return nil, errs.Errorf(op, errs.Invalid, "value of %q is not valid UTF-8", k)
		}
		size += len(k) + len(v) + 6
	}
	return appendObject(make([]byte, 0, size), fields), nil
}

// appendObject appends the canonical encoding of fields without checking
// UTF-8: invalid bytes are copied as they are, so that the result is
// deterministic and rejected by any decoder.
func appendObject(b []byte, fields map[string]string) []byte {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareUTF16)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, fields[k])
	}
	return append(b, '}')
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// requires. It differs from byte order only when a string holds characters
// above U+FFFF and characters in U+E000–U+FFFF at the same position.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		a, b = a[na:], b[nb:]
		if ra == rb {
			continue
		}
		ua, ub := utf16Units(ra), utf16Units(rb)
		for i := 0; i < len(ua) && i < len(ub); i++ {
			if ua[i] != ub[i] {
				return int(ua[i]) - int(ub[i])
			}
		}
		return len(ua) - len(ub)
	}
	return len(a) - len(b)
}

func utf16Units(r rune) []uint16 {
	if r < 0x10000 {
		return []uint16{uint16(r)}
	}
	r1, r2 := utf16.EncodeRune(r)
	return []uint16{uint16(r1), uint16(r2)}
}

// appendString appends s as an RFC 8785 JSON string: the escapes that
// ECMAScript JSON.stringify uses and nothing else.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
