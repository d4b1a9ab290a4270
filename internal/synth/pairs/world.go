package pairs

import (
	_ "embed"
	"strings"
	"unicode"
)

// Persons from other peoples (Options.World): soldiers from the Caucasus,
// Central Asia, Buryatia and Tuva, Azerbaijanis, Georgians and Armenians,
// and foreign fighters from Nepal, Sri Lanka, Latin America, Africa and
// North Korea. Their names reach the lists in Ukrainian and Russian
// Cyrillic, in one of several Latin spellings and in their own scripts
// (Devanagari, Sinhala, Georgian, Armenian, Hangul), in the order their
// culture writes them, with Russian-style or Turkic patronymics where
// those are used, and Spanish double surnames.

//go:embed data/world.tsv
var worldTSV string

// culture is one people's names: each entry is the forms of one name,
// Ukrainian Cyrillic, Russian Cyrillic, then Latin spellings, then forms in
// the people's own script.
type culture struct {
	name                                 string
	surnames, givens, middles, syllables [][]string
}

// style is how one writing renders a name.
type style int

const (
	styleUA     style = iota // Ukrainian Cyrillic
	styleRU                  // Russian Cyrillic
	styleLatin               // a Latin spelling (which one: latinPick)
	styleNative              // the people's own script, or Latin where it has none
)

var cultures = parseWorld(worldTSV)

func parseWorld(src string) []*culture {
	var out []*culture
	by := map[string]*culture{}
	for _, line := range strings.Split(src, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			panic("pairs: data/world.tsv: bad line " + line) // embedded data: a build error
		}
		c := by[cols[0]]
		if c == nil {
			c = &culture{name: cols[0]}
			by[cols[0]] = c
			out = append(out, c)
		}
		forms := strings.Split(cols[2], "|")
		switch cols[1] {
		case "surname":
			c.surnames = append(c.surnames, forms)
		case "given":
			c.givens = append(c.givens, forms)
		case "middle":
			c.middles = append(c.middles, forms)
		case "syllable":
			c.syllables = append(c.syllables, forms)
		default:
			panic("pairs: data/world.tsv: unknown slot " + cols[1])
		}
	}
	return out
}

// worldName is a person of another people: indexes into its culture.
type worldName struct {
	c                     *culture
	sur, sur2             int // sur2: Spanish second surname, or -1
	given, given2         int // given2: Korean second syllable, or -1
	middle                int // Nepali middle name, or -1
	father                int // father's given name (patronymics), or -1
	latinPick, latinPick2 int // which Latin spelling each writing of this person uses
}

func (g *gen) worldPerson() *worldName {
	c := cultures[g.rng.IntN(len(cultures))]
	w := &worldName{c: c, sur2: -1, given2: -1, middle: -1, father: -1}
	w.sur = g.rng.IntN(len(c.surnames))
	switch c.name {
	case "korean":
		w.given, w.given2 = g.rng.IntN(len(c.syllables)), g.rng.IntN(len(c.syllables))
	default:
		w.given = g.rng.IntN(len(c.givens))
	}
	switch c.name {
	case "caucasus", "centralasia", "siberia", "azeri":
		w.father = g.rng.IntN(len(c.givens))
	case "armenian", "georgian":
		if g.chance(0.5) {
			w.father = g.rng.IntN(len(c.givens))
		}
	case "nepali":
		if g.chance(0.6) {
			w.middle = g.rng.IntN(len(c.middles))
		}
	case "hispanic":
		w.sur2 = g.rng.IntN(len(c.surnames))
	}
	return w
}

// form writes one name entry in a style.
func form(entry []string, st style, pick int) string {
	var latin, native []string
	for _, f := range entry[2:] {
		if isLatin(f) {
			latin = append(latin, f)
		} else {
			native = append(native, f)
		}
	}
	switch st {
	case styleUA:
		return entry[0]
	case styleRU:
		return entry[1]
	case styleNative:
		if len(native) > 0 {
			return native[0]
		}
	}
	if len(latin) == 0 {
		return icao.render(entry[1], false)
	}
	return latin[pick%len(latin)]
}

func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return r < 0x250
		}
	}
	return false
}

