// Package synth generates a synthetic but plausible population of person
// records for the registers of the two parties: the people each side seeks
// (its own, written in its own language) and the people it holds (the other
// side's, written as its clerks write them: Ukrainians held by Russia often
// under Russian forms of their names, Russians held by Ukraine with the odd
// Ukrainian spelling). It feeds `handover demo`, tests and benchmarks.
//
// Generation is deterministic: a Generator draws from a PCG source seeded
// from Config.Seed and takes "today" from Config.Ref, never from the clock,
// so the same seed and the same sequence of calls give the same records.
// Every record passes person.Fields Normalize and Validate as of Config.Ref.
//
// The population is shaped on public figures for the 2022–2026 exchanges:
// about 85% military, 10% civilian and 5% seriously wounded or sick; about 5%
// women; birth dates full for most, the year alone for about 15%, year and
// month for 5%, unknown for 2%; capture and disappearance dates from 24
// February 2022 to Ref, with places where fighting at that date makes them
// plausible. Each register carries the cases a matcher finds hard: namesakes
// (same surname, given name and year of birth), brothers (same surname,
// patronymic and birth place), names given in one string, surnames in
// capitals, initials, missing patronymics, Latin look-alike letters, varied
// apostrophes, ё written е, and held persons whose identity is not
// established, known by distinguishing marks.
//
// The names are drawn from pools of common Ukrainian and Russian surnames and
// given names; any resemblance to a real person is chance. Phone numbers are
// made up.
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/person"
)

// DefaultLatinShare is the share of records that carry Latin spellings when
// Config.LatinShare is zero.
const DefaultLatinShare = 0.15

// defaultRef is "today" when Config.Ref is zero.
var defaultRef = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// warStart is the first date of capture or disappearance.
var warStart = time.Date(2022, 2, 24, 0, 0, 0, 0, time.UTC)

// Config sets up a Generator.
type Config struct {
	// Seed selects the population; the same seed gives the same records.
	Seed uint64
	// Ref is "today": ages are reckoned and dates drawn up to it, and every
	// record validates as of it. Zero means 1 January 2026.
	Ref time.Time
	// LatinShare is the share of records with Latin spellings in
	// LatinNames, from 0 to 1. Zero means DefaultLatinShare; a negative
	// value means none.
	LatinShare float64
}

// nation is a people, and also the language a writer writes in.
type nation int

const (
	ukr nation = iota
	rus
)

func (n nation) other() nation { return 1 - n }

// ringSize is how many recent identities per nation are kept to draw
// namesakes and brothers from.
const ringSize = 64

// Generator draws records. It is not safe for concurrent use; give each
// goroutine its own.
type Generator struct {
	r     *rand.Rand
	ref   time.Time
	latin float64
	// recent identities per nation, for namesakes and brothers.
	recent [2][]identity
	next   [2]int
}

// New returns a Generator for cfg.
func New(cfg Config) *Generator {
	g := &Generator{
		r:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		ref:   cfg.Ref,
		latin: cfg.LatinShare,
	}
	if g.ref.IsZero() {
		g.ref = defaultRef
	}
	y, m, d := g.ref.Date()
	g.ref = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case g.latin == 0:
		g.latin = DefaultLatinShare
	case g.latin < 0:
		g.latin = 0
	case g.latin > 1:
		g.latin = 1
	}
	return g
}

// Records returns n records as n calls of Record would.
func (g *Generator) Records(owner string, kind person.Kind, n int) []person.Fields {
	out := make([]person.Fields, n)
	for i := range out {
		out[i] = g.Record(owner, kind)
	}
	return out
}

