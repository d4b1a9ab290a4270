package audit

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// TileHeight is the height of the C2SP tlog-tiles tiles: 256 hashes or
// entries per full tile.
const TileHeight = 8

// Tile names one C2SP tlog-tiles resource: a hash tile (Level ≥ 0) or an
// entry bundle (Level = -1), number N, with Width entries (1..256; 256 is a
// full tile). It is a tlog.Tile of height [TileHeight].
type Tile = tlog.Tile

// TilePath returns t's path relative to the log's prefix (served under
// /log/): "tile/0/x001/234" or "tile/entries/005.p/17".
func TilePath(t Tile) string {
	level := strconv.Itoa(t.L)
	if t.L == -1 {
		level = "entries"
	}
	p := "tile/" + level + "/" + tileIndexPath(t.N)
	if t.W < 1<<TileHeight {
		p += ".p/" + strconv.Itoa(t.W)
	}
	return p
}

func tileIndexPath(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

// ParseTilePath parses a path made by [TilePath] (without the /log/ prefix).
// It refuses anything else, so the HTTP layer can serve exactly the
// canonical paths.
func ParseTilePath(path string) (Tile, error) {
	bad := errs.Errorf("audit.ParseTilePath", errs.Invalid, "%s is not a tile path", abbrev(path))
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return Tile{}, bad
	}
	levelStr, rest, _ := strings.Cut(rest, "/")
	t := Tile{H: TileHeight, W: 1 << TileHeight}
	if levelStr == "entries" {
		t.L = -1
	} else {
		l, err := strconv.Atoi(levelStr)
		if err != nil || l < 0 || l > 63 || strconv.Itoa(l) != levelStr {
			return Tile{}, bad
		}
		t.L = l
	}
	if i := strings.Index(rest, ".p/"); i >= 0 {
		w, err := strconv.Atoi(rest[i+3:])
		if err != nil || w < 1 || w >= 1<<TileHeight || strconv.Itoa(w) != rest[i+3:] {
			return Tile{}, bad
		}
		t.W, rest = w, rest[:i]
	}
	var n int64
	elems := strings.Split(rest, "/")
	for i, el := range elems {
		if i < len(elems)-1 {
			var ok bool
			if el, ok = strings.CutPrefix(el, "x"); !ok {
				return Tile{}, bad
			}
		}
		d, err := strconv.Atoi(el)
		if len(el) != 3 || err != nil || d < 0 || n > (1<<62)/1000 {
			return Tile{}, bad
		}
		n = n*1000 + int64(d)
	}
	t.N = n
	if TilePath(t) != path {
		return Tile{}, bad
	}
	return t, nil
}

// ReadTileHashes returns the contents of hash tile t (Level ≥ 0) for a log
// whose stored hashes r holds: Width concatenated 32-byte hashes.
func ReadTileHashes(t Tile, r HashStore) ([]byte, error) {
	if t.L < 0 || t.H != TileHeight {
		return nil, errs.E("audit.ReadTileHashes", errs.Invalid, "not a hash tile")
	}
	b, err := tlog.ReadTileData(t, r)
	if err != nil {
		return nil, errs.E("audit.ReadTileHashes", errs.Internal, err)
	}
	return b, nil
}

// EntryRange returns the leaf indexes [start, end) in entry bundle t.
func EntryRange(t Tile) (start, end int64) {
	start = t.N << TileHeight
	return start, start + int64(t.W)
}

// TileSizes says which trees tile t belongs to: a tree of size leaves has
// t if end <= size < hi. A full tile belongs to every tree of at least end
// leaves (hi is the largest int64); a partial tile of width W only to the
// trees whose rightmost tile at t's level has exactly W entries (C2SP
// tlog-tiles: floor(size / 256**level) mod 256 entries).
func TileSizes(t Tile) (end, hi int64) {
	level := t.L
	if level < 0 { // entry bundles are level 0's
		level = 0
	}
	unit := int64(1) << (TileHeight * level) // leaves under one entry of the tile
	end = (t.N<<TileHeight + int64(t.W)) * unit
	if t.W == 1<<TileHeight {
		return end, math.MaxInt64
	}
	return end, end + unit
}

// TileAvailable reports whether tile t belongs to the tree of size leaves:
// full tiles when complete, partial tiles of exactly the current width of
// the rightmost tile. A log serves the partial tiles of every size it
// published a checkpoint for ([TileSizes]).
func TileAvailable(t Tile, size int64) bool {
	end, hi := TileSizes(t)
	return end <= size && size < hi
}

// EntryBundle encodes leaves as a C2SP entry bundle: each leaf as a 2-byte
// big-endian length and its bytes.
func EntryBundle(leaves [][]byte) ([]byte, error) {
	var b []byte
	for i, l := range leaves {
		if len(l) > 0xffff {
			return nil, errs.Errorf("audit.EntryBundle", errs.Invalid, "entry %d is longer than 65535 bytes", i)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(l)))
		b = append(b, l...)
	}
	return b, nil
}

// ParseEntryBundle decodes an entry bundle.
func ParseEntryBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
			return nil, errs.Errorf("audit.ParseEntryBundle", errs.Invalid, "entry %d is truncated", len(out))
		}
		n := int(binary.BigEndian.Uint16(b))
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}
