package sqlstore_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// BenchmarkCopy copies a store of HANDOVER_BENCH_COPY_RECORDS records
// (default 100,000) and their log leaves into an empty one, each direction
// the configured databases allow. One operation is the whole copy; it
// prints the seconds of each copy, their median and mean, and the rows per
// second (-benchtime 3x: the median of three).
//
//	go test -run '^$' -bench Copy -benchtime 1x ./internal/sqlstore
//	HANDOVER_BENCH_COPY_RECORDS=20000 go test -run '^$' -bench 'Copy/.*-to-postgres' -benchtime 3x ./internal/sqlstore
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	n := benchRecords
	if v := os.Getenv("HANDOVER_BENCH_COPY_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HANDOVER_BENCH_COPY_RECORDS=%q: want a positive number", v)
		}
	}
	recs := population(n)
	for _, from := range benchDialects() {
		src, s := benchStore(b, from)
		start := time.Now()
		insertAll(b, src, s, recs)
		b.Logf("%s: %d records stored in %v", from, n, time.Since(start).Round(time.Millisecond))
		for _, to := range benchDialects() {
			b.Run(from+"-to-"+to, func(b *testing.B) {
				var times []time.Duration
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
					times = append(times, stats.Elapsed)
					total += stats.Elapsed
					rows += stats.Rows
					b.StopTimer()
					dst.Close()
					b.StartTimer()
				}
				b.Logf("%s → %s: copies of %v", from, to, times)
				slices.Sort(times)
				b.ReportMetric(times[len(times)/2].Seconds(), "median-s/copy")
				b.ReportMetric(total.Seconds()/float64(b.N), "s/copy")
				b.ReportMetric(float64(rows)/total.Seconds(), "rows/s")
				b.ReportMetric(float64(rows)/float64(b.N), "rows")
			})
		}
	}
}
