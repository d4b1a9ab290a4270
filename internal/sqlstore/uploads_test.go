package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestHeldUploads: a held upload is sealed at rest (its bytes are not in
// the table in clear) and reads back whole; the next upload drops the
// expired ones.
func TestHeldUploads(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		b := sqlstore.UploadBounds{PerUser: 3, MaxBytes: 1 << 20}
		body := []byte(`{"data":"next of kin: мати, Марія Іваненко"}`)
		sess := [32]byte{7}
		if err := db.HoldUpload(ctx, sqlstore.HeldUpload{ID: "u1", User: 1, Session: sess, Size: 100, Expires: now.Add(time.Minute), Body: body}, b, now); err != nil {
			t.Fatal(err)
		}
		raw, err := db.RawColumn(ctx, "held_uploads", "sealed", "u1")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("Марія")) || bytes.Contains(raw, []byte("next of kin")) {
			t.Fatal("the held upload is in the database in clear")
		}
		got, ok, err := db.UploadHeld(ctx, "u1", 1, sess, now)
		if err != nil || !ok || !bytes.Equal(got, body) {
			t.Fatalf("read back: %q %v %v", got, ok, err)
		}
		later := now.Add(2 * time.Minute)
		if err := db.HoldUpload(ctx, sqlstore.HeldUpload{ID: "u2", User: 2, Session: sess, Size: 100, Expires: later.Add(time.Minute), Body: body}, b, later); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountRows(ctx, "held_uploads"); err != nil || n != 1 {
			t.Errorf("%d uploads held after the first expired (%v), want 1", n, err)
		}
	})
}
