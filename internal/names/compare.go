package names

import (
	"slices"
	"strings"
)

// DefaultThreshold is the score at or above which CompareFull calls two
// full names a match. Two names that agree on surname and given name (in
// any script or form) score at least 0.9 even when one lacks the
// patronymic; one different given name or surname brings the score under
// 0.7; a surname alone against a full name scores 0.8. 0.85 sits between,
// and on the labelled pairs in testdata/pairs.csv it gives the best F1
// (see docs/design/names.md).
const DefaultThreshold = 0.85

// Weights of the parts of a full name in CompareFull.
const (
	weightName       = 1.0  // a surname or given name
	weightPatronymic = 0.6  // a patronymic: often left out, rarely wrong
	weightInitial    = 0.5  // a pair in which one side is only an initial
	weightCompound   = 0.6  // one part of a double surname (Римський-Корсаков)
	missingName      = 0.25 // a given (middle) name one side lacks
	missingSurname   = 0.5  // a surname one side lacks
	missingPatr      = 0.1  // a patronymic one side lacks
	missingInitial   = 0.05 // an initial of a patronymic one side lacks
	missingParticle  = 0.02 // al, bin, van, de… one side lacks
	missingExtra     = 0.15 // any word one side lacks when two others agree
	maxTokens        = 6    // words beyond these are ignored
	typoFloor        = 0.7  // least similarity of a word taken for a typing error
	joinFloor        = 0.88 // least similarity of two words run together to the one word of the other name
)

// PartComparison is how one part of two full names compares: the part (as
// parsed from the first name, or the second when the first lacks it), the
// two values as written, the level ("exact", "equivalent", "similar",
// "initial", "missing", "different") and the two values' Similarity from 0
// to 1 (0 when one is missing).
type PartComparison struct {
	Part  Part
	A, B  string
	Level string
	Score float64
}

// Comparison is the result of CompareFull: a score from 0 to 1, the
// decision at DefaultThreshold, the parts as aligned, and whether the
// alignment paired a surname with a given name (the names were written in
// different orders, or one of them was parsed wrongly).
type Comparison struct {
	Score   float64
	Match   bool
	Parts   []PartComparison
	Swapped bool
}

// CompareFull compares two full names written in any script, scheme and
// order. Each name is parsed into words with roles; the words of the two
// names are paired by the assignment that maximises the weighted
// similarity (so order never matters); each pair scores by Similarity
// (an initial against a name by its letter); words left unpaired count as
// missing with a small weight. The score is the weighted mean, in which a
// pair that is not at least similar counts s²/2 of its similarity s. Match is
// Score >= DefaultThreshold.
func CompareFull(a, b string) Comparison {
	// The comparison is symmetric by construction: the two names are
	// compared in one fixed order, so that which list a name came from cannot
	// change its score (the word alignment otherwise depends on which side
	// leads); the parts are then given back in the caller's order.
	if b >= a {
		return compareFull(a, b)
	}
	c := compareFull(b, a)
	for i := range c.Parts {
		c.Parts[i].A, c.Parts[i].B = c.Parts[i].B, c.Parts[i].A
	}
	return c
}

func compareFull(a, b string) Comparison {
	pa0, sa := parseShaped(a)
	pb0, sb := parseShaped(b)
	if sa.placeholder || sb.placeholder {
		// N.N., невідомий: a name nobody knows matches nobody.
		return Comparison{}
	}
	c := compareTokens(pa0, pb0)
	if sa.generation != "" && sb.generation != "" && sa.generation != sb.generation {
		// Donald Trump Jr. is not Donald Trump Sr.
		c.Score = round3(c.Score * generationFactor)
		c.Match = c.Score >= DefaultThreshold
	}
	// Chinese and Korean names are compared syllable by syllable across
	// scripts and romanisations when both read as such names.
	if s, sameShape, ok := compareEastAsianShape(tokenTexts(pa0), tokenTexts(pb0)); ok {
		if s >= c.Score || sameShape || nativeEastAsian(a) || nativeEastAsian(b) {
			c.Score = round3(s)
		} else {
			// Romanised names that read as other syllables may be a typing
			// error (Си Цзииньпин): the letters decide, with less weight.
			c.Score = round3(max(s, c.Score*eastAsianTypo))
		}
		c.Match = c.Score >= DefaultThreshold
	}
	return c
}

