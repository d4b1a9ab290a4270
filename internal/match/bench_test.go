package match

import (
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/synth/pairs"
)

var benchSets sync.Map

// benchRecords returns a generated two-sided set of n left persons, cached
// across benchmarks.
func benchRecords(b *testing.B, n int) (left, right []Record, truth map[string]string) {
	b.Helper()
	type set struct {
		l, r []Record
		t    map[string]string
	}
	if v, ok := benchSets.Load(n); ok {
		s := v.(set)
		return s.l, s.r, s.t
	}
	g := pairs.Generate(pairs.Options{N: n, Seed: 7})
	cfg := DefaultConfig()
	s := set{synthRecords(cfg, g.Left), synthRecords(cfg, g.Right), synthTruth(g)}
	benchSets.Store(n, s)
	return s.l, s.r, s.t
}

func benchLink(b *testing.B, n int) {
	left, right, truth := benchRecords(b, n)
	cfg := DefaultConfig()
	b.ResetTimer()
	var res Result
	for i := 0; i < b.N; i++ {
		var err error
		res, err = Link(left, right, cfg, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_, _, f := f1(res.Pairs, truth)
	b.ReportMetric(f, "F1")
	b.ReportMetric(float64(res.Stats.Candidates), "candidates")
}

// BenchmarkLink10k links 10,000 generated sought records to about 10,000
// held ones, cross-script.
func BenchmarkLink10k(b *testing.B) { benchLink(b, 10_000) }

// BenchmarkLink100k is the 100,000 × 100,000 target (≤ 10 s on 2 cores).
func BenchmarkLink100k(b *testing.B) { benchLink(b, 100_000) }

func benchPrepared(b *testing.B) (*comparer, []Record, []prepared) {
	left, right, _ := benchRecords(b, 10_000)
	cfg := DefaultConfig()
	e := &engine{cfg: &cfg, cmp: newComparer(&cfg), workers: 1, progress: func(string, int, int) {}}
	recs := append(append([]Record(nil), left[:1000]...), right[:1000]...)
	return e.cmp, recs, e.prepare(recs)
}

// BenchmarkCompare measures one record comparison (all fields).
func BenchmarkCompare(b *testing.B) {
	c, recs, ps := benchPrepared(b)
	out := make([]uint8, len(c.cfg.Fields))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, k := i%1000, 1000+(i*7)%1000
		c.compare(&recs[j], &recs[k], &ps[j], &ps[k], out, nil)
	}
}

// BenchmarkPrepare measures preparing one record (normalisation, names,
// keys).
func BenchmarkPrepare(b *testing.B) {
	c, recs, _ := benchPrepared(b)
	nf := findNameFields(c.cfg)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		prepareRecord(c.cfg, &nf, c.slot, c.nNames, &recs[i%len(recs)], nil)
	}
}

// BenchmarkBlockKeys measures building one record's blocking keys under
// every default rule.
func BenchmarkBlockKeys(b *testing.B) {
	c, _, ps := benchPrepared(b)
	bl := newBlocker(c.cfg)
	var ks []uint64
	var ro []uint8
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ks, ro = bl.keys(ks[:0], ro[:0], c.cfg, &ps[i%len(ps)])
	}
}

// BenchmarkScore measures weighing one compared pair.
func BenchmarkScore(b *testing.B) {
	c, recs, ps := benchPrepared(b)
	out := make([]uint8, len(c.cfg.Fields))
	pat := c.compare(&recs[0], &recs[1000], &ps[0], &ps[1000], out, nil)
	m := make([][]float64, len(c.levels))
	u := make([][]float64, len(c.levels))
	for f, n := range c.levels {
		m[f], u[f] = initialM(n), initialM(n)
	}
	w := newWeights(c.cfg, m, u, 1e-5, make([]float64, len(c.levels)))
	b.ResetTimer()
	var t float64
	for i := 0; i < b.N; i++ {
		t += w.score(pat, &ps[0], &ps[1000])
	}
	_ = t
}

// BenchmarkJaroWinkler measures the string similarity on two names.
func BenchmarkJaroWinkler(b *testing.B) {
	for i := 0; i < b.N; i++ {
		jaroWinkler("kovalchuk", "kowaltschuk")
	}
}
