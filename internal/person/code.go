package person

import (
	"strings"
	"unicode"
)

// FoldCode folds an identifier that a person reads off a paper or a tag and
// types again — a service number, a unit number, a document number — to the
// form under which two spellings of it compare equal. It is the one code
// fold of the project: the matcher, the store's search and the officer's
// lookup (server and offline kit) all use it, so that a number found by one
// is found by all.
//
// The fold is by visual identity, never by romanising the code as if it were
// a name (STYLE.md 33):
//   - a Cyrillic letter that looks like a Latin one becomes that Latin
//     capital (Р → P, Н → H, В → B, У → Y), because an officer reading
//     "Р-123456" on a Latin keyboard types P;
//   - a Cyrillic letter with no Latin look-alike has to be typed somehow:
//     it becomes its ICAO Doc 9303 transliteration (Ж → ZH, Ш → SH);
//   - other letters are upper-cased; ASCII digits stay; spaces, dashes,
//     slashes and all other punctuation are dropped.
//
// "А-123 456", "a123456" and "A-123456" fold to "A123456"; "Ж-1", "ZH 1"
// and "zh-1" to "ZH1".
func FoldCode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r < 0x80:
			// ASCII punctuation and spaces separate; they are not part of a code.
		default:
			up := unicode.ToUpper(r)
			if g, ok := codeLookalike[up]; ok {
				b.WriteByte(g)
			} else if t, ok := codeTranslit[up]; ok {
				b.WriteString(t)
			} else if unicode.IsLetter(up) || unicode.IsDigit(up) {
				b.WriteRune(up)
			}
		}
	}
	return b.String()
}

// codeLookalike maps Cyrillic capitals to the Latin capitals they look like.
var codeLookalike = map[rune]byte{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S',
}

// codeTranslit maps the other Cyrillic capitals of Ukrainian and Russian to
// their ICAO Doc 9303 transliteration; the soft and hard signs are dropped
// as the passport systems drop them.
var codeTranslit = map[rune]string{
	'Б': "B", 'Г': "G", 'Ґ': "G", 'Д': "D", 'Є': "IE", 'Ж': "ZH", 'З': "Z", 'И': "I",
	'Ї': "I", 'Й': "I", 'Л': "L", 'П': "P", 'Ф': "F", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA", 'Ё': "E",
}
