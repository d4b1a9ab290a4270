package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// ukSession starts a session for login with Ukrainian chosen.
func (e *env) ukSession(login string) string {
	e.t.Helper()
	c := e.session(login)
	if st, _, _ := e.page(c, "POST", "/lang", url.Values{"lang": {"uk"}}); st != 303 {
		e.t.Fatalf("choosing Ukrainian: %d", st)
	}
	return c
}

func TestPagesOpenExchange(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		op := e.ukSession("op")
		st, body, _ := e.page(op, "GET", "/exchanges/new", nil)
		if st != 200 || !strings.Contains(body, `name="count_military"`) {
			t.Fatalf("form: %d", st)
		}
		if _, body, _ = e.page(op, "GET", "/exchanges", nil); !strings.Contains(body, `href="/exchanges/new"`) {
			t.Errorf("the operator's exchanges page has no link to open one")
		}
		// Bad input: no name, a total that is no number, an age band
		// without a reference date. Each message is next to its field, in
		// Ukrainian, and what was typed stays.
		form := url.Values{"name": {""}, "party_a": {"UA"}, "party_b": {"RU"}, "crossings": {"Білорусь–Україна\r\n"}, "kind": {"numeric"},
			"total": {"тисяча"}, "rule_military": {"1"}, "id_military": {"mil"}, "min_military": {"18"}}
		st, body, _ = e.page(op, "POST", "/exchanges/new", form)
		if st != 422 {
			t.Fatalf("bad form: %d", st)
		}
		for _, want := range []string{"Обов’язкове: назвіть обмін.", "«тисяча» — не ціле число від 0.", "Обов’язкове: вік обчислюється на визначену дату.",
			`id="e-name"`, `aria-describedby="e-total"`, "Білорусь–Україна", `value="тисяча"`, `name="min_military" value="18"`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad form: no %q in the page", want)
			}
		}
		// Counts per category above the total.
		form.Set("name", "Весна")
		form.Set("total", "10")
		form.Set("reference", "2025-05-16")
		form.Set("rule_civilian", "1")
		form.Set("count_civilian", "12")
		if st, body, _ = e.page(op, "POST", "/exchanges/new", form); st != 422 || !strings.Contains(body, "Кількості за категоріями (12) перевищують загальну 10.") {
			t.Fatalf("counts above the total: %d", st)
		}
		form.Set("count_civilian", "4")
		form.Set("conditions", "third-country: civilians may stay in a third country")
		st, _, h := e.page(op, "POST", "/exchanges/new", form)
		if st != 303 || !strings.HasPrefix(h.Get("Location"), "/exchanges/ex-") {
			t.Fatalf("open: %d → %s", st, h.Get("Location"))
		}
		ex, err := db.Exchange(context.Background(), access.Scope{UserID: 1, Role: access.Auditor}, strings.TrimPrefix(h.Get("Location"), "/exchanges/"))
		if err != nil {
			t.Fatal(err)
		}
		if ex.Terms.Total != 10 || len(ex.Terms.Rules) != 2 || ex.Terms.Rules[1].Count != 4 || ex.Terms.Rules[0].MinAge != 18 ||
			len(ex.Terms.Conditions) != 1 || ex.Crossings[0] != "Білорусь–Україна" {
			t.Errorf("opened %+v", ex)
		}
		// A party's registrar may not.
		if st, _, _ = e.page(e.session("ua-reg"), "POST", "/exchanges/new", form); st != 403 {
			t.Errorf("a registrar opens an exchange: %d", st)
		}
		if _, body, _ = e.page(e.session("ua-reg"), "GET", "/exchanges", nil); strings.Contains(body, `href="/exchanges/new"`) {
			t.Errorf("a registrar is offered to open an exchange")
		}
	})
}
