package audit

import (
	"sync"
	"testing"
)

// Run: go test -run '^$' -bench . -benchtime 1x ./internal/audit
// (the million-leaf log is built once, outside the timings).

const millionLeaves = 1_000_000

var (
	millionOnce sync.Once
	million     *testLog
	millionCPs  [][]byte
)

// millionLog returns a log of a million leaves with a checkpoint every
// 100,000 leaves, the last one cosigned by all witnesses.
func millionLog(b *testing.B) (*testLog, [][]byte) {
	millionOnce.Do(func() {
		l := newTestLog(b)
		l.leaves = make([][]byte, 0, millionLeaves)
		l.tree = make(MemoryHashes, 0, 2*millionLeaves+64)
		for i := range millionLeaves {
			data := testLeaf(i).Encode()
			hs, err := AppendHashes(int64(i), data, l.tree)
			if err != nil {
				b.Fatal(err)
			}
			l.tree = append(l.tree, hs...)
			l.leaves = append(l.leaves, data)
			if (i+1)%100_000 == 0 {
				millionCPs = append(millionCPs, l.checkpointAt(int64(i+1)))
			}
		}
		millionCPs[len(millionCPs)-1] = l.cosign(millionCPs[len(millionCPs)-1], "UA-bureau", "RU-bureau", "mediator")
		million = l
	})
	return million, millionCPs
}

func BenchmarkLeafEncode(b *testing.B) {
	l := testLeaf(42)
	b.ReportAllocs()
	for b.Loop() {
		l.Encode()
	}
}

func BenchmarkDecodeLeaf(b *testing.B) {
	data := testLeaf(42).Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeLeaf(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend measures what the store does per leaf inside its
// transaction, minus SQL: encode the leaf and compute the stored hashes,
// reading earlier ones from an in-memory hash store.
func BenchmarkAppend(b *testing.B) {
	tree := make(MemoryHashes, 0, 2*b.N+64)
	leaf := testLeaf(1)
	b.ReportAllocs()
	n := int64(0)
	for b.Loop() {
		hs, err := AppendHashes(n, leaf.Encode(), tree)
		if err != nil {
			b.Fatal(err)
		}
		tree = append(tree, hs...)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "leaves/s")
}

func BenchmarkProveInclusion1M(b *testing.B) {
	l, cps := millionLog(b)
	cp := cps[len(cps)-1]
	i := int64(0)
	for b.Loop() {
		idx := (i * 7919) % millionLeaves
		if _, err := ProveInclusion(idx, l.leaves[idx], millionLeaves, cp, l.tree); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkProveConsistency1M(b *testing.B) {
	l, cps := millionLog(b)
	i := int64(1)
	for b.Loop() {
		old := (i * 7919) % millionLeaves
		if _, err := ProveConsistency(old, millionLeaves, nil, cps[len(cps)-1], l.tree); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkVerifyInclusion1M is the offline verifier's work for one proof:
// signatures, leaf decoding, path (transparency-dev/merkle), policy.
func BenchmarkVerifyInclusion1M(b *testing.B) {
	l, cps := millionLog(b)
	p, err := ProveInclusion(999_999, l.leaves[999_999], millionLeaves, cps[len(cps)-1], l.tree)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Verify(l.keys, allWitnesses); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAudit1M is the full recomputation over a million leaves: decode
// every leaf, recompute and compare every stored hash, check ten signed
// checkpoints and their consistency.
func BenchmarkAudit1M(b *testing.B) {
	l, cps := millionLog(b)
	s := storedState(l, cps...)
	for b.Loop() {
		r, err := Audit(l.keys, AuditInput{Leaves: seq(s.leaves), Hashes: seq(s.hashes), Checkpoints: seq(s.checkpoints)})
		if err != nil {
			b.Fatal(err)
		}
		if !r.OK() || r.Size != millionLeaves {
			b.Fatalf("audit: %d leaves, findings %v", r.Size, r.Findings)
		}
	}
}