// eastAsianTypo scales the letter-by-letter score of two romanised
// Chinese or Korean names that read as different syllables.
const eastAsianTypo = 0.9

// nativeEastAsian reports whether s has Han characters or Hangul.
func nativeEastAsian(s string) bool {
	for _, r := range s {
		if isHan(r) || r >= 0xac00 && r <= 0xd7a3 {
			return true
		}
	}
	return false
}

func tokenTexts(ts []token) []string {
	out := make([]string, len(ts))
	for i := range ts {
		out[i] = ts[i].text
	}
	return out
}

// compareTokens is CompareFull on parsed names.
func compareTokens(ta0, tb0 []token) Comparison {
	ta, tb := splitCompounds(ta0), splitCompounds(tb0)
	if len(ta) > maxTokens {
		ta = ta[:maxTokens]
	}
	if len(tb) > maxTokens {
		tb = tb[:maxTokens]
	}
	pa, pb := prepareTokens(ta), prepareTokens(tb)
	ta, pa = joinSplit(ta, pa, pb)
	tb, pb = joinSplit(tb, pb, pa)

	// Pair scores.
	var sim, raw [maxTokens][maxTokens]float64
	var lvl [maxTokens][maxTokens]Level
	var wt [maxTokens][maxTokens]float64
	for i := range ta {
		for j := range tb {
			s, l := comparePrepared(&pa[i], &pb[j])
			raw[i][j] = s
			w := pairWeight(&ta[i], &tb[j], l)
			if l != LevelInitial && s < similarFloor {
				s = s * s / 2 // a different name is evidence against
			}
			sim[i][j], lvl[i][j], wt[i][j] = s, l, w
		}
	}
	// The best assignment, by exhaustive search over at most 6×6 words.
	bestSum, best := -1.0, make([]int, len(ta))
	cur := make([]int, len(ta))
	used := make([]bool, len(tb))
	var search func(i int, sum float64)
	search = func(i int, sum float64) {
		if i == len(ta) {
			if sum > bestSum {
				bestSum = sum
				copy(best, cur)
			}
			return
		}
		free := len(tb) - countTrue(used)
		if len(ta)-i > free { // this word may stay unpaired
			cur[i] = -1
			search(i+1, sum)
		}
		for j := range tb {
			if used[j] {
				continue
			}
			used[j] = true
			cur[i] = j
			bonus := 0.0
			if ta[i].role == tb[j].role {
				bonus = 0.001 // prefer the parsed roles on a tie
			}
			search(i+1, sum+wt[i][j]*sim[i][j]+bonus)
			used[j] = false
		}
	}
	search(0, 0)

	// A word one or two keystrokes off (Nwkita, Ivna) counts as similar
	// when two other words of the names agree: in a full name that agrees
	// otherwise it is a typing error, not another person. On its own it
	// is not enough (Яна/Анна, Лавров/Лавренов).
	agree := 0
	for i, j := range best {
		if j >= 0 && lvl[i][j] <= LevelSimilar {
			agree++
		}
	}
	if agree >= 2 {
		for i, j := range best {
			if j < 0 {
				continue
			}
			x, y := pa[i].skel, pb[j].skel
			if ta[i].role == Patronymic || tb[j].role == Patronymic {
				sx, okx := patronymicStem(x)
				sy, oky := patronymicStem(y)
				if okx && oky {
					x, y = sx, sy // the fathers' names, not the shared ending
				}
			}
			if lvl[i][j] == LevelDifferent && raw[i][j] >= typoFloor && typoLike(x, y) {
				sim[i][j], lvl[i][j] = raw[i][j], LevelSimilar
			}
		}
	}

	var c Comparison
	var num, den float64
	pairedB := make([]bool, len(tb))
	// When two words agree, a word only one name has is most often a
	// second given name or a second surname one writing leaves out
	// (Gustavo Petro / Gustavo Francisco Petro Urrego).
	missing := missingWeight
	surnameAgrees := false
	for i, j := range best {
		if j >= 0 && lvl[i][j] <= LevelSimilar && (ta[i].role == Surname || tb[j].role == Surname) {
			surnameAgrees = true
		}
	}
	if agree >= 2 && surnameAgrees {
		missing = func(t *token) float64 { return min(missingWeight(t), missingExtra) }
	}
	for i, j := range best {
		if j < 0 {
			w := missing(&ta[i])
			den += w
			c.Parts = append(c.Parts, PartComparison{Part: ta[i].role, A: ta[i].text, Level: LevelMissing.String()})
			continue
		}
		pairedB[j] = true
		num += wt[i][j] * sim[i][j]
		den += wt[i][j]
		part := ta[i].role
		if ta[i].role != tb[j].role {
			if (ta[i].role == Surname) != (tb[j].role == Surname) && lvl[i][j] <= LevelSimilar {
				c.Swapped = true
			}
		}
		c.Parts = append(c.Parts, PartComparison{Part: part, A: ta[i].text, B: tb[j].text, Level: lvl[i][j].String(), Score: round3(raw[i][j])})
	}
	for j := range tb {
		if !pairedB[j] {
			den += missing(&tb[j])
			c.Parts = append(c.Parts, PartComparison{Part: tb[j].role, B: tb[j].text, Level: LevelMissing.String()})
		}
	}
	if den > 0 {
		c.Score = round3(num / den * structureFactor(ta, tb, best, lvl, pairedB))
	}
	c.Match = c.Score >= DefaultThreshold
	slices.SortStableFunc(c.Parts, func(x, y PartComparison) int { return int(x.Part) - int(y.Part) })
	return c
}

