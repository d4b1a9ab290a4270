package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// HeldUpload is an import preview waiting for its confirmation, as the
// pages keep it (internal/web/ui/sheets.go): whose it is (the user and a
// hash of the browser session), how big, until when, and its body, which
// the store seals with the data key and does not read.
type HeldUpload struct {
	ID      string
	User    int64
	Session [32]byte
	Size    int64
	Expires time.Time
	Body    []byte
}

// UploadBounds bound the held uploads: at most PerUser a user (a new one
// drops the user's oldest) and MaxBytes over all.
type UploadBounds struct {
	PerUser  int
	MaxBytes int64
}

func uploadAD(id string) []byte { return []byte("held_upload:" + id) }

// HoldUpload keeps u until u.Expires, in one transaction with the bounds
// (serialised over every server process): the expired uploads are
// dropped, then the user's oldest beyond PerUser-1, and an upload that
// would pass MaxBytes is refused (TooMany). The body is sealed in the
// transaction with the database's current key, as every sealed write is
// (sealKey): not with this process's first key, which a rotation by
// another process may have retired meanwhile.
func (db *DB) HoldUpload(ctx context.Context, u HeldUpload, b UploadBounds, now time.Time) error {
	const op = "sqlstore.HoldUpload"
	err := db.write(ctx, func(tx *Tx) error {
		// The log's lock (sealKey) before the uploads' lock, in the
		// order Reseal takes them.
		sealed, err := tx.seal(ctx, u.Body, uploadAD(u.ID))
		if err != nil {
			return fmt.Errorf("seal the upload: %w", err)
		}
		if q := tx.d.lockUploads(); q != "" {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM held_uploads WHERE expires_ns <= ?`, now.UnixNano()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM held_uploads WHERE user_id = ? AND id NOT IN (SELECT id FROM held_uploads WHERE user_id = ? ORDER BY expires_ns DESC, id LIMIT ?)`,
			u.User, u.User, max(b.PerUser-1, 0)); err != nil {
			return err
		}
		var held int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM held_uploads`).Scan(&held); err != nil {
			return err
		}
		if held+u.Size > b.MaxBytes {
			return errs.E("web.import", errs.TooMany, "the server holds too many uploads just now: try again in a few minutes")
		}
		_, err = tx.exec(ctx, `INSERT INTO held_uploads (id, user_id, session_hash, size, expires_ns, sealed) VALUES (?, ?, ?, ?, ?, ?)`,
			u.ID, u.User, u.Session[:], u.Size, u.Expires.UnixNano(), sealed)
		return err
	})
	if errs.Is(errs.TooMany, err) {
		return err
	}
	if err != nil {
		return errs.E(op, errs.Internal, "cannot hold the upload", err)
	}
	return nil
}

// UploadHeld returns the body of upload id if it is held, unexpired, for
// this user and session; false otherwise.
func (db *DB) UploadHeld(ctx context.Context, id string, user int64, session [32]byte, now time.Time) ([]byte, bool, error) {
	var sealed []byte
	err := db.queryRow(ctx, `SELECT sealed FROM held_uploads WHERE id = ? AND user_id = ? AND session_hash = ? AND expires_ns > ?`, id, user, session[:], now.UnixNano()).Scan(&sealed)
	return db.openUpload(id, sealed, err)
}

// TakeUpload is UploadHeld that also removes the upload: of two
// confirmations at once, on any servers, one has it.
func (db *DB) TakeUpload(ctx context.Context, id string, user int64, session [32]byte, now time.Time) ([]byte, bool, error) {
	var sealed []byte
	err := db.write(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `DELETE FROM held_uploads WHERE id = ? AND user_id = ? AND session_hash = ? AND expires_ns > ? RETURNING sealed`, id, user, session[:], now.UnixNano()).Scan(&sealed)
	})
	return db.openUpload(id, sealed, err)
}

func (db *DB) openUpload(id string, sealed []byte, err error) ([]byte, bool, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, errs.E("sqlstore.HeldUpload", errs.Internal, "cannot read a held upload", err)
	}
	body, err := db.seal.open(sealed, uploadAD(id))
	if err != nil {
		return nil, false, errs.E("sqlstore.HeldUpload", errs.Internal, "a held upload does not open with the data key", err)
	}
	return body, true, nil
}
