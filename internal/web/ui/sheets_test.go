package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestSheetCodesTranslated: every problem code of internal/sheet has a
// message, so the import preview shows it in the user's language. A code
// added to sheet (and, by its own test, to sheet.Codes) without a message
// here fails.
func TestSheetCodesTranslated(t *testing.T) {
	if len(sheet.Codes) < 20 {
		t.Fatalf("sheet.Codes has only %d codes", len(sheet.Codes))
	}
	for _, code := range sheet.Codes {
		if !locale.Has("sheet." + code) {
			t.Errorf("sheet code %q has no message sheet.%s", code, code)
		}
	}
	for _, f := range []string{"category", "status", "sex", "bool"} {
		if !locale.Has("sheet.value_unknown." + f) {
			t.Errorf("no message sheet.value_unknown.%s", f)
		}
	}
	// A problem is shown in the language asked for, never as its English
	// reason or its key.
	c := chrome{Lang: "uk"}
	for _, code := range sheet.Codes {
		p := sheet.Problem{Code: code, Reason: "English reason"}
		if got := problemMessage(c, p); got == p.Reason || strings.HasPrefix(got, "sheet.") {
			t.Errorf("%s shown as %q", code, got)
		}
	}
	if got := problemMessage(c, sheet.Problem{Code: sheet.CodeValueUnknown, Field: "sex"}); !strings.HasPrefix(got, "Не стать") {
		t.Errorf("unknown sex: %q", got)
	}
}

// TestUploadStore: a held upload is bound to its user and session, taken
// once, bounded per user and over all, and expires; on each database, and
// across two server processes on one (what one holds, the other
// confirms, once).
func TestUploadStore(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, db, db2 *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		st, st2 := newUploadStore(db), newUploadStore(db2)
		for _, s := range []*uploadStore{st, st2} {
			s.now = func() time.Time { return now }
			s.max = 10_000
		}
		sess := [32]byte{1}
		other := [32]byte{2}
		has := func(s *uploadStore, id string, user int64, session [32]byte) bool {
			t.Helper()
			_, ok, err := s.get(ctx, id, user, session)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		put := func(user int64, n int) *heldUpload {
			t.Helper()
			h := &heldUpload{user: user, session: sess, party: "UA", kind: "held", name: "список.xlsx", data: make([]byte, n), sha: "abc", problems: 2}
			if err := st.put(ctx, h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		a := put(1, 100)
		if len(a.id) != 32 {
			t.Fatalf("id %q", a.id)
		}
		// Bound to the user and the session, on either server.
		got, ok, err := st2.get(ctx, a.id, 1, sess)
		if err != nil || !ok || got.name != "список.xlsx" || len(got.data) != 100 || got.sha != "abc" || got.problems != 2 || got.party != "UA" {
			t.Fatalf("own upload through the other server: %+v %v %v", got, ok, err)
		}
		if has(st, a.id, 2, sess) {
			t.Error("another user got the upload")
		}
		if has(st, a.id, 1, other) {
			t.Error("another session got the upload")
		}
		// Taken once, over both servers.
		if _, ok, err := st2.take(ctx, a.id, 1, sess); err != nil || !ok {
			t.Fatalf("take: %v %v", ok, err)
		}
		if _, ok, _ := st.take(ctx, a.id, 1, sess); ok {
			t.Error("taken twice")
		}
		// A user holds at most perUser uploads: the oldest goes.
		var hs []*heldUpload
		for i := range st.perUser + 1 {
			now = now.Add(time.Second)
			hs = append(hs, put(1, 10+i))
		}
		if has(st, hs[0].id, 1, sess) {
			t.Error("the oldest upload was kept beyond the per-user limit")
		}
		if !has(st, hs[len(hs)-1].id, 1, sess) {
			t.Error("the newest upload is gone")
		}
		// The whole store is bounded.
		err = st.put(ctx, &heldUpload{user: 3, session: sess, data: make([]byte, 20_000)})
		if !errs.Is(errs.TooMany, err) {
			t.Errorf("an upload beyond the store's size: %v", err)
		}
		// Expiry.
		b := put(4, 10)
		now = now.Add(uploadTTL)
		if has(st2, b.id, 4, sess) {
			t.Error("an expired upload was found")
		}
	})
}
