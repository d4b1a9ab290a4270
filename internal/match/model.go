package match

import (
	"math"
	"math/rand/v2"
)

// Model is a fitted Fellegi–Sunter model: for every field and level, the
// probability m of the level among true matches and u among random pairs,
// and the prior probability that a random pair is a match.
type Model struct {
	// Prior is the probability that two records drawn at random, one from
	// each side, are the same person.
	Prior float64 `json:"prior"`
	// PriorWeight is log2(Prior/(1-Prior)), the starting point of every
	// pair's total weight.
	PriorWeight float64 `json:"prior_weight"`
	// Fields are the per-field parameters in Config.Fields order.
	Fields []FieldModel `json:"fields"`
	// Iterations is the number of EM iterations run.
	Iterations int `json:"iterations"`
	// Converged reports whether EM stopped because the parameters settled.
	Converged bool `json:"converged"`
}

// FieldModel holds one field's levels.
type FieldModel struct {
	// Name is the field's name; Levels its levels, best first.
	Name   string       `json:"name"`
	Levels []LevelModel `json:"levels"`
	// TFMean is the mean value frequency (the chance two random records
	// share a value) for TF-adjusted fields; 0 otherwise.
	TFMean float64 `json:"tf_mean,omitempty"`
}

// LevelModel is one comparison level: m, u and the weight log2(m/u).
type LevelModel struct {
	Name   string  `json:"name"`   // level name, as in Comparison.Levels
	M      float64 `json:"m"`      // chance of the level between records of one person
	U      float64 `json:"u"`      // chance of the level between records of two
	Weight float64 `json:"weight"` // log2(M/U), in bits
}

// tfLevel reports whether level l of comparison c is an agreement level to
// which term-frequency adjustment applies.
func tfLevel(c Comparison, l uint8) bool {
	switch c {
	case CompareName:
		return l <= nameEquivalent
	case CompareText:
		return l <= textEquivalent
	case CompareCode, CompareUnit, CompareExact:
		return l == 0
	}
	return false
}

// maxTFAdjust bounds the term-frequency adjustment of a common value, in
// bits (a value most records share says little, but not less than this).
// A rare value is bounded only by the lists themselves: a value seen once
// among T values gets log2(f̄·T) bits, which grows with the lists as the
// evidence of agreeing on it does (a fixed bound there made rare names
// count for less in a list of a million than in one of a hundred
// thousand).
const maxTFAdjust = 6.0

// histogram counts candidate pairs per comparison pattern.
type histogram map[uint64]int64

