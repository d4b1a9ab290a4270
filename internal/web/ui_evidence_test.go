package web_test

import (
	"context"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// scopeOf is login's scope, for calling the store directly.
func (e *env) scopeOf(login string) access.Scope {
	e.t.Helper()
	u, err := e.db.UserByLogin(context.Background(), login)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Scope()
}

// civilian creates a held civilian of UA (without consent, not eligible
// for any exchange) and returns its id.
func (e *env) civilian(surname string) string {
	e.t.Helper()
	r, err := e.db.CreateRecord(context.Background(), e.scopeOf("ua-reg"), sqlstore.NewRecord{Party: "UA", Fields: person.Fields{
		Kind: person.Held, Category: person.Civilian, Surname: surname, GivenNames: "Ганна", BirthDate: person.Date{Year: 1961, Month: 4, Day: 9}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

var (
	inputRe  = regexp.MustCompile(`<input ([^>]*)>`)
	selectRe = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	optionRe = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	attrRe   = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// formOf reads the evidence form on a page as a browser would post it
// (the inputs' values, checked boxes, selected options; no button).
func formOf(t *testing.T, page string) url.Values {
	t.Helper()
	i := strings.Index(page, `id="evidence-form"`)
	j := strings.Index(page[max(i, 0):], "</form>") + i
	if i < 0 || j < i {
		t.Fatalf("no evidence form on the page:\n%s", page)
	}
	page = page[i:j]
	v := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(page, -1) {
		a := map[string]string{}
		for _, kv := range attrRe.FindAllStringSubmatch(m[1], -1) {
			a[kv[1]] = kv[2]
		}
		if a["name"] == "" || (a["type"] == "checkbox" && !strings.Contains(m[1], " checked")) {
			continue
		}
		v.Set(a["name"], htmlUnescape(a["value"]))
	}
	for _, m := range selectRe.FindAllStringSubmatch(page, -1) {
		sel := ""
		if o := optionRe.FindStringSubmatch(m[2]); o != nil {
			sel = o[1]
		}
		v.Set(m[1], sel)
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPagesEvidence(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		id := e.civilian("Мельник")
		path := "/records/" + id + "/evidence"
		reg := e.session("ua-reg")
		if st, _, _ := e.page(reg, "POST", "/lang", url.Values{"lang": {"uk"}}); st != 303 {
			t.Fatalf("lang: %d", st)
		}
		evidence := func() exchange.Evidence {
			t.Helper()
			ev, err := db.Evidence(ctx, e.scopeOf("ua-reg"), id)
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}

		// The record page links to the evidence for its registrar only.
		if _, body, _ := e.page(reg, "GET", "/records/"+id, nil); !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the registrar's record page has no evidence link")
		}
		if _, body, _ := e.page(e.session("ua-appr"), "GET", "/records/"+id, nil); strings.Contains(body, path) {
			t.Errorf("the approver's record page links to the evidence form")
		}

		// Nothing recorded yet: one empty consent row.
		st, body, _ := e.page(reg, "GET", path, nil)
		if st != 200 || !strings.Contains(body, `name="consent_kind_0"`) || strings.Contains(body, `name="consent_kind_1"`) {
			t.Fatalf("empty evidence page: %d\n%s", st, body)
		}

		// A commission decision and a consent, the second row left empty.
		form := url.Values{"rows": {"2"}, "commission_decision": {"A"}, "commission_tier": {"2"}, "commission_date": {"01.03.2026"},
			"consent_kind_0": {"given"}, "consent_date_0": {"2026-03-02"}, "consent_witness_0": {"делегат МКЧХ"}, "consent_note_0": {"у присутності лікаря"},
			"consent_kind_1": {""}, "consent_date_1": {""}, "consent_witness_1": {""}, "blocker": {""}}
		st, _, h := e.page(reg, "POST", path, form)
		if st != 303 || h.Get("Location") != "/records/"+id+"?done=evidence" {
			t.Fatalf("save: %d %q", st, h.Get("Location"))
		}
		want := exchange.Evidence{
			Commission: &exchange.Commission{Decision: exchange.DecisionA, Tier: 2, Date: day(t, "2026-03-01")},
			Consent:    []exchange.Consent{{Kind: exchange.ConsentGiven, Date: day(t, "2026-03-02"), Witness: "делегат МКЧХ", Note: "у присутності лікаря"}},
		}
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("saved %+v, want %+v", got, want)
		}
		if _, body, _ := e.page(reg, "GET", "/records/"+id+"?done=evidence", nil); !strings.Contains(body, "Відомості для критеріїв обміну збережено.") {
			t.Errorf("no flash on the record page")
		}

		// The form starts from the current evidence, with a row to add the
		// next event; posting it back with one change keeps everything else.
		_, body, _ = e.page(reg, "GET", path, nil)
		if !strings.Contains(body, "делегат МКЧХ") || !strings.Contains(body, "A: репатріювати") {
			t.Errorf("the current evidence is not shown:\n%s", body)
		}
		form = formOf(t, body)
		if form.Get("rows") != "2" || form.Get("consent_witness_0") != "делегат МКЧХ" || form.Get("commission_decision") != "A" || form.Get("commission_date") != "2026-03-01" {
			t.Fatalf("the form is not prefilled: %v", form)
		}
		form.Set("consent_kind_1", "withdrawn")
		form.Set("consent_date_1", "2026-03-10")
		form.Set("consent_witness_1", "делегат МКЧХ")
		if st, body, _ := e.page(reg, "POST", path, form); st != 303 {
			t.Fatalf("second save: %d\n%s", st, body)
		}
		want.Consent = append(want.Consent, exchange.Consent{Kind: exchange.ConsentWithdrawn, Date: day(t, "2026-03-10"), Witness: "делегат МКЧХ"})
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after adding an event: %+v, want %+v", got, want)
		}
		_, body, _ = e.page(reg, "GET", path, nil)
		form = formOf(t, body)
		form.Set("blocker", "serving_sentence")
		if st, body, _ := e.page(reg, "POST", path, form); st != 303 {
			t.Fatalf("third save: %d\n%s", st, body)
		}
		want.Blocker = exchange.ServingSentence
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("changing the blocker lost something: %+v, want %+v", got, want)
		}

		// A recorded consent event is never edited: changing the first
		// one is refused at its row, in Ukrainian, and nothing is saved.
		_, body, _ = e.page(reg, "GET", path, nil)
		form = formOf(t, body)
		form.Set("consent_kind_0", "refused")
		st, body, _ = e.page(reg, "POST", path, form)
		if st != 422 || !strings.Contains(body, "Подію згоди 1 (2026-03-02) записано, її не можна змінити") {
			t.Fatalf("editing a recorded consent event: %d\n%s", st, body)
		}
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("a refused edit saved: %+v", got)
		}

		// "Add a row" shows the form again with one more row and what was
		// typed, and saves nothing.
		_, body, _ = e.page(reg, "GET", path, nil)
		form = formOf(t, body)
		form.Set("consent_kind_2", "given")
		form.Set("consent_witness_2", "ще не збережено")
		form.Set("add_row", "1")
		st, body, _ = e.page(reg, "POST", path, form)
		if st != 200 || !strings.Contains(body, `name="consent_kind_3"`) || !strings.Contains(body, "ще не збережено") || strings.Contains(body, "field-error") {
			t.Fatalf("add a row: %d\n%s", st, body)
		}
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("adding a row saved: %+v", got)
		}

		// Bad input: the form again (422) with each message, in Ukrainian,
		// next to its field; nothing saved.
		form.Del("add_row")
		form.Set("commission_decision", "")      // a tier and date without a decision
		form.Set("consent_date_1", "31.02.2026") // no such day
		form.Set("consent_witness_2", "")        // a row without its witness and date
		st, body, _ = e.page(reg, "POST", path, form)
		if st != 422 {
			t.Fatalf("bad input: %d", st)
		}
		for field, msg := range map[string]string{
			"commission_decision": "Оберіть рішення або очистьте інші поля комісії.",
			"consent_date_1":      "«31.02.2026» — не дата",
			"consent_witness_2":   "Обов’язкове: хто засвідчив заяву.",
			"consent_date_2":      "Обов’язкове: дата заяви.",
		} {
			if !regexp.MustCompile(`aria-invalid="true" aria-describedby="e-`+field+`">`).MatchString(body) ||
				!regexp.MustCompile(`<span class="field-error" id="e-`+field+`">`+regexp.QuoteMeta(msg)).MatchString(body) {
				t.Errorf("no message %q at %s", msg, field)
			}
		}
		if !strings.Contains(body, `value="31.02.2026"`) {
			t.Errorf("what was typed is not kept")
		}
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("bad input saved: %+v", got)
		}
		// The order of consent events, checked on the rows as they are.
		form = formOf(t, mustPage(t, e, reg, path))
		form.Set("consent_date_1", "2026-02-01")
		if st, body, _ = e.page(reg, "POST", path, form); st != 422 || !strings.Contains(body, `<span class="field-error" id="e-consent_date_1">Раніше за попередню подію (2026-03-02)`) {
			t.Errorf("consent out of order: %d", st)
		}

		// Another party's registrar, the approver and the mediator are
		// refused, reading as writing; the evidence stays.
		for _, who := range []string{"ru-reg", "ua-appr", "op", "ua-officer"} {
			c := e.session(who)
			if st, _, _ := e.page(c, "GET", path, nil); st != 403 && st != 404 {
				t.Errorf("%s reads the evidence form: %d", who, st)
			}
			if st, _, _ := e.page(c, "POST", path, url.Values{"rows": {"1"}}); st != 403 && st != 404 {
				t.Errorf("%s saves evidence: %d", who, st)
			}
		}
		if got := evidence(); !reflect.DeepEqual(got, want) {
			t.Fatalf("a refused caller changed the evidence: %+v", got)
		}
	})
}

