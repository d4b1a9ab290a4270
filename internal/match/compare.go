package match

import "github.com/handover-project/handover/internal/names"

// missing is the level of a comparison where either value is empty. It
// carries weight 0 (no evidence either way).
const missing uint8 = 15

// Levels of CompareName, in the order of Comparison.Levels.
const (
	nameExact uint8 = iota
	nameNormalised
	nameEquivalent
	nameSimilar
	nameClose
	nameInitial
	nameSwapped
	nameDifferent
)

// Levels of CompareDate.
const (
	dateExact uint8 = iota
	datePartial
	dateSwapped
	dateTypo
	dateYear
	dateDifferent
)

// Levels of CompareCode and CompareUnit.
const (
	codeExact uint8 = iota
	codeDigits
	codeTypo
	codeDifferent
)

// Levels of CompareText.
const (
	textExact uint8 = iota
	textEquivalent
	textSimilar
	textClose
	textDifferent
)

// comparer compares prepared records field by field.
type comparer struct {
	cfg    *Config
	slot   []int // per field, its place in prepared.n or -1
	nNames int
	swapA  int // -1 when swaps are not considered
	swapB  int
	levels []int // number of levels per field
}

func newComparer(cfg *Config) *comparer {
	c := &comparer{cfg: cfg, swapA: -1, swapB: -1}
	if len(cfg.Swap) == 2 {
		c.swapA, c.swapB = cfg.index(cfg.Swap[0]), cfg.index(cfg.Swap[1])
	}
	for _, f := range cfg.Fields {
		c.levels = append(c.levels, len(f.Compare.Levels()))
		if f.Compare == CompareName {
			c.slot = append(c.slot, c.nNames)
			c.nNames++
		} else {
			c.slot = append(c.slot, -1)
		}
	}
	return c
}

// compare fills out with the level of each field for records a and b (ra and
// rb are their raw forms) and returns the pattern: 4 bits per field.
func (c *comparer) compare(ra, rb *Record, a, b *prepared, out []uint8, sc *simCache) uint64 {
	for i := range c.cfg.Fields {
		out[i] = c.level(i, ra, rb, a, b, sc)
	}
	if c.swapA >= 0 {
		c.checkSwap(a, b, out, sc)
	}
	return pattern(out)
}

// pattern packs levels, 4 bits per field.
func pattern(out []uint8) uint64 {
	var pat uint64
	for i, l := range out {
		pat |= uint64(l) << (4 * i)
	}
	return pat
}

// level compares field i of two records.
func (c *comparer) level(i int, ra, rb *Record, a, b *prepared, sc *simCache) uint8 {
	f := &c.cfg.Fields[i]
	va, vb := a.v[i], b.v[i]
	if va.missing() || vb.missing() {
		return missing
	}
	switch f.Compare {
	case CompareName:
		s := c.slot[i]
		return compareName(f, rawAt(ra, i), rawAt(rb, i), va, vb, a.n[s], b.n[s], sc, s, s)
	case CompareText:
		return compareText(f, va, vb)
	case CompareDate:
		return compareDate(va.d, vb.d)
	case CompareCode, CompareUnit:
		return compareCode(va, vb)
	case CompareExact:
		if va.s == vb.s {
			return 0
		}
		return 1
	}
	return missing
}

func (c *comparer) checkSwap(a, b *prepared, out []uint8, sc *simCache) {
	i, j := c.swapA, c.swapB
	if out[i] == missing || out[j] == missing || out[i] < nameSimilar || out[j] < nameSimilar {
		return
	}
	fi, fj := &c.cfg.Fields[i], &c.cfg.Fields[j]
	si, sj := c.slot[i], c.slot[j]
	if a.v[i].missing() || b.v[j].missing() || a.v[j].missing() || b.v[i].missing() {
		return
	}
	// Exchanged names start with the same sounds crosswise, or share a
	// name key (Олександр/Aleksandr start apart but are one name); this
	// cheap test spares two similarities on most pairs.
	if !mayBeSame(a.v[i], b.v[j]) || !mayBeSame(a.v[j], b.v[i]) {
		return
	}
	x := compareName(fi, "", "", a.v[i], b.v[j], a.n[si], b.n[sj], sc, si, sj)
	y := compareName(fj, "", "", a.v[j], b.v[i], a.n[sj], b.n[si], sc, sj, si)
	if x <= nameClose && y <= nameClose && min(x, y) <= nameSimilar && (x < out[i] || y < out[j]) {
		out[i], out[j] = nameSwapped, nameSwapped
	}
}

