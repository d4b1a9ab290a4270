package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// apiStage is an exchange run through the API up to an open stage 1: each
// party's held records (the first n in the stage, the rest its reserve),
// offered, accepted, frozen with a plan, signed by both approvers and the
// mediator.
type apiStage struct {
	e       *env
	ex      string
	held    map[string][]string // party → record ids, stage persons then reserves
	plan    exchange.StagePlan
	signers map[string]note.Signer // login → key
}

// addUser adds a user with an API token to the environment.
func (e *env) addUser(login string, role access.Role, party string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.db.CreateUser(ctx, sqlstore.NewUser{Login: login, Role: role, Party: party, Password: "a long enough password", Argon2: cheap}); err != nil {
		e.t.Fatal(err)
	}
	e.tokens[login] = mintToken(e.t, e.db, login)
}

// newAPIStage builds the stage from the held records given per party
// (API record bodies without party), n of each in the stage.
func newAPIStage(t *testing.T, e *env, records map[string][]map[string]any, n int) *apiStage {
	t.Helper()
	a := &apiStage{e: e, held: map[string][]string{}, signers: map[string]note.Signer{}}
	e.addUser("ru-appr", access.PartyApprover, "RU")
	e.addUser("ru-officer", access.CheckpointOfficer, "RU")
	a.signers["ua-appr"] = registerSigner(t, e.db, "ua-key", "UA")
	a.signers["ru-appr"] = registerSigner(t, e.db, "ru-key", "RU")
	a.signers["op"] = registerSigner(t, e.db, "med-key", "")
	for _, p := range []string{"UA", "RU"} {
		var out struct{ Records []struct{ ID string } }
		e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/records/batch", map[string]any{"records": records[p]}, &out, 201)
		for _, r := range out.Records {
			a.held[p] = append(a.held[p], r.ID)
		}
	}
	var ex exchange.Exchange
	e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "signed", "parties": []string{"UA", "RU"}, "crossings": []string{"border"},
		"terms": map[string]any{"kind": "numeric", "total": n, "rules": []any{map[string]any{"id": "mil", "category": "military"}}}}, &ex, 201)
	a.ex = ex.ID
	for _, p := range []string{"UA", "RU"} {
		var items []any
		for _, id := range a.held[p] {
			items = append(items, map[string]any{"record_id": id, "category": "military"})
		}
		e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": items, "reason": "offer"}, nil, 201)
	}
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []any
		for _, id := range a.held[other] {
			answers = append(answers, map[string]any{"record_id": id, "answer": "accept", "reason": "ok"})
		}
		e.must(strings.ToLower(p)+"-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/"+other+"/offer/answers", map[string]any{"version": 1, "answers": answers}, nil, 201)
	}
	day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
	a.plan = exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
	for _, p := range []string{"UA", "RU"} {
		a.plan.Stages[0].Sides = append(a.plan.Stages[0].Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{"military": n}, Persons: a.held[p][:n]})
		if len(a.held[p]) > n {
			a.plan.Reserve = append(a.plan.Reserve, exchange.ReserveList{Party: p, Persons: a.held[p][n:]})
		}
	}
	a.freezeAndSign(t)
	e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/stages", map[string]any{"stage": 1}, nil, 201)
	return a
}

// freezeAndSign freezes the next agreement version with the plan and has
// all three sign it; it returns the version.
func (a *apiStage) freezeAndSign(t *testing.T) int {
	t.Helper()
	var ag sqlstore.AgreementStatus
	a.e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/agreement", map[string]any{"plan": a.plan}, &ag, 201)
	for _, login := range []string{"ua-appr", "ru-appr", "op"} {
		line, err := exchange.Sign([]byte(ag.Document), a.signers[login])
		if err != nil {
			t.Fatal(err)
		}
		a.e.must(login, "POST", "/api/v1/exchanges/"+a.ex+"/agreement/signatures", map[string]any{"version": ag.Version, "line": line}, &ag, 201)
	}
	if ag.State != "signed" {
		t.Fatalf("agreement version %d is %s", ag.Version, ag.State)
	}
	return ag.Version
}

// crossAll records every stage person of both sides as handed over, each
// side's release by its own officer and the receipt by the other side's.
func (a *apiStage) crossAll(t *testing.T, n int) sqlstore.RecordResult {
	t.Helper()
	var res sqlstore.RecordResult
	for _, p := range []string{"UA", "RU"} {
		recv := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var rel, rec []any
		for _, id := range a.held[p][:n] {
			rel = append(rel, map[string]any{"id": "h-" + id, "type": "released", "at": "2025-05-23T09:00:00Z", "side": p, "record_id": id})
			rec = append(rec, map[string]any{"id": "r-" + id, "type": "received", "at": "2025-05-23T09:01:00Z", "side": p, "record_id": id,
				"check": map[string]any{"method": "document"}, "health": "good"})
		}
		path := "/api/v1/exchanges/" + a.ex + "/stages/1/events"
		a.e.must(strings.ToLower(p)+"-officer", "POST", path, map[string]any{"events": rel}, &res, 200)
		a.e.must(strings.ToLower(recv)+"-officer", "POST", path, map[string]any{"events": rec}, &res, 200)
	}
	return res
}