func mustPage(t *testing.T, e *env, cookie, path string) string {
	t.Helper()
	st, body, _ := e.page(cookie, "GET", path, nil)
	if st != 200 {
		t.Fatalf("GET %s: %d", path, st)
	}
	return body
}

// TestPagesEvidenceEligibility: consent given through the form makes a
// civilian eligible under an all-for-all rule — outstanding until offered —
// and withdrawing it makes the civilian ineligible again; the exchange page
// shows it.
func TestPagesEvidenceEligibility(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		id := e.civilian("Коваленко")
		ex, err := db.OpenExchange(ctx, e.scopeOf("op"), exchange.Exchange{Name: "Цивільні", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
			Terms: exchange.Terms{Kind: exchange.CategoryTerms, Rules: []exchange.Rule{{ID: "civ", Category: person.Civilian, AllForAll: true}}}})
		if err != nil {
			t.Fatal(err)
		}
		outstanding := func() (api bool, page bool) {
			t.Helper()
			var v exchange.View
			e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &v, 200)
			for _, s := range v.Sides {
				for _, c := range s.Categories {
					if s.Party == "UA" && slices.Contains(c.Outstanding, id) {
						api = true
					}
				}
			}
			body := mustPage(t, e, e.session("op"), "/exchanges/"+ex.ID)
			return api, strings.Contains(body, `<a href="/records/`+id+`">`)
		}
		if api, page := outstanding(); api || page {
			t.Fatalf("a civilian without consent is outstanding (api %v, page %v)", api, page)
		}
		reg := e.session("ua-reg")
		path := "/records/" + id + "/evidence"
		form := formOf(t, mustPage(t, e, reg, path))
		form.Set("consent_kind_0", "given")
		form.Set("consent_date_0", "2026-04-01")
		form.Set("consent_witness_0", "делегат МКЧХ")
		if st, body, _ := e.page(reg, "POST", path, form); st != 303 {
			t.Fatalf("consent: %d\n%s", st, body)
		}
		if api, page := outstanding(); !api || !page {
			t.Fatalf("after consent through the form the civilian is not outstanding (api %v, page %v)", api, page)
		}
		form = formOf(t, mustPage(t, e, reg, path))
		form.Set("consent_kind_1", "withdrawn")
		form.Set("consent_date_1", "2026-04-02")
		form.Set("consent_witness_1", "делегат МКЧХ")
		if st, body, _ := e.page(reg, "POST", path, form); st != 303 {
			t.Fatalf("withdrawal: %d\n%s", st, body)
		}
		if api, page := outstanding(); api || page {
			t.Fatalf("after withdrawal the civilian is still outstanding (api %v, page %v)", api, page)
		}
	})
}

