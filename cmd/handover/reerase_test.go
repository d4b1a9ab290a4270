package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
)

// The person a family reported missing and then asked to be erased, in
// every form the record tables could hold him.
var reerasedNeedles = []string{"Ґонтаренко", "Гонтаренко", "Северин", "ЩЯ-908172", "908172", "Hontarenko", "Gontarenko", "Severyn"}

// soughtPerson adds his record to the deployment's sought register.
func (d *logDeployment) soughtPerson(t *testing.T, surname string) string {
	t.Helper()
	ctx := context.Background()
	u, err := d.db.UserByLogin(ctx, "ua-reg")
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.db.CreateRecord(ctx, u.Scope(), sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Sought, Status: person.StatusMissing,
		Category: person.Military, Surname: surname, GivenNames: "Северин", LatinNames: []string{"Hontarenko Severyn"},
		BirthDate: person.Date{Year: 1991, Month: 3, Day: 17}, ServiceNumber: "ЩЯ-908172"}})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// erase erases record id as the UA approver, after the second factor.
func (d *logDeployment) erase(t *testing.T, id, reason string) {
	t.Helper()
	ctx := context.Background()
	u, err := d.db.UserByLogin(ctx, "ua-appr")
	if err != nil {
		t.Fatal(err)
	}
	s := u.Scope()
	s.MFA = true
	if _, err := d.db.EraseRecord(ctx, s, id, reason); err != nil {
		t.Fatal(err)
	}
}

