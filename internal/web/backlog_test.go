package web_test

import (
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBacklogAcrossRoundsAPI is issue 20's test of the backlog, end to end
// through the API: a person UA requested in rounds 1, 2 and 3, whom RU
// answered "not held" each time, is shown with all three answers and their
// dates, and is pre-filled in round 4 with the reason; his bureau flags
// him; the other party sees none of it.
func TestBacklogAcrossRoundsAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		k, m, exs := backlogRounds(t, e)

		// The bureau's backlog: K requested in rounds 1, 2 and 3, the
		// most often requested, with all three answers and their dates.
		var bl api.Backlog
		e.must("ua-appr", "GET", "/api/v1/backlog", nil, &bl, 200)
		if len(bl.Rounds) != 4 || len(bl.Persons) != 2 || bl.Persons[0].RecordID != k || bl.Persons[1].RecordID != m {
			t.Fatalf("backlog: rounds %+v, persons %+v", bl.Rounds, bl.Persons)
		}
		p := bl.Persons[0]
		var answers []string
		for _, ev := range p.Events {
			if ev.Kind == backlog.Answered {
				if ev.At.IsZero() || ev.Answer != exchange.NotHeld {
					t.Errorf("answer %+v", ev)
				}
				answers = append(answers, fmt.Sprintf("%d:%s", ev.Round, ev.Reason))
			}
		}
		if want := []string{"1:no such prisoner (round 1)", "2:no such prisoner (round 2)", "3:no such prisoner (round 3)"}; !slices.Equal(answers, want) {
			t.Errorf("K's answers %q, want %q", answers, want)
		}
		if !slices.Equal(p.Rounds, []int{1, 2, 3}) || len(p.Answers) != 1 || p.Answers[0].N != 3 || p.Released || p.Name != "Ковальчук Олександр" {
			t.Errorf("K: %+v", p)
		}

		// His bureau flags him: wounded, of a named group.
		var one api.BacklogPerson
		e.must("ua-reg", "POST", "/api/v1/backlog/"+k+"/flags", map[string]any{"marks": []string{"wounded"}, "group": "Азовсталь"}, &one, 200)
		if !one.Flags.Has(backlog.Wounded) || one.Flags.Group != "Азовсталь" || len(one.Events) != len(p.Events) {
			t.Errorf("after flagging: %+v", one)
		}
		st, b := e.do("ua-reg", "POST", "/api/v1/backlog/"+k+"/flags", map[string]any{"marks": []string{"vip"}})
		if st != 400 || !strings.Contains(string(b), "marks[0]") {
			t.Errorf("a bad mark: %d %s", st, b)
		}
		for _, who := range []string{"ru-reg", "op"} {
			if st, b := e.do(who, "GET", "/api/v1/backlog/"+k, nil); st != 404 && st != 403 {
				t.Errorf("%s reads UA's backlog of K: %d %s", who, st, b)
			}
			if st, b := e.do(who, "POST", "/api/v1/backlog/"+k+"/flags", map[string]any{"marks": []string{"woman"}}); st != 404 && st != 403 {
				t.Errorf("%s flags K: %d %s", who, st, b)
			}
		}

		// Round 4: K is pre-filled with the reason, in Ukrainian; M, whom
		// RU accepted in round 2, is carried too (he did not come home).
		var carry api.Carry
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/carry?lang=uk", nil, &carry, 200)
		if carry.Round.Number != 4 || len(carry.Items) != 2 || carry.Items[0].Item.RecordID != k {
			t.Fatalf("carry into round 4: %+v", carry)
		}
		if want := "запитано в раундах 1, 2, 3; відповідь «не утримується» ×3"; carry.Items[0].Reason != want || carry.Items[0].Item.Reason != want {
			t.Errorf("K's reason %q, want %q", carry.Items[0].Reason, want)
		}
		e.must("ru-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/carry", nil, &carry, 200)
		if len(carry.Items) != 0 {
			t.Errorf("RU carries UA's persons: %+v", carry.Items)
		}
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/carry?lang=en", nil, &carry, 200)
		if want := "requested in round 2; answered accept ×1"; carry.Items[1].Reason != want {
			t.Errorf("M's reason %q, want %q", carry.Items[1].Reason, want)
		}
		var items []exchange.Item
		for _, c := range carry.Items {
			items = append(items, c.Item)
		}
		e.must("ua-reg", "POST", "/api/v1/exchanges/"+exs[3]+"/lists/request", map[string]any{"items": items, "reason": "carried from rounds 1–3"}, nil, 201)
		var lv sqlstore.ListView
		e.must("ru-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/lists/UA/request", nil, &lv, 200)
		if len(lv.Items) != 2 || lv.Items[0].RecordID != k || lv.Items[0].Reason != "requested in rounds 1, 2, 3; answered not held ×3" {
			t.Errorf("round 4's request list as RU reads it: %+v", lv.Items)
		}
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/carry", nil, &carry, 200)
		if len(carry.Items) != 0 {
			t.Errorf("carried again once listed: %+v", carry.Items)
		}
		e.must("ua-reg", "GET", "/api/v1/backlog/"+k, nil, &one, 200)
		if !slices.Equal(one.Rounds, []int{1, 2, 3, 4}) {
			t.Errorf("K after round 4's request: rounds %v", one.Rounds)
		}
	})
}

