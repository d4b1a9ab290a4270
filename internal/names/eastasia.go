package names

import (
	"bufio"
	"bytes"
	"strings"
	"unicode/utf8"
)

// Chinese and Korean names are compared syllable by syllable. Each
// syllable, whether written in Han characters, Hangul, Hanyu Pinyin,
// Wade–Giles, Revised Romanization, McCune–Reischauer, Palladius or
// Kontsevich Cyrillic or a common older spelling (Park, Lee, Choi), is read
// back to a coarse key that the systems agree on: the class of its first
// consonant (b/p, d/t, g/k, the affricates j/ch/ts/z, s/sh/hs…) and of its
// last (n, ng, l, m, k…), and for Chinese also of its main vowel. Two
// names of one culture that both read as a family name from the list of
// common family names and a given name of one to three syllables are the
// same name when the family syllables and the given syllables, in order,
// agree: Kim Jong Un, Kim Jong-un, 김정은, Ким Чен Ын; Mao Zedong, Mao
// Tse-tung, 毛泽东, Мао Цзэдун. The order of the given syllables is the
// name: Kim Jong Un is not Kim Un Jong, and one syllable of three is not the
// name (Kim Jong Un, Kim Jong Nam are brothers).

// sylKey is the coarse key of one syllable: first consonant class <<8,
// vowel class <<4 (Chinese only), last consonant class.
type sylKey uint16

// Consonant classes of syllable keys.
const (
	clNone uint8 = iota
	clP
	clT
	clK
	clC // affricates: j q z c zh ch, ts, ч, цз
	clS // s sh x hs
	clM
	clH
	clF
	clR // pinyin r, Wade–Giles j, Palladius ж
	clL
	clN
	clG // final ng (Chinese tells it from n)
)

// eaCulture is the syllable table of one culture.
type eaCulture struct {
	chinese  bool
	forms    map[string][]sylKey // Chinese: a syllable as spelled → its keys
	initials map[string][]uint8  // Korean: a spelling of a first consonant → classes
	vowels   map[string]bool     // Korean: spellings of vowels
	finals   map[string][]uint8  // Korean: spellings of a last consonant → classes
	maxForm  int                 // longest spelling in bytes
	surnames map[sylKey]bool
	hangulI  [19]uint8 // Korean: class of each Hangul initial
	hangulF  [28]uint8 // Korean: class of each Hangul final
	pinyin   map[string]sylKey
}

const (
	eaMaxSequences  = 48 // readings kept per word
	eaMaxSyllables  = 4  // syllables per word
	eaMaxGivenSyl   = 3  // syllables of a given name
	eaMinGivenSyl   = 1
	eaMaxNameTokens = 4
)

// eastAsia returns the Chinese and Korean syllable tables, built with the
// other tables (lookup).
func eastAsia() (*eaCulture, *eaCulture) {
	t := lookup()
	return t.zh, t.ko
}

// eaFold is the form syllables are spelled in: normalised, marks dropped
// (ŏ, ü, ê), lower case; Cyrillic soft signs kept (Palladius цзинь is jin,
// цзин is jing).
func eaFold(s string) string {
	return stripMarksAll(Normalize(s))
}

