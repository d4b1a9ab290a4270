package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// HashStore reads stored Merkle hashes by their tlog stored-hash index (see
// [StoredHashIndex]). The store implements it over its hash table, inside
// its transaction; it is tlog.HashReader. ReadHashes must return exactly one
// hash per index, in order, or an error.
type HashStore interface {
	ReadHashes(indexes []int64) ([]tlog.Hash, error)
}

// LeafHash returns the RFC 6962 leaf hash of leaf data: SHA-256(0x00 || data).
func LeafHash(data []byte) tlog.Hash { return tlog.RecordHash(data) }

// StoredHashIndex returns the stored-hash index of leaf n's own hash: the
// first of the hashes that [AppendHashes] returns for leaf n.
func StoredHashIndex(n int64) int64 { return tlog.StoredHashIndex(0, n) }

// AppendHashes returns the hashes to store when leaf n (0-based; the log has
// n leaves before it) with the given data is appended: the leaf hash and the
// hash of every complete subtree it closes. The store inserts them at
// consecutive indexes from StoredHashIndex(n). r must hold the hashes of
// leaves 0..n-1.
func AppendHashes(n int64, leafData []byte, r HashStore) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashes(n, leafData, r)
	if err != nil {
		return nil, errs.E("audit.AppendHashes", errs.Internal, fmt.Errorf("leaf %d: %w", n, err))
	}
	return hs, nil
}

// TreeHash returns the RFC 6962 root of the first size leaves.
func TreeHash(size int64, r HashStore) (tlog.Hash, error) {
	h, err := tlog.TreeHash(size, r)
	if err != nil {
		return tlog.Hash{}, errs.E("audit.TreeHash", errs.Internal, fmt.Errorf("size %d: %w", size, err))
	}
	return h, nil
}

// MemoryHashes is a HashStore held in memory, indexed by stored-hash index.
// The audit engine recomputes the tree into one; tests and benchmarks use it
// as a stand-in for the store's table.
type MemoryHashes []tlog.Hash

// ReadHashes implements HashStore.
func (m MemoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d not present (have %d)", x, len(m))
		}
		out[i] = m[x]
	}
	return out, nil
}

// Size returns the number of leaves whose hashes m holds.
func (m MemoryHashes) Size() int64 {
	// StoredHashCount is monotonic; binary search the leaf count.
	lo, hi := int64(0), int64(len(m))
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if tlog.StoredHashCount(mid) <= int64(len(m)) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Append adds leaf data as the next leaf.
func (m *MemoryHashes) Append(data []byte) error {
	hs, err := AppendHashes(m.Size(), data, *m)
	if err != nil {
		return err
	}
	*m = append(*m, hs...)
	return nil
}
