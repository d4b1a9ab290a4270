package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestWithholdAndInterviewAPI is issue 20's "detrimental" and interview
// requirements through the API, on both databases: RU's registrar may
// withhold a detained civilian's record (GC IV Art. 137(2)) but not a
// prisoner of war's, on whatever basis (GC III Art. 122(3)); the neutral's
// interview records a refusal, which keeps him off RU's offer and out of
// the agreement (interview_refused) until a newer interview in which he
// wishes to return and asks that his information be withheld: then his
// record is withheld at his own request, the offer and the agreement go
// through. The parties read the outcome and "verified by ICRC on …", never
// the interviewer's name or notes; only the mediator's operator records.
func TestWithholdAndInterviewAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		pow := heldBodies("RU", 1)[0]
		pow["surname"] = "Полонений"
		for basis, code := range map[string]string{"gc4_art137_2": "detrimental_pow", "own_request": "detrimental_own_request", "": "detrimental_pow"} {
			b := map[string]any{}
			for k, v := range pow {
				b[k] = v
			}
			b["party"], b["detrimental"], b["detrimental_basis"], b["detrimental_reason"] = "RU", true, basis, "the bureau's wish"
			if st, body := e.do("ru-reg", "POST", "/api/v1/records", b); st != 400 || !strings.Contains(string(body), `"code":"`+code+`"`) {
				t.Errorf("RU's registrar withholds a prisoner of war on basis %q: %d %s, want 400 %s", basis, st, body, code)
			}
		}
		civ := heldBodies("RU", 1)[0]
		civ["party"], civ["surname"], civ["category"], civ["status"] = "RU", "Цивільна", "civilian", "detained_civilian"
		civ["detrimental"], civ["detrimental_basis"], civ["detrimental_reason"] = true, "gc4_art137_2", "the family would be in danger"
		var crec struct {
			ID               string
			Detrimental      bool   `json:"detrimental"`
			DetrimentalBasis string `json:"detrimental_basis"`
		}
		e.must("ru-reg", "POST", "/api/v1/records", civ, &crec, 201)
		if !crec.Detrimental || crec.DetrimentalBasis != "gc4_art137_2" {
			t.Errorf("the civilian as stored: %+v", crec)
		}

		// An exchange in which each side offers two soldiers, all accepted.
		exID, held, offer := interviewExchange(t, e)
		ex := exchange.Exchange{ID: exID}
		day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
		plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
		for _, p := range []string{"UA", "RU"} {
			plan.Stages[0].Sides = append(plan.Stages[0].Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{"military": 2}, Persons: held[p]})
		}
		freeze := func() (int, []byte) {
			return e.do("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan})
		}

		target := held["RU"][0]
		at := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
		iv := map[string]any{"record_id": target, "at": at.Format(time.RFC3339), "place": "колонія №1", "interviewer": "J. Delegate",
			"organisation": "ICRC", "outcome": "refuses", "notes": "НОТАТКА-ДЕЛЕГАТА: боїться"}
		for _, who := range []string{"ru-reg", "ru-appr", "ua-reg"} {
			if st, b := e.do(who, "POST", "/api/v1/exchanges/"+ex.ID+"/interviews", iv); st != 403 {
				t.Errorf("%s records an interview: %d %s", who, st, b)
			}
		}
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/interviews", iv, nil, 201)

		type entry struct {
			RecordID string `json:"record_id"`
			Latest   *struct {
				Outcome    string    `json:"outcome"`
				VerifiedBy string    `json:"verified_by"`
				VerifiedAt time.Time `json:"verified_at"`
			} `json:"latest"`
		}
		seenBy := func(who string) (map[string]entry, string) {
			st, b := e.do(who, "GET", "/api/v1/exchanges/"+ex.ID+"/interviews", nil)
			if st != 200 {
				t.Fatalf("%s reads the interviews: %d %s", who, st, b)
			}
			var out struct{ Persons []entry }
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			m := map[string]entry{}
			for _, p := range out.Persons {
				m[p.RecordID] = p
			}
			return m, string(b)
		}
		for _, who := range []string{"ua-reg", "ru-reg", "ru-appr", "op"} {
			m, raw := seenBy(who)
			got := m[target].Latest
			if got == nil || got.Outcome != "refuses" || got.VerifiedBy != "ICRC" || !got.VerifiedAt.Equal(at) {
				t.Errorf("%s sees %+v", who, m[target])
			}
			if full := who == "op"; strings.Contains(raw, "НОТАТКА-ДЕЛЕГАТА") != full || strings.Contains(raw, "J. Delegate") != full {
				t.Errorf("%s: the interviewer's notes and name shown: %v, want %v", who, !full, full)
			}
		}

		// The gate: no offer, no agreement with him.
		if st, b := offer("RU"); st != 409 || !strings.Contains(string(b), "interview_refused") {
			t.Errorf("RU offers the person who refused: %d %s", st, b)
		}
		if st, b := freeze(); st != 409 || !strings.Contains(string(b), "interview_refused") {
			t.Errorf("the agreement with the person who refused: %d %s", st, b)
		}
		// A newer interview: he wishes to return, and asks that his
		// information be withheld from his own side.
		iv["outcome"], iv["at"], iv["withhold"], iv["withhold_reason"] = "wishes_return", at.Add(time.Hour).Format(time.RFC3339), true, "fears for his family"
		var stored exchange.Interview
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/interviews", iv, &stored, 201)
		var rec struct {
			Detrimental       bool   `json:"detrimental"`
			DetrimentalBasis  string `json:"detrimental_basis"`
			DetrimentalReason string `json:"detrimental_reason"`
			Provenance        struct {
				Source    string `json:"source"`
				SourceRef string `json:"source_ref"`
			} `json:"provenance"`
		}
		e.must("ru-reg", "GET", "/api/v1/records/"+target, nil, &rec, 200)
		if !rec.Detrimental || rec.DetrimentalBasis != "own_request" || rec.DetrimentalReason != "fears for his family" ||
			rec.Provenance.Source != "interview" || rec.Provenance.SourceRef != "interview:"+stored.ID {
			t.Errorf("his record after the interview: %+v", rec)
		}
		if m, _ := seenBy("ua-reg"); m[target].RecordID != "" {
			t.Errorf("UA still sees the person withheld at his request: %+v", m[target])
		}
		if m, _ := seenBy("ru-reg"); m[target].Latest == nil || m[target].Latest.Outcome != "wishes_return" {
			t.Errorf("RU sees %+v after the newer interview", m[target])
		}
		if st, b := offer("RU"); st != 201 {
			t.Errorf("RU's offer after the newer interview: %d %s", st, b)
		}
		if st, b := freeze(); st != 201 {
			t.Errorf("the agreement after the newer interview: %d %s", st, b)
		}
	})
}

