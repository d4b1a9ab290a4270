package audit

import (
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// TestProofsVerifiedIndependently checks every inclusion and consistency
// proof our code makes (with tlog) for logs up to 40 leaves against
// transparency-dev/merkle, and the roots against merkle's hasher.
func TestProofsVerifiedIndependently(t *testing.T) {
	l := newTestLog(t)
	const max = 40
	l.append(max)
	h := rfc6962.DefaultHasher
	for size := int64(1); size <= max; size++ {
		root, err := TreeHash(size, l.tree)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveRoot(l.leaves[:size]); root != want {
			t.Fatalf("size %d: root %x, want %x", size, root, want)
		}
		for i := int64(0); i < size; i++ {
			p, err := ProveInclusion(i, l.leaves[i], size, nil, l.tree)
			if err != nil {
				t.Fatal(err)
			}
			lh := h.HashLeaf(l.leaves[i])
			if err := proof.VerifyInclusion(h, uint64(i), uint64(size), lh, hashSlices(p.Hashes), root[:]); err != nil {
				t.Fatalf("inclusion %d in %d: %v", i, size, err)
			}
		}
		for old := int64(0); old <= size; old++ {
			oldRoot, _ := TreeHash(old, l.tree)
			if old == 0 {
				oldRoot = tlog.Hash(h.EmptyRoot())
			}
			p, err := ProveConsistency(old, size, nil, nil, l.tree)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(h, uint64(old), uint64(size), hashSlices(p.Hashes), oldRoot[:], root[:]); err != nil {
				t.Fatalf("consistency %d→%d: %v", old, size, err)
			}
		}
	}
}

// naiveRoot is RFC 6962 §2.1 MTH written out from the definition.
func naiveRoot(leaves [][]byte) tlog.Hash {
	h := rfc6962.DefaultHasher
	var mth func(d [][]byte) []byte
	mth = func(d [][]byte) []byte {
		if len(d) == 1 {
			return h.HashLeaf(d[0])
		}
		k := 1
		for k*2 < len(d) {
			k *= 2
		}
		return h.HashChildren(mth(d[:k]), mth(d[k:]))
	}
	return tlog.Hash(mth(leaves))
}

func TestMemoryHashes(t *testing.T) {
	var m MemoryHashes
	for i := range 300 {
		if got := m.Size(); got != int64(i) {
			t.Fatalf("Size() = %d, want %d", got, i)
		}
		if err := m.Append([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if got, want := int64(len(m)), StoredHashCount(int64(i+1)); got != want {
			t.Fatalf("after %d leaves: %d hashes, want %d", i+1, got, want)
		}
	}
	if m[StoredHashIndex(5)] != LeafHash([]byte{5}) {
		t.Error("leaf hash 5 not at StoredHashIndex(5)")
	}
	if _, err := m.ReadHashes([]int64{int64(len(m))}); err == nil {
		t.Error("reading beyond the end: no error")
	}
}
