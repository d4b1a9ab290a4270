// Package pairs generates realistic two-sided lists of persons with ground
// truth, for tests and benchmarks of record linkage across scripts.
//
// The left list is a party's list of persons it seeks, written by its
// clerks in Ukrainian Cyrillic. The right list is the other party's list of
// persons it holds, written from its own documents: in Russian forms
// (Олександр → Александр, Миколайович → Николаевич, -ський → -ский) or in a
// Latin spelling (Ukrainian national, ICAO, BGN/PCGN or an ad-hoc passport
// spelling, often SURNAME first in capitals), with typos, dropped
// patronymics, swapped given name and surname, the whole name in one cell,
// partial and mistyped dates, reformatted service and unit numbers, and
// hard negatives: namesakes born the same year elsewhere, brothers who share
// surname, patronymic and birthplace, and namesakes of other years.
//
// Generation is pure and deterministic: the same Options give the same Set.
package pairs

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// Options configure Generate.
type Options struct {
	// N is the number of persons on the left list.
	N int
	// Seed seeds the generator.
	Seed uint64
	// MatchShare is the share of left persons also on the right list
	// (default 0.7).
	MatchShare float64
	// ExtraShare is the number of right records that match nobody, as a
	// share of N (default 0.3); most are hard negatives.
	ExtraShare float64
	// World is the share of persons of other peoples (world.go): 0, the
	// default, gives Ukrainian names only.
	World float64
}

// Row is one generated record, with the columns of handover's person
// files. FullName is set instead of the three name columns on some rows.
type Row struct {
	ID, Surname, GivenName, Patronymic, FullName, BirthDate, BirthPlace, ServiceNumber, Unit, Rank string
}

// Header is the CSV header WriteCSV writes.
var Header = []string{"id", "surname", "given_name", "patronymic", "full_name", "birth_date", "birth_place", "service_number", "unit", "rank"}

// Values returns the row's values in Header order.
func (r Row) Values() []string {
	return []string{r.ID, r.Surname, r.GivenName, r.Patronymic, r.FullName, r.BirthDate, r.BirthPlace, r.ServiceNumber, r.Unit, r.Rank}
}

// Set is a generated pair of lists with the true pairs.
type Set struct {
	Left, Right []Row
	// Truth lists the true pairs as {left id, right id}.
	Truth [][2]string
}

type date struct{ y, m, d int }

type person struct {
	w                  *worldName // a person of another people, or nil
	sur, given, father int
	dob                date
	place              int
	svc                string
	unit               string
	rank               int
}

type gen struct {
	rng      *rand.Rand
	surnames [][2]string
	surCum   []float64
	givCum   []float64
	rankCum  []float64
	units    []string
	svcSeen  map[string]bool
	world    float64
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	t := 0.0
	for i, x := range w {
		t += x
		c[i] = t
	}
	return c
}

