package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const backupUsage = `
Usage: handover backup --out FILE --recipient AGE-RECIPIENT ... [--dir DIR | --db DSN] [--tmp DIR]

Writes a consistent snapshot of the database, signed with the log key
(DIR/log.key) and encrypted with age to each recipient, to FILE. The server
may go on running: on SQLite the snapshot is VACUUM INTO (one read
transaction); on PostgreSQL it is one REPEATABLE READ, READ ONLY
transaction copied into an SQLite file (the copy of 'handover db copy'),
not pg_dump.

The backup is the whole database: every party's registers, the neutral's
interviews, every account's password hash. Encrypt it only to the
mediator's own recipients (the operator's, a second officer's, an offline
escrow key), never to a party: a party keeps its own witness checkpoints
and its own exports, not a copy of the other side's.

Inside the encryption, before the database, is a statement signed by the
log key: the database's SHA-256 and size, the log's size and root, the
time. 'handover restore' refuses a file this deployment did not sign: age
encrypts but does not sign, and anyone who knows a recipient (a public
key) can encrypt a database of their own making.

The snapshot is in clear only in a private (0700) directory made inside
DIR, or inside --tmp, never beside FILE; it is removed when the command
ends, and one left by a killed backup is removed by the next.

The backup holds the database, not the keys: sealed fields stay sealed
with the data key, and the log key is not in it. Keep DIR/data.key,
DIR/log.key and DIR/log.pub apart (they do not change): a restore needs them.

Example:
  handover backup --dir /var/lib/handover --out /backup/handover-$(date +%F).age \
    --recipient age1…operator --recipient age1…escrow
`

const backupKeygenUsage = `
Usage: handover backup keygen --out FILE

Makes an age identity (X25519) for the backups: the private identity
(AGE-SECRET-KEY-1…) is written to FILE with permissions 0600, never over an
existing file, and its recipient (age1…) is printed, for 'handover backup
--recipient'. Make one per holder (the operator, a second officer, an
offline escrow copy), each on the holder's own machine; keep the identity
offline and apart from the backups: whoever holds it reads every backup
made to its recipient. Any age tool (age-keygen) makes the same kind of key.

Example:
  handover backup keygen --out ~/.handover/backup.agekey
`

// runBackupKeygen makes an age X25519 identity, so that the backups need
// no other tool.
func runBackupKeygen(_ context.Context, m *Main, args []string) error {
	const op = "backup keygen"
	fset := m.newFlagSet(op, backupKeygenUsage)
	out := fset.String("out", "", "the `file` the identity is written to (0600, not overwritten)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out FILE is required: where the identity is kept"}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errs.Errorf(op, errs.Conflict, "%s already exists: not overwriting an identity (the backups made to it would be lost)", *out)
	}
	if err != nil {
		return errs.E(op, errs.Invalid, "cannot create "+*out, err)
	}
	_, werr := fmt.Fprintf(f, "# made by handover backup keygen on %s\n# recipient: %s\n%s\n",
		time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(*out)
		return errs.E(op, errs.Internal, "cannot write "+*out, werr)
	}
	fmt.Fprintf(m.Stderr, "Identity written to %s (mode 0600). Keep it offline, apart from the backups.\n", *out)
	fmt.Fprintf(m.Stdout, "recipient: %s\n", id.Recipient())
	return nil
}

