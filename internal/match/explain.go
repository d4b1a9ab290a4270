package match

import (
	"fmt"
	"strings"
)

// Explanation says why a pair scored as it did: the prior, each field's
// level and weight, and the total. Weights are in bits (log2 of likelihood
// ratios); the total weight is the prior plus every field's weight plus
// its term-frequency adjustment, and Probability is 1/(1+2^-Total).
type Explanation struct {
	Prior       float64            `json:"prior"`       // log2 prior odds of a match
	Fields      []FieldExplanation `json:"fields"`      // per field, in Config.Fields order
	Total       float64            `json:"total"`       // Prior plus every field's Weight
	Probability float64            `json:"probability"` // 1/(1+2^-Total)
}

// FieldExplanation is one field's contribution to a pair's weight.
type FieldExplanation struct {
	// Field is the field's name; Left and Right the values compared (the
	// parts of a full name when the record had only that).
	Field string `json:"field"`
	Left  string `json:"left"`
	Right string `json:"right"`
	// Level is the comparison level ("exact", "equivalent", "year", …) or
	// "missing" when either value is empty (weight 0).
	Level string `json:"level"`
	// M and U are the level's parameters (see LevelModel); Weight is the
	// field's contribution in bits, TF included.
	M      float64 `json:"m,omitempty"`
	U      float64 `json:"u,omitempty"`
	Weight float64 `json:"weight"`
	// TF is the term-frequency adjustment included in Weight.
	TF float64 `json:"tf,omitempty"`
}

// String renders the explanation on one line per field, for terminals.
func (x Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %+7.2f\n", "prior", x.Prior)
	for _, f := range x.Fields {
		fmt.Fprintf(&b, "%-16s %+7.2f  %-10s %q ~ %q", f.Field, f.Weight, f.Level, f.Left, f.Right)
		if f.TF != 0 {
			fmt.Fprintf(&b, " (tf %+.2f)", f.TF)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%-16s %+7.2f  probability %.4f\n", "total", x.Total, x.Probability)
	return b.String()
}

// Short renders the field levels and weights compactly:
// "surname=equivalent(+9.1) given_name=exact(+4.2) …".
func (x Explanation) Short() string {
	var b strings.Builder
	for i, f := range x.Fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s(%+.1f)", f.Field, f.Level, f.Weight)
	}
	return b.String()
}

func (e *engine) explain(l, r int, w *weights) Explanation {
	levels := make([]uint8, len(e.cfg.Fields))
	e.cmp.compare(&e.left[l], &e.right[r], &e.lp[l], &e.rp[r], levels, nil)
	x := Explanation{Prior: w.prior, Total: w.prior}
	lv, rv := e.shown(&e.left[l]), e.shown(&e.right[r])
	for f, fd := range e.cfg.Fields {
		fx := FieldExplanation{Field: fd.Name, Left: at(lv, f), Right: at(rv, f)}
		lv := levels[f]
		if lv == missing {
			fx.Level = "missing"
		} else {
			fx.Level = fd.Compare.Levels()[lv]
			fx.TF = w.tfAdjust(f, lv, e.lp[l].v[f], e.rp[r].v[f])
			fx.M, fx.U = w.m[f][lv], w.u[f][lv]
			fx.Weight = w.w[f][lv] + fx.TF
		}
		x.Total += fx.Weight
		x.Fields = append(x.Fields, fx)
	}
	x.Probability = probability(x.Total)
	return x
}

// shown returns the values of r as compared: with the parts of a full
// name filled in.
func (e *engine) shown(r *Record) []string {
	nf := findNameFields(e.cfg)
	if r.FullName != "" && nf.ok() && nf.empty(r.Values) {
		return nf.fill(r.Values, r.FullName)
	}
	return r.Values
}

func at(vals []string, i int) string {
	if i < len(vals) {
		return vals[i]
	}
	return ""
}

// refine blends m with the levels seen among pairs reviewers confirmed.
// Each confirmed pair counts as one observation against a prior strength of
// labelStrength pairs for the EM estimate.
func (e *engine) refine(m [][]float64, labels []Label) [][]float64 {
	if len(labels) == 0 {
		return m
	}
	const labelStrength = 20.0
	li := map[string]int{}
	for i, r := range e.left {
		li[r.ID] = i
	}
	ri := map[string]int{}
	for i, r := range e.right {
		ri[r.ID] = i
	}
	counts := make([][]float64, len(m))
	totals := make([]float64, len(m))
	for f := range m {
		counts[f] = make([]float64, len(m[f]))
	}
	levels := make([]uint8, len(m))
	for _, lb := range labels {
		l, ok1 := li[lb.LeftID]
		r, ok2 := ri[lb.RightID]
		if !ok1 || !ok2 || !lb.Match {
			continue
		}
		e.cmp.compare(&e.left[l], &e.right[r], &e.lp[l], &e.rp[r], levels, nil)
		for f, lv := range levels {
			if lv != missing {
				counts[f][lv]++
				totals[f]++
			}
		}
	}
	out := make([][]float64, len(m))
	for f := range m {
		out[f] = make([]float64, len(m[f]))
		for lv := range m[f] {
			out[f][lv] = (counts[f][lv] + labelStrength*m[f][lv]) / (totals[f] + labelStrength)
		}
	}
	return out
}
