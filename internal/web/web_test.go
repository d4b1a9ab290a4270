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
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

var cheap = access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

type env struct {
	t      *testing.T
	db     *sqlstore.DB
	srv    *web.Server
	ts     *httptest.Server
	tokens map[string]string // login → token
	logs   *bytes.Buffer
}

type user struct {
	login string
	role  access.Role
	party string
}

var users = []user{
	{"ua-reg", access.PartyRegistrar, "UA"}, {"ru-reg", access.PartyRegistrar, "RU"},
	{"ua-appr", access.PartyApprover, "UA"}, {"ua-officer", access.CheckpointOfficer, "UA"},
	{"op", access.MediatorOperator, ""}, {"aud", access.Auditor, ""}, {"sys", access.Sysadmin, ""},
	{"admin", access.MediatorAdmin, ""}, {"med-officer", access.CheckpointOfficer, ""},
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	t.Helper()
	return newEnvConfig(t, db, web.Config{Signer: testSigner(t)})
}

// newEnvConfig is newEnv with a server of the configuration cfg.
func newEnvConfig(t *testing.T, db *sqlstore.DB, cfg web.Config) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, tokens: map[string]string{}, logs: &bytes.Buffer{}}
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range append(users, user{"spare", access.Auditor, ""}) {
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: u.login, Role: u.role, Party: u.party, Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		e.tokens[u.login] = mintToken(t, db, u.login)
	}
	e.srv = web.New(db, slog.New(slog.NewJSONHandler(e.logs, nil)), cfg)
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		e.ts.Close()
		e.audit()
	})
	return e
}

// audit runs the log's audit on the test's database when the test ends:
// whatever the test did through the server, every change wrote its leaf
// and every covered column still says what its leaf says (docs/design/
// log.md §1.2). A route that changes state around the log fails here.
func (e *env) audit() {
	t := e.t
	if t.Failed() || e.db.Ready(context.Background()) != nil {
		return // a failed test, or one that closed its database on purpose
	}
	keys, err := audit.NewKeys("handover.test/log", signerVKey)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.db.AuditLog(context.Background(), keys)
	if err != nil {
		t.Fatalf("audit after the test: %v", err)
	}
	if !res.OK() {
		t.Errorf("the test left a database that fails the log's audit:\n%s", res.Summary())
	}
}

// mintToken mints an hour's API token for login as its owner would, after
// a login that passed the second factor.
func mintToken(t testing.TB, db *sqlstore.DB, login string) string {
	t.Helper()
	u, err := db.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	u.MFA = true
	tok, _, err := db.CreateToken(context.Background(), u.Scope(), "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// do sends a request as login ("" for none) and returns status and body.
func (e *env) do(login, method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[login])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func heldBody(party, surname string) map[string]any {
	return map[string]any{"party": party, "kind": "held", "category": "military", "surname": surname,
		"given_names": "Олександр", "birth_date": "1998-05", "service_number": "А-123456"}
}

func TestRecordsAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		st, b := e.do("ua-reg", "POST", "/api/v1/records", heldBody("", "Ковальчук"))
		if st != 201 {
			t.Fatalf("create: %d %s", st, b)
		}
		var rec person.Record
		json.Unmarshal(b, &rec)
		if rec.Party != "UA" || rec.Version != 1 || rec.BirthDate.String() != "1998-05" {
			t.Fatalf("created %+v", rec)
		}
		st, b = e.do("ua-reg", "GET", "/api/v1/records/"+rec.ID, nil)
		if st != 200 || !strings.Contains(string(b), "Ковальчук") {
			t.Fatalf("get: %d %s", st, b)
		}
		corr := heldBody("", "Ковальчук")
		corr["given_names"] = "Олексій"
		corr["base_version"] = 1
		corr["reason"] = "typo"
		if st, b = e.do("ua-reg", "PUT", "/api/v1/records/"+rec.ID, corr); st != 200 {
			t.Fatalf("correct: %d %s", st, b)
		}
		if st, b = e.do("ua-reg", "PUT", "/api/v1/records/"+rec.ID, corr); st != 409 || !strings.Contains(string(b), `"kind":"conflict"`) {
			t.Fatalf("stale correct: %d %s", st, b)
		}
		st, b = e.do("ua-reg", "GET", "/api/v1/records/"+rec.ID+"/history", nil)
		var hist struct{ Versions []person.Record }
		json.Unmarshal(b, &hist)
		if st != 200 || len(hist.Versions) != 2 || hist.Versions[0].GivenNames != "Олександр" {
			t.Fatalf("history: %d %s", st, b)
		}
		st, b = e.do("ua-reg", "GET", "/api/v1/records?q=КОВАЛЬЧУК&kind=held", nil)
		var page sqlstore.RecordPage
		json.Unmarshal(b, &page)
		if st != 200 || len(page.Records) != 1 {
			t.Fatalf("list: %d %s", st, b)
		}
		// Batch: all or nothing, every problem numbered.
		bad := heldBody("", "")
		future := heldBody("", "Х")
		future["birth_date"] = "2999-01-01"
		st, b = e.do("ua-reg", "POST", "/api/v1/records/batch", map[string]any{"records": []any{heldBody("", "А"), bad, future}})
		var eb struct {
			Error struct {
				Kind   string
				Fields []struct{ Field, Message, Where string }
			}
		}
		json.Unmarshal(b, &eb)
		if st != 400 || eb.Error.Kind != "invalid" || len(eb.Error.Fields) != 2 || eb.Error.Fields[0].Where != "record 2" || eb.Error.Fields[1].Field != "birth_date" {
			t.Fatalf("bad batch: %d %s", st, b)
		}
		_, b = e.do("ua-reg", "GET", "/api/v1/records?limit=1000", nil)
		json.Unmarshal(b, &page)
		if len(page.Records) != 1 {
			t.Fatalf("a refused batch stored %d records", len(page.Records)-1)
		}
	})
}

