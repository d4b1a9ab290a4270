package sqlstore

import "context"

// MigrationNames exposes migrationNames to the external tests.
var MigrationNames = migrationNames

// RawVersion returns the stored body and sealed bytes of one version, for
// tests that check what is at rest.
func (db *DB) RawVersion(ctx context.Context, id string, version int) (string, []byte, error) {
	var body string
	var sealed []byte
	err := db.queryRow(ctx, `SELECT v.body, v.sealed FROM record_versions v JOIN records r ON r.seq = v.record_seq WHERE r.id = ? AND v.version = ?`, id, version).Scan(&body, &sealed)
	return body, sealed, err
}

// RawExec runs a statement directly, bypassing the store: for tamper tests.
func (db *DB) RawExec(ctx context.Context, q string, args ...any) error {
	_, err := db.db.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}

// DropGuards removes the append-only triggers, as a database owner could.
func (db *DB) DropGuards(ctx context.Context) error {
	if db.dialect.name == "postgres" {
		rows, err := db.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var t string
			rows.Scan(&t)
			tables = append(tables, t)
		}
		rows.Close()
		for _, t := range tables {
			if _, err := db.db.ExecContext(ctx, `ALTER TABLE `+t+` DISABLE TRIGGER USER`); err != nil {
				return err
			}
		}
		return nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.db.ExecContext(ctx, `DROP TRIGGER `+n); err != nil {
			return err
		}
	}
	return nil
}
