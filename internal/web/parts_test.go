package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/report"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestApril19API runs the exchange of 19 April 2025 end to end through the
// API: 246 prisoners for 246 with parity, and the seriously wounded each
// side holds, 31 and 15, returned regardless of number (GC III Art.
// 109(1)), in one exchange and one stage; the stage, its summary and the
// report show each part's parity.
func TestApril19API(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ua := registerSigner(t, db, "ua-key", "UA")
		ru := registerSigner(t, db, "ru-key", "RU")
		med := registerSigner(t, db, "med-key", "")
		e.addUser("ru-appr", access.PartyApprover, "RU")
		wounded := map[string]int{"UA": 31, "RU": 15}
		held := map[string][]string{}
		cat := map[string]string{}
		for _, p := range []string{"UA", "RU"} {
			var recs []map[string]any
			for i := range 246 + wounded[p] {
				c := "military"
				if i >= 246 {
					c = "seriously_wounded_sick"
				}
				recs = append(recs, map[string]any{"kind": "held", "category": c, "status": "pow", "surname": fmt.Sprintf("Петренко%s%d", p, i),
					"given_names": "Іван", "birth_date": fmt.Sprintf("19%02d-01-02", 60+i%40), "service_number": fmt.Sprintf("Ж-%s%05d", p, i)})
			}
			var out struct {
				Records []struct{ ID, Category string }
			}
			e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/batch", map[string]any{"records": recs}, &out, 201)
			for _, r := range out.Records {
				held[p] = append(held[p], r.ID)
				cat[r.ID] = r.Category
				if r.Category == "seriously_wounded_sick" {
					e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/"+r.ID+"/evidence",
						map[string]any{"commission": map[string]any{"decision": "A", "tier": 1}}, nil, 204)
				}
			}
		}
		var ex exchange.Exchange
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "UAE mediation 14, 19 April 2025", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
			"terms": map[string]any{"kind": "parts", "parts": []any{
				map[string]any{"id": "pow", "kind": "numeric", "total": 246, "rules": []any{map[string]any{"id": "mil", "category": "military"}}},
				map[string]any{"id": "wounded", "kind": "category", "rules": []any{map[string]any{"id": "sws", "category": "seriously_wounded_sick", "all_for_all": true}}},
			}}}, &ex, 201)
		if ex.Terms.Kind != exchange.PartsTerms || len(ex.Terms.Parts) != 2 {
			t.Fatalf("terms as stored: %+v", ex.Terms)
		}
		for _, p := range []string{"UA", "RU"} {
			var items []any
			for _, id := range held[p] {
				items = append(items, map[string]any{"record_id": id, "category": cat[id]})
			}
			e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": items, "reason": "offer"}, nil, 201)
		}
		for _, p := range []string{"UA", "RU"} {
			other := map[string]string{"UA": "RU", "RU": "UA"}[p]
			var answers []any
			for _, id := range held[other] {
				answers = append(answers, map[string]any{"record_id": id, "answer": "accept", "reason": "ok"})
			}
			e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/"+other+"/offer/answers", map[string]any{"version": 1, "answers": answers}, nil, 201)
		}
		var view exchange.View
		e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &view, 200)
		if !view.Ready {
			t.Fatalf("view not ready: blocking %d, shortfalls %v", len(view.Blocking), view.Shortfalls)
		}
		// The freeze page offers both parts' categories.
		code, body, _ := e.page(e.session("op"), "GET", "/exchanges/"+ex.ID+"/freeze", nil)
		wantPage(t, "agreement page", code, body, 200, "seriously_wounded_sick")
		day := time.Date(2025, 4, 19, 8, 0, 0, 0, time.UTC)
		plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
		for _, p := range []string{"UA", "RU"} {
			plan.Stages[0].Sides = append(plan.Stages[0].Sides, exchange.StageSide{Party: p,
				Planned: exchange.Counts{"military": 246, "seriously_wounded_sick": wounded[p]}, Persons: held[p]})
		}
		var ag sqlstore.AgreementStatus
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
		if !strings.HasPrefix(ag.Document, exchange.DocumentHeaderParts+"\n") || !strings.Contains(ag.Document, "\npart wounded category\n") {
			t.Fatalf("agreement document:\n%.600s", ag.Document)
		}
		for _, s := range []struct {
			login string
			k     note.Signer
		}{{"ua-appr", ua}, {"ru-appr", ru}, {"op", med}} {
			line, err := exchange.Sign([]byte(ag.Document), s.k)
			if err != nil {
				t.Fatal(err)
			}
			e.must(s.login, "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": line}, nil, 201)
		}
		var v sqlstore.StageView
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/stages", map[string]any{"stage": 1}, &v, 201)
		if len(v.Rule.Parts) != 2 || v.Rule.Parts[1].Kind != crossing.AllForAll {
			t.Fatalf("stage rule: %+v", v.Rule)
		}
		e.ruOfficer()
		base := "/api/v1/exchanges/" + ex.ID + "/stages/1"
		n := 0
		hand := func(side string, ids []string) {
			recv := map[string]string{"UA": "ru-officer", "RU": "ua-officer"}[side]
			var rel, rec []any
			for _, id := range ids {
				n++
				rel = append(rel, map[string]any{"id": fmt.Sprintf("rel-%d", n), "type": "released", "at": "2025-04-19T09:00:00Z", "side": side, "record_id": id})
				rec = append(rec, map[string]any{"id": fmt.Sprintf("rec-%d", n), "type": "received", "at": "2025-04-19T09:01:00Z", "side": side, "record_id": id,
					"check": map[string]any{"method": "document"}, "health": "good"})
			}
			e.must(strings.ToLower(side)+"-officer", "POST", base+"/events", map[string]any{"events": rel}, nil, 200)
			e.must(recv, "POST", base+"/events", map[string]any{"events": rec}, nil, 200)
		}
		hand("UA", held["UA"])
		hand("RU", held["RU"][1:])
		var st sqlstore.StageView
		e.must("op", "GET", base, nil, &st, 200)
		parts := map[string]crossing.PartReport{}
		for _, p := range st.Report.Parts {
			parts[p.ID] = p
		}
		if st.Report.Parity || parts["pow"].Parity || !parts["wounded"].Parity {
			t.Fatalf("one RU soldier outstanding: parity %v, parts %+v", st.Report.Parity, st.Report.Parts)
		}
		// The stage page shows each part's parity, in the officer's language.
		code, body, _ = e.page(e.sessionUK("ua-officer"), "GET", "/exchanges/"+ex.ID+"/stages/1", nil)
		wantPage(t, "stage page", code, body, 200, `id="part-pow"`, "Частина pow, N на N:", "Частина wounded, усіх на всіх, незалежно від кількості (ст. 109(1) III Женевської конвенції):")
		if part := between(body, `id="part-wounded"`, "</li>"); !strings.Contains(part, "дотримано") {
			t.Errorf("the wounded part's parity on the page: %q", part)
		}
		hand("RU", held["RU"][:1])
		var res sqlstore.RecordResult
		e.must("op", "POST", base+"/transitions", map[string]any{"events": []any{
			map[string]any{"id": "x", "type": "stage_closing", "at": "2025-04-19T12:00:00Z"},
			map[string]any{"id": "y", "type": "stage_closed", "at": "2025-04-19T12:01:00Z"}}}, &res, 200)
		if res.Stage.State != "closed" || !res.Stage.Summary.Parity || len(res.Stage.Summary.Parts) != 2 {
			t.Fatalf("closed: %s %+v", res.Stage.State, res.Stage.Summary)
		}
		for _, p := range res.Stage.Summary.Parts {
			want := map[string][2]int{"pow": {246, 246}, "wounded": {31, 15}}[p.ID]
			if !p.Parity || p.HandedOver["UA"] != want[0] || p.HandedOver["RU"] != want[1] {
				t.Errorf("part %s: %+v, want UA %d RU %d with parity", p.ID, p, want[0], want[1])
			}
		}
		var rep report.Exchange
		e.must("aud", "GET", "/api/v1/exchanges/"+ex.ID+"/report", nil, &rep, 200)
		if len(rep.Parts) != 2 || rep.Parts[0].ID != "pow" || rep.Parts[0].Rule != "n_for_n" || rep.Parts[1].Rule != "all_for_all" ||
			rep.Parts[1].Sides["UA"].HandedOver != 31 || rep.Parts[1].Sides["RU"].HandedOver != 15 || !rep.Parts[0].Parity {
			t.Fatalf("report parts: %+v", rep.Parts)
		}
	})
}
