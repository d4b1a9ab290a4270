package names

import (
	"strings"
	"unicode"
)

// Level says how two name values compare.
type Level uint8

// Levels of agreement, from best to worst.
const (
	LevelExact      Level = iota // the same after normalisation
	LevelEquivalent              // the same name in another script, scheme or UA/RU form
	LevelSimilar                 // close: a spelling variant or a typing error
	LevelInitial                 // an initial agrees with a name (or another initial)
	LevelMissing                 // one side has no value
	LevelDifferent               // not the same name
)

var levelNames = [...]string{
	LevelExact: "exact", LevelEquivalent: "equivalent", LevelSimilar: "similar",
	LevelInitial: "initial", LevelMissing: "missing", LevelDifferent: "different",
}

// String returns the lower-case name of the level, as explanations print it.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "level(?)"
}

// Scores of the fixed levels.
const (
	similarFloor  = 0.85 // a value at or above is LevelSimilar, below is LevelDifferent
	genderScore   = 0.90 // a surname in its other gender's form (Ковальова/Ковальов)
	initialScore  = 0.90 // an initial that agrees with a name
	vowelScore    = 0.86 // the same consonants, other vowels
	abjadScore    = 0.90 // near the same consonants, one side in Arabic or Hebrew script
	abjadSame     = 0.95 // the same coarse consonants, one side in Arabic or Hebrew script
	nicknameScore = 0.88 // a diminutive or nickname and its full name
	maxSkeleton   = 48   // longer skeletons are cut for the edit distances
	maxReadings   = 8    // alternative readings kept per value (see readings)
	maxNicks      = 6    // full names a diminutive is kept for
	noGroup       = -1
	sexMale       = 'M'
	sexFemale     = 'F'
	sexUnknown    = 0
	patronymicMin = 5 // shortest skeleton taken as a patronymic by its ending
)

// Prepared is a name value made ready for many comparisons: its normalised
// form, skeleton, dictionary group and initial classes are computed once by
// Prepare, so SimilarityPrepared allocates nothing. The zero value is an
// empty name.
type Prepared struct {
	part    Part
	norm    string
	skel    string
	fold    string                 // skeleton with a feminine surname ending made masculine
	cons    string                 // consonants of the skeleton
	alt     [maxReadings]*Prepared // other readings (GOST B, German, ьо, French, KMU pairs), where they differ
	abjad   bool                   // written in Arabic or Hebrew script, without short vowels
	hangul  bool                   // written in Korean Hangul
	group   int32
	nick    [maxNicks]int32 // full names this value is a diminutive or nickname of, nnick of them
	nnick   uint8
	ownNick int32 // this value's id as a full name with diminutives, or noGroup
	reading bool  // an alternative reading of another value (alt), not a value of its own
	// forCyrillic marks a reading that only a Cyrillic writing of the name
	// calls for (Vietnamese nh = нь, which Latin writes apart: An, Anh).
	forCyrillic bool
	cyrillic    bool // the value has Cyrillic letters
	inits       uint32
	initial     bool
	sex         byte
}

// Prepare normalises name, a single value of part, for SimilarityPrepared.
// An initial ("Т.", "O", "Yu.") is recognised as one.
func Prepare(part Part, name string) Prepared {
	return prepare(part, name, 0)
}

