package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/person"
)

// form returns the surname in language l, feminine when female.
func (s *surname) form(l nation, female bool) string {
	switch {
	case l == ukr && female:
		return s.uaF
	case l == ukr:
		return s.ua
	case female:
		return s.ruF
	}
	return s.ru
}

// form returns the given name in language l.
func (m maleName) form(l nation) string {
	if l == ukr {
		return m.ua
	}
	return m.ru
}

// patronymic returns the patronymic the name gives in language l.
func (m maleName) patronymic(l nation, female bool) string {
	switch {
	case l == ukr && female:
		return m.uaPatF
	case l == ukr:
		return m.uaPatM
	case female:
		return m.ruPatF
	}
	return m.ruPatM
}

// form returns the given name in language l.
func (f femaleName) form(l nation) string {
	if l == ukr {
		return f.ua
	}
	return f.ru
}

// parts returns surname, given name and patronymic of id in language l.
func (id identity) parts(l nation) (sur, given, pat string) {
	sur = id.sur.form(l, id.female)
	if id.female {
		given = femaleNames[id.given].form(l)
	} else {
		given = maleNames[id.given].form(l)
	}
	pat = maleNames[id.father].patronymic(l, id.female)
	return sur, given, pat
}

// How a writer puts a person's name down.
type style int

const (
	native     style = iota // in the person's own language
	translated              // in the writer's language: Олександр → Александр
	partial                 // surname as the person spells it, the rest translated
	typos                   // the person's language typed by the other side's clerk
	latin                   // romanised, from a passport or document
)

// style draws how writer w writes a person of nation nat.
func (g *Generator) style(nat, w nation) style {
	if nat == w {
		return native
	}
	x := g.r.Float64()
	if nat == ukr { // a Russian clerk writing a Ukrainian
		switch {
		case x < 0.65:
			return translated
		case x < 0.80:
			return partial
		case x < 0.95:
			return native
		}
		return latin
	}
	switch { // a Ukrainian clerk writing a Russian
	case x < 0.70:
		return native
	case x < 0.90:
		return typos
	}
	return translated
}

// names fills the name fields of f for id as writer w writes them, with the
// usual departures: names in one string, surnames in capitals, initials.
func (g *Generator) names(f *person.Fields, id identity, w nation) {
	var sur, given, pat string
	lang := id.nat
	switch g.style(id.nat, w) {
	case native:
		sur, given, pat = id.parts(id.nat)
	case translated:
		lang = w
		sur, given, pat = id.parts(w)
	case partial:
		sur, _, _ = id.parts(id.nat)
		_, given, pat = id.parts(w)
		lang = w
	case typos:
		sur, given, pat = id.parts(id.nat)
		sur, given, pat = g.uaTypos(sur), g.uaTypos(given), g.uaTypos(pat)
	case latin:
		sur, given, _ = id.parts(ukr)
		sur, given = transliterate(sur, true, false), transliterate(given, true, false)
		if g.r.IntN(2) == 0 {
			sur, given = strings.ToUpper(sur), strings.ToUpper(given)
		}
		f.Surname, f.GivenNames = sur, given
		return
	}
	if lang == ukr {
		sur, given, pat = g.apostrophe(sur), g.apostrophe(given), g.apostrophe(pat)
	} else {
		// Most writers drop ё; a Ukrainian keyboard has none.
		drop := 0.75
		if w == ukr {
			drop = 0.9
		}
		if g.r.Float64() < drop {
			sur, given, pat = noYo(sur), noYo(given), noYo(pat)
		}
	}

	if g.r.Float64() < 0.005 {
		// A Latin look-alike typed into a Cyrillic name (Latin i for
		// Ukrainian і is the usual one): valid, but person.Fields.Check
		// flags it.
		sur = lookalike(sur)
	}

	switch x := g.r.Float64(); {
	case x < 0.03:
		// One string, as many lists give it.
		switch y := g.r.Float64(); {
		case y < 0.5:
			f.FullName = strings.ToUpper(sur) + " " + given + " " + pat
		case y < 0.85:
			f.FullName = sur + " " + given + " " + pat
		default:
			f.FullName = given + " " + sur
		}
		return
	case x < 0.08:
		sur = strings.ToUpper(sur)
	case x < 0.095:
		// Initials only.
		given, pat = initial(given), initial(pat)
	case x < 0.12:
		pat = "" // patronymic not recorded
	}
	f.Surname, f.GivenNames, f.Patronymic = sur, given, pat
}

