package names

import (
	"strings"
	"unicode"
)

// FullName is a full name split into its parts, each as written (spacing
// normalised). Given holds every given name when there are several.
// Initials is true when the given name or the patronymic is only an
// initial.
type FullName struct {
	Surname    string
	Given      string
	Patronymic string
	Initials   bool
}

// token is one word of a full name with what is known about it.
type token struct {
	text     string // as written, trimmed
	role     Part
	prep     Prepared // prepared as AnyPart; given its role by withPart when compared
	initial  bool
	patr     bool // has a patronymic ending
	upper    bool // written in capitals in a name that is not all capitals
	given    bool // a known given name
	surname  bool // has a usual surname ending
	compound bool // one part of a double name
	father   bool // a father's name by a marker (bin Salman, Алирза оглы)
	clan     bool // a family or clan after a separate article (Al Saud, Аль Нахайян), often left out
}

// patronymicEndings are skeleton endings of patronymics: -ович, -евич,
// -ovych, -ovich, -ovitch (male); -івна, -ївна, -овна, -евна, -ична
// (female).
var patronymicEndings = []string{"oviQ", "eviQ", "ivna", "ovna", "evna", "iQna", "uli", "kizi"}

// surnameEndings are skeleton endings common in Ukrainian and Russian
// surnames.
var surnameEndings = []string{"enko", "uk", "ski", "Cki", "ska", "Cka", "ov", "ev", "ova", "eva", "in", "ina", "iQ", "ko", "ak", "ik", "ai", "ets", "ian"}

// Parse splits one full name written in any common order into its parts:
// "Surname Given Patronymic", "Given Patronymic Surname", "SURNAME Given",
// "Given Surname", "Шевченко Т.Г.", "Т. Г. Шевченко" or "Kovalchuk,
// Oleksandr". It decides by commas (the surname comes first), patronymic
// endings (-ович, -евич, -івна, -овна, -ovych, -ovich, -ivna…), initials,
// a surname written in capitals, the list of known given names, usual
// surname endings and, when nothing else tells, the custom of the script:
// surname first in Cyrillic, given name first in Latin. Parse never fails;
// a single word is taken as a surname unless it is a known given name.
func Parse(full string) FullName {
	toks := parseTokens(full)
	var fn FullName
	var sur, giv, pat []string
	for _, t := range toks {
		switch t.role {
		case Surname:
			sur = append(sur, t.text)
		case Given:
			giv = append(giv, t.text)
			fn.Initials = fn.Initials || t.initial
		case Patronymic:
			pat = append(pat, t.text)
			fn.Initials = fn.Initials || t.initial
		}
	}
	fn.Surname = strings.Join(sur, " ")
	fn.Given = strings.Join(giv, " ")
	fn.Patronymic = strings.Join(pat, " ")
	return fn
}

// splitInitials turns "Т.Г." into "Т.", "Г." and "O.Kovalenko" into "O.",
// "Kovalenko"; other words stay whole.
func splitInitials(w string) []string {
	if !strings.Contains(strings.TrimRight(w, "."), ".") {
		return []string{w}
	}
	var out []string
	parts := strings.Split(w, ".")
	for i, p := range parts {
		switch {
		case p == "":
		case letterCount(p) == 1 || i < len(parts)-1 && letterCount(p) <= 2:
			out = append(out, p+".")
		default:
			out = append(out, p)
		}
	}
	return out
}

func parseTokens(full string) []token {
	toks, _ := parseShaped(full)
	return toks
}

