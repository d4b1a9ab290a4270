package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestEraseAPI: the party's approver erases one of its records through
// the API with the request's reference; the record then reads as erased,
// without its fields, and its names are gone from the database's file and
// its write-ahead log while the server runs; the registrar may not erase,
// nor the other party's approver (not found), and a second erasure is a
// conflict; a held record is refused; one its bureau flagged is erased
// with its flags.
func TestEraseAPI(t *testing.T) {
	file := sqltest.DSN(t, "sqlite")
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: file, SealKey: sqltest.Key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := newEnv(t, db)
	st, b := e.do("ua-reg", "POST", "/api/v1/records", soughtBody("Ґонтаренко"))
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	var rec person.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/records/" + rec.ID + "/erase"
	body := map[string]any{"reason": "DP-2026-0042"}
	if st, b := e.do("ua-reg", "POST", path, body); st != 403 {
		t.Fatalf("the registrar erases: %d %s", st, b)
	}
	if st, b := e.do("ru-reg", "POST", path, body); st != 403 {
		t.Fatalf("the other party's registrar erases: %d %s", st, b)
	}
	if st, b := e.do("ua-appr", "POST", path, map[string]any{"reason": ""}); st != 400 || !strings.Contains(string(b), "erase_reason_missing") {
		t.Fatalf("no reason: %d %s", st, b)
	}
	st, b = e.do("ua-appr", "POST", path, body)
	if st != 200 {
		t.Fatalf("erase: %d %s", st, b)
	}
	var tomb person.Erasure
	if err := json.Unmarshal(b, &tomb); err != nil || tomb.By != "ua-appr" || tomb.Reason != "DP-2026-0042" || tomb.Versions != 1 {
		t.Fatalf("tombstone %s (%v)", b, err)
	}
	st, b = e.do("ua-reg", "GET", "/api/v1/records/"+rec.ID, nil)
	if st != 200 || strings.Contains(string(b), "Ґонтаренко") || !strings.Contains(string(b), `"erased":{"by":"ua-appr"`) {
		t.Fatalf("the erased record reads %d %s", st, b)
	}
	for _, f := range []string{file, file + "-wal"} {
		if b, err := os.ReadFile(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		} else if bytes.Contains(b, []byte("Ґонтаренко")) {
			t.Errorf("after the erasure through the API, %s still holds the surname", filepath.Base(f))
		}
	}
	if st, b := e.do("ua-appr", "POST", path, body); st != 409 || !strings.Contains(string(b), "erase_already") {
		t.Fatalf("erased twice: %d %s", st, b)
	}
	// A record of the held register is never erased (GC III Art. 122).
	st, b = e.do("ua-reg", "POST", "/api/v1/records", heldBody("", "Полонений"))
	if st != 201 || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, b := e.do("ua-appr", "POST", "/api/v1/records/"+rec.ID+"/erase", body); st != 409 || !strings.Contains(string(b), "erase_held") {
		t.Fatalf("a held record erased: %d %s", st, b)
	}
	// A sought person his bureau flagged is erased with his flags: the
	// group a registrar typed is gone from the files too, and the
	// backlog no longer shows him.
	st, b = e.do("ua-reg", "POST", "/api/v1/records", soughtBody("Позначений"))
	if st != 201 || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("create: %d %s", st, b)
	}
	const group = "загін Позначеного"
	if st, b := e.do("ua-reg", "POST", "/api/v1/backlog/"+rec.ID+"/flags", map[string]any{"marks": []string{"wounded"}, "group": group}); st != 200 {
		t.Fatalf("flag: %d %s", st, b)
	}
	if st, b := e.do("ua-reg", "GET", "/api/v1/backlog", nil); st != 200 || !strings.Contains(string(b), rec.ID) {
		t.Fatalf("the backlog before the erasure: %d %s", st, b)
	}
	if st, b := e.do("ua-appr", "POST", "/api/v1/records/"+rec.ID+"/erase", body); st != 200 {
		t.Fatalf("a flagged record's erasure: %d %s", st, b)
	}
	for _, f := range []string{file, file + "-wal"} {
		if b, err := os.ReadFile(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		} else if bytes.Contains(b, []byte(group)) || bytes.Contains(b, []byte("Позначений")) {
			t.Errorf("after the erasure of a flagged record through the API, %s still holds its name or its flags' group", filepath.Base(f))
		}
	}
	if st, b := e.do("ua-reg", "GET", "/api/v1/backlog", nil); st != 200 || strings.Contains(string(b), rec.ID) {
		t.Fatalf("the backlog after the erasure: %d %s", st, b)
	}
}