// Factors of the structure rules.
const (
	generationFactor = 0.6 // Jr. against Sr., II against III
	fatherFactor     = 0.5 // a person's name where the other has the father's (bin Salman / Salman bin)
	ownNameFactor    = 0.6 // the person's own name missing before the father's (Uday Saddam Hussein / Saddam Hussein)
)

// structureFactor scales the score of an alignment that reads one person
// as another of the same family: a father's name (marked by bin, ibn,
// оглы) paired with a person's own name, or a name whose first word
// pairs with the second word of the other while the other's first word
// is left alone and both end alike: the second name is the first one's
// father's (Uday Saddam Hussein is Saddam Hussein's son). A leading
// Muhammad, which many leave out, does not count.
func structureFactor(ta, tb []token, best []int, lvl [maxTokens][maxTokens]Level, pairedB []bool) float64 {
	f := 1.0
	for i, j := range best {
		if j < 0 || lvl[i][j] > LevelSimilar || ta[i].initial || tb[j].initial {
			continue
		}
		if ta[i].father != tb[j].father && (ta[i].role == Given || tb[j].role == Given) {
			f = min(f, fatherFactor)
		}
	}
	if len(ta) == 0 || len(tb) == 0 {
		return f
	}
	own := func(x, y []token, pairOf func(int) int, pairedY func(int) bool) bool {
		if len(y) <= len(x) || x[0].initial || y[0].initial || pairedY(0) || isMuhammad(&y[0]) {
			return false
		}
		j := pairOf(0)
		if j <= 0 {
			return false
		}
		return pairOf(len(x)-1) == len(y)-1
	}
	bOf := func(i int) int { return best[i] }
	aOf := func(j int) int {
		for i, b := range best {
			if b == j {
				return i
			}
		}
		return -1
	}
	pairedA := func(i int) bool { return best[i] >= 0 }
	if own(ta, tb, bOf, func(j int) bool { return pairedB[j] }) || own(tb, ta, aOf, pairedA) {
		f = min(f, ownNameFactor)
	}
	return f
}

// isMuhammad reports whether a word is a form of Muhammad, which many
// names lead with and many writings leave out (Muhammad Hosni Mubarak).
func isMuhammad(t *token) bool {
	switch t.prep.cons {
	case "mgmd", "mgmt", "md", "mmd":
		return true
	}
	return false
}

// typoLike reports whether two skeletons differ as a typing error does:
// the same first letter, about the same length, one edit (two in words of
// seven letters or more; a swap of neighbours is one edit), not a stem
// with another ending (Мельник/Мельничук).
func typoLike(a, b string) bool {
	d := len(a) - len(b)
	if d < -1 || d > 1 || min(len(a), len(b)) < 4 || a[0] != b[0] {
		return false
	}
	edits := 1
	if min(len(a), len(b)) >= 7 {
		edits = 2
	}
	return levenshtein(a, b) <= edits
}

