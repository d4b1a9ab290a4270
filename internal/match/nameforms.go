package match

import (
	"strings"
	"unicode"
)

// This file is the seam to the names package: every name normalisation,
// Latin rendering and key the engine uses goes through these functions.

// namePart says which part of a name a field holds; it selects the
// dictionaries (given names and patronymics have UA/RU forms).
type namePart uint8

const (
	partNone namePart = iota
	partSurname
	partGiven
	partPatronymic
	partPlace
)

// normName folds case, apostrophes, dashes, spacing and ё.
func normName(_ namePart, s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == 'ʹ' || r == '‘':
			continue
		case r == '-' || r == '‐' || r == '–' || r == '—' || unicode.IsSpace(r) || r == ',' || r == '.':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		b.WriteRune(r)
	}
	return b.String()
}

var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ye", 'ж': "zh", 'з': "z",
	'и': "y", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ь': "", 'ъ': "", 'ы': "y", 'э': "e", 'ю': "yu", 'я': "ya",
}

// latinName renders a normalised name in Latin letters for similarity.
func latinName(_ namePart, s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if l, ok := cyrLatin[r]; ok {
			b.WriteString(l)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nameKeys returns keys shared by renderings of the same name: here a
// consonant skeleton of the Latin form.
func nameKeys(part namePart, norm string) []string {
	if norm == "" {
		return nil
	}
	return []string{skeleton(latinName(part, norm))}
}

func skeleton(s string) string {
	var b strings.Builder
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'h', 'w', ' ', 'j':
			if i == 0 {
				b.WriteByte('a')
			}
			last = 0
			continue
		case 'k', 'q':
			c = 'c'
		case 'z':
			c = 's'
		case 'g':
			c = 'h'
		}
		if c != last {
			b.WriteByte(c)
		}
		last = c
	}
	return b.String()
}

// parseFullName splits a whole name into surname, given name and
// patronymic. Fallback rule: a patronymic is recognised by its ending;
// otherwise the first token is the surname.
func parseFullName(full string) (sur, given, pat string) {
	toks := strings.FieldsFunc(full, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	isPat := func(s string) bool {
		l := strings.ToLower(s)
		for _, suf := range []string{"ович", "евич", "йович", "ьевич", "овна", "івна", "ivna", "ovych", "ovich", "evich", "yovych", "ovna", "evna"} {
			if strings.HasSuffix(l, suf) {
				return true
			}
		}
		return false
	}
	switch len(toks) {
	case 0:
		return "", "", ""
	case 1:
		return toks[0], "", ""
	case 2:
		return toks[0], toks[1], ""
	}
	if isPat(toks[2]) {
		return toks[0], toks[1], toks[2]
	}
	if isPat(toks[1]) {
		return toks[2], toks[0], toks[1]
	}
	return toks[0], toks[1], strings.Join(toks[2:], " ")
}

// similarity is the string similarity of two prepared names or texts.
func similarity(_ *Field, a, b *fval) float64 {
	return jaroWinkler(a.t, b.t)
}
