package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestRegisterPage: the register page says how many records match, lists
// the newest first (a person just imported is on the first page of a
// search), and on a sought register shows each person's trace status and
// filters by it — on both databases.
func TestRegisterPage(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		reg := e.session("ua-reg")
		// More than a page of namesakes of the surname searched for.
		for i := range 60 {
			st, b := e.do("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "sought", "category": "military",
				"surname": "Ткачук", "given_names": fmt.Sprintf("Іван%03d", i)})
			if st != 201 {
				t.Fatal(st, string(b))
			}
		}
		file := []byte("Прізвище;Ім'я;Дата народження;Категорія\nТкачук;Новоімпортований;16.01.1987;військовий\n")
		if st, b := e.upload("ua-reg", importForm("UA", "sought"), "new.csv", file); st != 200 {
			t.Fatalf("import: %d %s", st, b)
		}
		st, page, _ := e.page(reg, "GET", "/records?kind=sought&q="+url.QueryEscape("Ткачук"), nil)
		wantPage(t, "search", st, page, 200, "Records found: 61", "Новоімпортований", "Trace status", "reported missing")
		if i, j := strings.Index(page, "Новоімпортований"), strings.Index(page, "Іван000"); j >= 0 && j < i {
			t.Errorf("the oldest record is listed before the one just imported")
		}
		// The next page goes on with older records, newest first.
		end := strings.Index(page, `" rel="next" id="next-page"`)
		if end < 0 {
			t.Fatalf("no next page")
		}
		next := page[strings.LastIndex(page[:end], `href="`)+len(`href="`) : end]
		st, page2, _ := e.page(reg, "GET", strings.ReplaceAll(next, "&amp;", "&"), nil)
		if st != 200 || !strings.Contains(page2, "Іван000") || strings.Contains(page2, "Новоімпортований") {
			t.Errorf("second page: %d, want the oldest and not the newest", st)
		}
		// Without a search: the whole register, counted.
		st, page, _ = e.page(reg, "GET", "/records?kind=sought", nil)
		wantPage(t, "register", st, page, 200, "Records found: 61")
		// The trace filter: everyone is reported; nobody has returned.
		st, page, _ = e.page(reg, "GET", "/records?kind=sought&trace=reported", nil)
		wantPage(t, "trace reported", st, page, 200, "Records found: 61")
		st, page, _ = e.page(reg, "GET", "/records?kind=sought&trace=returned", nil)
		wantPage(t, "trace returned", st, page, 200, "Records found: 0")
		st, _, _ = e.page(reg, "GET", "/records?kind=sought&trace=nonsense", nil)
		if st != 400 && st != 422 {
			t.Errorf("trace=nonsense: %d", st)
		}
		// A held register has no trace column.
		st, page, _ = e.page(reg, "GET", "/records?kind=held", nil)
		if st != 200 || strings.Contains(page, "Trace status") {
			t.Errorf("held register: %d, trace column shown", st)
		}
	})
}