// Record returns one plausible record for the register of owner ("UA" or
// "RU") of the given kind (person.Held or person.Sought). A sought record
// is one of the owner's own people; a held record is one of the other
// side's, written as the owner's clerks write it. Record panics on any
// other owner or kind: that is a programming error.
func (g *Generator) Record(owner string, kind person.Kind) person.Fields {
	var w nation
	switch owner {
	case "UA":
		w = ukr
	case "RU":
		w = rus
	default:
		panic(fmt.Sprintf("synth: owner %q is not UA or RU", owner))
	}
	nat := w
	switch kind {
	case person.Sought:
	case person.Held:
		nat = w.other()
	default:
		panic(fmt.Sprintf("synth: kind %q is not held or sought", kind))
	}

	f := person.Fields{Kind: kind}
	switch x := g.r.Float64(); {
	case x < 0.85:
		f.Category = person.Military
	case x < 0.95:
		f.Category = person.Civilian
	default:
		f.Category = person.SeriouslyWoundedSick
	}
	civilian := f.Category == person.Civilian

	event := g.eventDate(kind == person.Held)
	id := g.identity(nat, civilian, event)
	f.Status = g.status(kind, nat, f.Category)

	g.names(&f, id, w)
	switch {
	case g.r.Float64() < 0.01:
		// sex not recorded
	case id.female:
		f.Sex = person.Female
	default:
		f.Sex = person.Male
	}
	f.BirthDate = g.blur(id.birth, 0.15, 0.05, 0.02)
	if g.r.Float64() < 0.85 {
		f.BirthPlace = g.town(id, w)
	}

	if !civilian {
		g.military(&f, nat, w)
	}
	if !civilian && g.r.Float64() < 0.7 || g.r.Float64() < 0.3 {
		f.Power = powers[nat].in(w)
	}
	if g.r.Float64() < 0.5 {
		f.Citizenship = powers[nat].in(w)
	}
	if g.r.Float64() < 0.15 {
		f.MotherMaidenName = g.maidenName(nat, w)
	}

	pl := g.place(event, nat)
	if kind == person.Held {
		f.CaptureDate = g.blur(event, 0, 0.06, 0.02)
		if g.r.Float64() < 0.9 {
			f.CapturePlace = pl.in(w)
		}
	} else {
		f.DisappearanceDate = g.blur(event, 0, 0.1, 0.03)
		f.DisappearanceCircumstances = g.circumstances(nat, civilian, pl, w)
		if f.Status == person.StatusPOW && g.r.Float64() < 0.25 {
			// Reported captured: the report gives capture details too.
			f.CaptureDate = f.DisappearanceDate
			f.CapturePlace = pl.in(w)
		}
	}

	switch {
	case f.Category == person.SeriouslyWoundedSick && g.r.Float64() < 0.9:
		f.Health = g.health(w, true)
	case g.r.Float64() < 0.04:
		f.Health = g.health(w, false)
	}
	nok := 0.1
	if kind == person.Sought {
		nok = 0.5
	}
	if g.r.Float64() < nok {
		f.NextOfKin = g.nextOfKin(id, nat, w)
	}
	if g.r.Float64() < 0.03 {
		f.Notes = pick(g.r, notes).in(w)
	}
	if kind == person.Held {
		if g.r.Float64() < 0.01 {
			g.unidentified(&f, w)
		}
		// Withholding is a civilian's (GC IV Art. 137(2)); a prisoner of
		// war's comes only from the neutral's interview.
		if g.r.Float64() < 0.005 && f.IsCivilian() {
			f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = true, person.WithholdCivilian, "transmission would endanger the family"
		}
	}
	if f.Surname != "" || f.FullName != "" {
		if g.r.Float64() < g.latin {
			f.LatinNames = g.latinNames(id, nat)
		}
	}
	return f
}

// identity is a person as he is, before any clerk writes him down.
type identity struct {
	nat    nation
	female bool
	sur    *surname
	given  int // index into maleNames or femaleNames
	father int // index into maleNames
	birth  time.Time
	town   *pair
}

