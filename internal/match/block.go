package match

import (
	"slices"
)

// blocker builds the blocking keys of prepared records: for every rule, the
// cross product of its terms' keys, each hashed with the rule's number.
type blocker struct {
	rules [][]term
	unord []bool
}

type term struct {
	field int
	tr    transform
}

// maxKeysPerRule bounds the cross product of one rule for one record.
const maxKeysPerRule = 16

// maxKeysPerTerm bounds the name keys one term contributes.
const maxKeysPerTerm = 2

func newBlocker(cfg *Config) *blocker {
	b := &blocker{}
	for _, r := range cfg.Blocks {
		var ts []term
		for _, t := range r.On {
			f, tr, _ := cfg.parseTerm(t) // checked by Validate
			ts = append(ts, term{f, tr})
		}
		b.rules = append(b.rules, ts)
		b.unord = append(b.unord, r.Unordered)
	}
	return b
}

// termKeys appends the keys of one term of one record to dst.
func termKeys(dst []uint64, f *Field, v *fval, tr transform) []uint64 {
	if v.missing() {
		return dst
	}
	switch tr {
	case tKey:
		if len(v.keys) > 0 {
			// The first keys (the skeleton's and the dictionary form's)
			// carry almost all agreements; more would multiply the keys of
			// rules that combine names.
			return append(dst, v.keys[:min(len(v.keys), maxKeysPerTerm)]...)
		}
		if f.Compare == CompareDate {
			return append(dst, uint64(v.d))
		}
		return append(dst, hashString(v.s))
	case tExact:
		if f.Compare == CompareDate {
			return append(dst, uint64(v.d))
		}
		return append(dst, hashString(v.s))
	case tYear:
		return append(dst, uint64(unpack(v.d).y))
	case tDate:
		if unpack(v.d).full() {
			return append(dst, uint64(v.d))
		}
		return dst
	case tDigits:
		d := v.t
		if f.Compare != CompareCode && f.Compare != CompareUnit {
			d = digitsOf(v.s)
		}
		if len(d) < 3 {
			return dst
		}
		return append(dst, hashString(d))
	case tInitial:
		if v.t != "" {
			return append(dst, uint64(v.t[0]))
		}
		return dst
	default: // prefix N, of the skeleton for names (the same in every script)
		n := int(tr - tPrefix)
		s := v.s
		if f.Compare == CompareName || len(v.keys) > 0 {
			s = v.t
		}
		i := 0
		for k := range s {
			if i == n {
				s = s[:k]
				break
			}
			i++
		}
		return append(dst, hashString(s))
	}
}

// keys appends to dst the blocking keys of record p under every rule, and
// returns dst and, in ruleOf (parallel to the appended keys), the rule each
// key came from.
func (b *blocker) keys(dst []uint64, ruleOf []uint8, cfg *Config, p *prepared) ([]uint64, []uint8) {
	var scratch [4][maxKeysPerRule]uint64
	for ri, ts := range b.rules {
		acc := []uint64{hashMix(0x5bd1e995, uint64(ri)+1)}
		if b.unord[ri] {
			dst, ruleOf = b.unorderedKeys(dst, ruleOf, cfg, p, ri, acc[0])
			continue
		}
		for ti, t := range ts {
			ks := termKeys(scratch[2][:0], &cfg.Fields[t.field], p.v[t.field], t.tr)
			if len(ks) == 0 {
				acc = nil
				break
			}
			next := scratch[3][:0]
			if ti%2 == 1 {
				next = scratch[1][:0]
			}
			for _, a := range acc {
				for _, k := range ks {
					if len(next) == maxKeysPerRule {
						break
					}
					next = append(next, hashMix(a, k))
				}
			}
			acc = append(scratch[0][:0], next...)
		}
		for _, k := range acc {
			dst = append(dst, k)
			ruleOf = append(ruleOf, uint8(ri))
		}
	}
	return dst, ruleOf
}

// index maps a blocking key to the records that have it: an open-addressing
// table of key → span of ids.
type index struct {
	keys  []uint64
	spans []uint64 // start<<32 | count; 0 = empty slot
	ids   []int32
	shift uint
}

type keyRec struct {
	key uint64
	id  int32
}

func buildIndex(entries []keyRec) *index {
	slices.SortFunc(entries, func(a, b keyRec) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	entries = slices.CompactFunc(entries, func(a, b keyRec) bool { return a == b })
	distinct := 0
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			distinct++
		}
	}
	// Load factor up to 3/4: linear probing stays short, memory stays low.
	size, shift := 16, uint(60)
	for size*3 < 4*distinct {
		size *= 2
		shift--
	}
	ix := &index{keys: make([]uint64, size), spans: make([]uint64, size), ids: make([]int32, len(entries)), shift: shift}
	for i := 0; i < len(entries); {
		j := i
		for j < len(entries) && entries[j].key == entries[i].key {
			ix.ids[j] = entries[j].id
			j++
		}
		ix.put(entries[i].key, uint64(i)<<32|uint64(j-i))
		i = j
	}
	return ix
}

func (ix *index) slot(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> ix.shift) }

func (ix *index) put(k, span uint64) {
	mask := len(ix.keys) - 1
	for s := ix.slot(k); ; s = (s + 1) & mask {
		if ix.spans[s] == 0 {
			ix.keys[s], ix.spans[s] = k, span
			return
		}
	}
}

// get returns the records with key k.
func (ix *index) get(k uint64) []int32 {
	mask := len(ix.keys) - 1
	for s := ix.slot(k); ; s = (s + 1) & mask {
		sp := ix.spans[s]
		if sp == 0 {
			return nil
		}
		if ix.keys[s] == k {
			start, n := sp>>32, sp&0xffffffff
			return ix.ids[start : start+n]
		}
	}
}

// unorderedKeys appends the keys of an unordered rule: for every choice of
// one key per term, the choice's keys sorted and hashed, so that the same
// values under exchanged fields give the same key.
func (b *blocker) unorderedKeys(dst []uint64, ruleOf []uint8, cfg *Config, p *prepared, ri int, seed uint64) ([]uint64, []uint8) {
	ts := b.rules[ri]
	if len(ts) > 4 {
		ts = ts[:4]
	}
	var lists [4][]uint64
	var bufs [4][maxKeysPerRule]uint64
	for i, t := range ts {
		lists[i] = termKeys(bufs[i][:0], &cfg.Fields[t.field], p.v[t.field], t.tr)
		if len(lists[i]) == 0 {
			return dst, ruleOf
		}
	}
	var choice [4]int
	n := 0
	for n < maxKeysPerRule {
		var combo [4]uint64
		for i := range ts {
			combo[i] = lists[i][choice[i]]
		}
		c := combo[:len(ts)]
		slices.Sort(c)
		h := seed
		for _, k := range c {
			h = hashMix(h, k)
		}
		dst = append(dst, h)
		ruleOf = append(ruleOf, uint8(ri))
		n++
		// next choice (odometer)
		i := 0
		for ; i < len(ts); i++ {
			choice[i]++
			if choice[i] < len(lists[i]) {
				break
			}
			choice[i] = 0
		}
		if i == len(ts) {
			break
		}
	}
	return dst, ruleOf
}
