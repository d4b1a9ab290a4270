package client_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// The client against a real server: the web handler over a temporary
// SQLite store, as `handover serve` runs it.

var cheap = access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

const password = "a long enough password"

type server struct {
	t    *testing.T
	db   *sqlstore.DB
	url  string
	as   map[string]*client.Client // login → a client with the login's token
	keys map[string]note.Signer    // party ("" for the mediator) → its agreement signer key
	skey map[string]string         // the same keys' secrets
}

var accounts = []struct {
	login string
	role  access.Role
	party string
}{
	{"ua-reg", access.PartyRegistrar, "UA"}, {"ru-reg", access.PartyRegistrar, "RU"},
	{"ua-appr", access.PartyApprover, "UA"}, {"ru-appr", access.PartyApprover, "RU"},
	{"ua-officer", access.CheckpointOfficer, "UA"}, {"ru-officer", access.CheckpointOfficer, "RU"},
	{"op", access.MediatorOperator, ""}, {"aud", access.Auditor, ""},
}

func newServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	db := sqltest.Open(t, "sqlite")
	skey, vkey, err := audit.GenerateKey("handover.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Signer: signer, LogVKey: vkey}).Handler())
	t.Cleanup(ts.Close)
	s := &server{t: t, db: db, url: ts.URL, as: map[string]*client.Client{}, keys: map[string]note.Signer{}, skey: map[string]string{}}
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range accounts {
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: a.login, Role: a.role, Party: a.party, Password: password, Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		u, err := db.UserByLogin(ctx, a.login)
		if err != nil {
			t.Fatal(err)
		}
		u.MFA = true // as after a login that passed the second factor
		tok, _, err := db.CreateToken(ctx, u.Scope(), "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if s.as[a.login], err = client.New(ts.URL, tok); err != nil {
			t.Fatal(err)
		}
	}
	for name, party := range map[string]string{"ua-key": "UA", "ru-key": "RU", "med-key": ""} {
		skey, _, err := audit.GenerateKey(name)
		if err != nil {
			t.Fatal(err)
		}
		sqltest.ActivateKey(t, db, skey, party, sqlstore.KeySigner)
		s.skey[party] = skey
		if s.keys[party], err = note.NewSigner(skey); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// kindOf fails unless err is an *errs.Error of kind k, as the client makes
// it from the server's answer.
func kindOf(t *testing.T, what string, err error, k errs.Kind) {
	t.Helper()
	if !errs.Is(k, err) {
		t.Fatalf("%s: got %v (kind %v), want kind %v", what, err, errs.KindOf(err), k)
	}
}

func held(party string, i int) api.RecordInput {
	return api.RecordInput{Fields: person.Fields{Kind: person.Held, Category: person.Military, Status: person.StatusPOW,
		Surname: fmt.Sprintf("Петренко%s%d", party, i), GivenNames: "Іван", BirthDate: person.Date{Year: 1990 + i, Month: 1, Day: 2},
		ServiceNumber: fmt.Sprintf("Ж-%s%05d", party, i)}}
}

func TestClientErrors(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	if _, err := client.New("", "tok"); !errs.Is(errs.Invalid, err) {
		t.Errorf("no server: %v", err)
	}
	if _, err := client.New("ftp://x", "tok"); !errs.Is(errs.Invalid, err) {
		t.Errorf("not an http URL: %v", err)
	}
	if _, err := client.New(s.url, ""); !errs.Is(errs.Invalid, err) {
		t.Errorf("no token: %v", err)
	}
	bad, err := client.New(s.url, "hov_not-a-token")
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Record(ctx, "r1")
	kindOf(t, "a bad token", err, errs.Unauthenticated)

	// A refused record comes back Invalid with the server's coded field
	// errors, which a person's language can then say.
	_, err = s.as["ua-reg"].CreateRecord(ctx, api.RecordInput{Fields: person.Fields{Kind: person.Held, Surname: "Петренко"}})
	kindOf(t, "a record without a category", err, errs.Invalid)
	fields := errs.Fields(err)
	if len(fields) == 0 || fields[0].Field == "" || fields[0].Code == "" {
		t.Fatalf("field errors of a refused record: %+v", fields)
	}
	_, err = s.as["ua-reg"].Record(ctx, "r-none")
	kindOf(t, "no such record", err, errs.NotFound)
	_, err = s.as["ua-reg"].RunMatching(ctx, "UA", "RU", 0)
	kindOf(t, "a registrar running matching", err, errs.Forbidden)
	_, err = s.as["op"].RunMatching(ctx, "UA", "RU", 2)
	kindOf(t, "a threshold above 1", err, errs.Invalid)

	// A server that is not there.
	gone, err := client.New("http://127.0.0.1:1", "tok")
	if err != nil {
		t.Fatal(err)
	}
	gone.HTTP.Timeout = 2 * time.Second
	_, err = gone.Record(ctx, "r1")
	kindOf(t, "no server", err, errs.Internal)
}

func TestClientAccount(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	anon, err := client.Anonymous(s.url)
	if err != nil {
		t.Fatal(err)
	}
	tok, exp, err := anon.Login(ctx, "ua-reg", password, "")
	if err != nil || !strings.HasPrefix(tok, "hov_") || exp.Before(time.Now()) {
		t.Fatalf("login: %q %v %v", tok, exp, err)
	}
	_, _, err = anon.Login(ctx, "ua-reg", "wrong password", "")
	kindOf(t, "a wrong password", err, errs.Unauthenticated)

	// An account made by the administrator is enrolled with its code.
	u, err := s.db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg2", Role: access.PartyRegistrar, Party: "UA", By: access.Scope{Role: access.MediatorAdmin, Login: "admin"}})
	if err != nil || u.Enrolment == nil {
		t.Fatalf("user: %+v %v", u, err)
	}
	en, err := anon.Enrol(ctx, "ua-reg2", u.Enrolment.Code, password, "", "")
	if err != nil || en.Login != "ua-reg2" || en.Party == nil || *en.Party != "UA" || en.SecondFactor {
		t.Fatalf("enrol: %+v %v", en, err)
	}
	tok, _, err = anon.Login(ctx, "ua-reg2", password, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(s.url, tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePassword(ctx, password, password+" changed"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Records(ctx, client.Filter{})
	kindOf(t, "a token after a password change", err, errs.Unauthenticated)
	if _, _, err := anon.Login(ctx, "ua-reg2", password+" changed", ""); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	if err := s.as["ru-reg"].LogoutEverywhere(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.as["ru-reg"].Records(ctx, client.Filter{})
	kindOf(t, "a token after logging out everywhere", err, errs.Unauthenticated)
}

func TestClientRecordsAndMatching(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	ua, ru, op := s.as["ua-reg"], s.as["ru-reg"], s.as["op"]
	var in []api.RecordInput
	for i := range 5 {
		in = append(in, held("RU", i))
	}
	recs, err := ru.CreateRecords(ctx, in)
	if err != nil || len(recs) != 5 || recs[0].Party != "RU" || recs[0].Version != 1 {
		t.Fatalf("batch: %d %v", len(recs), err)
	}
	sought, err := ua.CreateRecord(ctx, api.RecordInput{Source: "test", Fields: person.Fields{Kind: person.Sought, Category: person.Military,
		Status: person.StatusMissing, Surname: "Петренко", GivenNames: "Иван", BirthDate: person.Date{Year: 1992, Month: 1, Day: 2}, ServiceNumber: "Ж-RU00002"}})
	if err != nil {
		t.Fatal(err)
	}
	f := sought.Fields
	f.Surname = "ПетренкоRU2"
	corrected, err := ua.Correct(ctx, sought.ID, 1, "the register's spelling", f)
	if err != nil || corrected.Version != 2 {
		t.Fatalf("correct: %+v %v", corrected, err)
	}
	_, err = ua.Correct(ctx, sought.ID, 1, "again on version 1", f)
	kindOf(t, "a correction on a stale version", err, errs.Conflict)
	h, err := ua.History(ctx, sought.ID)
	if err != nil || len(h) != 2 || h[0].Surname != "Петренко" || h[1].Surname != "ПетренкоRU2" {
		t.Fatalf("history: %+v %v", h, err)
	}
	if r, err := ua.Record(ctx, sought.ID); err != nil || r.Version != 2 {
		t.Fatalf("record: %+v %v", r, err)
	}
	_, err = ru.Record(ctx, sought.ID)
	kindOf(t, "the other party's sought record", err, errs.NotFound)

	// Pages follow their cursor to the end.
	var all []string
	for f := (client.Filter{Kind: "held", Limit: 2}); ; {
		p, err := ru.Records(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			all = append(all, r.ID)
		}
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	if len(all) != 5 || all[0] != recs[0].ID || all[4] != recs[4].ID {
		t.Fatalf("paged: %v", all)
	}

	run, err := op.RunMatching(ctx, "UA", "RU", 0)
	if err != nil || run.ID == 0 || run.Candidates == 0 {
		t.Fatalf("run: %+v %v", run, err)
	}
	if runs, err := op.MatchRuns(ctx); err != nil || len(runs) != 1 || runs[0].ID != run.ID {
		t.Fatalf("runs: %+v %v", runs, err)
	}
	cs, err := op.Candidates(ctx, run.ID, "", 10, 0)
	if err != nil || len(cs) == 0 || cs[0].SoughtID != sought.ID || cs[0].HeldID != recs[2].ID || len(cs[0].Explanation.Fields) == 0 {
		t.Fatalf("candidates: %+v %v", cs, err)
	}
	c, err := op.DecideMatch(ctx, sought.ID, recs[2].ID, "confirm", "same service number")
	if err != nil || c.Status != sqlstore.MatchConfirmed || c.DecidedBy == "" {
		t.Fatalf("decide: %+v %v", c, err)
	}
	if ms, err := ua.Matches(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("matches before the disclosure: %+v %v", ms, err)
	}
	if err := op.DiscloseMatch(ctx, sought.ID, recs[2].ID); err != nil {
		t.Fatal(err)
	}
	ms, err := ua.Matches(ctx)
	if err != nil || len(ms) != 1 || ms[0].HeldID != recs[2].ID || ms[0].Held.ServiceNumber != "Ж-RU00002" {
		t.Fatalf("matches: %+v %v", ms, err)
	}

	// Files: an import and an export, through the same client.
	rep, err := ua.Import(ctx, client.ImportRequest{Kind: "held", Name: "ua.csv", File: strings.NewReader(
		"surname,given_names,birth_date,category,status,service_number\nКоваль,Петро,1990-03-04,military,pow,К-1\n")})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	var csv bytes.Buffer
	if _, err := ua.Export(ctx, client.ExportRequest{Kind: "held", Format: "csv", Lang: "en"}, &csv); err != nil || !strings.Contains(csv.String(), "Коваль") {
		t.Fatalf("export: %v\n%s", err, csv.String())
	}
}

// TestClientExchange runs an exchange from the lists to the closed stage
// through the client, with the answers the scenario and the CLI read.
func TestClientExchange(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	op := s.as["op"]
	reg := map[string]*client.Client{"UA": s.as["ua-reg"], "RU": s.as["ru-reg"]}
	other := map[string]string{"UA": "RU", "RU": "UA"}
	ids := map[string][]string{}
	for _, p := range []string{"UA", "RU"} {
		recs, err := reg[p].CreateRecords(ctx, []api.RecordInput{held(p, 0), held(p, 1), held(p, 2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			ids[p] = append(ids[p], r.ID)
		}
	}
	ex, err := op.OpenExchange(ctx, exchange.Exchange{Name: "small", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: 2, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
	if err != nil || ex.ID == "" {
		t.Fatalf("open: %+v %v", ex, err)
	}
	if exs, err := s.as["aud"].Exchanges(ctx); err != nil || len(exs) != 1 || exs[0].ID != ex.ID {
		t.Fatalf("exchanges: %+v %v", exs, err)
	}
	for _, p := range []string{"UA", "RU"} {
		var items []exchange.Item
		for _, id := range ids[p] {
			items = append(items, exchange.Item{RecordID: id, Category: person.Military})
		}
		sl, err := reg[p].SubmitList(ctx, ex.ID, exchange.Offer, items, nil, "offer")
		if err != nil || sl.List.Version != 1 || len(sl.Diff.Added) != 3 {
			t.Fatalf("submit %s: %+v %v", p, sl, err)
		}
	}
	for _, p := range []string{"UA", "RU"} {
		lv, err := reg[p].List(ctx, ex.ID, other[p], exchange.Offer, 0)
		if err != nil || len(lv.Items) != 3 || lv.Items[0].Person == nil || lv.Items[0].Person.Surname == "" {
			t.Fatalf("the other's list: %+v %v", lv, err)
		}
		var answers []exchange.Response
		for _, it := range lv.Items {
			answers = append(answers, exchange.Response{RecordID: it.RecordID, Answer: exchange.Accept, Reason: "ok"})
		}
		out, err := reg[p].Respond(ctx, ex.ID, other[p], exchange.Offer, 1, answers)
		if err != nil || len(out) != 3 || out[0].Party != p {
			t.Fatalf("answers by %s: %+v %v", p, out, err)
		}
	}
	if v, err := op.ExchangeView(ctx, ex.ID); err != nil || v.Exchange != ex.ID {
		t.Fatalf("view: %+v %v", v, err)
	}
	day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
	plan := exchange.StagePlan{Stages: []exchange.Stage{{Number: 1, Start: day, End: day.Add(10 * time.Hour), Crossing: "border"}}}
	for _, p := range []string{"UA", "RU"} {
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{"military": 2}, Persons: ids[p][:2]})
		plan.Reserve = append(plan.Reserve, exchange.ReserveList{Party: p, Persons: ids[p][2:]})
	}
	ag, err := op.FreezeAgreement(ctx, ex.ID, plan)
	if err != nil || ag.Version != 1 || len(ag.Missing) != 3 {
		t.Fatalf("freeze: %+v %v", ag, err)
	}
	_, err = op.OpenStage(ctx, ex.ID, 1)
	kindOf(t, "a stage before the signatures", err, errs.Conflict)
	text, err := s.as["ua-appr"].AgreementText(ctx, ex.ID, 1)
	if err != nil || string(text) != ag.Document {
		t.Fatalf("agreement text: %v\n%s", err, text)
	}
	for who, party := range map[string]string{"ua-appr": "UA", "ru-appr": "RU", "op": ""} {
		line, err := exchange.Sign(text, s.keys[party])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.as[who].SignAgreement(ctx, ex.ID, 1, line); err != nil {
			t.Fatalf("%s signs: %v", who, err)
		}
	}
	if ag, err = s.as["aud"].Agreement(ctx, ex.ID, 0); err != nil || ag.State != "signed" || len(ag.Signed) != 3 {
		t.Fatalf("signed: %+v %v", ag, err)
	}

	v, err := op.OpenStage(ctx, ex.ID, 1)
	if err != nil || v.State != "open" || v.AgreementHash != ag.Hash {
		t.Fatalf("stage: %+v %v", v, err)
	}
	ev := func(id string, typ crossing.EventType, side, rec string) crossing.Event {
		e := crossing.Event{ID: id, Type: typ, At: day.Add(time.Hour), Side: side, RecordID: rec}
		if typ == crossing.Received {
			e.Check, e.Health = crossing.IdentityCheck{Method: crossing.CheckDocument}, crossing.HealthGood
		}
		return e
	}
	uaQueue := []crossing.Event{ev("a", crossing.Released, "UA", ids["UA"][0]), ev("b", crossing.Released, "UA", ids["UA"][1]),
		ev("c", crossing.Received, "RU", ids["RU"][0]), ev("d", crossing.Received, "RU", ids["RU"][1])}
	res, err := s.as["ua-officer"].RecordEvents(ctx, ex.ID, 1, uaQueue)
	if err != nil || len(res.Results) != 4 || res.Results[0].Status != "applied" {
		t.Fatalf("UA's queue: %+v %v", res.Results, err)
	}
	if res, err = s.as["ua-officer"].RecordEvents(ctx, ex.ID, 1, uaQueue); err != nil || res.Results[3].Status != "duplicate" {
		t.Fatalf("the queue resent: %+v %v", res.Results, err)
	}
	hits, err := s.as["ua-officer"].Lookup(ctx, ex.ID, 1, "Ж-UA00000")
	if err != nil || len(hits) != 1 || hits[0].RecordID != ids["UA"][0] || hits[0].Name() == "" || hits[0].Why != "service_number" {
		t.Fatalf("lookup: %+v %v", hits, err)
	}
	if _, err := s.as["ru-officer"].RecordEvents(ctx, ex.ID, 1, []crossing.Event{ev("e", crossing.Released, "RU", ids["RU"][0]),
		ev("f", crossing.Released, "RU", ids["RU"][1]), ev("g", crossing.Received, "UA", ids["UA"][0]), ev("h", crossing.Received, "UA", ids["UA"][1])}); err != nil {
		t.Fatal(err)
	}
	l, err := s.as["ru-reg"].StageList(ctx, ex.ID, 1, "RU")
	if err != nil || len(l.Persons) != 3 || l.Receiver != "UA" || l.Persons[0].Outcome != crossing.OutcomeHandedOver || !l.Persons[2].Reserve {
		t.Fatalf("stage list: %+v %v", l, err)
	}
	if pdf, err := s.as["ru-reg"].StageListPDF(ctx, ex.ID, 1, "RU", ""); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("printed list: %v", err)
	}
	res, err = op.Transition(ctx, ex.ID, 1, crossing.Event{ID: "x", Type: crossing.StageClosing, At: day.Add(2 * time.Hour)},
		crossing.Event{ID: "y", Type: crossing.StageClosed, At: day.Add(2 * time.Hour)})
	if err != nil || res.Stage.State != "closed" || !res.Stage.Summary.Parity {
		t.Fatalf("close: %+v %v", res.Stage, err)
	}
	if vs, err := s.as["aud"].Stages(ctx, ex.ID); err != nil || len(vs) != 1 || vs[0].State != "closed" {
		t.Fatalf("stages: %+v %v", vs, err)
	}
	if v, err := s.as["aud"].Stage(ctx, ex.ID, 1); err != nil || len(v.History) == 0 {
		t.Fatalf("stage: %+v %v", v, err)
	}
	rep, err := s.as["ua-appr"].Report(ctx, ex.ID, 0)
	if err != nil || rep.Total["UA"].HandedOver != 2 || rep.Total["RU"].HandedOver != 2 {
		t.Fatalf("report: %+v %v", rep.Total, err)
	}
	if x, err := s.as["aud"].ReportXLSX(ctx, ex.ID, 1, ""); err != nil || !bytes.HasPrefix(x, []byte("PK")) {
		t.Fatalf("xlsx report: %v", err)
	}
	// In Ukrainian: the first sheet is named so (the name is stored as
	// is in the workbook's XML).
	if x, err := s.as["aud"].ReportXLSX(ctx, ex.ID, 1, "uk"); err != nil || !bytes.HasPrefix(x, []byte("PK")) || !zipHas(t, x, "Етапи") {
		t.Fatalf("xlsx report in Ukrainian: %v", err)
	}
	if _, err := s.as["aud"].ReportXLSX(ctx, ex.ID, 1, "de"); !errs.Is(errs.Invalid, err) {
		t.Fatalf("xlsx report in German: %v, want invalid", err)
	}
	sought, err := reg["UA"].CreateRecord(ctx, api.RecordInput{Fields: person.Fields{Kind: person.Sought, Category: person.Military,
		Status: person.StatusMissing, Surname: "Шевченко", GivenNames: "Тарас", BirthDate: person.Date{Year: 1994}}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := reg["UA"].Trace(ctx, sought.ID)
	if err != nil || tr.RecordID != sought.ID || tr.Trace.Status != crossing.TraceReported {
		t.Fatalf("trace: %+v %v", tr, err)
	}
	found, err := reg["UA"].TraceSearch(ctx, "Shevchenko Taras", "1994")
	if err != nil || len(found) != 1 || found[0].RecordID != sought.ID {
		t.Fatalf("trace search: %+v %v", found, err)
	}
	_, err = reg["RU"].Trace(ctx, sought.ID)
	kindOf(t, "the other party's trace", err, errs.NotFound)
	if ch, err := reg["UA"].TraceChanges(ctx, time.Time{}); err != nil || len(ch) != 1 || ch[0].RecordID != sought.ID {
		t.Fatalf("trace changes: %+v %v", ch, err)
	}
	rv, err := op.RecordRemains(ctx, ex.ID, api.RemainsInput{Kind: "batch", Batch: &crossing.Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: day, Declared: 10}})
	if err != nil || len(rv.Summary) != 1 || rv.Summary[0].Declared != 10 {
		t.Fatalf("remains: %+v %v", rv, err)
	}
	if rv, err = s.as["aud"].Remains(ctx, ex.ID); err != nil || rv.Exchange != ex.ID {
		t.Fatalf("remains view: %+v %v", rv, err)
	}
}

func TestClientLog(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	aud := s.as["aud"]
	ks, err := aud.LogKeys(ctx)
	if err != nil || ks.Origin != "handover.test/log" || ks.LogKey == "" || len(ks.Signers) != 3 || ks.Witnesses == nil {
		t.Fatalf("log keys: %+v %v", ks, err)
	}
	all, err := aud.KeyChanges(ctx)
	if err != nil || len(all.Keys) != 3 || len(all.Changes) == 0 {
		t.Fatalf("key changes: %+v %v", all, err)
	}
	if k, err := all.Key(ks.Signers[0].Name); err != nil || k.State != access.KeyActive {
		t.Fatalf("key: %+v %v", k, err)
	}
	_, err = all.Key("nobody")
	kindOf(t, "no such key", err, errs.NotFound)

	// A witness key goes in by two people of the party.
	_, vkey, err := audit.GenerateKey("ua-witness")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-appr2", Role: access.PartyApprover, Party: "UA", Password: password, Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	endorsement, err := audit.Endorse(s.skey["UA"], "UA", api.KeyWitness, vkey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.as["ua-appr"].ProposeKey(ctx, vkey, "", api.KeyWitness, endorsement)
	if err != nil || k.State != access.KeyProposed || k.Party != "UA" {
		t.Fatalf("propose: %+v %v", k, err)
	}
	_, err = s.as["ua-appr"].ConfirmKey(ctx, k.Name, "")
	kindOf(t, "confirming one's own proposal", err, errs.Forbidden)
	if k, err = s.as["ua-appr"].RevokeKey(ctx, k.Name, "withdrawn"); err != nil || k.State != access.KeyRevoked {
		t.Fatalf("withdraw: %+v %v", k, err)
	}

	cp, err := s.as["op"].MakeCheckpoint(ctx)
	if err != nil || !bytes.HasPrefix(cp, []byte("handover.test/log\n")) {
		t.Fatalf("checkpoint: %v\n%s", err, cp)
	}
	sizes, err := aud.CheckpointSizes(ctx)
	if err != nil || len(sizes) == 0 {
		t.Fatalf("sizes: %v %v", sizes, err)
	}
	if at, err := aud.CheckpointAt(ctx, sizes[len(sizes)-1]); err != nil || !bytes.Equal(at, cp) {
		t.Fatalf("checkpoint at %d: %v", sizes[len(sizes)-1], err)
	}
	if latest, err := aud.LatestCheckpoint(ctx); err != nil || !bytes.Equal(latest, cp) {
		t.Fatalf("latest checkpoint: %v", err)
	}
	if p, err := aud.InclusionProof(ctx, 0); err != nil || len(p) == 0 {
		t.Fatalf("inclusion proof: %v", err)
	}
	size := sizes[len(sizes)-1]
	if size >= 256 {
		t.Fatalf("the test's log has grown to %d leaves: read a full tile", size)
	}
	if tile, err := aud.Tile(ctx, fmt.Sprintf("tile/0/000.p/%d", size)); err != nil || len(tile) != 32*int(size) {
		t.Fatalf("tile of %d hashes: %d bytes, %v", size, len(tile), err)
	}
}

// zipHas reports whether a file of the zip archive b holds text.
func zipHas(t *testing.T, b []byte, text string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(c, []byte(text)) {
			return true
		}
	}
	return false
}

// TestEraseRecord: the party's approver erases one of its records through
// the client; the record then reads as erased; the registrar is refused.
func TestEraseRecord(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	r, err := s.as["ua-reg"].CreateRecord(ctx, api.RecordInput{Fields: person.Fields{Kind: person.Sought, Status: person.StatusMissing, Category: person.Military, Surname: "Ґонтаренко"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.as["ua-reg"].EraseRecord(ctx, r.ID, "DP-1"); !errs.Is(errs.Forbidden, err) {
		t.Fatalf("the registrar erases: %v, want Forbidden", err)
	}
	e, err := s.as["ua-appr"].EraseRecord(ctx, r.ID, "DP-1")
	if err != nil || e.By != "ua-appr" || e.Reason != "DP-1" {
		t.Fatalf("erase: %+v %v", e, err)
	}
	got, err := s.as["ua-reg"].Record(ctx, r.ID)
	if err != nil || got.Erased == nil || got.Surname != "" {
		t.Fatalf("the erased record: %+v %v", got, err)
	}
}
