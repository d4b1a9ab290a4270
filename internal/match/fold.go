package match

import (
	"strings"
	"unicode"
)

// homoglyphs maps Cyrillic letters that look like Latin ones (upper and
// lower case) to the Latin capital, so that "А-123456" typed on a Cyrillic
// keyboard equals "A123456".
var homoglyphs = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S',
	'а': 'A', 'в': 'B', 'е': 'E', 'к': 'K', 'м': 'M', 'н': 'H', 'о': 'O', 'р': 'P',
	'с': 'C', 'т': 'T', 'у': 'Y', 'х': 'X', 'і': 'I', 'ј': 'J', 'ѕ': 'S',
}

// foldCode folds an identifier (service number, unit number, postcode):
// homoglyphs to Latin capitals, letters upper-cased, separators and
// punctuation dropped. "А-123 456" and "a123456" both become "A123456".
func foldCode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if g, ok := homoglyphs[r]; ok {
			b.WriteRune(g)
			continue
		}
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// digitsOf returns the digits of s in order.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unitPrefixes are the words written before a unit number ("в/ч А0224",
// "military unit A0224"), lower case, longest first. They are dropped.
var unitPrefixes = []string{
	"військова частина", "войсковая часть", "military unit", "в/ч", "в.ч.", "в.ч", "вч", "mu", "v/ch", "v/č", "w/ch",
}

// foldUnit folds a unit designation: known prefixes dropped, then foldCode.
func foldUnit(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, p := range unitPrefixes {
		if strings.HasPrefix(l, p) {
			l = strings.TrimSpace(l[len(p):])
			break
		}
	}
	return foldCode(l)
}
