package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// TestCrossingAPI runs a small stage through the API: open under the
// signed agreement, an officer's queue recorded once however often it is
// sent, the roles kept apart, the lookup, the printed list, the reports,
// the trace export and the remains.
func TestCrossingAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ua := registerSigner(t, db, "ua-key", "UA")
		ru := registerSigner(t, db, "ru-key", "RU")
		med := registerSigner(t, db, "med-key", "")
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ru-appr", Role: "party_approver", Party: "RU", Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		e.tokens["ru-appr"] = mintToken(t, db, "ru-appr")
		held := map[string][]string{}
		for _, p := range []string{"UA", "RU"} {
			var recs []map[string]any
			for i := range 3 {
				recs = append(recs, map[string]any{"kind": "held", "category": "military", "status": "pow", "surname": fmt.Sprintf("Петренко%s%d", p, i),
					"given_names": "Іван", "birth_date": fmt.Sprintf("199%d-01-02", i), "service_number": fmt.Sprintf("Ж-%s%05d", p, i)})
			}
			var out struct{ Records []struct{ ID string } }
			e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/batch", map[string]any{"records": recs}, &out, 201)
			for _, r := range out.Records {
				held[p] = append(held[p], r.ID)
			}
		}
		var ex exchange.Exchange
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "small", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
			"terms": map[string]any{"kind": "numeric", "total": 2, "rules": []any{map[string]any{"id": "mil", "category": "military"}}}}, &ex, 201)
		for _, p := range []string{"UA", "RU"} {
			var items []any
			for _, id := range held[p] {
				items = append(items, map[string]any{"record_id": id, "category": "military"})
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
		day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
		plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
		for _, p := range []string{"UA", "RU"} {
			plan.Stages[0].Sides = append(plan.Stages[0].Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{"military": 2}, Persons: held[p][:2]})
			plan.Reserve = append(plan.Reserve, exchange.ReserveList{Party: p, Persons: held[p][2:]})
		}
		var ag sqlstore.AgreementStatus
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
		// Not signed yet: no stage.
		if st, b := e.do("op", "POST", "/api/v1/exchanges/"+ex.ID+"/stages", map[string]any{"stage": 1}); st != 409 {
			t.Fatalf("opening before signatures: %d %s", st, b)
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
		e.ruOfficer()
		if v.State != "open" || v.AgreementHash == "" {
			t.Fatalf("opened: %+v", v)
		}
		base := "/api/v1/exchanges/" + ex.ID + "/stages/1"
		released := func(id, side, rec string) map[string]any {
			return map[string]any{"id": id, "type": "released", "at": "2025-05-23T09:00:00Z", "side": side, "record_id": rec}
		}
		received := func(id, side, rec string) map[string]any {
			return map[string]any{"id": id, "type": "received", "at": "2025-05-23T09:01:00Z", "side": side, "record_id": rec,
				"check": map[string]any{"method": "document"}, "health": "good"}
		}
		// UA's officer: what UA releases and what UA receives.
		queue := map[string]any{"events": []any{released("a", "UA", held["UA"][0]), released("b", "UA", held["UA"][1]), received("c", "RU", held["RU"][0])}}
		var res sqlstore.RecordResult
		e.must("ua-officer", "POST", base+"/events", queue, &res, 200)
		if res.Stage.Report.Sides["UA"].Total.HandedOver != 0 {
			t.Fatalf("releases alone counted: %+v", res.Stage.Report.Sides["UA"].Total)
		}
		e.must("ua-officer", "POST", base+"/events", queue, &res, 200)
		for _, r := range res.Results {
			if r.Status != "duplicate" {
				t.Fatalf("resent queue: %+v", res.Results)
			}
		}
		// RU's officer may not record UA's half; the observer is an account.
		e.must("ru-officer", "POST", base+"/events", map[string]any{"events": []any{released("f1", "UA", held["UA"][1]),
			map[string]any{"id": "f2", "type": "refused", "side": "RU", "record_id": held["RU"][1], "observer": "fake-observer"}}}, &res, 200)
		if res.Results[0].Kind != "forbidden" || res.Results[1].Kind != "invalid" {
			t.Fatalf("RU records UA's release; a free-text observer: %+v", res.Results)
		}
		// Roles: the operator moves stages, officers record handovers.
		if st, _ := e.do("op", "POST", base+"/events", queue); st != 403 {
			t.Errorf("operator recording handovers: %d", st)
		}
		closing := map[string]any{"events": []any{map[string]any{"id": "x", "type": "stage_closing", "at": "2025-05-23T12:00:00Z"}}}
		if st, _ := e.do("ua-officer", "POST", base+"/transitions", closing); st != 403 {
			t.Errorf("officer moving the stage: %d", st)
		}
		if st, _ := e.do("op", "POST", base+"/transitions", queue); st != 400 {
			t.Errorf("handovers sent as transitions: %d", st)
		}
		var hits struct{ Persons []sqlstore.LookupHit }
		e.must("med-officer", "GET", base+"/lookup?q=%D0%96-RU00001", nil, &hits, 200)
		if len(hits.Persons) != 1 || hits.Persons[0].RecordID != held["RU"][1] || hits.Persons[0].Outcome != crossing.OutcomeOutstanding {
			t.Fatalf("lookup: %+v", hits.Persons)
		}
		e.must("med-officer", "GET", base+"/lookup?q=%D0%96-UA00000", nil, &hits, 200)
		if len(hits.Persons) != 1 || hits.Persons[0].Status.Release.Type != crossing.Released || hits.Persons[0].Status.Disagreement != crossing.ReleaseWithoutReceipt {
			t.Fatalf("lookup of a person released, not yet received: %+v", hits.Persons)
		}
		e.must("ru-officer-missing", "GET", base, nil, nil, 401)
		e.must("ru-officer", "POST", base+"/events", map[string]any{"events": []any{released("d", "RU", held["RU"][0]), released("e", "RU", held["RU"][1]),
			received("g", "UA", held["UA"][0]), received("h", "UA", held["UA"][1])}}, &res, 200)
		e.must("ua-officer", "POST", base+"/events", map[string]any{"events": []any{received("i", "RU", held["RU"][1])}}, &res, 200)
		e.must("op", "POST", base+"/transitions", map[string]any{"events": []any{
			map[string]any{"id": "x", "type": "stage_closing", "at": "2025-05-23T12:00:00Z"},
			map[string]any{"id": "y", "type": "stage_closed", "at": "2025-05-23T12:01:00Z"}}}, &res, 200)
		if res.Stage.State != "closed" || !res.Stage.Summary.Parity {
			t.Fatalf("closed: %s %+v", res.Stage.State, res.Stage.Summary)
		}
		st, pdf := e.do("ru-reg", "GET", base+"/lists/RU?format=pdf", nil)
		if st != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("printed list: %d %.40s", st, pdf)
		}
		st, xlsx := e.do("aud", "GET", "/api/v1/exchanges/"+ex.ID+"/report?format=xlsx", nil)
		if st != 200 || !strings.HasPrefix(string(xlsx), "PK") {
			t.Fatalf("xlsx report: %d", st)
		}
		if st, b := e.do("aud", "GET", "/api/v1/exchanges/"+ex.ID+"/report?stage=1&format=xlsx", nil); st != 200 || !strings.HasPrefix(string(b), "PK") {
			t.Fatalf("per-stage xlsx report: %d", st)
		}
		var rep struct {
			Total map[string]crossing.Counts `json:"total"`
		}
		e.must("ua-appr", "GET", "/api/v1/exchanges/"+ex.ID+"/report", nil, &rep, 200)
		if rep.Total["UA"].HandedOver != 2 || rep.Total["RU"].HandedOver != 2 {
			t.Fatalf("report totals: %+v", rep.Total)
		}
		st, csv := e.do("ua-reg", "GET", "/api/v1/trace/changes?since=2020-01-01&format=csv", nil)
		if st != 200 || !strings.HasPrefix(string(csv), "record_id,name,status,at,exchange,stage") {
			t.Fatalf("trace changes: %d %s", st, csv)
		}
		var rv sqlstore.RemainsView
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/remains", map[string]any{"kind": "batch",
			"batch": map[string]any{"id": "b1", "sender": "RU", "receiver": "UA", "at": "2025-05-24T10:00:00Z", "declared": 10}}, &rv, 201)
		b, _ := json.Marshal(rv.Summary)
		if !strings.Contains(string(b), `"declared":10`) {
			t.Fatalf("remains summary: %s", b)
		}
	})
}

