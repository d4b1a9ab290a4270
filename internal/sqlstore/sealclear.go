package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// What an older version wrote in clear and migration 0030 has sealed: the
// neutral's interviews (interviews.body whole) and the withhold reasons of
// record versions (detrimental_reason in the body). A migration cannot
// seal (the key is not in the database), so Open seals them, once: the
// state row of sealed_at_rest says it is done.

// sealedAtRestVersion is what sealed_at_rest says once Open has sealed
// everything written in clear.
const sealedAtRestVersion = 1

// sealClear seals what was written in clear before migration 0030, in
// batches of 500 each in its own transaction (under the log's lock, as
// every sealed write), then records that it is done. Only the sealed
// values and the bodies they leave change, as the append-only guards of
// migration 0030 allow: the log's commitments are to the content, which
// does not change, so the audit passes before and after.
func (db *DB) sealClear(ctx context.Context) error {
	var v int
	err := db.db.QueryRowContext(ctx, `SELECT version FROM sealed_at_rest`).Scan(&v)
	if err == nil && v >= sealedAtRestVersion {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Each step goes on from the key of the last row it read (after), so
	// that a row it could not change is never read again.
	sealed := 0
	for _, step := range []func(context.Context, *Tx, *[2]int64) (int, error){db.sealClearInterviews, db.sealClearReasons} {
		after := [2]int64{-1, -1}
		for {
			var n int
			if err := db.write(ctx, func(tx *Tx) error {
				var err error
				n, err = step(ctx, tx, &after)
				return err
			}); err != nil {
				return err
			}
			sealed += n
			if n < sealClearBatch {
				break
			}
		}
	}
	if sealed > 0 {
		// What the rows held in clear leaves the files too, as after an
		// erasure (Scrub): SQLite zeroes what a write frees
		// (secure_delete), and its write-ahead log is emptied, without
		// blocking writers: a reader holding the log has it retried in
		// the background (retryScrub); PostgreSQL drops the old row
		// versions.
		if db.dialect.name == "postgres" {
			if _, err := db.db.ExecContext(ctx, `VACUUM interviews, record_versions`); err != nil {
				return fmt.Errorf("scrub what was in clear: %w", err)
			}
		} else if err := db.checkpointNoWait(ctx); errors.Is(err, errScrubBusy) {
			db.retryScrub()
		} else if err != nil {
			return fmt.Errorf("scrub what was in clear: %w", err)
		}
	}
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM sealed_at_rest`); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sealed_at_rest (version) VALUES (?)`, sealedAtRestVersion)
		return err
	})
}

const sealClearBatch = 500

// sealClearInterviews seals up to sealClearBatch interviews written in
// clear: the body whole becomes the sealed value, the body its public part.
func (db *DB) sealClearInterviews(ctx context.Context, tx *Tx, after *[2]int64) (int, error) {
	if _, err := tx.sealKey(ctx); err != nil { // the log's lock first
		return 0, err
	}
	type row struct {
		seq      int64
		id, body string
	}
	rows, err := tx.query(ctx, `SELECT seq, id, body FROM interviews WHERE sealed IS NULL AND seq > ? ORDER BY seq LIMIT ?`, after[0], sealClearBatch)
	if err != nil {
		return 0, err
	}
	todo, err := collect(rows, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.id, &r.body)
		return r, err
	})
	if err != nil {
		return 0, err
	}
	for _, r := range todo {
		after[0] = r.seq
		var iv exchange.Interview
		if err := json.Unmarshal([]byte(r.body), &iv); err != nil {
			return 0, fmt.Errorf("interview %s: stored body: %w", r.id, err)
		}
		public, err := json.Marshal(iv.Public())
		if err != nil {
			return 0, err
		}
		sealed, err := tx.seal(ctx, []byte(r.body), interviewAD(r.id))
		if err != nil {
			return 0, err
		}
		if _, err := tx.exec(ctx, `UPDATE interviews SET body = ?, sealed = ? WHERE seq = ? AND sealed IS NULL`, string(public), sealed, r.seq); err != nil {
			return 0, fmt.Errorf("interview %s: seal: %w", r.id, err)
		}
	}
	return len(todo), nil
}

// sealClearReasons moves the withhold reason of up to sealClearBatch
// record versions from the body into the sealed part. The body loses that
// key alone, by the database's own JSON function (what the guard checks).
func (db *DB) sealClearReasons(ctx context.Context, tx *Tx, after *[2]int64) (int, error) {
	if _, err := tx.sealKey(ctx); err != nil { // the log's lock first
		return 0, err
	}
	type row struct {
		seq      int64
		version  int
		id, body string
		sealed   []byte
	}
	// LIKE finds the candidates (a key of the body, never a quote inside
	// a string, which JSON escapes); the body read says.
	rows, err := tx.query(ctx, `SELECT v.record_seq, v.version, r.id, v.body, v.sealed FROM record_versions v JOIN records r ON r.seq = v.record_seq
		WHERE v.body LIKE '%"detrimental_reason":%' AND (v.record_seq > ? OR v.record_seq = ? AND v.version > ?)
		ORDER BY v.record_seq, v.version LIMIT ?`, after[0], after[0], after[1], sealClearBatch)
	if err != nil {
		return 0, err
	}
	todo, err := collect(rows, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.version, &r.id, &r.body, &r.sealed)
		return r, err
	})
	if err != nil {
		return 0, err
	}
	for _, r := range todo {
		after[0], after[1] = r.seq, int64(r.version)
		var f person.Fields
		if err := json.Unmarshal([]byte(r.body), &f); err != nil {
			return 0, fmt.Errorf("record %s version %d: stored body: %w", r.id, r.version, err)
		}
		if f.DetrimentalReason == "" {
			return 0, fmt.Errorf("record %s version %d: the body names a withhold reason but holds none", r.id, r.version)
		}
		var sens sensitive
		if r.sealed != nil {
			if sens, err = db.openSensitive(r.sealed, r.id, r.version); err != nil {
				return 0, fmt.Errorf("record %s version %d: sensitive fields: %w", r.id, r.version, err)
			}
		}
		if sens.DetrimentalReason != "" {
			return 0, fmt.Errorf("record %s version %d: the withhold reason is both in clear and sealed", r.id, r.version)
		}
		sens.DetrimentalReason = f.DetrimentalReason
		plain, err := json.Marshal(sens)
		if err != nil {
			return 0, err
		}
		sealed, err := tx.seal(ctx, plain, sealAD(r.id, r.version))
		if err != nil {
			return 0, err
		}
		if _, err := tx.exec(ctx, `UPDATE record_versions SET body = `+tx.d.withoutKey("body", "detrimental_reason")+`, sealed = ? WHERE record_seq = ? AND version = ?`,
			sealed, r.seq, r.version); err != nil {
			return 0, fmt.Errorf("record %s version %d: seal the withhold reason: %w", r.id, r.version, err)
		}
	}
	return len(todo), nil
}
