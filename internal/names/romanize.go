package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ukrainian is the letter table of Cabinet of Ministers of Ukraine
// resolution No. 55 of 27 January 2010. The first form is used at the start
// of a word, the second elsewhere. Russian letters that may appear in
// Ukrainian text (ы, э, ё, ъ) get their usual Ukrainian-style values.
var ukrainian = map[rune][2]string{
	'а': {"a", "a"}, 'б': {"b", "b"}, 'в': {"v", "v"}, 'г': {"h", "h"},
	'ґ': {"g", "g"}, 'д': {"d", "d"}, 'е': {"e", "e"}, 'є': {"ye", "ie"},
	'ж': {"zh", "zh"}, 'з': {"z", "z"}, 'и': {"y", "y"}, 'і': {"i", "i"},
	'ї': {"yi", "i"}, 'й': {"y", "i"}, 'к': {"k", "k"}, 'л': {"l", "l"},
	'м': {"m", "m"}, 'н': {"n", "n"}, 'о': {"o", "o"}, 'п': {"p", "p"},
	'р': {"r", "r"}, 'с': {"s", "s"}, 'т': {"t", "t"}, 'у': {"u", "u"},
	'ф': {"f", "f"}, 'х': {"kh", "kh"}, 'ц': {"ts", "ts"}, 'ч': {"ch", "ch"},
	'ш': {"sh", "sh"}, 'щ': {"shch", "shch"}, 'ь': {"", ""}, 'ю': {"yu", "iu"},
	'я': {"ya", "ia"}, 'ы': {"y", "y"}, 'э': {"e", "e"}, 'ё': {"yo", "io"},
	'ъ': {"", ""},
}

// RomanizeUkrainian renders Ukrainian Cyrillic in Latin by Cabinet of
// Ministers of Ukraine resolution No. 55 (2010): є, ї, й, ю, я are ye, yi,
// y, yu, ya at the start of a word and ie, i, i, iu, ia elsewhere; зг is
// zgh; the soft sign and the apostrophe are dropped. Case is kept: a
// capital becomes a capitalised group ("Щ" → "Shch") and a word written
// all in capitals stays in capitals. Other characters pass through.
func RomanizeUkrainian(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	words := splitWords(s)
	for _, w := range words {
		if !w.word {
			b.WriteString(w.text)
			continue
		}
		w.text = foldHomoglyphs(w.text)
		upper := allUpper(w.text)
		start := true
		prev := rune(0)
		for _, r := range w.text {
			if isApostrophe(r) {
				continue // dropped, and the next letter is not word-initial
			}
			lr := unicode.ToLower(r)
			forms, ok := ukrainian[lr]
			if !ok {
				b.WriteRune(r)
				start = false
				prev = lr
				continue
			}
			out := forms[1]
			if start {
				out = forms[0]
			}
			if lr == 'г' && prev == 'з' {
				out = "gh"
			}
			writeCased(&b, out, r != lr, upper)
			start = false
			prev = lr
		}
	}
	return b.String()
}

// RussianScheme names a scheme for writing Russian in Latin.
type RussianScheme uint8

// Russian romanisation schemes.
const (
	// ICAO is ICAO Doc 9303 (machine-readable travel documents), used in
	// Russian passports since 2013: ъ → ie, ь dropped, й → i, ю → iu.
	ICAO RussianScheme = iota
	// GOST779B is GOST 7.79-2000 system B (ASCII only): щ → shh, ц → cz
	// (c before е, и, й, ы), х → x, ъ → ``, ь → `, ы → y`, э → e`.
	GOST779B
	// BGNPCGN is the BGN/PCGN 1947 system: е → ye at the start of a word
	// and after vowels and signs, ё → ë, й → y, ь → ’, ъ → ”.
	BGNPCGN
)

var schemeNames = [...]string{ICAO: "icao", GOST779B: "gost779b", BGNPCGN: "bgnpcgn"}

// russianTable is one scheme: a letter map plus context rules. prev maps
// "previous letter + letter" (or the letter alone, for the start of a word)
// and next maps "letter + next letter" to the rendering of the letter.
type russianTable struct {
	letters map[rune]string
	prev    map[string]string
	next    map[string]string
}

var russianTables = [...]russianTable{
	ICAO: {letters: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
		'ж': "zh", 'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m",
		'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
		'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
		'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
		// Ukrainian letters, as ICAO Doc 9303 renders them.
		'і': "i", 'ї': "i", 'є': "ie", 'ґ': "g",
	}},
	GOST779B: {letters: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo",
		'ж': "zh", 'з': "z", 'и': "i", 'й': "j", 'к': "k", 'л': "l", 'м': "m",
		'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
		'ф': "f", 'х': "x", 'ц': "cz", 'ч': "ch", 'ш': "sh", 'щ': "shh",
		'ъ': "``", 'ы': "y`", 'ь': "`", 'э': "e`", 'ю': "yu", 'я': "ya",
		// Ukrainian letters, as GOST 7.79-2000 B renders them.
		'і': "i`", 'ї': "yi", 'є': "ye", 'ґ': "g`",
	}, next: map[string]string{"це": "c", "ци": "c", "цй": "c", "цы": "c", "ці": "c"}},
	BGNPCGN: {letters: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "ë",
		'ж': "zh", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
		'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
		'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
		'ъ': "”", 'ы': "y", 'ь': "’", 'э': "e", 'ю': "yu", 'я': "ya",
		'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
	}, prev: bgnPrev(), next: map[string]string{
		"йа": "y·", "йу": "y·", "йы": "y·", "йэ": "y·",
		"ыа": "y·", "ыу": "y·", "ыы": "y·", "ыэ": "y·",
		"тс": "t·", "шч": "sh·",
	}},
}

