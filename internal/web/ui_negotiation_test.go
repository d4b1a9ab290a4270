package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
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

// heldRecords creates n records of one register of party through the
// store, with service numbers Ж-PARTY-KIND-i, and returns their ids.
func heldRecords(t *testing.T, db *sqlstore.DB, login, party string, kind person.Kind, n int) []string {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByLogin(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range n {
		f := person.Fields{Kind: kind, Category: person.Military, Status: person.StatusPOW, Surname: fmt.Sprintf("Коваленко%s%d", kind, i), GivenNames: "Петро",
			BirthDate: person.Date{Year: 1990 + i%10, Month: 3, Day: 4}, ServiceNumber: fmt.Sprintf("Ж-%s%s%04d", party, kind[:1], i)}
		if kind == person.Sought {
			f.Status = ""
		}
		r, err := db.CreateRecord(ctx, u.Scope(), sqlstore.NewRecord{Party: party, Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// openExchange opens a numeric exchange of total for total (military)
// between UA and RU through the store.
func openExchange(t *testing.T, db *sqlstore.DB, total int) string {
	t.Helper()
	ctx := context.Background()
	op, _ := db.UserByLogin(ctx, "op")
	ex, err := db.OpenExchange(ctx, op.Scope(), exchange.Exchange{Name: "Весна", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border", "sea"},
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: total, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
	if err != nil {
		t.Fatal(err)
	}
	return ex.ID
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
		// Bad input: a total that is no number. The form reads what was
		// typed; the message is next to its field, in Ukrainian, and what
		// was typed stays.
		form := url.Values{"name": {""}, "party_a": {"UA"}, "party_b": {"RU"}, "crossings": {"Білорусь–Україна\r\n"}, "kind": {"numeric"},
			"total": {"тисяча"}, "rule_military": {"1"}, "id_military": {"mil"}, "min_military": {"18"}}
		st, body, _ = e.page(op, "POST", "/exchanges/new", form)
		if st != 422 {
			t.Fatalf("bad form: %d", st)
		}
		for _, want := range []string{"«тисяча» — не ціле число.", `aria-describedby="e-total"`, "Білорусь–Україна", `value="тисяча"`, `name="min_military" value="18"`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad form: no %q in the page", want)
			}
		}
		// What it reads breaks the exchange's rules: no name, an age band
		// without a reference date; the exchange says so, by field.
		form.Set("total", "10")
		st, body, _ = e.page(op, "POST", "/exchanges/new", form)
		for _, want := range []string{"Обов’язкове: один рядок без керівних символів.", `id="e-name"`, "Обов’язкове: вік обчислюється на вказану дату відліку.", `id="e-reference"`} {
			if st != 422 || !strings.Contains(body, want) {
				t.Errorf("rules: %d, no %q in the page", st, want)
			}
		}
		// Counts per category above the total.
		form.Set("name", "Весна")
		form.Set("reference", "2025-05-16")
		form.Set("rule_civilian", "1")
		form.Set("count_civilian", "12")
		if st, body, _ = e.page(op, "POST", "/exchanges/new", form); st != 422 || !strings.Contains(body, "Кількості за категоріями (12) перевищують загальну кількість 10.") {
			t.Fatalf("counts above the total: %d", st)
		}
		form.Set("count_civilian", "4")
		// What only the exchange's own checks and the store refuse is said
		// next to its field in Ukrainian too.
		form.Set("crossings", "sea\r\nsea")
		if st, body, _ = e.page(op, "POST", "/exchanges/new", form); st != 422 || !strings.Contains(body, "«sea» вказано двічі.") || !strings.Contains(body, `id="e-crossings"`) {
			t.Fatalf("a crossing twice: %d %s", st, body)
		}
		form.Set("crossings", "Білорусь–Україна\r\n")
		form.Set("party_b", "XX")
		if st, body, _ = e.page(op, "POST", "/exchanges/new", form); st != 422 || !strings.Contains(body, "Невідома сторона XX.") || !strings.Contains(body, `id="e-party_b"`) {
			t.Fatalf("an unknown party: %d %s", st, body)
		}
		form.Set("party_b", "RU")
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

// TestPagesSubmitListDomainReasons: the list draft reads the lines and
// the reasons; whether a reason will do is exchange.ListVersion's rule.
// A version's reason and a strike's reason with a tab in them (pasted from
// a spreadsheet) are the domain's refusal, said at their fields in the
// user's language, and nothing is submitted.
func TestPagesSubmitListDomainReasons(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		held := heldRecords(t, db, "ua-reg", "UA", person.Held, 2)
		id := openExchange(t, db, 3)
		reg := e.ukSession("ua-reg")
		path := "/exchanges/" + id + "/lists/offer"
		st, body, _ := e.page(reg, "POST", path, url.Values{"add": {held[0] + "\n" + held[1]}, "reason": {"перший\tсписок"}, "op": {"submit"}})
		if st != 422 || !strings.Contains(fieldError(body, "e-reason"), "Один рядок без керівних символів.") {
			t.Fatalf("a version's reason of two lines: %d, not said at the reason: %s", st, fieldError(body, "e-reason"))
		}
		if _, err := db.List(ctx, mustScope(t, db, "op"), id, "UA", exchange.Offer, 0); err == nil {
			t.Fatalf("a list was submitted despite the error")
		}
		if st, _, _ = e.page(reg, "POST", path, url.Values{"add": {held[0] + "\n" + held[1]}, "reason": {"перший список"}, "op": {"submit"}}); st != 303 {
			t.Fatalf("version 1: %d", st)
		}
		strike := url.Values{"remove": {held[0] + " помер\tу полоні"}, "reason": {"друга"}, "op": {"preview"}}
		st, body, _ = e.page(reg, "POST", path, strike)
		if want := "Рядок 1, " + held[0] + ": Один рядок без керівних символів."; st != 422 || !strings.Contains(fieldError(body, "e-remove"), want) {
			t.Fatalf("a strike's reason of two lines: %d, want %q at the lines to strike: %s", st, want, fieldError(body, "e-remove"))
		}
		strike.Set("op", "submit")
		if st, _, _ = e.page(reg, "POST", path, strike); st != 422 {
			t.Fatalf("submitted a strike's reason of two lines: %d", st)
		}
		if lv, _ := db.List(ctx, mustScope(t, db, "op"), id, "UA", exchange.Offer, 0); lv.Version != 1 {
			t.Fatalf("version %d submitted despite the error", lv.Version)
		}
	})
}

func TestPagesSubmitList(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		held := heldRecords(t, db, "ua-reg", "UA", person.Held, 4)
		sought := heldRecords(t, db, "ua-reg", "UA", person.Sought, 1)
		ruHeld := heldRecords(t, db, "ru-reg", "RU", person.Held, 1)
		id := openExchange(t, db, 3)
		reg := e.ukSession("ua-reg")
		path := "/exchanges/" + id + "/lists/offer"
		st, body, _ := e.page(reg, "GET", path, nil)
		if st != 200 || !strings.Contains(body, "версій ще немає: це перша") {
			t.Fatalf("draft page: %d", st)
		}
		if _, body, _ = e.page(reg, "GET", "/exchanges/"+id, nil); !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the exchange page has no link to submit the offer list")
		}
		// Search the register by name: a hit to add.
		st, body, _ = e.page(reg, "POST", path, url.Values{"q": {"Коваленкоheld2"}, "op": {"search"}})
		if st != 200 || !strings.Contains(body, `name="addid" value="`+held[2]+`"`) {
			t.Fatalf("search: %d", st)
		}
		// Adding a hit puts its id among the lines to add, and the hit is
		// no longer offered.
		st, body, _ = e.page(reg, "POST", path, url.Values{"q": {"Коваленкоheld2"}, "addid": {held[2]}})
		if st != 200 || !strings.Contains(body, held[2]+"\n</textarea>") || strings.Contains(body, `name="addid" value="`+held[2]+`"`) {
			t.Fatalf("add a hit: %d", st)
		}
		// Lines that name nobody, the other party's record and a sought
		// record: each named by its line, in Ukrainian; nothing submitted.
		bad := url.Values{"add": {held[0] + "\nнемає-такого\n" + ruHeld[0] + "\n" + sought[0]}, "reason": {"перший список"}, "op": {"submit"}}
		st, body, _ = e.page(reg, "POST", path, bad)
		if st != 422 {
			t.Fatalf("bad lines: %d", st)
		}
		for _, want := range []string{"Рядок 2: жоден запис", "Рядок 3: жоден запис", "Рядок 4: " + sought[0] + " — не утримувана особа", `aria-describedby="e-add"`, "немає-такого"} {
			if !strings.Contains(body, want) {
				t.Errorf("bad lines: no %q in the page", want)
			}
		}
		if _, err := db.List(ctx, mustScope(t, db, "op"), id, "UA", exchange.Offer, 0); err == nil {
			t.Fatalf("a list was submitted despite the errors")
		}
		// No reason for the version.
		if st, body, _ = e.page(reg, "POST", path, url.Values{"add": {held[0]}, "op": {"submit"}}); st != 422 || !strings.Contains(body, "Обов’язкове: вкажіть, чому ця версія.") {
			t.Fatalf("no reason: %d", st)
		}
		// The first version: by record id and by service number as typed
		// in Latin letters.
		first := url.Values{"add": {held[0] + "\n zh-uah0001 \n"}, "reason": {"перший список"}, "op": {"submit"}}
		st, _, h := e.page(reg, "POST", path, first)
		if st != 303 || h.Get("Location") != "/exchanges/"+id+"#list-UA-offer" {
			t.Fatalf("submit: %d → %s", st, h.Get("Location"))
		}
		lv, err := db.List(ctx, mustScope(t, db, "op"), id, "UA", exchange.Offer, 0)
		if err != nil || lv.Version != 1 || len(lv.Items) != 2 || lv.Items[1].RecordID != held[1] {
			t.Fatalf("version 1: %+v %v", lv, err)
		}
		// Version 2 strikes held[0] (the button) and adds held[3]: without
		// a reason for the strike the check names the line.
		st, body, _ = e.page(reg, "POST", path, url.Values{"add": {held[3]}, "strike": {held[0]}})
		if st != 200 || !strings.Contains(body, held[0]+"\n</textarea>") || !strings.Contains(body, `id="diff-removed"`) {
			t.Fatalf("strike: %d", st)
		}
		check := url.Values{"add": {held[3]}, "remove": {held[0]}, "reason": {"друга"}, "op": {"preview"}}
		if st, body, _ = e.page(reg, "POST", path, check); st != 422 || !strings.Contains(fieldError(body, "e-remove"), "Рядок 1, "+held[0]+": Обов’язкове: вкажіть, чому особу вилучено.") {
			t.Fatalf("strike without reason: %d", st)
		}
		check.Set("remove", held[0]+" помер у полоні")
		st, body, _ = e.page(reg, "POST", path, check)
		if st != 200 {
			t.Fatalf("preview: %d", st)
		}
		added, removed := section(body, `id="diff-added"`), section(body, `id="diff-removed"`)
		if !strings.Contains(added, held[3]) || !strings.Contains(removed, held[0]) || !strings.Contains(removed, "помер у полоні") || strings.Contains(added, held[1]) {
			t.Errorf("the differences do not show +%s and −%s: %s %s", held[3], held[0], added, removed)
		}
		check.Set("op", "submit")
		if st, _, _ = e.page(reg, "POST", path, check); st != 303 {
			t.Fatalf("submit version 2: %d", st)
		}
		lv, _ = db.List(ctx, mustScope(t, db, "op"), id, "UA", exchange.Offer, 0)
		if lv.Version != 2 || len(lv.Items) != 2 || len(lv.Removed) != 1 || lv.Removed[0].Reason != "помер у полоні" || len(lv.Diff.Added) != 1 {
			t.Errorf("version 2: %+v", lv)
		}
		// The exchange page names the persons of the change.
		_, body, _ = e.page(reg, "GET", "/exchanges/"+id, nil)
		if !strings.Contains(body, `<span class="diff-add">+ Коваленкоheld3 Петро <span class="small muted">`+held[3]+`</span>`) ||
			!strings.Contains(body, `<span class="diff-del">− Коваленкоheld0 Петро <span class="small muted">`+held[0]+`</span> (помер у полоні)`) {
			t.Errorf("the exchange page does not name the persons of the change: %s", section(body, `class="small diff"`))
		}
		// The same again is no change.
		if st, body, _ = e.page(reg, "POST", path, url.Values{"reason": {"знову"}, "op": {"submit"}}); st != 422 || !strings.Contains(body, "Відносно версії 2 нічого не змінилося") {
			t.Errorf("no change: %d", st)
		}
		// Others: the mediator and the auditor may not; a party outside
		// the exchange does not see it.
		if _, err := db.CreateParty(ctx, "MD", "Moldova"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "md-reg", Role: access.PartyRegistrar, Party: "MD", Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"op", "aud", "md-reg", "ua-officer"} {
			if st, _, _ := e.page(e.session(login), "POST", path, first); st != 403 && st != 404 {
				t.Errorf("%s submits UA's list: %d", login, st)
			}
		}
		if st, _, _ := e.page(reg, "GET", "/exchanges/"+id+"/lists/wish", nil); st != 404 {
			t.Errorf("a list kind that does not exist: %d", st)
		}
	})
}

func mustScope(t *testing.T, db *sqlstore.DB, login string) access.Scope {
	t.Helper()
	u, err := db.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scope()
}

// section returns the part of a page from marker to the end of its table.
// fieldError is the text of the element with the id of a form field's
// error.
func fieldError(body, id string) string {
	_, after, ok := strings.Cut(body, `id="`+id+`">`)
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(after, "</span>")
	return text
}

func section(body, marker string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</table>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// offeredExchange opens a 3-for-3 exchange in which each party offers 4
// held persons (one more than the terms ask) and, with accept, both accept
// everything.
func offeredExchange(t *testing.T, db *sqlstore.DB, accept bool) (string, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	id := openExchange(t, db, 3)
	held := map[string][]string{}
	for _, p := range []string{"UA", "RU"} {
		login := strings.ToLower(p) + "-reg"
		held[p] = heldRecords(t, db, login, p, person.Held, 4)
		var items []exchange.Item
		for _, r := range held[p] {
			items = append(items, exchange.Item{RecordID: r, Category: person.Military})
		}
		if _, err := db.SubmitList(ctx, mustScope(t, db, login), id, exchange.Offer, items, nil, "offer"); err != nil {
			t.Fatal(err)
		}
	}
	if accept {
		for _, p := range []string{"UA", "RU"} {
			other := map[string]string{"UA": "RU", "RU": "UA"}[p]
			var answers []exchange.Response
			for _, r := range held[other] {
				answers = append(answers, exchange.Response{RecordID: r, Answer: exchange.Accept, Reason: "ok"})
			}
			if _, err := db.Respond(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), id, other, exchange.Offer, 1, answers); err != nil {
				t.Fatal(err)
			}
		}
	}
	return id, held
}

func TestPagesFreeze(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// Not ready: nothing answered. The page lists what blocks, and
		// freezing is refused with the list.
		id, held := offeredExchange(t, db, false)
		op := e.ukSession("op")
		path := "/exchanges/" + id + "/freeze"
		st, body, _ := e.page(op, "GET", path, nil)
		if st != 200 || !strings.Contains(body, `id="blocking"`) || !strings.Contains(body, held["RU"][0]) {
			t.Fatalf("not ready: %d", st)
		}
		if b := section(body, `id="blocking"`); !strings.Contains(b, "<strong>Коваленкоheld0 Петро</strong><br><span class=\"small muted\">"+held["RU"][0]+"</span>") {
			t.Errorf("the blockers do not name the person: %s", b)
		}
		if _, body, _ = e.page(op, "GET", "/exchanges/"+id, nil); !strings.Contains(body, "<strong>Коваленкоheld1 Петро</strong>") {
			t.Errorf("the exchange page's blockers do not name the persons")
		}
		if _, body, _ = e.page(op, "GET", "/exchanges/"+id, nil); !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the exchange page has no link to freeze")
		}
		plan := url.Values{"stages": {"1"}, "s1_start": {"2025-05-23T08:00"}, "s1_end": {"2025-05-23T20:00"}, "s1_crossing": {"border"},
			"s1_UA_military": {"3"}, "s1_RU_military": {"3"}, "op": {"freeze"}}
		st, body, _ = e.page(op, "POST", path, plan)
		if st != 409 || !strings.Contains(body, "Відмовлено: переговори не завершено — позицій, що блокують угоду: 8") || !strings.Contains(section(body, `id="blocking"`), held["UA"][3]) {
			t.Fatalf("freeze when not ready: %d", st)
		}
		if _, err := db.Agreement(ctx, mustScope(t, db, "op"), id, 0); err == nil {
			t.Fatalf("an agreement was frozen when not ready")
		}

		// Ready: everything accepted, four a side for three.
		id, held = offeredExchange(t, db, true)
		path = "/exchanges/" + id + "/freeze"
		st, body, _ = e.page(op, "GET", path, nil)
		if st != 200 || !strings.Contains(body, `name="s1_UA_military" value="3"`) {
			t.Fatalf("ready: %d %s", st, section(body, `id="agreed"`))
		}
		// A second stage by the button keeps what was typed.
		add := url.Values{"stages": {"1"}, "s1_start": {"завтра"}, "s1_end": {"2025-05-23T20:00"}, "s1_crossing": {"border"}, "s1_UA_military": {"2"}, "s1_RU_military": {"1"}, "op": {"addstage"}}
		st, body, _ = e.page(op, "POST", path, add)
		if st != 200 || !strings.Contains(body, `name="s2_UA_military"`) || !strings.Contains(body, `value="завтра"`) {
			t.Fatalf("add a stage: %d", st)
		}
		// Bad input: a start that is no time, more than agreed in stage 2;
		// each next to its field in Ukrainian.
		add.Set("op", "freeze")
		add.Set("stages", "2")
		for k, v := range map[string]string{"s2_start": "2025-05-24T08:00", "s2_end": "2025-05-24T20:00", "s2_crossing": "sea", "s2_UA_military": "5", "s2_RU_military": "5"} {
			add.Set(k, v)
		}
		st, body, _ = e.page(op, "POST", path, add)
		if st != 422 {
			t.Fatalf("bad plan: %d", st)
		}
		for _, want := range []string{"«завтра» — не час", `aria-describedby="e-s1_start"`, "Вказано 5, але погоджених осіб цієї категорії для цього етапу залишилося: 2."} {
			if !strings.Contains(body, want) {
				t.Errorf("bad plan: no %q in the page", want)
			}
		}
		// A plan that reads but breaks the terms: N for N in stage 1, and
		// the totals; said in the exchange's own words.
		for k, v := range map[string]string{"s1_start": "2025-05-23T08:00", "s2_UA_military": "1", "s2_RU_military": "1"} {
			add.Set(k, v)
		}
		st, body, _ = e.page(op, "POST", path, add)
		if st != 422 {
			t.Fatalf("plan against the terms: %d", st)
		}
		for _, want := range []string{"N на N: UA звільняє military=2, а RU — military=1.", `id="e-s1_RU_military"`, "RU звільняє на своїх етапах 2; за умовами — 3."} {
			if !strings.Contains(body, want) {
				t.Errorf("plan against the terms: no %q in the page", want)
			}
		}
		// Two stages, 2 + 1 a side; the fourth of each side is the reserve.
		good := url.Values{"stages": {"2"}, "op": {"freeze"}, "s1_start": {"2025-05-23T08:00"}, "s1_end": {"2025-05-23T20:00"}, "s1_crossing": {"border"}, "s1_UA_military": {"2"}, "s1_RU_military": {"2"},
			"s2_start": {"2025-05-24 08:00"}, "s2_end": {"24.05.2025 20:00"}, "s2_crossing": {"sea"}, "s2_UA_military": {"1"}, "s2_RU_military": {"1"}}
		st, _, h := e.page(op, "POST", path, good)
		if st != 303 || h.Get("Location") != "/exchanges/"+id+"/agreement" {
			t.Fatalf("freeze: %d → %s", st, h.Get("Location"))
		}
		ag, err := db.Agreement(ctx, mustScope(t, db, "op"), id, 0)
		if err != nil || ag.Version != 1 {
			t.Fatalf("agreement: %+v %v", ag, err)
		}
		for _, want := range []string{held["UA"][0], held["RU"][3], "sea"} {
			if !strings.Contains(ag.Document, want) {
				t.Errorf("the agreement lacks %s", want)
			}
		}
		if _, body, _ = e.page(op, "GET", path, nil); !strings.Contains(body, "Зафіксувати версію 2 угоди") {
			t.Errorf("the freeze page does not offer the next version")
		}
		// Nobody else may.
		for _, login := range []string{"ua-reg", "ua-appr", "aud"} {
			if st, _, _ := e.page(e.session(login), "POST", path, good); st != 403 {
				t.Errorf("%s freezes: %d", login, st)
			}
		}
	})
}

