package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRecordLatinBySystem: a record's Latin form follows the record, not
// the letters of its name. UA's own sought Бондаренко Василь Васильович is
// Bondarenko Vasyl Vasylovych (KMU 55/2010), the API says which system
// wrote it, the record page shows it with the system, and a record as GET
// returns it can be sent back as a correction.
func TestRecordLatinBySystem(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	body := map[string]any{"kind": "sought", "category": "military", "surname": "Бондаренко", "given_names": "Василь", "patronymic": "Васильович"}
	st, b := e.do("ua-reg", "POST", "/api/v1/records", body)
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	var rec struct {
		ID          string `json:"id"`
		Latin       string `json:"latin"`
		LatinSystem string `json:"latin_system"`
	}
	json.Unmarshal(b, &rec)
	if rec.Latin != "Bondarenko Vasyl Vasylovych" || rec.LatinSystem != "kmu-55-2010" {
		t.Fatalf("created record's Latin %q by %q, want Bondarenko Vasyl Vasylovych by kmu-55-2010", rec.Latin, rec.LatinSystem)
	}
	// The name language set to Russian: the passport system.
	st, b = e.do("ua-reg", "GET", "/api/v1/records/"+rec.ID, nil)
	if st != 200 {
		t.Fatal(st, string(b))
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	got["base_version"], got["name_language"], got["reason"] = 1, "ru", "written in Russian"
	if st, b = e.do("ua-reg", "PUT", "/api/v1/records/"+rec.ID, got); st != 200 {
		t.Fatalf("correct with the record as read: %d %s", st, b)
	}
	json.Unmarshal(b, &rec)
	if rec.Latin != "Bondarenko Vasil Vasilovich" || rec.LatinSystem != "icao-9303" {
		t.Errorf("after name_language ru: %q by %q", rec.Latin, rec.LatinSystem)
	}
	if st, b = e.do("ua-reg", "PUT", "/api/v1/records/"+rec.ID, map[string]any{"base_version": 2, "kind": "sought", "category": "military",
		"surname": "Бондаренко", "given_names": "Василь", "name_language": "pl"}); st != 400 || !strings.Contains(string(b), "name_language") {
		t.Errorf("name_language pl: %d %s", st, b)
	}
	for _, lang := range []struct{ code, want string }{{"en", "Russian passport system"}, {"uk", "російська паспортна система"}} {
		c := e.session("ua-reg")
		if lang.code == "uk" {
			c = e.sessionUK("ua-reg")
		}
		st, page, _ := e.page(c, "GET", "/records/"+rec.ID, nil)
		if st != 200 || !strings.Contains(page, "Bondarenko Vasil Vasilovich") || !strings.Contains(page, lang.want) {
			t.Errorf("record page (%s): %d, want the Latin and %q\n%s", lang.code, st, lang.want, page)
		}
	}
}
