package synth

import (
	"strings"
	"unicode"
)

// romanUA is the Ukrainian national romanisation (CMU Resolution 55 of
// 2010), used in Ukrainian passports since 2010: Г→h, И→y, Є→ye/ie, зг→zgh,
// and ь and the apostrophe dropped. Letters with a separate word-initial
// form are in romanUAInitial.
var romanUA = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie",
	'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l",
	'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu",
	'я': "ia", '\'': "", '’': "", 'ʼ': "",
	// Russian letters that turn up in mixed spellings.
	'ё': "e", 'ы': "y", 'э': "e", 'ъ': "",
}

var romanUAInitial = map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}

// romanRU is the Russian passport romanisation in use since 2014 (after
// ICAO Doc 9303): Й→i, Ю→iu, Я→ia, Ъ→ie, Ё→e.
var romanRU = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu",
	'я': "ia",
	'і': "i", 'ї': "i", 'є': "e", 'ґ': "g", '\'': "", '’': "", 'ʼ': "",
}

// romanRUOld is the older Russian passport style (before 2014, close to
// BGN/PCGN): Й→y, Ю→yu, Я→ya, Ё→yo, soft sign dropped.
var romanRUOld = map[rune]string{
	'й': "y", 'ю': "yu", 'я': "ya", 'ё': "yo", 'ъ': "", 'х': "kh", 'ц': "ts",
}

// transliterate romanises one string word by word. ua selects the
// Ukrainian national system (with its word-initial forms), or with old the
// pre-2010 passport style that uses the initial forms everywhere (Serhiy,
// Andriy, Mykolayovych); otherwise the Russian passport system, old style
// when old is set. Case follows the source: a name in capitals stays so.
func transliterate(s string, ua, old bool) string {
	var b strings.Builder
	b.Grow(len(s))
	initial := true
	prev := rune(0)
	caps := isUpperWord(s)
	for _, r := range s {
		lower := unicode.ToLower(r)
		var out string
		var ok bool
		switch {
		case ua && (initial || old):
			if out, ok = romanUAInitial[lower]; !ok {
				out, ok = romanUA[lower]
			}
		case ua:
			if lower == 'г' && prev == 'з' {
				out, ok = "gh", true // зг → zgh, so it is not read as zh
			} else {
				out, ok = romanUA[lower]
			}
		case old:
			if out, ok = romanRUOld[lower]; !ok {
				out, ok = romanRU[lower]
			}
		default:
			out, ok = romanRU[lower]
		}
		if !ok {
			b.WriteRune(r)
			initial = !unicode.IsLetter(r)
			prev = lower
			continue
		}
		if r != lower && out != "" {
			if caps {
				out = strings.ToUpper(out)
			} else {
				out = strings.ToUpper(out[:1]) + out[1:]
			}
		}
		b.WriteString(out)
		initial = false
		prev = lower
	}
	return b.String()
}

// isUpperWord reports whether s has no lower-case letters (a name written
// in capitals, as in passports and some lists).
func isUpperWord(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}