// prepare is Prepare with an extra reading to try (readVietnamese when the
// full name is Vietnamese), or 0.
func prepare(part Part, name string, extra reading) Prepared {
	n := strings.Trim(Normalize(foldDigits(romanizeOther(name))), " .,-")
	p := Prepared{part: part, norm: n, group: noGroup, ownNick: noGroup}
	if n == "" {
		return p
	}
	if sc := Script(n); sc == ScriptCyrillic || sc == ScriptMixed {
		p.cyrillic = true
	}
	buf := make([]byte, 0, len(n)+8)
	sk := appendSkeleton(buf, n, readCommon)
	p.skel = string(sk)
	// An initial is one letter, or a Latin group that writes one Cyrillic
	// letter, with its dot: Yu., Zh., Shch.
	// A Korean or Chinese character is a syllable, never an initial.
	p.initial = letterCount(n) == 1 && !isSyllabic(n) ||
		strings.HasSuffix(strings.TrimSpace(name), ".") && letterCount(n) <= 4 && len(p.skel) <= 2 && !strings.Contains(n, " ")
	p.inits = initialClasses(n)
	if p.skel == "" {
		return p
	}
	t := lookup()
	if g, ok := t.group[p.skel]; ok {
		p.group = g
		p.inits |= t.inits[g]
	}
	if id, ok := t.own[p.skel]; ok {
		p.ownNick = id
	}
	for _, id := range t.nick[p.skel] {
		if int(p.nnick) < maxNicks {
			p.nick[p.nnick] = id
			p.nnick++
		}
	}
	p.cons = string(consonants(nil, []byte(p.skel)))
	p.hangul = isHangul(n)
	if isAbjad(n) {
		p.abjad = true
		if strings.HasPrefix(p.skel, "al") && len(p.skel) > 4 {
			// The article al- is written joined to the name.
			p.cons = string(consonants(nil, []byte(p.skel[2:])))
		}
	}
	rs, nrs := readings(n)
	if extra != 0 && nrs < maxReadings {
		rs[nrs] = extra
		nrs++
	}
	for k, rd := range rs[:nrs] {
		// Latin x is ks in most spellings but х in GOST 7.79 B (Mixail);
		// cz is ч in Polish but ц in GOST B; ch is х in German and
		// Polish, ш in French; ьо is e as Russian ё, but o by KMU 55.
		// Keep every reading.
		if alt := string(appendSkeleton(nil, n, rd)); alt != p.skel {
			a := Prepared{norm: n, skel: alt, initial: p.initial, inits: p.inits, group: noGroup, ownNick: noGroup, reading: true,
				forCyrillic: rd == readVietnamese}
			if g, ok := t.group[alt]; ok {
				a.group = g
				a.inits |= t.inits[g]
			}
			a.cons = string(consonants(nil, []byte(alt)))
			p.alt[k] = &a
		}
	}
	return p.withPart(part)
}

// withPart returns p prepared as a value of part: the gender fold and the
// sex depend on the part, the rest does not.
func (p Prepared) withPart(part Part) Prepared {
	for k, a := range p.alt {
		if a != nil {
			w := a.withPart(part)
			p.alt[k] = &w
		}
	}
	p.part, p.fold, p.sex = part, p.skel, sexUnknown
	if p.skel == "" {
		return p
	}
	if part == Surname || part == AnyPart {
		if f, ok := foldGender([]byte(p.skel)); ok {
			p.fold = string(f)
			p.sex = sexFemale
		}
	}
	switch part {
	case Given, AnyPart:
		if s := lookup().givenSexOf(p.skel); s != 0 {
			p.sex = s
		} else if part == Given && p.nnick == 0 {
			p.sex = givenSex(p.skel) // not for diminutives: Саша, Дима, Шура are men too
		}
	case Patronymic:
		p.sex = patronymicSex(p.skel)
	}
	return p
}

// Normalized returns the normalised value.
func (p Prepared) Normalized() string { return p.norm }

// Skeleton returns the ASCII skeleton the value is compared by.
func (p Prepared) Skeleton() string { return p.skel }

// IsInitial reports whether the value is an initial: one letter, or a Latin
// group for one Cyrillic letter with its dot (Yu.).
func (p Prepared) IsInitial() bool { return p.initial }

// Empty reports whether the value has nothing to compare.
func (p Prepared) Empty() bool { return p.skel == "" }

