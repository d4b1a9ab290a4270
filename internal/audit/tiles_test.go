package audit

import (
	"bytes"
	"testing"
)

func TestTilePath(t *testing.T) {
	tests := []struct {
		tile Tile
		path string
	}{
		{Tile{H: 8, L: 0, N: 0, W: 256}, "tile/0/000"},
		{Tile{H: 8, L: 0, N: 1234067, W: 256}, "tile/0/x001/x234/067"},
		{Tile{H: 8, L: 1, N: 5, W: 17}, "tile/1/005.p/17"},
		{Tile{H: 8, L: -1, N: 1000, W: 256}, "tile/entries/x001/000"},
		{Tile{H: 8, L: -1, N: 3, W: 1}, "tile/entries/003.p/1"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if got := TilePath(tc.tile); got != tc.path {
				t.Errorf("TilePath = %s, want %s", got, tc.path)
			}
			got, err := ParseTilePath(tc.path)
			if err != nil || got != tc.tile {
				t.Errorf("ParseTilePath = %+v, %v; want %+v", got, err, tc.tile)
			}
		})
	}
	for _, bad := range []string{"", "tile/0/1", "tile/0/0001", "tile/0/x001", "tile/0/001/002", "tile/00/000", "tile/-1/000",
		"tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01", "tile/data/000", "tile/8/0/000", "tile/0/x000/001"} {
		if _, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q): no error", bad)
		}
	}
}

func TestTileContents(t *testing.T) {
	l := newTestLog(t)
	l.append(600)
	size := int64(600)
	// Level-0 tile 1 is full: leaf hashes 256..511.
	full := Tile{H: 8, L: 0, N: 1, W: 256}
	if !TileAvailable(full, size) {
		t.Fatal("full tile 1 not available at 600 leaves")
	}
	b, err := ReadTileHashes(full, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 256*32 {
		t.Fatalf("len %d", len(b))
	}
	for i := range 256 {
		if h := LeafHash(l.leaves[256+i]); !bytes.Equal(b[i*32:(i+1)*32], h[:]) {
			t.Fatalf("hash %d differs", i)
		}
	}
	// The partial level-0 tile 2 has 88 hashes; level 1 has 2 complete
	// subtrees of 256 leaves.
	for _, tc := range []struct {
		tile Tile
		ok   bool
	}{
		{Tile{H: 8, L: 0, N: 2, W: 88}, true},
		{Tile{H: 8, L: 0, N: 2, W: 87}, false},
		{Tile{H: 8, L: 0, N: 2, W: 256}, false},
		{Tile{H: 8, L: 1, N: 0, W: 2}, true},
		{Tile{H: 8, L: 1, N: 0, W: 3}, false},
		{Tile{H: 8, L: -1, N: 2, W: 88}, true},
		{Tile{H: 8, L: -1, N: 1, W: 256}, true},
		{Tile{H: 8, L: -1, N: 3, W: 1}, false},
	} {
		if got := TileAvailable(tc.tile, size); got != tc.ok {
			t.Errorf("TileAvailable(%s, 600) = %v, want %v", TilePath(tc.tile), got, tc.ok)
		}
	}
	// A level-1 tile's hashes are the roots of its 256-leaf subtrees.
	b, err = ReadTileHashes(Tile{H: 8, L: 1, N: 0, W: 2}, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	sub := naiveRoot(l.leaves[256:512])
	if !bytes.Equal(b[32:], sub[:]) {
		t.Error("level-1 tile hash 1 is not the root of leaves 256..511")
	}
	start, end := EntryRange(Tile{H: 8, L: -1, N: 2, W: 88})
	bundle, err := EntryBundle(l.leaves[start:end])
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseEntryBundle(bundle)
	if err != nil || len(got) != 88 || !bytes.Equal(got[87], l.leaves[599]) {
		t.Fatalf("entry bundle round trip: %d entries, %v", len(got), err)
	}
	if _, err := ParseEntryBundle(bundle[:len(bundle)-1]); err == nil {
		t.Error("truncated bundle: no error")
	}
	if _, err := EntryBundle([][]byte{make([]byte, 70000)}); err == nil {
		t.Error("oversized entry: no error")
	}
}

// The example of C2SP tlog-tiles: a tree of 70,000 leaves has 273 full
// level-0 tiles, a partial level-0 tile of width 112, one full level-1
// tile, a partial level-1 tile of width 17 and a partial level-2 tile of
// width 1; a tree of 256 a full level-0 tile and a level-1 tile of width 1.
func TestTileSizesSpecExample(t *testing.T) {
	tile := func(l int, n int64, w int) Tile { return Tile{H: TileHeight, L: l, N: n, W: w} }
	for _, tc := range []struct {
		t    Tile
		size int64
		ok   bool
	}{
		{tile(0, 272, 256), 70000, true},
		{tile(0, 273, 112), 70000, true},
		{tile(-1, 273, 112), 70000, true},
		{tile(0, 273, 111), 70000, false},
		{tile(0, 273, 256), 70000, false},
		{tile(1, 0, 256), 70000, true},
		{tile(1, 1, 17), 70000, true},
		{tile(2, 0, 1), 70000, true},
		{tile(2, 0, 2), 70000, false},
		{tile(0, 0, 256), 256, true},
		{tile(1, 0, 1), 256, true},
		{tile(1, 0, 1), 511, true},
		{tile(1, 0, 1), 512, false},
	} {
		if got := TileAvailable(tc.t, tc.size); got != tc.ok {
			t.Errorf("TileAvailable(%s, %d) = %v, want %v", TilePath(tc.t), tc.size, got, tc.ok)
		}
	}
	if end, hi := TileSizes(tile(1, 1, 17)); end != (256+17)*256 || hi != (256+18)*256 {
		t.Errorf("TileSizes(tile/1/001.p/17) = %d, %d", end, hi)
	}
}
