package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRestoreRefusesAnErasuresListOlderThanTheBackup: the erasures list is signed
// so that whoever writes beside the backups cannot choose what a restore
// erases; but the same person can put back an older list this deployment
// signed (or the tired operator takes yesterday's). The restore takes it
// without a word, though the list (log_size) is older than the backup it
// is applied to and so cannot hold any erasure made after the backup: the
// person erased after the backup would be back. It is refused, naming the
// list's date and log size; --stale-erasures REASON restores anyway.
func TestRestoreRefusesAnErasuresListOlderThanTheBackup(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := newLogDeployment(t, dialect, nil, nil, 3)
			old := d.soughtPerson(t, "Старий")
			d.erase(t, old, "DP-2026-0001")
			backups := t.TempDir()
			list := filepath.Join(backups, "handover-erasures.json")
			mustRunLS(t, append([]string{"erase", "list", "--out", list}, d.store()...)...)
			stale, err := os.ReadFile(list) // what the attacker keeps
			if err != nil {
				t.Fatal(err)
			}

			gone := d.soughtPerson(t, "Ґонтаренко")
			id, rec := ageKey(t)
			file := filepath.Join(backups, "handover.age")
			mustRunLS(t, append([]string{"backup", "--out", file, "--recipient", rec}, d.store()...)...)
			d.erase(t, gone, "DP-2026-0042")
			mustRunLS(t, append([]string{"erase", "list", "--out", list}, d.store()...)...)

			// The list beside the backups is put back to the older one.
			if err := os.WriteFile(list, stale, 0o600); err != nil {
				t.Fatal(err)
			}
			to := filepath.Join(t.TempDir(), "restored")
			code, out, errOut := runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list)
			if code == 0 || !strings.Contains(errOut, "refused: every erasures list is older than the backup") || !strings.Contains(out, "erasures list "+list+": listed ") {
				t.Fatalf("a signed erasures list older than the backup: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if _, err := os.Stat(filepath.Join(to, "handover.db")); err == nil {
				t.Fatalf("the refused restore left a database in %s", to)
			}
			// With a reason it restores, and says so.
			code, out, errOut = runLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to, "--erasures", list, "--stale-erasures", "the newest list is lost")
			if code != 0 || !strings.Contains(errOut, "STALE ERASURES (the newest list is lost)") {
				t.Fatalf("--stale-erasures: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if recordTablesHold(t, filepath.Join(to, "handover.db"), reerasedNeedles) == "" {
				t.Fatalf("the person erased after the backup is not in the restore of a stale list: the test proves nothing")
			}
		})
	}
}