// interviewExchange opens an exchange in which each side offers two
// soldiers, all accepted; offer submits a party's offer of them again.
func interviewExchange(t *testing.T, e *env) (string, map[string][]string, func(p string) (int, []byte)) {
	t.Helper()
	e.addUser("ru-appr", "party_approver", "RU")
	held := map[string][]string{}
	for _, p := range []string{"UA", "RU"} {
		var out struct{ Records []struct{ ID string } }
		e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/batch", map[string]any{"records": heldBodies(p, 2)}, &out, 201)
		for _, r := range out.Records {
			held[p] = append(held[p], r.ID)
		}
	}
	var ex exchange.Exchange
	e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "interviews", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
		"terms": map[string]any{"kind": "numeric", "total": 2, "rules": []any{map[string]any{"id": "mil", "category": "military"}}}}, &ex, 201)
	offer := func(p string) (int, []byte) {
		var items []any
		for _, id := range held[p] {
			items = append(items, map[string]any{"record_id": id, "category": "military"})
		}
		return e.do(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": items, "reason": "offer"})
	}
	for _, p := range []string{"UA", "RU"} {
		if st, b := offer(p); st != 201 {
			t.Fatalf("%s's offer: %d %s", p, st, b)
		}
	}
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []any
		for _, id := range held[other] {
			answers = append(answers, map[string]any{"record_id": id, "answer": "accept", "reason": "ok"})
		}
		e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/"+other+"/offer/answers", map[string]any{"version": 1, "answers": answers}, nil, 201)
	}
	return ex.ID, held, offer
}