// latinTwins maps Cyrillic letters to the Latin letters that look the same.
var latinTwins = map[rune]rune{
	'і': 'i', 'І': 'I', 'а': 'a', 'о': 'o', 'е': 'e', 'с': 'c', 'р': 'p',
	'А': 'A', 'О': 'O', 'Е': 'E', 'С': 'C', 'Р': 'P', 'К': 'K', 'М': 'M', 'Т': 'T',
}

// lookalike replaces the last Cyrillic letter of s that has a Latin twin.
func lookalike(s string) string {
	rs := []rune(s)
	for i := len(rs) - 1; i >= 0; i-- {
		if l, ok := latinTwins[rs[i]]; ok {
			rs[i] = l
			return string(rs)
		}
	}
	return s
}

// initial returns "О." for "Олександр".
func initial(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return ""
	}
	return string(r) + "."
}

// noYo writes ё as е, as most Russian texts do.
func noYo(s string) string {
	if !strings.ContainsAny(s, "ёЁ") {
		return s
	}
	return strings.NewReplacer("ё", "е", "Ё", "Е").Replace(s)
}

// apostrophe writes the Ukrainian apostrophe as one of the characters
// people type for it: mostly U+0027, else U+2019 or U+02BC.
func (g *Generator) apostrophe(s string) string {
	if !strings.Contains(s, "'") {
		return s
	}
	switch x := g.r.Float64(); {
	case x < 0.25:
		return strings.ReplaceAll(s, "'", "’")
	case x < 0.35:
		return strings.ReplaceAll(s, "'", "ʼ")
	}
	return s
}

// uaTypos types Russian text the way a Ukrainian clerk might: on a
// Ukrainian layout the keys for ы, э and ъ give і, є and ї, and by ear и
// becomes і and е becomes є now and then; ё is written е.
func (g *Generator) uaTypos(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case 'ы':
			rs[i] = 'и'
			if g.r.IntN(3) == 0 {
				rs[i] = 'і'
			}
		case 'э':
			rs[i] = 'е'
			if g.r.IntN(3) == 0 {
				rs[i] = 'є'
			}
		case 'Э':
			rs[i] = 'Е'
		case 'ё':
			rs[i] = 'е'
		case 'ъ':
			rs[i] = '\''
		case 'и':
			if g.r.Float64() < 0.2 {
				rs[i] = 'і'
			}
		case 'е':
			if g.r.Float64() < 0.08 {
				rs[i] = 'є'
			}
		}
	}
	return string(rs)
}

