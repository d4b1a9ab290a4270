package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRestoreWritesNoErasedPersonIntoPostgres: restore --erasures
// copies the whole backup into the target first and erases the listed
// records there afterwards. On PostgreSQL the erased person's names are
// thereby written into the new cluster's WAL (and whatever archives or
// replicates it) although the restore knew, before the copy, that he is
// erased; and a restore killed between the copy and the re-erasure leaves
// a complete target holding him. The source is SQLite, so the names can
// come into PostgreSQL's WAL through the restore only.
func TestRestoreWritesNoErasedPersonIntoPostgres(t *testing.T) {
	if os.Getenv("HANDOVER_TEST_POSTGRES") == "" {
		t.Skip("needs HANDOVER_TEST_POSTGRES")
	}
	ctx := context.Background()
	d := newLogDeployment(t, "sqlite", nil, nil, 3)
	// A surname no other test writes.
	var b [8]byte
	rand.Read(b[:])
	const abc = "абвгдежзиклмнопр"
	surname := "Ревю"
	for _, c := range b {
		surname += string([]rune(abc)[c%16])
	}
	u, err := d.db.UserByLogin(ctx, "ua-reg")
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.db.CreateRecord(ctx, u.Scope(), sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Sought, Status: person.StatusMissing,
		Category: person.Military, Surname: surname, GivenNames: "Северин", BirthDate: person.Date{Year: 1991, Month: 3, Day: 17}}})
	if err != nil {
		t.Fatal(err)
	}
	id, rec := ageKey(t)
	backups := t.TempDir()
	file := filepath.Join(backups, "handover.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	d.erase(t, r.ID, "DP-2026-0042")
	list := filepath.Join(backups, "handover-erasures.json")
	mustRunLS(t, append([]string{"erase", "list", "--out", list}, d.store()...)...)

	to := sqltest.DSN(t, "postgres")
	mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list)
	if n := recordTablesHold(t, to, []string{surname}); n != "" {
		t.Fatalf("through SQL the target holds %q", n)
	}
	admin, err := sql.Open("pgx", os.Getenv("HANDOVER_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	rows, err := admin.Query(`SELECT name FROM pg_ls_waldir() ORDER BY modification DESC LIMIT 4`)
	if err != nil {
		t.Skipf("cannot list pg_wal: %v", err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	needle := []byte(surname)
	for _, n := range names {
		var wal []byte
		if err := admin.QueryRow(`SELECT pg_read_binary_file('pg_wal/' || $1)`, n).Scan(&wal); err != nil {
			t.Skipf("cannot read pg_wal/%s: %v", n, err)
		}
		if bytes.Contains(wal, needle) {
			t.Errorf("PostgreSQL's WAL segment %s holds the surname of the person the restore erased again (%s): the restore wrote him into the target before erasing him", n, surname)
			return
		}
	}
	t.Logf("no WAL segment of %v holds %s", names, surname)
}
