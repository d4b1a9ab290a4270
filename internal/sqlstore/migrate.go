package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Migrations are embedded per dialect with identical file names (a test
// checks that). Each file is applied once, in name order, in its own
// transaction, and recorded in schema_migrations.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

func migrationNames(dialect string) ([]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations/"+dialect)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies every migration not yet recorded.
func (db *DB) migrate(ctx context.Context) error { return db.migrateUpTo(ctx, "") }

// migrateUpTo applies every migration not yet recorded whose name is last
// or before it (all of them when last is empty): an upgrade test makes a
// database as an older version left it.
func (db *DB) migrateUpTo(ctx context.Context, last string) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := migrationNames(db.dialect.name)
	if err != nil {
		return err
	}
	for _, name := range names {
		if last != "" && name > last {
			break
		}
		if err := db.applyMigration(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile("migrations/" + db.dialect.name + "/" + name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`), name, fmtTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Ready reports whether the database answers and every embedded migration
// has been applied: what /readyz checks.
func (db *DB) Ready(ctx context.Context) error {
	names, err := migrationNames(db.dialect.name)
	if err != nil {
		return err
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("database not reachable: %w", err)
	}
	if n < len(names) {
		return fmt.Errorf("%d of %d migrations applied", n, len(names))
	}
	return nil
}
