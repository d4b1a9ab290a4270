package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// BenchmarkCopy copies a store of 100,000 records (and their log leaves)
// into an empty one, each direction the configured databases allow. One
// operation is the whole copy; it prints the seconds and rows per second.
//
//	go test -run '^$' -bench Copy -benchtime 1x ./internal/sqlstore
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	for _, from := range benchDialects() {
		src, _, _ := bigRegister(b, from)
		for _, to := range benchDialects() {
			b.Run(from+"-to-"+to, func(b *testing.B) {
				var total time.Duration
				var rows int64
				for b.Loop() {
					b.StopTimer()
					dst := sqltest.Open(b, to)
					b.StartTimer()
					stats, err := sqlstore.Copy(ctx, src, dst)
					if err != nil {
						b.Fatal(err)
					}
					total += stats.Elapsed
					rows += stats.Rows
					b.StopTimer()
					dst.Close()
					b.StartTimer()
				}
				b.ReportMetric(total.Seconds()/float64(b.N), "s/copy")
				b.ReportMetric(float64(rows)/total.Seconds(), "rows/s")
				b.ReportMetric(float64(rows)/float64(b.N), "rows")
			})
		}
	}
}
