package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const dbCopyUsage = `
Usage: handover db copy --from DIR|FILE|postgres://… --to DIR|postgres://… [--dir KEYDIR]

Copies every table of a database into a new, empty one, of either kind:
SQLite (a data directory) to PostgreSQL, PostgreSQL to SQLite, or SQLite to
SQLite. The source is read in one consistent snapshot, so a server may go
on writing to it (what it writes after the snapshot is not copied: stop
the server first for a move). The target is written in one transaction:
if anything fails, it is left empty. The target must be empty (created by
this command, or an empty database): a target that holds anything is
refused.

The data key and the log keys stay where they are: in the source's data
directory (--from DIR), or in --dir KEYDIR when the source is PostgreSQL
or an SQLite FILE elsewhere.
A target directory gets a copy of them. Serve a PostgreSQL target with
'handover serve --dir KEYDIR --db postgres://…'.

Afterwards the log audit runs on the target with the log's keys, the row
counts are compared with what was read, and the target's newest checkpoint
must be the source's at that size: the same root hash.

Examples:
  handover db copy --from /var/lib/handover --to postgres://handover@db.internal/handover
  handover db copy --from postgres://handover@db.internal/handover --dir /var/lib/handover --to /srv/handover-copy
`

// keyFiles are the files of a data directory that go with its database.
var keyFiles = []string{keyFile, logKeyFile, logPubFile}

// dbEnd is one end of a copy: a database and the directory of its keys.
type dbEnd struct {
	dsn string // postgres://… or the SQLite file
	dir string // the data directory (keys; the SQLite file's home)
	pg  bool
}

func isPostgres(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func runDBCopy(ctx context.Context, m *Main, args []string) error {
	const op = "db copy"
	fset := m.newFlagSet(op, dbCopyUsage)
	from := fset.String("from", "", "the source: a data directory or postgres://…")
	to := fset.String("to", "", "the target: a new data directory or an empty postgres://… database")
	def := m.Getenv("HANDOVER_DIR")
	if def == "" {
		def = "handover-data"
	}
	keyDir := fset.String("dir", def, "the data directory holding the keys, when --from is PostgreSQL or an SQLite file (env HANDOVER_DIR)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageError{"give both --from and --to"}
	}
	src := dbEnd{dsn: *from, dir: *keyDir, pg: isPostgres(*from)}
	if !src.pg {
		fi, err := os.Stat(*from)
		switch {
		case err != nil:
			return errs.E(op, errs.Invalid, fmt.Sprintf("--from %s: no such data directory or database file", *from))
		case fi.IsDir():
			src.dir = *from
			src.dsn = filepath.Join(*from, "handover.db")
			if _, err := os.Stat(src.dsn); err != nil {
				return errs.E(op, errs.Invalid, fmt.Sprintf("--from %s: no database %s there", *from, src.dsn))
			}
		}
	}
	dst := dbEnd{dsn: *to, dir: src.dir, pg: isPostgres(*to)}
	if !dst.pg {
		dst.dir = *to
		dst.dsn = filepath.Join(*to, "handover.db")
		if same, _ := sameDir(src.dir, dst.dir); same {
			return errs.E(op, errs.Invalid, "--from and --to name the same directory: copy into a new one")
		}
	} else if src.pg && strings.TrimSpace(*from) == strings.TrimSpace(*to) {
		return errs.E(op, errs.Invalid, "--from and --to name the same database")
	}
	ring, err := m.dataKeys(src.dir, "", false)
	if err != nil {
		return err
	}
	source, err := sqlstore.Open(ctx, ring.config(src.dsn))
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("the source %s: %s", redactDSN(*from), err.Error()), err)
	}
	defer source.Close()
	target, stats, err := m.copyInto(ctx, op, source, dst, *to, src.dir, ring)
	if err != nil {
		return err
	}
	defer target.Close()
	for _, t := range stats.Tables {
		fmt.Fprintf(m.Stdout, "%-22s %10d rows\n", t.Table, t.Rows)
	}
	fmt.Fprintf(m.Stdout, "copied %d rows from %s (%s) to %s (%s) in %s\n", stats.Rows, redactDSN(src.dsn), source.Dialect(),
		redactDSN(dst.dsn), target.Dialect(), stats.Elapsed.Round(1e6))
	return m.checkCopy(ctx, op, stats, source, target, src.dir)
}

