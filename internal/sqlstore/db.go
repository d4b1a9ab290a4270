// Package sqlstore keeps handover's data in SQLite (the embedded default,
// pure Go) or PostgreSQL (the deployment database) through database/sql and
// one dialect seam (dialect.go). Exported methods own their transaction;
// unexported helpers take the *Tx, so a change and everything that belongs
// with it commit together or not at all. Every method that reads or changes
// records takes the caller's access.Scope and asks access.Decide: there is no
// unscoped path to a record.
//
// The store stores; the domain decides. A change that checks a state first
// reads it inside its write transaction, with the lock that keeps the
// check true until the commit (the exchange's row, or the log's lock that
// every logged change takes), and asks the domain's state machines
// (exchange.AgreementState, crossing.State) rather than working a state
// out itself.
//
// Two files are seams the rest goes through: dialect.go holds everything
// that differs between SQLite and PostgreSQL (placeholders, locks, DSNs,
// the statements only one of them has), and rows.go is the one way rows
// are read (eachRow, collect, collectMap; rowSeq for a walk that streams,
// cursor for a merge of two ordered queries). The caches (prepared
// statements, live stages, the dummy password hash) are fields of DB and
// go with it on Close.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// Config says how to open a store.
type Config struct {
	// DSN is a PostgreSQL URL (postgres://…) or an SQLite file path
	// (optionally prefixed with "sqlite:" or "file:").
	DSN string
	// SealKey is the 32-byte key that encrypts sensitive fields (health,
	// next of kin) at rest. Required. A database that names no current key
	// yet (seal_keys) is given this one.
	SealKey []byte
	// SealKeys are more keys the store may open (and seal) with: a keys
	// file holds the old and the new key during a rotation.
	SealKeys [][]byte
	// ReloadSealKeys, when set, reads the keys again: it is called when the
	// database names a key the store lacks (a rotation started by another
	// process after this one read its keys).
	ReloadSealKeys func() ([][]byte, error)
	// Now is the clock; time.Now when nil. One timestamp is fixed per
	// transaction.
	Now func() time.Time
}

// DB is an open store.
type DB struct {
	db      *sql.DB
	dialect dialect
	seal    *sealer
	stmts   sync.Map // query text → *sql.Stmt
	stages  stageCache
	// dummyHash is checked against when a login names no account, so that
	// the time taken does not tell which accounts exist (Authenticate).
	dummyHash func() string
	Now       func() time.Time
	// before0018 makes the store write as it did before the log covered
	// accounts, matching and stage pins (tests of an upgraded database).
	before0018 bool
	// clearBefore0030 makes the store write the interviews and the
	// withhold reasons in clear, as before migration 0030 (tests of an
	// upgraded database).
	clearBefore0030 bool
	// before0031 makes the store issue one-time codes as it did before
	// migration 0031: the issued event commits to no digest of the code.
	before0031 bool
	// where is the SQLite file's path or the PostgreSQL DSN (Copy refuses
	// to copy a database onto itself).
	where string
	// hooks are told of each committed write's leaves (OnCommit).
	hooks atomic.Pointer[[]CommitHook]
	// scrubHooks are told of a failed scrub after erasures
	// (OnScrubFailure).
	scrubHooks atomic.Pointer[[]ScrubHook]
	// scrubRetry retries a scrub a reader held up (SQLite).
	scrubRetry scrubRetry
}

// CommitHook is told, after a write transaction commits, how many log
// leaves of each type it appended (none: not called). It runs on the
// writer's goroutine after the commit, so it must be quick and must not
// call the store; the server's metrics count with it.
type CommitHook func(leaves map[audit.LeafType]int)

// OnCommit adds a hook told of every committed write's leaves. It is how
// the server counts matching runs, stage events and every other change
// without the store knowing of metrics.
func (db *DB) OnCommit(h CommitHook) { addHook(&db.hooks, h) }

// addHook adds h to the hooks at p, safe against hooks added at once and
// against readers (who Load the slice and never change it).
func addHook[H any](p *atomic.Pointer[[]H], h H) {
	for {
		old := p.Load()
		var next []H
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, h)
		if p.CompareAndSwap(old, &next) {
			return
		}
	}
}

