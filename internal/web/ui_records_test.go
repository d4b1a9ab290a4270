package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestPagesRecordTrace: the record page shows the trace status and its
// timeline to the owning party's bureau, and not to the mediator, who
// reads the record but does not trace it.
func TestPagesRecordTrace(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ua, err := db.UserByLogin(context.Background(), "ua-reg")
		if err != nil {
			t.Fatal(err)
		}
		f := person.Fields{Kind: person.Sought, Category: person.Military, Surname: "Бондаренко", GivenNames: "Олег", BirthDate: person.Date{Year: 1991, Month: 3, Day: 9}}
		rec, err := db.CreateRecord(context.Background(), ua.Scope(), sqlstore.NewRecord{Party: "UA", Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		st, body, _ := e.page(e.session("ua-reg"), "GET", "/records/"+rec.ID, nil)
		if st != 200 || !strings.Contains(body, `id="trace-status"`) || !strings.Contains(body, `id="tl-h"`) {
			t.Fatalf("bureau's record page: %d, want the trace status and timeline\n%s", st, body)
		}
		st, body, _ = e.page(e.session("op"), "GET", "/records/"+rec.ID, nil)
		if st != 200 || strings.Contains(body, `id="trace-status"`) || !strings.Contains(body, "Бондаренко") {
			t.Fatalf("mediator's record page: %d, want the record without its trace\n%s", st, body)
		}
	})
}

// TestPagesRecordsImportExportLinks: a register links to importing into it
// (for those who may write it) and to exporting it with the filters shown,
// and the export link opens the export form with those choices.
func TestPagesRecordsImportExportLinks(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	reg := e.session("ua-reg")
	st, body, _ := e.page(reg, "GET", "/records?party=UA&kind=sought&category=civilian", nil)
	if st != 200 || !strings.Contains(body, `href="/import?kind=sought" id="import-register"`) ||
		!strings.Contains(body, `href="/export?party=UA&amp;kind=sought&amp;category=civilian&amp;status=" id="export-register"`) {
		t.Fatalf("registrar's register: %d, want import and export links\n%s", st, body)
	}
	st, body, _ = e.page(reg, "GET", "/export?party=UA&kind=sought&category=civilian&status=", nil)
	if st != 200 || !strings.Contains(body, `value="civilian" selected`) {
		t.Fatalf("export form from the link: %d, want civilian chosen\n%s", st, body)
	}
	st, body, _ = e.page(e.session("op"), "GET", "/records?party=UA&kind=held", nil)
	if st != 200 || strings.Contains(body, `id="import-register"`) || !strings.Contains(body, `id="export-register"`) {
		t.Fatalf("mediator's register: %d, want an export link and no import link\n%s", st, body)
	}
}