// identity draws a new person of nation nat who was of age at the event, now
// and then a namesake or a brother of someone drawn recently.
func (g *Generator) identity(nat nation, civilian bool, event time.Time) identity {
	var id identity
	id.nat = nat
	womenShare := 0.03
	if civilian {
		womenShare = 0.2
	}
	id.female = g.r.Float64() < womenShare
	id.sur = g.surname(nat)
	if id.female {
		id.given = g.femaleGiven()
	} else {
		id.given = g.maleGiven(nat)
	}
	id.father = g.maleGiven(nat)
	id.birth = g.birth(civilian, event)
	id.town = g.birthTown(nat)

	ring := g.recent[nat]
	if len(ring) > 8 {
		switch x := g.r.Float64(); {
		case x < 0.02:
			// A namesake: same surname, given name and year of birth; a
			// different father, day of birth and birth place.
			o := ring[g.r.IntN(len(ring))]
			id.female, id.sur, id.given = o.female, o.sur, o.given
			id.birth = time.Date(o.birth.Year(), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(365))
			if id.birth.Year() != o.birth.Year() {
				id.birth = o.birth
			}
		case x < 0.04:
			// A brother: same surname, father and birth place, another
			// given name, a few years apart.
			o := ring[g.r.IntN(len(ring))]
			id.female = false
			id.sur, id.father, id.town = o.sur, o.father, o.town
			for id.given = g.maleGiven(nat); id.given == o.given && !o.female; id.given = g.maleGiven(nat) {
			}
			gap := 1 + g.r.IntN(8)
			if g.r.IntN(2) == 0 {
				gap = -gap
			}
			if b := o.birth.AddDate(gap, 0, g.r.IntN(200)-100); b.Before(event.AddDate(-18, 0, 0)) {
				id.birth = b
			}
		}
	}
	if len(ring) < ringSize {
		g.recent[nat] = append(ring, id)
	} else {
		ring[g.next[nat]] = id
		g.next[nat] = (g.next[nat] + 1) % ringSize
	}
	return id
}

// birth draws a date of birth for someone who was of age at the event:
// servicemen mostly 20 to 50, civilians over a wider span.
func (g *Generator) birth(civilian bool, event time.Time) time.Time {
	var age int
	if civilian {
		age = 17 + g.r.IntN(25) + g.r.IntN(25) + g.r.IntN(15)
	} else {
		age = 18 + g.r.IntN(14) + g.r.IntN(14) + g.r.IntN(10)
	}
	// A day of birth in the year that makes the person age years old at
	// the event.
	return event.AddDate(-age-1, 0, 1+g.r.IntN(364))
}

// eventDate draws a capture or disappearance date from the start of the
// full-scale invasion to the reference date. The first months are heavier:
// many were captured in spring 2022.
func (g *Generator) eventDate(held bool) time.Time {
	start := warStart
	if !start.Before(g.ref) {
		start = g.ref.AddDate(-1, 0, 0)
	}
	days := int(g.ref.Sub(start).Hours() / 24)
	if held && g.r.Float64() < 0.2 {
		days = min(days, 90)
	}
	return start.AddDate(0, 0, g.r.IntN(days+1))
}

// blur turns t into a record date: with probability year only the year,
// month the year and month, unknown nothing.
func (g *Generator) blur(t time.Time, year, month, unknown float64) person.Date {
	d := person.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
	switch x := g.r.Float64(); {
	case x < unknown:
		return person.Date{}
	case x < unknown+year:
		d.Month, d.Day = 0, 0
	case x < unknown+year+month:
		d.Day = 0
	}
	return d
}

// status draws a legal status that fits the register and category.
func (g *Generator) status(kind person.Kind, nat nation, c person.Category) person.Status {
	x := g.r.Float64()
	switch {
	case kind == person.Held && c != person.Civilian:
		convicted := 0.01
		if nat == ukr {
			convicted = 0.05 // Russian courts sentence Ukrainian POWs
		}
		switch {
		case x < convicted:
			return person.StatusConvicted
		case x < convicted+0.005:
			return person.StatusDeceased
		}
		return person.StatusPOW
	case kind == person.Held:
		switch {
		case x < 0.75:
			return person.StatusDetainedCivilian
		case x < 0.9:
			return person.StatusCivilianInternee
		}
		return person.StatusConvicted
	case c == person.SeriouslyWoundedSick:
		return person.StatusPOW
	case c == person.Military:
		if x < 0.65 {
			return person.StatusPOW
		}
		return person.StatusMissing
	}
	switch {
	case x < 0.7:
		return person.StatusDetainedCivilian
	case x < 0.8:
		return person.StatusCivilianInternee
	}
	return person.StatusMissing
}