// committed tells the hooks of a committed transaction's leaves.
func (db *DB) committed(tx *Tx) {
	hs := db.hooks.Load()
	if hs == nil || tx.log == nil || len(tx.log.types) == 0 {
		return
	}
	for _, h := range *hs {
		h(tx.log.types)
	}
}

// Stats are the connection pool's statistics (database/sql), for the
// server's metrics.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }

// Open opens (creating if needed) the database named by cfg.DSN and applies
// pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	const op = "sqlstore.Open"
	if cfg.DSN == "" {
		return nil, errs.E(op, errs.Invalid, "no database given: pass --db DSN or --dir DIR")
	}
	s, err := newSealer(append([][]byte{cfg.SealKey}, cfg.SealKeys...), cfg.ReloadSealKeys)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, err.Error())
	}
	db := &DB{seal: s, Now: cfg.Now, stages: stageCache{m: map[stageKey]*liveStage{}}, dummyHash: newDummyHash()}
	if db.Now == nil {
		db.Now = time.Now
	}
	db.dialect = dialectOf(cfg.DSN)
	dsn, where, err := db.dialect.open(cfg.DSN)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, err.Error())
	}
	db.where = where
	db.db, err = sql.Open(db.dialect.driver, dsn)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "cannot open the database", err)
	}
	db.db.SetMaxOpenConns(db.dialect.maxConns())
	db.db.SetMaxIdleConns(db.dialect.maxConns())
	db.db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.db.PingContext(ctx); err != nil {
		db.db.Close()
		return nil, errs.E(op, errs.Internal, "the database does not answer", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.db.Close()
		return nil, errs.E(op, errs.Internal, "cannot apply migrations", err)
	}
	if err := db.registerSealKey(ctx); err != nil {
		db.db.Close()
		if errs.Is(errs.Invalid, err) {
			return nil, err
		}
		return nil, errs.E(op, errs.Internal, "cannot read the data keys' state", err)
	}
	if err := db.indexTerms(ctx); err != nil {
		db.db.Close()
		return nil, errs.E(op, errs.Internal, "cannot build the search keys", err)
	}
	if err := db.cover(ctx); err != nil {
		db.db.Close()
		return nil, errs.E(op, errs.Internal, "cannot apply the log's coverage", err)
	}
	if err := db.sealClear(ctx); err != nil {
		db.db.Close()
		return nil, errs.E(op, errs.Internal, "cannot seal the interviews and withhold reasons written in clear", err)
	}
	return db, nil
}

// sqliteDSN turns a path into a modernc.org/sqlite DSN with the pragmas
// handover relies on:
//   - journal_mode(WAL): readers never block the writer and the writer never
//     blocks readers; the web UI reads while an import writes;
//   - synchronous(FULL): a commit is on disk before the client hears "201";
//     a 2xx answer must survive a crash or power loss (the crash test);
//   - foreign_keys(1): SQLite leaves them off by default;
//   - busy_timeout(10000): a writer waits for another instead of failing
//     at once with SQLITE_BUSY;
//   - _txlock=immediate: write transactions take the write lock at BEGIN,
//     so two writers never deadlock upgrading read locks.
func sqliteDSN(dsn string) (string, error) {
	path := sqlitePath(dsn)
	if path == "" {
		return "", fmt.Errorf("empty SQLite path")
	}
	if path != ":memory:" {
		if dir := filepath.Dir(path); dir != "" {
			if _, err := os.Stat(dir); err != nil {
				return "", fmt.Errorf("directory of the database %s does not exist", path)
			}
		}
		if err := privateFile(path); err != nil {
			return "", err
		}
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	// A 64 MiB page cache per connection keeps a bulk import from spilling
	// pages to the journal mid-transaction; temporary B-trees stay in memory.
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "temp_store(MEMORY)")
	// What a write frees (an erased record's fields, its search keys) is
	// overwritten with zeros, not left in free pages of the file.
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	// The path is a URI path: '#', '?', '%' and spaces must be escaped or
	// SQLite would cut the name short and open another file.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode(), nil
}

// sqlitePath is the file an SQLite DSN names.
func sqlitePath(dsn string) string {
	if p, ok := strings.CutPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:"); ok || strings.HasPrefix(dsn, "sqlite:") {
		// A URI-style DSN: our pragmas replace any query it carries. A
		// plain path is taken as it is, '?' and all.
		path, _, _ := strings.Cut(p, "?")
		return path
	}
	return dsn
}

