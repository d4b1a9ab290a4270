package match

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/handover-project/handover/internal/synth/pairs"
)

// TestScaleLosses says where the true pairs of a generated set are lost:
// blocking (no shared key, or shared keys only in blocks over the cap),
// the threshold (compared but scored below it) or the one-to-one
// assignment (above the threshold, but the record went to another). It is
// a measuring tool for long lists, not a check:
//
//	HANDOVER_SCALE_N=100000 go test -run TestScaleLosses -v ./internal/match
//
// (HANDOVER_SCALE_SEED picks the seed, default 3; HANDOVER_SCALE_WORLD=1
// generates the multinational population).
func TestScaleLosses(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HANDOVER_SCALE_N"))
	if n == 0 {
		t.Skip("set HANDOVER_SCALE_N to measure")
	}
	seed := uint64(3)
	if s, err := strconv.ParseUint(os.Getenv("HANDOVER_SCALE_SEED"), 10, 64); err == nil {
		seed = s
	}
	opt := pairs.Options{N: n, Seed: seed}
	if os.Getenv("HANDOVER_SCALE_WORLD") != "" {
		opt.World = 0.3
	}
	set := pairs.Generate(opt)
	cfg := DefaultConfig()
	left, right := synthRecords(cfg, set.Left), synthRecords(cfg, set.Right)
	truth := synthTruth(set)
	res, err := Link(left, right, cfg, Options{NoExplanations: true})
	if err != nil {
		t.Fatal(err)
	}
	p, r, f := f1(res.Pairs, truth)
	t.Logf("%d × %d: precision %.4f recall %.4f F1 %.4f, candidates %d, skipped keys %d, prior %.3g", len(left), len(right), p, r, f, res.Stats.Candidates, res.Stats.SkippedKeys, res.Model.Prior)
	cand, err := Link(left, right, cfg, Options{NoExplanations: true, Candidates: true})
	if err != nil {
		t.Fatal(err)
	}
	// Calibration: how many of the pairs the model gives 0.1 to 0.5 are true.
	low := cfg
	low.Threshold = 0.1
	lowC, err := Link(left, right, low, Options{NoExplanations: true, Candidates: true})
	if err != nil {
		t.Fatal(err)
	}
	var bandTrue, bandAll int
	for _, pr := range lowC.Pairs {
		if pr.Score < cfg.Threshold {
			bandAll++
			if truth[pr.LeftID] == pr.RightID {
				bandTrue++
			}
		}
	}
	t.Logf("candidates scored 0.1 to 0.5: %d, of which true %d", bandAll, bandTrue)
	got := map[string]string{}
	for _, pr := range res.Pairs {
		got[pr.LeftID] = pr.RightID
	}
	above := map[[2]string]float64{}
	for _, pr := range cand.Pairs {
		above[[2]string{pr.LeftID, pr.RightID}] = pr.Weight
	}

	// Blocking, as run does it.
	e := &engine{cfg: &cfg, cmp: newComparer(&cfg), left: left, right: right, workers: 2, progress: func(string, int, int) {}}
	e.maxBlock = scaledMaxBlock(cfg.MaxBlock, len(right))
	e.lp, e.rp = e.prepare(left), e.prepare(right)
	e.buildIndex()
	li, ri := map[string]int{}, map[string]int{}
	for i := range left {
		li[left[i].ID] = i
	}
	for j := range right {
		ri[right[j].ID] = j
	}
	var noKey, capped, below, assigned int
	var belowW []float64
	levels := make([]uint8, len(cfg.Fields))
	weightOf := func(i, j int) float64 {
		e.cmp.compare(&left[i], &right[j], &e.lp[i], &e.rp[j], levels, nil)
		w := res.Model.PriorWeight
		for f, l := range levels {
			if l != missing {
				w += res.Model.Fields[f].Levels[l].Weight
			}
		}
		return w
	}
	if testing.Verbose() {
		for _, fm := range res.Model.Fields {
			line := fm.Name + ":"
			for _, l := range fm.Levels {
				line += " " + l.Name + "=" + strconv.FormatFloat(l.Weight, 'f', 1, 64)
			}
			t.Log(line)
		}
	}
	for l, rr := range truth {
		if got[l] == rr {
			continue
		}
		if _, ok := above[[2]string{l, rr}]; ok {
			assigned++
			continue
		}
		i, j := li[l], int32(ri[rr])
		ks, _ := e.blocker.keys(nil, nil, e.cfg, &e.lp[i])
		shared, open := false, false
		for _, k := range ks {
			ids := e.ix.get(k)
			if slices.Contains(ids, j) {
				shared = true
				if len(ids) <= e.maxBlock {
					open = true
				}
			}
		}
		switch {
		case !shared:
			noKey++
			if noKey <= 12 && testing.Verbose() {
				t.Logf("no key: %v %q | %v %q", left[i].Values, left[i].FullName, right[j].Values, right[j].FullName)
			}
		case !open:
			capped++
		default:
			below++
			belowW = append(belowW, weightOf(i, int(j)))
			if below <= 12 && testing.Verbose() {
				t.Logf("below: %v %q | %v %q", left[i].Values, left[i].FullName, right[j].Values, right[j].FullName)
			}
		}
	}
	slices.Sort(belowW)
	if len(belowW) > 0 {
		q := func(x float64) float64 { return belowW[int(x*float64(len(belowW)-1))] }
		t.Logf("weights of the pairs below the threshold (without term frequencies): quartiles %.1f %.1f %.1f %.1f %.1f", q(0), q(0.25), q(0.5), q(0.75), q(1))
	}
	t.Logf("true pairs %d, found %d; lost: no shared key %d, only in blocks over the cap (%d) %d, below the threshold %d, to another in the assignment %d",
		len(truth), len(truth)-noKey-capped-below-assigned, noKey, e.maxBlock, capped, below, assigned)
}