// isSyllabic reports whether s has a letter of a script that writes
// syllables or words (Hangul, Chinese, Japanese kana, and the like).
func isSyllabic(s string) bool {
	for _, r := range s {
		if r >= 0x1100 && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// isHangul reports whether s has a Korean syllable.
func isHangul(s string) bool {
	for _, r := range s {
		if r >= 0xac00 && r <= 0xd7a3 {
			return true
		}
	}
	return false
}

// isAbjad reports whether s has a letter of the Arabic or Hebrew script.
func isAbjad(s string) bool {
	for _, r := range s {
		if r >= 0x590 && r <= 0x6ff {
			return true
		}
	}
	return false
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if isWordRune(r) {
			n++
		}
	}
	return n
}

// givenSex guesses the sex of a given name not in the list from its
// ending: a Slavic given name in -a or -я is a woman's.
func givenSex(sk string) byte {
	if strings.HasSuffix(sk, "a") {
		return sexFemale
	}
	return sexUnknown
}

// patronymicSex reads the sex from a patronymic's ending.
func patronymicSex(sk string) byte {
	switch {
	case len(sk) < patronymicMin:
		return sexUnknown
	case strings.HasSuffix(sk, "na"):
		return sexFemale
	case strings.HasSuffix(sk, "Q"):
		return sexMale
	}
	return sexUnknown
}

// SimilarityPrepared is Similarity on prepared values; it does not
// allocate. The part of a decides the rules.
func SimilarityPrepared(a, b Prepared) float64 {
	s, _ := comparePrepared(&a, &b)
	return s
}

// comparePrepared scores a against b and says at which level they agree,
// taking the best of the readings of x, cz, ch, yo and ou.
func comparePrepared(a, b *Prepared) (float64, Level) {
	s, l := compareOne(a, b)
	if s < 1 && (a.alt != [maxReadings]*Prepared{} || b.alt != [maxReadings]*Prepared{}) {
		for i := -1; i < maxReadings; i++ {
			x := a
			if i >= 0 {
				x = a.alt[i]
			}
			for j := -1; j < maxReadings; j++ {
				y := b
				if j >= 0 {
					y = b.alt[j]
				}
				if x == nil || y == nil || (i < 0 && j < 0) || x.forCyrillic && !b.cyrillic || y.forCyrillic && !a.cyrillic {
					continue
				}
				if s2, l2 := compareOne(x, y); s2 > s {
					s, l = s2, l2
				}
			}
		}
	}
	return s, l
}

// compareOne scores one reading of a against one of b.
func compareOne(a, b *Prepared) (float64, Level) {
	if a.skel == "" || b.skel == "" {
		return 0, LevelMissing
	}
	if a.initial || b.initial {
		if a.inits&b.inits != 0 {
			return initialScore, LevelInitial
		}
		return 0, LevelDifferent
	}
	if a.norm == b.norm {
		return 1, LevelExact
	}
	if a.skel == b.skel || (a.group >= 0 && a.group == b.group) {
		return 1, LevelEquivalent
	}
	if a.fold == b.fold && a.fold != "" {
		return genderScore, LevelSimilar
	}
	if a.hangul || b.hangul {
		// Korean romanisations disagree on most letters (Kim/Gim,
		// Jong/Jeong/Chung): compare coarse consonants.
		var ba, bb [maxSkeleton]byte
		ca := coarseConsonants(ba[:0], a.skel[:min(len(a.skel), maxSkeleton/2)])
		cb := coarseConsonants(bb[:0], b.skel[:min(len(b.skel), maxSkeleton/2)])
		s := abjadScore
		if string(ca) != string(cb) {
			s *= skeletonSimilarity(string(ca), string(cb))
		}
		if s >= similarFloor {
			return s, LevelSimilar
		}
		return s, LevelDifferent
	}
	if a.abjad || b.abjad {
		// Arabic and Hebrew write no short vowels, and their letters are
		// rendered in Latin and Cyrillic many ways (ق q, k, g; ذ dh, d, z;
		// ج j, g, дж): compare coarse consonants.
		var ba, bb [maxSkeleton]byte
		ca := coarseAbjad(ba[:0], a.cons)
		cb := coarseAbjad(bb[:0], b.cons)
		s := abjadSame
		if string(ca) != string(cb) {
			s = abjadScore * abjadSimilarity(ca, cb)
		}
		if s >= similarFloor {
			return s, LevelSimilar
		}
		return s, LevelDifferent
	}
	patr := a.part == Patronymic || b.part == Patronymic
	s := partSimilarity(a.skel, b.skel, patr)
	// A variant of one form of a name is a variant of the name: Dimitry
	// is near Dmitriy, which is the Russian form of Dmytro.
	if a.group >= 0 || b.group >= 0 {
		t := lookup()
		if a.group >= 0 {
			s = max(s, bestMember(t.member[a.group], b.skel, patr, s))
		}
		if b.group >= 0 {
			s = max(s, bestMember(t.member[b.group], a.skel, patr, s))
		}
	}
	if a.fold != a.skel || b.fold != b.skel {
		// One is a feminine surname: compare the masculine forms too.
		s = max(s, min(genderScore, skeletonSimilarity(a.fold, b.fold)))
	}
	if s < similarFloor && (a.nnick > 0 || b.nnick > 0) && !a.reading && !b.reading && a.part != Surname && b.part != Surname &&
		a.part != Patronymic && b.part != Patronymic && nicksMeet(a, b) {
		// A diminutive or nickname and its full name: Саша/Олександр, Bill/William.
		s = nicknameScore
	}
	if s < similarFloor && len(a.cons) >= 3 && a.cons == b.cons && a.skel[0] == b.skel[0] {
		// The same consonants in the same order, vowels apart:
		// Mohammed/Muhammad, Usama/Osama… Mykhailo/Mikhail.
		s = vowelScore
	}
	if a.sex != sexUnknown && b.sex != sexUnknown && a.sex != b.sex {
		s = min(s, 0.5) // Олександр / Олександра: not the same person
	}
	if s >= similarFloor {
		return s, LevelSimilar
	}
	return s, LevelDifferent
}

// bestMember is the best similarity of sk to a member of a group, better
// than have, or have. Members whose length alone keeps them under have are
// skipped: the groups of Arabic names hold thirty writings.
func bestMember(members []string, sk string, patr bool, have float64) float64 {
	for _, m := range members {
		if have >= 0.97 {
			break
		}
		d := len(m) - len(sk)
		if d < 0 {
			d = -d
		}
		// At best half an edit per letter of difference in length.
		if bound := 1 - 0.5*float64(d)/float64(max(len(m), len(sk))); 0.35+0.65*bound <= have {
			continue
		}
		have = max(have, partSimilarity(m, sk, patr))
	}
	return have
}

// nicksMeet reports whether a and b stand for one full name as its
// diminutive or nickname (Саша/Олександр, Bill/William).
func nicksMeet(a, b *Prepared) bool {
	for _, x := range a.nick[:a.nnick] {
		if x == b.ownNick || b.group >= 0 && x == b.group {
			return true
		}
	}
	for _, y := range b.nick[:b.nnick] {
		if y == a.ownNick || a.group >= 0 && y == a.group {
			return true
		}
	}
	return false
}

// partSimilarity is skeletonSimilarity, on the stems of two patronymics:
// their shared ending (-ovich, -ivna) would make any two look alike
// (Радіонович/Ларіонович).
// When only one of them has a known ending (a typing error in the other:
// Миколайвич), the whole skeletons are compared.
func partSimilarity(a, b string, patr bool) float64 {
	if patr {
		sa, oka := patronymicStem(a)
		sb, okb := patronymicStem(b)
		if oka && okb {
			a, b = sa, sb
		}
	}
	return skeletonSimilarity(a, b)
}

// patronymicStem cuts a patronymic ending off a skeleton and reports
// whether it found one.
func patronymicStem(sk string) (string, bool) {
	for _, e := range patronymicEndings {
		if len(sk) > len(e)+1 && strings.HasSuffix(sk, e) {
			return sk[:len(sk)-len(e)], true
		}
	}
	return sk, false
}

// skeletonSimilarity is the edit similarity (1 − edit distance / longer
// length) or, when higher, its blend with Jaro–Winkler (0.65/0.35). Jaro–Winkler alone
// rewards a shared start too much for surnames built on one stem
// (Петров/Петренко), and its greedy matching misses an inserted letter
// (Dimitri/Dmitri).
func skeletonSimilarity(a, b string) float64 {
	if len(a) > maxSkeleton {
		a = a[:maxSkeleton]
	}
	if len(b) > maxSkeleton {
		b = b[:maxSkeleton]
	}
	jw := jaroWinkler(a, b)
	n := float64(max(len(a), len(b)))
	lev := float64(levenshtein(a, b))
	// soundDistance costs at least half an edit per plain edit, so when
	// even that could not make the names close, the plain distance says
	// enough (and costs less: most compared names are different names).
	if best := 1 - lev/2/n; max(best, 0.35*jw+0.65*best) < soundNeeded {
		ed := 1 - lev/n
		return max(ed, 0.35*jw+0.65*ed)
	}
	ed := 1 - float64(soundDistance(a, b))/(editUnit*n)
	return max(ed, 0.35*jw+0.65*ed)
}

// soundNeeded is the least similarity for which soundDistance is worth
// computing: below it no decision of the package changes (typoFloor is
// the lowest level that counts).
const soundNeeded = 0.8

// Costs of soundDistance, in tenths of an edit.
const (
	editUnit = 10 // a letter changed, added or dropped; two neighbours swapped
	vowelSub = 5  // one vowel for another: o/u, e/i… (Omar/Umar, Yasser/Ясир)
	vowelGap = 5  // a vowel added or dropped at the end of a word (Muhammadu/Muhammad)
	soundSub = 7  // one consonant for its voiced or voiceless pair (d/t, k/g, b/p, s/z, v/f) or ш/ч, ц/ч
)

// soundKind flags skeleton letters for soundDistance: bit 0 vowels, and
// one bit for each pair of soundPairs, so that two letters
// are alike when their kinds share a pair bit.
var soundKind = func() (t [256]uint16) {
	for _, c := range []byte("aeiou") {
		t[c] |= kindVowel
	}
	for i, pair := range soundPairs {
		t[pair[0]] |= 2 << i
		t[pair[1]] |= 2 << i
	}
	return t
}()

// soundPairs are the consonants that transliterations of one sound tell
// apart: voiced and voiceless pairs (Akhmad/Ахмат, Qaddafi/Gaddafi,
// Ahmadinejad/Ахмадинежад), ш/ч and ц/ч (Чхве/Choe), ц/с (García/Гарсиа:
// Romance c before e and i), ж/з, b/v (Deuba/देउवा), p/f (Indic ph, Persian).
var soundPairs = []string{"dt", "gk", "bp", "sz", "fv", "QS", "CQ", "Cs", "Ss", "Zz", "SZ", "bv", "fp"}

const kindVowel = 1

// soundDistance is the edit distance of two skeletons in tenths of an
// edit, in which vowels and related consonants cost less: transliteration
// of names from scripts that write vowels loosely or not at all (Arabic,
// Persian, Korean, the languages of India) disagrees mostly there. A vowel
// added or dropped costs less only at the end of a word (Muhammadu,
// Sadate, the final a of Hindi names); inside a word it is a full edit, so
// stems with other endings stay apart (Мельник/Мельничук). A swap of
// neighbours is one edit, and a shared start and end are cut first, as in
// levenshtein.
func soundDistance(a, b string) int {
	a, b = a[:min(len(a), maxSkeleton)], b[:min(len(b), maxSkeleton)]
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	atEnd := true // no shared ending was cut: the last letters are the words' last
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
		atEnd = false
	}
	if len(a) == 0 || len(b) == 0 {
		rest := a + b
		if atEnd && len(rest) == 1 && isSkelVowel(rest[0]) {
			return vowelGap
		}
		return editUnit * len(rest)
	}
	var buf0, buf1, buf2 [maxSkeleton + 1]uint16
	la, lb := len(a), len(b)
	prev2, prev, row := buf0[:lb+1], buf1[:lb+1], buf2[:lb+1]
	var kb [maxSkeleton]uint16
	for j := 0; j < lb; j++ {
		kb[j] = soundKind[b[j]]
		prev[j+1] = uint16((j + 1) * editUnit)
	}
	for i := 1; i <= la; i++ {
		x := a[i-1]
		kx := soundKind[x]
		last := atEnd && i == la
		row[0] = uint16(i * editUnit)
		for j := 1; j <= lb; j++ {
			y := b[j-1]
			cost := uint16(0)
			if x != y {
				switch k := kx & kb[j-1]; {
				case k&kindVowel != 0:
					cost = vowelSub
					if i == 1 && j == 1 || last && j == lb {
						cost = soundSub // the first and last sounds tell names apart (Igor/Egor, -ski/-ko)
					}
				case k != 0:
					cost = soundSub
				default:
					cost = editUnit
				}
			}
			del, ins := uint16(editUnit), uint16(editUnit)
			if last && j == lb {
				if kx&kindVowel != 0 {
					del = vowelGap
				}
				if kb[j-1]&kindVowel != 0 {
					ins = vowelGap
				}
			}
			v := min(prev[j]+del, row[j-1]+ins, prev[j-1]+cost)
			if i > 1 && j > 1 && x == b[j-2] && a[i-2] == y && prev2[j-2]+editUnit < v {
				v = prev2[j-2] + editUnit
			}
			row[j] = v
		}
		prev2, prev, row = prev, row, prev2
	}
	return int(prev[lb])
}

