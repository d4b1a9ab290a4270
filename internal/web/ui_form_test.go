package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestExchangeFormSaysTheDomainsRules: the form to open an exchange reads
// only what was typed; every rule it breaks is said in the domain's words
// (exchange.Exchange.Validate's field errors, in the user's language), so
// that a rule changed in the domain changes what the form says. Each case
// is a form and the exchange it describes; the page must show what the
// domain says of that exchange.
func TestExchangeFormSaysTheDomainsRules(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	base := func() (url.Values, exchange.Exchange) {
		return url.Values{"name": {"Весна"}, "party_a": {"UA"}, "party_b": {"RU"}, "crossings": {"border"}, "kind": {"numeric"},
				"total": {"10"}, "rule_military": {"1"}, "id_military": {"mil"}},
			exchange.Exchange{ID: "ex-1", Name: "Весна", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
				Terms: exchange.Terms{Kind: exchange.Numeric, Total: 10, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}}
	}
	cases := []struct {
		name string
		edit func(url.Values, *exchange.Exchange)
	}{
		{"no name", func(f url.Values, e *exchange.Exchange) { f.Set("name", ""); e.Name = "" }},
		{"one party twice", func(f url.Values, e *exchange.Exchange) { f.Set("party_b", "UA"); e.Parties[1] = "UA" }},
		{"no crossing", func(f url.Values, e *exchange.Exchange) { f.Set("crossings", " \r\n"); e.Crossings = nil }},
		{"last day first", func(f url.Values, e *exchange.Exchange) {
			f.Set("from", "2026-05-02")
			f.Set("to", "01.05.2026")
			e.From, e.To = day("2026-05-02"), day("2026-05-01")
		}},
		{"ages upside down", func(f url.Values, e *exchange.Exchange) {
			f.Set("min_military", "40")
			f.Set("max_military", "30")
			f.Set("reference", "2026-05-01")
			e.Terms.Rules[0].MinAge, e.Terms.Rules[0].MaxAge, e.Terms.Reference = 40, 30, day("2026-05-01")
		}},
		{"age beyond 150", func(f url.Values, e *exchange.Exchange) {
			f.Set("max_military", "151")
			f.Set("reference", "2026-05-01")
			e.Terms.Rules[0].MaxAge, e.Terms.Reference = 151, day("2026-05-01")
		}},
		{"an age band without a reference", func(f url.Values, e *exchange.Exchange) { f.Set("min_military", "18"); e.Terms.Rules[0].MinAge = 18 }},
		{"a negative total", func(f url.Values, e *exchange.Exchange) { f.Set("total", "-3"); e.Terms.Total = -3 }},
		{"all for all in numeric terms", func(f url.Values, e *exchange.Exchange) {
			f.Set("all_military", "1")
			e.Terms.Rules[0].AllForAll = true
		}},
		{"counts above the total", func(f url.Values, e *exchange.Exchange) {
			f.Set("rule_civilian", "1")
			f.Set("count_civilian", "12")
			e.Terms.Rules = append(e.Terms.Rules, exchange.Rule{ID: "civ", Category: person.Civilian, Count: 12})
		}},
		{"no category", func(f url.Values, e *exchange.Exchange) { f.Del("rule_military"); e.Terms.Rules = nil }},
		{"a count in category terms", func(f url.Values, e *exchange.Exchange) {
			f.Set("kind", "category")
			f.Set("total", "")
			f.Set("floor", "5")
			f.Set("count_military", "3")
			e.Terms.Kind, e.Terms.Total, e.Terms.Floor, e.Terms.Rules[0].Count = exchange.CategoryTerms, 0, 5, 3
		}},
		{"a ceiling below the floor", func(f url.Values, e *exchange.Exchange) {
			f.Set("kind", "category")
			f.Set("total", "")
			f.Set("floor", "9")
			f.Set("ceiling", "4")
			e.Terms.Kind, e.Terms.Total, e.Terms.Floor, e.Terms.Ceiling = exchange.CategoryTerms, 0, 9, 4
		}},
	}
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		op := e.ukSession("op")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				form, ex := base()
				tc.edit(form, &ex)
				fes := errs.Fields(ex.Validate())
				if len(fes) == 0 {
					t.Fatalf("the domain takes %+v: the case tests nothing", ex)
				}
				st, body, _ := e.page(op, "POST", "/exchanges/new", form)
				if st != 422 {
					t.Fatalf("status %d, want 422", st)
				}
				for _, fe := range fes {
					if want := html.EscapeString(locale.Field("uk", fe)); !strings.Contains(body, want) {
						t.Errorf("the page does not say what the domain says of %s: %q", fe.Field, want)
					}
				}
			})
		}
	})
}
