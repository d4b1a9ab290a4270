package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the one seam between SQLite and PostgreSQL. Queries are written
// once, with '?' placeholders and plain SQL both databases accept (RETURNING,
// ON CONFLICT); everything that differs lives here.
type dialect struct {
	name   string // "sqlite" or "postgres"
	driver string // database/sql driver name
}

var (
	sqliteDialect   = dialect{name: "sqlite", driver: "sqlite"}
	postgresDialect = dialect{name: "postgres", driver: "pgx"}
)

// dialectOf is the dialect a DSN names: a postgres:// or postgresql://
// URL is PostgreSQL; anything else is an SQLite path or URI.
func dialectOf(dsn string) dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgresDialect
	}
	return sqliteDialect
}

// open turns the DSN a user gave into the one the driver opens, and says
// where the database is (for Copy's refusal to copy a database onto
// itself): an SQLite DSN gets the pragmas handover relies on (sqliteDSN)
// and is a file; a PostgreSQL DSN is passed on as it is.
func (d dialect) open(dsn string) (driverDSN, where string, err error) {
	if d.name == "postgres" {
		return dsn, dsn, nil
	}
	driverDSN, err = sqliteDSN(dsn)
	return driverDSN, sqlitePath(dsn), err
}

// sameDatabase reports whether two databases of the dialect, where they
// are, are one: one PostgreSQL DSN, or one SQLite file (by its identity
// on disk, whatever path names it).
func (d dialect) sameDatabase(a, b string) bool {
	if d.name == "postgres" {
		return a == b
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return os.SameFile(fa, fb)
}

// snapshot begins the consistent read of the whole database (Copy).
// PostgreSQL reads one snapshot in a read-only REPEATABLE READ
// transaction. SQLite's write transactions begin IMMEDIATE (sqliteDSN); a
// read must not take the write lock, so it begins DEFERRED on a
// connection of its own and reads one WAL snapshot from its first SELECT,
// made at once, until it ends.
func (d dialect) snapshot(ctx context.Context, db *sql.DB) (readTx, error) {
	if d.name == "postgres" {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		return tx, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		conn.Close()
		return nil, err
	}
	// Pin the snapshot now, not at the first table's read.
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		conn.Close()
		return nil, err
	}
	return &sqliteRead{conn}, nil
}