func (g *gen) pick(cum []float64) int {
	x := g.rng.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// Generate builds a Set.
func Generate(opt Options) Set {
	if opt.MatchShare <= 0 {
		opt.MatchShare = 0.7
	}
	if opt.ExtraShare <= 0 {
		opt.ExtraShare = 0.3
	}
	g := &gen{rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), svcSeen: map[string]bool{}, world: opt.World}
	g.surnames = surnames()
	sw := make([]float64, len(g.surnames))
	for i := range sw {
		// Common surnames first, with a long tail: about 0.3% of people
		// bear the most common one, as in Ukraine.
		sw[i] = 1 / float64(i+100)
	}
	g.surCum = cumulative(sw)
	gw := make([]float64, len(givens))
	for i, gv := range givens {
		gw[i] = gv.w
	}
	g.givCum = cumulative(gw)
	g.rankCum = cumulative(rankWeights)
	nUnits := max(50, opt.N/40)
	for i := 0; i < nUnits; i++ {
		g.units = append(g.units, fmt.Sprintf("%c%04d", []rune("АВ")[g.rng.IntN(2)], g.rng.IntN(10000)))
	}

	var set Set
	left := make([]person, 0, opt.N)
	for len(left) < opt.N {
		p := g.person()
		left = append(left, p)
		if g.chance(0.03) && len(left) < opt.N {
			left = append(left, g.brother(p)) // brothers both sought
		}
	}
	type rightRec struct {
		row  Row
		left int // -1 for none
	}
	var right []rightRec
	for i, p := range left {
		if g.chance(opt.MatchShare) {
			right = append(right, rightRec{g.renderRight(p), i})
		}
	}
	extras := int(opt.ExtraShare * float64(opt.N))
	for k := 0; k < extras; k++ {
		base := left[g.rng.IntN(len(left))]
		var p person
		switch x := g.rng.Float64(); {
		case x < 0.35:
			p = g.person()
		case x < 0.65:
			p = g.namesake(base, true)
		case x < 0.85:
			p = g.brother(base)
		default:
			p = g.namesake(base, false)
		}
		right = append(right, rightRec{g.renderRight(p), -1})
	}
	g.rng.Shuffle(len(right), func(i, j int) { right[i], right[j] = right[j], right[i] })
	for i, p := range left {
		r := g.renderLeft(p)
		r.ID = fmt.Sprintf("L%07d", i+1)
		set.Left = append(set.Left, r)
	}
	for i := range right {
		right[i].row.ID = fmt.Sprintf("R%07d", i+1)
		set.Right = append(set.Right, right[i].row)
		if right[i].left >= 0 {
			set.Truth = append(set.Truth, [2]string{set.Left[right[i].left].ID, right[i].row.ID})
		}
	}
	slices.SortFunc(set.Truth, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return set
}

func (g *gen) dob() date {
	y := 1965 + int(g.rng.NormFloat64()*7+25)
	y = min(max(y, 1960), 2006)
	m := 1 + g.rng.IntN(12)
	return date{y, m, 1 + g.rng.IntN(daysIn(m))}
}

func daysIn(m int) int {
	switch m {
	case 2:
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func (g *gen) serviceNumber() string {
	for {
		s := fmt.Sprintf("%c%06d", []rune("АВКМОРСТ")[g.rng.IntN(8)], g.rng.IntN(1000000))
		if !g.svcSeen[s] {
			g.svcSeen[s] = true
			return s
		}
	}
}

func (g *gen) person() person {
	p := person{
		sur: g.pick(g.surCum), given: g.pick(g.givCum), father: g.pick(g.givCum),
		dob: g.dob(), place: g.rng.IntN(len(places)), svc: g.serviceNumber(),
		unit: g.units[g.rng.IntN(len(g.units))], rank: g.pick(g.rankCum),
	}
	if g.world > 0 && g.chance(g.world) {
		p.w = g.worldPerson()
		p.w.latinPick, p.w.latinPick2 = g.rng.IntN(4), g.rng.IntN(4)
	}
	return p
}

// sameFamily makes q's world name share p's surname (and, with
// father, the father's name); given says whether the given name is
// shared too.
func (g *gen) sameFamily(q *person, p person, father, given bool) {
	if p.w == nil {
		q.w = nil
		return
	}
	w := *p.w
	w.latinPick, w.latinPick2 = g.rng.IntN(4), g.rng.IntN(4)
	if !father && w.father >= 0 {
		w.father = g.rng.IntN(len(w.c.givens))
	}
	if !given {
		for {
			if w.c.name == "korean" {
				w.given2 = g.rng.IntN(len(w.c.syllables))
				if w.given2 != p.w.given2 {
					break
				}
				continue
			}
			w.given = g.rng.IntN(len(w.c.givens))
			if w.given != p.w.given || len(w.c.givens) == 1 {
				break
			}
		}
	}
	q.w = &w
}

// namesake is another man with the same surname and given name: born the
// same year (sameYear) or another, in another town.
func (g *gen) namesake(p person, sameYear bool) person {
	q := g.person()
	q.sur, q.given = p.sur, p.given
	g.sameFamily(&q, p, false, true)
	if sameYear {
		q.dob.y = p.dob.y
	} else {
		for q.dob.y == p.dob.y {
			q.dob = g.dob()
		}
	}
	for q.place == p.place {
		q.place = g.rng.IntN(len(places))
	}
	return q
}

// brother shares surname, father and birthplace.
func (g *gen) brother(p person) person {
	q := g.person()
	q.sur, q.father, q.place = p.sur, p.father, p.place
	for q.given == p.given {
		q.given = g.pick(g.givCum)
	}
	g.sameFamily(&q, p, true, false)
	q.dob.y = min(max(p.dob.y+g.rng.IntN(15)-7, 1960), 2006)
	if q.dob.y == p.dob.y {
		q.dob.y++
	}
	return q
}

func (g *gen) renderLeft(p person) Row {
	gv, fa := givens[p.given], givens[p.father]
	r := Row{Surname: g.surnames[p.sur][0], GivenName: gv.ua, Patronymic: fa.patUA}
	if p.w != nil {
		r = Row{}
		g.renderWorldName(&r, p.w, false)
	}
	if g.chance(0.03) {
		if r.FullName != "" {
			r.FullName = g.typo(r.FullName)
		} else {
			r.Surname = g.typo(r.Surname)
		}
	}
	if g.chance(0.04) {
		r.Patronymic = ""
	}
	switch x := g.rng.Float64(); {
	case x < 0.45:
		r.BirthDate = fmt.Sprintf("%04d-%02d-%02d", p.dob.y, p.dob.m, p.dob.d)
	case x < 0.87:
		r.BirthDate = fmt.Sprintf("%02d.%02d.%04d", p.dob.d, p.dob.m, p.dob.y)
	case x < 0.94:
		r.BirthDate = fmt.Sprintf("%04d", p.dob.y)
	case x < 0.97:
		r.BirthDate = fmt.Sprintf("%04d-%02d", p.dob.y, p.dob.m)
	}
	if g.chance(0.85) {
		r.BirthPlace = places[p.place].ua
	}
	if g.chance(0.75) {
		r.ServiceNumber = g.formatCode(p.svc, false)
	}
	if g.chance(0.7) {
		r.Unit = g.formatUnit(p.unit, false)
	}
	if g.chance(0.7) {
		r.Rank = ranks[p.rank].ua
	}
	return r
}

func (g *gen) renderRight(p person) Row {
	gv, fa := givens[p.given], givens[p.father]
	sur := g.surnames[p.sur]
	var r Row
	latin := false
	switch x := g.rng.Float64(); {
	case x < 0.45: // Russian forms
		r.Surname, r.GivenName, r.Patronymic = sur[1], gv.ru, fa.patRU
	case x < 0.80: // Latin
		latin = true
		var sc scheme
		fromRU := true
		switch y := g.rng.Float64(); {
		case y < 0.35:
			sc, fromRU = ukrainianNational, false
		case y < 0.60:
			sc = icao
		case y < 0.80:
			sc = bgn
		default:
			sc, fromRU = adHoc(g.rng), g.chance(0.6)
		}
		x := g.chance(0.3)
		if fromRU {
			r.Surname, r.GivenName, r.Patronymic = sc.render(sur[1], x), sc.render(gv.ru, x), sc.render(fa.patRU, x)
		} else {
			r.Surname, r.GivenName, r.Patronymic = sc.render(sur[0], x), sc.render(gv.ua, x), sc.render(fa.patUA, x)
		}
		if g.chance(0.5) {
			r.Surname = strings.ToUpper(r.Surname)
		}
		if g.chance(0.2) {
			r.Surname, r.GivenName, r.Patronymic = strings.ToUpper(r.Surname), strings.ToUpper(r.GivenName), strings.ToUpper(r.Patronymic)
		}
	default: // Ukrainian forms copied from another document
		r.Surname, r.GivenName, r.Patronymic = sur[0], gv.ua, fa.patUA
	}
	if g.chance(0.25) || (latin && g.chance(0.3)) {
		r.Patronymic = ""
	}
	if p.w != nil {
		r = Row{}
		g.renderWorldName(&r, p.w, true)
		latin = isLatin(r.Surname + r.FullName)
	}
	switch x := g.rng.Float64(); {
	case r.FullName != "" && x < 0.17:
		r.FullName = g.typo(r.FullName)
	case x < 0.10:
		r.Surname = g.typo(r.Surname)
	case x < 0.17:
		r.GivenName = g.typo(r.GivenName)
	case x < 0.20:
		r.Surname, r.GivenName = g.typo(r.Surname), g.typo(r.GivenName)
	}
	if g.chance(0.03) {
		r.Surname, r.GivenName = r.GivenName, r.Surname
	}
	if p.w == nil && g.chance(0.35) {
		switch x := g.rng.Float64(); {
		case x < 0.6:
			r.FullName = join(r.Surname, r.GivenName, r.Patronymic)
			if g.chance(0.2) {
				r.FullName = strings.Replace(r.FullName, " ", ", ", 1) // "Surname, Given"
			}
		case x < 0.85:
			r.FullName = join(r.GivenName, r.Patronymic, r.Surname)
		default:
			r.FullName = join(strings.ToUpper(r.Surname), r.GivenName)
		}
		r.Surname, r.GivenName, r.Patronymic = "", "", ""
	}
	d := p.dob
	switch x := g.rng.Float64(); {
	case x < 0.06:
		if d.d <= 12 && d.d != d.m {
			d.d, d.m = d.m, d.d
		}
		r.BirthDate = fmtDate(g, d)
	case x < 0.12:
		r.BirthDate = g.digitTypo(fmtDate(g, d))
	case x < 0.22:
		r.BirthDate = fmt.Sprintf("%04d", d.y)
	case x < 0.27:
		r.BirthDate = fmt.Sprintf("%02d.%04d", d.m, d.y)
	case x < 0.35:
	default:
		r.BirthDate = fmtDate(g, d)
	}
	if g.chance(0.6) {
		pl := places[p.place]
		switch {
		case latin && g.chance(0.5):
			r.BirthPlace = pl.latUA
		case latin:
			r.BirthPlace = pl.latRU
		default:
			r.BirthPlace = pl.ru
		}
	}
	if g.chance(0.5) {
		s := g.formatCode(p.svc, true)
		if g.chance(0.05) {
			s = g.digitTypo(s)
		}
		r.ServiceNumber = s
	}
	if g.chance(0.45) {
		r.Unit = g.formatUnit(p.unit, true)
	}
	if g.chance(0.4) {
		if latin {
			r.Rank = ranks[p.rank].lat
		} else {
			r.Rank = ranks[p.rank].ru
		}
	}
	return r
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func fmtDate(g *gen, d date) string {
	switch g.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
	case 1:
		return fmt.Sprintf("%02d/%02d/%04d", d.d, d.m, d.y)
	}
	return fmt.Sprintf("%02d.%02d.%04d", d.d, d.m, d.y)
}

// latinLetter is the Latin look-alike of the Cyrillic letters service
// numbers use.
var latinLetter = map[rune]string{'А': "A", 'В': "B", 'К': "K", 'М': "M", 'О': "O", 'Р': "P", 'С': "C", 'Т': "T"}

// formatCode writes a service number the way one side's clerks do.
func (g *gen) formatCode(s string, other bool) string {
	rs := []rune(s)
	letter, digits := string(rs[0]), string(rs[1:])
	if other && g.chance(0.5) {
		letter = latinLetter[rs[0]]
	}
	switch g.rng.IntN(5) {
	case 0:
		return letter + "-" + digits
	case 1:
		return letter + " " + digits
	case 2:
		if other {
			return digits[:3] + " " + digits[3:]
		}
	case 3:
		if other {
			return digits
		}
	}
	return letter + digits
}

func (g *gen) formatUnit(u string, other bool) string {
	rs := []rune(u)
	if other && g.chance(0.5) {
		u = latinLetter[rs[0]] + string(rs[1:])
	}
	switch g.rng.IntN(4) {
	case 0:
		if other {
			return "войсковая часть " + u
		}
		return "військова частина " + u
	case 1:
		return "в/ч " + u
	case 2:
		return strings.Replace(u, string([]rune(u)[0]), string([]rune(u)[0])+"-", 1)
	}
	return u
}

// typo makes one keyboard-like mistake in a name.
func (g *gen) typo(s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	i := 1 + g.rng.IntN(len(rs)-2)
	if foreignLetter(rs[i]) || foreignLetter(rs[i+1]) {
		return s // not a keyboard of Latin or Cyrillic letters
	}
	switch g.rng.IntN(4) {
	case 0: // delete
		rs = append(rs[:i], rs[i+1:]...)
	case 1: // duplicate
		rs = slices.Insert(rs, i, rs[i])
	case 2: // transpose
		rs[i], rs[i+1] = rs[i+1], rs[i]
	default: // substitute a letter of the same script
		alpha := []rune("абвгдеийклмнопрстуфхцчшь")
		if rs[i] < 0x400 {
			alpha = []rune("abcdefghiklmnoprstuvyz")
		}
		c := alpha[g.rng.IntN(len(alpha))]
		if unicode.IsUpper(rs[i]) {
			c = unicode.ToUpper(c)
		}
		rs[i] = c
	}
	return string(rs)
}

// foreignLetter reports whether r is a letter of neither the Latin nor the
// Cyrillic alphabet (Hangul, Devanagari…), which the typing errors here do
// not imitate.
func foreignLetter(r rune) bool {
	return r > 0x52f && r < 0x1e00 || r > 0x1eff && unicode.IsLetter(r)
}

// digitTypo changes one digit.
func (g *gen) digitTypo(s string) string {
	rs := []rune(s)
	var idx []int
	for i, r := range rs {
		if r >= '0' && r <= '9' {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	i := idx[g.rng.IntN(len(idx))]
	rs[i] = '0' + (rs[i]-'0'+rune(1+g.rng.IntN(8)))%10
	return string(rs)
}

// WriteCSV writes rows with Header, UTF-8 without BOM.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write(Header)
	for _, r := range rows {
		cw.Write(r.Values())
	}
	cw.Flush()
	return cw.Error()
}

// WriteTruth writes the true pairs as left_id,right_id.
func WriteTruth(w io.Writer, truth [][2]string) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"left_id", "right_id"})
	for _, t := range truth {
		cw.Write(t[:])
	}
	cw.Flush()
	return cw.Error()
}