func TestBadInput(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, method, path string
			body               any
			status             int
			kind, contains     string
		}{
			{"no token", "GET", "/api/v1/records", nil, 401, "unauthenticated", "Bearer"},
			{"empty body", "POST", "/api/v1/records", "", 400, "invalid", "empty"},
			{"malformed", "POST", "/api/v1/records", `{"surname":`, 400, "invalid", "cut short"},
			{"syntax", "POST", "/api/v1/records", `{"surname" "x"}`, 400, "invalid", "byte"},
			{"unknown field", "POST", "/api/v1/records", `{"surnam":"x"}`, 400, "invalid", "surnam"},
			{"wrong type", "POST", "/api/v1/records", `{"surname":5}`, 400, "invalid", "surname"},
			{"bad date", "POST", "/api/v1/records", `{"birth_date":"31.02.1999"}`, 400, "invalid", "day 31 does not exist"},
			{"two values", "POST", "/api/v1/records", `{} {}`, 400, "invalid", "more than one"},
			{"invalid record", "POST", "/api/v1/records", `{"kind":"held","category":"military"}`, 400, "invalid", "surname"},
			{"bad limit", "GET", "/api/v1/records?limit=x", nil, 400, "invalid", "limit"},
			{"bad cursor", "GET", "/api/v1/records?cursor=zz", nil, 400, "invalid", "cursor"},
			{"no route", "GET", "/api/v1/nothing", nil, 404, "not_found", "no such"},
			{"missing record", "GET", "/api/v1/records/rxxxxxxxxxxxxxxxx", nil, 404, "not_found", "no record"},
			{"correct without base", "PUT", "/api/v1/records/rxxxxxxxxxxxxxxxx", `{"surname":"x"}`, 400, "invalid", "base_version"},
			{"big body", "POST", "/api/v1/records", `{"notes":"` + strings.Repeat("x", 9<<20) + `"}`, 400, "invalid", "larger than"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				login := "ua-reg"
				if tc.name == "no token" {
					login = ""
				}
				st, b := e.do(login, tc.method, tc.path, tc.body)
				var eb struct {
					Error struct{ Kind, Message string }
				}
				if err := json.Unmarshal(b, &eb); err != nil {
					t.Fatalf("not a JSON error: %s", b)
				}
				if st != tc.status || eb.Error.Kind != tc.kind {
					t.Errorf("got %d %s, want %d %s (%s)", st, eb.Error.Kind, tc.status, tc.kind, b)
				}
				if !strings.Contains(string(b), tc.contains) {
					t.Errorf("body %s does not say %q", b, tc.contains)
				}
				for _, leak := range []string{"goroutine", ".go:", "sql:", "SQLSTATE", "panic"} {
					if strings.Contains(string(b), leak) {
						t.Errorf("body leaks %q: %s", leak, b)
					}
				}
			})
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	for i := range 5 {
		st, _ := e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": "ua-reg", "password": fmt.Sprintf("wrong %d", i)})
		if st != 401 {
			t.Fatalf("attempt %d: %d, want 401", i, st)
		}
	}
	st, b := e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": "ua-reg", "password": "a long enough password"})
	if st != 429 || !strings.Contains(string(b), "too many failed logins") {
		t.Fatalf("sixth attempt: %d %s, want 429", st, b)
	}
	// Another account from the same address still may log in.
	st, b = e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": "ru-reg", "password": "a long enough password"})
	if st != 200 {
		t.Fatalf("other account: %d %s", st, b)
	}
	var tr struct{ Token string }
	json.Unmarshal(b, &tr)
	e.tokens["ru-login"] = tr.Token
	if st, b := e.do("ru-login", "GET", "/api/v1/me", nil); st != 200 || !strings.Contains(string(b), `"party":"RU"`) {
		t.Fatalf("me with login token: %d %s", st, b)
	}
}

