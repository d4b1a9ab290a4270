package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
)

// BenchmarkAuditRecords measures the store's audit of a log of records:
// HANDOVER_BENCH_AUDIT_RECORDS records (default 100,000) created as an
// import would, 1,000 a transaction, each version then replayed against
// its commitment and its leaf, and its search keys rebuilt.
//
//	go test -run '^$' -bench AuditRecords -benchtime 1x ./internal/sqlstore
func BenchmarkAuditRecords(b *testing.B) {
	ctx := context.Background()
	n := 100_000
	if v := os.Getenv("HANDOVER_BENCH_AUDIT_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HANDOVER_BENCH_AUDIT_RECORDS=%q: want a positive number", v)
		}
	}
	for _, dialect := range benchDialects() {
		b.Run(fmt.Sprintf("%s/records=%d", dialect, n), func(b *testing.B) {
			db, sc := benchStore(b, dialect)
			start := time.Now()
			for i := 0; i < n; i += 1000 {
				nrs := make([]sqlstore.NewRecord, 0, 1000)
				for j := i; j < min(n, i+1000); j++ {
					f := held("Аудит" + strconv.Itoa(j))
					f.ServiceNumber = fmt.Sprintf("А-%07d", j)
					nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f})
				}
				if _, err := db.CreateRecords(ctx, sc, nrs); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%s: %d records in %s", dialect, n, time.Since(start).Round(time.Millisecond))
			_, vkey, err := audit.GenerateKey(origin)
			if err != nil {
				b.Fatal(err)
			}
			keys, err := audit.NewKeys(origin, vkey)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("audit", func(b *testing.B) {
				for b.Loop() {
					res, err := db.AuditLog(ctx, keys)
					if err != nil {
						b.Fatal(err)
					}
					if !res.OK() || res.Records != int64(n) {
						b.Fatalf("audit: %d records\n%s", res.Records, res.Summary())
					}
				}
			})
		})
	}
}