// TestImportWithholdAPI: a sheet that flags a prisoner of war "do not
// transmit" is refused at his row, whatever the basis column says (GC III
// Art. 122(3); his own request comes only from the neutral's interview),
// and nothing is stored; the same flag on a civilian's row (GC IV
// Art. 137(2)) imports, with its basis and reason.
func TestImportWithholdAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		const head = "Прізвище;Ім'я;Дата народження;Категорія;Не передавати;Підстава неповідомлення;Причина неповідомлення\r\n"
		const civilian = "Цивільна;Олена;05.1975;цивільний;так;ЖК IV ст. 137(2);родина під загрозою\r\n"
		bad := []byte(head + "Солдат;Іван;05.1998;військовий;так;ЖК IV ст. 137(2);родина під загрозою\r\n" + civilian +
			"Полонений;Петро;03.1990;військовий;так;на власне прохання;просив\r\n")
		st, b := e.upload("ru-reg", importForm("RU", "held"), "flags.csv", bad)
		var eb apiError
		if err := json.Unmarshal(b, &eb); err != nil || st != 400 || len(eb.Error.Fields) != 2 {
			t.Fatalf("the flagged soldiers: %d %s", st, b)
		}
		for i, want := range []struct{ where, field, says string }{
			{"row 2, column E (Не передавати)", "detrimental", "a prisoner of war's information is transmitted to his state (GC III Art. 122(3))"},
			{"row 4, column F (Підстава неповідомлення)", "detrimental_basis", "only through the neutral's recorded interview"},
		} {
			if f := eb.Error.Fields[i]; !strings.HasSuffix(f.Where, want.where) || f.Field != want.field || !strings.Contains(f.Message, want.says) {
				t.Errorf("problem %d: %+v, want %q at %s", i, f, want.says, want.where)
			}
		}
		if n := countRecords(t, e, "ru-reg", "party=RU"); n != 0 {
			t.Fatalf("a refused import stored %d records", n)
		}
		st, b = e.upload("ru-reg", importForm("RU", "held"), "civilian.csv", []byte(head+civilian))
		if st != 200 {
			t.Fatalf("the flagged civilian: %d %s", st, b)
		}
		_, b = e.do("ru-reg", "GET", "/api/v1/records?party=RU", nil)
		if !strings.Contains(string(b), `"detrimental":true,"detrimental_basis":"gc4_art137_2","detrimental_reason":"родина під загрозою"`) {
			t.Errorf("the civilian as imported: %s", b)
		}
	})
}

// TestInterviewOnPages: the neutral's interview shows on the exchange page
// beside the person's answer and on the interviews page, to either party:
// the outcome and "verified by … on …", never the notes or the
// interviewer; a party's registrar gets no form to record one.
func TestInterviewOnPages(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	exID, held, _ := interviewExchange(t, e)
	e.must("op", "POST", "/api/v1/exchanges/"+exID+"/interviews", map[string]any{"record_id": held["RU"][0], "at": "2026-01-05T10:30:00Z",
		"place": "колонія №1", "interviewer": "J. Delegate", "organisation": "ICRC", "outcome": "refuses", "notes": "НОТАТКА-ДЕЛЕГАТА"}, nil, 201)
	for _, who := range []string{"ua-reg", "ru-reg"} {
		for _, path := range []string{"/exchanges/" + exID, "/exchanges/" + exID + "/interviews"} {
			st, body, _ := e.page(e.session(who), "GET", path, nil)
			if st != 200 || !strings.Contains(body, "refuses to return") || !strings.Contains(body, "verified by ICRC on") {
				t.Errorf("%s on %s: %d, no interview shown", who, path, st)
			}
			if strings.Contains(body, "НОТАТКА-ДЕЛЕГАТА") || strings.Contains(body, "J. Delegate") || strings.Contains(body, `id="interview-form"`) {
				t.Errorf("%s on %s sees the notes, the interviewer or the form", who, path)
			}
		}
	}
	st, body, _ := e.page(e.session("op"), "GET", "/exchanges/"+exID+"/interviews", nil)
	if st != 200 || !strings.Contains(body, "НОТАТКА-ДЕЛЕГАТА") || !strings.Contains(body, `id="interview-form"`) {
		t.Errorf("the mediator's page: %d, without the notes or the form", st)
	}
}

