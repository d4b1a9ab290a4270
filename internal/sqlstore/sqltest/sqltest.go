// Package sqltest opens fresh stores for tests: SQLite always, PostgreSQL
// when HANDOVER_TEST_POSTGRES names a server. In CI (CI=true) a missing
// PostgreSQL is a failure, not a skip. Each test gets its own SQLite file or
// PostgreSQL schema, so tests run in parallel.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
)

// Key is a fixed sealing key for tests.
var Key = []byte("0123456789abcdef0123456789abcdef")

// EachDB runs fn as a subtest against a fresh SQLite store and, when
// configured, a fresh PostgreSQL store.
func EachDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, name := range Dialects(t) {
		t.Run(name, func(t *testing.T) {
			fn(t, Open(t, name))
		})
	}
}

// Dialects returns the dialects to test: "sqlite" and, when configured,
// "postgres".
func Dialects(t testing.TB) []string {
	t.Helper()
	if os.Getenv("HANDOVER_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but HANDOVER_TEST_POSTGRES is not set: PostgreSQL tests are required in CI")
	}
	t.Log("HANDOVER_TEST_POSTGRES not set: PostgreSQL tests skipped (set it to a DSN such as postgres://postgres@127.0.0.1:5432/test to run them)")
	return []string{"sqlite"}
}

// DSN returns a DSN for a fresh, empty database of the dialect: an SQLite
// file in a temp dir, or a new PostgreSQL schema dropped when the test ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == "sqlite" {
		return filepath.Join(t.TempDir(), "handover.db")
	}
	base := os.Getenv("HANDOVER_TEST_POSTGRES")
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a fresh store of the dialect, closed when the test ends.
func Open(t testing.TB, dialect string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: DSN(t, dialect), SealKey: Key})
	if err != nil {
		t.Fatalf("open %s store: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if !strings.Contains(db.Dialect(), dialect) {
		t.Fatalf("opened %s, want %s", db.Dialect(), dialect)
	}
	return db
}

// ReportLatencies reports, on a benchmark that ran several workers for
// elapsed, the achieved rate and the p50, p99 and maximum of the
// latencies each worker measured.
func ReportLatencies(b *testing.B, unit string, lat [][]time.Duration, elapsed time.Duration) {
	b.Helper()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), unit+"/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// OpenTwo opens two stores on one fresh database of the dialect, as two
// server processes would share it: a check-then-write that holds only in
// one process's memory races between them. Both are closed when the test
// ends.
func OpenTwo(t testing.TB, dialect string) (*sqlstore.DB, *sqlstore.DB) {
	t.Helper()
	dsn := DSN(t, dialect)
	var dbs [2]*sqlstore.DB
	for i := range dbs {
		db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: dsn, SealKey: Key})
		if err != nil {
			t.Fatalf("open %s store %d: %v", dialect, i+1, err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// EachDBTwo runs fn as a subtest with two stores on one fresh database of
// each configured dialect (OpenTwo).
func EachDBTwo(t *testing.T, fn func(t *testing.T, a, b *sqlstore.DB)) {
	t.Helper()
	for _, name := range Dialects(t) {
		t.Run(name, func(t *testing.T) {
			a, b := OpenTwo(t, name)
			fn(t, a, b)
		})
	}
}