// pdfText extracts the text of a PDF with poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.60s", pdf)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI: .ci/run installs it")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "list.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func heldBodies(party string, n int) []map[string]any {
	var out []map[string]any
	for i := range n {
		out = append(out, map[string]any{"kind": "held", "category": "military", "status": "pow", "surname": fmt.Sprintf("Петренко%s%d", party, i),
			"given_names": "Іван", "birth_date": fmt.Sprintf("199%d-01-02", i), "service_number": fmt.Sprintf("Ж-%s%05d", party, i)})
	}
	return out
}

// TestSignedIsWhatCrossesAPI is issue 12's reproduction through the API:
// after all three signatures UA's registrar changes a listed person's
// surname, given name and service number. RU's officer sees the person as
// signed in the stage list, the lookup (by the old number; the new one
// finds nobody), the card and the printed PDF, each marked as corrected
// after signing; the person does not count toward parity (stage, report)
// until an amendment signed by all takes in the new version.
func TestSignedIsWhatCrossesAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		a := newAPIStage(t, e, map[string][]map[string]any{"UA": heldBodies("UA", 3), "RU": heldBodies("RU", 3)}, 2)
		target := a.held["UA"][0]
		var rec struct {
			Version int
		}
		e.must("ua-reg", "GET", "/api/v1/records/"+target, nil, &rec, 200)
		corr := heldBodies("UA", 1)[0]
		corr["surname"], corr["given_names"], corr["service_number"] = "Підміна", "Тарас", "Ж-ZZ99999"
		corr["base_version"], corr["reason"] = rec.Version, "after signing"
		e.must("ua-reg", "PUT", "/api/v1/records/"+target, corr, nil, 200)

		base := "/api/v1/exchanges/" + a.ex + "/stages/1"
		var list sqlstore.StageList
		e.must("ru-officer", "GET", base+"/lists/UA", nil, &list, 200)
		var got sqlstore.StageListEntry
		for _, p := range list.Persons {
			if p.RecordID == target {
				got = p
			}
		}
		if got.Surname != "ПетренкоUA0" || got.ServiceNumber != "Ж-UA00000" || !got.CorrectedAfterSigning || got.Version != 1 {
			t.Fatalf("stage list: %+v", got.StagePerson)
		}
		var hits struct{ Persons []sqlstore.LookupHit }
		e.must("ru-officer", "GET", base+"/lookup?q="+url.QueryEscape("Ж-ZZ99999"), nil, &hits, 200)
		if len(hits.Persons) != 0 {
			t.Errorf("the new number finds %+v", hits.Persons)
		}
		e.must("ru-officer", "GET", base+"/lookup?q="+url.QueryEscape("Ж-UA00000"), nil, &hits, 200)
		if len(hits.Persons) != 1 || hits.Persons[0].Surname != "ПетренкоUA0" || !hits.Persons[0].CorrectedAfterSigning {
			t.Fatalf("the old number: %+v", hits.Persons)
		}
		st, pdf := e.do("ru-officer", "GET", base+"/lists/UA?format=pdf", nil)
		if st != 200 {
			t.Fatalf("pdf: %d", st)
		}
		text := pdfText(t, pdf)
		if !strings.Contains(text, "ПетренкоUA0") || strings.Contains(text, "Підміна") || !strings.Contains(text, "corrected after signing") {
			t.Errorf("the printed list:\n%s", text)
		}
		// The officer's card.
		cookie := e.session("ru-officer")
		st, page, _ := e.page(cookie, "GET", "/exchanges/"+a.ex+"/stages/1?q="+url.QueryEscape("Ж-UA00000"), nil)
		if st != 200 || !strings.Contains(page, "ПетренкоUA0") || strings.Contains(page, "Підміна") || !strings.Contains(page, "Record corrected after signing (Surname, Given names, Service number)") {
			t.Errorf("the card (%d):\n%s", st, page)
		}
		// Everyone crosses; the corrected person does not count.
		res := a.crossAll(t, 2)
		if ua := res.Stage.Report.Sides["UA"].Total; ua.HandedOver != 1 || ua.Held != 1 || res.Stage.Report.Parity || res.Stage.Summary.Held != 1 {
			t.Fatalf("UA %+v, summary %+v", ua, res.Stage.Summary)
		}
		var rep struct {
			Total map[string]crossing.Counts `json:"total"`
		}
		e.must("ru-reg", "GET", "/api/v1/exchanges/"+a.ex+"/report", nil, &rep, 200)
		if rep.Total["UA"].HandedOver != 1 || rep.Total["UA"].Held != 1 {
			t.Errorf("report totals %+v", rep.Total)
		}
		st, page, _ = e.page(cookie, "GET", "/exchanges/"+a.ex+"/stages/1", nil)
		if st != 200 || !strings.Contains(page, "Held back (record corrected after signing): 1") {
			t.Errorf("the stage summary does not show the held person (%d)", st)
		}
		// The amendment: a new version, signed by all, takes in version 2.
		a.freezeAndSign(t)
		var sv sqlstore.StageView
		e.must("ru-officer", "GET", base, nil, &sv, 200)
		if ua := sv.Report.Sides["UA"].Total; ua.HandedOver != 2 || ua.Held != 0 || !sv.Report.Parity {
			t.Fatalf("after the amendment: UA %+v, parity %v", ua, sv.Report.Parity)
		}
		_, pdf = e.do("ru-officer", "GET", base+"/lists/UA?format=pdf", nil)
		if text := pdfText(t, pdf); !strings.Contains(text, "Підміна") || strings.Contains(text, "corrected after signing") || !strings.Contains(text, "amendment: agreement version 2") {
			t.Errorf("the printed list after the amendment:\n%s", text)
		}
	})
}
