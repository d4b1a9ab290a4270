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
// person erased after the backup is back, and the command exits 0.
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
			back := recordTablesHold(t, filepath.Join(to, "handover.db"), reerasedNeedles) != ""
			t.Logf("restore exit %d; person erased after the backup back: %v\nstdout:\n%s\nstderr:\n%s", code, back, out, errOut)
			if code == 0 && back && !strings.Contains(strings.ToLower(out+errOut), "older") {
				t.Errorf("a signed erasures list older than the backup was taken without a word: the person erased after the backup is back, exit 0")
			}
		})
	}
}