// backlogRounds is three rounds of exchanges and a fourth just opened: UA
// requests K (a soldier) in rounds 1, 2 and 3, and RU answers "not held"
// each time; UA requests M (a civilian) in round 2 and RU accepts, but she
// does not come home.
func backlogRounds(t *testing.T, e *env) (k, m string, exs []string) {
	t.Helper()
	var recs struct{ Records []struct{ ID string } }
	e.must("ua-reg", "POST", "/api/v1/records/batch", map[string]any{"records": []any{
		map[string]any{"kind": "sought", "category": "military", "status": "missing", "surname": "Ковальчук", "given_names": "Олександр",
			"birth_date": "1998-05-23", "service_number": "А-123456"},
		map[string]any{"kind": "sought", "category": "civilian", "status": "missing", "surname": "Лисенко", "given_names": "Марія"},
	}}, &recs, 201)
	k, m = recs.Records[0].ID, recs.Records[1].ID
	for r := 1; r <= 4; r++ {
		var ex exchange.Exchange
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": fmt.Sprintf("round %d", r), "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
			"terms": map[string]any{"kind": "numeric", "total": 10, "rules": []any{map[string]any{"id": "mil", "category": "military"}, map[string]any{"id": "civ", "category": "civilian"}}}}, &ex, 201)
		exs = append(exs, ex.ID)
	}
	for r := range 3 {
		items := []any{map[string]any{"record_id": k, "category": "military"}}
		if r == 1 {
			items = append(items, map[string]any{"record_id": m, "category": "civilian"})
		}
		e.must("ua-reg", "POST", "/api/v1/exchanges/"+exs[r]+"/lists/request", map[string]any{"items": items, "reason": "our people"}, nil, 201)
		answers := []any{map[string]any{"record_id": k, "answer": "not_held", "reason": fmt.Sprintf("no such prisoner (round %d)", r+1)}}
		if r == 1 {
			answers = append(answers, map[string]any{"record_id": m, "answer": "accept", "reason": "held in Taganrog"})
		}
		e.must("ru-reg", "POST", "/api/v1/exchanges/"+exs[r]+"/lists/UA/request/answers", map[string]any{"version": 1, "answers": answers}, nil, 201)
	}

	return k, m, exs
}

// TestBacklogPages: UA's bureau, in Ukrainian, reads who has been requested
// most often and never released, one person's three answers, sets his
// priority flags (a bad mark said at the field), and carries the
// unresolved into round 4's request list as one action, with the reasons.
func TestBacklogPages(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		k, _, exs := backlogRounds(t, e)
		reg := e.sessionUK("ua-reg")
		code, body, _ := e.page(reg, "GET", "/backlog", nil)
		wantPage(t, "backlog", code, body, 200, "запити за раундами", "Ковальчук Олександр", "1, 2, 3", "не утримується ×3", `href="/backlog/`+k+`"`)
		if i, j := strings.Index(body, "Ковальчук"), strings.Index(body, "Лисенко"); i < 0 || j < 0 || i > j {
			t.Errorf("the most often requested is not first")
		}
		code, body, _ = e.page(reg, "GET", "/backlog/"+k, nil)
		wantPage(t, "person", code, body, 200, "no such prisoner (round 1)", "no such prisoner (round 2)", "no such prisoner (round 3)", "не утримується", "раундів із запитом: 3")
		if n := strings.Count(body, `class="ev-answered"`); n != 3 {
			t.Errorf("%d answers on the page, want 3", n)
		}

		code, body, _ = e.page(reg, "POST", "/backlog/"+k+"/flags", url.Values{"mark": {"wounded", "vip"}, "group": {"Азовсталь"}})
		wantPage(t, "a bad mark", code, body, 422, `id="e-marks"`, "Немає такої позначки пріоритету: vip")
		code, _, _ = e.page(reg, "POST", "/backlog/"+k+"/flags", url.Values{"mark": {"wounded"}, "group": {"Азовсталь"}})
		if code != 303 {
			t.Fatalf("flags: %d", code)
		}
		code, body, _ = e.page(reg, "GET", "/backlog/"+k, nil)
		wantPage(t, "flagged", code, body, 200, `value="wounded" checked`, `value="Азовсталь"`)
		code, _, _ = e.page(e.sessionUK("ru-reg"), "GET", "/backlog/"+k, nil)
		if code != 404 {
			t.Errorf("RU reads UA's backlog page: %d", code)
		}

		// Round 4's draft: carry the unresolved, then submit.
		draft := "/exchanges/" + exs[3] + "/lists/request"
		code, body, _ = e.page(reg, "POST", draft, url.Values{"op": {"carry"}})
		reason := "запитано в раундах 1, 2, 3; відповідь «не утримується» ×3"
		wantPage(t, "carried", code, body, 200, "Перенесено осіб із попередніх раундів: 2.", k+" "+reason)
		add := between(body, `name="add" rows="4">`, "</textarea>")
		code, body, _ = e.page(reg, "POST", draft, url.Values{"op": {"submit"}, "add": {html.UnescapeString(add)}, "reason": {"нерозв'язані з раундів 1–3"}})
		if code != 303 {
			t.Fatalf("submit the carried draft: %d\n%s", code, body)
		}
		var lv sqlstore.ListView
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+exs[3]+"/lists/UA/request", nil, &lv, 200)
		if len(lv.Items) != 2 || lv.Items[0].RecordID != k || lv.Items[0].Reason != reason {
			t.Errorf("round 4's request: %+v", lv.Items)
		}
	})
}
