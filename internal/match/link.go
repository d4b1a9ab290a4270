package match

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/handover-project/handover/internal/errs"
)

// Pair is one linked pair with its score and explanation.
type Pair struct {
	// LeftID and RightID are the ids of the two records.
	LeftID  string `json:"left_id"`
	RightID string `json:"right_id"`
	// Score is the match probability in 0..1 (see the package doc).
	Score float64 `json:"score"`
	// Weight is the total match weight, log2 of the odds of a match.
	Weight float64 `json:"weight"`
	// Explanation says why (empty with Options.NoExplanations).
	Explanation Explanation `json:"explanation"`
	// Left and Right are the pair's positions in the input slices.
	Left, Right int `json:"-"`
}

// Stats describes the work a run did.
type Stats struct {
	// Left and Right are the numbers of records on each side.
	Left  int `json:"left"`
	Right int `json:"right"`
	// Candidates is the number of distinct pairs blocking produced and the
	// engine compared.
	Candidates int64 `json:"candidates"`
	// RulePairs is the number of pairs each blocking rule produced (a pair
	// produced by two rules counts in both).
	RulePairs map[string]int64 `json:"rule_pairs"`
	// SkippedKeys counts lookups of blocking keys whose block exceeded
	// Config.MaxBlock.
	SkippedKeys int64 `json:"skipped_keys"`
	// Patterns is the number of distinct comparison patterns EM saw.
	Patterns int `json:"patterns"`
	// AboveThreshold counts candidates scoring at least the threshold
	// before one-to-one assignment (or clustering).
	AboveThreshold int `json:"above_threshold"`
}

// Result is the outcome of Link or Dedupe.
type Result struct {
	// Pairs are the reported pairs, best first: one-to-one for Link; for
	// Dedupe, the pairs that joined records into clusters.
	Pairs []Pair `json:"pairs"`
	// Clusters (Dedupe only) gives each record's cluster: the index of
	// the cluster's first record.
	Clusters []int `json:"clusters,omitempty"`
	// Stats counts the work done; Model holds the fitted parameters.
	Stats Stats `json:"stats"`
	Model Model `json:"model"`
}

// Progress, when set in Options, is called from the running goroutine as
// work advances: stage is one of Stages.
type Progress func(stage string, done, total int)

// Stages are the stages a Progress hears, in the order a run reaches them
// (a run without blocking rules has no "block"; Dedupe no "order"): a
// caller that shows them names each (the web UI's runs.stage.* messages).
var Stages = []string{"prepare", "index", "block", "estimate", "score", "order", "explain"}

// Options are the run-time settings that are not part of a configuration.
type Options struct {
	// Progress, if set, is called as work advances.
	Progress Progress
	// Candidates, when true, keeps all scored candidates above the
	// threshold in Result.Pairs instead of the one-to-one assignment.
	Candidates bool
	// NoExplanations leaves Pair.Explanation empty, for callers that only
	// write ids and scores (it saves a comparison per reported pair).
	NoExplanations bool

	fitLeft int // tests: overrides maxFitLeft
}

// Link links two lists: every left record to at most one right record and
// the reverse, keeping pairs whose score is at least cfg.Threshold. It never
// merges anything: the pairs are candidates for a person to decide.
func Link(left, right []Record, cfg Config, opt Options) (Result, error) {
	return run(left, right, cfg, opt, false)
}

// Dedupe finds records of one list that are the same person and groups them
// into clusters (connected pairs scoring at least cfg.Threshold).
func Dedupe(records []Record, cfg Config, opt Options) (Result, error) {
	return run(records, records, cfg, opt, true)
}

type cand struct {
	l, r int32
	pat  uint64
}

type engine struct {
	cfg         *Config
	cmp         *comparer
	left, right []Record
	lp, rp      []prepared
	self        bool
	workers     int
	progress    Progress
	blocker     *blocker
	ix          *index
	caches      []*simCache // one per worker
	apartFields [][]int     // Config.Apart as field indices
	order       []int32     // left records in the order sweeps visit them
	maxBlock    int         // Config.MaxBlock, scaled down for long lists
}

// maxFitLeft is the number of left records whose candidates EM sees; longer
// lists are sampled evenly.
const maxFitLeft = 100_000

func run(left, right []Record, cfg Config, opt Options, self bool) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if len(left) > math.MaxInt32 || len(right) > math.MaxInt32 {
		return Result{}, errs.E("match.Link", errs.Invalid, "too many records")
	}
	e := &engine{cfg: &cfg, cmp: newComparer(&cfg), left: left, right: right, self: self, progress: opt.Progress}
	for _, rule := range cfg.Apart {
		var fs []int
		for _, name := range rule {
			fs = append(fs, cfg.index(name))
		}
		e.apartFields = append(e.apartFields, fs)
	}
	e.maxBlock = scaledMaxBlock(cfg.MaxBlock, len(right))
	e.workers = cfg.Workers
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.progress == nil {
		e.progress = func(string, int, int) {}
	}
	e.lp = e.prepare(left)
	if self {
		e.rp = e.lp
	} else {
		e.rp = e.prepare(right)
	}
	tfMean := e.termFrequencies()

	e.caches = make([]*simCache, e.workers)
	for w := range e.caches {
		e.caches[w] = newSimCache()
	}
	e.buildIndex()

	// Fit on the candidates of all left records, or of every stride-th
	// one for long lists; a full sweep then scores. When the fit saw
	// everything, its candidates are kept and scored directly.
	fit := maxFitLeft
	if opt.fitLeft > 0 {
		fit = opt.fitLeft
	}
	stride := max(1, (len(left)+fit-1)/fit)
	keep := stride == 1
	fitStates := e.sweep(stride, "block", func(st *sweepState, i int, j int32) {
		pat := e.cmp.compare(&e.left[i], &e.right[j], &e.lp[i], &e.rp[j], st.levels, st.sc)
		st.hist[pat]++
		if keep {
			st.cands = append(st.cands, cand{int32(i), j, pat})
		}
	})
	fitStats, hist := e.mergeStats(fitStates)
	// Candidates per left record in the fit, scaled to the whole list.
	estCands := float64(fitStats.Candidates) * float64(len(left)) / float64((len(left)+stride-1)/stride)

	// Estimate: u from random pairs, m from EM on the candidates.
	e.progress("estimate", 0, 1)
	u := e.estimateU(sampleSize(len(left), len(right)))
	lambda0 := float64(min(len(left), len(right))) / max(estCands, 1)
	priorM := make([][]float64, len(cfg.Fields))
	for f := range cfg.Fields {
		priorM[f], _ = priorMU(&cfg.Fields[f])
	}
	m, lambdaCand, iters, conv := em(hist, e.cmp.levels, priorM, lambda0, cfg.Iterations)
	m = e.refine(m, cfg.Labels)
	totalPairs := float64(len(left)) * float64(len(right))
	if self {
		totalPairs = float64(len(left)) * float64(len(left)-1) / 2
	}
	prior := lambdaCand * estCands / max(totalPairs, 1)
	prior = min(max(prior, 1e-12), 0.5)
	w := newWeights(&cfg, m, u, prior, tfMean)
	model := Model{Prior: prior, PriorWeight: w.prior, Iterations: iters, Converged: conv}
	for f, fd := range cfg.Fields {
		fm := FieldModel{Name: fd.Name, TFMean: tfMean[f]}
		for l, name := range fd.Compare.Levels() {
			fm.Levels = append(fm.Levels, LevelModel{Name: name, M: m[f][l], U: u[f][l], Weight: w.w[f][l]})
		}
		model.Fields = append(model.Fields, fm)
	}
	e.progress("estimate", 1, 1)

	// Score.
	minW := math.Log2(cfg.Threshold / (1 - cfg.Threshold))
	if cfg.Threshold <= 0 {
		minW = math.Inf(-1)
	}
	var scored []Pair
	stats := fitStats
	if keep {
		var cands []cand
		for _, s := range fitStates {
			cands = append(cands, s.cands...)
			s.cands = nil
		}
		scored = e.score(cands, w, minW)
	} else {
		bound := e.nameBound(w)
		states := e.sweep(1, "score", func(st *sweepState, i int, j int32) {
			t, ok := e.scoreBounded(i, int(j), st, w, minW, bound)
			if ok {
				st.pairs = append(st.pairs, Pair{Left: i, Right: int(j), Weight: t, Score: probability(t)})
			}
		})
		stats, _ = e.mergeStats(states)
		for _, s := range states {
			scored = append(scored, s.pairs...)
			s.pairs = nil
		}
		sortPairs(scored)
	}
	stats.Left, stats.Right = len(left), len(right)
	stats.Patterns = len(hist)
	stats.AboveThreshold = len(scored)
	res := Result{Stats: stats, Model: model}
	switch {
	case opt.Candidates:
		res.Pairs = scored
	case self:
		res.Pairs, res.Clusters = cluster(scored, len(left))
	default:
		res.Pairs = assign(scored)
	}
	for i := range res.Pairs {
		p := &res.Pairs[i]
		p.LeftID, p.RightID = left[p.Left].ID, right[p.Right].ID
	}
	if !opt.NoExplanations {
		e.parallel(len(res.Pairs), "explain", func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				p := &res.Pairs[i]
				p.Explanation = e.explain(p.Left, p.Right, w)
			}
		})
	}
	return res, nil
}