// privateFile makes the SQLite database at path readable and writable by
// this user alone: created empty with mode 0600 when it does not exist (an
// empty file is an empty database), its mode narrowed to 0600 when an
// older version left it open to others. SQLite gives the -wal and -shm
// files it creates the database's own mode; those an older version left
// are narrowed too. The records' bodies are in these files in clear, all
// but the sealed fields.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create the database %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o600); err != nil {
			return fmt.Errorf("cannot make the database file %s private: %w", p, err)
		}
	}
	return nil
}

// reset forgets every live stage: the next use of a stage replays it
// from the database (after Close, and after Copy replaced the tables).
func (c *stageCache) reset() {
	c.mu.Lock()
	c.m = map[stageKey]*liveStage{}
	c.mu.Unlock()
}

// Close closes the prepared statements and the database, and frees the
// live stages.
func (db *DB) Close() error {
	db.closeScrubRetry()
	db.stmts.Range(func(q, s any) bool {
		s.(*sql.Stmt).Close()
		db.stmts.Delete(q)
		return true
	})
	db.stages.reset()
	return db.db.Close()
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// Tx is one write transaction with the instant it happens at.
type Tx struct {
	tx  *sql.Tx
	d   dialect
	db  *DB
	now time.Time
	log *logAppender // set on the first log append
	// sealID is the data key this transaction seals with (sealKey).
	sealID string
}

// querier reads through the store (a view) or a write transaction (a
// check inside the change it guards).
type querier interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// lockExchange locks the exchange's row until the transaction ends: the
// changes to an exchange that check its state first (agreement versions
// and their signatures, remains) take it, so that one server process's
// check holds until its write commits. A missing exchange is
// errs.NotFound.
func (tx *Tx) lockExchange(ctx context.Context, exID string) error {
	var id string
	err := tx.queryRow(ctx, tx.d.forUpdate(`SELECT id FROM exchanges WHERE id = ?`), exID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E("sqlstore.lockExchange", errs.NotFound, fmt.Sprintf("no exchange %s", exID), errs.Coded{Code: "no_exchange", Args: []string{exID}})
	}
	return err
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

// write runs fn in one transaction and commits it if fn returns nil.
func (db *DB) write(ctx context.Context, fn func(*Tx) error) error {
	stx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return errs.E("sqlstore.write", errs.Internal, "cannot begin a transaction", err)
	}
	tx := &Tx{tx: stx, d: db.dialect, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		if db.dialect.isUniqueViolation(err) {
			return errs.E("sqlstore.write", errs.Conflict, "the change clashes with another one; try again", err)
		}
		return errs.E("sqlstore.write", errs.Internal, "cannot commit", err)
	}
	db.committed(tx)
	return nil
}

// stmt returns the prepared statement for q, preparing it on first use.
// Reads outside transactions repeat a few statements many times (a token
// lookup and a record read per request); parsing them again each time was
// most of a read's cost on SQLite.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.db.PrepareContext(ctx, db.dialect.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// maxCachedQueryLen keeps one-off statements (long IN lists) out of the
// statement cache.
const maxCachedQueryLen = 2000

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if len(q) <= maxCachedQueryLen && len(args) <= 16 {
		s, err := db.stmt(ctx, q)
		if err != nil {
			return nil, err
		}
		return s.QueryContext(ctx, args...)
	}
	return db.db.QueryContext(ctx, db.dialect.rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if len(q) <= maxCachedQueryLen && len(args) <= 16 {
		if s, err := db.stmt(ctx, q); err == nil {
			return s.QueryRowContext(ctx, args...)
		}
	}
	return db.db.QueryRowContext(ctx, db.dialect.rebind(q), args...)
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check (a no-op on
// PostgreSQL) and returns an error unless it says "ok".
func (db *DB) IntegrityCheck(ctx context.Context) error {
	q := db.dialect.integrityCheck()
	if q == "" {
		return nil
	}
	var res string
	if err := db.db.QueryRowContext(ctx, q).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	return nil
}

// newID returns a random identifier with a readable prefix ("r" for
// records): 16 characters of lower-case base32, 80 bits.
func newID(prefix string) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var b [10]byte
	rand.Read(b[:])
	out := make([]byte, 0, len(prefix)+16)
	out = append(out, prefix...)
	var acc uint64
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>uint(bits))&31])
		}
	}
	return string(out)
}
