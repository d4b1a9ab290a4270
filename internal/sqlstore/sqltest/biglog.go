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
// dialect: canonical leaves of a type the replay skips (it pairs no rows
// with them) and their stored hashes computed as the store would, inserted
// in large transactions straight into the log tables.
func BigLog(b testing.TB, dialect string, n int64, origin string) *Log {
	b.Helper()
	ctx := context.Background()
	dsn := DSN(b, dialect)
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: Key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	driver, rawDSN := "pgx", dsn
	if dialect == "sqlite" {
		driver, rawDSN = "sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
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
	var hashes audit.MemoryHashes
	t0 := time.Date(2026, 5, 23, 9, 0, 0, 0, time.UTC)
	const chunk = 1000
	var leaves [][]byte
	insert := func(table string, first int64, rows [][]byte) {
		b.Helper()
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (idx, data) VALUES ")
		if table == "log_hashes" {
			q.Reset()
			q.WriteString("INSERT INTO log_hashes (idx, hash) VALUES ")
		}
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
		insert("log_leaves", first, leaves)
		lo, hi := audit.StoredHashIndex(first), tlog.StoredHashCount(hashes.Size())
		for i := lo; i < hi; i += chunk {
			var rows [][]byte
			for j := i; j < min(hi, i+chunk); j++ {
				rows = append(rows, hashes[j][:])
			}
			insert("log_hashes", i, rows)
		}
		leaves = leaves[:0]
	}
	for i := range n {
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
		if i+1 == n/2 || i+1 == n {
			flush()
			if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
				b.Fatal(err)
			}
			// The store recorded the checkpoint in a leaf of its own: the
			// tree goes on after it.
			data, err := db.Leaf(ctx, hashes.Size())
			if err != nil {
				b.Fatal(err)
			}
			if err := hashes.Append(data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("%s: built a log of %d leaves in %s", dialect, n, time.Since(start).Round(time.Millisecond))
	return &Log{DB: db, Keys: keys, Signer: signer, VKey: vkey, Size: n + 2, Half: n / 2, Last: n + 1}
}
