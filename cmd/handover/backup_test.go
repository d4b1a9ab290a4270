package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// ageKey makes an age identity file and returns it with its recipient.
func ageKey(t *testing.T) (identityFile, recipient string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	identityFile = filepath.Join(t.TempDir(), "id.agekey")
	if err := os.WriteFile(identityFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return identityFile, id.Recipient().String()
}

// TestBackupRestore backs a deployment up on each database, encrypted to
// two recipients, and restores it with either identity into a new data
// directory (and an empty PostgreSQL database when configured), with a
// checkpoint the witness holds: the restore passes the audit, finds the
// same checkpoint, and 'log audit' passes on it.
func TestBackupRestore(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := newLogDeployment(t, dialect, nil, nil, 20)
			held := filepath.Join(t.TempDir(), "witness.state")
			cp, err := d.db.LatestCheckpoint(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(held, cp, 0o600); err != nil {
				t.Fatal(err)
			}
			idA, recA := ageKey(t)
			idB, recB := ageKey(t)
			file := filepath.Join(t.TempDir(), "handover.age")
			out := mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", recA, "--recipient", recB}, d.store()...)...)
			if !strings.Contains(out, "to 2 recipient(s)") {
				t.Errorf("backup says: %s", out)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("age-encryption.org/v1")) || bytes.Contains(b, []byte("SQLite format")) || bytes.Contains(b, []byte("Запис")) {
				t.Fatalf("the backup is not an age file, or holds the database in clear")
			}
			if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
				t.Errorf("backup mode %v", fi.Mode().Perm())
			}
			if code, _, errOut := runLS(t, append([]string{"backup", "--out", file, "--recipient", recA}, d.store()...)...); code == 0 || !strings.Contains(errOut, "exists already") {
				t.Errorf("a second backup onto the file: exit %d, %s", code, errOut)
			}

			targets := []string{filepath.Join(t.TempDir(), "restored")}
			if dialect == "postgres" {
				targets = append(targets, sqltest.DSN(t, "postgres"))
			}
			for i, to := range targets {
				id := []string{idA, idB}[i%2]
				out := mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--checkpoint", held)
				for _, want := range []string{"restored ", "row counts: every table", "checkpoint: the target's newest", "latest good checkpoint"} {
					if !strings.Contains(out, want) {
						t.Errorf("restore into %s says nothing of %q:\n%s", to, want, out)
					}
				}
				if strings.HasPrefix(to, "postgres") {
					mustRunLS(t, "log", "audit", "--dir", d.dir, "--db", to, "--checkpoint", held)
				} else {
					mustRunLS(t, "log", "audit", "--dir", to, "--checkpoint", held)
				}
			}
		})
	}
}

// TestRestoreRefusesARollback: a backup older than a checkpoint a witness
// holds is refused, and nothing is written; forced with a reason, it is
// restored and the loss said loudly. A wrong identity, or a target that
// holds keys, is refused too.
func TestRestoreRefusesARollback(t *testing.T) {
	d := newLogDeployment(t, "sqlite", nil, nil, 5)
	id, rec := ageKey(t)
	file := filepath.Join(t.TempDir(), "old.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	// The log goes on; the witness holds the newer checkpoint.
	d.addRecords(t, 3, "Пізніше")
	d.checkpoint(t)
	cp, err := d.db.LatestCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	held := filepath.Join(t.TempDir(), "witness.state")
	if err := os.WriteFile(held, cp, 0o600); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "restored")
	code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--checkpoint", held)
	if code == 0 || !strings.Contains(errOut, "refused: the backup is older than a checkpoint held outside (3 changes would be lost)") ||
		!strings.Contains(errOut, "ROLLBACK: ") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(to); err == nil {
		t.Fatal("the refused restore made the target directory")
	}

	other, _ := ageKey(t)
	if code, _, errOut := runLS(t, "restore", file, "--identity", other, "--dir", d.dir, "--to", to); code == 0 || !strings.Contains(errOut, "cannot decrypt") {
		t.Fatalf("wrong identity: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", d.dir); code == 0 || !strings.Contains(errOut, "key directory") {
		t.Fatalf("restore into the key directory: exit %d, %s", code, errOut)
	}

	out = mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--checkpoint", held, "--force-rollback", "the disk died; the newest backup is older")
	if !strings.Contains(out, "ROLLBACK FORCED (the disk died; the newest backup is older): 3 logged changes after the backup are lost") {
		t.Fatalf("the forced rollback is not said loudly:\n%s", out)
	}
	mustRunLS(t, "log", "audit", "--dir", to)
}
