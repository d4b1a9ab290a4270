package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestJune2API runs the terms of 2 June 2025 end to end through the API:
// "all seriously wounded and sick" and "all soldiers aged 18–25", both all
// for all (GC III Arts. 109–110). A seriously wounded prisoner of war aged
// 22 falls under both rules (a wound does not change his status, Art. 4):
// he is eligible without a commission decision, he is the one outstanding
// person while he is not offered, and once offered he is counted once —
// neither left out nor counted under both.
func TestJune2API(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		type rec struct{ key, category, born string }
		mk := func(login, party string, rs []rec) map[string]string {
			var recs []map[string]any
			for i, r := range rs {
				recs = append(recs, map[string]any{"kind": "held", "category": r.category, "status": "pow", "surname": "Червень" + r.key,
					"given_names": "Петро", "birth_date": r.born, "service_number": "Ч-" + party + string(rune('0'+i))})
			}
			var out struct{ Records []struct{ ID string } }
			e.must(login, "POST", "/api/v1/records/batch", map[string]any{"records": recs}, &out, 201)
			ids := map[string]string{}
			for i, r := range out.Records {
				ids[rs[i].key] = r.ID
			}
			return ids
		}
		// UA holds a wounded soldier of 22 (no commission yet), a soldier
		// of 40 the commission found for repatriation (decision A), a
		// soldier of 20, and a soldier of 40 no rule covers.
		ua := mk("ua-reg", "UA", []rec{{"W22", "seriously_wounded_sick", "2003-01-10"}, {"S40", "military", "1985-01-10"}, {"Y20", "military", "2005-03-01"}, {"O40", "military", "1985-02-01"}})
		e.must("ua-reg", "POST", "/api/v1/records/"+ua["S40"]+"/evidence", map[string]any{"commission": map[string]any{"decision": "A", "tier": 1}}, nil, 204)
		ru := mk("ru-reg", "RU", []rec{{"Y23", "military", "2002-04-04"}})

		var ex exchange.Exchange
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "2 June 2025", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
			"terms": map[string]any{"kind": "category", "reference": "2025-06-02T00:00:00Z", "rules": []any{
				map[string]any{"id": "swk", "category": "seriously_wounded_sick", "all_for_all": true},
				map[string]any{"id": "young", "category": "military", "all_for_all": true, "min_age": 18, "max_age": 25},
			}}}, &ex, 201)
		offer := func(login string, ids []string, cats map[string]string, removed []any) {
			var items []any
			for _, id := range ids {
				items = append(items, map[string]any{"record_id": id, "category": cats[id]})
			}
			e.must(login, "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": items, "removed": removed, "reason": "offer"}, nil, 201)
		}
		cat := map[string]string{ua["W22"]: "seriously_wounded_sick", ua["S40"]: "military", ua["Y20"]: "military", ua["O40"]: "military", ru["Y23"]: "military"}
		offer("ua-reg", []string{ua["S40"], ua["Y20"], ua["O40"]}, cat, nil)
		offer("ru-reg", []string{ru["Y23"]}, cat, nil)
		e.must("ua-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/RU/offer/answers", map[string]any{"version": 1, "answers": []any{
			map[string]any{"record_id": ru["Y23"], "answer": "accept", "reason": "ok"}}}, nil, 201)

		side := func(v exchange.View, party string) exchange.SideView {
			for _, s := range v.Sides {
				if s.Party == party {
					return s
				}
			}
			t.Fatalf("no side %s in %+v", party, v.Sides)
			return exchange.SideView{}
		}
		// The wounded 22-year-old is left out: outstanding once, under the
		// wounded rule; the soldier of 40 without a decision violates the
		// terms.
		var v exchange.View
		e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &v, 200)
		s := side(v, "UA")
		if len(s.Total.Outstanding) != 1 || s.Total.Outstanding[0] != ua["W22"] || s.Total.Violations != 1 || v.Ready {
			t.Fatalf("UA before: outstanding %v violations %d ready %v", s.Total.Outstanding, s.Total.Violations, v.Ready)
		}
		all := 0
		for _, sh := range v.Shortfalls {
			if sh.Party == "UA" && sh.Need == exchange.NeedAll {
				all += sh.N
				if sh.Category != person.SeriouslyWoundedSick {
					t.Errorf("the wounded soldier is outstanding under %s, want seriously_wounded_sick", sh.Category)
				}
			}
		}
		if all != 1 {
			t.Errorf("UA's all-for-all shortfalls count %d persons, want 1: %+v", all, v.Shortfalls)
		}
		var o40 *exchange.Blocking
		for i, b := range v.Blocking {
			if b.RecordID == ua["O40"] {
				o40 = &v.Blocking[i]
			}
			if b.RecordID == ua["W22"] || b.RecordID == ua["S40"] || b.RecordID == ua["Y20"] {
				if b.Why == exchange.BlockIneligible {
					t.Errorf("%+v is eligible under a rule that covers him", b)
				}
			}
		}
		if o40 == nil || o40.Why != exchange.BlockIneligible && o40.Why != exchange.BlockUnanswered {
			t.Errorf("the soldier of 40 without a decision: %+v", o40)
		}

		// UA offers the wounded soldier and strikes the one no rule covers;
		// RU accepts all three.
		offer("ua-reg", []string{ua["S40"], ua["Y20"], ua["W22"]}, cat, []any{map[string]any{"record_id": ua["O40"], "reason": "no rule of the terms covers him"}})
		e.must("ru-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/UA/offer/answers", map[string]any{"version": 2, "answers": []any{
			map[string]any{"record_id": ua["S40"], "answer": "accept", "reason": "ok"},
			map[string]any{"record_id": ua["Y20"], "answer": "accept", "reason": "ok"},
			map[string]any{"record_id": ua["W22"], "answer": "accept", "reason": "ok"}}}, nil, 201)
		v = exchange.View{} // a fresh value: omitted fields must not keep the first view's
		e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &v, 200)
		s = side(v, "UA")
		counts := map[person.Category]int{}
		for _, c := range s.Categories {
			counts[c.Category] = c.Accepted
		}
		if !v.Ready || s.Total.Accepted != 3 || counts[person.SeriouslyWoundedSick] != 1 || counts[person.Military] != 2 || len(s.Total.Outstanding) != 0 || s.Total.Violations != 0 {
			t.Fatalf("UA after: ready %v (blocking %+v, shortfalls %+v), accepted %d %v, outstanding %v, violations %d",
				v.Ready, v.Blocking, v.Shortfalls, s.Total.Accepted, counts, s.Total.Outstanding, s.Total.Violations)
		}

		// The agreement lists him once.
		day := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
		plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border", Sides: []exchange.StageSide{
			{Party: "UA", Planned: exchange.Counts{"military": 2, "seriously_wounded_sick": 1}, Persons: []string{ua["S40"], ua["Y20"], ua["W22"]}},
			{Party: "RU", Planned: exchange.Counts{"military": 1}, Persons: []string{ru["Y23"]}},
		}}}}
		var ag sqlstore.AgreementStatus
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
		if n := strings.Count(ag.Document, ua["W22"]); n != 1 {
			t.Errorf("the wounded soldier is in the agreement %d times, want once", n)
		}
	})
}