// military fills rank, service number and unit.
func (g *Generator) military(f *person.Fields, nat, w nation) {
	if g.r.Float64() < 0.9 {
		f.Rank = g.rankOf(nat).in(w)
	}
	if g.r.Float64() < 0.65 {
		f.ServiceNumber = g.serviceNumber(nat)
	}
	if g.r.Float64() < 0.75 {
		f.Unit = g.unit(nat, w)
	}
}

// serviceNumber draws a number in a format the person's side uses:
// Ukrainian "А-123456" or "АА123456", Russian "АБ-123456" or "Ж-123456".
func (g *Generator) serviceNumber(nat nation) string {
	letters := uaServiceLetters
	if nat == rus {
		letters = ruServiceLetters
	}
	var b strings.Builder
	b.WriteRune(letters[g.r.IntN(len(letters))])
	two := g.r.IntN(2) == 0
	if two {
		b.WriteRune(letters[g.r.IntN(len(letters))])
	}
	if nat == rus || !two {
		b.WriteByte('-')
	}
	writeDigits(&b, g.r.IntN(1000000), 6)
	return b.String()
}

// unit draws a unit: a military unit number ("в/ч А0224" in Ukraine, "в/ч
// 12345" in Russia) or a formation as lists abbreviate it.
func (g *Generator) unit(nat, w nation) string {
	if nat == ukr {
		switch x := g.r.Float64(); {
		case x < 0.4:
			return unitNumber("в/ч А", g.r.IntN(10000), 4)
		case x < 0.5:
			return unitNumber("в/ч ", 3000+g.r.IntN(100), 4) // National Guard
		}
		s := g.formation(nat).in(w)
		if g.r.Float64() < 0.2 {
			s += pair{" ЗСУ", " ВСУ"}.in(w)
		}
		return s
	}
	if g.r.Float64() < 0.55 {
		return unitNumber("в/ч ", 10000+g.r.IntN(90000), 5)
	}
	return g.formation(nat).in(w)
}

// unitNumber writes prefix and n with width digits.
func unitNumber(prefix string, n, width int) string {
	var b strings.Builder
	b.Grow(len(prefix) + width)
	b.WriteString(prefix)
	writeDigits(&b, n, width)
	return b.String()
}

// town renders the birth place of id as writer w writes it.
func (g *Generator) town(id identity, w nation) string {
	s := id.town.in(w)
	if w == ukr {
		s = g.apostrophe(s)
	}
	switch x := g.r.Float64(); {
	case x < 0.3:
		if w == ukr {
			return "м. " + s
		}
		return "г. " + s
	case x < 0.35:
		return strings.ToUpper(s)
	}
	return s
}

// place draws where the event happened: a place where fighting at that date
// makes it plausible.
func (g *Generator) place(event time.Time, nat nation) pair {
	for range 8 {
		p := &frontPlaces[g.r.IntN(len(frontPlaces))]
		if event.Before(p.from) || event.After(p.to) {
			continue
		}
		if p.who != 'a' && (p.who == 'u') != (nat == ukr) {
			continue
		}
		return p.pair
	}
	return frontPlaces[len(frontPlaces)-fallbackPlaces+g.r.IntN(fallbackPlaces)].pair
}

// circumstances writes a short account of a disappearance.
func (g *Generator) circumstances(nat nation, civilian bool, pl pair, w nation) string {
	cs := ukrainianCircumstances
	if nat == rus {
		cs = russianCircumstances
	}
	for {
		c := cs[g.r.IntN(len(cs))]
		if c.civilian == civilian {
			// A place ending in "обл." must not double the full stop.
			return strings.Replace(fmt.Sprintf(c.in(w), pl.in(w)), "..", ".", 1)
		}
	}
}

