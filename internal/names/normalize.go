package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ScriptKind says which alphabet a text is written in.
type ScriptKind uint8

// Kinds of script.
const (
	ScriptNone     ScriptKind = iota // no letters at all
	ScriptCyrillic                   // Cyrillic letters only
	ScriptLatin                      // Latin letters only
	ScriptMixed                      // both Cyrillic and Latin letters
	ScriptOther                      // letters of another script (Greek, Georgian, Arabic…), possibly with Latin or Cyrillic
)

var scriptNames = [...]string{
	ScriptNone:     "none",
	ScriptCyrillic: "cyrillic",
	ScriptLatin:    "latin",
	ScriptMixed:    "mixed",
	ScriptOther:    "other",
}

// Script reports the alphabet of s: ScriptCyrillic, ScriptLatin, ScriptMixed (both), ScriptOther
// (any other script present) or ScriptNone (no letters).
func Script(s string) ScriptKind {
	var cyr, lat, oth bool
	for _, r := range s {
		switch letterScript(r) {
		case ScriptCyrillic:
			cyr = true
		case ScriptLatin:
			lat = true
		case ScriptOther:
			oth = true
		}
	}
	switch {
	case oth:
		return ScriptOther
	case cyr && lat:
		return ScriptMixed
	case cyr:
		return ScriptCyrillic
	case lat:
		return ScriptLatin
	}
	return ScriptNone
}

// letterScript classifies one rune: ScriptCyrillic, ScriptLatin, ScriptOther (a letter of
// another script) or None (not a letter).
func letterScript(r rune) ScriptKind {
	switch {
	case r < 0x80:
		if r|0x20 >= 'a' && r|0x20 <= 'z' {
			return ScriptLatin
		}
		return ScriptNone
	case r >= 0x400 && r <= 0x45f:
		return ScriptCyrillic // the basic Cyrillic letters, all of them letters
	case r >= 0x460 && r <= 0x52f, r >= 0x1c80 && r <= 0x1c8f, r >= 0x2de0 && r <= 0x2dff, r >= 0xa640 && r <= 0xa69f:
		if unicode.IsLetter(r) {
			return ScriptCyrillic
		}
		return ScriptNone
	case unicode.Is(unicode.Latin, r):
		return ScriptLatin
	case unicode.IsLetter(r):
		return ScriptOther
	}
	return ScriptNone
}

// latinToCyr maps Latin letters that look like Cyrillic ones (in the same
// case) to those Cyrillic letters.
var latinToCyr = map[rune]rune{
	'A': 'А', 'a': 'а', 'B': 'В', 'C': 'С', 'c': 'с', 'E': 'Е', 'e': 'е',
	'H': 'Н', 'I': 'І', 'i': 'і', 'K': 'К', 'k': 'к', 'M': 'М', 'O': 'О',
	'o': 'о', 'P': 'Р', 'p': 'р', 'T': 'Т', 'X': 'Х', 'x': 'х', 'Y': 'У',
	'y': 'у', 'J': 'Ј', 'j': 'ј', 'S': 'Ѕ', 's': 'ѕ',
	'Ë': 'Ё', 'ë': 'ё', 'Ï': 'Ї', 'ï': 'ї',
}

// cyrToLatin is the reverse of latinToCyr.
var cyrToLatin = func() map[rune]rune {
	m := make(map[rune]rune, len(latinToCyr))
	for l, c := range latinToCyr {
		m[c] = l
	}
	return m
}()

// isApostrophe reports whether r is one of the marks used for the Ukrainian
// apostrophe or the Latin rendering of a soft or hard sign, or BGN/PCGN's
// separating dot (t·s).
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '´', 'ʼ', 'ʹ', 'ʺ', '‘', '’', '′', '″', '"', '“', '”', 'ˮ', '\u02bb', '\u0313', '·':
		return true
	}
	return false
}

// isDash reports whether r is a hyphen, a dash or a minus sign.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe63', '\uff0d', '\u00ad':
		return true
	}
	return false
}

