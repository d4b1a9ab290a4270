package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// signedExchange builds, through the API, an exchange in which each party
// offers n held persons, both accept the other's, the mediator freezes one
// stage of n-1 persons per side (the last one a reserve), and everyone
// signs but leave, whose signer it returns: the crossing pages' fixture. It returns the exchange id and the
// held records per party.
func signedExchange(t *testing.T, e *env, db *sqlstore.DB, n int, leave string) (string, map[string][]string, note.Signer) {
	t.Helper()
	return signedExchangeOf(t, e, db, n, leave, func(p string, i int) map[string]any {
		return map[string]any{"kind": "held", "category": "military", "status": "pow", "surname": fmt.Sprintf("Петренко%s%d", p, i),
			"given_names": "Іван", "birth_date": fmt.Sprintf("199%d-01-02", i%10), "service_number": fmt.Sprintf("Ж-%s%05d", p, i)}
	})
}

// signedExchangeOf is signedExchange with the held records that record
// makes, the i-th of party p.
func signedExchangeOf(t *testing.T, e *env, db *sqlstore.DB, n int, leave string, record func(p string, i int) map[string]any) (string, map[string][]string, note.Signer) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ru-appr", Role: "party_approver", Party: "RU", Password: "a long enough password", Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	e.tokens["ru-appr"] = mintToken(t, db, "ru-appr")
	ua := registerSigner(t, db, "ua-key", "UA")
	ru := registerSigner(t, db, "ru-key", "RU")
	med := registerSigner(t, db, "med-key", "")
	held := map[string][]string{}
	for _, p := range []string{"UA", "RU"} {
		var recs []map[string]any
		for i := range n {
			recs = append(recs, record(p, i))
		}
		for len(recs) > 0 {
			batch := recs[:min(len(recs), 500)]
			recs = recs[len(batch):]
			var out struct{ Records []struct{ ID string } }
			e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/batch", map[string]any{"records": batch}, &out, 201)
			for _, r := range out.Records {
				held[p] = append(held[p], r.ID)
			}
		}
	}
	var ex exchange.Exchange
	e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "Весна", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
		"terms": map[string]any{"kind": "numeric", "total": n - 1, "rules": []any{map[string]any{"id": "mil", "category": "military"}}}}, &ex, 201)
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
	day := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
	for _, p := range []string{"UA", "RU"} {
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{"military": n - 1}, Persons: held[p][:n-1]})
		plan.Reserve = append(plan.Reserve, exchange.ReserveList{Party: p, Persons: held[p][n-1:]})
	}
	var ag sqlstore.AgreementStatus
	e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
	var left note.Signer
	for _, s := range []struct {
		login string
		k     note.Signer
	}{{"ua-appr", ua}, {"ru-appr", ru}, {"op", med}} {
		if s.login == leave {
			left = s.k
			continue // signed on the agreement page
		}
		line, err := exchange.Sign([]byte(ag.Document), s.k)
		if err != nil {
			t.Fatal(err)
		}
		e.must(s.login, "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": line}, nil, 201)
	}
	return ex.ID, held, left
}

func TestPagesNegotiation(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "ua-appr")
		ua := e.session("ua-reg")
		st, body, _ := e.page(ua, "GET", "/exchanges", nil)
		if st != 200 || !strings.Contains(body, "/exchanges/"+id) {
			t.Fatalf("exchanges: %d", st)
		}
		st, body, _ = e.page(ua, "GET", "/exchanges/"+id, nil)
		if st != 200 || !strings.Contains(body, "ПетренкоRU1") || !strings.Contains(body, `action="/exchanges/`+id+`/answer"`) {
			t.Fatalf("exchange: %d %s", st, body)
		}
		// An answer without a reason: the page again with the message.
		form := url.Values{"party": {"RU"}, "kind": {"offer"}, "version": {"1"}, "record_id": {held["RU"][0]}, "answer": {"query"}}
		if st, _, _ = e.page(ua, "POST", "/exchanges/"+id+"/answer", form); st != 422 {
			t.Fatalf("answer without reason: %d", st)
		}
		form.Set("reason", "which unit?")
		if st, _, _ = e.page(ua, "POST", "/exchanges/"+id+"/answer", form); st != 303 {
			t.Fatalf("answer: %d", st)
		}
		// An ineligible answer names a rule of the terms.
		ineligible := url.Values{"party": {"RU"}, "kind": {"offer"}, "version": {"1"}, "record_id": {held["RU"][1]}, "answer": {"ineligible"}, "rule": {"mil"}, "reason": {"too young"}}
		if st, _, _ = e.page(ua, "POST", "/exchanges/"+id+"/answer", ineligible); st != 303 {
			t.Fatalf("ineligible answer: %d", st)
		}
		_, body, _ = e.page(e.session("op"), "GET", "/exchanges/"+id, nil)
		if !strings.Contains(body, "which unit?") || !strings.Contains(body, "<svg") {
			t.Errorf("the operator does not see the query or the chart")
		}
	})
}

func TestPagesAgreement(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, _, uaKey := signedExchange(t, e, db, 3, "ua-appr")
		appr := e.ukSession("ua-appr")
		st, body, _ := e.page(appr, "GET", "/exchanges/"+id+"/agreement", nil)
		if st != 200 || !strings.Contains(body, `name="line"`) || !strings.Contains(body, "<strong>UA</strong>") {
			t.Fatalf("agreement: %d %s", st, body)
		}
		// A registrar reads it but has no form.
		if _, body, _ = e.page(e.session("ua-reg"), "GET", "/exchanges/"+id+"/agreement", nil); strings.Contains(body, `name="line"`) {
			t.Errorf("a registrar is offered the signature form")
		}
		if st, body, _ = e.page(appr, "POST", "/exchanges/"+id+"/agreement/sign", url.Values{"version": {"1"}, "line": {"— nonsense"}}); st != 422 || !strings.Contains(body, `aria-invalid="true"`) ||
			!strings.Contains(body, "Це не рядок підпису") {
			t.Fatalf("a bad line: %d", st)
		}
		var ag sqlstore.AgreementStatus
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &ag, 200)
		// A line by a key nobody registered: said at the line, in Ukrainian.
		skey, _, err := note.GenerateKey(rand.Reader, "stranger")
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := exchange.Sign([]byte(ag.Document), stranger)
		if err != nil {
			t.Fatal(err)
		}
		if st, body, _ = e.page(appr, "POST", "/exchanges/"+id+"/agreement/sign", url.Values{"version": {"1"}, "line": {foreign}}); st != 422 ||
			!strings.Contains(body, "Підпис зроблено ключем stranger, який не зареєстровано як ключ підписанта.") {
			t.Fatalf("a line by an unregistered key: %d %s", st, body)
		}
		line, err := exchange.Sign([]byte(ag.Document), uaKey)
		if err != nil {
			t.Fatal(err)
		}
		if st, _, _ = e.page(appr, "POST", "/exchanges/"+id+"/agreement/sign", url.Values{"version": {"1"}, "line": {line}}); st != 303 {
			t.Fatalf("sign: %d", st)
		}
		if _, body, _ = e.page(appr, "GET", "/exchanges/"+id+"/agreement", nil); strings.Contains(body, `name="line"`) || !strings.Contains(body, "agreement-signed") {
			t.Errorf("after the last signature the agreement is not signed")
		}
	})
}