// minMaxBlock is the least the block cap falls to on long lists.
const minMaxBlock = 250

// scaledMaxBlock is the block cap for a right list of n records: blocks
// grow with the lists while the evidence a common name gives shrinks, so
// past 200,000 right records the cap falls in proportion, to no less than
// minMaxBlock. (It fell to 100 at a million records, and the true pairs
// whose only shared keys were in blocks of 100 to 250 records were lost.)
func scaledMaxBlock(maxBlock, n int) int {
	if n <= 200_000 {
		return maxBlock
	}
	return min(maxBlock, max(minMaxBlock, int(int64(maxBlock)*200_000/int64(n))))
}

func sampleSize(nl, nr int) int {
	n := float64(nl) * float64(nr)
	return int(min(n, 200000))
}

// parallel runs fn over [0,n) in chunks on e.workers goroutines.
func (e *engine) parallel(n int, stage string, fn func(worker, lo, hi int)) {
	const chunk = 2048
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < e.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				hi := min(lo+chunk, n)
				fn(w, lo, hi)
				d := done.Add(int64(hi - lo))
				if w == 0 {
					e.progress(stage, int(d), n)
				}
			}
		}(w)
	}
	wg.Wait()
	e.progress(stage, n, n)
}

func (e *engine) prepare(recs []Record) []prepared {
	out := make([]prepared, len(recs))
	nf := findNameFields(e.cfg)
	caches := make([]*prepCache, e.workers)
	e.parallel(len(recs), "prepare", func(w, lo, hi int) {
		if caches[w] == nil {
			caches[w] = newPrepCache()
		}
		for i := lo; i < hi; i++ {
			out[i] = prepareRecord(e.cfg, &nf, e.cmp.slot, e.cmp.nNames, &recs[i], caches[w])
		}
	})
	return out
}

// termFrequencies sets fval.tf for TF fields over both sides and returns
// each field's mean frequency (the chance two random values agree).
func (e *engine) termFrequencies() []float64 {
	means := make([]float64, len(e.cfg.Fields))
	for f, fd := range e.cfg.Fields {
		if !fd.TF {
			continue
		}
		counts := map[uint64]int32{}
		total := 0
		sides := [][]prepared{e.lp}
		if !e.self {
			sides = append(sides, e.rp)
		}
		for _, side := range sides {
			for i := range side {
				if k, ok := tfKey(side[i].v[f]); ok {
					counts[k]++
					total++
				}
			}
		}
		if total == 0 {
			continue
		}
		var mean float64
		for _, c := range counts {
			p := float64(c) / float64(total)
			mean += p * p
		}
		means[f] = mean
		for _, side := range sides {
			for i := range side {
				if k, ok := tfKey(side[i].v[f]); ok {
					side[i].v[f].tf = float32(float64(counts[k]) / float64(total))
				}
			}
		}
	}
	return means
}

func tfKey(v *fval) (uint64, bool) {
	if v.missing() {
		return 0, false
	}
	if len(v.keys) > 0 {
		return v.keys[0], true
	}
	if v.s != "" {
		return hashString(v.s), true
	}
	return uint64(v.d), true
}

// buildIndex indexes the right side's blocking keys.
func (e *engine) buildIndex() {
	e.blocker = newBlocker(e.cfg)
	nr := len(e.rp)
	parts := make([][]keyRec, (nr+2047)/2048)
	e.parallel(nr, "index", func(_, lo, hi int) {
		var ks []uint64
		var ro []uint8
		var out []keyRec
		for j := lo; j < hi; j++ {
			ks, ro = e.blocker.keys(ks[:0], ro[:0], e.cfg, &e.rp[j])
			for _, k := range ks {
				out = append(out, keyRec{k, int32(j)})
			}
		}
		parts[lo/2048] = out
	})
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	entries := make([]keyRec, 0, n)
	for i, p := range parts {
		entries = append(entries, p...)
		parts[i] = nil
	}
	e.ix = buildIndex(entries)
}

// sweepState is one worker's state during a sweep.
type sweepState struct {
	hist    histogram
	cands   []cand
	pairs   []Pair
	rule    []int64
	skipped int64
	n       int64
	sc      *simCache
	levels  []uint8
}