// Normalize returns s in the canonical form that comparisons use: NFC, case
// folded, apostrophes of every form removed, hyphens and dashes unified to
// "-" with no spaces around them, runs of white space collapsed to one space
// and trimmed, Latin look-alike letters inside a Cyrillic word folded to
// Cyrillic (and the reverse), ё written as е, and combining marks left over
// after composition (stress marks) dropped. Other punctuation is kept.
func Normalize(s string) string {
	if !quickNFC(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			// No space at the start, nor after a hyphen (one left bare by
			// a quote or stray mark dropped after it).
			pendingSpace = b.Len() > 0 && b.String()[b.Len()-1] != '-'
			i += size
			continue
		}
		if isDash(r) {
			// A pending space is dropped: no space before a hyphen.
			b.WriteByte('-')
			pendingSpace = false
			i += size
			for i < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[i:])
				if !unicode.IsSpace(r2) {
					break
				}
				i += n2
			}
			continue
		}
		if isApostrophe(r) {
			i += size
			continue
		}
		if isWordRune(r) && !unicode.IsLetter(r) && !hasLetterAhead(s[i:]) {
			i += size // a stray mark that NFC could not join: dropped
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		if !isWordRune(r) {
			b.WriteRune(foldRune(r))
			i += size
			continue
		}
		// A word: letters (and combining marks, and apostrophes inside it).
		end := i
		for end < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[end:])
			if !isWordRune(r2) && !isApostrophe(r2) {
				break
			}
			end += n2
		}
		writeWord(&b, s[i:end])
		i = end
	}
	return b.String()
}

func isWordRune(r rune) bool {
	switch {
	case r < 0x80:
		return r|0x20 >= 'a' && r|0x20 <= 'z'
	case r >= 0x400 && r <= 0x45f:
		return true
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// dominantScript decides the script a word's look-alike letters belong to:
// the script of the letters that have no look-alike, or, if there are none,
// the script most letters are in.
func dominantScript(word string) ScriptKind {
	var cyrSure, latSure, cyrAll, latAll int
	for _, r := range word {
		switch letterScript(r) {
		case ScriptCyrillic:
			cyrAll++
			if _, ok := cyrToLatin[r]; !ok {
				cyrSure++
			}
		case ScriptLatin:
			latAll++
			if _, ok := latinToCyr[r]; !ok {
				latSure++
			}
		}
	}
	switch {
	case cyrSure > latSure:
		return ScriptCyrillic
	case latSure > cyrSure:
		return ScriptLatin
	case cyrAll > latAll:
		return ScriptCyrillic
	}
	return ScriptLatin
}

// hasLetterAhead reports whether the run of word runes at the start of s
// has a letter in it.
func hasLetterAhead(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
		if !isWordRune(r) && !isApostrophe(r) {
			return false
		}
	}
	return false
}

// quickNFC reports, without tables, whether s is certainly in NFC: it has
// only runes below U+0300 (ASCII, Latin-1, Latin Extended-A and -B),
// Cyrillic (U+0400–U+052F) and general punctuation (U+2002–U+206F: dashes,
// quotes), none of which change under NFC.
func quickNFC(s string) bool {
	for _, r := range s {
		if r >= 0x300 && (r < 0x400 || r > 0x52f) && (r < 0x2002 || r > 0x206f) {
			return false
		}
	}
	return true
}

// writeWord writes one word of Normalize's output.
func writeWord(b *strings.Builder, word string) {
	var cyr, lat bool
	for _, r := range word {
		switch letterScript(r) {
		case ScriptCyrillic:
			cyr = true
		case ScriptLatin:
			lat = true
		}
	}
	mixed := cyr && lat
	dom := ScriptNone
	if mixed {
		dom = dominantScript(word)
	}
	for _, r := range word {
		if isApostrophe(r) || r >= 0x300 && unicode.Is(unicode.Mn, r) {
			// A mark NFC could not join to its letter (a stress mark,
			// a stray diaeresis) says nothing about the name.
			continue
		}
		if mixed {
			switch letterScript(r) {
			case ScriptLatin:
				if dom == ScriptCyrillic {
					if c, ok := latinToCyr[r]; ok {
						r = c
					}
				}
			case ScriptCyrillic:
				if dom == ScriptLatin {
					if l, ok := cyrToLatin[r]; ok {
						r = l
					}
				}
			}
		}
		b.WriteRune(foldRune(r))
	}
}

// foldRune case-folds r and writes ё as е.
func foldRune(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 0x20
	case r >= 'А' && r <= 'Я':
		return r + 0x20
	case r < 0x80 || r >= 'а' && r <= 'я':
		return r
	}
	r = unicode.ToLower(r)
	switch r {
	case 'ё':
		return 'е'
	case 'ς':
		return 'σ'
	}
	return r
}
