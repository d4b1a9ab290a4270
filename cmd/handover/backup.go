package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const backupUsage = `
Usage: handover backup --out FILE --recipient AGE-RECIPIENT ... [--dir DIR | --db DSN]

Writes a consistent snapshot of the database, encrypted with age to each
recipient (age1… keys: the mediator's, each party's), to FILE. The server
may go on running: on SQLite the snapshot is VACUUM INTO (one read
transaction); on PostgreSQL it is one REPEATABLE READ, READ ONLY
transaction copied into an SQLite file (the copy of 'handover db copy'),
not pg_dump. The snapshot is in clear only in a private temporary
directory beside FILE, removed before the command ends.

The backup holds the database, not the keys: sealed fields stay sealed
with the data key, and the log key is not in it. Keep DIR/data.key,
DIR/log.key and DIR/log.pub apart (they do not change): a restore needs them.

Example:
  handover backup --dir /var/lib/handover --out /backup/handover-$(date +%F).age \
    --recipient age1… --recipient age1…
`

const restoreUsage = `
Usage: handover restore FILE --identity KEYFILE --to DIR|postgres://… [--dir KEYDIR]
                        [--checkpoint FILE ...] [--force-rollback REASON] [--erasures FILE ...]

Decrypts a backup made by 'handover backup' with an age identity, proves it
and copies it into a new data directory or an empty PostgreSQL database:

  - the log audit runs on the backup with the keys of KEYDIR (log.pub, and
    the registered witness keys); a backup that fails it is not restored;
  - each --checkpoint (a signed checkpoint the operator or a witness holds,
    e.g. a witness's state file) must be extended by the backup's log. A
    backup whose log is shorter than a checkpoint is a rollback: the changes
    after it would be lost. It is refused, unless --force-rollback REASON
    is given, and then said loudly, with how many changes are lost.

Then each --erasures list (made by 'handover erase list --out' and kept
with the backups) is applied: a listed record the restored database holds
and has not erased is erased again, as the system, with the list's reason
and " (re-applied after a restore)"; a record the backup never had is said
and skipped. A list that is not one is refused before anything is
restored. A record the restored database refuses to erase (named in a list,
a stage, …: a backup of another history than the list's) is said on
stderr (NOT ERASED AGAIN) and the command exits with status 1, the target
left in place: do not serve it before each is decided ('handover erase
reapply' erases what it can).

The data key and the log keys come from KEYDIR (default: env HANDOVER_DIR);
a target directory gets a copy of them.

Example:
  handover restore /backup/handover-2026-05-01.age --identity mediator.agekey \
    --dir /etc/handover/keys --to /var/lib/handover --checkpoint ua.state \
    --erasures /backup/handover-erasures.json
`