// stripMarksAll drops the diacritics of Latin letters (ŏ → o, ü → u),
// unlike stripMarks, which keeps those the skeleton maps itself.
func stripMarksAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xc0 && r < 0x250 {
			if base, ok := latinBase(r); ok {
				r = base
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func latinBase(r rune) (rune, bool) {
	s := stripMarks(string(r))
	b, _ := utf8.DecodeRuneInString(s)
	if b < utf8.RuneSelf {
		return b, true
	}
	switch r {
	case 'ŏ', 'ǒ', 'ö', 'ô', 'ó', 'ò':
		return 'o', true
	case 'ŭ', 'ü', 'ǔ', 'ǖ', 'ǘ', 'ǚ', 'ǜ', 'ú', 'ù':
		return 'u', true
	case 'ê', 'é', 'è', 'ě':
		return 'e', true
	}
	return r, false
}

func pinyinKey(py string) sylKey {
	var ini uint8
	rest := py
	for _, p := range [...]struct {
		s  string
		cl uint8
	}{{"zh", clC}, {"ch", clC}, {"sh", clS}, {"b", clP}, {"p", clP}, {"d", clT}, {"t", clT}, {"g", clK}, {"k", clK},
		{"h", clH}, {"j", clC}, {"q", clC}, {"z", clC}, {"c", clC}, {"x", clS}, {"s", clS}, {"r", clR}, {"l", clL},
		{"m", clM}, {"n", clN}, {"f", clF}, {"y", clNone}, {"w", clNone}} {
		if strings.HasPrefix(rest, p.s) {
			ini, rest = p.cl, rest[len(p.s):]
			break
		}
	}
	var fin uint8
	switch {
	case strings.HasSuffix(rest, "ng"):
		fin, rest = clG, rest[:len(rest)-2]
	case strings.HasSuffix(rest, "n"):
		fin, rest = clN, rest[:len(rest)-1]
	}
	// The main vowel, the medials i, u, ü aside: a; e and o (Wade–Giles
	// writes pinyin e as o after k, h; ui is uei, iu is iou); i; u.
	var v uint8
	switch {
	case strings.Contains(rest, "a"):
		v = 1
	case strings.Contains(rest, "e"), strings.Contains(rest, "o"), rest == "ui", rest == "iu":
		v = 2
	case rest == "i" || rest == "":
		v = 3
	default:
		v = 4
	}
	return sylKey(uint16(ini)<<8 | uint16(v)<<4 | uint16(fin))
}

func buildChinese() *eaCulture {
	c := &eaCulture{chinese: true, forms: map[string][]sylKey{}, surnames: map[sylKey]bool{}, pinyin: map[string]sylKey{}}
	b, err := dataFS.ReadFile("data/pinyin.tsv")
	if err != nil {
		panic("names: embedded data missing: " + err.Error())
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	header := true
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if header {
			header = false
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			panic("names: data/pinyin.tsv: bad line " + line)
		}
		k := pinyinKey(cols[0])
		c.pinyin[cols[0]] = k
		for _, f := range cols {
			c.addForm(eaFold(f), k)
		}
		// ü is written u, v or yu; a Pinyin syllable's ü-less spelling
		// is in the table already.
		if strings.Contains(cols[0], "ü") {
			c.addForm(strings.ReplaceAll(cols[0], "ü", "v"), k)
		}
	}
	eachLine("data/surnames_east_asian.txt", func(f []string) {
		if f[0] != "zh" {
			return
		}
		for _, s := range f[1:] {
			if k, ok := c.pinyin[strings.ReplaceAll(s, "ü", "u")]; ok {
				c.surnames[k] = true
			} else if k, ok := c.pinyin[s]; ok {
				c.surnames[k] = true
			}
		}
	})
	return c
}

func (c *eaCulture) addForm(f string, k sylKey) {
	if f == "" {
		return
	}
	for _, have := range c.forms[f] {
		if have == k {
			return
		}
	}
	c.forms[f] = append(c.forms[f], k)
	c.maxForm = max(c.maxForm, len(f))
}

// Korean letter classes (vowels are not part of the key).
func koreanClass(place byte, rr string) uint8 {
	if place == 'I' {
		switch rr {
		case "g", "kk", "k":
			return clK
		case "d", "tt", "t":
			return clT
		case "b", "pp", "p":
			return clP
		case "j", "jj", "ch":
			return clC
		case "s", "ss":
			return clS
		case "m":
			return clM
		case "h":
			return clH
		}
		return clNone // ㄴ ㄹ ㅇ: written, dropped or swapped at the start of a name (Roh/Noh, Ri/Lee/I)
	}
	switch rr {
	case "k":
		return clK
	case "t":
		return clT
	case "p":
		return clP
	case "n", "ng":
		return clN // Cyrillic writes both н
	case "l":
		return clL
	case "m":
		return clM
	}
	return clNone
}

func buildKorean() *eaCulture {
	c := &eaCulture{initials: map[string][]uint8{}, vowels: map[string]bool{}, finals: map[string][]uint8{}, surnames: map[sylKey]bool{}}
	add := func(m map[string][]uint8, s string, cl uint8) {
		s = eaFold(s)
		if s == "-" {
			s = ""
		}
		for _, have := range m[s] {
			if have == cl {
				return
			}
		}
		m[s] = append(m[s], cl)
		c.maxForm = max(c.maxForm, len(s))
	}
	b, err := dataFS.ReadFile("data/korean.tsv")
	if err != nil {
		panic("names: embedded data missing: " + err.Error())
	}
	var ni, nf int
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 5 {
			panic("names: data/korean.tsv: bad line " + line)
		}
		var spellings []string
		for _, col := range cols[2:] {
			spellings = append(spellings, strings.Split(col, "|")...)
		}
		switch cols[0] {
		case "I":
			cl := koreanClass('I', cols[2])
			c.hangulI[ni] = cl
			ni++
			for _, s := range spellings {
				add(c.initials, s, cl)
			}
		case "V":
			for _, s := range spellings {
				if s = eaFold(s); s != "" {
					c.vowels[s] = true
					c.maxForm = max(c.maxForm, len(s))
				}
			}
		case "F":
			nf++
			cl := koreanClass('F', cols[2])
			c.hangulF[nf] = cl
			for _, s := range spellings {
				add(c.finals, s, cl)
			}
		}
	}
	c.finals[""] = []uint8{clNone}
	if _, ok := c.initials[""]; !ok {
		c.initials[""] = []uint8{clNone}
	}
	eachLine("data/surnames_east_asian.txt", func(f []string) {
		if f[0] != "ko" {
			return
		}
		for _, s := range f[1:] {
			r, _ := utf8.DecodeRuneInString(s)
			if utf8.RuneCountInString(s) == 1 {
				c.surnames[c.hangulKey(r)] = true
			}
		}
	})
	return c
}

// hangulKey is the key of one Hangul syllable.
func (c *eaCulture) hangulKey(r rune) sylKey {
	i := int(r - 0xac00)
	return sylKey(uint16(c.hangulI[i/588])<<8 | uint16(c.hangulF[i%28]))
}

// familyKeys returns the keys of a word that reads as one syllable of the
// family-name list, or none.
func (c *eaCulture) familyKeys(w string) []sylKey {
	f := eaFold(w)
	if len(f) > 3*c.maxForm || strings.ContainsRune(f, '-') {
		return nil
	}
	var out []sylKey
	c.next(f, 0, func(end int, k sylKey) {
		if end == len(f) && c.surnames[k] {
			out = append(out, k)
		}
	})
	return out
}

// syllables reads word (folded) as syllables of the culture and returns
// every reading's keys, at most eaMaxSequences of them.
func (c *eaCulture) syllables(word string) [][]sylKey {
	var out [][]sylKey
	var cur []sylKey
	var walk func(p int)
	walk = func(p int) {
		if len(out) >= eaMaxSequences {
			return
		}
		if p == len(word) {
			if len(cur) > 0 {
				out = append(out, append([]sylKey(nil), cur...))
			}
			return
		}
		if len(cur) == eaMaxSyllables {
			return
		}
		c.next(word, p, func(end int, k sylKey) {
			cur = append(cur, k)
			walk(end)
			cur = cur[:len(cur)-1]
		})
	}
	walk(0)
	return out
}

// next calls emit for every syllable that starts at p.
func (c *eaCulture) next(word string, p int, emit func(end int, k sylKey)) {
	if c.chinese {
		for l := min(c.maxForm, len(word)-p); l >= 1; l-- {
			for _, k := range c.forms[word[p:p+l]] {
				emit(p+l, k)
			}
		}
		return
	}
	for li := min(c.maxForm, len(word)-p); li >= 0; li-- {
		ics, ok := c.initials[word[p:p+li]]
		if !ok {
			continue
		}
		q := p + li
		for lv := min(c.maxForm, len(word)-q); lv >= 1; lv-- {
			if !c.vowels[word[q:q+lv]] {
				continue
			}
			r := q + lv
			for lf := min(c.maxForm, len(word)-r); lf >= 0; lf-- {
				fcs, ok := c.finals[word[r:r+lf]]
				if !ok {
					continue
				}
				for _, ic := range ics {
					for _, fc := range fcs {
						emit(r+lf, sylKey(uint16(ic)<<8|uint16(fc)))
					}
				}
			}
		}
	}
}

// eaReading is one way to read a name as a family name and a given name.
type eaReading struct {
	family []sylKey   // the family syllable's possible keys
	given  [][]sylKey // the given name's possible key sequences
}

// eaReadings reads a name, given as its words (titles dropped), as a name
// of the culture: the family name first or last, one syllable of the
// family-name list, and a given name of one to three syllables. It
// returns no readings when the name cannot be read so.
func (c *eaCulture) eaReadings(words []string) []eaReading {
	if len(words) == 0 || len(words) > eaMaxNameTokens {
		return nil
	}
	// Native script: Han characters for Chinese, Hangul for Korean.
	joined := strings.Join(words, "")
	if native := c.nativeSyllables(joined); native != nil {
		if len(native) < 2 || len(native) > 1+eaMaxGivenSyl {
			return nil
		}
		if !anySurname(c, native[0]) {
			return nil
		}
		return []eaReading{{family: native[0], given: product(native[1:])}}
	}
	// Romanised: the family name is one syllable, first or last; a name
	// with neither is not read at all (most names are not Chinese or
	// Korean, and reading them costs).
	famFirst, famLast := c.familyKeys(words[0]), []sylKey(nil)
	if len(words) > 1 {
		famLast = c.familyKeys(words[len(words)-1])
	}
	if len(famFirst) == 0 && len(famLast) == 0 {
		return nil
	}
	// Each word (and each part of a hyphenated word) as syllables.
	var parts [][][]sylKey // per word: its readings
	for _, w := range words {
		var seqs [][]sylKey = [][]sylKey{nil}
		for _, piece := range strings.Split(eaFold(w), "-") {
			if piece == "" {
				continue
			}
			r := c.syllables(piece)
			if len(r) == 0 {
				return nil
			}
			seqs = concat(seqs, r)
		}
		parts = append(parts, seqs)
	}
	var out []eaReading
	try := func(fam int) {
		var fk []sylKey
		for _, seq := range parts[fam] {
			if len(seq) == 1 && c.surnames[seq[0]] {
				fk = append(fk, seq[0])
			}
		}
		if len(fk) == 0 {
			return
		}
		given := [][]sylKey{nil}
		for i, p := range parts {
			if i != fam {
				given = concat(given, p)
			}
		}
		var keep [][]sylKey
		for _, g := range given {
			if len(g) >= eaMinGivenSyl && len(g) <= eaMaxGivenSyl {
				keep = append(keep, g)
			}
		}
		if len(keep) > 0 {
			out = append(out, eaReading{family: fk, given: keep})
		}
	}
	if len(words) >= 2 {
		try(0)
		try(len(words) - 1)
	}
	return out
}

func anySurname(c *eaCulture, ks []sylKey) bool {
	for _, k := range ks {
		if c.surnames[k] {
			return true
		}
	}
	return false
}

// nativeSyllables returns the keys of each syllable of s when s is written
// wholly in the culture's own script (Hangul; Han characters read in
// Pinyin), else nil.
func (c *eaCulture) nativeSyllables(s string) [][]sylKey {
	var out [][]sylKey
	for _, r := range s {
		switch {
		case !c.chinese && r >= 0xac00 && r <= 0xd7a3:
			out = append(out, []sylKey{c.hangulKey(r)})
		case c.chinese && isHan(r):
			var ks []sylKey
			for _, py := range hanReadings(r) {
				if k, ok := c.pinyin[py]; ok {
					ks = append(ks, k)
				}
			}
			if len(ks) == 0 {
				return nil
			}
			out = append(out, ks)
		case r == ' ' || r == '-' || r == '·':
		default:
			return nil
		}
	}
	return out
}

func isHan(r rune) bool {
	return r >= 0x4e00 && r <= 0x9fff || r >= 0x3400 && r <= 0x4dbf || r >= 0xf900 && r <= 0xfaff
}

// concat is every sequence of a followed by one of b, at most
// eaMaxSequences of them.
func concat(a, b [][]sylKey) [][]sylKey {
	var out [][]sylKey
	for _, x := range a {
		for _, y := range b {
			if len(out) == eaMaxSequences {
				return out
			}
			out = append(out, append(append([]sylKey(nil), x...), y...))
		}
	}
	return out
}

// product is every choice of one key per syllable.
func product(syls [][]sylKey) [][]sylKey {
	out := [][]sylKey{nil}
	for _, ks := range syls {
		var next [][]sylKey
		for _, seq := range out {
			for _, k := range ks {
				if len(next) < eaMaxSequences {
					next = append(next, append(append([]sylKey(nil), seq...), k))
				}
			}
		}
		out = next
	}
	return out
}

// compareEastAsianShape is compareEastAsian that also reports whether the
// best readings have given names of as many syllables: two names whose
// given names differ in a syllable of the same count are two names, while
// a typing error often breaks the syllables apart.
func compareEastAsianShape(a, b []string) (score float64, sameShape, ok bool) {
	zh, ko := eastAsia()
	best := -1.0
	for _, c := range []*eaCulture{zh, ko} {
		ra := c.eaReadings(a)
		if len(ra) == 0 {
			continue
		}
		rb := c.eaReadings(b)
		if len(rb) == 0 {
			continue
		}
		for _, x := range ra {
			for _, y := range rb {
				best = max(best, scoreReadings(x, y))
				for _, g := range x.given {
					for _, h := range y.given {
						sameShape = sameShape || len(g) == len(h)
					}
				}
			}
		}
	}
	if best < 0 {
		return 0, false, false
	}
	return best, sameShape, true
}

func scoreReadings(x, y eaReading) float64 {
	fam := 0.0
	for _, p := range x.family {
		for _, q := range y.family {
			if p == q {
				fam = 1
			}
		}
	}
	giv := 0.0
	for _, g := range x.given {
		for _, h := range y.given {
			giv = max(giv, givenAgreement(g, h))
		}
	}
	return 0.5*fam + 0.5*giv
}

// givenAgreement is 1 when two given names agree syllable by syllable in
// order, and otherwise the share of syllables that agree in place, halved
// (Jong Un / Jong Nam: 0.25).
func givenAgreement(g, h []sylKey) float64 {
	if len(g) == len(h) {
		same := 0
		for i := range g {
			if g[i] == h[i] {
				same++
			}
		}
		if same == len(g) {
			return 1
		}
		return float64(same) / float64(len(g)) / 2
	}
	return 0
}