// TestRefusalAgainstInterviewOnStagePage: the agreement page shows a
// person's interview to either party; then the person the neutral found
// wishing to return refuses repatriation at the crossing (GC III
// Art. 109(3)); the stage page says so against the interview, to the
// parties' bureaus, and the interviews page beside it.
func TestRefusalAgainstInterviewOnStagePage(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	a := newAPIStage(t, e, map[string][]map[string]any{"UA": heldBodies("UA", 3), "RU": heldBodies("RU", 3)}, 2)
	target := a.held["RU"][0]
	e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/interviews", map[string]any{"record_id": target, "at": "2026-01-05T10:30:00Z",
		"place": "колонія №1", "interviewer": "J. Delegate", "organisation": "ICRC", "outcome": "wishes_return"}, nil, 201)
	stage := "/exchanges/" + a.ex + "/stages/1?q=" + target
	for _, who := range []string{"ua-reg", "ru-reg"} {
		if _, body, _ := e.page(e.session(who), "GET", "/exchanges/"+a.ex+"/agreement", nil); !strings.Contains(body, "wishes to return · verified by ICRC on") {
			t.Errorf("%s: the agreement page does not show the interview", who)
		}
	}
	if _, body, _ := e.page(e.session("ua-reg"), "GET", stage, nil); !strings.Contains(body, "wishes to return · verified by ICRC on") {
		t.Errorf("the stage page before the refusal does not show the interview")
	}
	var res sqlstore.RecordResult
	med, err := db.UserByLogin(context.Background(), "med-officer")
	if err != nil {
		t.Fatal(err)
	}
	e.must("ru-officer", "POST", "/api/v1/exchanges/"+a.ex+"/stages/1/events", map[string]any{"events": []any{
		map[string]any{"id": "ref-1", "type": "refused", "at": "2025-05-23T09:00:00Z", "side": "RU", "record_id": target, "reason": "declines",
			"observer": fmt.Sprintf("user:%d", med.ID)}}}, &res, 200)
	if res.Results[0].Status != "applied" {
		t.Fatalf("the refusal: %+v", res.Results)
	}
	for _, who := range []string{"ua-reg", "ru-reg", "op"} {
		_, body, _ := e.page(e.session(who), "GET", stage, nil)
		if !strings.Contains(body, "refused at the crossing; interview of") || !strings.Contains(body, "said: wishes to return") {
			t.Errorf("%s: the stage page does not show the refusal against the interview", who)
		}
		_, body, _ = e.page(e.session(who), "GET", "/exchanges/"+a.ex+"/interviews", nil)
		if !strings.Contains(body, "refused at the crossing on") || !strings.Contains(body, "said: wishes to return") {
			t.Errorf("%s: the interviews page does not show the refusal against the interview", who)
		}
	}
}

// TestPagesWithholdBasis: the record form withholds a civilian with the
// basis and reason it asks for, shown on the record page; the same on a
// soldier is refused at the flag, in Ukrainian, with the articles.
func TestPagesWithholdBasis(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	reg := e.session("ua-reg")
	e.page(reg, "POST", "/lang", url.Values{"lang": {"uk"}})
	form := url.Values{"kind": {"held"}, "category": {"military"}, "surname": {"Солдатенко"}, "detrimental": {"on"},
		"detrimental_basis": {"gc4_art137_2"}, "detrimental_reason": {"родина під загрозою"}}
	st, body, _ := e.page(reg, "POST", "/records/new", form)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-detrimental"`) || !strings.Contains(body, "ст. 122(3) III Женевської конвенції") {
		t.Fatalf("a soldier withheld by the bureau: %d\n%s", st, body)
	}
	form.Set("category", "civilian")
	form.Set("surname", "Цивільна")
	st, _, h := e.page(reg, "POST", "/records/new", form)
	if st != 303 {
		t.Fatalf("a civilian withheld: %d", st)
	}
	_, body, _ = e.page(reg, "GET", h.Get("Location"), nil)
	if !strings.Contains(body, `id="record-withheld"`) || !strings.Contains(body, "ст. 137(2) IV Женевської конвенції") || !strings.Contains(body, "родина під загрозою") {
		t.Errorf("the record page does not say the basis and reason")
	}
}