// latinNames draws one or two Latin spellings of id: for a Ukrainian the
// national romanisation, passport capitals, an older passport style or a
// Russian-style spelling of the Russian forms (as the other side's lists
// give it); for a Russian the passport romanisation, old or new.
func (g *Generator) latinNames(id identity, nat nation) []string {
	var out []string
	n := 1
	if g.r.Float64() < 0.35 {
		n = 2
	}
	for range 4 {
		if len(out) == n {
			break
		}
		var s string
		if nat == ukr {
			sur, given, pat := id.parts(ukr)
			switch g.r.IntN(5) {
			case 0, 1:
				s = transliterate(sur+" "+given, true, false)
			case 2:
				s = strings.ToUpper(transliterate(sur+" "+given, true, false))
			case 3:
				s = transliterate(given+" "+sur, true, true) // an older passport
			case 4:
				if g.r.IntN(2) == 0 {
					s = transliterate(given+" "+pat+" "+sur, true, false)
				} else {
					rsur, rgiven, _ := id.parts(rus)
					s = transliterate(rgiven+" "+rsur, false, false)
				}
			}
		} else {
			sur, given, _ := id.parts(rus)
			switch g.r.IntN(4) {
			case 0, 1:
				s = transliterate(given+" "+sur, false, false)
			case 2:
				s = strings.ToUpper(transliterate(sur+" "+given, false, false))
			case 3:
				s = transliterate(given+" "+sur, false, true)
			}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// zipf is a table for drawing indices 0..n-1 with weights falling as
// 1/(i+offset): the first entries of a pool are the most common.
type zipf struct {
	idx []int     // pool indices
	cum []float64 // cumulative weights
}

func newZipf(idx []int, offset float64) zipf {
	z := zipf{idx: idx, cum: make([]float64, len(idx))}
	total := 0.0
	for i := range idx {
		total += 1 / math.Pow(float64(i)+offset, 0.9)
		z.cum[i] = total
	}
	return z
}

func (z zipf) draw(r *rand.Rand) int {
	x := r.Float64() * z.cum[len(z.cum)-1]
	i := sort.SearchFloat64s(z.cum, x)
	if i == len(z.idx) {
		i--
	}
	return z.idx[i]
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func tagged(tags string) []int {
	var s []int
	for i, m := range maleNames {
		if strings.IndexByte(tags, m.tag) >= 0 {
			s = append(s, i)
		}
	}
	return s
}

// Draw tables, built once and never changed.
var (
	uaMaleZipf       = newZipf(tagged("bu"), 3)
	ruMaleZipf       = newZipf(tagged("br"), 3)
	femaleZipf       = newZipf(seq(len(femaleNames)), 3)
	uaSurnameZipf    = newZipf(seq(len(uaSurnames)), 5)
	ruSurnameZipf    = newZipf(seq(len(ruSurnames)), 5)
	uaTownZipf       = newZipf(seq(len(ukrainianTowns)), 2)
	ruTownZipf       = newZipf(seq(len(russianTowns)), 2)
	uaFormationZipf  = newZipf(seq(len(ukrainianFormations)), 4)
	ruFormationZipf  = newZipf(seq(len(russianFormations)), 4)
	uaRankCum        = rankCum(ukrainianRanks)
	ruRankCum        = rankCum(russianRanks)
	crossSurnameRate = [2]float64{ukr: 0.08, rus: 0.12}
)

func rankCum(rs []rank) []float64 {
	cum := make([]float64, len(rs))
	t := 0.0
	for i, r := range rs {
		t += r.weight
		cum[i] = t
	}
	return cum
}

func (g *Generator) maleGiven(nat nation) int {
	if nat == ukr {
		return uaMaleZipf.draw(g.r)
	}
	return ruMaleZipf.draw(g.r)
}

func (g *Generator) femaleGiven() int { return femaleZipf.draw(g.r) }

// surname draws a surname for a person of nation nat: mostly one of the
// nation's own, now and then one from the other pool (many Russians have
// Ukrainian surnames, and some Ukrainians Russian ones).
func (g *Generator) surname(nat nation) *surname {
	own := nat
	if g.r.Float64() < crossSurnameRate[nat] {
		own = nat.other()
	}
	if own == ukr {
		return &uaSurnames[uaSurnameZipf.draw(g.r)]
	}
	return &ruSurnames[ruSurnameZipf.draw(g.r)]
}

// birthTown draws a birth place for a person of nation nat.
func (g *Generator) birthTown(nat nation) *pair {
	if nat == ukr {
		return &ukrainianTowns[uaTownZipf.draw(g.r)]
	}
	if g.r.Float64() < 0.06 {
		return &donbasTowns[g.r.IntN(len(donbasTowns))]
	}
	return &russianTowns[ruTownZipf.draw(g.r)]
}

// rankOf draws a rank for a serviceman of nation nat.
func (g *Generator) rankOf(nat nation) pair {
	rs, cum := ukrainianRanks, uaRankCum
	if nat == rus {
		rs, cum = russianRanks, ruRankCum
	}
	i := sort.SearchFloat64s(cum, g.r.Float64()*cum[len(cum)-1])
	return rs[min(i, len(rs)-1)].pair
}

// formation draws a formation of nation nat.
func (g *Generator) formation(nat nation) pair {
	if nat == ukr {
		return ukrainianFormations[uaFormationZipf.draw(g.r)]
	}
	return russianFormations[ruFormationZipf.draw(g.r)]
}

// pick draws an entry of ps uniformly.
func pick(r *rand.Rand, ps []pair) pair { return ps[r.IntN(len(ps))] }