// soughtBody is a family's report of a missing soldier: a record of the
// sought register, which an erasure serves (a held one is never erased).
func soughtBody(surname string) map[string]any {
	b := heldBody("", surname)
	b["kind"], b["status"] = "sought", "missing"
	return b
}

// TestErasePage: the party's approver sees the erase form on the record's
// page, is told a reason is needed, erases the record, and the page then
// says who erased it, when and why, without the person's name; the
// registrar has no such form. A record its bureau flagged is erased the
// same way, and leaves the backlog page.
func TestErasePage(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	st, b := e.do("ua-reg", "POST", "/api/v1/records", soughtBody("Ґонтаренко"))
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	var rec person.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	appr, reg := e.session("ua-appr"), e.session("ua-reg")
	if _, body, _ := e.page(reg, "GET", "/records/"+rec.ID, nil); strings.Contains(body, `id="erase-form"`) {
		t.Fatal("the registrar is offered the erase form")
	}
	if _, body, _ := e.page(appr, "GET", "/records/"+rec.ID, nil); !strings.Contains(body, `id="erase-form"`) {
		t.Fatalf("the approver has no erase form:\n%s", body)
	}
	st, body, _ := e.page(appr, "POST", "/records/"+rec.ID+"/erase", url.Values{"reason": {" "}})
	if st != 422 || !strings.Contains(body, `id="erase-error"`) || !strings.Contains(body, "Ґонтаренко") {
		t.Fatalf("no reason: %d\n%s", st, body)
	}
	st, _, h := e.page(appr, "POST", "/records/"+rec.ID+"/erase", url.Values{"reason": {"DP-2026-0042"}})
	if st != 303 || !strings.Contains(h.Get("Location"), "done=erased") {
		t.Fatalf("erase: %d %v", st, h)
	}
	_, body, _ = e.page(appr, "GET", h.Get("Location"), nil)
	if !strings.Contains(body, `id="record-erased"`) || !strings.Contains(body, "DP-2026-0042") || strings.Contains(body, "Ґонтаренко") || strings.Contains(body, `id="erase-form"`) {
		t.Fatalf("the erased record's page:\n%s", body)
	}

	st, b = e.do("ua-reg", "POST", "/api/v1/records", soughtBody("Позначений"))
	if st != 201 || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, b := e.do("ua-reg", "POST", "/api/v1/backlog/"+rec.ID+"/flags", map[string]any{"group": "Азовсталь"}); st != 200 {
		t.Fatalf("flag: %d %s", st, b)
	}
	if _, body, _ = e.page(reg, "GET", "/backlog", nil); !strings.Contains(body, "Азовсталь") || !strings.Contains(body, rec.ID) {
		t.Fatalf("the backlog page before the erasure:\n%s", body)
	}
	st, _, h = e.page(appr, "POST", "/records/"+rec.ID+"/erase", url.Values{"reason": {"DP-2026-0043"}})
	if st != 303 || !strings.Contains(h.Get("Location"), "done=erased") {
		t.Fatalf("a flagged record's erasure: %d %v", st, h)
	}
	_, body, _ = e.page(appr, "GET", h.Get("Location"), nil)
	if !strings.Contains(body, `id="record-erased"`) || !strings.Contains(body, "DP-2026-0043") || strings.Contains(body, "Позначений") {
		t.Fatalf("the erased flagged record's page:\n%s", body)
	}
	if _, body, _ = e.page(reg, "GET", "/backlog", nil); strings.Contains(body, "Азовсталь") || strings.Contains(body, rec.ID) {
		t.Fatalf("the backlog page after the erasure:\n%s", body)
	}
}
