package sqlstore_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// The benchmarks print figures; none fails on time (STYLE.md rule 22). They
// run on SQLite, and on PostgreSQL too when HANDOVER_TEST_POSTGRES is set.
// Unlike the tests, a missing PostgreSQL is not an error here even with
// CI=true: benchmarks are run by hand.
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/sqlstore          # the bulk insert once
//	go test -run '^$' -bench 'RecordByID|ListFilter' ./internal/sqlstore  # latencies

const (
	benchRecords = 100_000
	benchBatch   = 5_000
)

func benchDialects() []string {
	if os.Getenv("HANDOVER_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// benchStore opens a fresh store with the two parties and a UA registrar,
// and returns the registrar's scope.
func benchStore(b *testing.B, dialect string) (*sqlstore.DB, access.Scope) {
	b.Helper()
	ctx := context.Background()
	db := sqltest.Open(b, dialect)
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
	if err != nil {
		b.Fatal(err)
	}
	return db, u.Scope()
}

// population returns n synthetic UA records, half held and half sought.
func population(n int) []sqlstore.NewRecord {
	gen := synth.New(synth.Config{Seed: 1, Ref: time.Now()})
	var out []sqlstore.NewRecord
	for _, k := range []person.Kind{person.Held, person.Sought} {
		for _, f := range gen.Records("UA", k, n/2) {
			out = append(out, sqlstore.NewRecord{Party: "UA", Fields: f, Source: "benchmark"})
		}
	}
	return out
}

// insertAll stores recs through the bulk path in batches and returns them
// as stored.
func insertAll(b *testing.B, db *sqlstore.DB, s access.Scope, recs []sqlstore.NewRecord) []person.Record {
	b.Helper()
	ctx := context.Background()
	out := make([]person.Record, 0, len(recs))
	for start := 0; start < len(recs); start += benchBatch {
		got, err := db.CreateRecords(ctx, s, recs[start:min(start+benchBatch, len(recs))])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, got...)
	}
	return out
}

// reportLatencies reports the p50 and p99 of per-operation latencies.
func reportLatencies(b *testing.B, lat []time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// BenchmarkCreateRecords inserts 100,000 generated records into an empty
// store in batches of 5,000 through CreateRecords (the bulk path of imports
// and the demo). One operation is the whole 100,000.
func BenchmarkCreateRecords(b *testing.B) {
	recs := population(benchRecords)
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				b.StopTimer()
				db, s := benchStore(b, dialect)
				b.StartTimer()
				start := time.Now()
				insertAll(b, db, s, recs)
				total += time.Since(start)
				n++
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*len(recs))/total.Seconds(), "records/s")
		})
	}
}

// bigRegister is a store holding the 100,000-record population.
func bigRegister(b *testing.B, dialect string) (*sqlstore.DB, access.Scope, []person.Record) {
	b.Helper()
	db, s := benchStore(b, dialect)
	start := time.Now()
	recs := insertAll(b, db, s, population(benchRecords))
	b.Logf("%s: %d records stored in %v", dialect, len(recs), time.Since(start).Round(time.Millisecond))
	return db, s, recs
}

// BenchmarkRecordByID reads records by id at random from a 100,000-record
// register, one at a time, and reports p50 and p99.
func BenchmarkRecordByID(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		db, s, recs := bigRegister(b, dialect)
		b.Run(dialect, func(b *testing.B) {
			var lat []time.Duration
			i := 0
			for b.Loop() {
				id := recs[(i*7919)%len(recs)].ID
				i++
				t0 := time.Now()
				if _, err := db.Record(ctx, s, id); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatencies(b, lat)
		})
	}
}

// BenchmarkListFilter lists a 100,000-record register: one page of 100 by
// kind and category, by text (a common surname: the page fills early; a
// service number: the whole register is searched), and every page of the
// register by cursor.
func BenchmarkListFilter(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		db, s, recs := bigRegister(b, dialect)
		var rare person.Record
		for _, r := range recs[len(recs)/2:] {
			if len(r.ServiceNumber) >= 6 {
				rare = r
				break
			}
		}
		// The commonest surname: its page of 100 fills early if the query
		// can stop there.
		count := map[string]int{}
		commonest := ""
		for _, r := range recs {
			if r.Surname == "" {
				continue
			}
			count[r.Surname]++
			if count[r.Surname] > count[commonest] {
				commonest = r.Surname
			}
		}
		filters := []struct {
			name string
			f    sqlstore.RecordFilter
		}{
			{"kind+category", sqlstore.RecordFilter{Kind: person.Sought, Category: person.Civilian}},
			{"text-common", sqlstore.RecordFilter{Text: commonest}},
			{"text-rare", sqlstore.RecordFilter{Text: rare.ServiceNumber}},
		}
		for _, fc := range filters {
			b.Run(dialect+"/"+fc.name, func(b *testing.B) {
				var lat []time.Duration
				found := 0
				for b.Loop() {
					t0 := time.Now()
					p, err := db.Records(ctx, s, fc.f)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					found = len(p.Records)
				}
				if found == 0 {
					b.Fatalf("filter %+v found nothing", fc.f)
				}
				reportLatencies(b, lat)
				b.ReportMetric(float64(found), "records/page")
			})
		}
		b.Run(dialect+"/cursor-all-pages", func(b *testing.B) {
			// One operation is one page of 1,000; the walk restarts at the end.
			var lat []time.Duration
			f := sqlstore.RecordFilter{Limit: 1000}
			seen := 0
			for b.Loop() {
				t0 := time.Now()
				p, err := db.Records(ctx, s, f)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				seen += len(p.Records)
				f.Cursor = p.Next
				if p.Next == "" {
					if seen != len(recs) {
						b.Fatalf("walked %d records, want %d", seen, len(recs))
					}
					seen = 0
				}
			}
			reportLatencies(b, lat)
		})
	}
}
