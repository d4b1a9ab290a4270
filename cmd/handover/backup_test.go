package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
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

// TestBackupRestore backs a deployment up on each database, signed and
// encrypted to two recipients, and restores it with either identity into
// a new data directory (and an empty PostgreSQL database when
// configured), with a checkpoint the witness holds: the restore checks the
// signature, passes the audit, finds the same checkpoint, and 'log audit'
// passes on it.
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
				for _, want := range []string{"signature: made by this deployment's log key", "the backup's log is the one its signature states",
					"restored ", "row counts: every table", "checkpoint: the target's newest", "latest good checkpoint"} {
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

	reason := "the disk died; the newest backup is older"
	out = mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--checkpoint", held, "--force-rollback", reason)
	if !strings.Contains(out, "ROLLBACK FORCED ("+reason+"): 3 logged changes after the backup are lost") {
		t.Fatalf("the forced rollback is not said loudly:\n%s", out)
	}
	mustRunLS(t, "log", "audit", "--dir", to)
	// The reason is the restored log's newest leaf.
	ctx := context.Background()
	r, err := sqlstore.Open(ctx, sqlstore.Config{DSN: filepath.Join(to, "handover.db"), SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, err := r.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := r.Leaf(ctx, n-1)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := audit.DecodeLeaf(data)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := audit.PeekCheckpoint(cp)
	want := audit.Commit("handover/rollback/v1", audit.Nonce{}, sqlstore.RollbackContent(reason, 3, c.String()))
	if leaf.Type != "log.rollback" || leaf.Commitment != want {
		t.Fatalf("the restored log's newest leaf is %+v, want a log.rollback committing to the reason", leaf)
	}
}

// BenchmarkBackupRestore backs up, on each database, a deployment of
// HANDOVER_BENCH_RECORDS records (default 100,000; each a log leaf) whose
// log filler leaves (sqltest.AppendFiller, of a type the audit's replay
// skips) bring to HANDOVER_BENCH_LOG_LEAVES leaves (default 1,000,000),
// with a checkpoint over every leaf but its own; and restores each backup
// into a new data directory (SQLite) and, when HANDOVER_TEST_POSTGRES is
// set, into an empty PostgreSQL database. It reports the seconds of the
// backup, the backup's size, and the seconds of each restore (the audits
// of the backup and of the target included) and of its copy alone. The
// benchmarks print figures; none fails on time.
//
//	HANDOVER_BENCH_RECORDS=5000 HANDOVER_BENCH_LOG_LEAVES=20000 \
//	  go test -run '^$' -bench BackupRestore -benchtime 1x -timeout 0 ./cmd/handover
func BenchmarkBackupRestore(b *testing.B) {
	records := 100_000
	if v := os.Getenv("HANDOVER_BENCH_RECORDS"); v != "" {
		var err error
		if records, err = strconv.Atoi(v); err != nil || records < 1 {
			b.Fatalf("HANDOVER_BENCH_RECORDS=%q: want a positive number", v)
		}
	}
	leaves := sqltest.BigLogSize(b)
	targets := benchDialectsCLI()
	copied := regexp.MustCompile(`restored \d+ rows into .* in (\S+); log of (\d+) leaves`)
	for _, dialect := range benchDialectsCLI() {
		b.Run(fmt.Sprintf("%s/records=%d/leaves=%d", dialect, records, leaves), func(b *testing.B) {
			dir, dsn := benchBackupDeployment(b, dialect, records, leaves)
			id, rec := ageKeyB(b)
			var backupT time.Duration
			restoreT, copyT := map[string]time.Duration{}, map[string]time.Duration{}
			var size int64
			for b.Loop() {
				file := filepath.Join(b.TempDir(), "h.age")
				start := time.Now()
				if code, _, errOut := runLSB(b, "backup", "--dir", dir, "--db", dsn, "--out", file, "--recipient", rec); code != 0 {
					b.Fatal(errOut)
				}
				backupT += time.Since(start)
				fi, err := os.Stat(file)
				if err != nil {
					b.Fatal(err)
				}
				size = fi.Size()
				for _, target := range targets {
					to := filepath.Join(b.TempDir(), "r")
					if target == "postgres" {
						to = sqltest.DSN(b, "postgres")
					}
					start = time.Now()
					code, out, errOut := runLSB(b, "restore", file, "--identity", id, "--dir", dir, "--to", to)
					if code != 0 {
						b.Fatalf("restore into %s: %s", target, errOut)
					}
					restoreT[target] += time.Since(start)
					m := copied.FindStringSubmatch(out)
					if m == nil || m[2] != strconv.FormatInt(leaves, 10) {
						b.Fatalf("restore into %s: no copy of a log of %d leaves said:\n%s", target, leaves, out)
					}
					d, err := time.ParseDuration(m[1])
					if err != nil {
						b.Fatalf("restore into %s: the copy's time %q: %v", target, m[1], err)
					}
					copyT[target] += d
				}
			}
			b.ReportMetric(backupT.Seconds()/float64(b.N), "s/backup")
			b.ReportMetric(float64(size)/1e6, "MB")
			for _, target := range targets {
				b.ReportMetric(restoreT[target].Seconds()/float64(b.N), "s/restore-"+target)
				b.ReportMetric(copyT[target].Seconds()/float64(b.N), "s/copy-"+target)
			}
		})
	}
}

// benchBackupDeployment makes a deployment on the dialect, as 'handover
// init' would (cheap password hashing), of records records and a log of
// leaves leaves: the records' own, filler, and a checkpoint's (the last),
// the checkpoint over all the others. It returns the data directory and
// the database's DSN.
func benchBackupDeployment(b *testing.B, dialect string, records int, leaves int64) (dir, dsn string) {
	ctx := context.Background()
	dir, dsn = b.TempDir(), sqltest.DSN(b, dialect)
	if err := os.WriteFile(filepath.Join(dir, keyFile), []byte(hex.EncodeToString(sqltest.Key)+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	m := &Main{Getenv: func(string) string { return "" }}
	cfg, err := m.logConfig(dir, lsOrigin, true)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA",
		Password: "a long enough password", Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for first := 0; first < records; first += 5000 {
		var nrs []sqlstore.NewRecord
		for i := first; i < min(records, first+5000); i++ {
			nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
				Surname: fmt.Sprintf("Запис%d", i), GivenNames: "Олександр", Health: "здоровий", BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}}})
		}
		if _, err := db.CreateRecords(ctx, u.Scope(), nrs); err != nil {
			b.Fatal(err)
		}
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d records, a log of %d leaves, in %s", dialect, records, size, time.Since(start).Round(time.Millisecond))
	if filler := leaves - 1 - size; filler < 0 {
		b.Fatalf("HANDOVER_BENCH_LOG_LEAVES=%d: the records and the checkpoint take %d leaves already", leaves, size+1)
	} else if filler > 0 {
		start = time.Now()
		size = sqltest.AppendFiller(b, dialect, dsn, filler)
		b.Logf("%s: %d filler leaves appended, a log of %d leaves, in %s", dialect, filler, size, time.Since(start).Round(time.Millisecond))
	}
	if _, err := db.Checkpoint(ctx, cfg.Signer, audit.CheckpointSchedule{}, true); err != nil {
		b.Fatal(err)
	}
	if got, err := db.LogSize(ctx); err != nil || got != leaves {
		b.Fatalf("the log holds %d leaves (%v), want %d", got, err, leaves)
	}
	return dir, dsn
}

func benchDialectsCLI() []string {
	if os.Getenv("HANDOVER_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

func ageKeyB(b *testing.B) (identityFile, recipient string) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	identityFile = filepath.Join(b.TempDir(), "id.agekey")
	if err := os.WriteFile(identityFile, []byte(id.String()+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	return identityFile, id.Recipient().String()
}

func runLSB(b *testing.B, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// TestBackupHoldsNoKey: neither the data key nor the log's signing key is
// in a backup, in any encoding: the backup is decrypted and its clear
// database searched for the keys' bytes, hex and base64; and no clear
// copy is left beside the backup, nor in the data directory.
func TestBackupHoldsNoKey(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := newLogDeployment(t, dialect, nil, nil, 5)
			idFile, rec := ageKey(t)
			outDir := t.TempDir()
			file := filepath.Join(outDir, "handover.age")
			mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
			ents, err := os.ReadDir(outDir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 1 {
				t.Fatalf("beside the backup: %v, want the backup alone", ents)
			}
			if left, _ := filepath.Glob(filepath.Join(d.dir, ".handover-backup-*")); len(left) != 0 {
				t.Fatalf("the backup left its clear snapshot in the data directory: %v", left)
			}
			_, clear := openBackupFile(t, file, idFile)
			plain, err := os.ReadFile(clear)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(plain, []byte("SQLite format 3")) {
				t.Fatal("the decrypted backup is not an SQLite database")
			}
			logKey, err := os.ReadFile(filepath.Join(d.dir, logKeyFile))
			if err != nil {
				t.Fatal(err)
			}
			skey := strings.TrimSpace(string(logKey))
			// PRIVATE+KEY+<name>+<hash>+<base64>: the base64 part may hold
			// '+' itself, so it is the fifth field, not what follows the last '+'.
			parts := strings.SplitN(skey, "+", 5)
			if len(parts) != 5 || len(parts[4]) < 40 {
				t.Fatalf("the log key is not a signer key: %d fields", len(parts))
			}
			b64 := parts[4]
			secrets := map[string][]byte{
				"the data key":              sqltest.Key,
				"the data key in hex":       []byte(hex.EncodeToString(sqltest.Key)),
				"the data key in base64":    []byte(base64.StdEncoding.EncodeToString(sqltest.Key)),
				"the log key":               []byte(skey),
				"the log key's base64 part": []byte(b64),
				"the log key's seed":        nil,
			}
			if raw, err := base64.StdEncoding.DecodeString(b64); err == nil && len(raw) > 1 {
				secrets["the log key's seed"] = raw[1:] // the algorithm byte, then the key
			}
			for what, b := range secrets {
				if len(b) == 0 {
					continue
				}
				if bytes.Contains(plain, b) {
					t.Errorf("the backup holds %s in clear", what)
				}
			}
			// The test searches the right place: what the backup holds in
			// clear is found in it.
			if !bytes.Contains(plain, []byte(sqlstore.KeyID(sqltest.Key))) {
				t.Error("the data key's id is not in the backup: the search looked in the wrong place")
			}
		})
	}
}

// TestRestoreRefusesATamperedBackup is the attack of the security review
// of issue 19: anyone holding a recipient's identity decrypts a backup,
// plants an enrolment code for the mediator's administrator (user_codes
// was not covered by the log then, so the audit passed; it now reports the
// code, but the signature refuses the backup before any audit), encrypts it
// again to the public recipient and hands it over as the newest backup. With the
// statement kept, the database is not the one it signs; without it, the
// backup is unsigned. Either is refused, and nothing is written: no
// target, no clear copy left.
func TestRestoreRefusesATamperedBackup(t *testing.T) {
	d := newLogDeployment(t, "sqlite", nil, nil, 5)
	id, rec := ageKey(t)
	file := filepath.Join(t.TempDir(), "handover.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	statement, clear := openBackupFile(t, file, id)
	if statement == nil {
		t.Fatal("the backup carries no signed statement")
	}
	plantEnrolmentCode(t, clear, "boss")
	rs, err := age.ParseRecipients(strings.NewReader(rec))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		statement  []byte
	}{
		{"the statement kept", "is not the one its signature states", statement},
		{"the statement dropped", "carries no signature", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := filepath.Join(t.TempDir(), "forged.age")
			if err := encryptBackup(tc.statement, clear, forged, rs); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			to := filepath.Join(parent, "restored")
			code, out, errOut := runLS(t, "restore", forged, "--identity", id, "--dir", d.dir, "--to", to)
			if code == 0 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "nothing restored") {
				t.Fatalf("exit %d, want a refusal saying %q:\n%s%s", code, tc.want, out, errOut)
			}
			if tc.statement == nil && !strings.Contains(errOut, "--accept-unsigned REASON") {
				t.Errorf("the refusal of an unsigned backup does not name --accept-unsigned:\n%s", errOut)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 0 {
				t.Fatalf("the refused restore left %v beside the target", ents)
			}
		})
	}
}

// TestRestoreAcceptsUnsignedWithAReason: a backup of a version from before
// signed backups (the database alone) is restored with --accept-unsigned
// REASON, and the reason, with the database's SHA-256, is the restored
// log's newest leaf.
func TestRestoreAcceptsUnsignedWithAReason(t *testing.T) {
	d := newLogDeployment(t, "sqlite", nil, nil, 5)
	id, rec := ageKey(t)
	file := filepath.Join(t.TempDir(), "handover.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	_, clear := openBackupFile(t, file, id)
	rs, err := age.ParseRecipients(strings.NewReader(rec))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "old.age")
	if err := encryptBackup(nil, clear, old, rs); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "restored")
	reason := "the only backup of May, made before signed backups"
	out := mustRunLS(t, "restore", old, "--identity", id, "--dir", d.dir, "--to", to, "--accept-unsigned", reason)
	if !strings.Contains(out, "UNSIGNED BACKUP ACCEPTED ("+reason+")") {
		t.Fatalf("the restore does not say it accepted an unsigned backup:\n%s", out)
	}
	mustRunLS(t, "log", "audit", "--dir", to)
	sum, _, err := hashFile(clear)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := sqlstore.Open(ctx, sqlstore.Config{DSN: filepath.Join(to, "handover.db"), SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, err := r.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := r.Leaf(ctx, n-1)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := audit.DecodeLeaf(data)
	if err != nil {
		t.Fatal(err)
	}
	size, root, err := d.db.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log := fmt.Sprintf("size %d, root %s", size, base64.StdEncoding.EncodeToString(root[:]))
	want := audit.Commit("handover/unsigned-restore/v1", audit.Nonce{}, sqlstore.UnsignedRestoreContent(reason, hex.EncodeToString(sum[:]), log))
	if leaf.Type != "log.unsigned_restore" || leaf.Commitment != want {
		t.Fatalf("the restored log's newest leaf is %+v, want a log.unsigned_restore committing to the reason", leaf)
	}
}

// TestRestoreRefusesAnotherLog: a backup signed by another deployment's
// log key is refused, and so is a checkpoint of another log given to
// compare with, which is not taken for a newer one of this log (no
// ROLLBACK): nothing is written either way.
func TestRestoreRefusesAnotherLog(t *testing.T) {
	ours := newLogDeployment(t, "sqlite", nil, nil, 5)
	theirs := newLogDeployment(t, "sqlite", nil, nil, 30)
	id, rec := ageKey(t)
	file := filepath.Join(t.TempDir(), "theirs.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, theirs.store()...)...)
	parent := t.TempDir()
	to := filepath.Join(parent, "restored")
	code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", ours.dir, "--to", to)
	if code == 0 || !strings.Contains(errOut, "was not made by this deployment") || !strings.Contains(errOut, "not signed by this log's key") {
		t.Fatalf("another deployment's backup: exit %d\n%s%s", code, out, errOut)
	}

	file = filepath.Join(t.TempDir(), "ours.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, ours.store()...)...)
	cp, err := theirs.db.LatestCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(t.TempDir(), "foreign.state")
	if err := os.WriteFile(foreign, cp, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runLS(t, "restore", file, "--identity", id, "--dir", ours.dir, "--to", to, "--checkpoint", foreign, "--force-rollback", "a test")
	if code == 0 || !strings.Contains(errOut, "is not a checkpoint of this log") || strings.Contains(errOut+out, "ROLLBACK") {
		t.Fatalf("a checkpoint of another log: exit %d\n%s%s", code, out, errOut)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Fatalf("the refused restores left %v beside the target", ents)
	}
}

// openBackupFile decrypts a backup with the identity in idFile as a
// restore reads it: its signed statement (nil for a backup without one),
// and its database, written to a clear file of the test.
func openBackupFile(t *testing.T, file, idFile string) (statement []byte, db string) {
	t.Helper()
	f, err := os.Open(idFile)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	plain, err := age.Decrypt(in, ids...)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(plain)
	if statement, err = readStatement(br); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(t.TempDir(), "clear.db")
	if _, _, err := writeDatabase(br, db); err != nil {
		t.Fatal(err)
	}
	return statement, db
}

// plantEnrolmentCode adds an enrolment code for login to the clear SQLite
// database at path, around the store, as an attacker would.
func plantEnrolmentCode(t *testing.T, path, login string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	res, err := db.Exec(`INSERT INTO user_codes (user_id, purpose, hash, created_at, expires_at)
		SELECT id, 'enrol', ?, ?, ? FROM users WHERE login = ?`, access.HashCode(access.NewCode()),
		now.Format(time.RFC3339Nano), now.Add(24*time.Hour).Format(time.RFC3339Nano), login)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("planted %d codes", n)
	}
}

// TestBackupKilledLeavesNoClearCopy kills 'handover backup' with SIGKILL
// once its clear snapshot is made (the kill a timeout, the OOM killer or
// a power cut deals: no deferred cleanup runs), and 'handover restore'
// once it has decrypted the backup. Nothing is left in the directory of
// the backups; the clear copy a killed run leaves is inside the data
// directory (or beside the restore's target), and the next run removes it
// and says so.
func TestBackupKilledLeavesNoClearCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process: skipped under -short")
	}
	d := newLogDeployment(t, "sqlite", nil, nil, 5)
	id, rec := ageKey(t)
	backups := t.TempDir()
	file := filepath.Join(backups, "handover.age")
	killed := func(step string, args ...string) {
		t.Helper()
		cmd := exec.Command("handover", args...)
		cmd.Env = append(os.Environ(), "HANDOVER_TEST_KILL_AT="+step, "HANDOVER_DIR=", "HANDOVER_DB=", "HANDOVER_DATA_KEY=")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("handover %s, killed at %q: %v\n%s", args[0], step, err, out)
		}
	}
	stale := func(dir, prefix string) []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(dir, prefix+"*"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	killed("backup: the clear snapshot made", append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	if ents, _ := os.ReadDir(backups); len(ents) != 0 {
		t.Fatalf("the killed backup left %v in the directory of the backups", ents)
	}
	left := stale(d.dir, ".handover-backup-")
	if len(left) != 1 {
		t.Fatalf("the killed backup left %v in the data directory, want its snapshot (the test kills it there)", left)
	}
	if fi, err := os.Stat(left[0]); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the private directory: %v, %v", fi, err)
	}
	code, _, errOut := runLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	if code != 0 || !strings.Contains(errOut, "removed "+left[0]+", a clear copy of the database left by a run that did not finish") {
		t.Fatalf("the next backup: exit %d, stderr:\n%s", code, errOut)
	}
	if s := stale(d.dir, ".handover-backup-"); len(s) != 0 {
		t.Fatalf("after the next backup: %v", s)
	}

	parent := t.TempDir()
	to := filepath.Join(parent, "restored")
	killed("restore: the backup decrypted", "restore", file, "--identity", id, "--dir", d.dir, "--to", to)
	left = stale(parent, ".handover-restore-")
	if len(left) != 1 {
		t.Fatalf("the killed restore left %v beside its target, want its clear copy (the test kills it there)", left)
	}
	if ents, _ := os.ReadDir(backups); len(ents) != 1 {
		t.Fatalf("the killed restore left %v in the directory of the backups", ents)
	}
	code, _, errOut = runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to)
	if code != 0 || !strings.Contains(errOut, "removed "+left[0]) {
		t.Fatalf("the next restore: exit %d, stderr:\n%s", code, errOut)
	}
	if s := stale(parent, ".handover-restore-"); len(s) != 0 {
		t.Fatalf("after the next restore: %v", s)
	}
}

// TestPrivateDirSparesARunningOne: a private directory some command holds
// (a backup running now) is not taken for a stale one.
func TestPrivateDirSparesARunningOne(t *testing.T) {
	parent := t.TempDir()
	var errb bytes.Buffer
	m := &Main{Stderr: &errb}
	first, done1, err := m.privateDir("backup", parent, ".handover-backup-")
	if err != nil {
		t.Fatal(err)
	}
	second, done2, err := m.privateDir("backup", parent, ".handover-backup-")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(first); err != nil || errb.Len() != 0 {
		t.Fatalf("a second run removed the first one's directory: %v; %s", err, errb.String())
	}
	done1()
	done2()
	for _, dir := range []string{first, second} {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s is still there after done", dir)
		}
	}
}
