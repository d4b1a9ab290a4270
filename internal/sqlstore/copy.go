package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// copyTables is every table of the schema but schema_migrations, in
// foreign-key order: a table comes after every table it refers to. A
// table the migrations add must be added here too, or Copy refuses to run
// (TestCopyTablesAreTheSchema compares this list with both dialects'
// schemas). state tables are filled by Open on an empty database
// (record_terms_state, log_coverage, seal_keys, sealed_at_rest): the copy replaces their rows with
// the source's instead of finding the target "not empty".
var copyTables = []struct {
	name  string
	state bool
}{
	{name: "parties"},
	{name: "users"},
	{name: "tokens"},
	{name: "user_prefs"},
	{name: "user_codes"},
	{name: "sessions"},
	{name: "account_events"},
	{name: "records"},
	{name: "record_versions"},
	{name: "record_erasures"},
	{name: "record_terms"},
	{name: "record_terms_state", state: true},
	{name: "log_leaves"},
	{name: "log_hashes"},
	{name: "log_checkpoints"},
	{name: "log_cosignatures"},
	{name: "log_keys"},
	{name: "key_events"},
	{name: "log_coverage", state: true},
	{name: "match_runs"},
	{name: "match_candidates"},
	{name: "match_decisions"},
	{name: "match_disclosures"},
	{name: "match_withdrawals"},
	{name: "exchanges"},
	{name: "exchange_lists"},
	{name: "exchange_responses"},
	{name: "evidence"},
	{name: "agreements"},
	{name: "agreement_signatures"},
	{name: "stages"},
	{name: "stage_events"},
	{name: "stage_reserves"},
	{name: "remains_items"},
	{name: "case_steps"},
	{name: "priority_flags"},
	{name: "tracing_exports"},
	{name: "custody_events"},
	{name: "interviews"},
	{name: "seal_keys", state: true},
	{name: "sealed_at_rest", state: true},
}

// transientTables hold what server processes share while they run and
// nothing a restore needs: the login limiter's counts, the import
// previews waiting for confirmation and the progress of the matching runs
// started from the pages (a restored deployment starts with none; a run
// itself is in match_runs). Copy and backup leave them out.
var transientTables = []string{"login_attempts", "login_known", "held_uploads", "match_jobs"}

// CopyStats says what Copy copied.
type CopyStats struct {
	Tables  []TableCount // in copy order
	Rows    int64        // all rows
	Elapsed time.Duration
}

// TableCount is one table's row count.
type TableCount struct {
	Table string
	Rows  int64
}

// Copy copies every row of every table from the store from into the store
// to, which must be empty (opened, so migrated, and holding no rows) and
// at the same schema version, of either dialect. It reads the source in
// one consistent snapshot (SQLite: one read transaction over the WAL;
// PostgreSQL: one REPEATABLE READ, READ ONLY transaction), so a server may
// keep writing to it meanwhile, and writes the target in one transaction
// (into PostgreSQL each table by COPY FROM STDIN, inside it): on any
// failure the target is left as empty as it was. Values are
// converted where the dialects' column types differ (BLOB and BYTEA);
// times are TEXT on both. PostgreSQL identity sequences are set past the
// copied ids; SQLite's AUTOINCREMENT follows explicit ids by itself.
// Both stores must use the same sealing key: sealed fields are copied as
// they are, never opened.
func Copy(ctx context.Context, from, to *DB) (*CopyStats, error) {
	const op = "sqlstore.Copy"
	start := time.Now()
	if from.sameDatabase(to) {
		return nil, errs.E(op, errs.Invalid, "the source and the target are the same database")
	}
	src, err := from.dialect.snapshot(ctx, from.db)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "cannot begin a consistent read of the source", err)
	}
	defer src.Rollback()
	// One connection of the target's for the whole write: a PostgreSQL
	// target's rows go in by COPY on the driver's own connection (copyIn),
	// which must be the connection of the transaction.
	conn, err := to.db.Conn(ctx)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "cannot connect to the target", err)
	}
	defer conn.Close()
	dst, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "cannot begin a transaction on the target", err)
	}
	defer dst.Rollback()
	if err := checkSchemas(ctx, from, src, to, dst); err != nil {
		return nil, err
	}
	stats := &CopyStats{}
	for _, t := range copyTables {
		if !t.state {
			var n int64
			if err := dst.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&n); err != nil {
				return nil, errs.E(op, errs.Internal, "cannot count the target's "+t.name, err)
			}
			if n > 0 {
				return nil, errs.E(op, errs.Conflict, fmt.Sprintf("the target is not empty: its table %s holds %d rows; copy only into a new database", t.name, n))
			}
		} else if _, err := dst.ExecContext(ctx, `DELETE FROM `+t.name); err != nil {
			return nil, errs.E(op, errs.Internal, "cannot clear the target's "+t.name, err)
		}
		n, err := copyTable(ctx, t.name, src, target{to.dialect, conn, dst})
		if err != nil {
			return nil, errs.E(op, errs.Internal, "cannot copy "+t.name, err)
		}
		stats.Tables = append(stats.Tables, TableCount{t.name, n})
		stats.Rows += n
	}
	if err := resetIdentities(ctx, to.dialect, dst); err != nil {
		return nil, errs.E(op, errs.Internal, "cannot set the target's identity sequences", err)
	}
	if err := dst.Commit(); err != nil {
		return nil, errs.E(op, errs.Internal, "cannot commit the copy", err)
	}
	to.stages.reset()
	stats.Elapsed = time.Since(start)
	return stats, nil
}

