package sqlstore_test

import (
	"context"
	"testing"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRecordsByServiceNumber: service numbers as typed find the records of
// one register whose number folds the same, whole numbers only, never
// another register's or another party's, and the latest correction counts.
func TestRecordsByServiceNumber(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		add := func(login, party string, kind person.Kind, sn string) person.Record {
			f := person.Fields{Kind: kind, Category: person.Military, Surname: "Коваль", ServiceNumber: sn}
			rec, err := db.CreateRecord(ctx, sc[login], sqlstore.NewRecord{Party: party, Fields: f})
			if err != nil {
				t.Fatal(err)
			}
			return rec
		}
		zh := add("ua-reg", "UA", person.Held, "Ж-123456")
		a := add("ua-reg", "UA", person.Held, "А-777888")
		add("ua-reg", "UA", person.Sought, "Ж-555111")
		add("ru-reg", "RU", person.Held, "Ж-999000")
		twin := add("ua-reg", "UA", person.Held, "ZH 123456")
		// Р here is Cyrillic: it looks like P and the matcher folds it so;
		// an officer reading it off a paper types a Latin P.
		er := add("ua-reg", "UA", person.Held, "Р-424242")

		got, err := db.RecordsByServiceNumber(ctx, sc["ua-reg"], "UA", person.Held, []string{"zh-123456", "а777888", "777888", "Ж-555111", "Ж-999000", "", "P-424242"})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(k string) map[string]bool {
			m := map[string]bool{}
			for _, r := range got[k] {
				m[r.ID] = true
			}
			return m
		}
		if m := ids("ZH123456"); len(m) != 2 || !m[zh.ID] || !m[twin.ID] {
			t.Errorf("ZH123456: got %v, want %s and %s", m, zh.ID, twin.ID)
		}
		if m := ids("A777888"); len(m) != 1 || !m[a.ID] {
			t.Errorf("A777888: got %v, want %s", m, a.ID)
		}
		if m := ids(person.FoldCode("P-424242")); len(m) != 1 || !m[er.ID] {
			t.Errorf("P-424242 (Latin P): got %v, want %s (Cyrillic Р-424242)", m, er.ID)
		}
		for _, k := range []string{"777888", "ZH555111", "ZH999000"} {
			if len(got[k]) != 0 {
				t.Errorf("%s: got %d records, want none (digits only, another register, another party)", k, len(got[k]))
			}
		}
		// A corrected number is found under the new number only.
		f := a.Fields
		f.ServiceNumber = "А-777889"
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], a.ID, 1, f, "misread"); err != nil {
			t.Fatal(err)
		}
		got, err = db.RecordsByServiceNumber(ctx, sc["ua-reg"], "UA", person.Held, []string{"А-777888", "A-777889"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got["A777888"]) != 0 || len(got["A777889"]) != 1 {
			t.Errorf("after the correction: old %d, new %d records, want 0 and 1", len(got["A777888"]), len(got["A777889"]))
		}
		// Another party's registrar may not read this register.
		if _, err := db.RecordsByServiceNumber(ctx, sc["ru-reg"], "UA", person.Held, []string{"Ж-123456"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("RU's registrar reads UA's held register: %v, want Forbidden", err)
		}
	})
}