// estimateU estimates u for every field and level from random pairs,
// compared on all workers.
func (e *engine) estimateU(samples int) [][]float64 {
	nf := len(e.cfg.Fields)
	if len(e.left) == 0 || len(e.right) == 0 {
		samples = 0
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type pair struct{ i, j int32 }
	ps := make([]pair, 0, samples)
	for s := 0; s < samples; s++ {
		i, j := rng.IntN(len(e.left)), rng.IntN(len(e.right))
		if e.self && i == j {
			continue
		}
		ps = append(ps, pair{int32(i), int32(j)})
	}
	type acc struct {
		counts [][]float64
		total  []float64
		sc     *simCache
	}
	accs := make([]acc, e.workers)
	for w := range accs {
		accs[w].counts = make([][]float64, nf)
		for f := range accs[w].counts {
			accs[w].counts[f] = make([]float64, e.cmp.levels[f])
		}
		accs[w].total = make([]float64, nf)
		accs[w].sc = newSimCache()
	}
	e.parallel(len(ps), "estimate", func(w, lo, hi int) {
		a := &accs[w]
		out := make([]uint8, nf)
		for _, p := range ps[lo:hi] {
			e.cmp.compare(&e.left[p.i], &e.right[p.j], &e.lp[p.i], &e.rp[p.j], out, a.sc)
			for f, l := range out {
				if l != missing {
					a.counts[f][l]++
					a.total[f]++
				}
			}
		}
	})
	u := make([][]float64, nf)
	for f := 0; f < nf; f++ {
		_, pu := priorMU(&e.cfg.Fields[f])
		u[f] = make([]float64, e.cmp.levels[f])
		var total float64
		for w := range accs {
			total += accs[w].total[f]
		}
		for l := range u[f] {
			var c float64
			for w := range accs {
				c += accs[w].counts[f][l]
			}
			u[f][l] = (c + priorStrengthU*pu[l]) / (total + priorStrengthU)
		}
	}
	return u
}

// em estimates m (and, as a nuisance, u and the match share among
// candidates) from the pattern histogram of candidate pairs. It returns m,
// the share of matches among candidates, the iterations run and whether it
// converged.
func em(h histogram, levels []int, priorM [][]float64, lambda float64, iters int) ([][]float64, float64, int, bool) {
	nf := len(levels)
	type row struct {
		lv [15]uint8
		n  float64
	}
	rows := make([]row, 0, len(h))
	var total float64
	for p, n := range h {
		var r row
		for f := 0; f < nf; f++ {
			r.lv[f] = uint8(p >> (4 * f) & 15)
		}
		r.n = float64(n)
		rows = append(rows, r)
		total += r.n
	}
	m := make([][]float64, nf)
	u := make([][]float64, nf)
	for f := 0; f < nf; f++ {
		m[f] = append([]float64(nil), priorM[f]...)
		// The candidates' own level shares start u: most candidates are
		// not matches.
		u[f] = make([]float64, levels[f])
		var t float64
		for _, r := range rows {
			if l := r.lv[f]; l != missing {
				u[f][l] += r.n
				t += r.n
			}
		}
		for l := range u[f] {
			u[f][l] = (u[f][l] + 1) / (t + float64(levels[f]))
		}
	}
	lambda = min(max(lambda, 1e-6), 0.5)
	lambda0 := lambda
	mNew := make([][]float64, nf)
	uNew := make([][]float64, nf)
	logM := make([][]float64, nf)
	logU := make([][]float64, nf)
	for f := range mNew {
		mNew[f] = make([]float64, levels[f])
		uNew[f] = make([]float64, levels[f])
		logM[f] = make([]float64, levels[f])
		logU[f] = make([]float64, levels[f])
	}
	it, converged := 0, false
	for it = 1; it <= iters; it++ {
		for f := range mNew {
			clear(mNew[f])
			clear(uNew[f])
		}
		var sumG float64
		for f := 0; f < nf; f++ {
			for l := range m[f] {
				logM[f][l], logU[f][l] = math.Log(m[f][l]), math.Log(u[f][l])
			}
		}
		for _, r := range rows {
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for f := 0; f < nf; f++ {
				if l := r.lv[f]; l != missing {
					lm += logM[f][l]
					lu += logU[f][l]
				}
			}
			g := 1 / (1 + math.Exp(lu-lm))
			sumG += g * r.n
			for f := 0; f < nf; f++ {
				if l := r.lv[f]; l != missing {
					mNew[f][l] += g * r.n
					uNew[f][l] += (1 - g) * r.n
				}
			}
		}
		delta := 0.0
		for f := 0; f < nf; f++ {
			// The prior m acts as a Dirichlet prior (MAP estimate).
			for l := range mNew[f] {
				mNew[f][l] += priorStrengthM * priorM[f][l]
			}
			normalise(mNew[f], 0)
			normalise(uNew[f], 0.01)
			for l := range m[f] {
				delta = max(delta, math.Abs(mNew[f][l]-m[f][l]), math.Abs(uNew[f][l]-u[f][l]))
			}
			copy(m[f], mNew[f])
			copy(u[f], uNew[f])
		}
		// A weak Beta prior around the starting share keeps tiny lists sane.
		newLambda := min(max((sumG+10*lambda0)/(total+10), 1e-9), 0.999)
		delta = max(delta, math.Abs(newLambda-lambda))
		lambda = newLambda
		if delta < 1e-6 {
			converged = true
			break
		}
	}
	return m, lambda, min(it, iters), converged
}

// normalise turns counts into probabilities with a small pseudo-count.
func normalise(p []float64, pseudo float64) {
	var t float64
	for _, x := range p {
		t += x
	}
	t += pseudo * float64(len(p))
	for i := range p {
		p[i] = (p[i] + pseudo) / t
	}
}

// weights holds log2(m/u) per field and level, flattened for scoring.
type weights struct {
	w      [][]float64
	m, u   [][]float64
	prior  float64
	tf     []bool
	tfMean []float64
	comp   []Comparison
}

func newWeights(cfg *Config, m, u [][]float64, prior float64, tfMean []float64) *weights {
	w := &weights{prior: math.Log2(prior / (1 - prior)), tfMean: tfMean, m: m, u: u}
	for f := range cfg.Fields {
		row := make([]float64, len(m[f]))
		for l := range row {
			row[l] = math.Log2(m[f][l] / u[f][l])
		}
		w.w = append(w.w, row)
		w.tf = append(w.tf, cfg.Fields[f].TF)
		w.comp = append(w.comp, cfg.Fields[f].Compare)
	}
	return w
}

// tfAdjust is the term-frequency adjustment for a field at level l.
func (w *weights) tfAdjust(f int, l uint8, a, b *fval) float64 {
	if !w.tf[f] || !tfLevel(w.comp[f], l) || w.tfMean[f] == 0 {
		return 0
	}
	tf := float64(max(a.tf, b.tf))
	if tf <= 0 {
		return 0
	}
	return max(math.Log2(w.tfMean[f]/tf), -maxTFAdjust)
}

// score returns the total weight of a pair with pattern pat.
func (w *weights) score(pat uint64, a, b *prepared) float64 {
	t := w.prior
	for f := range w.w {
		l := uint8(pat >> (4 * f) & 15)
		if l == missing {
			continue
		}
		t += w.w[f][l] + w.tfAdjust(f, l, a.v[f], b.v[f])
	}
	return t
}

// probability turns a total weight (log2 odds) into a probability.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }
