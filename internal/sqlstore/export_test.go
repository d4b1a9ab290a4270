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