// BenchmarkHandoverAPI is BenchmarkHandoverCrossings (internal/sqlstore)
// through HTTP: 4 crossings, each its own stage, each with two officers'
// laptops posting one handover event per request with their tokens: UA's
// release of a person, then RU's receipt. With
// HANDOVER_BENCH_RATE (events per second over the four) the laptops are
// paced; otherwise they post as fast as they can.
//
//	HANDOVER_BENCH_RATE=200 go test -run '^$' -bench HandoverAPI -benchtime 4000x ./internal/web/
func BenchmarkHandoverAPI(b *testing.B) {
	const crossings, perSide = 4, 1000
	ctx := context.Background()
	db := sqltest.Open(b, "sqlite")
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
	scope := map[string]access.Scope{}
	tokens := map[string]string{}
	for _, u := range []struct {
		login, party string
		role         access.Role
	}{{"ua-reg", "UA", access.PartyRegistrar}, {"ru-reg", "RU", access.PartyRegistrar}, {"ua-appr", "UA", access.PartyApprover},
		{"ru-appr", "RU", access.PartyApprover}, {"op", "", access.MediatorOperator}, {"admin", "", access.MediatorAdmin},
		{"ua-officer", "UA", access.CheckpointOfficer}, {"ru-officer", "RU", access.CheckpointOfficer}} {
		usr, err := db.CreateUser(ctx, sqlstore.NewUser{Login: u.login, Role: u.role, Party: u.party, Password: "a long enough password", Argon2: cheap})
		if err != nil {
			b.Fatal(err)
		}
		usr.MFA = true
		scope[u.login] = usr.Scope()
		tokens[u.login] = mintToken(b, db, u.login)
	}
	held := map[string][]string{}
	for _, p := range []string{"UA", "RU"} {
		var nrs []sqlstore.NewRecord
		for i := range crossings * perSide {
			nrs = append(nrs, sqlstore.NewRecord{Party: p, Fields: person.Fields{Kind: person.Held, Category: person.Military, Status: person.StatusPOW,
				Surname: fmt.Sprintf("Особа%d", i), BirthDate: person.Date{Year: 1980 + i%20}}})
		}
		recs, err := db.CreateRecords(ctx, scope[strings.ToLower(p)+"-reg"], nrs)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			held[p] = append(held[p], r.ID)
		}
	}
	ex, err := db.OpenExchange(ctx, scope["op"], exchange.Exchange{Name: "bench", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: crossings * perSide, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"UA", "RU"} {
		var items []exchange.Item
		for _, id := range held[p] {
			items = append(items, exchange.Item{RecordID: id, Category: person.Military})
		}
		if _, err := db.SubmitList(ctx, scope[strings.ToLower(p)+"-reg"], ex.ID, exchange.Offer, items, nil, "offer"); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []exchange.Response
		for _, id := range held[other] {
			answers = append(answers, exchange.Response{RecordID: id, Answer: exchange.Accept, Reason: "ok"})
		}
		if _, err := db.Respond(ctx, scope[strings.ToLower(p)+"-reg"], ex.ID, other, exchange.Offer, 1, answers); err != nil {
			b.Fatal(err)
		}
	}
	var plan exchange.StagePlan
	day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
	for k := range crossings {
		st := exchange.Stage{Number: k + 1, Start: day, End: day.Add(12 * time.Hour), Crossing: "border"}
		for _, p := range []string{"UA", "RU"} {
			st.Sides = append(st.Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{person.Military: perSide}, Persons: held[p][k*perSide : (k+1)*perSide]})
		}
		plan.Stages = append(plan.Stages, st)
	}
	sk, _, _ := audit.GenerateKey("handover.test/log")
	signer, _ := sqlstore.NewSigner(sk)
	ag, err := db.FreezeAgreement(ctx, scope["op"], signer, ex.ID, plan)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []struct{ party, login string }{{"UA", "ua-appr"}, {"RU", "ru-appr"}, {"", "op"}} {
		ssk, _, _ := audit.GenerateKey("bench-" + k.login)
		sqltest.ActivateKey(b, db, ssk, k.party, sqlstore.KeySigner)
		ns, _ := note.NewSigner(ssk)
		line, _ := exchange.Sign([]byte(ag.Document), ns)
		if ag, err = db.SignAgreement(ctx, scope[k.login], ex.ID, ag.Version, line); err != nil {
			b.Fatal(err)
		}
	}
	for k := 1; k <= crossings; k++ {
		if _, err := db.OpenStage(ctx, scope["op"], ex.ID, k); err != nil {
			b.Fatal(err)
		}
	}
	ts := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Signer: signer}).Handler())
	defer ts.Close()
	if b.N > crossings*2*perSide {
		b.Skipf("b.N %d is more than the persons of the stages", b.N)
	}
	rate, _ := strconv.ParseFloat(os.Getenv("HANDOVER_BENCH_RATE"), 64)
	lat := make([][]time.Duration, crossings)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for k := range crossings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{}
			n := b.N / crossings
			if k < b.N%crossings {
				n++
			}
			var tick *time.Ticker
			if rate > 0 {
				tick = time.NewTicker(time.Duration(float64(time.Second) * crossings / rate))
				defer tick.Stop()
			}
			for i := range n {
				// UA's officer releases a person, RU's receives them.
				officer, ev := "ua-officer", map[string]any{"id": fmt.Sprintf("b%d-%d", k, i), "type": "released", "at": "2025-05-23T09:00:00Z",
					"side": "UA", "record_id": held["UA"][k*perSide+i/2]}
				if i%2 == 1 {
					officer = "ru-officer"
					ev["type"], ev["check"], ev["health"] = "received", map[string]any{"method": "document"}, "good"
				}
				body, _ := json.Marshal(map[string]any{"events": []any{ev}})
				if tick != nil {
					<-tick.C
				}
				t0 := time.Now()
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/exchanges/%s/stages/%d/events", ts.URL, ex.ID, k+1), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokens[officer])
				resp, err := hc.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("event %d at crossing %d: %d", i, k, resp.StatusCode)
					return
				}
				lat[k] = append(lat[k], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	sqltest.ReportLatencies(b, "events", lat, elapsed)
}