func runBackup(ctx context.Context, m *Main, args []string) error {
	const op = "backup"
	fset := m.newFlagSet(op, backupUsage)
	sf := m.addStoreFlags(fset)
	out := fset.String("out", "", "the backup `file` to write (not overwritten)")
	var recipients multiFlag
	fset.Var(&recipients, "recipient", "an age recipient (age1…) the backup is encrypted to (repeatable)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *out == "" || len(recipients) == 0 {
		return usageError{"give --out FILE and at least one --recipient"}
	}
	rs, err := age.ParseRecipients(strings.NewReader(strings.Join(recipients, "\n")))
	if err != nil {
		return errs.E(op, errs.Invalid, "--recipient: not an age recipient: "+err.Error())
	}
	if _, err := os.Stat(*out); err == nil {
		return errs.E(op, errs.Conflict, fmt.Sprintf("%s exists already: a backup never overwrites a file", *out))
	}
	start := time.Now()
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	tmp, err := os.MkdirTemp(filepath.Dir(*out), ".handover-backup-*")
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot write beside %s", *out), err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, "handover.db")
	how := "VACUUM INTO"
	if db.Dialect() == "sqlite" {
		if err := db.VacuumInto(ctx, snap); err != nil {
			return err
		}
	} else {
		how = "one repeatable-read transaction copied into SQLite"
		ring, err := m.dataKeys(sf.dir, sf.keyFile, false)
		if err != nil {
			return err
		}
		t, err := sqlstore.Open(ctx, ring.config(snap))
		if err != nil {
			return err
		}
		_, err = sqlstore.Copy(ctx, db, t)
		t.Close()
		if err != nil {
			return err
		}
		for _, s := range []string{"-wal", "-shm"} {
			os.Remove(snap + s)
		}
	}
	plain, err := os.Stat(snap)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	if err := encryptFile(snap, *out, rs); err != nil {
		return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s", *out), err)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	size, _ := db.LogSize(ctx)
	fmt.Fprintf(m.Stdout, "backup %s: %d bytes (database %d bytes, %s), log of %d leaves at the start, to %d recipient(s), in %s\n",
		*out, fi.Size(), plain.Size(), how, size, len(rs), time.Since(start).Round(time.Millisecond))
	return nil
}

// encryptFile encrypts src to the recipients into dst, through a
// temporary file and a rename: dst is whole or absent.
func encryptFile(src, dst string, rs []age.Recipient) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w, err := age.Encrypt(f, rs...)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists already", dst)
	}
	return os.Rename(f.Name(), dst)
}