// recordTablesHold returns the first needle found, in any case, in any
// column of the record tables of the database at dsn (a data
// directory's SQLite file or PostgreSQL), read through SQL.
func recordTablesHold(t *testing.T, dsn string, needles []string) string {
	t.Helper()
	driver := "pgx"
	if !isPostgres(dsn) {
		driver, dsn = "sqlite", "file:"+dsn+"?mode=ro"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var dump []byte
	for _, table := range []string{"records", "record_versions", "record_terms"} {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					dump = append(dump, b...)
				} else {
					dump = fmt.Append(dump, v)
				}
				dump = append(dump, '\n')
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return findIn(dump, needles)
}

// findIn returns the first needle in b, in any case.
func findIn(b []byte, needles []string) string {
	low := bytes.ToLower(b)
	for _, n := range needles {
		if bytes.Contains(low, bytes.ToLower([]byte(n))) {
			return n
		}
	}
	return ""
}

// TestRestoreReappliesErasures: a person is erased after the newest
// backup, the erasures are listed ('erase list --json --out'), and the
// older backup is restored. Without --erasures he is back (why the flag
// exists); with it he is erased again as the system, his names are
// nowhere in the target's record tables (nor, on SQLite, in its file),
// a record erased after the backup was made is said not to be in it, and
// 'log audit' passes on the target. A list that is not one, an unsigned
// one of before lists were signed, and one changed since it was signed,
// are refused before anything is restored.
func TestRestoreReappliesErasures(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			d := newLogDeployment(t, dialect, nil, nil, 3)
			gone := d.soughtPerson(t, "Ґонтаренко")
			id, rec := ageKey(t)
			backups := t.TempDir()
			file := filepath.Join(backups, "handover.age")
			mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)

			// After the backup: the request is decided, and a record made
			// since is erased too.
			later := d.soughtPerson(t, "Пізніший")
			d.erase(t, gone, "DP-2026-0042")
			d.erase(t, later, "DP-2026-0043")
			list := filepath.Join(backups, "handover-erasures.json")
			out := mustRunLS(t, append([]string{"erase", "list", "--json", "--out", list}, d.store()...)...)
			if !strings.Contains(out, "2 erased records listed in "+list) {
				t.Errorf("erase list --out says: %s", out)
			}
			if fi, err := os.Stat(list); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("the list: %v, %v; want mode 0600", fi, err)
			}
			b, err := os.ReadFile(list)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Schema string `json:"schema"`
				List   struct {
					Count    int   `json:"count"`
					LogSize  int64 `json:"log_size"`
					Erasures []struct {
						Record, Party, Reason string
						By                    string `json:"erased_by"`
						Leaf                  *int64 `json:"leaf"`
					} `json:"erasures"`
				} `json:"list"`
				Signature string `json:"signature"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(doc.Signature, "handover erasures v1\norigin "+lsOrigin+"\nlist 2 ") {
				t.Errorf("the list's signature:\n%s", doc.Signature)
			}
			if l := doc.List; l.Count != 2 || len(l.Erasures) != 2 || l.Erasures[0].Record != gone ||
				l.Erasures[0].Party != "UA" || l.Erasures[0].Reason != "DP-2026-0042" || l.Erasures[0].By != "ua-appr" ||
				l.Erasures[0].Leaf == nil || *l.Erasures[0].Leaf >= l.LogSize {
				t.Fatalf("the list:\n%s", b)
			}
			if n := findIn(b, reerasedNeedles); n != "" {
				t.Errorf("the list holds %q", n)
			}
			if out := mustRunLS(t, append([]string{"erase", "list"}, d.store()...)...); !strings.Contains(out, gone+"  UA  ") || !strings.Contains(out, `"DP-2026-0042"`) ||
				!strings.Contains(out, "2 erased records (log of ") {
				t.Errorf("erase list says:\n%s", out)
			}
			if out := mustRunLS(t, append([]string{"erase", "list", "--json"}, d.store()...)...); !strings.Contains(out, `"schema": "handover/erasures/v2"`) {
				t.Errorf("erase list --json prints:\n%s", out)
			}

			// A list that is not one: refused, naming the file, nothing restored.
			notJSON := filepath.Join(t.TempDir(), "notes.txt")
			otherSchema := filepath.Join(t.TempDir(), "tracing.json")
			cut := filepath.Join(t.TempDir(), "cut.json")
			unsigned := filepath.Join(t.TempDir(), "unsigned.json")
			os.WriteFile(unsigned, []byte(`{"schema":"handover/erasures/v1","count":1,"erasures":[{"record":"`+gone+`","party":"UA","reason":"DP-1"}]}`), 0o600)
			os.WriteFile(notJSON, []byte("r0k3m9q2x7 DP-1\n"), 0o600)
			os.WriteFile(otherSchema, []byte(`{"schema":"handover/tracing-export/v1","count":0,"erasures":[]}`), 0o600)
			os.WriteFile(cut, bytes.Replace(b, []byte(`"count": 2`), []byte(`"count": 3`), 1), 0o600)
			for _, tc := range []struct {
				f, want string
				code    int
			}{
				{notJSON, "is not an erasures list ('handover erase list --out' writes one): not its JSON", 2},
				{otherSchema, `is not an erasures list ('handover erase list --out' writes one): its schema is "handover/tracing-export/v1"`, 2},
				{cut, "was changed after it was signed", 1},
				{unsigned, "is an erasures list of a version before lists were signed", 1},
			} {
				f := tc.f
				to := filepath.Join(t.TempDir(), "refused")
				code, _, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list, "--erasures", f)
				if code != tc.code || !strings.Contains(errOut, f+" "+tc.want) && !strings.Contains(errOut, "refused: "+f+" "+tc.want) {
					t.Errorf("restore with %s: exit %d, %s", f, code, errOut)
				}
				if _, err := os.Stat(to); err == nil {
					t.Errorf("restore with %s made the target", f)
				}
			}

			// Without the list the person is back.
			back := filepath.Join(t.TempDir(), "back")
			mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", back)
			if n := recordTablesHold(t, filepath.Join(back, "handover.db"), reerasedNeedles); n == "" {
				t.Fatal("restored without the erasures list, the person is not back: the search below proves nothing")
			}
			if b, err := os.ReadFile(filepath.Join(back, "handover.db")); err != nil || findIn(b, reerasedNeedles) == "" {
				t.Fatalf("restored without the erasures list, the file does not hold the person (%v): the search below proves nothing", err)
			}

			targets := []string{filepath.Join(t.TempDir(), "restored")}
			if dialect == "postgres" {
				targets = append(targets, sqltest.DSN(t, "postgres"))
			}
			for _, to := range targets {
				out := mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list)
				for _, want := range []string{
					"erased again: record " + gone + " (UA), erased ",
					"not in this backup (made before the record existed): record " + later + " (UA)",
					"erasures re-applied: 1 erased again, 0 erased already in this backup, 1 not in this backup (made before the record existed), 0 refused",
				} {
					if !strings.Contains(out, want) {
						t.Errorf("restore into %s says nothing of %q:\n%s", to, want, out)
					}
				}
				dsn, store := to, []string{"--dir", d.dir, "--db", to}
				if !isPostgres(to) {
					dsn, store = filepath.Join(to, "handover.db"), []string{"--dir", to}
				}
				if n := recordTablesHold(t, dsn, reerasedNeedles); n != "" {
					t.Errorf("the target's record tables hold %q", n)
				}
				if out := mustRunLS(t, append([]string{"log", "audit"}, store...)...); !strings.Contains(out, "erased: 1 records") || !strings.Contains(out, gone) {
					t.Errorf("log audit on the target:\n%s", out)
				}
				r, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
				if err != nil {
					t.Fatal(err)
				}
				ts, err := r.Tombstones(ctx)
				r.Close()
				if err != nil || len(ts) != 1 || ts[0].Record != gone || ts[0].By != "system" || ts[0].Reason != "DP-2026-0042 (re-applied after a restore)" {
					t.Errorf("the target's tombstones: %+v, %v", ts, err)
				}
				if !isPostgres(to) {
					for _, f := range []string{dsn, dsn + "-wal"} {
						b, err := os.ReadFile(f)
						if err != nil && !os.IsNotExist(err) {
							t.Fatal(err)
						}
						if n := findIn(b, reerasedNeedles); n != "" {
							t.Errorf("the file %s holds %q", f, n)
						}
					}
				}
			}

			// The target restored without the list gets it afterwards.
			out = mustRunLS(t, "erase", "reapply", "--dir", back, "--erasures", list)
			if !strings.Contains(out, "erasures re-applied: 1 erased again, 0 erased already in this database, 1 not in this database") {
				t.Errorf("erase reapply says:\n%s", out)
			}
			if n := recordTablesHold(t, filepath.Join(back, "handover.db"), reerasedNeedles); n != "" {
				t.Errorf("after erase reapply the record tables hold %q", n)
			}
			mustRunLS(t, "log", "audit", "--dir", back)
		})
	}
}

// TestRestoreSaysAnErasureItCannotApply: a listed record that the restored
// database refuses to erase (here a record of the held register, which
// is never erased, added to the list and signed again with the
// deployment's log key; in life a record named in a list of a backup of
// another history than the list's, after a forced rollback, whose leaf the
// backup's log does not hold) is said loudly, and the restore exits non-zero with the
// target left in place and its log audit passing; 'erase reapply' says
// the same.
func TestRestoreSaysAnErasureItCannotApply(t *testing.T) {
	ctx := context.Background()
	d := newLogDeployment(t, "sqlite", nil, nil, 2)
	gone := d.soughtPerson(t, "Ґонтаренко")
	u, err := d.db.UserByLogin(ctx, "ua-reg")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := d.db.Records(ctx, u.Scope(), sqlstore.RecordFilter{Kind: person.Held, Limit: 1})
	if err != nil || len(recs.Records) != 1 {
		t.Fatalf("a held record: %v", err)
	}
	held := recs.Records[0].ID
	id, rec := ageKey(t)
	file := filepath.Join(t.TempDir(), "handover.age")
	mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
	d.erase(t, gone, "DP-2026-0042")
	list := filepath.Join(t.TempDir(), "erasures.json")
	mustRunLS(t, append([]string{"erase", "list", "--out", list}, d.store()...)...)
	// Signed with the deployment's own log key: a list of another history
	// than the backup's, as one after a forced rollback would be.
	resignErasureList(t, d.dir, list, func(l *erasureList) {
		l.Erasures = append(l.Erasures, sqlstore.Tombstone{Record: held, Party: "UA", By: "ua-appr", At: l.Listed, Reason: "DP-2026-0050"})
	})

	to := filepath.Join(t.TempDir(), "restored")
	code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list)
	if code != 1 || !strings.Contains(errOut, "NOT ERASED AGAIN: record "+held+" (UA)") || !strings.Contains(errOut, "held register") ||
		!strings.Contains(errOut, "1 erased records were not erased again") || !strings.Contains(errOut, "do not serve it yet") ||
		!strings.Contains(errOut, "handover erase reapply --dir "+to+" --erasures "+list) ||
		!strings.Contains(out, "erased again: record "+gone) || !strings.Contains(out, "1 erased again, 0 erased already in this backup, 0 not in this backup (made before the record existed), 1 refused") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	mustRunLS(t, "log", "audit", "--dir", to)
	code, out, errOut = runLS(t, "erase", "reapply", "--dir", to, "--erasures", list)
	if code != 1 || !strings.Contains(errOut, "NOT ERASED AGAIN: record "+held) || !strings.Contains(out, "0 erased again, 1 erased already in this database, 0 not in this database (made before the record existed), 1 refused") {
		t.Fatalf("erase reapply: exit %d\n%s%s", code, out, errOut)
	}
}

// BenchmarkErasuresRestore lists 1,000 erasures of a deployment of
// 100,000 records (each a log leaf) and restores the backup made before
// them with the list and without it, printing the seconds of each. The
// benchmarks print figures; none fails on time.
//
//	go test -run '^$' -bench ErasuresRestore -benchtime 1x ./cmd/handover
func BenchmarkErasuresRestore(b *testing.B) {
	ctx := context.Background()
	const n, erased = 100_000, 1_000
	for _, dialect := range benchDialectsCLI() {
		b.Run(dialect, func(b *testing.B) {
			dir, dsn := b.TempDir(), sqltest.DSN(b, dialect)
			if err := os.WriteFile(filepath.Join(dir, keyFile), []byte(fmt.Sprintf("%x\n", sqltest.Key)), 0o600); err != nil {
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
			if _, err := db.CreateParty(ctx, "UA", "Ukraine"); err != nil {
				b.Fatal(err)
			}
			cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
			reg, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
			if err != nil {
				b.Fatal(err)
			}
			appr, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-appr", Role: access.PartyApprover, Party: "UA", Password: "a long enough password", Argon2: cheap})
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			for start := 0; start < n; start += 5000 {
				var nrs []sqlstore.NewRecord
				for i := start; i < start+5000; i++ {
					nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Sought, Status: person.StatusMissing, Category: person.Military,
						Surname: fmt.Sprintf("Запис%d", i), GivenNames: "Олександр", BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}}})
				}
				recs, err := db.CreateRecords(ctx, reg.Scope(), nrs)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs[:erased*5000/n] {
					ids = append(ids, r.ID)
				}
			}
			if _, err := db.Checkpoint(ctx, cfg.Signer, audit.CheckpointSchedule{}, true); err != nil {
				b.Fatal(err)
			}
			id, rec := ageKeyB(b)
			file := filepath.Join(b.TempDir(), "h.age")
			if code, _, errOut := runLSB(b, "backup", "--dir", dir, "--db", dsn, "--out", file, "--recipient", rec); code != 0 {
				b.Fatal(errOut)
			}
			s := appr.Scope()
			s.MFA = true
			for _, id := range ids {
				if _, err := db.EraseRecord(ctx, s, id, "DP-2026-0042"); err != nil {
					b.Fatal(err)
				}
			}
			list := filepath.Join(b.TempDir(), "erasures.json")
			var listT, withT, withoutT, reapplyT time.Duration
			took := regexp.MustCompile(`erasures re-applied: .*; in (\S+)`)
			for b.Loop() {
				start := time.Now()
				if code, _, errOut := runLSB(b, "erase", "list", "--dir", dir, "--db", dsn, "--out", list); code != 0 {
					b.Fatal(errOut)
				}
				listT += time.Since(start)
				start = time.Now()
				code, out, errOut := runLSB(b, "restore", file, "--identity", id, "--dir", dir, "--to", filepath.Join(b.TempDir(), "r"), "--erasures", list)
				withT += time.Since(start)
				m := took.FindStringSubmatch(out)
				if code != 0 || m == nil || !strings.Contains(out, fmt.Sprintf("%d erased again", erased)) {
					b.Fatal(out, errOut)
				}
				d, err := time.ParseDuration(m[1])
				if err != nil {
					b.Fatal(err)
				}
				reapplyT += d
				start = time.Now()
				if code, _, errOut := runLSB(b, "restore", file, "--identity", id, "--dir", dir, "--to", filepath.Join(b.TempDir(), "r")); code != 0 {
					b.Fatal(errOut)
				}
				withoutT += time.Since(start)
			}
			b.ReportMetric(listT.Seconds()/float64(b.N), "s/list")
			b.ReportMetric(withT.Seconds()/float64(b.N), "s/restore-with-list")
			b.ReportMetric(withoutT.Seconds()/float64(b.N), "s/restore-without")
			b.ReportMetric(reapplyT.Seconds()/float64(b.N), "s/reapply")
		})
	}
}

// TestRestoreRefusesAnErasuresListNotSigned: whoever can write the files
// beside the backups could make a restore erase any sought record by
// naming it in the erasures list. The list is signed by the log key; a
// list changed after it was signed (the erased record's id swapped for
// another person's), and another deployment's list, are refused by
// 'restore --erasures' and by 'erase reapply', naming the file, before
// anything is written; the person named stays.
func TestRestoreRefusesAnErasuresListNotSigned(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := newLogDeployment(t, dialect, nil, nil, 3)
			gone := d.soughtPerson(t, "Ґонтаренко")
			victim := d.soughtPerson(t, "Невинний")
			id, rec := ageKey(t)
			file := filepath.Join(t.TempDir(), "handover.age")
			mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
			d.erase(t, gone, "DP-2026-0042")
			lists := t.TempDir()
			list := filepath.Join(lists, "erasures.json")
			mustRunLS(t, append([]string{"erase", "list", "--out", list}, d.store()...)...)
			b, err := os.ReadFile(list)
			if err != nil {
				t.Fatal(err)
			}
			edited := filepath.Join(lists, "edited.json")
			if err := os.WriteFile(edited, bytes.ReplaceAll(b, []byte(gone), []byte(victim)), 0o600); err != nil {
				t.Fatal(err)
			}
			other := newLogDeployment(t, "sqlite", nil, nil, 3)
			other.erase(t, other.soughtPerson(t, "Чужий"), "DP-2026-0099")
			theirs := filepath.Join(lists, "theirs.json")
			mustRunLS(t, append([]string{"erase", "list", "--out", theirs}, other.store()...)...)

			// Signed by this deployment, but the erasure's leaf, which the
			// backup's log holds, is another leaf there: a list of
			// another history.
			elsewhere := filepath.Join(lists, "elsewhere.json")
			if err := os.WriteFile(elsewhere, b, 0o600); err != nil {
				t.Fatal(err)
			}
			resignErasureList(t, d.dir, elsewhere, func(l *erasureList) {
				zero := int64(0)
				l.Erasures[0].Record, l.Erasures[0].Leaf = victim, &zero
			})

			// Restored without a list, then given the bad ones to reapply.
			back := filepath.Join(t.TempDir(), "back")
			mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", back)
			for f, want := range map[string]string{edited: "was changed after it was signed", theirs: "not signed by this deployment's log key",
				elsewhere: "names leaf 0, which in this log of"} {
				parent := t.TempDir()
				to := filepath.Join(parent, "refused")
				code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", f)
				if code == 0 || !strings.Contains(errOut, f) || !strings.Contains(errOut, want) || !strings.Contains(errOut, "nothing") {
					t.Errorf("restore --erasures %s: exit %d, want a refusal saying %q\n%s%s", filepath.Base(f), code, want, out, errOut)
				}
				t.Logf("restore --erasures %s: %s", filepath.Base(f), strings.TrimSpace(errOut))
				if ents, _ := os.ReadDir(parent); len(ents) != 0 {
					t.Errorf("restore --erasures %s wrote %v", filepath.Base(f), ents)
				}
				code, out, errOut = runLS(t, "erase", "reapply", "--dir", back, "--erasures", f)
				if code == 0 || !strings.Contains(errOut, f) || !strings.Contains(errOut, want) {
					t.Errorf("erase reapply --erasures %s: exit %d, want a refusal saying %q\n%s%s", filepath.Base(f), code, want, out, errOut)
				}
			}
			if n := recordTablesHold(t, filepath.Join(back, "handover.db"), []string{"Невинний"}); n == "" {
				t.Error("the person the edited list named was erased")
			}
		})
	}
}

// resignErasureList changes the erasures list in file with change and signs
// it again with the log key of the data directory dir, as 'erase list'
// would have signed such a list.
func resignErasureList(t *testing.T, dir, file string, change func(*erasureList)) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc erasuresDocument
	var l erasureList
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.List, &l); err != nil {
		t.Fatal(err)
	}
	change(&l)
	l.Count = len(l.Erasures)
	signer, _, err := logSigner("test", dir)
	if err != nil {
		t.Fatal(err)
	}
	if doc, err = signErasureList(l, signer); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printJSON(&out, doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