// bgnPrev builds BGN/PCGN's rules on the previous letter: е and ё are ye
// and yë at the start of a word and after a vowel, й, ъ or ь; ы after a
// vowel is ·y; э after a consonant is ·e.
func bgnPrev() map[string]string {
	m := map[string]string{"е": "ye", "ё": "yë"}
	for _, p := range "аеёиоуыэюяйъь" {
		m[string(p)+"е"] = "ye"
		m[string(p)+"ё"] = "yë"
	}
	for _, p := range "аеёиоуыэюя" {
		m[string(p)+"ы"] = "·y"
	}
	for _, p := range "бвгджзклмнпрстфхцчшщ" {
		m[string(p)+"э"] = "·e"
	}
	return m
}

// RomanizeRussian renders Russian Cyrillic in Latin by scheme. Case is kept
// as RomanizeUkrainian keeps it; other characters pass through. An unknown
// scheme is treated as ICAO.
func RomanizeRussian(s string, scheme RussianScheme) string {
	if int(scheme) >= len(russianTables) {
		scheme = ICAO
	}
	t := &russianTables[scheme]
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for _, w := range splitWords(s) {
		if !w.word {
			b.WriteString(w.text)
			continue
		}
		w.text = foldHomoglyphs(w.text)
		upper := allUpper(w.text)
		rs := []rune(w.text)
		for i, r := range rs {
			lr := unicode.ToLower(r)
			out, ok := t.letters[lr]
			if !ok {
				if isApostrophe(r) {
					continue
				}
				b.WriteRune(r)
				continue
			}
			if t.next != nil && i+1 < len(rs) {
				if o, ok := t.next[string([]rune{lr, unicode.ToLower(rs[i+1])})]; ok {
					out = o
				}
			}
			if t.prev != nil {
				key := string(lr)
				if i > 0 {
					key = string([]rune{unicode.ToLower(rs[i-1]), lr})
				}
				if o, ok := t.prev[key]; ok {
					out = o
				}
			}
			writeCased(&b, out, r != lr, upper)
		}
	}
	return b.String()
}

// Latin returns a Latin rendering of s for display: Ukrainian romanisation
// when the text has a letter only Ukrainian uses (і ї є ґ), Russian ICAO
// otherwise. Text without Cyrillic letters is returned as it is.
func Latin(s string) string {
	switch Script(s) {
	case ScriptCyrillic, ScriptMixed, ScriptOther:
	default:
		return s
	}
	if strings.ContainsAny(s, "іїєґІЇЄҐ") {
		return RomanizeUkrainian(s)
	}
	return RomanizeRussian(s, ICAO)
}

// foldHomoglyphs writes the Latin look-alikes in a mostly Cyrillic word as
// the Cyrillic letters they stand for (Cергій with a Latin C), keeping case.
func foldHomoglyphs(word string) string {
	if Script(word) != ScriptMixed || dominantScript(word) != ScriptCyrillic {
		return word
	}
	var b strings.Builder
	for _, r := range word {
		if c, ok := latinToCyr[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	return b.String()
}

// segment is a run of word characters (letters, marks, inner apostrophes)
// or of anything else.
type segment struct {
	text string
	word bool
}

func splitWords(s string) []segment {
	var out []segment
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		isWord := isWordRune(r)
		j := i + n
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			w2 := isWordRune(r2)
			if isWord && !w2 && isApostrophe(r2) && j+n2 < len(s) {
				// An apostrophe between letters belongs to the word.
				r3, _ := utf8.DecodeRuneInString(s[j+n2:])
				w2 = isWordRune(r3)
			}
			if w2 != isWord {
				break
			}
			j += n2
		}
		out = append(out, segment{s[i:j], isWord})
		i = j
	}
	return out
}

// allUpper reports whether word has at least two letters and no lower-case
// letter.
func allUpper(word string) bool {
	n := 0
	for _, r := range word {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n >= 2
}

// writeCased writes out, capitalised if the source letter was a capital,
// or all in capitals if the whole word was.
func writeCased(b *strings.Builder, out string, capital, upper bool) {
	switch {
	case out == "":
	case upper:
		b.WriteString(strings.ToUpper(out))
	case capital:
		r, n := utf8.DecodeRuneInString(out)
		if r == '·' { // BGN/PCGN separator: capitalise the letter after it
			b.WriteString(out[:n])
			out = out[n:]
			r, n = utf8.DecodeRuneInString(out)
		}
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(out[n:])
	default:
		b.WriteString(out)
	}
}