// mayBeSame is the cheap test of checkSwap: the same first skeleton
// letter or a shared name key.
func mayBeSame(x, y *fval) bool {
	return x.t[0] == y.t[0] || keysMeet(x.keys, y.keys)
}

func rawAt(r *Record, i int) string {
	if i < len(r.Values) {
		return r.Values[i]
	}
	return ""
}

func keysMeet(a, b []uint64) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func compareName(f *Field, rawA, rawB string, a, b *fval, na, nb *names.Prepared, sc *simCache, sa, sb int) uint8 {
	switch {
	case rawA != "" && rawA == rawB:
		return nameExact
	case a.s == b.s:
		return nameNormalised
	}
	var jw float64
	if sc != nil && f.Part != "surname" {
		jw = sc.similarity(na, nb, a.h, b.h, sa, sb)
	} else {
		jw = nameSimilarity(na, nb)
	}
	if na.IsInitial() || nb.IsInitial() {
		if jw > 0 {
			return nameInitial
		}
		return nameDifferent
	}
	switch {
	case jw >= 1:
		return nameEquivalent
	case jw >= f.Thresholds[0]:
		return nameSimilar
	case jw >= f.Thresholds[1]:
		return nameClose
	}
	return nameDifferent
}

func compareText(f *Field, a, b *fval) uint8 {
	switch {
	case a.s == b.s:
		return textExact
	case a.t == b.t || keysMeet(a.keys, b.keys):
		return textEquivalent
	}
	jw := jaroWinkler(a.t, b.t)
	switch {
	case jw >= f.Thresholds[0]:
		return textSimilar
	case jw >= f.Thresholds[1]:
		return textClose
	}
	return textDifferent
}

func compareDate(pa, pb int32) uint8 {
	if pa == pb && unpack(pa).full() {
		return dateExact
	}
	a, b := unpack(pa), unpack(pb)
	if a.full() && b.full() {
		if a.y == b.y && a.d == b.m && a.m == b.d {
			return dateSwapped
		}
		var da, db [8]byte
		dateDigits(a, &da)
		dateDigits(b, &db)
		if withinOneEdit(string(da[:]), string(db[:])) {
			return dateTypo
		}
		if a.y == b.y {
			return dateYear
		}
		return dateDifferent
	}
	if a.y != b.y {
		// A partial date with one digit of the year off.
		if (a.m == 0 || b.m == 0 || a.m == b.m) && oneDigitOff(int(a.y), int(b.y)) {
			return dateTypo
		}
		return dateDifferent
	}
	if a.m == 0 || b.m == 0 || (a.m == b.m && (a.d == 0 || b.d == 0)) {
		return datePartial
	}
	return dateYear
}

// oneDigitOff reports whether two four-digit years differ in one digit.
func oneDigitOff(a, b int) bool {
	diff := 0
	for i := 0; i < 4; i++ {
		if a%10 != b%10 {
			diff++
		}
		a, b = a/10, b/10
	}
	return diff == 1
}

func compareCode(a, b *fval) uint8 {
	switch {
	case a.s == b.s:
		return codeExact
	case len(a.t) >= 3 && a.t == b.t:
		return codeDigits
	case len(a.s) >= 4 && withinOneEdit(a.s, b.s), len(a.t) >= 4 && withinOneEdit(a.t, b.t):
		return codeTypo
	}
	return codeDifferent
}

// simCache remembers name similarities by the pair of skeletons: lists
// repeat the same given names, patronymics and surnames, and the
// similarity of two skeletons is the costliest step of a comparison. One
// cache per goroutine.
type simCache struct {
	m map[uint64]float32
}

// maxCache bounds a cache; a full cache is emptied and refilled.
const maxCache = 1 << 20

func newSimCache() *simCache { return &simCache{m: make(map[uint64]float32, 1024)} }

func (c *simCache) similarity(a, b *names.Prepared, ha, hb uint64, sa, sb int) float64 {
	k := hashMix(hashMix(uint64(sa)<<8|uint64(sb), ha), hb)
	if v, ok := c.m[k]; ok {
		return float64(v)
	}
	v := nameSimilarity(a, b)
	if len(c.m) >= maxCache {
		clear(c.m)
	}
	c.m[k] = float32(v)
	return v
}