// sweep looks up the keys of every stride-th left record, compares it with
// each distinct candidate and calls visit with the pattern. It returns the
// per-worker states (visit fills them) with rule counts and candidate
// numbers.
func (e *engine) sweep(stride int, stage string, visit func(st *sweepState, i int, j int32)) []*sweepState {
	states := make([]*sweepState, e.workers)
	for w := range states {
		states[w] = &sweepState{hist: histogram{}, rule: make([]int64, len(e.cfg.Blocks)), sc: e.caches[w], levels: make([]uint8, len(e.cfg.Fields))}
	}
	n := (len(e.lp) + stride - 1) / stride
	if e.order == nil {
		e.order = e.leftOrder()
	}
	e.parallel(n, stage, func(w, lo, hi int) {
		st := states[w]
		var ks []uint64
		var ro []uint8
		var cs []int32
		for pos := lo; pos < hi; pos++ {
			i := int(e.order[pos*stride])
			ks, ro = e.blocker.keys(ks[:0], ro[:0], e.cfg, &e.lp[i])
			cs = cs[:0]
			for n, k := range ks {
				ids := e.ix.get(k)
				if len(ids) > e.maxBlock {
					st.skipped++
					continue
				}
				before := len(cs)
				for _, j := range ids {
					if e.self && int(j) <= i {
						continue
					}
					cs = append(cs, j)
				}
				st.rule[ro[n]] += int64(len(cs) - before)
			}
			if len(cs) == 0 {
				continue
			}
			slices.Sort(cs)
			cs = slices.Compact(cs)
			st.n += int64(len(cs))
			for _, j := range cs {
				visit(st, i, j)
			}
		}
	})
	return states
}

// mergeStats sums the per-worker counts of a sweep.
func (e *engine) mergeStats(states []*sweepState) (Stats, histogram) {
	st := Stats{RulePairs: map[string]int64{}}
	hist := histogram{}
	for _, s := range states {
		for p, c := range s.hist {
			hist[p] += c
		}
		for r, c := range s.rule {
			st.RulePairs[e.cfg.Blocks[r].Name] += c
		}
		st.SkippedKeys += s.skipped
		st.Candidates += s.n
	}
	return st, hist
}

// score weighs every candidate and keeps those of at least minW.
func (e *engine) score(cands []cand, w *weights, minW float64) []Pair {
	outs := make([][]Pair, e.workers)
	e.parallel(len(cands), "score", func(wk, lo, hi int) {
		for _, c := range cands[lo:hi] {
			if e.apart(c.pat) != "" {
				continue
			}
			t := w.score(c.pat, &e.lp[c.l], &e.rp[c.r])
			if t >= minW {
				outs[wk] = append(outs[wk], Pair{Left: int(c.l), Right: int(c.r), Weight: t, Score: probability(t)})
			}
		}
	})
	var all []Pair
	for _, o := range outs {
		all = append(all, o...)
	}
	sortPairs(all)
	return all
}

// sortPairs orders pairs best first, deterministically.
func sortPairs(all []Pair) {
	slices.SortFunc(all, func(a, b Pair) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Left, b.Left); c != 0 {
			return c
		}
		return cmp.Compare(a.Right, b.Right)
	})
}

// assign keeps the best pairs one-to-one: greedy by weight, which on sorted
// scores gives each record its strongest available partner, then one pass
// of repairs: a record left without a partner because its partner went to
// a record that has another free partner takes it back when the two pairs
// together weigh more than the one (L0–R0 alone becomes L0–R1 and L1–R0).
// Long lists have more such conflicts between namesakes.
func assign(sorted []Pair) []Pair {
	const none = -1
	byLeft := map[int][]int{} // left → indexes of its pairs in sorted, best first
	for k, p := range sorted {
		byLeft[p.Left] = append(byLeft[p.Left], k)
	}
	leftOf := map[int]int{} // right → left it is assigned to
	chosen := map[int]int{} // left → index of its pair in sorted
	for k, p := range sorted {
		if _, ok := chosen[p.Left]; ok {
			continue
		}
		if _, ok := leftOf[p.Right]; ok {
			continue
		}
		chosen[p.Left], leftOf[p.Right] = k, p.Left
	}
	for k, p := range sorted {
		if _, ok := chosen[p.Left]; ok {
			continue
		}
		other, ok := leftOf[p.Right]
		if !ok {
			chosen[p.Left], leftOf[p.Right] = k, p.Left
			continue
		}
		// other holds p.Right with weight w; can it move to a free partner?
		cur := sorted[chosen[other]]
		alt := none
		for _, a := range byLeft[other] {
			if _, taken := leftOf[sorted[a].Right]; !taken {
				alt = a
				break
			}
		}
		if alt == none || p.Weight+sorted[alt].Weight <= cur.Weight {
			continue
		}
		chosen[other], leftOf[sorted[alt].Right] = alt, other
		chosen[p.Left], leftOf[p.Right] = k, p.Left
	}
	out := make([]Pair, 0, len(chosen))
	for _, k := range chosen {
		out = append(out, sorted[k])
	}
	sortPairs(out)
	return out
}