// RowCounts returns the row count of every copied table, in copy order.
func (db *DB) RowCounts(ctx context.Context) ([]TableCount, error) {
	var out []TableCount
	for _, t := range copyTables {
		var n int64
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&n); err != nil {
			return nil, errs.E("sqlstore.RowCounts", errs.Internal, "cannot count "+t.name, err)
		}
		out = append(out, TableCount{t.name, n})
	}
	return out, nil
}

// readTx is a consistent read: *sql.Tx on PostgreSQL, sqliteRead on
// SQLite.
type readTx interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	Rollback() error
}

type sqliteRead struct{ conn *sql.Conn }

func (r *sqliteRead) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.conn.QueryContext(ctx, q, args...)
}

func (r *sqliteRead) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.conn.QueryRowContext(ctx, q, args...)
}

func (r *sqliteRead) Rollback() error {
	if r.conn == nil {
		return nil
	}
	_, err := r.conn.ExecContext(context.Background(), `ROLLBACK`)
	r.conn.Close()
	r.conn = nil
	return err
}

// sameDatabase reports whether db and other name one database: one SQLite
// file, or one PostgreSQL DSN.
func (db *DB) sameDatabase(other *DB) bool {
	return db == other || db.dialect == other.dialect && db.dialect.sameDatabase(db.where, other.where)
}

type queryerCtx interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// checkSchemas refuses a copy between databases of different schema
// versions, or whose tables are not copyTables.
func checkSchemas(ctx context.Context, from *DB, src readTx, to *DB, dst *sql.Tx) error {
	const op = "sqlstore.Copy"
	srcMig, err := strs(ctx, src, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return errs.E(op, errs.Internal, "cannot read the source's schema version", err)
	}
	dstMig, err := strs(ctx, dst, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return errs.E(op, errs.Internal, "cannot read the target's schema version", err)
	}
	if !slices.Equal(srcMig, dstMig) {
		return errs.E(op, errs.Conflict, fmt.Sprintf("the source's schema (%d migrations, the last %s) differs from the target's (%d, the last %s): open both with the same version of handover",
			len(srcMig), last(srcMig), len(dstMig), last(dstMig)))
	}
	for _, side := range []struct {
		name string
		d    dialect
		q    queryerCtx
	}{{"source", from.dialect, src}, {"target", to.dialect, dst}} {
		tables, err := strs(ctx, side.q, side.d.tablesQuery())
		if err != nil {
			return errs.E(op, errs.Internal, "cannot list the "+side.name+"'s tables", err)
		}
		if missing := uncopied(tables); len(missing) > 0 {
			return errs.E(op, errs.Internal, fmt.Sprintf("the %s has tables the copy does not know: %s", side.name, strings.Join(missing, ", ")))
		}
	}
	return nil
}

// uncopied returns the tables of a schema that copyTables lacks.
func uncopied(tables []string) []string {
	var out []string
	for _, t := range tables {
		if t == "schema_migrations" || slices.Contains(transientTables, t) {
			continue
		}
		if !slices.ContainsFunc(copyTables, func(c struct {
			name  string
			state bool
		}) bool {
			return c.name == t
		}) {
			out = append(out, t)
		}
	}
	return out
}

