package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

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

// MigrateTo migrates the empty database of dsn up to migration last (its
// file name) only, as an older version left it, and has fill write rows
// into it; the test then opens it with this version, which applies the
// migrations after last.
func MigrateTo(ctx context.Context, dsn, last string, fill func(exec func(q string, args ...any) error) error) error {
	db := &DB{dialect: dialectOf(dsn), Now: time.Now}
	conn, _, err := db.dialect.open(dsn)
	if err != nil {
		return err
	}
	if db.db, err = sql.Open(db.dialect.driver, conn); err != nil {
		return err
	}
	defer db.db.Close()
	if err := db.migrateUpTo(ctx, last); err != nil {
		return err
	}
	return fill(func(q string, args ...any) error {
		_, err := db.db.ExecContext(ctx, db.dialect.rebind(q), args...)
		return err
	})
}

// FlagsRow is a priority_flags row as stored.
type FlagsRow struct {
	Seq   int64
	Body  string
	Nonce []byte
}

// RawFlags returns the priority_flags rows of a record, in order, for
// tests that check what an erasure or a migration leaves.
func (db *DB) RawFlags(ctx context.Context, recordID string) ([]FlagsRow, error) {
	rows, err := db.query(ctx, `SELECT seq, body, nonce FROM priority_flags WHERE record_id = ? ORDER BY seq`, recordID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (FlagsRow, error) {
		var r FlagsRow
		err := rows.Scan(&r.Seq, &r.Body, &r.Nonce)
		return r, err
	})
}

// RawExec runs a statement directly, bypassing the store: for tamper tests.
func (db *DB) RawExec(ctx context.Context, q string, args ...any) error {
	_, err := db.db.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}

// DropClearGuards removes the guards of migration 0033 against writes in
// clear, as in a database of migrations 0030 to 0032 (tests of the seal
// of what an older version wrote in clear).
func (db *DB) DropClearGuards(ctx context.Context) error {
	for _, q := range map[bool][]string{
		false: {`DROP TRIGGER interviews_sealed_on_insert`, `DROP TRIGGER record_versions_no_clear_reason`},
		true:  {`DROP TRIGGER interviews_sealed_on_insert ON interviews`, `DROP TRIGGER record_versions_no_clear_reason ON record_versions`},
	}[db.dialect.name == "postgres"] {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// DropGuards removes the append-only triggers, as a database owner could.
func (db *DB) DropGuards(ctx context.Context) error {
	if db.dialect.name == "postgres" {
		rows, err := db.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			return err
		}
		tables, err := collect(rows, scanString)
		if err != nil {
			return err
		}
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
	names, err := collect(rows, scanString)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := db.db.ExecContext(ctx, `DROP TRIGGER `+n); err != nil {
			return err
		}
	}
	return nil
}

// CloneInto copies the whole database into the empty database of dsn (an
// SQLite file path, or a PostgreSQL DSN of a fresh schema): tamper tests
// build a history once and tamper with a copy per case. The copy has no
// append-only triggers.
func (db *DB) CloneInto(ctx context.Context, dsn string) error {
	if db.dialect.name == "sqlite" {
		_, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, dsn)
		if err != nil {
			return err
		}
		return nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	dst := u.Query().Get("search_path")
	var src string
	if err := db.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&src); err != nil {
		return err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, src)
	if err != nil {
		return err
	}
	tables, err := collect(rows, scanString)
	if err != nil {
		return err
	}
	for _, t := range tables {
		for _, q := range []string{
			fmt.Sprintf(`CREATE TABLE %s.%s (LIKE %s.%s INCLUDING ALL)`, dst, t, src, t),
			fmt.Sprintf(`INSERT INTO %s.%s SELECT * FROM %s.%s`, dst, t, src, t),
		} {
			if _, err := db.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	// Identity columns go on from where the copied rows end.
	rows, err = db.db.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND is_identity = 'YES'`, dst)
	if err != nil {
		return err
	}
	ids, err := collect(rows, func(rows *sql.Rows) ([2]string, error) {
		var tc [2]string
		err := rows.Scan(&tc[0], &tc[1])
		return tc, err
	})
	if err != nil {
		return err
	}
	for _, tc := range ids {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s.%s', '%s'), COALESCE((SELECT MAX(%s) FROM %s.%s), 0) + 1, false)`, dst, tc[0], tc[1], tc[1], dst, tc[0])
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// WriteAsBefore0018 makes the store write as it did before migration 0018:
// no leaves for accounts, tokens, sessions, disclosures, runs and stage
// pins, no decision nonces, record commitments of content v1. A test makes
// an "old" database with it, then reopens it as the upgrade would.
func (db *DB) WriteAsBefore0018() { db.before0018 = true }

// WriteInClearAsBefore0030 makes the store write as it did before
// migration 0030: an interview whole in its body, nothing sealed; a
// record's withhold reason in its body. A test makes an "old" database
// with it, then reopens it as the upgrade would.
func (db *DB) WriteInClearAsBefore0030() { db.clearBefore0030 = true }

// FrozenStage builds stage n of agreement version v with its persons as
// frozen, checked against the commitments: what opening and loading a
// stage pays.
func (db *DB) FrozenStage(ctx context.Context, exID string, n, v int) error {
	_, err := db.frozenStage(ctx, exID, n, v)
	return err
}

// RawCaseSteps returns the stored body and sealed bytes of every case
// step, for tests that check what is at rest.
func (db *DB) RawCaseSteps(ctx context.Context) (bodies []string, sealed [][]byte, err error) {
	rows, err := db.db.QueryContext(ctx, `SELECT body, sealed FROM case_steps ORDER BY seq`)
	if err != nil {
		return nil, nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var b string
		var s []byte
		if err := rows.Scan(&b, &s); err != nil {
			return err
		}
		bodies, sealed = append(bodies, b), append(sealed, s)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return bodies, sealed, nil
}

// Tables lists the tables of the store's schema (schema_migrations
// included).
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	return strs(ctx, db.db, db.dialect.tablesQuery())
}

// TransientTables lists the tables Copy leaves out.
func TransientTables() []string { return transientTables }

// VacuumCount returns how many times PostgreSQL has vacuumed table by
// hand (VACUUM, not autovacuum); -1 on SQLite or when it cannot say.
func (db *DB) VacuumCount(ctx context.Context, table string) int64 {
	if db.dialect.name != "postgres" {
		return -1
	}
	var n int64
	if err := db.db.QueryRowContext(ctx, `SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1`, table).Scan(&n); err != nil {
		return -1
	}
	return n
}

// CountRows counts the rows of a table.
func (db *DB) CountRows(ctx context.Context, table string) (int64, error) {
	var n int64
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// RawColumn reads one column of the row of table whose id is id.
func (db *DB) RawColumn(ctx context.Context, table, column, id string) ([]byte, error) {
	var b []byte
	err := db.db.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+column+` FROM `+table+` WHERE id = ?`), id).Scan(&b)
	return b, err
}

// CopiedTables lists the tables Copy copies, in its order.
func CopiedTables() []string {
	out := make([]string, len(copyTables))
	for i, t := range copyTables {
		out[i] = t.name
	}
	return out
}

// WalkLeaves reads the stored leaves' indexes in order through leafSeq
// (rowSeq), stopping after stop of them (all when stop < 0), and says how
// many connections the walk left in use: rows it did not close.
func (db *DB) WalkLeaves(ctx context.Context, stop int) (indexes []int64, inUse int, err error) {
	for l, err := range db.leafSeq(ctx) {
		if err != nil {
			return nil, 0, err
		}
		if stop >= 0 && len(indexes) == stop {
			break
		}
		indexes = append(indexes, l.Index)
	}
	return indexes, db.db.Stats().InUse, nil
}

// EachLeafUntil reads the leaves' indexes through eachRow, whose callback
// ends the walk at stop with errStop, or fails at fail with an error of its
// own; it says how many connections the walk left in use.
func (db *DB) EachLeafUntil(ctx context.Context, stop, fail int64) (indexes []int64, inUse int, err error) {
	rows, err := db.query(ctx, `SELECT idx FROM log_leaves ORDER BY idx`)
	if err != nil {
		return nil, 0, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		i, err := scanInt64(rows)
		switch {
		case err != nil:
			return err
		case i == stop:
			return errStop
		case i == fail:
			return fmt.Errorf("leaf %d: refused by the walk", i)
		}
		indexes = append(indexes, i)
		return nil
	})
	return indexes, db.db.Stats().InUse, err
}