// jaroWinkler is the Jaro–Winkler similarity of two short byte strings
// (at most maxSkeleton bytes), with the usual prefix scale 0.1 over at most
// four bytes. Matched positions are kept in bit sets.
func jaroWinkler(a, b string) float64 {
	a, b = a[:min(len(a), maxSkeleton)], b[:min(len(b), maxSkeleton)]
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		c := a[i]
		for j := lo; j < hi; j++ {
			if mb&(1<<j) == 0 && b[j] == c {
				ma |= 1 << i
				mb |= 1 << j
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<j) == 0 {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < 4 && p < la && p < lb && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}

// levenshtein is the edit distance of two short byte strings (at most
// maxSkeleton bytes), counting a swap of neighbouring letters as one edit
// (optimal string alignment). A shared start and end cost nothing and are
// cut first: names that differ differ mostly in the middle or the ending.
func levenshtein(a, b string) int {
	a, b = a[:min(len(a), maxSkeleton)], b[:min(len(b), maxSkeleton)]
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) == 0 || len(b) == 0 {
		return len(a) + len(b)
	}
	var buf0, buf1, buf2 [maxSkeleton + 1]uint8
	prev2, prev, row := buf0[:len(b)+1], buf1[:len(b)+1], buf2[:len(b)+1]
	for j := range prev {
		prev[j] = uint8(j)
	}
	for i := 1; i <= len(a); i++ {
		row[0] = uint8(i)
		for j := 1; j < len(row); j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			row[j] = v
		}
		prev2, prev, row = prev, row, prev2
	}
	return int(prev[len(b)])
}