// TestEvidenceAPIRead: GET /api/v1/records/{id}/evidence returns what the
// last POST stored, whole, to the record's own party only.
func TestEvidenceAPIRead(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id := e.civilian("Шевчук")
		path := "/api/v1/records/" + id + "/evidence"
		var got exchange.Evidence
		e.must("ua-reg", "GET", path, nil, &got, 200)
		if !reflect.DeepEqual(got, exchange.Evidence{}) {
			t.Errorf("before any evidence: %+v", got)
		}
		want := exchange.Evidence{
			Commission: &exchange.Commission{Decision: exchange.DecisionNC, Date: day(t, "2026-02-01")},
			Consent:    []exchange.Consent{{Kind: exchange.ConsentRefused, Date: day(t, "2026-02-03"), Witness: "ICRC"}},
			Blocker:    exchange.PendingProsecution,
		}
		e.must("ua-reg", "POST", path, want, nil, 204)
		for _, who := range []string{"ua-reg", "ua-appr"} {
			got = exchange.Evidence{}
			e.must(who, "GET", path, nil, &got, 200)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s reads %+v, want %+v", who, got, want)
			}
		}
		for who, st := range map[string]int{"ru-reg": 404, "op": 403, "ua-officer": 404} {
			if got, _ := e.do(who, "GET", path, nil); got != st {
				t.Errorf("%s: %d, want %d", who, got, st)
			}
		}
	})
}