func last(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[len(s)-1]
}

func strs(ctx context.Context, q queryerCtx, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanString)
}

// blobColumns returns the table's columns that hold bytes (BLOB, BYTEA).
func blobColumns(ctx context.Context, d dialect, q queryerCtx, table string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, d.columnTypesQuery(table))
	if err != nil {
		return nil, err
	}
	return collectMap(rows, func(rows *sql.Rows) (string, bool, error) {
		var name, typ string
		err := rows.Scan(&name, &typ)
		typ = strings.ToLower(typ)
		return name, typ == "blob" || typ == "bytea", err
	})
}

// target is where Copy writes: the target's dialect, the one connection
// of its transaction and the transaction.
type target struct {
	d    dialect
	conn *sql.Conn
	tx   *sql.Tx
}

// copyTable copies one table's rows, returning how many: by COPY FROM
// STDIN where the target has it (PostgreSQL), by multi-row INSERTs
// elsewhere.
func copyTable(ctx context.Context, table string, src readTx, dst target) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	blobs, err := blobColumns(ctx, dst.d, dst.tx, table)
	if err != nil {
		return 0, err
	}
	if dst.d.copyFrom() {
		return copyIn(ctx, dst.conn, table, cols, blobs, rows)
	}
	return insertRows(ctx, table, cols, blobs, rows, dst)
}

