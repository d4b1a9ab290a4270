package match

import (
	"strings"

	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
)

// Record is one person's record as the engine sees it: an id and the raw
// values of the configured fields, in Config.Fields order ("" = missing).
// FullName may hold a whole name ("Ковальчук Олександр Миколайович",
// "KOVALCHUK OLEKSANDR"); it is parsed into the surname, given and
// patronymic fields when all three are empty.
type Record struct {
	ID       string   `json:"id"`
	Values   []string `json:"values"`
	FullName string   `json:"full_name,omitempty"`
}

// NewRecord builds a Record for cfg from a map of field name to value.
func NewRecord(cfg Config, id string, fields map[string]string) Record {
	r := Record{ID: id, Values: make([]string, len(cfg.Fields))}
	for i, f := range cfg.Fields {
		r.Values[i] = fields[f.Name]
	}
	return r
}

// fval is one prepared value. What s and t hold depends on the comparison:
// names and text: normalised and Latin forms; codes: folded form and
// digits; dates: unused (d holds the packed date).
type fval struct {
	s, t string
	keys []uint64 // name keys, hashed
	h    uint64   // hash of t (names)
	d    int32    // packed date
	tf   float32  // relative frequency of the value (TF fields)
}

func (v *fval) missing() bool { return v.s == "" && v.d == 0 }

// prepared is a record made ready for comparison. n holds the prepared
// names of CompareName fields, at the slots comparer.slot gives. Values are
// pointers because equal values are shared between records (prepCache):
// a million records hold a few thousand given names, places and dates. The
// pointed-to values MUST NOT be modified after preparation, except tf,
// which is a function of the value.
type prepared struct {
	v []*fval
	n []*names.Prepared
}

// noValue and noName stand for missing values; they are never written.
var (
	noValue fval
	noName  names.Prepared
)

// prepareValue prepares one raw value of field f; np receives the prepared
// name of a CompareName field.
func prepareValue(f *Field, raw string, np *names.Prepared) fval {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fval{}
	}
	switch f.Compare {
	case CompareName:
		v, p := prepareName(f.Part, raw)
		*np = p
		return v
	case CompareText:
		if f.Part != "" {
			v, _ := prepareName(f.Part, raw)
			return v
		}
		return prepareText(raw)
	case CompareDate:
		d, ok := parseDate(raw)
		if !ok {
			return fval{}
		}
		return fval{d: d.pack()}
	case CompareCode:
		s := person.FoldCode(raw)
		return fval{s: s, t: digitsOf(s)}
	case CompareUnit:
		s := foldUnit(raw)
		return fval{s: s, t: digitsOf(s)}
	case CompareExact:
		return fval{s: strings.ToLower(raw)}
	}
	return fval{}
}

// prepareRecord prepares r for cfg, parsing FullName if needed. slots gives
// each field's place in prepared.n (-1 for fields that are not names). pc
// may be nil.
func prepareRecord(cfg *Config, parts *nameFields, slots []int, nNames int, r *Record, pc *prepCache) prepared {
	p := prepared{v: make([]*fval, len(cfg.Fields))}
	if nNames > 0 {
		p.n = make([]*names.Prepared, nNames)
		for i := range p.n {
			p.n[i] = &noName
		}
	}
	vals := r.Values
	if r.FullName != "" && parts.ok() && parts.empty(vals) {
		vals = parts.fill(vals, r.FullName)
	}
	for i := range cfg.Fields {
		p.v[i] = &noValue
		if i >= len(vals) || strings.TrimSpace(vals[i]) == "" {
			continue
		}
		f := &cfg.Fields[i]
		if pc == nil || f.Compare == CompareCode {
			// Codes are all different: no cache, no name.
			var np names.Prepared
			v := prepareValue(f, vals[i], &np)
			if !v.missing() {
				p.v[i] = &v
				if slots[i] >= 0 {
					p.n[slots[i]] = &np
				}
			}
			continue
		}
		e := pc.get(i, f, vals[i])
		if !e.v.missing() {
			p.v[i] = &e.v
			if slots[i] >= 0 {
				p.n[slots[i]] = &e.np
			}
		}
	}
	return p
}

// nameFields locates the surname, given and patronymic fields of a config.
type nameFields struct{ sur, given, pat int }

func findNameFields(cfg *Config) nameFields {
	n := nameFields{-1, -1, -1}
	for i, f := range cfg.Fields {
		if f.Compare != CompareName {
			continue
		}
		switch f.Part {
		case "surname":
			n.sur = i
		case "given":
			n.given = i
		case "patronymic":
			n.pat = i
		}
	}
	return n
}

func (n nameFields) ok() bool { return n.sur >= 0 || n.given >= 0 }

func (n nameFields) empty(vals []string) bool {
	for _, i := range []int{n.sur, n.given, n.pat} {
		if i >= 0 && i < len(vals) && strings.TrimSpace(vals[i]) != "" {
			return false
		}
	}
	return true
}

func (n nameFields) fill(vals []string, full string) []string {
	out := make([]string, max(len(vals), n.sur+1, n.given+1, n.pat+1))
	copy(out, vals)
	sur, given, pat := parseFullName(full)
	if n.sur >= 0 {
		out[n.sur] = sur
	}
	if n.given >= 0 {
		out[n.given] = given
	}
	if n.pat >= 0 {
		out[n.pat] = pat
	}
	return out
}

// hashString is FNV-1a, 64 bits: deterministic across runs.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func hashMix(h, v uint64) uint64 {
	h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	return h * 0xff51afd7ed558ccd
}

// prepCache remembers prepared values by field and raw value: lists
// repeat the same given names, patronymics, places, dates, units and
// common surnames, and records share the prepared values. One cache per
// goroutine.
type prepCache struct {
	m map[string]*prepEntry
}

type prepEntry struct {
	v  fval
	np names.Prepared
}

func newPrepCache() *prepCache { return &prepCache{m: make(map[string]*prepEntry, 1024)} }

func (c *prepCache) get(field int, f *Field, raw string) *prepEntry {
	var kb [64]byte
	k := append(append(kb[:0], byte(field)), raw...)
	if e, ok := c.m[string(k)]; ok {
		return e
	}
	e := &prepEntry{}
	e.v = prepareValue(f, raw, &e.np)
	if len(c.m) >= maxCache {
		clear(c.m)
	}
	c.m[string(k)] = e
	return e
}