// TestPageTimesNegotiationForms measures the server time of the list draft
// and the freeze page (whole handler, no network) with a held register of
// 50,000 and lists of 1,000. It runs only when HANDOVER_UI_TIMES is set,
// prints the median of 10 calls (one for what changes state) and fails on
// nothing:
//
//	HANDOVER_UI_TIMES=1 go test -run TestPageTimesNegotiationForms -v ./internal/web
func TestPageTimesNegotiationForms(t *testing.T) {
	if os.Getenv("HANDOVER_UI_TIMES") == "" {
		t.Skip("set HANDOVER_UI_TIMES=1 to measure the negotiation forms' server times")
	}
	const n = 1000
	ctx := context.Background()
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	start := time.Now()
	gen := synth.New(synth.Config{Seed: 2, Ref: time.Now()})
	held := map[string][]person.Record{}
	for _, p := range []string{"UA", "RU"} {
		size := map[string]int{"UA": 50_000, "RU": n}[p]
		fs := gen.Records(p, person.Held, size)
		for i := 0; i < len(fs); i += 5000 {
			batch := make([]sqlstore.NewRecord, 0, 5000)
			for _, f := range fs[i:min(i+5000, len(fs))] {
				f.Category, f.Status = person.Military, person.StatusPOW
				batch = append(batch, sqlstore.NewRecord{Party: p, Fields: f, Source: "times"})
			}
			recs, err := db.CreateRecords(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), batch)
			if err != nil {
				t.Fatal(err)
			}
			held[p] = append(held[p], recs...)
		}
	}
	id := openExchange(t, db, n)
	for _, p := range []string{"UA", "RU"} {
		var items []exchange.Item
		for _, r := range held[p][:n] {
			items = append(items, exchange.Item{RecordID: r.ID, Category: person.Military})
		}
		if _, err := db.SubmitList(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), id, exchange.Offer, items, nil, "first"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seeded 50,000 held records and offers of %d a side in %v", n, time.Since(start).Round(time.Second))
	var addIDs, addSNs, strike strings.Builder
	for _, r := range held["UA"][n : 2*n] {
		addIDs.WriteString(r.ID + "\n")
	}
	for _, r := range held["UA"][2*n : 2*n+100] {
		addSNs.WriteString(r.ServiceNumber + "\n")
	}
	for _, r := range held["UA"][:10] {
		strike.WriteString(r.ID + " transferred to a hospital\n")
	}
	measure := func(login, name, method, path string, form url.Values, times, want int) {
		timePage(t, e, login, name, method, path, form, times, want)
	}
	draft := "/exchanges/" + id + "/lists/offer"
	measure("ua-reg", "draft page (current version of 1,000)", "GET", draft, nil, 10, 200)
	measure("ua-reg", "draft page 10 of 20 (adding 1,000 by record id, striking 10)", "POST", draft,
		url.Values{"add": {addIDs.String()}, "remove": {strike.String()}, "goto": {"10"}}, 10, 200)
	measure("ua-reg", "draft with 100 service numbers (register of 50,000)", "POST", draft,
		url.Values{"add": {addSNs.String()}, "op": {"preview"}}, 10, 200)
	measure("ua-reg", "draft with 1 service number as written in the register", "POST", draft,
		url.Values{"add": {held["UA"][2*n+200].ServiceNumber}, "op": {"preview"}}, 10, 200)
	measure("ua-reg", "draft search by name", "POST", draft, url.Values{"q": {held["UA"][4321].Surname}, "op": {"search"}}, 10, 200)
	measure("ua-reg", "submit version 2 (1,000 added, 10 struck)", "POST", draft,
		url.Values{"add": {addIDs.String()}, "remove": {strike.String()}, "reason": {"more"}, "op": {"submit"}}, 1, 303)
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		lv, err := db.List(ctx, mustScope(t, db, "op"), id, other, exchange.Offer, 0)
		if err != nil {
			t.Fatal(err)
		}
		var answers []exchange.Response
		for _, it := range lv.Items {
			answers = append(answers, exchange.Response{RecordID: it.RecordID, Answer: exchange.Accept, Reason: "ok"})
		}
		if _, err := db.Respond(ctx, mustScope(t, db, strings.ToLower(p)+"-reg"), id, other, exchange.Offer, lv.Version, answers); err != nil {
			t.Fatal(err)
		}
	}
	freeze := "/exchanges/" + id + "/freeze"
	measure("op", "freeze page (1,990 and 1,000 agreed)", "GET", freeze, nil, 10, 200)
	plan := url.Values{"stages": {"2"}, "op": {"freeze"}}
	for i, c := range []int{600, 400} {
		pre := fmt.Sprintf("s%d_", i+1)
		plan.Set(pre+"start", fmt.Sprintf("2025-05-%dT08:00", 23+i))
		plan.Set(pre+"end", fmt.Sprintf("2025-05-%dT20:00", 23+i))
		plan.Set(pre+"crossing", "border")
		plan.Set(pre+"UA_military", fmt.Sprint(c))
		plan.Set(pre+"RU_military", fmt.Sprint(c))
	}
	measure("op", "freeze (2 stages of 600 and 400, 990 reserves)", "POST", freeze, plan, 1, 303)
}
