package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// The tamper tests of docs/design/log.md at the command level: someone with
// the database changes it behind the store's back, and 'log audit',
// 'verify' or 'cosign' says so with exit status 1. Each runs on SQLite and,
// when HANDOVER_TEST_POSTGRES is set, on PostgreSQL.

const lsOrigin = "handover.test/log"

// runLS runs one command line in-process with no environment.
func runLS(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func mustRunLS(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runLS(t, args...)
	if code != 0 {
		t.Fatalf("handover %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// logDeployment is a deployment made with the commands (init, user add,
// keygen, key register) whose records the test writes through the store.
type logDeployment struct {
	dialect, dir, dsn string
	db                *sqlstore.DB
	signer            *sqlstore.Signer
	keys              string            // a trusted keys file: log key and witnesses
	witness           map[string]string // witness name → private key file
}

// store returns the --dir and --db flags of the deployment.
func (d *logDeployment) store() []string { return []string{"--dir", d.dir, "--db", d.dsn} }

// newLogDeployment initialises a deployment. With logKeyFrom set, it uses
// that deployment's log key (same origin, same key: a fork). It registers
// witness keys (witnessesFrom's, if given) and writes records records, then a
// checkpoint.
func newLogDeployment(t *testing.T, dialect string, logKeyFrom, witnessesFrom *logDeployment, records int) *logDeployment {
	t.Helper()
	ctx := context.Background()
	d := &logDeployment{dialect: dialect, dir: t.TempDir(), dsn: sqltest.DSN(t, dialect), witness: map[string]string{}}
	if logKeyFrom != nil {
		for _, f := range []string{logKeyFile, logPubFile} {
			b, err := os.ReadFile(filepath.Join(logKeyFrom.dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d.dir, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	// What 'handover init' does, with cheap password hashing: the script
	// runs init itself; here the deployment is only the stage.
	if err := os.WriteFile(filepath.Join(d.dir, keyFile), []byte(hex.EncodeToString(sqltest.Key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &Main{Getenv: func(string) string { return "" }}
	cfg, err := m.logConfig(d.dir, lsOrigin, true)
	if err != nil {
		t.Fatal(err)
	}
	d.signer = cfg.Signer
	if d.db, err = sqlstore.Open(ctx, sqlstore.Config{DSN: d.dsn, SealKey: sqltest.Key}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.db.Close() })
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := d.db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	for _, u := range []sqlstore.NewUser{
		{Login: "boss", Role: access.MediatorAdmin},
		{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA"},
		{Login: "ua-appr", Role: access.PartyApprover, Party: "UA"},
	} {
		u.Password, u.Argon2 = "a long enough password", cheap
		if _, err := d.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := os.ReadFile(filepath.Join(d.dir, logPubFile))
	if err != nil {
		t.Fatal(err)
	}
	trusted := []string{strings.TrimSpace(string(pub))}
	for _, w := range []struct{ name, party string }{{"ua-bureau", "UA"}, {"ru-bureau", "RU"}, {"mediator", ""}} {
		keyFile := filepath.Join(d.dir, w.name+".key")
		if witnessesFrom != nil {
			keyFile = witnessesFrom.witness[w.name]
		} else {
			mustRunLS(t, "keygen", "--name", w.name, "--out", keyFile)
		}
		d.witness[w.name] = keyFile
		skey, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		// Two people of the witness's side put its key in effect.
		trusted = append(trusted, sqltest.ActivateKey(t, d.db, strings.TrimSpace(string(skey)), w.party, sqlstore.KeyWitness))
	}
	d.keys = filepath.Join(d.dir, "trusted-keys.txt")
	if err := os.WriteFile(d.keys, []byte(strings.Join(trusted, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	d.addRecords(t, records, "Запис")
	if records > 0 {
		u, err := d.db.UserByLogin(ctx, "ua-reg")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := d.db.Records(ctx, u.Scope(), sqlstore.RecordFilter{Limit: 1})
		if err != nil || len(recs.Records) == 0 {
			t.Fatalf("records: %v", err)
		}
		f := recs.Records[0].Fields
		f.Notes = "corrected"
		if _, err := d.db.CorrectRecord(ctx, u.Scope(), recs.Records[0].ID, 1, f, "note"); err != nil {
			t.Fatal(err)
		}
	}
	d.checkpoint(t)
	return d
}

// addRecords creates n UA records in one transaction.
func (d *logDeployment) addRecords(t *testing.T, n int, prefix string) {
	t.Helper()
	if n == 0 {
		return
	}
	ctx := context.Background()
	u, err := d.db.UserByLogin(ctx, "ua-reg")
	if err != nil {
		t.Fatal(err)
	}
	var nrs []sqlstore.NewRecord
	for i := range n {
		nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
			Surname: fmt.Sprintf("%s%d", prefix, i), GivenNames: "Олександр", Health: "здоровий",
			BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}}})
	}
	if _, err := d.db.CreateRecords(ctx, u.Scope(), nrs); err != nil {
		t.Fatal(err)
	}
}

func (d *logDeployment) checkpoint(t *testing.T) {
	t.Helper()
	if _, err := d.db.Checkpoint(context.Background(), d.signer, audit.CheckpointSchedule{}, true); err != nil {
		t.Fatal(err)
	}
}

// serve serves the deployment's API in-process and returns its URL and a
// token of the UA approver (who may cosign).
func (d *logDeployment) serve(t *testing.T) (url, token string) {
	t.Helper()
	pub, err := os.ReadFile(filepath.Join(d.dir, logPubFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Signer: d.signer, LogVKey: strings.TrimSpace(string(pub))}
	srv := httptest.NewServer(web.New(d.db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg).Handler())
	t.Cleanup(srv.Close)
	u, err := d.db.UserByLogin(context.Background(), "ua-appr")
	if err != nil {
		t.Fatal(err)
	}
	u.MFA = true // logged in with the second factor
	tok, _, err := d.db.CreateToken(context.Background(), u.Scope(), "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, tok
}

// raw opens the deployment's database directly, as its owner could, with
// the append-only triggers dropped (SQLite) or disabled (PostgreSQL).
func (d *logDeployment) raw(t *testing.T) func(q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	driver, dsn := "pgx", d.dsn
	if d.dialect == "sqlite" {
		driver, dsn = "sqlite", "file:"+d.dsn+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if d.dialect == "postgres" {
		for _, tbl := range []string{"log_leaves", "log_hashes", "log_checkpoints", "log_cosignatures", "record_versions", "records"} {
			if _, err := db.ExecContext(ctx, `ALTER TABLE `+tbl+` DISABLE TRIGGER USER`); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger'`)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			if _, err := db.ExecContext(ctx, `DROP TRIGGER `+n); err != nil {
				t.Fatal(err)
			}
		}
	}
	return func(q string, args ...any) {
		t.Helper()
		if d.dialect == "postgres" {
			n := 0
			q = regexp.MustCompile(`\?`).ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestLogAuditTamper(t *testing.T) {
	t.Parallel()
	// Leaves 0–2 create the accounts, 3–14 make each witness's two keyholders
	// and propose and confirm its key, 15–19 create records, 20 corrects one;
	// one checkpoint of size 30, recorded by leaf 30.
	tests := []struct {
		name   string
		tamper func(exec func(string, ...any))
		want   []string // fragments of the audit's output
	}{
		{"change a record field", func(exec func(string, ...any)) {
			exec(`UPDATE record_versions SET body = REPLACE(body, 'Запис2', 'Підмінений') WHERE version = 1`)
		}, []string{"no longer match leaf 26's commitment", "[record-changed]"}},
		{"delete a leaf", func(exec func(string, ...any)) {
			exec(`DELETE FROM log_leaves WHERE idx = 16`)
		}, []string{"leaf 16", "[leaf-missing]"}},
		{"change a leaf", func(exec func(string, ...any)) {
			exec(`UPDATE log_leaves SET data = (SELECT data FROM log_leaves WHERE idx = 17) WHERE idx = 16`)
		}, []string{"leaf 16", "[leaf-hash-differs]"}},
		{"reorder two leaves", func(exec func(string, ...any)) {
			exec(`UPDATE log_leaves SET idx = 1000 WHERE idx = 17`)
			exec(`UPDATE log_leaves SET idx = 17 WHERE idx = 18`)
			exec(`UPDATE log_leaves SET idx = 18 WHERE idx = 1000`)
		}, []string{"leaf 17", "leaf 18"}},
		{"truncate the log", func(exec func(string, ...any)) {
			exec(`DELETE FROM log_hashes WHERE idx >= ?`, audit.StoredHashIndex(18))
			exec(`DELETE FROM log_leaves WHERE idx >= 18`)
		}, []string{"has no leaf in the log", "[record-unlogged]", "checkpoint"}},
		{"delete the checkpoint", func(exec func(string, ...any)) {
			exec(`DELETE FROM log_cosignatures`)
			exec(`DELETE FROM log_checkpoints`)
		}, []string{"checkpoint of size 30, which leaf 30 records as made, is missing from the stored checkpoints: deleted?  [checkpoint-missing]",
			"WARNING: no stored checkpoint verified"}},
	}
	for _, dialect := range sqltest.Dialects(t) {
		for _, tc := range tests {
			t.Run(dialect+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				d := newLogDeployment(t, dialect, nil, nil, 5)
				// Sound before.
				out := mustRunLS(t, append([]string{"log audit"}, d.store()...)...)
				if !strings.HasPrefix(out, "OK: 31 leaves") {
					t.Fatalf("clean audit:\n%s", out)
				}
				tc.tamper(d.raw(t))
				for _, keys := range [][]string{nil, {"--keys", d.keys}} {
					code, out, errOut := runLS(t, append(append([]string{"log audit"}, d.store()...), keys...)...)
					if code != 1 {
						t.Fatalf("log audit %v after %s: exit %d, want 1\n%s%s", keys, tc.name, code, out, errOut)
					}
					if !strings.HasPrefix(out, "FAILED") || !strings.Contains(errOut, "the log failed the audit") {
						t.Errorf("no verdict:\n%s%s", out, errOut)
					}
					for _, w := range tc.want {
						if !strings.Contains(out, w) {
							t.Errorf("audit output lacks %q:\n%s", w, out)
						}
					}
				}
			})
		}
	}
}

// TestLogAuditOutsideCheckpoint removes the end of the log together with
// the checkpoint after it and the rows it recorded: consistent inside the
// database, so only a checkpoint kept outside it (a witness's state) shows
// the rollback, and the audit says so when it has none.
func TestLogAuditOutsideCheckpoint(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := newLogDeployment(t, dialect, nil, nil, 5) // checkpoint 30, leaf 30 records it
			d.addRecords(t, 2, "Стертий")                  // leaves 31, 32
			d.checkpoint(t)                                // checkpoint 33, leaf 33
			cp, err := d.db.LatestCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			state := filepath.Join(t.TempDir(), "ua.state")
			if err := os.WriteFile(state, cp, 0o644); err != nil {
				t.Fatal(err)
			}
			run := func(extra ...string) (int, string) {
				code, out, errOut := runLS(t, append(append([]string{"log audit"}, d.store()...), extra...)...)
				return code, out + errOut
			}
			if code, out := run("--checkpoint", state); code != 0 || !strings.Contains(out, "checkpoint from "+state+": 33 leaves: the log extends it") {
				t.Fatalf("clean audit with the state: exit %d\n%s", code, out)
			}
			exec := d.raw(t)
			exec(`DELETE FROM log_leaves WHERE idx >= 31`)
			exec(`DELETE FROM log_hashes WHERE idx >= ?`, audit.StoredHashIndex(31))
			exec(`DELETE FROM log_checkpoints WHERE size = 33`)
			exec(`DELETE FROM record_terms WHERE record_seq > 5`)
			exec(`DELETE FROM record_versions WHERE record_seq > 5`)
			exec(`DELETE FROM records WHERE seq > 5`)
			code, out := run()
			if code != 0 || !strings.Contains(out, "no checkpoint from outside the database to compare with (--checkpoint FILE): the 31 leaves rest on this database alone") {
				t.Fatalf("audit without an outside checkpoint: exit %d\n%s", code, out)
			}
			code, out = run("--checkpoint", state)
			if code != 1 || !strings.Contains(out, "the log has only 31 leaves, but "+state+" holds a checkpoint of size 33 signed by the log key: leaves were removed from its end (truncated or rolled back)  [log-rolled-back]") {
				t.Fatalf("audit with the state: exit %d\n%s", code, out)
			}
		})
	}
}

func TestCosignRefusesForkedLog(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			// The honest log, cosigned by the UA bureau at size 30.
			a := newLogDeployment(t, dialect, nil, nil, 5)
			url, tok := a.serve(t)
			state := filepath.Join(t.TempDir(), "ua.state")
			cosign := func(url, tok string) (int, string, string) {
				return runLS(t, "cosign", "--server", url, "--token", tok, "--key", a.witness["ua-bureau"], "--state", state, "--keys", a.keys)
			}
			code, out, errOut := cosign(url, tok)
			if code != 0 || !strings.Contains(errOut, "trusting the current checkpoint (size 30,") || !strings.Contains(out, "cosigned size 30") {
				t.Fatalf("first cosign: exit %d\n%s%s", code, out, errOut)
			}
			saved, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			// Again at the same size: nothing new, still fine.
			if code, out, errOut := cosign(url, tok); code != 0 {
				t.Fatalf("cosign again: exit %d\n%s%s", code, out, errOut)
			}
			saved, _ = os.ReadFile(state)

			// Another history under the same origin and log key, shown to
			// the same witness: first at the same size, then grown, then
			// shorter.
			b := newLogDeployment(t, dialect, a, a, 5)
			bURL, bTok := b.serve(t)
			c := newLogDeployment(t, dialect, a, a, 0)
			cURL, cTok := c.serve(t)
			e := newLogDeployment(t, dialect, a, a, 7) // 32 leaves and the checkpoint's, no checkpoint at 30
			eURL, eTok := e.serve(t)
			check := func(what, url, tok, want string) {
				t.Helper()
				code, out, errOut := cosign(url, tok)
				if code != 1 {
					t.Fatalf("cosign of %s: exit %d, want 1\n%s%s", what, code, out, errOut)
				}
				for _, w := range []string{want, "refusing to cosign", "ua.state left unchanged"} {
					if !strings.Contains(errOut, w) {
						t.Errorf("cosign of %s: stderr lacks %q:\n%s", what, w, errOut)
					}
				}
				if now, _ := os.ReadFile(state); !bytes.Equal(now, saved) {
					t.Errorf("cosign of %s changed the state file", what)
				}
			}
			check("a fork of the same size", bURL, bTok, "the log forked: two different roots for size 30")
			b.addRecords(t, 2, "Інший")
			b.checkpoint(t)
			check("a grown fork", bURL, bTok, "the log forked: checkpoint at size 34 is not an extension of the cosigned checkpoint at size 30")
			check("a shorter log", cURL, cTok, "the log shrank: new checkpoint has 24 leaves, but size 30 was already cosigned")
			check("a log without the cosigned checkpoint", eURL, eTok, "the log forked: the server has no checkpoint of size 30, which this witness cosigned")
			for _, dd := range []*logDeployment{b, c, e} {
				cp, err := dd.db.LatestCheckpoint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(cp), "— ua-bureau") {
					t.Errorf("the forked log got a cosignature:\n%s", cp)
				}
			}

			// The honest log grows: the witness cosigns again.
			a.addRecords(t, 1, "Новий")
			a.checkpoint(t)
			if code, out, errOut := cosign(url, tok); code != 0 || !strings.Contains(out, "cosigned size 34") || !strings.Contains(out, "extends size 30") {
				t.Fatalf("cosign of the grown log: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestUnregisteredCheckpointKeyRefused(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := newLogDeployment(t, dialect, nil, nil, 2)
			// Whoever holds the database signs a checkpoint with a key of the
			// same name that no one registered.
			skey, _, err := audit.GenerateKey(lsOrigin)
			if err != nil {
				t.Fatal(err)
			}
			rogue, err := sqlstore.NewSigner(skey)
			if err != nil {
				t.Fatal(err)
			}
			d.addRecords(t, 1, "Новий")
			if _, err := d.db.Checkpoint(ctx, rogue, audit.CheckpointSchedule{}, true); err != nil {
				t.Fatal(err)
			}
			for _, keys := range [][]string{nil, {"--keys", d.keys}} {
				code, out, errOut := runLS(t, append(append([]string{"log audit"}, d.store()...), keys...)...)
				if code != 1 || !strings.Contains(out, "[checkpoint-signature]") || !strings.Contains(out, "size 29") {
					t.Errorf("log audit %v: exit %d, want 1 naming the checkpoint of size 29\n%s%s", keys, code, out, errOut)
				}
			}
			// A proof against that checkpoint does not verify offline.
			p, err := d.db.ProveInclusion(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			proof := filepath.Join(t.TempDir(), "leaf0.proof")
			if err := os.WriteFile(proof, p, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runLS(t, "verify", "inclusion", "--proof", proof, "--keys", d.keys, "--policy", "none")
			if code != 1 || !strings.Contains(errOut, "handover verify inclusion:") {
				t.Errorf("verify inclusion: exit %d, want 1\n%s%s", code, out, errOut)
			}
			t.Logf("verify: %s", errOut)
			// And no witness cosigns it.
			url, tok := d.serve(t)
			state := filepath.Join(t.TempDir(), "ua.state")
			code, out, errOut = runLS(t, "cosign", "--server", url, "--token", tok, "--key", d.witness["ua-bureau"], "--state", state, "--keys", d.keys)
			if code != 1 || !strings.Contains(errOut, "refusing to cosign") {
				t.Errorf("cosign: exit %d, want 1\n%s%s", code, out, errOut)
			}
			if _, err := os.Stat(state); err == nil {
				t.Error("a state file was written for a checkpoint signed by an unregistered key")
			}
		})
	}
}

func TestLogAuditFromServer(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			d := newLogDeployment(t, dialect, nil, nil, 300) // two entry bundles
			url, tok := d.serve(t)
			out := mustRunLS(t, "log audit", "--server", url, "--token", tok, "--keys", d.keys)
			if !strings.HasPrefix(out, "OK: 325 leaves") {
				t.Fatalf("server audit:\n%s", out)
			}
			// A changed leaf no longer hashes to the signed root.
			d.raw(t)(`UPDATE log_leaves SET data = (SELECT data FROM log_leaves WHERE idx = 5) WHERE idx = 260`)
			code, out, errOut := runLS(t, "log audit", "--server", url, "--token", tok, "--keys", d.keys)
			if code != 1 || !strings.Contains(out, "[checkpoint-root]") {
				t.Errorf("server audit after a changed leaf: exit %d, want 1 with a root mismatch\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestLogServerCommandsHelp(t *testing.T) {
	for _, c := range []string{"key propose", "key confirm", "key revoke", "key changes", "key list", "log keys", "log checkpoint", "log proof", "log audit", "cosign"} {
		code, out, _ := runLS(t, append(strings.Fields(c), "--help")...)
		if code != 0 || !strings.Contains(out, "Usage: handover "+c) || !strings.Contains(out, "Example:\n  handover "+c) {
			t.Errorf("%s --help: exit %d, %q", c, code, out)
		}
	}
	// Usage mistakes are exit status 2.
	for _, args := range [][]string{
		{"log proof", "--server", "http://127.0.0.1:1", "--token", "x"},
		{"cosign", "--key", "k"},
		{"key propose", "--server", "http://127.0.0.1:1", "--token", "x"},
		{"key confirm", "--server", "http://127.0.0.1:1", "--token", "x"},
	} {
		if code, out, errOut := runLS(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, code, out, errOut)
		}
	}
}

// TestKeyCommands: a party's key through the CLI as its people run it:
// proposed by one approver, refused to the wrong people, confirmed by a
// second one with an endorsement by the party's key in effect, seen by
// everyone, revoked.
func TestKeyCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newLogDeployment(t, "sqlite", nil, nil, 0)
	out := mustRunLS(t, append([]string{"key list"}, d.store()...)...)
	for _, w := range []string{`mediator\s+-\s+witness\s+active`, `ru-bureau\s+RU`, `ua-bureau\s+UA\s+witness\s+active\s+[0-9a-f ]+ua-keyholder-1\s+ua-keyholder-2`} {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("key list lacks %q:\n%s", w, out)
		}
	}
	url, tok := d.serve(t)
	as := func(token string, args ...string) []string { return append(args, "--server", url, "--token", token) }
	// A second UA approver, and RU's.
	second := map[string]string{}
	for _, u := range []struct{ login, party string }{{"ua-appr-2", "UA"}, {"ru-appr", "RU"}} {
		usr, err := d.db.CreateUser(ctx, sqlstore.NewUser{Login: u.login, Role: access.PartyApprover, Party: u.party, Password: "a long enough password",
			Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		usr.MFA = true
		if second[u.login], _, err = d.db.CreateToken(ctx, usr.Scope(), "t", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	_, vkey, err := audit.GenerateKey("UA-signer-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a private key", as(tok, "key propose", "--vkey", d.witness["ua-bureau"]), 2, "holds a private key"},
		{"twice", as(tok, "key propose", "--vkey", mustCosignerVKey(t, d.witness["ua-bureau"])), 1, "registered already"},
		{"not a key", as(tok, "key propose", "--vkey", "nonsense"), 2, "neither a verifier key"},
		{"for the other party", as(tok, "key propose", "--vkey", vkey, "--party", "RU"), 1, "may not key.propose for RU"},
		{"no key", as(tok, "key propose"), 2, "--vkey is required"},
		{"the log's own key", as(tok, "key propose", "--vkey", filepath.Join(d.dir, logPubFile)), 2, "cannot be named handover.test/log"},
		{"a bad purpose", as(tok, "key propose", "--vkey", vkey, "--purpose", "cook"), 2, "use witness or signer"},
	} {
		code, out, errOut := runLS(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, code, tc.code, tc.want, out, errOut)
		}
	}
	out = mustRunLS(t, as(tok, "key propose", "--vkey", vkey, "--purpose", "signer")...)
	if !strings.Contains(out, "key UA-signer-2 proposed (party UA, signer): not in effect until a second person of party UA confirms it") {
		t.Errorf("key propose printed %q", out)
	}
	for _, tc := range []struct {
		name, token, want string
	}{
		{"its proposer", tok, "a second person of UA must confirm it"},
		{"RU's approver", second["ru-appr"], "may not key.confirm for UA"},
		{"a second UA approver without an endorsement", second["ua-appr-2"], "must be endorsed"},
	} {
		if code, out, errOut := runLS(t, as(tc.token, "key confirm", "UA-signer-2")...); code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("confirmed by %s: exit %d, want 1 with %q\n%s%s", tc.name, code, tc.want, out, errOut)
		}
	}
	out = mustRunLS(t, as(second["ua-appr-2"], "key confirm", "UA-signer-2", "--endorse-with", d.witness["ua-bureau"])...)
	if !strings.Contains(out, "key UA-signer-2 confirmed: in effect for party UA (signer), proposed by ua-appr, confirmed by ua-appr-2") {
		t.Errorf("key confirm printed %q", out)
	}
	out = mustRunLS(t, as(second["ru-appr"], "key changes")...)
	for _, w := range []string{`UA-signer-2\s+UA\s+signer\s+active`, `UA-signer-2\s+UA\s+proposed\s+ua-appr \(party_approver, UA\)`,
		`UA-signer-2\s+UA\s+confirmed \(endorsed by ua-bureau\)\s+ua-appr-2 \(party_approver, UA\)`} {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("key changes as RU lacks %q:\n%s", w, out)
		}
	}
	if code, _, errOut := runLS(t, as(tok, "key revoke", "UA-signer-2")...); code != 2 || !strings.Contains(errOut, "say why") {
		t.Errorf("revoke without a reason: exit %d\n%s", code, errOut)
	}
	out = mustRunLS(t, as(tok, "key revoke", "UA-signer-2", "--reason", "a test key")...)
	if !strings.Contains(out, "key UA-signer-2 revoked (party UA) by ua-appr") {
		t.Errorf("key revoke printed %q", out)
	}
	// Usage mistakes of the other commands.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"log proof", "--index", "1", "--from", "2", "--server", "http://127.0.0.1:1", "--token", "x"}, "give one of --index"},
		{append([]string{"log audit", "--server", "http://127.0.0.1:1"}, d.store()...), "either --server or --dir"},
		{[]string{"cosign", "--key", d.witness["ua-bureau"], "--keys", d.keys}, "--state is required"},
	} {
		if code, out, errOut := runLS(t, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s%s", tc.args, code, tc.want, out, errOut)
		}
	}
}

func mustCosignerVKey(t *testing.T, keyFile string) string {
	t.Helper()
	skey, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return sqltest.VerifierKey(t, string(skey))
}