func TestInternalErrorsHidden(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	db.Close() // every query now fails inside the store
	st, b := e.do("ua-reg", "GET", "/api/v1/records", nil)
	if st != 401 && st != 500 {
		t.Fatalf("got %d", st)
	}
	if strings.Contains(string(b), "closed") || strings.Contains(string(b), "sql") {
		t.Errorf("cause leaked: %s", b)
	}
	if st == 500 && !strings.Contains(e.logs.String(), "request_id") {
		t.Errorf("internal error not logged with a request id: %s", e.logs)
	}
}

// TestOpenAPI checks that every route is documented and every documented
// route exists.
func TestOpenAPI(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	st, b := e.do("", "GET", "/api/v1/openapi.json", nil)
	if st != 200 {
		t.Fatalf("openapi: %d", st)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v", err)
	}
	var documented, routed []string
	for path, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+path)
		}
	}
	for _, rt := range e.srv.Routes() {
		if rt.UI {
			continue // pages are not part of the API description
		}
		// net/http's {name...} wildcard is OpenAPI's {name}.
		routed = append(routed, rt.Method+" "+strings.ReplaceAll(rt.Path, "...}", "}"))
	}
	sort.Strings(documented)
	sort.Strings(routed)
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}
}

// allowedTo is the access matrix, written out by hand: for each route, who
// may use it. "own" means on their own party's records, "any" a party user
// whatever the party (the shared log); mediator roles have no party and are
// listed bare.
var allowedTo = map[string][]string{
	"GET /healthz":                                             {"*"},
	"GET /metrics":                                             {"sysadmin"},
	"GET /readyz":                                              {"*"},
	"GET /api/v1/openapi.json":                                 {"*"},
	"POST /api/v1/auth/login":                                  {"*"},
	"POST /api/v1/auth/enrol":                                  {"*"},
	"POST /api/v1/auth/reset":                                  {"*"},
	"POST /api/v1/me/password":                                 {"any user"},
	"POST /api/v1/me/logout-all":                               {"any user"},
	"GET /api/v1/me":                                           {"any user"},
	"GET /api/v1/me/tokens":                                    {"any user"},
	"DELETE /api/v1/me/tokens/{id}":                            {"any user"},
	"GET /api/v1/parties":                                      {"any user"},
	"GET /api/v1/records":                                      {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"POST /api/v1/records":                                     {"party_registrar own"},
	"POST /api/v1/records/batch":                               {"party_registrar own"},
	"GET /api/v1/records/{id}":                                 {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"PUT /api/v1/records/{id}":                                 {"party_registrar own"},
	"GET /api/v1/records/{id}/history":                         {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"POST /api/v1/records/{id}/erase":                          {"party_approver own"},
	"POST /api/v1/imports":                                     {"party_registrar own"},
	"GET /api/v1/exports":                                      {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"GET /api/v1/users":                                        {"mediator_admin"},
	"POST /api/v1/users":                                       {"mediator_admin"},
	"POST /api/v1/users/{login}/disable":                       {"mediator_admin"},
	"POST /api/v1/users/{login}/codes":                         {"mediator_admin"},
	"GET /api/v1/tokens":                                       {"mediator_admin"},
	"POST /api/v1/tokens":                                      {"any user"},
	"DELETE /api/v1/tokens/{id}":                               {"mediator_admin"},
	"GET /log/checkpoint":                                      {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /log/tile/{path...}":                                  {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /api/v1/log/keys":                                     {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"POST /api/v1/log/keys":                                    {"party_approver own", "mediator_operator"},
	"POST /api/v1/log/keys/{name}/confirm":                     {"party_approver own", "mediator_operator"},
	"POST /api/v1/log/keys/{name}/revoke":                      {"party_approver own", "mediator_operator"},
	"GET /api/v1/log/keys/changes":                             {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /api/v1/log/checkpoints":                              {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /api/v1/log/witnesses":                                {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /api/v1/log/checkpoints/{size}":                       {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"POST /api/v1/log/checkpoint":                              {"mediator_operator", "mediator_admin"},
	"GET /api/v1/log/proof/inclusion":                          {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /api/v1/log/proof/consistency":                        {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"POST /api/v1/log/cosignatures":                            {"party_approver any", "mediator_operator", "mediator_admin"},
	"POST /api/v1/exchanges":                                   {"mediator_operator"},
	"GET /api/v1/exchanges":                                    {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}":                               {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /api/v1/exchanges/{id}/lists/{kind}":                 {"party_registrar any", "party_approver any"},
	"GET /api/v1/exchanges/{id}/lists/{party}/{kind}":          {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /api/v1/exchanges/{id}/lists/{party}/{kind}/answers": {"party_registrar other", "party_approver other"},
	"GET /api/v1/exchanges/{id}/view":                          {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /api/v1/records/{id}/evidence":                       {"party_registrar own"},
	"GET /api/v1/records/{id}/evidence":                        {"party_registrar own", "party_approver own"},
	"POST /api/v1/exchanges/{id}/agreement":                    {"mediator_operator"},
	"GET /api/v1/exchanges/{id}/agreement":                     {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}/agreement/persons":             {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}/agreement/pdf":                 {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /api/v1/exchanges/{id}/agreement/signatures":         {"party_approver any", "mediator_operator"},
	"POST /api/v1/matching/runs":                               {"mediator_operator"},
	"GET /api/v1/matching/runs":                                {"mediator_operator"},
	"GET /api/v1/matching/runs/{id}/candidates":                {"mediator_operator"},
	"POST /api/v1/matching/decisions":                          {"mediator_operator"},
	"POST /api/v1/matching/disclosures":                        {"mediator_operator"},
	"GET /api/v1/matches":                                      {"party_registrar any", "party_approver any"},
	"POST /api/v1/exchanges/{id}/stages":                       {"mediator_operator"},
	"GET /api/v1/exchanges/{id}/stages":                        {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}/stages/{n}":                    {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /api/v1/exchanges/{id}/stages/{n}/events":            {"checkpoint_officer any", "checkpoint_officer"},
	"POST /api/v1/exchanges/{id}/stages/{n}/transitions":       {"mediator_operator"},
	"GET /api/v1/exchanges/{id}/stages/{n}/lookup":             {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}/stages/{n}/lists/{party}":      {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /api/v1/exchanges/{id}/report":                        {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /api/v1/exchanges/{id}/remains":                      {"mediator_operator"},
	"GET /api/v1/exchanges/{id}/remains":                       {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /api/v1/trace":                                        {"party_registrar any", "party_approver any"},
	"GET /api/v1/trace/changes":                                {"party_registrar any", "party_approver any"},
	"GET /api/v1/trace/{id}":                                   {"party_registrar own", "party_approver own"},
	"GET /api/v1/backlog":                                      {"party_registrar any", "party_approver any"},
	"GET /api/v1/tracing-export":                               {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /api/v1/tracing-exports":                              {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /api/v1/backlog/{id}":                                 {"party_registrar own", "party_approver own"},
	"POST /api/v1/backlog/{id}/flags":                          {"party_registrar own", "party_approver own"},
	"GET /api/v1/records/{id}/custody":                         {"party_registrar own", "party_approver own", "mediator_operator"},
	"POST /api/v1/records/{id}/custody":                        {"party_registrar own", "party_approver own"},
	"GET /api/v1/custody/overdue":                              {"party_registrar any", "party_approver any", "mediator_operator"},
	"GET /api/v1/custody/notifications":                        {"party_registrar any", "party_approver any", "mediator_operator"},
	"GET /api/v1/records/{id}/capture-card.pdf":                {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /api/v1/records/{id}/death-notice.pdf":                {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /api/v1/exchanges/{id}/carry":                         {"party_registrar any", "party_approver any"},
	"POST /api/v1/exchanges/{id}/interviews":                   {"mediator_operator"},
	"GET /api/v1/exchanges/{id}/interviews":                    {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /api/v1/cases":                                        {"party_registrar any", "party_approver any", "mediator_operator"},
	"POST /api/v1/cases":                                       {"party_registrar own", "party_approver own"},
	"POST /api/v1/cases/import":                                {"party_registrar any", "party_approver any"},
	"GET /api/v1/cases/{id}":                                   {"party_registrar own", "party_approver own", "mediator_operator shared"},
	"POST /api/v1/cases/{id}/steps":                            {"party_registrar own", "party_approver own", "mediator_operator shared"},

	// Pages (ui_test.go: uiMatrixRequest says how each is called).
	"GET /static/{path...}":                            {"*"},
	"GET /sw.js":                                       {"*"},
	"GET /{$}":                                         {"any user"},
	"GET /login":                                       {"*"},
	"POST /login":                                      {"*"},
	"GET /login/totp":                                  {"any user"},
	"POST /login/totp":                                 {"any user"},
	"POST /logout":                                     {"any user"},
	"POST /logout/all":                                 {"any user"},
	"POST /lang":                                       {"*"},
	"GET /account":                                     {"any user"},
	"POST /account/password":                           {"any user"},
	"POST /account/tokens":                             {"any user"},
	"GET /enrol":                                       {"*"},
	"POST /enrol":                                      {"*"},
	"GET /reset":                                       {"*"},
	"POST /reset":                                      {"*"},
	"GET /records":                                     {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"GET /records/new":                                 {"party_registrar any"},
	"POST /records/new":                                {"party_registrar any"},
	"GET /records/{id}":                                {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"GET /records/{id}/edit":                           {"party_registrar own"},
	"POST /records/{id}/edit":                          {"party_registrar own"},
	"POST /records/{id}/erase":                         {"party_approver own"},
	"GET /matching":                                    {"mediator_operator"},
	"GET /matching/runs/{id}":                          {"mediator_operator"},
	"POST /matching/decide":                            {"mediator_operator"},
	"POST /matching/disclose":                          {"mediator_operator"},
	"POST /matching/runs":                              {"mediator_operator"},
	"GET /matching/jobs/{id}":                          {"mediator_operator"},
	"GET /matches":                                     {"party_registrar any", "party_approver any"},
	"GET /audit":                                       {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"GET /admin/users":                                 {"mediator_admin"},
	"POST /admin/users":                                {"mediator_admin"},
	"POST /admin/users/{login}/disable":                {"mediator_admin"},
	"POST /admin/users/{login}/codes":                  {"mediator_admin"},
	"GET /admin/tokens":                                {"mediator_admin"},
	"POST /admin/tokens/{id}/revoke":                   {"mediator_admin"},
	"GET /keys":                                        {"party_registrar any", "party_approver any", "mediator_operator", "mediator_admin", "auditor"},
	"POST /keys":                                       {"party_approver any", "mediator_operator"},
	"POST /keys/{name}/confirm":                        {"party_approver own", "mediator_operator"},
	"POST /keys/{name}/revoke":                         {"party_approver own", "mediator_operator"},
	"GET /exchanges":                                   {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /exchanges/{id}":                              {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/answer":                      {"party_registrar other", "party_approver other"},
	"GET /exchanges/{id}/interviews":                   {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/interviews":                  {"mediator_operator"},
	"GET /exchanges/{id}/freeze":                       {"mediator_operator"},
	"POST /exchanges/{id}/freeze":                      {"mediator_operator"},
	"GET /exchanges/{id}/lists/{kind}":                 {"party_registrar any", "party_approver any"},
	"POST /exchanges/{id}/lists/{kind}":                {"party_registrar any", "party_approver any"},
	"GET /exchanges/new":                               {"mediator_operator"},
	"POST /exchanges/new":                              {"mediator_operator"},
	"GET /exchanges/{id}/agreement":                    {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /exchanges/{id}/agreement/pdf":                {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/agreement/sign":              {"party_approver any", "mediator_operator"},
	"GET /crossing":                                    {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /exchanges/{id}/stages/{n}":                   {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/stages/{n}/record":           {"checkpoint_officer any", "checkpoint_officer"},
	"POST /exchanges/{id}/stages/{n}/close":            {"mediator_operator"},
	"POST /exchanges/{id}/stages/{n}/event":            {"checkpoint_officer any", "checkpoint_officer"},
	"GET /exchanges/{id}/stages/{n}/kit":               {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/stages/{n}/queue":            {"checkpoint_officer any", "checkpoint_officer"},
	"GET /exchanges/{id}/stages":                       {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/stages":                      {"mediator_operator"},
	"POST /exchanges/{id}/stages/{n}/move":             {"mediator_operator"},
	"GET /exchanges/{id}/stages/{n}/lists/{party}/pdf": {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /exchanges/{id}/report/xlsx":                  {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"GET /exchanges/{id}/remains":                      {"party_registrar any", "party_approver any", "checkpoint_officer any", "checkpoint_officer", "mediator_operator", "auditor"},
	"POST /exchanges/{id}/remains":                     {"mediator_operator"},
	"GET /records/{id}/evidence":                       {"party_registrar own"},
	"POST /records/{id}/evidence":                      {"party_registrar own"},
	"GET /trace":                                       {"party_registrar any", "party_approver any"},
	"GET /trace/{id}":                                  {"party_registrar own", "party_approver own"},
	"GET /backlog":                                     {"party_registrar any", "party_approver any"},
	"GET /backlog/{id}":                                {"party_registrar own", "party_approver own"},
	"POST /backlog/{id}/flags":                         {"party_registrar own", "party_approver own"},
	"GET /custody":                                     {"party_registrar any", "party_approver any", "mediator_operator"},
	"GET /records/{id}/custody":                        {"party_registrar own", "party_approver own", "mediator_operator"},
	"POST /records/{id}/custody":                       {"party_registrar own", "party_approver own"},
	"GET /records/{id}/capture-card.pdf":               {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /records/{id}/death-notice.pdf":               {"party_registrar own", "party_approver own", "mediator_operator"},
	"GET /cases":                                       {"party_registrar any", "party_approver any", "mediator_operator"},
	"POST /cases":                                      {"party_registrar own", "party_approver own"},
	"GET /cases/{id}":                                  {"party_registrar own", "party_approver own", "mediator_operator shared"},
	"POST /cases/{id}/steps":                           {"party_registrar own", "party_approver own", "mediator_operator shared"},
	"GET /import":                                      {"party_registrar any"},
	"POST /import":                                     {"party_registrar own"},
	"POST /import/confirm":                             {"party_registrar own"},
	"GET /import/{id}/errors.csv":                      {"party_registrar own"},
	"GET /export":                                      {"party_registrar any", "party_approver any", "mediator_operator", "auditor"},
	"GET /export/file":                                 {"party_registrar own", "party_approver own", "mediator_operator", "auditor"},
	"GET /tracing-export/file":                         {"party_registrar own", "party_approver own", "mediator_operator"},
}

var (
	signerOnce sync.Once
	signerKey  string
	signerVKey string
)

// testSigner returns a checkpoint signer for handover.test/log.
func testSigner(t *testing.T) *sqlstore.Signer {
	t.Helper()
	signerOnce.Do(func() {
		skey, vkey, err := audit.GenerateKey("handover.test/log")
		if err != nil {
			panic(err)
		}
		signerKey, signerVKey = skey, vkey
	})
	s, err := sqlstore.NewSigner(signerKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuthzMatrix walks every route × every role × own/other party and
// checks allow or deny against allowedTo. A new route without a line in
// allowedTo fails the test.
func TestAuthzMatrix(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		uaReg, _ := db.UserByLogin(ctx, "ua-reg")
		ruReg, _ := db.UserByLogin(ctx, "ru-reg")
		recs := map[string]string{}
		for _, p := range []struct {
			party string
			s     access.Scope
			kind  person.Kind
		}{{"UA", uaReg.Scope(), person.Held}, {"RU", ruReg.Scope(), person.Sought}} {
			f := person.Fields{Kind: p.kind, Category: person.Military, Surname: "Тест"}
			r, err := db.CreateRecord(ctx, p.s, sqlstore.NewRecord{Party: p.party, Fields: f})
			if err != nil {
				t.Fatal(err)
			}
			recs[p.party] = r.ID
		}
		// A witness key, a checkpoint and a valid cosignature on it, so that
		// the log routes have something to serve to those allowed.
		wsk, _, _ := audit.GenerateKey("ua-bureau")
		sqltest.ActivateKey(t, db, wsk, "UA", sqlstore.KeyWitness)
		// A proposed key of each side, for the confirm and revoke routes:
		// UA's endorsed by its key in effect, so that UA's approver may
		// confirm it.
		for _, side := range []string{"UA", "RU", ""} {
			_, vk, _ := audit.GenerateKey("mx-" + map[string]string{"UA": "UA", "RU": "RU", "": "med"}[side])
			p := sqlstore.KeyProposal{VKey: vk, Party: side, Purpose: sqlstore.KeySigner}
			if side == "UA" {
				p.Endorsement, _ = audit.Endorse(wsk, "UA", sqlstore.KeySigner, vk)
			}
			who := map[string]string{"UA": "ua-keyholder-1", "RU": "ru-keyholder-1", "": "med-keyholder-1"}[side]
			holder, err := db.UserByLogin(ctx, who)
			if err != nil {
				holder, err = db.CreateUser(ctx, sqlstore.NewUser{Login: who, Role: map[bool]access.Role{true: access.MediatorOperator, false: access.PartyApprover}[side == ""],
					Party: side, Password: "a long enough password", Argon2: cheap})
				if err != nil {
					t.Fatal(err)
				}
			}
			holder.MFA = true
			if _, err := db.ProposeKey(ctx, holder.Scope(), p); err != nil {
				t.Fatal(err)
			}
		}
		cp, err := db.Checkpoint(ctx, testSigner(t), audit.CheckpointSchedule{}, true)
		if err != nil {
			t.Fatal(err)
		}
		cpc, _ := audit.PeekCheckpoint(cp)
		// An exchange in which each party has offered one held person.
		op, _ := db.UserByLogin(ctx, "op")
		ex, err := db.OpenExchange(ctx, op.Scope(), exchange.Exchange{Name: "matrix", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
			Terms: exchange.Terms{Kind: exchange.Numeric, Total: 1, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
		if err != nil {
			t.Fatal(err)
		}
		offered := map[string]string{}
		for _, p := range []struct {
			party string
			u     sqlstore.User
		}{{"UA", uaReg}, {"RU", ruReg}} {
			r, err := db.CreateRecord(ctx, p.u.Scope(), sqlstore.NewRecord{Party: p.party, Fields: person.Fields{Kind: person.Held, Category: person.Military, Surname: "Обмін"}})
			if err != nil {
				t.Fatal(err)
			}
			offered[p.party] = r.ID
			if _, err := db.SubmitList(ctx, p.u.Scope(), ex.ID, exchange.Offer, []exchange.Item{{RecordID: r.ID, Category: person.Military}}, nil, "first"); err != nil {
				t.Fatal(err)
			}
		}
		cosigner, _ := audit.NewCosigner(wsk)
		cosig := cosigner.Sign(cpc.Marshal(), time.Now())
		// A tracing case of each party on a sought record of its own; RU
		// shares its case with the mediator's agency ("mediator_operator
		// shared": the operator may use the route on RU's case only).
		cases, caseRecs := map[string]string{}, map[string]string{}
		for _, p := range []struct {
			party string
			u     sqlstore.User
		}{{"UA", uaReg}, {"RU", ruReg}} {
			r, err := db.CreateRecord(ctx, p.u.Scope(), sqlstore.NewRecord{Party: p.party, Fields: person.Fields{Kind: person.Sought, Category: person.Military, Status: person.StatusMissing, Surname: "Розшук"}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := db.OpenCase(ctx, p.u.Scope(), r.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			cases[p.party], caseRecs[p.party] = c.ID, r.ID
		}
		if _, err := db.AddCaseStep(ctx, ruReg.Scope(), cases["RU"], casework.Step{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: true}}); err != nil {
			t.Fatal(err)
		}
		for _, rt := range e.srv.Routes() {
			key := rt.Method + " " + rt.Path
			who, ok := allowedTo[key]
			if !ok {
				t.Errorf("route %s has no line in the access matrix test", key)
				continue
			}
			for _, u := range users {
				for _, target := range []string{"UA", "RU"} {
					own := u.party == "" || u.party == target
					if u.party == "" && target == "RU" {
						// Mediator roles: both parties are "theirs"; test RU too.
						own = true
					}
					want := false
					for _, w := range who {
						switch {
						case w == "*", w == "any user":
							want = true
						case w == string(u.role)+" own" && u.party != "" && own:
							want = true
						case w == string(u.role)+" any" && u.party != "":
							want = true // not about one party's data: the shared log
						case w == string(u.role)+" other" && u.party != "" && u.party != target:
							want = true // acting on the other party's list
						case w == string(u.role) && u.party == "":
							want = true
						case w == string(u.role)+" shared" && u.party == "":
							want = target == "RU" // only RU shares its case
						}
					}
					id := recs[target]
					if strings.HasPrefix(rt.Path, "/api/v1/exchanges/{id}") {
						id = ex.ID
					}
					if strings.HasPrefix(rt.Path, "/api/v1/cases/{id}") {
						id = cases[target]
					}
					keyName := "mx-med"
					if u.party != "" {
						keyName = "mx-" + target
					}
					path := strings.NewReplacer("{id}", id, "{party}", target, "{kind}", "offer", "{login}", "spare", "{size}", fmt.Sprint(cpc.Size),
						"{path...}", fmt.Sprintf("entries/000.p/%d", cpc.Size), "{name}", keyName).Replace(rt.Path)
					var body any
					switch key {
					case "DELETE /api/v1/me/tokens/{id}", "DELETE /api/v1/tokens/{id}":
						path = strings.Replace(rt.Path, "{id}", "999999", 1)
					case "GET /api/v1/records":
						path += "?party=" + target
					case "GET /api/v1/exports":
						path += "?format=csv&party=" + target
					case "GET /api/v1/tracing-export":
						path += "?format=csv&party=" + target
					case "GET /api/v1/tracing-exports":
						path += "?party=" + target
					case "POST /api/v1/records":
						body = heldBody(target, "Матриця")
					case "POST /api/v1/records/batch":
						body = map[string]any{"records": []any{heldBody(target, "Матриця")}}
					case "PUT /api/v1/records/{id}":
						b := heldBody(target, "Матриця")
						delete(b, "party")
						b["kind"] = map[string]string{"UA": "held", "RU": "sought"}[target]
						b["base_version"] = 1
						body = b
					case "POST /api/v1/auth/login":
						body = map[string]string{"login": u.login, "password": "a long enough password"}
					case "POST /api/v1/users":
						body = map[string]any{"login": "new-" + u.login + "-" + strings.ToLower(target), "role": "auditor", "password": "a long enough password"}
					case "POST /api/v1/tokens":
						body = map[string]any{"ttl_hours": 1}
					case "POST /api/v1/auth/enrol":
						body = map[string]any{"login": u.login, "code": "NOT-A-CODE", "password": "a long enough password"}
					case "POST /api/v1/auth/reset":
						body = map[string]any{"login": u.login, "code": "NOT-A-CODE", "password": "a long enough password"}
					case "POST /api/v1/me/password":
						body = map[string]any{"current": "not the password", "new": "another long password"}
					case "POST /api/v1/users/{login}/codes":
						body = map[string]any{"purpose": "reset"}
					case "POST /api/v1/log/keys/{name}/confirm":
						body = map[string]any{}
					case "POST /api/v1/log/keys/{name}/revoke":
						body = map[string]any{"reason": "matrix"}
					case "GET /api/v1/log/proof/inclusion":
						path += "?index=0"
					case "GET /api/v1/log/proof/consistency":
						path += fmt.Sprintf("?from=%d", cpc.Size)
					case "POST /api/v1/log/cosignatures":
						body = map[string]any{"size": cpc.Size, "line": cosig}
					case "POST /api/v1/exchanges":
						body = map[string]any{"name": "x", "parties": []string{"UA", "RU"}, "crossings": []string{"b"},
							"terms": map[string]any{"kind": "numeric", "total": 1, "rules": []any{map[string]any{"id": "m", "category": "military"}}}}
					case "POST /api/v1/exchanges/{id}/lists/{kind}":
						body = map[string]any{"items": []any{}, "reason": "matrix"}
					case "POST /api/v1/exchanges/{id}/lists/{party}/{kind}/answers":
						body = map[string]any{"version": 1, "answers": []any{map[string]any{"record_id": offered[target], "answer": "query", "reason": "which unit?"}}}
					case "POST /api/v1/records/{id}/evidence":
						body = map[string]any{}
					case "POST /api/v1/records/{id}/custody":
						body = map[string]any{"kind": "captured", "date": "01.03.2025", "place": "Матриця"}
					case "POST /api/v1/backlog/{id}/flags":
						body = map[string]any{"marks": []string{"wounded"}}
					case "POST /api/v1/exchanges/{id}/interviews":
						body = map[string]any{"record_id": offered[target], "at": "2026-01-05T10:00:00Z", "place": "колонія", "interviewer": "J. Delegate",
							"organisation": "ICRC", "outcome": "wishes_return"}
					case "POST /api/v1/cases":
						body = map[string]any{"record": caseRecs[target]}
					case "POST /api/v1/cases/{id}/steps":
						body = map[string]any{"kind": "contact", "contact": map[string]any{"mode": "call", "date": "01.12.2026", "with": "мати"}}
					case "POST /api/v1/exchanges/{id}/agreement":
						body = map[string]any{"plan": map[string]any{"stages": []any{}}}
					case "POST /api/v1/exchanges/{id}/agreement/signatures":
						body = map[string]any{"version": 1, "line": "— x y"}
					case "POST /api/v1/log/keys":
						_, vk, _ := audit.GenerateKey(fmt.Sprintf("w-%s-%s", u.login, target))
						side := target
						if u.party == "" {
							side = "" // a mediator user proposes for the mediator
						}
						body = map[string]any{"vkey": vk, "party": side, "purpose": "witness"}
					}
					var st int
					var b []byte
					if key == "POST /api/v1/imports" {
						st, b = e.upload(u.login, importForm(target, "held"), "matrix.csv", matrixCSV)
					} else if key == "POST /api/v1/cases/import" {
						st, b = e.uploadTo("/api/v1/cases/import", u.login, nil, "enquiries.csv",
							[]byte("record;enquirer;relationship;date\n"+caseRecs[target]+";Матриця Ганна;мати;01.12.2026\n"))
					} else if rt.UI {
						uiID := recs[target]
						if strings.HasPrefix(rt.Path, "/exchanges/{id}") {
							uiID = ex.ID
						}
						if strings.HasPrefix(rt.Path, "/cases/{id}") {
							uiID = cases[target]
						}
						if key == "POST /cases" {
							uiID = caseRecs[target]
						}
						st, b = e.uiMatrixRequest(u.login, key, target, uiID)
					} else {
						st, b = e.do(u.login, rt.Method, path, body)
					}
					denied := st == 403 || st == 404 || st == 401
					if key == "POST /api/v1/auth/login" || key == "POST /api/v1/auth/enrol" || key == "POST /api/v1/auth/reset" ||
						key == "POST /enrol" || key == "POST /reset" {
						denied = st == 403 // public: a wrong code or a missing second factor is the handler's 401
					}
					if key == "POST /api/v1/me/logout-all" || key == "POST /logout/all" || key == "POST /api/v1/users/{login}/codes" {
						// Ended every token of the caller (or of spare): mint
						// a new one for the routes after.
						e.tokens[u.login] = mintToken(t, db, u.login)
					}
					if key == "DELETE /api/v1/me/tokens/{id}" || key == "DELETE /api/v1/tokens/{id}" ||
						key == "POST /admin/tokens/{id}/revoke" || key == "GET /matching/runs/{id}" || key == "POST /matching/decide" ||
						key == "GET /matching/jobs/{id}" {
						// No such token: allowed callers get 404 from the
						// handler, denied ones 403 before it.
						denied = st == 403
					}
					if strings.HasPrefix(key, "GET /api/v1/exchanges/{id}/agreement") || key == "POST /api/v1/exchanges/{id}/agreement/signatures" ||
						strings.HasPrefix(key, "GET /exchanges/{id}/agreement") || key == "POST /exchanges/{id}/agreement/sign" {
						denied = st == 403 // no agreement yet: allowed callers get 404
					}
					if strings.Contains(key, "/stages") || strings.HasSuffix(key, "/report") || strings.HasSuffix(key, "/report/xlsx") || strings.HasSuffix(key, "/remains") {
						denied = st == 403 // no signed agreement, no stage, an empty item: allowed callers get 404, 409 or 400
					}
					if (key == "POST /api/v1/users/{login}/disable" || key == "POST /admin/users/{login}/disable") && want && st == 404 {
						denied = false // disabled already by the first call
					}
					if want == denied {
						t.Errorf("%s as %s on %s: status %d (%s), want allowed=%v", key, u.login, target, st, bytes.TrimSpace(b), want)
					}
				}
			}
		}
	})
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