// cluster joins records connected by pairs (union–find) and returns the
// joining pairs and each record's cluster (the smallest member index).
func cluster(sorted []Pair, n int) ([]Pair, []int) {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	var out []Pair
	for _, p := range sorted {
		a, b := find(p.Left), find(p.Right)
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		parent[b] = a
		out = append(out, p)
	}
	cl := make([]int, n)
	for i := range cl {
		cl[i] = find(i)
	}
	return out, cl
}

// apart returns the name of the first Config.Apart rule whose fields all
// disagree outright in pattern pat, or "".
func (e *engine) apart(pat uint64) string {
	for r, rule := range e.apartFields {
		all := true
		for _, f := range rule {
			l := uint8(pat >> (4 * f) & 15)
			if l == missing || int(l) != e.cmp.levels[f]-1 {
				all = false
				break
			}
		}
		if all {
			return strings.Join(e.cfg.Apart[r], "+")
		}
	}
	return ""
}

// nameBound is, per name field, the most its level can add to a weight
// (before term-frequency adjustment).
func (e *engine) nameBound(w *weights) []float64 {
	b := make([]float64, len(e.cfg.Fields))
	for f, fd := range e.cfg.Fields {
		if fd.Compare == CompareName {
			b[f] = max(0, slices.Max(w.w[f]))
		}
	}
	return b
}

// scoreBounded weighs pair (i, j) for reporting: it compares the cheap
// fields first and stops when even the best name levels could not lift the
// pair to minW, or when an apart rule already holds. Most candidates of a
// long list end there, before any name similarity is computed.
func (e *engine) scoreBounded(i, j int, st *sweepState, w *weights, minW float64, bound []float64) (float64, bool) {
	ra, rb, a, b := &e.left[i], &e.right[j], &e.lp[i], &e.rp[j]
	out := st.levels
	t := w.prior
	for f, fd := range e.cfg.Fields {
		if fd.Compare == CompareName {
			out[f] = missing
			if !a.v[f].missing() && !b.v[f].missing() {
				// The best the names could do, with this pair's values.
				t += bound[f] + max(0, w.tfAdjust(f, 0, a.v[f], b.v[f]))
			}
			continue
		}
		l := e.cmp.level(f, ra, rb, a, b, st.sc)
		out[f] = l
		if l != missing {
			t += w.w[f][l] + w.tfAdjust(f, l, a.v[f], b.v[f])
		}
	}
	if t < minW || e.apart(pattern(out)) != "" {
		return 0, false
	}
	for f, fd := range e.cfg.Fields {
		if fd.Compare == CompareName {
			out[f] = e.cmp.level(f, ra, rb, a, b, st.sc)
		}
	}
	if e.cmp.swapA >= 0 {
		e.cmp.checkSwap(a, b, out, st.sc)
	}
	t = w.score(pattern(out), a, b)
	return t, t >= minW
}

// leftOrder sorts the left records by their first blocking key, so that a
// sweep visits records with the same name one after another and finds the
// right-side records of their blocks still in the processor's cache.
func (e *engine) leftOrder() []int32 {
	type kv struct {
		k uint64
		i int32
	}
	kvs := make([]kv, len(e.lp))
	e.parallel(len(e.lp), "order", func(_, lo, hi int) {
		var ks []uint64
		var ro []uint8
		for i := lo; i < hi; i++ {
			ks, ro = e.blocker.keys(ks[:0], ro[:0], e.cfg, &e.lp[i])
			k := uint64(math.MaxUint64)
			if len(ks) > 0 {
				k = ks[0]
			}
			kvs[i] = kv{k, int32(i)}
		}
	})
	slices.SortFunc(kvs, func(a, b kv) int {
		if a.k != b.k {
			return cmp.Compare(a.k, b.k)
		}
		return cmp.Compare(a.i, b.i)
	})
	order := make([]int32, len(kvs))
	for i, x := range kvs {
		order[i] = x.i
	}
	return order
}