// insertRows writes rows into the target's table in multi-row INSERTs.
func insertRows(ctx context.Context, table string, cols []string, blobs map[string]bool, rows *sql.Rows, dst target) (int64, error) {
	perRow := len(cols)
	batch := min(500, dst.d.maxParams()/perRow)
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `
	one := `(` + strings.TrimSuffix(strings.Repeat("?, ", perRow), ", ") + `)`
	args := make([]any, 0, batch*perRow)
	var n int64
	flush := func(k int) error {
		if k == 0 {
			return nil
		}
		q := head + strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
		_, err := dst.tx.ExecContext(ctx, dst.d.rebind(q), args...)
		args = args[:0]
		return err
	}
	k := 0
	vals := make([]any, perRow)
	ptrs := make([]any, perRow)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := eachRow(rows, func(rows *sql.Rows) error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			args = append(args, convertValue(v, blobs[cols[i]]))
		}
		k++
		n++
		if k == batch {
			if err := flush(k); err != nil {
				return err
			}
			k = 0
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, flush(k)
}

// copyIn writes rows into the target's table with PostgreSQL's COPY FROM
// STDIN (binary), streamed as they are read, on conn: the connection of
// the target's transaction, so that the rows are the transaction's and go
// with it if it rolls back. Values are converted as for an INSERT
// (convertValue); pgx encodes each for its column's type.
func copyIn(ctx context.Context, conn *sql.Conn, table string, cols []string, blobs map[string]bool, rows *sql.Rows) (int64, error) {
	blob := make([]bool, len(cols))
	for i, c := range cols {
		blob[i] = blobs[c]
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]any, len(cols))
	cur := &cursor[[]any]{rows: rows, scan: func(rows *sql.Rows) ([]any, error) {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		// pgx encodes a row before it asks for the next: out is reused.
		for i, v := range vals {
			out[i] = convertValue(v, blob[i])
		}
		return out, nil
	}}
	next := func() ([]any, error) {
		row, _, err := cur.next()
		return row, err // nil, nil: no row left
	}
	var n int64
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("the target's connection is a %T, not pgx's: COPY needs pgx", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(next))
		return err
	})
	return n, err
}

// convertValue turns a value read from one dialect into one the other
// stores in the same column: bytes for a BLOB/BYTEA column (SQLite may
// hand back text for a BLOB column written as a string), text for the
// rest (drivers may hand back []byte for TEXT), a copy of bytes the next
// Scan would overwrite.
func convertValue(v any, blob bool) any {
	switch x := v.(type) {
	case string:
		if blob {
			return []byte(x)
		}
		return x
	case []byte:
		if blob {
			return slices.Clone(x)
		}
		return string(x)
	case time.Time:
		return fmtTime(x)
	}
	return v
}

// resetIdentities sets every identity column's sequence past the largest
// id the copy wrote, so that the next insert does not reuse one (where
// the dialect has sequences apart from the rows).
func resetIdentities(ctx context.Context, d dialect, tx *sql.Tx) error {
	q := d.identityColumnsQuery()
	if q == "" {
		return nil
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	type col struct{ table, column string }
	var cols []col
	err = eachRow(rows, func(rows *sql.Rows) error {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			return err
		}
		cols = append(cols, c)
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range cols {
		q := d.resetIdentity(c.table, c.column)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s.%s: %w", c.table, c.column, err)
		}
	}
	return nil
}

// VacuumInto writes a consistent copy of an SQLite store into a new file at
// path (SQLite's VACUUM INTO: one read transaction, so writers go on; the
// copy is compact and has no WAL). PostgreSQL has no such statement: copy
// it into a new SQLite store with Copy instead.
func (db *DB) VacuumInto(ctx context.Context, path string) error {
	const op = "sqlstore.VacuumInto"
	vacuum := db.dialect.vacuumInto()
	if vacuum == "" {
		return errs.E(op, errs.Invalid, "VACUUM INTO is SQLite's: copy a PostgreSQL store with Copy")
	}
	// An empty file is where VACUUM INTO may write: made first, so that the
	// copy is this user's alone from its first byte.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errs.E(op, errs.Conflict, fmt.Sprintf("cannot create %s", path), err)
	}
	f.Close()
	if _, err := db.db.ExecContext(ctx, vacuum, path); err != nil {
		os.Remove(path)
		return errs.E(op, errs.Internal, "cannot write the copy "+path, err)
	}
	return nil
}

// The leaf of a forced rollback: a restore of a backup older than a
// checkpoint held outside, written into the restored log so that whoever
// audits it later reads that the log was rolled back, by how much and why.
// Its content is public (no personal data), so the nonce is all zeros and
// anyone can check the leaf against the reason printed by the restore.
const leafRollback audit.LeafType = "log.rollback"

const tagRollback = "handover/rollback/v1"

// RollbackContent is what a log.rollback leaf commits to.
func RollbackContent(reason string, lost int64, checkpoint string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{"reason": reason, "lost": strconv.FormatInt(lost, 10), "checkpoint": checkpoint})
	return b
}

// RecordRollback appends the log.rollback leaf of a forced restore: the
// operator's reason, how many logged changes were lost, and the newest
// checkpoint held outside that the restored log does not extend (its
// "size N, root …").
func (db *DB) RecordRollback(ctx context.Context, reason string, lost int64, checkpoint string) error {
	content := RollbackContent(reason, lost, checkpoint)
	return db.write(ctx, func(tx *Tx) error {
		return tx.appendLeaf(ctx, audit.Leaf{Type: leafRollback, Actor: "system", Time: tx.now, Subject: "rollback",
			Commitment: audit.Commit(tagRollback, audit.Nonce{}, content)})
	})
}

// The leaf of a restore of an unsigned backup: one made before backups
// were signed, or by anyone who holds a recipient's key. Nothing proves
// that the deployment made it, so the operator's reason goes into the
// restored log, public as a forced rollback's is.
const leafUnsignedRestore audit.LeafType = "log.unsigned_restore"

const tagUnsignedRestore = "handover/unsigned-restore/v1"

// UnsignedRestoreContent is what a log.unsigned_restore leaf commits to:
// the operator's reason, the SHA-256 (hex) of the database file restored
// and the backup's log as the audit found it ("size N, root …").
func UnsignedRestoreContent(reason, sha256, log string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{"reason": reason, "database": sha256, "log": log})
	return b
}

// RecordUnsignedRestore appends the log.unsigned_restore leaf of a restore
// of an unsigned backup (handover restore --accept-unsigned REASON).
func (db *DB) RecordUnsignedRestore(ctx context.Context, reason, sha256, log string) error {
	content := UnsignedRestoreContent(reason, sha256, log)
	return db.write(ctx, func(tx *Tx) error {
		return tx.appendLeaf(ctx, audit.Leaf{Type: leafUnsignedRestore, Actor: "system", Time: tx.now, Subject: "restore",
			Commitment: audit.Commit(tagUnsignedRestore, audit.Nonce{}, content)})
	})
}
