package sqlstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
)

// BenchmarkReseal rotates the data key of a store of 100,000 records, each
// with sealed fields (synthetic health and next of kin; a health line
// where the generator gave none): the switch, every value sealed again in
// transactions of 500, and the final pass that retires the old key. One
// operation is the whole rotation; it prints the seconds and values per
// second.
//
//	go test -run '^$' -bench Reseal -benchtime 1x ./internal/sqlstore
func BenchmarkReseal(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			var total time.Duration
			var values int64
			for b.Loop() {
				b.StopTimer()
				db, s := benchStore(b, dialect)
				recs := population(benchRecords)
				for i := range recs {
					if recs[i].Fields.Health == "" {
						recs[i].Fields.Health = "no complaint recorded at the medical check"
					}
				}
				insertAll(b, db, s, recs)
				key := make([]byte, 32)
				rand.Read(key)
				b.StartTimer()
				start := time.Now()
				if err := db.StartSealRotation(ctx, key); err != nil {
					b.Fatal(err)
				}
				st, err := db.Reseal(ctx, 500, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.FinishSealRotation(ctx); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				values += st.Resealed
				b.StopTimer()
				counts, err := db.SealedCounts(ctx)
				if err != nil || len(counts) != 1 || counts[sqlstore.KeyID(key)] != st.Resealed {
					b.Fatalf("after the rotation: %v, %v (re-sealed %d)", counts, err, st.Resealed)
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/rotation")
			b.ReportMetric(float64(values)/total.Seconds(), "values/s")
			b.ReportMetric(float64(values)/float64(b.N), "values")
		})
	}
}
