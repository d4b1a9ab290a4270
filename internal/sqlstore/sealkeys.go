package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/handover-project/handover/internal/errs"
)

// Which data key seals (seal_keys, migration 0024), and its rotation: a new
// key becomes current, every sealed value is sealed again with it in
// batches while the server goes on, and the key it replaced is retired when
// no value is left under it (docs/operations.md, "Rotating the data key").

// Seal key states.
const (
	SealCurrent  = "current"
	SealRetiring = "retiring"
	SealRetired  = "retired"
)

// SealKey is one data key as the database knows it: by id, never the key.
type SealKey struct {
	ID        string
	State     string
	CreatedAt string
	RetiredAt string
}

// sealKey is the id of the key this transaction seals with: the database's
// current key. It takes the log's lock first (every transaction that seals
// writes a leaf and takes it anyway): a rotation switches the current key
// under the same lock, so no transaction that read the old key commits
// after the switch, and one pass after it finds every value the old key
// sealed.
func (tx *Tx) sealKey(ctx context.Context) (string, error) {
	if tx.sealID != "" {
		return tx.sealID, nil
	}
	if _, err := tx.appender(ctx); err != nil {
		return "", err
	}
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM seal_keys WHERE state = ?`, SealCurrent).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// A database opened before seal_keys existed and not reopened
		// since: its first key is the one Open registers.
		id = tx.db.seal.first()
		if _, err := tx.exec(ctx, `INSERT INTO seal_keys (id, state, created_at) VALUES (?, ?, ?)`, id, SealCurrent, fmtTime(tx.now)); err != nil {
			return "", fmt.Errorf("register the data key: %w", err)
		}
	} else if err != nil {
		return "", fmt.Errorf("read the current data key: %w", err)
	}
	tx.sealID = id
	return id, nil
}

// seal seals plain with the database's current key, bound to ad.
func (tx *Tx) seal(ctx context.Context, plain, ad []byte) ([]byte, error) {
	id, err := tx.sealKey(ctx)
	if err != nil {
		return nil, err
	}
	return tx.db.seal.sealWith(id, plain, ad)
}

// registerSealKey names the first key given as current in a database that
// names none yet, and checks that this process holds the current key: a
// server started with the wrong key file is refused at once, not at the
// first sealed field.
func (db *DB) registerSealKey(ctx context.Context) error {
	var id string
	err := db.db.QueryRowContext(ctx, db.dialect.rebind(`SELECT id FROM seal_keys WHERE state = ?`), SealCurrent).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = db.write(ctx, func(tx *Tx) error {
			var err error
			id, err = tx.sealKey(ctx)
			return err
		})
	}
	if err != nil {
		return err
	}
	if _, err := db.seal.key(id); err != nil {
		return errs.E("sqlstore.Open", errs.Invalid, fmt.Sprintf("the database seals with data key %s, which is not among the keys given (%v): give the key file that holds it", id, db.seal.ids()))
	}
	return nil
}

// SealKeys lists the data keys the database knows, by id.
func (db *DB) SealKeys(ctx context.Context) ([]SealKey, error) {
	rows, err := db.query(ctx, `SELECT id, state, created_at, COALESCE(retired_at, '') FROM seal_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	var out []SealKey
	err = eachRow(rows, func(rows *sql.Rows) error {
		var k SealKey
		err := rows.Scan(&k.ID, &k.State, &k.CreatedAt, &k.RetiredAt)
		out = append(out, k)
		return err
	})
	return out, err
}

// StartSealRotation makes key current, the current key retiring. The
// process must hold key (in its ring; AddSealKeys). Starting again the
// rotation under way to key is no error (a resumed rotation); starting
// another while one is under way is a Conflict.
func (db *DB) StartSealRotation(ctx context.Context, key []byte) error {
	const op = "sqlstore.StartSealRotation"
	if err := db.seal.add([][]byte{key}); err != nil {
		return errs.E(op, errs.Invalid, err.Error())
	}
	id := KeyID(key)
	return db.write(ctx, func(tx *Tx) error {
		cur, err := tx.sealKey(ctx) // the log's lock: see sealKey
		if err != nil {
			return err
		}
		var retiring int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM seal_keys WHERE state = ?`, SealRetiring).Scan(&retiring); err != nil {
			return err
		}
		if cur == id {
			if retiring > 0 {
				return nil
			}
			return errs.E(op, errs.Conflict, fmt.Sprintf("data key %s is the current key already", id))
		}
		if retiring > 0 {
			return errs.E(op, errs.Conflict, fmt.Sprintf("a rotation to data key %s is under way: finish it first ('handover key rotate-data' again resumes it)", cur))
		}
		var known int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM seal_keys WHERE id = ?`, id).Scan(&known); err != nil {
			return err
		}
		if known > 0 {
			return errs.E(op, errs.Conflict, fmt.Sprintf("data key %s was used before and retired: rotate to a new key", id))
		}
		if _, err := tx.exec(ctx, `UPDATE seal_keys SET state = ? WHERE id = ?`, SealRetiring, cur); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO seal_keys (id, state, created_at) VALUES (?, ?, ?)`, id, SealCurrent, fmtTime(tx.now))
		return err
	})
}

// sealedColumn is one column of sealed values: its table, key and how to
// rebuild the associated data a value is bound to.
type sealedColumn struct {
	table, col string
	k1, k2     string // the row's key: two columns (k2 "0" for a key of one)
	textKey    bool   // k1 is text (k2 is then "0"), not an integer
	sel        string // the columns that rebuild the associated data
	ad         func(a, b string) []byte
}

var sealedColumns = []sealedColumn{
	{table: "record_versions", col: "sealed", k1: "record_seq", k2: "version",
		sel: `(SELECT id FROM records r WHERE r.seq = t.record_seq), CAST(version AS TEXT)`,
		ad: func(id, v string) []byte {
			n, _ := strconv.Atoi(v)
			return sealAD(id, n)
		}},
	{table: "case_steps", col: "sealed", k1: "seq", k2: "0", sel: `case_id, CAST(n AS TEXT)`,
		ad: func(c, n string) []byte {
			i, _ := strconv.Atoi(n)
			return caseAD(c, i)
		}},
	{table: "user_prefs", col: "totp_sealed", k1: "user_id", k2: "0", sel: `CAST(user_id AS TEXT), ''`,
		ad: func(u, _ string) []byte {
			i, _ := strconv.ParseInt(u, 10, 64)
			return totpAD(i)
		}},
	// The neutral's interviews, each sealed whole (migration 0030).
	{table: "interviews", col: "sealed", k1: "seq", k2: "0", sel: `id, ''`,
		ad: func(id, _ string) []byte { return interviewAD(id) }},
	// Import previews waiting for their confirmation: transient, but
	// sealed with the key in effect when held, so they are sealed again
	// like the rest (a preview left under a retired key would not open).
	{table: "held_uploads", col: "sealed", k1: "id", k2: "0", textKey: true, sel: `id, ''`,
		ad: func(id, _ string) []byte { return uploadAD(id) }},
}

// ResealStats says what a pass of Reseal did.
type ResealStats struct {
	Scanned  int64 // sealed values read
	Resealed int64 // sealed again with the current key
}

// Reseal seals every value not under the current key again with it, in
// transactions of at most batch values each, so that a server writing
// meanwhile waits for one batch at most. It can be stopped at any point
// and run again: what is under the current key already is left alone.
// progress, when not nil, is called after each batch.
func (db *DB) Reseal(ctx context.Context, batch int, progress func(table string, st ResealStats)) (ResealStats, error) {
	const op = "sqlstore.Reseal"
	if batch <= 0 {
		batch = 500
	}
	var total ResealStats
	for _, c := range sealedColumns {
		// after is the key of the last row read: an integer pair, or a
		// text key (and 0).
		after := [2]any{int64(-1), int64(-1)}
		if c.textKey {
			after[0] = ""
		}
		for {
			n := 0
			err := db.write(ctx, func(tx *Tx) error {
				cur, err := tx.sealKey(ctx)
				if err != nil {
					return err
				}
				type row struct {
					k      [2]any
					sealed []byte
					a, b   string
				}
				var todo []row
				k1, k2, order := "t."+c.k1, "t."+c.k2, "t."+c.k1+", t."+c.k2
				if c.k2 == "0" {
					k2, order = "0", "t."+c.k1
				}
				rows, err := tx.query(ctx, `SELECT `+k1+`, `+k2+`, t.`+c.col+`, `+c.sel+` FROM `+c.table+` t
					WHERE t.`+c.col+` IS NOT NULL AND (`+k1+` > ? OR (`+k1+` = ? AND `+k2+` > ?)) ORDER BY `+order+` LIMIT ?`, after[0], after[0], after[1], batch)
				if err != nil {
					return err
				}
				err = eachRow(rows, func(rows *sql.Rows) error {
					var r row
					var a sql.NullString
					var i1, i2 int64
					var s1 string
					dst := []any{&i1, &i2, &r.sealed, &a, &r.b}
					if c.textKey {
						dst[0] = &s1
					}
					if err := rows.Scan(dst...); err != nil {
						return err
					}
					r.k = [2]any{i1, i2}
					if c.textKey {
						r.k[0] = s1
					}
					r.a = a.String
					n++
					after = r.k
					if keyOf(r.sealed) != cur {
						todo = append(todo, r)
					}
					return nil
				})
				if err != nil {
					return err
				}
				for _, r := range todo {
					ad := c.ad(r.a, r.b)
					plain, err := db.seal.open(r.sealed, ad)
					if err != nil {
						return errs.E(op, errs.Internal, fmt.Sprintf("%s (%s %v, %s %v): the sealed value does not open: %v", c.table, c.k1, r.k[0], c.k2, r.k[1], err))
					}
					sealed, err := db.seal.sealWith(cur, plain, ad)
					if err != nil {
						return err
					}
					res, err := tx.exec(ctx, `UPDATE `+c.table+` SET `+c.col+` = ? WHERE `+c.k1+` = ? AND `+c.k2+` = ? AND `+c.col+` = ?`, sealed, r.k[0], r.k[1], r.sealed)
					if err != nil {
						return fmt.Errorf("%s: seal again: %w", c.table, err)
					}
					if k, _ := res.RowsAffected(); k == 1 {
						total.Resealed++
					}
				}
				return nil
			})
			if err != nil {
				return total, errs.E(op, err)
			}
			total.Scanned += int64(n)
			if progress != nil {
				progress(c.table, total)
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

// legacyKeyIfAny says whether a value that names a key by its first bytes
// is in truth a value sealed before key ids whose nonce began with the
// magic (so it must be sealed again). It is false for every value a
// current process sealed.
func (s *sealer) legacyKeyIfAny(sealed []byte) bool {
	id := keyOf(sealed)
	if id == "" {
		return false
	}
	s.mu.RLock()
	_, known := s.keys[id]
	s.mu.RUnlock()
	return !known
}

// SealedCounts counts every sealed value of the database by the key it is
// under: the key it names, or for a value sealed before key ids the key of
// this process's ring that opens it ("legacy:" and the id, or "legacy:?"
// when none does).
func (db *DB) SealedCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range sealedColumns {
		rows, err := db.query(ctx, `SELECT `+c.col+`, `+c.sel+` FROM `+c.table+` t WHERE `+c.col+` IS NOT NULL`)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var sealed []byte
			var a sql.NullString
			var b string
			if err := rows.Scan(&sealed, &a, &b); err != nil {
				return err
			}
			id := keyOf(sealed)
			if id == "" || db.seal.legacyKeyIfAny(sealed) {
				if l := db.seal.legacyKey(sealed, c.ad(a.String, b)); l != "" {
					id = "legacy:" + l
				} else if id == "" {
					id = "legacy:?"
				}
			}
			out[id]++
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FinishSealRotation retires the retiring key once no sealed value is left
// under it (nor sealed before key ids): it returns a Conflict saying how
// many are left otherwise (run Reseal again). It returns the ids retired.
func (db *DB) FinishSealRotation(ctx context.Context) ([]string, error) {
	const op = "sqlstore.FinishSealRotation"
	var retired []string
	err := db.write(ctx, func(tx *Tx) error {
		cur, err := tx.sealKey(ctx) // the log's lock: no value is sealed meanwhile
		if err != nil {
			return err
		}
		left := int64(0)
		for _, c := range sealedColumns {
			rows, err := tx.query(ctx, `SELECT `+c.col+` FROM `+c.table+` WHERE `+c.col+` IS NOT NULL`)
			if err != nil {
				return err
			}
			err = eachRow(rows, func(rows *sql.Rows) error {
				var sealed []byte
				if err := rows.Scan(&sealed); err != nil {
					return err
				}
				if keyOf(sealed) != cur {
					left++
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if left > 0 {
			return errs.E(op, errs.Conflict, fmt.Sprintf("%d sealed values are not under the current data key %s yet: seal them again first", left, cur))
		}
		rows, err := tx.query(ctx, `SELECT id FROM seal_keys WHERE state = ? ORDER BY id`, SealRetiring)
		if err != nil {
			return err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			retired = append(retired, id)
			return err
		})
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE seal_keys SET state = ?, retired_at = ? WHERE state = ?`, SealRetired, fmtTime(tx.now), SealRetiring)
		return err
	})
	if err != nil {
		return nil, errs.E(op, err)
	}
	return retired, nil
}
