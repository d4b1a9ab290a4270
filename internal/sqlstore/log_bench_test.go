package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The log's benchmarks (docs/design/log.md; issue 5). Like the others they
// print figures and never fail on time.
//
//	go test -run '^$' -bench LogAppend ./internal/sqlstore             # leaves/s inside record transactions
//	go test -run '^$' -bench LogBig -benchtime 1x ./internal/sqlstore  # proofs and audit at 1,000,000 leaves
//
// HANDOVER_BENCH_LOG_LEAVES changes the size of the big log (default
// 1,000,000).

// BenchmarkLogAppend measures leaves appended per second inside business
// transactions: each record created writes its record.created leaf and
// stored hashes in the same transaction, one record per transaction
// (batch=1) or many (an import).
func BenchmarkLogAppend(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		for _, batch := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("%s/batch=%d", dialect, batch), func(b *testing.B) {
				db, sc := benchStore(b, dialect)
				nrs := make([]sqlstore.NewRecord, batch)
				for i := range nrs {
					f := held("Бенчмарк" + strconv.Itoa(i))
					f.Health = "здоровий"
					nrs[i] = sqlstore.NewRecord{Party: "UA", Fields: f}
				}
				start := time.Now()
				n := 0
				for b.Loop() {
					if _, err := db.CreateRecords(ctx, sc, nrs); err != nil {
						b.Fatal(err)
					}
					n++
				}
				b.ReportMetric(float64(n*batch)/time.Since(start).Seconds(), "leaves/s")
				size, err := db.LogSize(ctx)
				if err != nil || size != int64(n*batch) {
					b.Fatalf("log size %d, want %d (%v)", size, n*batch, err)
				}
			})
		}
	}
}

// bigLog is a store whose log has many leaves written directly (not through
// records: the record replay is measured by the tests at small size), with
// checkpoints at half and full size.
type bigLog struct {
	db   *sqlstore.DB
	keys *audit.Keys
	size int64 // leaves, the checkpoints' own included
	half int64 // size of the first checkpoint
	last int64 // size of the second
}

func bigLogSize(b *testing.B) int64 {
	if v := os.Getenv("HANDOVER_BENCH_LOG_LEAVES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 2 {
			b.Fatalf("HANDOVER_BENCH_LOG_LEAVES=%q: want a number ≥ 2", v)
		}
		return n
	}
	return 1_000_000
}

// newBigLog builds the log: canonical leaves of a type the replay skips
// (it pairs no rows with them) and their stored hashes computed as the store would,
// inserted in large transactions straight into the log tables.
func newBigLog(b *testing.B, dialect string, n int64) *bigLog {
	b.Helper()
	ctx := context.Background()
	dsn := sqltest.DSN(b, dialect)
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
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
	return &bigLog{db: db, keys: keys, size: n + 2, half: n / 2, last: n + 1}
}

// BenchmarkLogBig measures, at 1,000,000 leaves, the proofs the server
// makes (inclusion of a random leaf, consistency from the half-size
// checkpoint) and the store's whole audit (target ≤ 60 s).
func BenchmarkLogBig(b *testing.B) {
	ctx := context.Background()
	n := bigLogSize(b)
	for _, dialect := range benchDialects() {
		b.Run(fmt.Sprintf("%s/leaves=%d", dialect, n), func(b *testing.B) {
			l := newBigLog(b, dialect, n)
			b.Run("prove-inclusion", func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				for b.Loop() {
					p, err := l.db.ProveInclusion(ctx, r.Int64N(l.last))
					if err != nil || len(p) == 0 {
						b.Fatal(err)
					}
				}
			})
			b.Run("prove-consistency", func(b *testing.B) {
				for b.Loop() {
					if _, err := l.db.ProveConsistency(ctx, l.half); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("audit", func(b *testing.B) {
				start := time.Now()
				runs := 0
				for b.Loop() {
					res, err := l.db.AuditLog(ctx, l.keys)
					if err != nil {
						b.Fatal(err)
					}
					if !res.OK() || res.Size != l.size || len(res.Checkpoints) != 2 {
						b.Fatalf("audit of the big log: %s", res.Summary())
					}
					runs++
				}
				b.ReportMetric(float64(int64(runs)*l.size)/time.Since(start).Seconds(), "leaves/s")
			})
		})
	}
}
