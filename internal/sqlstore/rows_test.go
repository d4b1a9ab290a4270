package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRowsHelpers holds the one way the store reads rows (rows.go) to its
// contract on both databases: every row in order, a walk that stops early
// or fails closes its rows (no connection is left in use), and a cursor
// merges one ordered query into another.
func TestRowsHelpers(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			// 40 leaves and the store's own first ones.
			l := sqltest.BigLog(t, dialect, 40, "rows.test/log")
			db, n := l.DB, int(l.Size)
			want := func(k int) []int64 {
				out := make([]int64, k)
				for i := range out {
					out[i] = int64(i)
				}
				return out
			}
			same := func(t *testing.T, got, want []int64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("got %d indexes %v, want %d", len(got), got, len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("index %d: got %d, want %d", i, got[i], want[i])
					}
				}
			}
			t.Run("streams every row in order", func(t *testing.T) {
				got, inUse, err := db.WalkLeaves(ctx, -1)
				if err != nil {
					t.Fatal(err)
				}
				same(t, got, want(n))
				if inUse != 0 {
					t.Errorf("got %d connections in use after the walk, want 0", inUse)
				}
			})
			t.Run("a consumer that stops closes the rows", func(t *testing.T) {
				got, inUse, err := db.WalkLeaves(ctx, 7)
				if err != nil {
					t.Fatal(err)
				}
				same(t, got, want(7))
				if inUse != 0 {
					t.Errorf("got %d connections in use after stopping, want 0", inUse)
				}
			})
			t.Run("errStop ends a walk without an error", func(t *testing.T) {
				got, inUse, err := db.EachLeafUntil(ctx, 12, -1)
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				same(t, got, want(12))
				if inUse != 0 {
					t.Errorf("got %d connections in use after stopping, want 0", inUse)
				}
			})
			t.Run("the callback's error ends the walk and is returned", func(t *testing.T) {
				got, inUse, err := db.EachLeafUntil(ctx, -1, 5)
				if err == nil || !strings.Contains(err.Error(), "leaf 5: refused") {
					t.Fatalf("got %v, want the callback's error about leaf 5", err)
				}
				same(t, got, want(5))
				if inUse != 0 {
					t.Errorf("got %d connections in use after the error, want 0", inUse)
				}
			})
			t.Run("a cursor merges one ordered query into another", func(t *testing.T) {
				got, err := db.MergeLeaves(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != n {
					t.Fatalf("got %d leaves, want %d", len(got), n)
				}
				// The stored hashes are indexed 0 to about 2n, contiguously:
				// i+1 of them have an index up to i.
				for i, c := range got {
					if c != i+1 {
						t.Fatalf("leaf %d: got %d stored hashes with an index up to %d, want %d", i, c, i, i+1)
					}
				}
			})
		})
	}
}
