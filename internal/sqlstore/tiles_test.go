package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// C2SP tlog-tiles: "Logs MUST serve partial tiles corresponding to tree
// sizes for which a checkpoint was produced". A client that holds an older
// checkpoint (or an fsck that runs while a new one is made) reads the
// partial tiles of that checkpoint's size; partial tiles of a size no
// checkpoint had are not served, nor anything beyond the latest checkpoint.
func TestPartialTilesOfEveryCheckpoint(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		sc := fixtureScopes(t, db)
		grow := func(n int) int64 {
			t.Helper()
			var nrs []sqlstore.NewRecord
			for i := range n {
				nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: held(fmt.Sprintf("Плитка%d", i))})
			}
			if _, err := db.CreateRecords(ctx, sc["ua-reg"], nrs); err != nil {
				t.Fatal(err)
			}
			cp, err := db.Checkpoint(ctx, l.signer, audit.CheckpointSchedule{}, true)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := audit.PeekCheckpoint(cp)
			return c.Size
		}
		old := grow(3)
		if old%256 == 0 || old > 256 {
			t.Fatalf("the older checkpoint has %d leaves; the test wants a partial tile under 256", old)
		}
		mid := grow(2)
		latest := grow(300)
		if latest < 256+2 || mid%256 == 0 {
			t.Fatalf("sizes %d, %d, %d", old, mid, latest)
		}
		tile := func(l int, n int64, w int) audit.Tile { return audit.Tile{H: audit.TileHeight, L: l, N: n, W: w} }
		for _, tc := range []struct {
			name string
			t    audit.Tile
			ok   bool
		}{
			{"hash tile of the older checkpoint", tile(0, 0, int(old)), true},
			{"entry bundle of the older checkpoint", tile(-1, 0, int(old)), true},
			{"hash tile of the middle checkpoint", tile(0, 0, int(mid)), true},
			{"a size no checkpoint had", tile(0, 0, int(old)+1), old+1 == mid},
			{"the full tile", tile(0, 0, 256), true},
			{"the latest partial", tile(0, 1, int(latest%256)), true},
			{"the latest level-1 partial", tile(1, 0, int(latest/256)), true},
			{"beyond the latest checkpoint", tile(0, 1, int(latest%256)+1), false},
		} {
			b, err := db.Tile(ctx, tc.t)
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s (%s): %v", tc.name, audit.TilePath(tc.t), err)
			case !tc.ok && !errs.Is(errs.NotFound, err):
				t.Errorf("%s (%s): %d bytes, %v; want not found", tc.name, audit.TilePath(tc.t), len(b), err)
			}
		}
		// The older checkpoint's partial tile holds the hashes of its leaves,
		// which is what a client recomputes its root from.
		b, err := db.Tile(ctx, tile(0, 0, int(old)))
		if err != nil {
			t.Fatal(err)
		}
		full, _ := db.Tile(ctx, tile(0, 0, 256))
		if len(b) != int(old)*32 || string(b) != string(full[:old*32]) {
			t.Errorf("the partial tile of %d is not the first %d hashes of the full tile", old, old)
		}
	})
}
