package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const keyRotateDataUsage = `
Usage: handover key rotate-data [--dir DIR | --db DSN] [--data-key-file FILE] [--batch N] [--prepare]

Replaces the data key that seals health, next of kin, second-factor
secrets and what families told a bureau, while the server runs:

  1. a new key is added to the keys file (DIR/data.key, --data-key-file or
     HANDOVER_DATA_KEY_FILE), beside the old one;
  2. the database is told the new key is current: every server on it reads
     its keys file again when it meets the new key, and seals with it;
  3. every sealed value is sealed again with the new key, N per
     transaction (a server's write waits for one batch at most);
  4. when no value is left under the old key, the old key is retired: it
     leaves the keys file for FILE.retired (keep that file offline with the
     backups made before: they are sealed with it).

Stopped at any point (a crash, Ctrl-C), the same command resumes the
rotation under way. With --prepare it only adds the new key to the keys
file: copy that file to every server of the database, then run the
command without --prepare.

The keys must be in a file: keys given in HANDOVER_DATA_KEY cannot be
rotated in place (put them in a file first).

Example:
  handover key rotate-data --dir /var/lib/handover --data-key-file /etc/handover/data.keys
`

func runKeyRotateData(ctx context.Context, m *Main, args []string) error {
	const op = "key rotate-data"
	fset := m.newFlagSet(op, keyRotateDataUsage)
	sf := m.addStoreFlags(fset)
	batch := fset.Int("batch", 500, "sealed values re-sealed per transaction")
	prepare := fset.Bool("prepare", false, "only add a new key to the keys file (to copy it to every server first)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *batch < 1 {
		return usageError{"--batch must be at least 1"}
	}
	ring, err := m.dataKeys(sf.dir, sf.keyFile, false)
	if err != nil {
		return err
	}
	if ring.file == "" {
		return errs.E(op, errs.Invalid, "the data keys are given in HANDOVER_DATA_KEY: a rotation writes the new key into a keys file; put the key in a file (mode 0600) and give it with --data-key-file or HANDOVER_DATA_KEY_FILE")
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	known, err := db.SealKeys(ctx)
	if err != nil {
		return err
	}
	state := map[string]string{}
	cur := ""
	for _, k := range known {
		state[k.ID] = k.State
		if k.State == sqlstore.SealCurrent {
			cur = k.ID
		}
	}
	resuming := slices.ContainsFunc(known, func(k sqlstore.SealKey) bool { return k.State == sqlstore.SealRetiring })

	// The new key: the current one of a rotation under way, else a key of
	// the file the database has never used (added by --prepare or by a run
	// that stopped before the switch), else a new one.
	var next []byte
	for _, k := range ring.keys {
		id := sqlstore.KeyID(k)
		if (resuming && id == cur) || (!resuming && state[id] == "") {
			next = k
		}
	}
	if resuming && next == nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("a rotation to data key %s is under way, but %s does not hold that key: give the keys file that does", cur, ring.where))
	}
	if next == nil {
		next = make([]byte, 32)
		rand.Read(next)
		lines := keyFileLines(ring.keys)
		lines = append(lines, fmt.Sprintf("# data key %s, added by 'handover key rotate-data' on %s", sqlstore.KeyID(next), time.Now().UTC().Format(time.RFC3339)), hex.EncodeToString(next))
		if err := writeFileAtomic(ring.file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot write the new key into %s", ring.file), err)
		}
		fmt.Fprintf(m.Stdout, "new data key %s added to %s\n", sqlstore.KeyID(next), ring.file)
	}
	if *prepare {
		fmt.Fprintf(m.Stdout, "prepared: copy %s to every server of the database, then run 'handover key rotate-data' again without --prepare\n", ring.file)
		return nil
	}
	if resuming {
		fmt.Fprintf(m.Stdout, "resuming the rotation to data key %s\n", cur)
	}
	start := time.Now()
	if err := db.StartSealRotation(ctx, next); err != nil {
		return err
	}
	last := time.Now()
	st, err := db.Reseal(ctx, *batch, func(table string, st sqlstore.ResealStats) {
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			fmt.Fprintf(m.Stderr, "  %s: %d sealed values read, %d sealed again\n", table, st.Scanned, st.Resealed)
		}
	})
	if err != nil {
		return err
	}
	retired, err := db.FinishSealRotation(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d sealed values read, %d sealed again with data key %s in %s\n", st.Scanned, st.Resealed, sqlstore.KeyID(next), time.Since(start).Round(time.Millisecond))
	// The proof: every sealed value of the database, opened or named by
	// its key, is under the new key.
	counts, err := db.SealedCounts(ctx)
	if err != nil {
		return err
	}
	for id, n := range counts {
		if id != sqlstore.KeyID(next) {
			return errs.E(op, errs.Internal, fmt.Sprintf("%d sealed values are under %s after the rotation", n, id))
		}
	}
	fmt.Fprintf(m.Stdout, "checked: all %d sealed values are under data key %s\n", counts[sqlstore.KeyID(next)], sqlstore.KeyID(next))

	// The retired keys leave the keys file: kept in FILE.retired for the
	// backups they sealed.
	var keep, gone [][]byte
	for _, k := range ring.keys {
		if slices.Contains(retired, sqlstore.KeyID(k)) || state[sqlstore.KeyID(k)] == sqlstore.SealRetired {
			gone = append(gone, k)
		} else {
			keep = append(keep, k)
		}
	}
	if !slices.ContainsFunc(keep, func(k []byte) bool { return sqlstore.KeyID(k) == sqlstore.KeyID(next) }) {
		keep = append(keep, next)
	}
	if len(gone) > 0 {
		old, err := os.ReadFile(ring.file + ".retired")
		if err != nil && !os.IsNotExist(err) {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot read %s.retired", ring.file), err)
		}
		lines := []string{strings.TrimRight(string(old), "\n")}
		if len(old) == 0 {
			lines = []string{"# retired data keys: they open only backups made before they were retired"}
		}
		for _, k := range gone {
			lines = append(lines, fmt.Sprintf("# data key %s, retired on %s", sqlstore.KeyID(k), time.Now().UTC().Format(time.RFC3339)), hex.EncodeToString(k))
		}
		if err := writeFileAtomic(ring.file+".retired", []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s.retired", ring.file), err)
		}
	}
	if err := writeFileAtomic(ring.file, []byte(strings.Join(keyFileLines(keep), "\n")+"\n"), 0o600); err != nil {
		return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s", ring.file), err)
	}
	for _, id := range retired {
		fmt.Fprintf(m.Stdout, "data key %s retired: no sealed value is left under it\n", id)
	}
	if len(gone) > 0 {
		fmt.Fprintf(m.Stdout, "the retired keys are in %s.retired: keep it offline with the backups made before now, and remove it from this machine\n", ring.file)
	}
	return nil
}

// keyFileLines renders keys as the lines of a keys file.
func keyFileLines(keys [][]byte) []string {
	var lines []string
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("# data key %s", sqlstore.KeyID(k)), hex.EncodeToString(k))
	}
	return lines
}
