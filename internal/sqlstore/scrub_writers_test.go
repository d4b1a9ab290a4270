package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestScrubDoesNotStallWriters: an erasure through the server now runs
// PRAGMA wal_checkpoint(TRUNCATE) after its commit (scrubAfter). While a
// reader holds an old snapshot (a backup's VACUUM INTO, a log audit, a
// matching run reading the registers), the checkpoint waits busy_timeout
// holding the WAL write lock: every other write of the server (here a
// login's ReserveLogin) waits with it.
func TestScrubDoesNotStallWriters(t *testing.T) {
	ctx := context.Background()
	dsn := sqltest.DSN(t, "sqlite")
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := newCrossing(t, db, 1, false)
	sc := f.scopes
	r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: erasedFields()})
	if err != nil {
		t.Fatal(err)
	}
	// A long reader on another connection, as 'handover backup' is.
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rtx, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT COUNT(*) FROM record_versions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	erased := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		if _, err := db.EraseRecord(ctx, sc["ua-appr"], r.ID, "DP-1"); err != nil {
			t.Error(err)
		}
		erased <- time.Since(start)
	}()
	time.Sleep(500 * time.Millisecond)
	lim := sqlstore.LoginLimits{Window: 15 * time.Minute, AccountWindow: time.Hour, PerPair: 5, PerPairAll: 20, PerAddr: 20, PerAccount: 50, KnownFor: 30 * 24 * time.Hour, KnownMax: 8}
	start := time.Now()
	_, _, lerr := db.ReserveLogin(ctx, lim, "ua-reg", "198.51.100.7", time.Now())
	login := time.Since(start)
	eraseTook := <-erased
	rtx.Rollback()
	t.Logf("erasure answered in %s; a login's ReserveLogin during its scrub took %s (err %v)", eraseTook.Round(time.Millisecond), login.Round(time.Millisecond), lerr)
	if login > 2*time.Second || lerr != nil {
		t.Errorf("a login attempt waited %s for an erasure's scrub (err %v): every write of the server stalls while a reader is open", login.Round(time.Millisecond), lerr)
	}
	// Once the reader has gone, the scrub retried in the background
	// empties the log: the names leave the files.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && onDisk(t, dsn) {
		time.Sleep(100 * time.Millisecond)
	}
	namesNotOnDisk(t, "after the reader closed", dsn)
}

// onDisk says whether the SQLite database at path or its write-ahead log
// holds any of erasedNeedles.
func onDisk(t *testing.T, path string) bool {
	t.Helper()
	for _, f := range []string{path, path + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && findNeedle(b) != "" {
			return true
		}
	}
	return false
}
