package pairs

import (
	"math/rand/v2"
	"strings"
	"unicode"
)

// scheme renders Cyrillic in Latin letters. initial is used at the start of
// a word when it differs from the table.
type scheme struct {
	table   map[rune]string
	initial map[rune]string
	zgh     bool // зг → zgh (Ukrainian national)
}

// Ukrainian national romanisation (Cabinet of Ministers resolution 55,
// 2010): є ї й ю я are Ye Yi Y Yu Ya at the start of a word and ie i i iu
// ia elsewhere; зг is zgh; apostrophes and the soft sign are dropped.
var ukrainianNational = scheme{
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie", 'ж': "zh", 'з': "z",
		'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
		'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
		'ь': "", 'ю': "iu", 'я': "ia", '\'': "", '’': "",
	},
	initial: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
	zgh:     true,
}

// ICAO Doc 9303 for Russian.
var icao = scheme{
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
		'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "",
		'э': "e", 'ю': "iu", 'я': "ia",
	},
}

// BGN/PCGN 1947 for Russian (without diacritics: ë written e).
var bgn = scheme{
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
		'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
		'э': "e", 'ю': "yu", 'я': "ya",
	},
	initial: map[rune]string{'е': "ye", 'ё': "ye"},
}

// adHoc makes a passport-office spelling: a random mix of English, French
// and German habits (x for кс, j for й, w for в, sch for ш, ...).
func adHoc(rng *rand.Rand) scheme {
	t := map[rune]string{}
	for k, v := range bgn.table {
		t[k] = v
	}
	for k, v := range ukrainianNational.table {
		if _, ok := t[k]; !ok {
			t[k] = v
		}
	}
	pick := func(r rune, opts ...string) { t[r] = opts[rng.IntN(len(opts))] }
	pick('х', "kh", "h", "ch")
	pick('ж', "zh", "j", "sh", "zh")
	pick('й', "y", "j", "i")
	pick('ю', "yu", "ju", "iu")
	pick('я', "ya", "ja", "ia")
	pick('ц', "ts", "tz", "c")
	pick('ч', "ch", "tch", "tsch")
	pick('ш', "sh", "sch", "ch")
	pick('в', "v", "v", "w")
	pick('и', "i", "y")
	pick('ы', "y", "i")
	pick('г', "g", "h")
	pick('е', "e", "e", "ie")
	return scheme{table: t}
}

// render transliterates s; ks becomes x when x is true.
func (sc scheme) render(s string, x bool) string {
	var b strings.Builder
	start := true
	rs := []rune(s)
	for i, r := range rs {
		lower := unicode.ToLower(r)
		up := r != lower
		var out string
		if start {
			if v, ok := sc.initial[lower]; ok {
				out = v
			}
		}
		if out == "" {
			v, ok := sc.table[lower]
			if ok {
				out = v
			} else {
				out = string(r)
			}
			if sc.zgh && lower == 'г' && i > 0 && unicode.ToLower(rs[i-1]) == 'з' {
				out = "gh"
			}
		}
		if up && out != "" {
			out = strings.ToUpper(out[:1]) + out[1:]
		}
		b.WriteString(out)
		start = !unicode.IsLetter(r) && r != '\'' && r != '’'
	}
	res := b.String()
	if x {
		res = strings.ReplaceAll(res, "ks", "x")
	}
	return res
}