const restoreUsage = `
Usage: handover restore FILE --identity KEYFILE --to DIR|postgres://… [--dir KEYDIR]
                        [--checkpoint FILE ...] [--force-rollback REASON] [--erasures FILE ...]
                        [--stale-erasures REASON] [--accept-unsigned REASON] [--tmp DIR]

Decrypts a backup made by 'handover backup' with an age identity, proves it
and copies it into a new data directory or an empty PostgreSQL database:

  - the backup must be signed by this deployment's log key (KEYDIR/log.pub),
    and its database must be the one the signature states; a file signed
    by another key, or changed since, is refused before anything is
    written. A backup of an older version carries no signature: it is
    refused, unless --accept-unsigned REASON is given; the reason goes
    into the restored log. Even then its log must extend a checkpoint of
    the log key (stored in it, or a --checkpoint): one with none is
    refused, as anyone with a recipient's public key can make such a file;
  - each --checkpoint (a signed checkpoint the operator or a witness holds,
    e.g. a witness's state file) must be signed by the log key, and must be
    extended by the backup's log. A backup whose log is shorter than a
    checkpoint is a rollback: the changes after it would be lost. It is
    refused, unless --force-rollback REASON is given, and then said
    loudly, with how many changes are lost;
  - the log audit runs on the backup with the keys of KEYDIR (log.pub, and
    the registered witness keys); a backup that fails it is not restored.

The backup is decrypted into a private (0700) directory beside the target
directory (for PostgreSQL, inside KEYDIR), or inside --tmp; it is removed
when the command ends, and one left by a killed restore is removed by the
next.

Then each --erasures list (made by 'handover erase list --out' and kept
with the backups) is applied, to the decrypted backup before anything is
written to the target: each list's date and log size are printed; when
every list is older than the backup (made at a log smaller than the
backup's: an erasure made after the backup is in none of them) the
restore is refused, unless --stale-erasures REASON is given. A listed
record the backup holds and has not erased is erased again, as the system, with the list's reason
and " (re-applied after a restore)"; a record the backup never had is said
and skipped. A list that is not one, is not signed by this deployment's
log key (KEYDIR/log.pub), or was changed since, is refused before anything
is decrypted; one whose erasures' leaves, where the backup's log holds
them, are not those records' record.erased leaves (a list of another
history) is refused before anything is restored. A record the restored database refuses to erase (named in a list,
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
	fset.Var(&recipients, "recipient", "an age recipient (age1…) the backup is encrypted to: the mediator's own, never a party's (repeatable)")
	tmpDir := fset.String("tmp", "", "the `directory` the clear snapshot is made in (default: the data directory --dir); never where the backups go")
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
	// The key that signs checkpoints signs the backup (docs/design/log.md
	// §4.1); its verifier key checks the signature before the file is
	// written, as a restore will.
	signer, keys, err := logSigner(op, sf.dir)
	if err != nil {
		return err
	}
	parent := sf.dir
	if *tmpDir != "" {
		parent = *tmpDir
	}
	if same, _ := sameDir(parent, filepath.Dir(*out)); same {
		return errs.E(op, errs.Invalid, fmt.Sprintf("the clear snapshot would be made in %s, where the backup goes: pass --tmp DIR inside the data's own trust domain (the default is the data directory)", filepath.Dir(*out)))
	}
	start := time.Now()
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ring, err := m.dataKeys(sf.dir, sf.keyFile, false)
	if err != nil {
		return err
	}
	tmp, done, err := m.privateDir(op, parent, ".handover-backup-")
	if err != nil {
		return err
	}
	defer done()
	snap := filepath.Join(tmp, "handover.db")
	how := "VACUUM INTO"
	if db.Dialect() == "sqlite" {
		if err := db.VacuumInto(ctx, snap); err != nil {
			return err
		}
	}
	t, err := sqlstore.Open(ctx, ring.config(snap))
	if err != nil {
		return err
	}
	if db.Dialect() != "sqlite" {
		how = "one repeatable-read transaction copied into SQLite"
		_, err = sqlstore.Copy(ctx, db, t)
	}
	// What the signature states: the snapshot's own log, and its bytes.
	var logSize int64
	var root tlog.Hash
	if err == nil {
		logSize, root, err = t.LogHead(ctx)
	}
	t.Close()
	if err != nil {
		return err
	}
	for _, s := range []string{"-wal", "-shm"} {
		os.Remove(snap + s)
	}
	m.reached("backup: the clear snapshot made")
	sum, size, err := hashFile(snap)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	st := audit.BackupStatement{Origin: signer.Name(), SHA256: sum, Size: size, LogSize: logSize, LogRoot: root, Time: time.Now().UTC()}
	statement, err := audit.SignBackup(st, signer)
	if err != nil {
		return err
	}
	if _, err := keys.OpenBackup(statement); err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s and %s do not match: a restore could not check this backup's signature", filepath.Join(sf.dir, logKeyFile), filepath.Join(sf.dir, logPubFile)), err)
	}
	if err := encryptBackup(statement, snap, *out, rs); err != nil {
		return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s", *out), err)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	fmt.Fprintf(m.Stdout, "backup %s: %d bytes (database %d bytes, %s), log of %d leaves, signed by %s, to %d recipient(s), in %s\n",
		*out, fi.Size(), size, how, logSize, signer.Name(), len(rs), time.Since(start).Round(time.Millisecond))
	return nil
}

// logSigner returns the log key of the data directory dir, which signs
// backups as it signs checkpoints, and the verifier keys of dir/log.pub.
func logSigner(op, dir string) (note.Signer, *audit.Keys, error) {
	path := filepath.Join(dir, logKeyFile)
	skey, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the log key %s, which signs the backup: run the backup where the server runs, with its data directory (--dir)", path), err)
	}
	signer, err := audit.NewLogSigner(string(skey))
	if err != nil {
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s is not a log key", path), err)
	}
	keys, err := logKeys(op, dir)
	if err != nil {
		return nil, nil, err
	}
	return signer, keys, nil
}

// logKeys returns the log key of dir/log.pub alone, as a key set: the one
// key whose signature makes a backup or a checkpoint this log's.
func logKeys(op, dir string) (*audit.Keys, error) {
	path := filepath.Join(dir, logPubFile)
	pub, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the log's verifier key %s: pass --dir, the data directory that holds it", path), err)
	}
	vkey := strings.TrimSpace(string(pub))
	keys, err := audit.NewKeys(audit.KeyName(vkey), vkey)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s does not hold the log's verifier key", path), err)
	}
	return keys, nil
}

// hashFile returns the SHA-256 and the length of the file at path.
func hashFile(path string) (sum [32]byte, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return sum, 0, err
	}
	defer f.Close()
	h := sha256.New()
	if size, err = io.Copy(h, f); err != nil {
		return sum, 0, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, size, nil
}

// The plaintext of a backup, inside the age encryption (docs/design/log.md
// §4.1): the signed statement, an empty line, then the database file. A
// backup of a version from before backups were signed is the database
// file alone.
const (
	sqliteMagic  = "SQLite format 3\x00"
	maxStatement = 16 << 10 // far more than a statement with its signature
)

// encryptBackup encrypts the signed statement and the database file src
// to the recipients into dst, through a temporary file and a rename: dst
// is whole or absent. A nil statement writes a backup without one (as
// versions before signed backups did).
func encryptBackup(statement []byte, src, dst string, rs []age.Recipient) error {
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
	if err == nil && statement != nil {
		_, err = w.Write(append(bytes.Clone(statement), '\n'))
	}
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

// readStatement reads the signed statement at the start of a backup's
// plaintext, leaving r at the database; nil for a backup without one.
func readStatement(r *bufio.Reader) ([]byte, error) {
	if head, _ := r.Peek(len(sqliteMagic)); string(head) == sqliteMagic {
		return nil, nil
	}
	if head, _ := r.Peek(len(audit.BackupHeader) + 1); string(head) != audit.BackupHeader+"\n" {
		return nil, errors.New("it is not a backup made by 'handover backup': it starts neither with a signed statement nor with a database")
	}
	// The statement's text, an empty line, its signature lines, and the
	// empty line that ends it.
	var statement []byte
	for empty := 0; empty < 2; {
		line, err := r.ReadSlice('\n')
		if err != nil || len(statement)+len(line) > maxStatement {
			return nil, errors.New("its signed statement is cut short or too long")
		}
		if len(line) == 1 {
			empty++
			if empty == 2 {
				break
			}
		}
		statement = append(statement, line...)
	}
	return statement, nil
}

// writeDatabase writes what is left of a backup's plaintext, the database
// file, into dst (a new file, 0600), and returns its SHA-256 and length.
func writeDatabase(r io.Reader, dst string) (sum [32]byte, size int64, err error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return sum, 0, err
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(out, h), r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	copy(sum[:], h.Sum(nil))
	return sum, size, err
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
	stale := fset.String("stale-erasures", "", "restore with erasures lists all older than the backup (an erasure made after the backup is in none of them) anyway, for this `reason`")
	unsigned := fset.String("accept-unsigned", "", "restore a backup without a signature (made by a version before signed backups) anyway, for this `reason`")
	tmpDir := fset.String("tmp", "", "the `directory` the backup is decrypted in (default: beside the target directory; for PostgreSQL, KEYDIR)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *identity == "" || *to == "" {
		return usageError{"give the backup FILE, --identity KEYFILE and --to DIR|postgres://…"}
	}
	file := pos[0]
	external, err := readExternal(op, cpFiles)
	if err != nil {
		return err
	}
	// This log's key alone says what is this log's: the backup, every
	// checkpoint it is compared with, and every erasures list.
	logKey, err := logKeys(op, *keyDir)
	if err != nil {
		return err
	}
	// The lists are read before anything is written: a bad one loses
	// nothing.
	erasures, err := readErasureLists(op, lists, logKey)
	if err != nil {
		return err
	}
	held := make([]audit.Checkpoint, len(external))
	for i, e := range external {
		c, err := logKey.OpenCheckpoint(e.Note)
		if err != nil {
			return errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s is not a checkpoint of this log (%s, key %s): %s; it cannot tell whether the backup is older; nothing restored",
				e.Source, logKey.Origin, filepath.Join(*keyDir, logPubFile), errs.Message(err)), err)
		}
		held[i] = c.Checkpoint
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
	dst := dbEnd{dsn: *to, dir: *keyDir, pg: isPostgres(*to)}
	parent := *keyDir
	if !dst.pg {
		dst.dir = *to
		dst.dsn = filepath.Join(*to, "handover.db")
		if same, _ := sameDir(*keyDir, dst.dir); same {
			return errs.E(op, errs.Invalid, "--to is the key directory: restore into a new directory")
		}
		parent = filepath.Dir(filepath.Clean(*to))
	}
	if *tmpDir != "" {
		parent = *tmpDir
	}

	// The signature, before anything of the backup is written out.
	in, err := os.Open(file)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the backup %s", file), err)
	}
	defer in.Close()
	plain, err := age.Decrypt(in, ids...)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot decrypt %s with %s: %v", file, *identity, err))
	}
	br := bufio.NewReaderSize(plain, 64<<10)
	statement, err := readStatement(br)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("refused: %s: %v; nothing restored", file, err))
	}
	var signed *audit.BackupStatement
	if statement == nil {
		if strings.TrimSpace(*unsigned) == "" {
			return errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s carries no signature: it was made by a version of handover from before backups were signed, or by anyone who holds a recipient's key (age encrypts, it does not sign). Nothing proves this deployment made it; nothing restored. "+
				"Restore a signed backup; or, knowing where this one comes from, pass --accept-unsigned REASON: the reason goes into the restored log", file))
		}
		fmt.Fprintf(m.Stderr, "UNSIGNED: %s carries no signature; restoring it anyway (--accept-unsigned %q), if it passes the audit\n", file, *unsigned)
	} else {
		st, err := logKey.OpenBackup(statement)
		if err != nil {
			return errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s was not made by this deployment: %s; nothing restored", file, errs.Message(err)), err)
		}
		signed = &st
		fmt.Fprintf(m.Stdout, "signature: made by this deployment's log key (%s): %s\n", st.Origin, st)
		if *unsigned != "" {
			fmt.Fprintln(m.Stderr, "--accept-unsigned: the backup is signed; the flag is not used")
		}
	}
	tmp, done, err := m.privateDir(op, parent, ".handover-restore-")
	if err != nil {
		return err
	}
	defer done()
	snap := filepath.Join(tmp, "handover.db")
	sum, size, err := writeDatabase(br, snap)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot decrypt %s: %v", file, err))
	}
	m.reached("restore: the backup decrypted")
	if signed != nil && (sum != signed.SHA256 || size != signed.Size) {
		return errs.E(op, errs.Conflict, fmt.Sprintf("refused: the database in %s is not the one its signature states (%d bytes, SHA-256 %x; signed: %d bytes, SHA-256 %x): it was changed after the backup was made; nothing restored",
			file, size, sum[:6], signed.Size, signed.SHA256[:6]))
	}
	backup, err := sqlstore.Open(ctx, ring.config(snap))
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s does not hold a handover database: %s", file, err.Error()), err)
	}
	defer backup.Close()

	// The proof: the audit, and no rollback past a checkpoint held outside.
	logSize, err := backup.LogSize(ctx)
	if err != nil {
		return err
	}
	var kept []audit.External
	var lost int64
	var newest audit.Checkpoint
	for i, e := range external {
		c := held[i]
		if c.Size > logSize {
			if c.Size-logSize > lost {
				lost, newest = c.Size-logSize, c
			}
			fmt.Fprintf(m.Stderr, "ROLLBACK: the backup's log has %d leaves; %s is a checkpoint of %d leaves: restoring it loses the last %d logged changes (leaves %d to %d), which the holder of that checkpoint has seen\n",
				logSize, e.Source, c.Size, c.Size-logSize, logSize, c.Size-1)
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
	audited := fmt.Sprintf("size %d, root %s", res.Size, base64.StdEncoding.EncodeToString(res.Root[:]))
	if signed != nil {
		if res.Size != signed.LogSize || res.Root != signed.LogRoot {
			return errs.E(op, errs.Conflict, fmt.Sprintf("refused: the backup's log (%s) is not the one its signature states (size %d, root %s); nothing restored",
				audited, signed.LogSize, base64.StdEncoding.EncodeToString(signed.LogRoot[:])))
		}
		fmt.Fprintf(m.Stdout, "the backup's log is the one its signature states: %s\n", audited)
	}
	if signed == nil {
		// Without a signature, only a checkpoint signed by this
		// deployment's log key that the backup's log extends (stored in it,
		// or held outside: --checkpoint) shows the database is of this
		// deployment: a recipient's public key is enough to make one.
		var proven int64
		for _, c := range res.Checkpoints {
			proven = max(proven, c.Size)
		}
		for _, e := range res.External {
			proven = max(proven, e.Size)
		}
		if len(res.Checkpoints)+len(res.External) == 0 || proven == 0 {
			return errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s carries no signature and its log extends no checkpoint of this deployment's log key (%s, key %s): "+
				"none is stored in it and no --checkpoint it extends is given, so nothing shows this deployment made it (anyone holding a recipient's public key can make such a file); nothing restored. "+
				"Restore a signed backup, or give a checkpoint of this log the backup extends (--checkpoint FILE, e.g. a witness's state file)",
				file, logKey.Origin, filepath.Join(*keyDir, logPubFile)))
		}
		fmt.Fprintf(m.Stdout, "UNSIGNED: the backup's log extends a checkpoint of this deployment's log key of %d leaves; its last %d leaves, and what the log does not cover, are proven by nothing but the audit\n",
			proven, res.Size-proven)
	}
	// Each erasures list is of the backup's history.
	if err := checkErasureLeaves(ctx, op, backup, erasures, "the backup", "nothing restored"); err != nil {
		return err
	}
	// A list holds the erasures made before it: one older than the backup
	// holds none made after it, and a person erased since would be back.
	if len(erasures) > 0 {
		var newest int64 = -1
		for _, l := range erasures {
			fmt.Fprintf(m.Stdout, "erasures list %s: listed %s, log of %d leaves, %d erasures\n", l.file, l.listed.Format(time.RFC3339), l.logSize, len(l.tombstones))
			newest = max(newest, l.logSize)
		}
		if newest < logSize {
			if strings.TrimSpace(*stale) == "" {
				return errs.E(op, errs.Conflict, fmt.Sprintf("refused: every erasures list is older than the backup (the newest was made at a log of %d leaves, the backup's log has %d): "+
					"an erasure made after the backup is in none of them, and its person would be back; nothing restored. "+
					"Give the newest list ('handover erase list --out' writes it after every erasure); or, if there is none newer, pass --stale-erasures REASON", newest, logSize))
			}
			fmt.Fprintf(m.Stderr, "STALE ERASURES (%s): every erasures list is older than the backup (log of %d leaves, the backup's %d): an erasure made after the backup is not applied again\n", *stale, newest, logSize)
		}
	} else if *stale != "" {
		fmt.Fprintln(m.Stderr, "--stale-erasures: no --erasures list is given; the flag is not used")
	}

	// The reasons go into the restored log before anything else, and the
	// erasures are applied again, all in the decrypted snapshot in the
	// private directory, before anything is written to the target: an
	// erased person never reaches it (nor PostgreSQL's WAL), and a restore
	// stopped before the copy leaves no target holding him.
	next := logSize
	if lost > 0 {
		if err := backup.RecordRollback(ctx, *force, lost, newest.String()); err != nil {
			return err
		}
		next++
	}
	if signed == nil {
		if err := backup.RecordUnsignedRestore(ctx, *unsigned, hex.EncodeToString(sum[:]), audited); err != nil {
			return err
		}
	}
	refused := 0
	if len(lists) > 0 {
		refused, err = m.reapplyErasures(ctx, backup, mergeErasures(erasures), "this backup")
		if err != nil {
			return errs.E(op, "the erasures were not all applied again to the backup; nothing restored", err)
		}
		// The erased values leave the snapshot's file (its pages are
		// zeroed as freed: secure_delete) before it is copied.
		if err := backup.Scrub(ctx); err != nil {
			return errs.E(op, "the backup's copy could not be scrubbed after the erasures were applied again; nothing restored", err)
		}
	}

	// The copy into the target, as 'db copy' does it.
	target, stats, err := m.copyInto(ctx, op, backup, dst, *to, *keyDir, ring)
	if err != nil {
		return err
	}
	defer target.Close()
	if err := m.checkCopy(ctx, op, stats, backup, target, *keyDir); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %d rows into %s (%s) in %s; log of %d leaves\n", stats.Rows, redactDSN(dst.dsn), target.Dialect(), stats.Elapsed.Round(time.Millisecond), logSize)
	if lost > 0 {
		fmt.Fprintf(m.Stdout, "ROLLBACK FORCED (%s): %d logged changes after the backup are lost; the reason is leaf %d of the restored log (log.rollback); tell every party and witness: their checkpoints will not be extended by this log\n", *force, lost, logSize)
		fmt.Fprintf(m.Stderr, "ROLLBACK FORCED (%s): %d logged changes after the backup are lost\n", *force, lost)
	}
	if signed == nil {
		fmt.Fprintf(m.Stdout, "UNSIGNED BACKUP ACCEPTED (%s): nothing proves this deployment made it; the reason and the database's SHA-256 are leaf %d of the restored log (log.unsigned_restore)\n", *unsigned, next)
		fmt.Fprintf(m.Stderr, "UNSIGNED BACKUP ACCEPTED (%s)\n", *unsigned)
	}
	if refused > 0 {
		// A restore must not bring an erased person back.
		again := "handover erase reapply --dir " + dst.dir
		if dst.pg {
			again = fmt.Sprintf("handover erase reapply --dir %s --db %s", *keyDir, redactDSN(dst.dsn))
		}
		for _, l := range lists {
			again += " --erasures " + l
		}
		return errs.E(op, errs.Conflict, fmt.Sprintf("restored into %s, but %d erased records were not erased again (NOT ERASED AGAIN above): the restored database holds their persons. "+
			"It is left in place; do not serve it yet. What names a record is never removed, so this backup is not of the history the list came from "+
			"(a forced rollback since): restore a backup of that history if there is one; otherwise the party's approver decides, "+
			"and '%s' erases what it can", redactDSN(dst.dsn), refused, again))
	}
	return nil
}