// health writes a short, sometimes dated, health entry.
func (g *Generator) health(w nation, serious bool) string {
	pool := minorConditions
	if serious {
		pool = conditions
	}
	s := pick(g.r, pool).in(w)
	if serious && g.r.Float64() < 0.3 {
		s2 := pick(g.r, pool).in(w)
		if s2 != s {
			s += "; " + s2
		}
	}
	if g.r.Float64() < 0.3 {
		d := g.ref.AddDate(0, -g.r.IntN(12), 0)
		if w == ukr {
			s = fmt.Sprintf("станом на %02d.%d: %s", int(d.Month()), d.Year(), s)
		} else {
			s = fmt.Sprintf("на %02d.%d: %s", int(d.Month()), d.Year(), s)
		}
	}
	return s
}

// nameLang is the language relatives' names are written in: the person's
// own when the writer is of the same side, else Russian (the language both
// sides' clerks use for the other side's people, more often than not).
func nameLang(nat, w nation) nation {
	if nat == w {
		return nat
	}
	return rus
}

// nextOfKin writes a relative with relationship and a made-up phone number.
// A father carries the name the patronymic comes from.
func (g *Generator) nextOfKin(id identity, nat, w nation) string {
	k := kinships[g.r.IntN(len(kinships))]
	rel := k.pair
	female := k.female
	if k.spouse && id.female {
		rel, female = husband, false
	}
	l := nameLang(nat, w)
	sur := id.sur.form(l, female)
	var given string
	switch {
	case female:
		given = femaleNames[g.femaleGiven()].form(l)
	case rel == kinships[2].pair: // father
		given = maleNames[id.father].form(l)
	default:
		given = maleNames[g.maleGiven(nat)].form(l)
	}
	if l == ukr {
		sur, given = g.apostrophe(sur), g.apostrophe(given)
	} else {
		sur, given = noYo(sur), noYo(given)
	}
	var b strings.Builder
	b.Grow(96)
	b.WriteString(sur)
	b.WriteByte(' ')
	b.WriteString(given)
	b.WriteString(" (")
	b.WriteString(rel.in(w))
	b.WriteString("), ")
	n := g.r.IntN(10000000)
	if nat == ukr {
		b.WriteString("+380 ")
		b.WriteString(uaPhonePrefixes[g.r.IntN(len(uaPhonePrefixes))])
		b.WriteByte(' ')
		writeDigits(&b, n/10000, 3)
		b.WriteByte(' ')
		writeDigits(&b, n/100%100, 2)
		b.WriteByte(' ')
		writeDigits(&b, n%100, 2)
	} else {
		b.WriteString("+7 ")
		b.WriteString(ruPhonePrefixes[g.r.IntN(len(ruPhonePrefixes))])
		b.WriteByte(' ')
		writeDigits(&b, n/10000, 3)
		b.WriteByte('-')
		writeDigits(&b, n/100%100, 2)
		b.WriteByte('-')
		writeDigits(&b, n%100, 2)
	}
	return b.String()
}

// writeDigits writes n with width digits, zero-padded.
func writeDigits(b *strings.Builder, n, width int) {
	var buf [12]byte
	i := len(buf)
	for range width {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	b.Write(buf[i:])
}

// maidenName draws a mother's maiden name.
func (g *Generator) maidenName(nat, w nation) string {
	l := nameLang(nat, w)
	s := g.surname(nat).form(l, true)
	if l == ukr {
		return g.apostrophe(s)
	}
	return noYo(s)
}

// unidentified marks a held record whose identity is not established: half
// of them have no name at all, the rest a name the person gave.
func (g *Generator) unidentified(f *person.Fields, w nation) {
	f.IdentityNotEstablished = true
	n := 1 + g.r.IntN(3)
	var ms []string
	for range n {
		m := pick(g.r, marks).in(w)
		if !slices.Contains(ms, m) {
			ms = append(ms, m)
		}
	}
	f.DistinguishingMarks = strings.Join(ms, "; ")
	if g.r.IntN(2) == 0 {
		f.Surname, f.GivenNames, f.Patronymic, f.FullName = "", "", "", ""
		f.ServiceNumber = ""
		f.BirthDate = person.Date{}
		f.BirthPlace = ""
		f.MotherMaidenName = ""
		f.NextOfKin = ""
		return
	}
	f.Notes = identityNote.in(w)
}