func runRestore(ctx context.Context, m *Main, args []string) error {
	const op = "restore"
	fset := m.newFlagSet(op, restoreUsage)
	identity := fset.String("identity", "", "the age identity `file` (AGE-SECRET-KEY-…) to decrypt with")
	to := fset.String("to", "", "the target: a new data directory or an empty postgres://… database")
	def := m.Getenv("HANDOVER_DIR")
	if def == "" {
		def = "handover-data"
	}
	keyDir := fset.String("dir", def, "the data directory holding the data key and the log keys (env HANDOVER_DIR)")
	var cpFiles multiFlag
	fset.Var(&cpFiles, "checkpoint", "a signed checkpoint `file` held outside (a witness's state): the backup's log must extend it (repeatable)")
	force := fset.String("force-rollback", "", "restore a backup older than a --checkpoint anyway, for this `reason`")
	var lists multiFlag
	fset.Var(&lists, "erasures", "an erasures list `file` ('handover erase list --out'): its records are erased again in the restored database (repeatable)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *identity == "" || *to == "" {
		return usageError{"give the backup FILE, --identity KEYFILE and --to DIR|postgres://…"}
	}
	external, err := readExternal(op, cpFiles)
	if err != nil {
		return err
	}
	// The lists are read before anything is written: a bad one loses nothing.
	erasures, err := readErasureLists(op, lists)
	if err != nil {
		return err
	}
	idf, err := os.Open(*identity)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the identity %s", *identity), err)
	}
	ids, err := age.ParseIdentities(idf)
	idf.Close()
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s holds no age identity: %v", *identity, err))
	}
	ring, err := m.dataKeys(*keyDir, "", false)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "handover-restore-*")
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, "handover.db")
	if err := decryptFile(pos[0], snap, ids); err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot decrypt %s with %s: %v", pos[0], *identity, err))
	}
	backup, err := sqlstore.Open(ctx, ring.config(snap))
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s does not hold a handover database: %s", pos[0], err.Error()), err)
	}
	defer backup.Close()

	// The proof: the audit, and no rollback past a checkpoint held outside.
	size, err := backup.LogSize(ctx)
	if err != nil {
		return err
	}
	var kept []audit.External
	var lost int64
	var newest audit.Checkpoint
	for _, e := range external {
		c, err := audit.PeekCheckpoint(e.Note)
		if err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not a signed checkpoint", e.Source), err)
		}
		if c.Size > size {
			if c.Size-size > lost {
				lost, newest = c.Size-size, c
			}
			fmt.Fprintf(m.Stderr, "ROLLBACK: the backup's log has %d leaves; %s is a checkpoint of %d leaves: restoring it loses the last %d logged changes (leaves %d to %d), which the holder of that checkpoint has seen\n",
				size, e.Source, c.Size, c.Size-size, size, c.Size-1)
			continue
		}
		kept = append(kept, e)
	}
	if lost > 0 && strings.TrimSpace(*force) == "" {
		return errs.E(op, errs.Conflict, fmt.Sprintf("refused: the backup is older than a checkpoint held outside (%d changes would be lost); restore a newer backup, or pass --force-rollback REASON", lost))
	}
	keys, err := storeAuditKeys(ctx, backup, *keyDir, "")
	if err != nil {
		return err
	}
	res, err := backup.AuditLog(ctx, keys, kept...)
	if err != nil {
		return err
	}
	m.printReport(res.Report)
	if !res.OK() {
		return errs.Errorf(op, errs.Conflict, "the backup failed the log audit: %d problem(s); nothing restored", len(res.Findings)+res.Omitted)
	}

	// The copy into the target, as 'db copy' does it.
	dst := dbEnd{dsn: *to, dir: *keyDir, pg: isPostgres(*to)}
	if !dst.pg {
		dst.dir = *to
		dst.dsn = filepath.Join(*to, "handover.db")
		if same, _ := sameDir(*keyDir, dst.dir); same {
			return errs.E(op, errs.Invalid, "--to is the key directory: restore into a new directory")
		}
	}
	target, stats, err := m.copyInto(ctx, op, backup, dst, *to, *keyDir, ring)
	if err != nil {
		return err
	}
	defer target.Close()
	if err := m.checkCopy(ctx, op, stats, backup, target, *keyDir); err != nil {
		return err
	}
	if lost > 0 {
		// The reason goes into the restored log, before anything else.
		if err := target.RecordRollback(ctx, *force, lost, newest.String()); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "restored %d rows into %s (%s) in %s; log of %d leaves\n", stats.Rows, redactDSN(dst.dsn), target.Dialect(), stats.Elapsed.Round(time.Millisecond), size)
	if lost > 0 {
		fmt.Fprintf(m.Stdout, "ROLLBACK FORCED (%s): %d logged changes after the backup are lost; the reason is leaf %d of the restored log (log.rollback); tell every party and witness: their checkpoints will not be extended by this log\n", *force, lost, size)
		fmt.Fprintf(m.Stderr, "ROLLBACK FORCED (%s): %d logged changes after the backup are lost\n", *force, lost)
	}
	if len(lists) == 0 {
		return nil
	}
	// A restore must not bring an erased person back.
	again := "handover erase reapply --dir " + dst.dir
	if dst.pg {
		again = fmt.Sprintf("handover erase reapply --dir %s --db %s", *keyDir, redactDSN(dst.dsn))
	}
	for _, l := range lists {
		again += " --erasures " + l
	}
	refused, err := m.reapplyErasures(ctx, target, erasures, "this backup")
	if err != nil {
		return errs.E(op, fmt.Sprintf("restored into %s, but the erasures were not all applied again: do not serve it; run '%s'", redactDSN(dst.dsn), again), err)
	}
	if refused > 0 {
		return errs.E(op, errs.Conflict, fmt.Sprintf("restored into %s, but %d erased records were not erased again (NOT ERASED AGAIN above): the restored database holds their persons. "+
			"It is left in place; do not serve it yet. What names a record is never removed, so this backup is not of the history the list came from "+
			"(a forced rollback since, or another deployment's list): restore a backup of that history if there is one; otherwise the party's approver decides, "+
			"and '%s' erases what it can", redactDSN(dst.dsn), refused, again))
	}
	return nil
}

// decryptFile decrypts src with the identities into dst (made 0600).
func decryptFile(src, dst string, ids []age.Identity) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	r, err := age.Decrypt(in, ids...)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