// copyInto makes the target dst (to, as the user wrote it, for messages),
// copies source into it and, for a directory, puts the keys of keyDir
// beside it. A target it made is removed again when the copy fails; once
// the copy is in, it is kept, whatever later checks say. The caller closes
// the returned store.
func (m *Main) copyInto(ctx context.Context, op string, source *sqlstore.DB, dst dbEnd, to, keyDir string, ring *keyRing) (*sqlstore.DB, *sqlstore.CopyStats, error) {
	undo, err := prepareTarget(op, dst)
	if err != nil {
		return nil, nil, err
	}
	target, err := sqlstore.Open(ctx, ring.config(dst.dsn))
	if err != nil {
		undo()
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("the target %s: %s", redactDSN(to), err.Error()), err)
	}
	stats, err := sqlstore.Copy(ctx, source, target)
	if err != nil {
		target.Close()
		undo()
		return nil, nil, err
	}
	if !dst.pg {
		if err := copyKeyFiles(op, keyDir, dst.dir, !ring.inDir); err != nil {
			target.Close()
			return nil, nil, err
		}
	}
	return target, stats, nil
}

// checkCopy proves the copy: the target's row counts are what was read,
// its newest checkpoint is the source's at that size, and it passes the
// log audit.
func (m *Main) checkCopy(ctx context.Context, op string, stats *sqlstore.CopyStats, source, target *sqlstore.DB, keyDir string) error {
	counts, err := target.RowCounts(ctx)
	if err != nil {
		return err
	}
	for i, c := range counts {
		if c != stats.Tables[i] {
			return errs.E(op, errs.Internal, fmt.Sprintf("the target's %s holds %d rows, %d were copied", c.Table, c.Rows, stats.Tables[i].Rows))
		}
	}
	fmt.Fprintln(m.Stdout, "row counts: every table of the target holds the rows read from the source")
	cp, err := target.LatestCheckpoint(ctx)
	if err == nil {
		c, err := audit.PeekCheckpoint(cp)
		if err != nil {
			return errs.E(op, errs.Internal, "the target's newest checkpoint is malformed", err)
		}
		theirs, err := source.CheckpointAt(ctx, c.Size)
		if err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("the source has no checkpoint at size %d any more", c.Size), err)
		}
		if !bytes.Equal(theirs, cp) {
			return errs.E(op, errs.Internal, fmt.Sprintf("the target's checkpoint at size %d differs from the source's", c.Size))
		}
		fmt.Fprintf(m.Stdout, "checkpoint: the target's newest, %s, is the source's\n", c)
	} else if !errs.Is(errs.NotFound, err) {
		return err
	}
	keys, err := storeAuditKeys(ctx, target, keyDir, "")
	if err != nil {
		return err
	}
	res, err := target.AuditLog(ctx, keys)
	if err != nil {
		return err
	}
	m.printReport(res.Report)
	if !res.OK() {
		return errs.Errorf(op, errs.Conflict, "the copy failed the log audit: %d problem(s)", len(res.Findings)+res.Omitted)
	}
	return nil
}

// prepareTarget makes a target directory (0700) when the target is one,
// and returns what undoes what it and the copy made there: the directory
// if it made it, else the database files if there were none.
func prepareTarget(op string, dst dbEnd) (undo func(), err error) {
	if dst.pg {
		return func() {}, nil
	}
	if _, err := os.Stat(dst.dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dst.dir, 0o700); err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot create the target directory %s", dst.dir), err)
		}
		return func() { os.RemoveAll(dst.dir) }, nil
	}
	for _, f := range keyFiles {
		if _, err := os.Stat(filepath.Join(dst.dir, f)); err == nil {
			return nil, errs.E(op, errs.Conflict, fmt.Sprintf("the target directory %s holds keys already (%s): copy into a new directory", dst.dir, f))
		}
	}
	if _, err := os.Stat(dst.dsn); err == nil {
		return func() {}, nil // an empty database there: Copy checks it is empty
	}
	return func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(dst.dsn + suffix)
		}
	}, nil
}

// copyKeyFiles copies the data key and the log keys into the target
// directory (the data key only when it is DIR/data.key: a key kept apart,
// HANDOVER_DATA_KEY or a --data-key-file, goes with the deployment, not the
// directory).
func copyKeyFiles(op, from, to string, keyInEnv bool) error {
	for _, f := range keyFiles {
		b, err := os.ReadFile(filepath.Join(from, f))
		if errors.Is(err, fs.ErrNotExist) && (f != keyFile || keyInEnv) {
			continue
		}
		if err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot read %s", filepath.Join(from, f)), err)
		}
		if err := writeFileAtomic(filepath.Join(to, f), b, 0o600); err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s", filepath.Join(to, f)), err)
		}
	}
	return nil
}

// sameDir reports whether a and b are one directory.
func sameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
