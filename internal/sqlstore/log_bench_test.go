package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

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

// BenchmarkLogBig measures, at 1,000,000 leaves, the proofs the server
// makes (inclusion of a random leaf, consistency from the half-size
// checkpoint) and the store's whole audit (target ≤ 60 s).
func BenchmarkLogBig(b *testing.B) {
	ctx := context.Background()
	n := sqltest.BigLogSize(b)
	for _, dialect := range benchDialects() {
		b.Run(fmt.Sprintf("%s/leaves=%d", dialect, n), func(b *testing.B) {
			l := sqltest.BigLog(b, dialect, n, origin)
			b.Run("prove-inclusion", func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				for b.Loop() {
					p, err := l.DB.ProveInclusion(ctx, r.Int64N(l.Last))
					if err != nil || len(p) == 0 {
						b.Fatal(err)
					}
				}
			})
			b.Run("prove-consistency", func(b *testing.B) {
				for b.Loop() {
					if _, err := l.DB.ProveConsistency(ctx, l.Half); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("audit", func(b *testing.B) {
				start := time.Now()
				runs := 0
				for b.Loop() {
					res, err := l.DB.AuditLog(ctx, l.Keys)
					if err != nil {
						b.Fatal(err)
					}
					if !res.OK() || res.Size != l.Size || len(res.Checkpoints) != 2 {
						b.Fatalf("audit of the big log: %s", res.Summary())
					}
					runs++
				}
				b.ReportMetric(float64(int64(runs)*l.Size)/time.Since(start).Seconds(), "leaves/s")
			})
		})
	}
}