// rebind turns '?' placeholders into '$1', '$2', … for PostgreSQL. Queries
// never contain a literal '?' inside a string.
func (d dialect) rebind(q string) string {
	if d.name != "postgres" || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func (d dialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// forUpdate makes a SELECT of one row lock that row until the write
// transaction ends, so that a check made inside the transaction stays true
// until its write commits — across server processes too. PostgreSQL locks
// the row FOR NO KEY UPDATE: it orders the transactions that take it, yet
// lets others insert rows that refer to it (a foreign key check takes KEY
// SHARE, which FOR UPDATE would block: a transaction holding the log's
// lock and inserting an answer would wait for one holding the exchange's
// row and waiting for the log — a deadlock). SQLite needs nothing, because
// its write transactions begin IMMEDIATE and hold the whole database.
func (d dialect) forUpdate(q string) string {
	if d.name == "postgres" {
		return q + ` FOR NO KEY UPDATE`
	}
	return q
}

// maxConns is the size of the connection pool. One writer at a time is
// SQLite's model; readers run beside it in WAL mode, and a small pool keeps
// reads parallel without piling up writers that would only wait on the
// busy timeout. PostgreSQL runs writers side by side.
func (d dialect) maxConns() int {
	if d.name == "postgres" {
		return 16
	}
	return 8
}

// lockLog is the statement that makes a transaction the log's only
// appender until it ends, so that leaf indexes stay contiguous:
// PostgreSQL takes a transaction-scoped advisory lock (per schema); SQLite
// needs none ("" is returned), its write transactions being serialised
// already (BEGIN IMMEDIATE).
func (d dialect) lockLog() string {
	if d.name == "postgres" {
		return `SELECT pg_advisory_xact_lock(6962, hashtext(current_schema()))`
	}
	return ""
}

// lockLogins is lockLog for the login limiter's counts (ReserveLogin):
// one check-and-count at a time over every server process.
func (d dialect) lockLogins() string {
	if d.name == "postgres" {
		return `SELECT pg_advisory_xact_lock(6963, hashtext(current_schema()))`
	}
	return ""
}

// lockUploads is lockLog for the held uploads (HoldUpload): the bound on
// their bytes is checked and kept by one process at a time.
func (d dialect) lockUploads() string {
	if d.name == "postgres" {
		return `SELECT pg_advisory_xact_lock(6964, hashtext(current_schema()))`
	}
	return ""
}

// blobHas is the condition that column col's bytes hold the bytes of
// the query's next argument (a []byte): SQLite's LIKE never matches a
// blob, PostgreSQL's position does not take text.
func (d dialect) blobHas(col string) string {
	if d.name == "postgres" {
		return "position(? in " + col + ") > 0"
	}
	return "instr(" + col + ", ?) > 0"
}

// withoutKey is the SQL of the JSON text of column col without its key
// (a constant): what the append-only guard of record_versions checks when
// a withhold reason written in clear is sealed (migration 0030).
func (d dialect) withoutKey(col, key string) string {
	if d.name == "postgres" {
		return `(` + col + `::jsonb - '` + key + `')::text`
	}
	return `json_remove(` + col + `, '$.` + key + `')`
}

// integrityCheck is the statement that checks the database file and
// answers "ok", or "" where the database has none (PostgreSQL).
func (d dialect) integrityCheck() string {
	if d.name == "sqlite" {
		return `PRAGMA integrity_check`
	}
	return ""
}

// insertTermsArrays is the statement that inserts search keys passed as
// two arrays (keys, record seqs), one short statement for thousands of
// rows, or "" where arrays cannot be bound (SQLite: rows of placeholders
// instead). again skips the rows already there.
func (d dialect) insertTermsArrays(again bool) string {
	if d.name != "postgres" {
		return ""
	}
	q := `INSERT INTO record_terms (k, record_seq) SELECT * FROM unnest($1::text[], $2::bigint[])`
	if again {
		q += ` ON CONFLICT DO NOTHING`
	}
	return q
}

// copyFrom reports whether whole tables are written with COPY FROM STDIN
// (Copy into PostgreSQL: the rows streamed, none parsed as SQL) rather
// than in multi-row INSERTs (SQLite, which has no COPY).
func (d dialect) copyFrom() bool {
	return d.name == "postgres"
}

// maxParams is how many bind parameters one statement may carry.
func (d dialect) maxParams() int {
	if d.name == "postgres" {
		return 65535
	}
	return 32766
}

// tablesQuery lists the schema's tables by name.
func (d dialect) tablesQuery() string {
	if d.name == "postgres" {
		return `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
}

// columnTypesQuery lists a table's columns with their declared types
// (rows of name, type). table is one of the schema's own names, never a
// user's text.
func (d dialect) columnTypesQuery(table string) string {
	if d.name == "postgres" {
		return `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '` + table + `'`
	}
	return `SELECT name, type FROM pragma_table_info('` + table + `')`
}

// identityColumnsQuery lists the identity columns whose sequences live
// apart from the rows (rows of table, column), so that a copy sets them
// past the ids it wrote; "" where there are none (SQLite: an INTEGER
// PRIMARY KEY goes on from the largest rowid).
func (d dialect) identityColumnsQuery() string {
	if d.name == "postgres" {
		return `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`
	}
	return ""
}

// resetIdentity is the statement that sets the sequence of an identity
// column one past the largest value in it (1 on an empty table).
func (d dialect) resetIdentity(table, column string) string {
	return `SELECT setval(pg_get_serial_sequence('` + table + `', '` + column + `'), COALESCE(MAX(` + column + `), 0) + 1, false) FROM ` + table
}

// vacuumInto is the statement that writes a consistent, compact copy of
// the database into the file its one argument names, or "" where there is
// none (PostgreSQL: Copy into a new SQLite store instead).
func (d dialect) vacuumInto() string {
	if d.name == "sqlite" {
		return `VACUUM INTO ?`
	}
	return ""
}

// timeLayout is how times are stored: fixed-width UTC text, so that they sort
// as strings and read back identically on both databases (PostgreSQL columns
// are TEXT too: one code path, no driver-specific time handling).
const timeLayout = "2006-01-02T15:04:05.000000Z"

// dbTime stores a time.Time in timeLayout.
type dbTime struct{ t *time.Time }

func (v dbTime) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*v.t = time.Time{}
		return nil
	case string:
		return v.parse(s)
	case []byte:
		return v.parse(string(s))
	case time.Time:
		*v.t = s.UTC()
		return nil
	}
	return fmt.Errorf("sqlstore: cannot read a time from %T", src)
}

func (v dbTime) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("sqlstore: stored time %q: %w", s, err)
	}
	*v.t = t.UTC()
	return nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }
