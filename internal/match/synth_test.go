package match

import (
	"testing"

	"github.com/handover-project/handover/internal/synth/pairs"
)

// synthRecords turns generated rows into records for cfg.
func synthRecords(cfg Config, rows []pairs.Row) []Record {
	out := make([]Record, len(rows))
	for i, r := range rows {
		vals := map[string]string{}
		for j, v := range r.Values()[1:] {
			vals[pairs.Header[j+1]] = v
		}
		out[i] = NewRecord(cfg, r.ID, vals)
		out[i].FullName = r.FullName
	}
	return out
}

func synthTruth(set pairs.Set) map[string]string {
	t := map[string]string{}
	for _, p := range set.Truth {
		t[p[0]] = p[1]
	}
	return t
}

func TestSynthCrossScript(t *testing.T) {
	n := 4000
	if testing.Short() || raceEnabled {
		n = 1500
	}
	set := pairs.Generate(pairs.Options{N: n, Seed: 42})
	cfg := DefaultConfig()
	left, right := synthRecords(cfg, set.Left), synthRecords(cfg, set.Right)
	res, err := Link(left, right, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	truth := synthTruth(set)
	p, r, f := f1(res.Pairs, truth)
	lost := lostByBlocking(t, left, right, cfg, truth)
	t.Logf("generated %d×%d: %d pairs, precision %.4f recall %.4f F1 %.4f; candidates %d %v, true pairs lost by blocking %d of %d",
		len(left), len(right), len(res.Pairs), p, r, f, res.Stats.Candidates, res.Stats.RulePairs, lost, len(truth))
	if testing.Verbose() {
		byLeft := map[string]Pair{}
		for _, pr := range res.Pairs {
			byLeft[pr.LeftID] = pr
		}
		li := map[string]int{}
		for i, l := range left {
			li[l.ID] = i
		}
		ri := map[string]int{}
		for i, r := range right {
			ri[r.ID] = i
		}
		shown := 0
		for _, pr := range res.Pairs {
			if truth[pr.LeftID] != pr.RightID && shown < 8 {
				shown++
				t.Logf("FALSE %v %v | %v %v\n%s", left[pr.Left].Values, left[pr.Left].FullName, right[pr.Right].Values, right[pr.Right].FullName, pr.Explanation)
			}
		}
		all := map[[2]string]Pair{}
		c0 := cfg
		c0.Threshold = 0
		resAll, _ := Link(left, right, c0, Options{Candidates: true})
		for _, pr := range resAll.Pairs {
			all[[2]string{pr.LeftID, pr.RightID}] = pr
		}
		shown = 0
		for l, r := range truth {
			if pr, ok := byLeft[l]; (!ok || pr.RightID != r) && shown < 30 {
				shown++
				cand, found := all[[2]string{l, r}]
				t.Logf("MISSED %v | %v %q (blocked: %v, taken by %v)\n%s", left[li[l]].Values, right[ri[r]].Values, right[ri[r]].FullName, found, pr.RightID, cand.Explanation.Short())
			}
		}
		for _, fm := range res.Model.Fields {
			t.Logf("%s: %+v", fm.Name, fm.Levels)
		}
		t.Logf("prior %g", res.Model.Prior)
	}
	if f < 0.98 {
		t.Errorf("F1 = %.4f, want ≥ 0.98", f)
	}
}

// TestSynthSampledFit runs the long-list path: EM on a sample of the left
// records, then a bounded scoring sweep. It must find what the full path
// finds.
func TestSynthSampledFit(t *testing.T) {
	set := pairs.Generate(pairs.Options{N: 1500, Seed: 43})
	cfg := DefaultConfig()
	left, right := synthRecords(cfg, set.Left), synthRecords(cfg, set.Right)
	truth := synthTruth(set)
	full, err := Link(left, right, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sampled, err := Link(left, right, cfg, Options{fitLeft: 400})
	if err != nil {
		t.Fatal(err)
	}
	_, _, f1Full := f1(full.Pairs, truth)
	_, _, f1Sampled := f1(sampled.Pairs, truth)
	t.Logf("F1 full %.4f, sampled fit %.4f", f1Full, f1Sampled)
	if f1Sampled < 0.98 || f1Sampled < f1Full-0.01 {
		t.Errorf("sampled-fit F1 %.4f, full %.4f", f1Sampled, f1Full)
	}
}
