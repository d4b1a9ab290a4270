package sheet_test

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sheet/internal/fixture"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// registrar makes party UA and a registrar of it, and returns the scope.
func registrar(t testing.TB, db *sqlstore.DB) access.Scope {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateParty(ctx, "UA", "Ukraine"); err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password",
		Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return u.Scope()
}

// importFile is what the API does: read, check, index the register, plan,
// store in one transaction.
func importFile(t testing.TB, db *sqlstore.DB, sc access.Scope, name string, data []byte, keep bool) (*sheet.File, error) {
	t.Helper()
	ctx := context.Background()
	f, err := sheet.Read(context.Background(), name, data, sheet.Options{Kind: person.Held, Now: fixture.Ref})
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return f, err
	}
	ix := sheet.NewIndex()
	filter := sqlstore.RecordFilter{Party: "UA", Kind: person.Held, Limit: 1000}
	for {
		page, err := db.Records(ctx, sc, filter)
		if err != nil {
			t.Fatal(err)
		}
		for i := range page.Records {
			ix.Add(page.Records[i].ID, &page.Records[i].Fields, page.Records[i].Provenance.SourceRef)
		}
		if page.Next == "" {
			break
		}
		filter.Cursor = page.Next
	}
	f.Plan(ix, keep)
	nrs := make([]sqlstore.NewRecord, len(f.Rows))
	for i := range f.Rows {
		nrs[i] = sqlstore.NewRecord{Party: "UA", Fields: f.Rows[i].Fields, Source: f.Report.File, Ref: f.Rows[i].Ref}
	}
	if len(nrs) > 1000 {
		f.Rows = nil // as the API does: let the parsed rows go
	}
	if _, err := db.CreateRecords(ctx, sc, nrs); err != nil {
		return f, err
	}
	f.Report.Imported = len(nrs)
	return f, nil
}

func allRecords(t testing.TB, db *sqlstore.DB, sc access.Scope) []person.Record {
	t.Helper()
	var out []person.Record
	filter := sqlstore.RecordFilter{Party: "UA", Limit: 1000}
	for {
		page, err := db.Records(context.Background(), sc, filter)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			return out
		}
		filter.Cursor = page.Next
	}
}

func TestImportStore(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		db.Now = func() time.Time { return fixture.Ref }
		sc := registrar(t, db)
		// All or nothing: five bad rows, nothing stored, every bad row reported.
		bad, _ := os.ReadFile("testdata/five-errors.xlsx")
		f, err := importFile(t, db, sc, "five-errors.xlsx", bad, false)
		if !errs.Is(errs.Invalid, err) || len(errs.Fields(err)) != 5 || len(f.Report.Problems) != 5 {
			t.Fatalf("got %v", err)
		}
		if n := len(allRecords(t, db, sc)); n != 0 {
			t.Fatalf("a file with bad rows stored %d records", n)
		}
		// Good files; then the same again, under another name: nothing new.
		good, _ := os.ReadFile("testdata/uk-title.xlsx")
		if f, err = importFile(t, db, sc, "uk-title.xlsx", good, false); err != nil || f.Report.Imported != 20 {
			t.Fatalf("import: %v", err)
		}
		if f, err = importFile(t, db, sc, "copy.xlsx", good, true); err != nil || f.Report.Imported != 0 || len(f.Report.Duplicates) != 20 {
			t.Fatalf("re-import: %v %+v", err, f.Report)
		}
		// Export everything and import the export: the same people, all
		// found as duplicates of the register, none stored twice.
		recs := allRecords(t, db, sc)
		var buf bytes.Buffer
		w, _ := sheet.NewWriter(&buf, "xlsx", "uk")
		for i := range recs {
			w.Write(&recs[i])
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f, err = importFile(t, db, sc, "export.xlsx", buf.Bytes(), false)
		if err != nil || f.Report.Persons != 20 || f.Report.Imported != 0 || f.Report.Skipped != 20 {
			t.Fatalf("export → import: %v %+v", err, f.Report)
		}
		for i, row := range f.Rows {
			want := recs[i].Fields
			if got := row.Fields; got.DisplayName() != want.DisplayName() || got.BirthDate != want.BirthDate || got.Unit != want.Unit || got.Notes != want.Notes {
				t.Errorf("row %d: got %+v, want %+v", row.Row, got, want)
			}
		}
		if n := len(allRecords(t, db, sc)); n != 20 {
			t.Fatalf("%d records, want 20", n)
		}
	})
}

// cpuSeconds is the user and system CPU time of the process so far: on a
// shared machine a fairer figure than the wall clock.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// peak samples the heap in use while fn runs and returns the highest
// figure seen, in MB; it reports fn's CPU time as the metric cpu-s.
func peak(b *testing.B, fn func()) float64 {
	runtime.GC()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric(cpuSeconds()-c0, "cpu-s") }()
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > max.Load() {
				max.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return float64(max.Load()) / (1 << 20)
}

const benchRows = 100_000

func benchImport(b *testing.B, format string, store bool) {
	data, err := fixture.Large(benchRows, format)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
		var db *sqlstore.DB
		var sc access.Scope
		if store {
			b.StopTimer()
			db = sqltest.Open(b, "sqlite")
			db.Now = func() time.Time { return fixture.Ref }
			sc = registrar(b, db)
			b.StartTimer()
		}
		mb := peak(b, func() {
			var f *sheet.File
			if store {
				f, err = importFile(b, db, sc, "large."+format, data, false)
			} else {
				f, err = sheet.Read(context.Background(), "large."+format, data, sheet.Options{Kind: person.Held, Now: fixture.Ref})
				if err == nil {
					err = f.Err()
					f.Plan(nil, false)
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			if f.Report.Persons != benchRows {
				b.Fatalf("read %d persons, want %d", f.Report.Persons, benchRows)
			}
		})
		b.ReportMetric(mb, "peak-heap-MB")
	}
}

// BenchmarkImportXLSX reads and checks 100,000 rows of XLSX.
func BenchmarkImportXLSX(b *testing.B) { benchImport(b, "xlsx", false) }

// BenchmarkImportCSV reads and checks 100,000 rows of CSV.
func BenchmarkImportCSV(b *testing.B) { benchImport(b, "csv", false) }

// BenchmarkImportXLSXStore imports 100,000 rows of XLSX into SQLite in
// one transaction.
func BenchmarkImportXLSXStore(b *testing.B) { benchImport(b, "xlsx", true) }

// BenchmarkImportCSVStore imports 100,000 rows of CSV into SQLite.
func BenchmarkImportCSVStore(b *testing.B) { benchImport(b, "csv", true) }

// BenchmarkExportXLSX writes 100,000 records as XLSX.
func BenchmarkExportXLSX(b *testing.B) {
	g := synth.New(synth.Config{Seed: 1, Ref: fixture.Ref})
	recs := make([]person.Record, benchRows)
	for i := range recs {
		recs[i].Fields = g.Record("UA", person.Held)
	}
	for b.Loop() {
		var n int64
		mb := peak(b, func() {
			cw := &countWriter{}
			w, err := sheet.NewWriter(cw, "xlsx", "uk")
			if err != nil {
				b.Fatal(err)
			}
			for i := range recs {
				if err := w.Write(&recs[i]); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			n = cw.n
		})
		b.ReportMetric(mb, "peak-heap-MB")
		b.ReportMetric(float64(n)/(1<<20), "file-MB")
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
