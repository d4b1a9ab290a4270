package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sheet"
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

func TestUploadStore(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	st := newUploadStore()
	st.now = func() time.Time { return now }
	st.max = 10_000
	sess := [32]byte{1}
	other := [32]byte{2}
	put := func(user int64, n int) *heldUpload {
		t.Helper()
		h := &heldUpload{user: user, session: sess, data: make([]byte, n)}
		if err := st.put(h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := put(1, 100)
	if len(a.id) != 32 {
		t.Fatalf("id %q", a.id)
	}
	// Bound to the user and the session.
	if _, ok := st.get(a.id, 1, sess); !ok {
		t.Fatal("own upload not found")
	}
	if _, ok := st.get(a.id, 2, sess); ok {
		t.Error("another user got the upload")
	}
	if _, ok := st.get(a.id, 1, other); ok {
		t.Error("another session got the upload")
	}
	// Taken once.
	if _, ok := st.take(a.id, 1, sess); !ok {
		t.Fatal("take")
	}
	if _, ok := st.take(a.id, 1, sess); ok {
		t.Error("taken twice")
	}
	if st.held != 0 {
		t.Errorf("held %d bytes after take", st.held)
	}
	// A user holds at most perUser uploads: the oldest goes.
	var hs []*heldUpload
	for i := range st.perUser + 1 {
		now = now.Add(time.Second)
		hs = append(hs, put(1, 10+i))
	}
	if _, ok := st.get(hs[0].id, 1, sess); ok {
		t.Error("the oldest upload was kept beyond the per-user limit")
	}
	if _, ok := st.get(hs[len(hs)-1].id, 1, sess); !ok {
		t.Error("the newest upload is gone")
	}
	// The whole store is bounded.
	err := st.put(&heldUpload{user: 3, session: sess, data: make([]byte, 20_000)})
	if !errs.Is(errs.TooMany, err) {
		t.Errorf("an upload beyond the store's size: %v", err)
	}
	// Expiry.
	b := put(4, 10)
	now = now.Add(uploadTTL)
	if _, ok := st.get(b.id, 4, sess); ok {
		t.Error("an expired upload was found")
	}
	put(5, 10) // sweeps the expired ones
	if len(st.m) != 1 {
		t.Errorf("%d uploads held after expiry, want 1", len(st.m))
	}
	var sum int64
	for _, h := range st.m {
		sum += h.size()
	}
	if sum != st.held {
		t.Errorf("held %d, sum of sizes %d", st.held, sum)
	}
}