// parseShaped is parseTokens with what the structure pass learnt about
// the name (structure.go).
func parseShaped(full string) ([]token, nameShape) {
	full = romanizeOther(full)
	words, comma := splitWordsKeepCase(full)
	if len(words) == 0 {
		return nil, nameShape{}
	}
	words, comma, shape := shapeWords(words, comma)
	if shape.placeholder {
		return nil, shape
	}
	allCaps := true
	for _, w := range words {
		if hasLower(w) {
			allCaps = false
		}
	}
	t := lookup()
	toks := make([]token, len(words))
	var extra reading
	if vietnamese(words) {
		extra = readVietnamese
	}
	for i, w := range words {
		p := prepare(AnyPart, w, extra)
		tk := token{text: w, prep: p, initial: p.initial}
		if !tk.initial && p.skel != "" {
			tk.patr = len(p.skel) >= patronymicMin && hasAnySuffix(p.skel, patronymicEndings) || t.ich[p.skel]
			tk.given = t.givenSexOf(p.skel) != 0
			tk.surname = hasAnySuffix(p.skel, surnameEndings)
			tk.upper = !allCaps && letterCount(w) > 1 && !hasLower(w)
		}
		toks[i] = tk
	}
	assignRoles(toks, comma, Script(full) == ScriptLatin)
	for i := range toks {
		if shape.father[i] {
			toks[i].role = Patronymic // the father's name: bin Salman, Алирза оглы
			toks[i].father = true
		}
		if shape.clan[i] {
			toks[i].clan = true
		}
	}
	return toks, shape
}

// splitWordsKeepCase is splitFull on the original text: words as written
// (spacing, dashes and apostrophes normalised, case kept).
func splitWordsKeepCase(full string) ([]string, int) {
	var b strings.Builder
	for _, r := range full {
		switch {
		case isDash(r):
			b.WriteByte('-')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.ReplaceAll(b.String(), " -", "-")
	s = strings.ReplaceAll(s, "- ", "-")
	comma := -1
	var words []string
	for i, part := range strings.Split(s, ",") {
		if i == 1 && len(words) > 0 {
			comma = len(words)
		}
		for _, w := range strings.Fields(part) {
			w = strings.Trim(w, "-")
			if w == "" || letterCount(w) == 0 {
				continue
			}
			if isHangul(w) {
				// Korean writes a full name as one word (김정은) where
				// romanisations write two or three (Kim Jong Un): one
				// word per syllable.
				for _, r := range w {
					words = append(words, string(r))
				}
				continue
			}
			words = append(words, splitInitials(foldDigits(w))...)
		}
	}
	if comma == len(words) {
		comma = -1
	}
	return splitJoinedInitials(words), comma
}

// splitJoinedInitials splits Cyrillic initials written together without
// dots (Іванов ІІ, Шевченко ТГ) into one initial each: a word of two or
// three capitals that has no vowel, or only vowels, or that follows
// another word in a name with lower-case letters (ЛИ Ян keeps its ЛИ).
func splitJoinedInitials(words []string) []string {
	mixed := false
	for _, w := range words {
		if hasLower(w) {
			mixed = true
		}
	}
	var out []string
	for i, w := range words {
		n := letterCount(w)
		vowels := 0
		for _, r := range strings.ToLower(w) {
			if strings.ContainsRune("аеєиіїоуыэюя", r) {
				vowels++
			}
		}
		split := n >= 2 && n <= 3 && Script(w) == ScriptCyrillic && !hasLower(w) &&
			len(words) > 1 && (vowels == 0 || vowels == n || mixed && i > 0)
		if !split {
			if out != nil {
				out = append(out, w)
			}
			continue
		}
		if out == nil {
			out = append(make([]string, 0, len(words)+2), words[:i]...)
		}
		for _, r := range w {
			if unicode.IsLetter(r) {
				out = append(out, string(r)+".")
			}
		}
	}
	if out == nil {
		return words
	}
	return out
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) && len(s) > len(x) {
			return true
		}
	}
	return false
}