// splitCompounds splits a double name (Гордієнко-Бойко) into its parts,
// each with the role of the whole, so that either part can pair with a
// name that has only one of them.
func splitCompounds(toks []token) []token {
	n := 0
	for _, t := range toks {
		n += strings.Count(t.text, "-")
	}
	if n == 0 {
		return toks
	}
	out := make([]token, 0, len(toks)+n)
	for _, t := range toks {
		if !strings.Contains(t.text, "-") {
			out = append(out, t)
			continue
		}
		for _, p := range strings.Split(t.text, "-") {
			if letterCount(p) == 0 {
				continue
			}
			sub := t
			sub.text, sub.compound = p, true
			sub.prep = Prepare(AnyPart, p)
			out = append(out, sub)
		}
	}
	return out
}

// joinSplit joins two neighbouring words of one name when together they
// are a word of the other name (Abdul Rahman / Abdulrahman, Мак Дональд).
func joinSplit(toks []token, prep, other []Prepared) ([]token, []Prepared) {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].initial || toks[i+1].initial {
			continue
		}
		joined := Prepare(toks[i].role, toks[i].text+toks[i+1].text)
		for j := range other {
			same := joined.skel == other[j].skel && prep[i].skel != other[j].skel && prep[i+1].skel != other[j].skel
			if !same && len(joined.skel) >= 6 && !joined.hangul && !other[j].hangul && !joined.abjad && !other[j].abjad {
				// Words run together or split with a letter's difference
				// (Sher Bahadur / शेरबहादुर, Ислам Абдуганиевич / ИсламАбдуганиевич).
				s := skeletonSimilarity(joined.skel, other[j].skel)
				same = s >= joinFloor && s > skeletonSimilarity(prep[i].skel, other[j].skel) && s > skeletonSimilarity(prep[i+1].skel, other[j].skel)
			}
			if !same && (joined.hangul || other[j].hangul) {
				// Korean is compared by coarse consonants: 정은 / Jongun.
				s, _ := comparePrepared(&joined, &other[j])
				s1, _ := comparePrepared(&prep[i], &other[j])
				s2, _ := comparePrepared(&prep[i+1], &other[j])
				same = s >= abjadScore && s > s1 && s > s2
			}
			if same {
				t := toks[i]
				t.text = toks[i].text + " " + toks[i+1].text
				toks = slices.Replace(slices.Clone(toks), i, i+2, t)
				prep = slices.Replace(slices.Clone(prep), i, i+2, joined)
				break
			}
		}
	}
	return toks, prep
}

// prepareTokens prepares each word by its role.
func prepareTokens(toks []token) []Prepared {
	out := make([]Prepared, len(toks))
	for i := range toks {
		role := toks[i].role
		if role == Surname {
			role = AnyPart // a word taken for a surname may be a given name written first
		}
		out[i] = toks[i].prep.withPart(role)
	}
	return out
}

// pairWeight is the weight of pairing two words.
func pairWeight(a, b *token, l Level) float64 {
	switch {
	case a.initial || b.initial || l == LevelInitial:
		return weightInitial
	case a.role == Patronymic || b.role == Patronymic:
		return weightPatronymic
	case a.compound || b.compound:
		return weightCompound
	}
	return weightName
}

// particles are the articles and prepositions of names that one writing
// keeps and another drops (al-Assad / Assad, van Gogh / Gogh).
var particles = map[string]bool{
	"al": true, "el": true, "ul": true, "bin": true, "ibn": true, "bint": true,
	"ben": true, "abu": true, "van": true, "von": true, "der": true, "den": true,
	"de": true, "da": true, "di": true, "du": true, "la": true, "le": true,
	"ال": true, "بن": true, "ابن": true, "بنت": true,
}

// missingWeight is the weight of a word the other name lacks.
func missingWeight(t *token) float64 {
	switch {
	case particles[Normalize(t.text)]:
		return missingParticle
	case t.initial && t.role == Given:
		return missingName // an initial still stands for a given name
	case t.initial:
		return missingInitial
	case t.role == Patronymic || t.patr || t.compound || t.clan:
		return missingPatr
	case t.role == Surname:
		return missingSurname
	}
	return missingName
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func round3(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}