// MergeLeaves walks the leaves and the stored hashes side by side, the
// hashes through a cursor pulled by the leaves' walk (as checkTerms merges
// search keys into records): for each leaf, the number of stored hashes
// with an index up to its own.
func (db *DB) MergeLeaves(ctx context.Context) ([]int, error) {
	hrows, err := db.query(ctx, `SELECT idx FROM log_hashes ORDER BY idx`)
	if err != nil {
		return nil, err
	}
	hashes := &cursor[int64]{rows: hrows, scan: scanInt64}
	defer hashes.Close()
	var out []int
	pending, have := int64(0), false
	n := 0
	lrows, err := db.query(ctx, `SELECT idx FROM log_leaves ORDER BY idx`)
	if err != nil {
		return nil, err
	}
	err = eachRow(lrows, func(rows *sql.Rows) error {
		leaf, err := scanInt64(rows)
		if err != nil {
			return err
		}
		for {
			if !have {
				h, ok, err := hashes.next()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				pending, have = h, true
			}
			if pending > leaf {
				break
			}
			n++
			have = false
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// DumpAll returns every value of every row of every table of the schema,
// by table: text as it is stored, blobs as their bytes, other values as
// text, one value a line.
func (db *DB) DumpAll(ctx context.Context) (map[string][]byte, error) {
	tables, err := db.Tables(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, t := range tables {
		rows, err := db.db.QueryContext(ctx, `SELECT * FROM `+t)
		if err != nil {
			return nil, err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		var b []byte
		err = eachRow(rows, func(rows *sql.Rows) error {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					b = append(b, x...)
				case string:
					b = append(b, x...)
				default:
					b = fmt.Append(b, x)
				}
				b = append(b, '\n')
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out[t] = b
	}
	return out, nil
}

// WriteAsBefore0031 makes the store issue one-time codes as it did before
// migration 0031: the issued event commits to no digest of the code.
func (db *DB) WriteAsBefore0031() { db.before0031 = true }
