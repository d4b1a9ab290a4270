package sqltest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Log is a store whose log has many leaves written directly (not through
// records: the record replay is measured by the tests at small size), with
// checkpoints at half and full size: for the benchmarks of the log, the
// server's tiles and their verifiers.
type Log struct {
	DB     *sqlstore.DB
	Keys   *audit.Keys
	Signer *sqlstore.Signer
	VKey   string // the log's verifier key
	Size   int64  // leaves, the checkpoints' own included
	Half   int64  // size of the first checkpoint
	Last   int64  // size of the second
}

// BigLogSize is the size of the big log of the benchmarks: HANDOVER_BENCH_LOG_LEAVES,
// or 1,000,000.
func BigLogSize(b testing.TB) int64 {
	if v := os.Getenv("HANDOVER_BENCH_LOG_LEAVES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 2 {
			b.Fatalf("HANDOVER_BENCH_LOG_LEAVES=%q: want a number ≥ 2", v)
		}
		return n
	}
	return 1_000_000
}

// BigLog builds a log of n leaves named origin on a fresh store of the
// dialect: filler leaves (AppendFiller) with a checkpoint after the first
// half and one after all n, each recorded by the store in a leaf of its own.
func BigLog(b testing.TB, dialect string, n int64, origin string) *Log {
	b.Helper()
	ctx := context.Background()
	dsn := DSN(b, dialect)
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: Key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	skey, vkey, err := audit.GenerateKey(origin)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := audit.NewKeys(origin, vkey)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, part := range []int64{n / 2, n - n/2} {
		AppendFiller(b, dialect, dsn, part)
		if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: built a log of %d leaves in %s", dialect, n, time.Since(start).Round(time.Millisecond))
	return &Log{DB: db, Keys: keys, Signer: signer, VKey: vkey, Size: n + 2, Half: n / 2, Last: n + 1}
}

// AppendFiller appends n filler leaves to the log of the store at dsn (of
// the dialect), after the leaves it holds, and returns the log's new size:
// canonical leaves of a type the replay skips (it pairs no rows with them),
// their stored hashes computed as the store would from the ones it holds,
// inserted 1,000 rows a statement straight into the log tables. Nothing
// else may append to the log while it runs.
func AppendFiller(b testing.TB, dialect, dsn string, n int64) int64 {
	b.Helper()
	ctx := context.Background()
	driver, rawDSN := "pgx", dsn
	if dialect == "sqlite" {
		driver, rawDSN = "sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	hashes := storedHashes(b, raw)
	t0 := time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)
	const chunk = 1000
	var leaves [][]byte
	insert := func(table, column string, first int64, rows [][]byte) {
		b.Helper()
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (idx, " + column + ") VALUES ")
		args := make([]any, 0, 2*len(rows))
		for i, r := range rows {
			if i > 0 {
				q.WriteString(",")
			}
			if dialect == "postgres" {
				fmt.Fprintf(&q, "($%d,$%d)", 2*i+1, 2*i+2)
			} else {
				q.WriteString("(?,?)")
			}
			args = append(args, first+int64(i), r)
		}
		if _, err := raw.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatalf("insert into %s: %v", table, err)
		}
	}
	flush := func() {
		b.Helper()
		if len(leaves) == 0 {
			return
		}
		first := hashes.Size() - int64(len(leaves))
		insert("log_leaves", "data", first, leaves)
		lo, hi := audit.StoredHashIndex(first), tlog.StoredHashCount(hashes.Size())
		for i := lo; i < hi; i += chunk {
			var rows [][]byte
			for j := i; j < min(hi, i+chunk); j++ {
				rows = append(rows, hashes[j][:])
			}
			insert("log_hashes", "hash", i, rows)
		}
		leaves = leaves[:0]
	}
	for range n {
		i := hashes.Size()
		var c audit.Digest
		binary.BigEndian.PutUint64(c[:], uint64(i))
		c = sha256.Sum256(c[:])
		leaf := audit.Leaf{Type: "bench.filler", Actor: "user:1", Time: t0.Add(time.Duration(i) * time.Second),
			Exchange: "ex:1", Subject: "match:" + strconv.FormatInt(i, 10), Rev: 1, Commitment: c}
		data := leaf.Encode()
		if err := hashes.Append(data); err != nil {
			b.Fatal(err)
		}
		leaves = append(leaves, data)
		if len(leaves) == chunk {
			flush()
		}
	}
	flush()
	return hashes.Size()
}

// storedHashes reads the log's stored hashes, all of them, checking that
// they are those of the leaves stored, no more, no fewer.
func storedHashes(b testing.TB, raw *sql.DB) audit.MemoryHashes {
	b.Helper()
	var size int64
	if err := raw.QueryRow(`SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`).Scan(&size); err != nil {
		b.Fatalf("read the log size: %v", err)
	}
	hashes := make(audit.MemoryHashes, 0, tlog.StoredHashCount(size))
	rows, err := raw.Query(`SELECT idx, hash FROM log_hashes ORDER BY idx`)
	if err != nil {
		b.Fatalf("read the stored hashes: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			b.Fatalf("read the stored hashes: %v", err)
		}
		if idx != int64(len(hashes)) || len(h) != tlog.HashSize {
			b.Fatalf("stored hash %d (%d bytes) where hash %d was due", idx, len(h), len(hashes))
		}
		hashes = append(hashes, tlog.Hash(h))
	}
	if err := rows.Err(); err != nil {
		b.Fatalf("read the stored hashes: %v", err)
	}
	if want := tlog.StoredHashCount(size); int64(len(hashes)) != want {
		b.Fatalf("the store holds %d stored hashes for %d leaves, want %d", len(hashes), size, want)
	}
	return hashes
}