// coarseAbjad appends the consonants cons in the classes Arabic letters
// are rendered in: g k q as k; d t as t; s z ш ц ж as s; b p f v as p; the
// J of ج, which is j, g or дж, as J.
func coarseAbjad(dst []byte, cons string) []byte {
	for i := 0; i < len(cons) && len(dst) < maxSkeleton; i++ {
		c := cons[i]
		switch c {
		case 'g', 'k':
			c = 'k'
		case 'd', 't':
			c = 't'
			if i+1 < len(cons) && cons[i+1] == 'Z' {
				c = 'J' // дж, dj
				i++
			}
		case 's', 'z', 'S', 'C', 'Z':
			c = 's'
		case 'b', 'p', 'f':
			c = 'p'
		case 'v':
			c = 'w' // و is w in Nawaz, Marwan, and a vowel in Mahmud
		}
		if n := len(dst); n > 0 && dst[n-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// abjadSimilarity is the edit similarity of two coarse consonant strings,
// in which J (ج) matches k (Gamal) and is also easily dropped (Jamal
// read with j as a vowel).
func abjadSimilarity(a, b []byte) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	var buf0, buf1 [maxSkeleton + 1]uint16
	prev, row := buf0[:len(b)+1], buf1[:len(b)+1]
	gap := func(c byte) uint16 {
		if c == 'J' || c == 'w' {
			return vowelGap
		}
		return editUnit
	}
	prev[0] = 0
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + gap(b[j-1])
	}
	for i := 1; i <= len(a); i++ {
		row[0] = prev[0] + gap(a[i-1])
		for j := 1; j <= len(b); j++ {
			x, y := a[i-1], b[j-1]
			cost := uint16(editUnit)
			if x == y || x == 'J' && y == 'k' || y == 'J' && x == 'k' {
				cost = 0
			}
			row[j] = min(prev[j]+gap(x), row[j-1]+gap(y), prev[j-1]+cost)
		}
		prev, row = row, prev
	}
	return max(0, 1-float64(prev[len(b)])/float64(editUnit*max(len(a), len(b))))
}