// assignRoles chooses the most plausible order of parts for toks and sets
// each token's role.
func assignRoles(toks []token, comma int, latin bool) {
	n := len(toks)
	if comma > 0 {
		for i := range toks {
			if i < comma {
				toks[i].role = Surname
				continue
			}
			toks[i].role = Given
			if i == n-1 && i > comma && (toks[i].patr || toks[i].initial && toks[i-1].initial) {
				toks[i].role = Patronymic
			}
		}
		return
	}
	best, bestScore := []Part(nil), -1e9
	for _, tpl := range templates(n, latin) {
		s := tpl.prior
		for i, role := range tpl.roles {
			s += roleFit(&toks[i], role)
		}
		if s > bestScore {
			best, bestScore = tpl.roles, s
		}
	}
	for i := range toks {
		toks[i].role = best[i]
	}
}

type template struct {
	roles []Part
	prior float64
}

// templates lists the orders a name of n words may be written in, each
// with a prior for the script's custom.
func templates(n int, latin bool) []template {
	rep := func(p Part, k int) []Part {
		out := make([]Part, k)
		for i := range out {
			out[i] = p
		}
		return out
	}
	cat := func(parts ...[]Part) []Part {
		var out []Part
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	one := func(p Part) []Part { return []Part{p} }
	sFirst, gFirst := 0.6, 0.3
	if latin {
		sFirst, gFirst = 0.3, 0.6
	}
	switch n {
	case 1:
		return []template{{one(Surname), 0.1}, {one(Given), 0}}
	case 2:
		return []template{
			{cat(one(Surname), one(Given)), sFirst},
			{cat(one(Given), one(Surname)), gFirst},
			{cat(one(Given), one(Patronymic)), 0},
		}
	}
	return []template{
		{cat(one(Surname), rep(Given, n-2), one(Patronymic)), sFirst + 0.2},
		{cat(rep(Given, n-2), one(Patronymic), one(Surname)), gFirst + 0.2},
		{cat(rep(Given, n-1), one(Surname)), gFirst - 0.2},
		{cat(one(Surname), rep(Given, n-1)), sFirst - 0.2},
	}
}

// roleFit scores how well a token fits a role.
func roleFit(t *token, role Part) float64 {
	s := 0.0
	switch role {
	case Patronymic:
		switch {
		case t.patr:
			s += 3
		case t.initial:
			s += 1.5
		default:
			s -= 2.5
		}
		if t.upper {
			s -= 1
		}
	case Given:
		if t.given {
			s += 2
		}
		if t.initial {
			s += 1
		}
		if t.patr {
			s -= 1.5
		}
		if t.surname && !t.given {
			s -= 0.5
		}
		if t.upper {
			s -= 1.5
		}
	case Surname:
		if t.surname {
			s += 1
		}
		if t.upper {
			s += 2
		}
		if t.initial {
			s -= 3
		}
		if t.given && !t.surname {
			s -= 1.5
		}
		if t.patr {
			s -= 0.5
		}
	}
	return s
}

// vietnameseSurnames are the common Vietnamese family names, as written
// without marks.
var vietnameseSurnames = map[string]bool{
	"nguyen": true, "tran": true, "le": true, "pham": true, "hoang": true, "huynh": true, "phan": true,
	"vu": true, "vo": true, "dang": true, "bui": true, "do": true, "ho": true, "ngo": true, "duong": true,
	"ly": true, "trinh": true, "dinh": true, "lam": true, "truong": true,
}

// vietnamese reports whether the words of a name are Vietnamese: a letter
// only Vietnamese writes (ư, ơ, đ, the vowels with two marks of U+1EA0–
// U+1EF9), or a common Vietnamese family name first or last in a name of
// two to four Latin words.
func vietnamese(words []string) bool {
	for _, w := range words {
		for _, r := range w {
			switch {
			case r >= 0x1ea0 && r <= 0x1ef9, r == 'ư', r == 'ơ', r == 'đ', r == 'Ư', r == 'Ơ', r == 'Đ':
				return true
			}
		}
	}
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	for _, w := range words {
		if Script(w) != ScriptLatin {
			return false
		}
	}
	return vietnameseSurnames[strings.ToLower(stripMarksAll(words[0]))] || vietnameseSurnames[strings.ToLower(stripMarksAll(words[len(words)-1]))]
}
