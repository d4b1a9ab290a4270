package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRestoreRefusesAnUnsignedFabricatedDatabase: --accept-unsigned is
// meant for a backup of a version before signed backups, a backup of this
// deployment. Nothing checks that: a database anyone made (here with a
// data key of its own, an administrator whose password the maker knows,
// and no checkpoint at all, so no signature of this log's key is ever
// checked) passes the audit with this deployment's keys and is restored.
// An unsigned backup of this deployment holds checkpoints its log key
// signed; one (or a --checkpoint the backup extends) is required, and
// this is refused.
func TestRestoreRefusesAnUnsignedFabricatedDatabase(t *testing.T) {
	ctx := context.Background()
	ours := newLogDeployment(t, "sqlite", nil, nil, 5)
	id, rec := ageKey(t)

	// The fabricated database: the maker's own data key.
	var key [32]byte
	rand.Read(key[:])
	made := filepath.Join(t.TempDir(), "made.db")
	fab, err := sqlstore.Open(ctx, sqlstore.Config{DSN: made, SealKey: key[:]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fab.CreateUser(ctx, sqlstore.NewUser{Login: "root", Role: access.MediatorAdmin, Password: "the maker knows this one"}); err != nil {
		t.Fatal(err)
	}
	fab.Close()
	// Nothing sealed in it: the row naming the maker's key goes (a raw
	// SQLite file is the maker's to write as he likes).
	raw, err := sql.Open("sqlite", made)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER IF EXISTS seal_keys_no_delete`, `DELETE FROM seal_keys`} {
		if _, err := raw.Exec(q); err != nil {
			t.Logf("%s: %v", q, err)
		}
	}
	raw.Close()
	rs, err := age.ParseRecipients(strings.NewReader(rec)) // a recipient is a public key
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "handover-2026-04-30.age")
	if err := encryptBackup(nil, made, file, rs); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "restored")
	code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", ours.dir, "--to", to, "--accept-unsigned", "the April backup, before signed backups")
	t.Logf("exit %d\n%s\n%s", code, out, errOut)
	if code != 0 {
		if !strings.Contains(errOut, "its log extends no checkpoint of this deployment's log key") {
			t.Errorf("refused, but not for want of a checkpoint of this log: exit %d\n%s", code, errOut)
		}
		return
	}
	r, err := sqlstore.Open(ctx, sqlstore.Config{DSN: filepath.Join(to, "handover.db"), SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if u, err := r.Authenticate(ctx, "root", "the maker knows this one"); err == nil {
		t.Errorf("a database made by someone who knows only a recipient's public key was restored with --accept-unsigned: its %s %q logs in with the maker's password", u.Role, u.Login)
	}
}