// patronymicOf makes the Russian-style patronymic of a father's name.
func patronymicOf(father []string, st style, pick int) string {
	ru := father[1]
	rs := []rune(ru)
	last := rs[len(rs)-1]
	stem := string(rs[:len(rs)-1])
	var pRU string
	switch last {
	case 'а', 'я':
		pRU = stem + "аевич"
	case 'й', 'ь':
		pRU = stem + "евич"
	case 'и':
		pRU = ru + "евич"
	default:
		pRU = ru + "ович"
	}
	switch st {
	case styleUA:
		ua := []rune(father[0])
		l := ua[len(ua)-1]
		s := string(ua[:len(ua)-1])
		switch l {
		case 'а', 'я':
			return s + "айович"
		case 'й':
			return string(ua) + "ович"
		case 'ь':
			return s + "ьович"
		case 'і', 'и':
			return string(ua) + "йович"
		}
		return string(ua) + "ович"
	case styleRU:
		return pRU
	}
	sc := icao
	if pick%2 == 1 {
		sc = bgn
	}
	return sc.render(pRU, false)
}

// turkicPatronymic is the Azerbaijani father's name with оглы.
func turkicPatronymic(father []string, st style, pick int) string {
	switch st {
	case styleUA:
		return father[0] + " огли"
	case styleRU:
		return father[1] + " оглы"
	}
	return form(father, styleLatin, pick) + " oglu"
}

// worldParts writes a person's name in a style as surname, given name and
// patronymic, and the whole name in the order its people write it.
func worldParts(w *worldName, st style, pick int) (sur, given, patr, full string) {
	c := w.c
	sur = form(c.surnames[w.sur], st, pick)
	switch c.name {
	case "korean":
		a, b := form(c.syllables[w.given], st, pick), form(c.syllables[w.given2], st, pick)
		switch {
		case st == styleNative:
			return sur, a + b, "", sur + a + b
		case st == styleLatin && pick%2 == 1:
			given = a + "-" + strings.ToLower(b)
		default:
			given = a + " " + b
		}
		return sur, given, "", sur + " " + given
	}
	given = form(c.givens[w.given], st, pick)
	if w.middle >= 0 {
		given += " " + form(c.middles[w.middle], st, pick)
	}
	if w.sur2 >= 0 {
		sur += " " + form(c.surnames[w.sur2], st, pick)
	}
	if w.father >= 0 {
		if c.name == "azeri" {
			patr = turkicPatronymic(c.givens[w.father], st, pick)
		} else if st != styleNative {
			patr = patronymicOf(c.givens[w.father], st, pick)
		}
	}
	switch {
	case st == styleUA || st == styleRU:
		full = join(sur, given, patr)
	default:
		full = join(given, patr, sur)
	}
	return sur, given, patr, full
}

// renderWorldName fills the name columns of r for a person of another
// people: most writings keep the three columns, others the whole name in
// one cell; right is the other side's writing, which also uses Latin
// spellings and the person's own script.
func (g *gen) renderWorldName(r *Row, w *worldName, right bool) {
	st := styleUA
	pick := w.latinPick
	if right {
		pick = w.latinPick2
		switch x := g.rng.Float64(); {
		case x < 0.40:
			st = styleRU
		case x < 0.75:
			st = styleLatin
		case x < 0.87:
			st = styleNative
		default:
			st = styleUA
		}
	} else if w.c.name != "caucasus" && w.c.name != "centralasia" && w.c.name != "siberia" && g.chance(0.3) {
		st = styleLatin // a foreigner's passport spelling
	}
	sur, given, patr, full := worldParts(w, st, pick)
	if right && patr != "" && (g.chance(0.3) || st == styleLatin && g.chance(0.3)) {
		full = strings.Join(strings.Fields(strings.Replace(full, patr, "", 1)), " ")
		patr = ""
	}
	if right && w.sur2 >= 0 && g.chance(0.4) {
		// the second surname left out
		first := form(w.c.surnames[w.sur], st, pick)
		full = strings.Replace(full, sur, first, 1)
		sur = first
	}
	oneCell := st == styleNative || g.chance(0.3) || right && g.chance(0.2)
	if oneCell {
		r.FullName = full
		return
	}
	r.Surname, r.GivenName, r.Patronymic = sur, given, patr
	if st == styleLatin && g.chance(0.5) {
		r.Surname = strings.ToUpper(r.Surname)
	}
}
