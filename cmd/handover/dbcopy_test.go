package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestDBCopy copies a deployment (records with a correction and sealed
// fields, witness keys, a checkpoint) from its database into a new data
// directory, and from there into PostgreSQL when configured: each copy
// prints its row counts, finds its newest checkpoint the source's, and
// passes the audit; 'log audit' passes on each target.
func TestDBCopy(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := newLogDeployment(t, dialect, nil, nil, 30)
			copied := filepath.Join(t.TempDir(), "copy")
			out := mustRunLS(t, "db", "copy", "--from", d.dsn, "--dir", d.dir, "--to", copied)
			checkCopyOutput(t, out)
			for _, f := range keyFiles {
				fi, err := os.Stat(filepath.Join(copied, f))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s in the target directory: %v, %v", f, err, fi)
				}
			}
			mustRunLS(t, "log", "audit", "--dir", copied)
			if dialect != "postgres" {
				return
			}
			pg := sqltest.DSN(t, "postgres")
			out = mustRunLS(t, "db", "copy", "--from", copied, "--to", pg)
			checkCopyOutput(t, out)
			if !strings.Contains(out, "(sqlite) to postgres://") {
				t.Errorf("the copy says nothing of its ends:\n%s", out)
			}
			mustRunLS(t, "log", "audit", "--dir", copied, "--db", pg)
		})
	}
}

func checkCopyOutput(t *testing.T, out string) {
	t.Helper()
	for _, re := range []string{
		`(?m)^record_versions +31 rows$`,
		`(?m)^copied \d+ rows from `,
		`(?m)^row counts: every table of the target holds the rows read from the source$`,
		`(?m)^checkpoint: the target's newest, size \d+, root .*, is the source's$`,
		`(?m)^latest good checkpoint: `,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("db copy output does not match %s:\n%s", re, out)
		}
	}
}

// TestDBCopyRefuses: a target that holds anything, an unreachable
// database, and a copy onto itself are refused with an error saying so,
// and nothing is written.
func TestDBCopyRefuses(t *testing.T) {
	d := newLogDeployment(t, "sqlite", nil, nil, 3)
	unreachable := "postgres://postgres@127.0.0.1:1/handover?sslmode=disable&connect_timeout=2"
	fresh := filepath.Join(t.TempDir(), "fresh")
	keyed := t.TempDir()
	home := filepath.Join(t.TempDir(), "home")
	mustRunLS(t, "db", "copy", "--from", d.dsn, "--dir", d.dir, "--to", home)
	if err := os.WriteFile(filepath.Join(keyed, logKeyFile), []byte("a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"same directory", []string{"--from", home, "--to", home + "/."}, "same directory"},
		{"same database file", []string{"--from", d.dsn, "--dir", d.dir, "--to", filepath.Dir(d.dsn)}, "the same database"},
		{"target directory with keys", []string{"--from", d.dsn, "--dir", d.dir, "--to", keyed}, "holds keys already"},
		{"unreachable target", []string{"--from", d.dsn, "--dir", d.dir, "--to", unreachable}, "the target postgres://postgres@127.0.0.1:1/handover?sslmode=disable&connect_timeout=2: sqlstore.Open: the database does not answer"},
		{"unreachable source", []string{"--from", unreachable, "--dir", d.dir, "--to", fresh}, "the source postgres://"},
		{"no source", []string{"--from", filepath.Join(t.TempDir(), "nothing"), "--to", fresh}, "no such data directory"},
		{"no target", []string{"--from", d.dsn, "--dir", d.dir}, "give both --from and --to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runLS(t, append([]string{"db", "copy"}, tc.args...)...)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q, want an error saying %q\n%s", code, errOut, tc.want, out)
			}
			if _, err := os.Stat(fresh); err == nil {
				t.Fatalf("the refused copy made %s", fresh)
			}
		})
	}

	// A target database that holds anything.
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run("not empty "+dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			other, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.CreateParty(ctx, "XX", "Elsewhere"); err != nil {
				t.Fatal(err)
			}
			to := dsn
			if dialect == "sqlite" {
				to = filepath.Dir(dsn) // a directory with a database (DIR/handover.db) and no keys
			}
			code, _, errOut := runLS(t, "db", "copy", "--from", d.dsn, "--dir", d.dir, "--to", to)
			if code == 0 || !strings.Contains(errOut, "the target is not empty: its table parties holds 1 rows") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if dialect == "sqlite" {
				if _, err := os.Stat(filepath.Join(to, keyFile)); err == nil {
					t.Error("the refused copy wrote the data key into the target directory")
				}
			}
		})
	}
}
