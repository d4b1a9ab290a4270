package scenario_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/scenario"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// server starts a server in this process on db, a fresh store, with the two parties and every account of scenario.Accounts (cheap
// password hashing; approvers and administrators past their second
// factor), and returns its URL and the accounts' tokens.
func server(t testing.TB, db *sqlstore.DB) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	tokens := map[string]string{}
	for _, a := range scenario.Accounts {
		u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: a.Login, Role: a.Role, Party: a.Party, Password: "a long enough password", Argon2: cheap})
		if err != nil {
			t.Fatal(err)
		}
		u.MFA = a.Role.NeedsMFA()
		if tokens[a.Login], _, err = db.CreateToken(ctx, u.Scope(), "test", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	skey, _, err := audit.GenerateKey("handover.test/scenario")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Signer: signer}).Handler())
	t.Cleanup(ts.Close)
	return ts.URL, tokens
}

func connect(t testing.TB, url string, tokens map[string]string) scenario.Clients {
	t.Helper()
	cs, err := scenario.Connect(url, tokens, scenario.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestDemo seeds the demo through the API and checks, through the API as
// each user would, what a newcomer logging in finds: registers whose
// populations overlap, a matching run each way with every planted pair
// among its undecided candidates (the mediator's backlog), a signed
// agreement whose first stage is open for the checkpoint officers, and an
// exchange in negotiation.
func TestDemo(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		url, tokens := server(t, db)
		cs := connect(t, url, tokens)
		var seeded []scenario.Seeded
		const n = 300
		res, err := scenario.Demo(ctx, cs, scenario.DemoConfig{Records: n, Seed: 1, Now: time.Now(),
			Progress: func(v any) { seeded = append(seeded, v.(scenario.Seeded)) }})
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 4*n || len(seeded) != 4 {
			t.Fatalf("seeded %d records in %d registers, want %d in 4", res.Records, len(seeded), 4*n)
		}
		// Custody: each party holds one person whose capture card is
		// overdue (GC III Art. 70), on its bureau's list and on no other.
		for _, p := range scenario.Parties {
			list, err := cs[strings.ToLower(p)+"-registrar"].CustodyOverdue(ctx, "")
			if err != nil || len(list) != 1 || list[0].Party != p || res.CustodyOverdue[p] != 1 {
				t.Errorf("%s's custody overdue: %+v, %v (seeded %v)", p, list, err, res.CustodyOverdue)
			}
		}

		// Overlapping populations: one sought person in ten is someone
		// the other party holds, and the matching run pairs each with his
		// held record, undecided.
		runs, err := cs["mediator"].MatchRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 {
			t.Fatalf("%d matching runs, want one each way", len(runs))
		}
		for _, run := range runs {
			seeker := run.SoughtParty
			reg := cs[strings.ToLower(seeker)+"-registrar"]
			page, err := reg.Records(ctx, client.Filter{Kind: string(person.Sought), Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			reported := map[string]person.Record{}
			for _, r := range page.Records {
				if r.Notes == "reported missing by the family" {
					reported[r.ID] = r
				}
			}
			if len(page.Records) != n || len(reported) != n/10 {
				t.Fatalf("%s's sought register: %d records, %d reported by families; want %d and %d", seeker, len(page.Records), len(reported), n, n/10)
			}
			cands, err := cs["mediator"].Candidates(ctx, run.ID, "", 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, c := range cands {
				if c.Status != "candidate" {
					t.Errorf("run %d: candidate %s–%s is %s: the demo decides nothing", run.ID, c.SoughtID, c.HeldID, c.Status)
				}
				s, ok := reported[c.SoughtID]
				if !ok {
					continue
				}
				h, err := cs[strings.ToLower(run.HeldParty)+"-registrar"].Record(ctx, c.HeldID)
				if err != nil {
					t.Fatal(err)
				}
				if h.Surname == s.Surname && h.GivenNames == s.GivenNames && h.BirthDate.Year == s.BirthDate.Year {
					found[c.SoughtID] = true
				}
			}
			if len(found) != len(reported) {
				t.Errorf("run %d (%s sought × %s held): %d of the %d persons the other side holds are among its %d candidates",
					run.ID, seeker, run.HeldParty, len(found), len(reported), len(cands))
			}
		}
		for _, dr := range res.Matching {
			if dr.Found != dr.Planted || dr.Undecided != dr.Candidates || dr.Planted != n/10 {
				t.Errorf("the demo reports run %d as %+v", dr.ID, dr)
			}
		}

		// One stage open: each party's officer sees it.
		if res.Signed == nil || res.Negotiation == nil {
			t.Fatalf("signed %v, negotiation %v: want both exchanges", res.Signed, res.Negotiation)
		}
		if res.Signed.State != exchange.AgreementSigned.String() || len(res.Signed.Keys) != 3 || !strings.Contains(res.Signed.Document, "— ") {
			t.Errorf("signed exchange: state %s, %d keys, document %.60q", res.Signed.State, len(res.Signed.Keys), res.Signed.Document)
		}
		for _, login := range []string{"ua-officer", "ru-officer", "mediator"} {
			stages, err := cs[login].Stages(ctx, res.Signed.ExchangeID)
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			var states []string
			for _, st := range stages {
				states = append(states, st.State)
			}
			if got := strings.Join(states, " "); got != "open planned" {
				t.Errorf("%s sees the stages of the signed exchange as %q, want %q", login, got, "open planned")
			}
		}
		// The neutral interviewed every person of the signed exchange
		// before it was frozen (GC III Art. 118); each party sees the
		// outcome and who verified it, not the interviewer's notes.
		for _, login := range []string{"ua-registrar", "ru-registrar"} {
			ivs, err := cs[login].Interviews(ctx, res.Signed.ExchangeID)
			if err != nil {
				t.Fatalf("%s's interviews: %v", login, err)
			}
			seen := 0
			for _, e := range ivs.Persons {
				if e.Latest != nil && e.Latest.Outcome == exchange.WishesReturn && e.Latest.Organisation != "" {
					seen++
				}
				if len(e.Interviews) != 0 {
					t.Errorf("%s reads the interviews of %s whole", login, e.RecordID)
				}
			}
			if seen != 2*res.Signed.Total || res.Signed.Interviewed != 2*res.Signed.Total {
				t.Errorf("%s sees %d persons verified as wishing to return, the demo says %d; want %d", login, seen, res.Signed.Interviewed, 2*res.Signed.Total)
			}
		}
		if len(res.Negotiation.Blocking) == 0 {
			t.Errorf("the exchange in negotiation has nothing blocking agreement")
		}
	})
}

// TestDemoTooFewRecords: with few records the demo leaves the exchanges
// out and says so in its result; with none it seeds only the accounts'
// world.
func TestDemoTooFewRecords(t *testing.T) {
	url, tokens := server(t, sqltest.Open(t, "sqlite"))
	cs := connect(t, url, tokens)
	res, err := scenario.Demo(context.Background(), cs, scenario.DemoConfig{Records: 0, Seed: 1, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 0 || res.Signed != nil || res.Negotiation != nil || len(res.Matching) != 0 {
		t.Errorf("no records: got %+v", res)
	}
	if _, err := scenario.Demo(context.Background(), cs, scenario.DemoConfig{Records: 10, Seed: 1}); err == nil {
		t.Errorf("a demo without its date: no error")
	}
	delete(cs, "ua-officer")
	if _, err := scenario.Demo(context.Background(), cs, scenario.DemoConfig{Records: 10, Seed: 1, Now: time.Now()}); err == nil || !strings.Contains(err.Error(), "ua-officer") {
		t.Errorf("a demo without the officer's client: got %v, want an error naming ua-officer", err)
	}
}

// TestMay2025 plays the May 2025 exchange, scaled down, on each database.
func TestMay2025(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		url, tokens := server(t, db)
		var steps []any
		p, err := scenario.NewMay2025(url, tokens, scenario.May2025Config{Scale: 0.05, Seed: 2025, Progress: func(v any) { steps = append(steps, v) }})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := p.Play(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []scenario.StageLine{
			{Stage: 1, Planned: 20, HandedOver: scenario.PartyCounts{"UA": 20, "RU": 20}, Refused: 2, NotPresented: 1, Substituted: 3, Parity: true},
			{Stage: 2, Planned: 15, HandedOver: scenario.PartyCounts{"UA": 15, "RU": 15}, Refused: 1, NotPresented: 1, Substituted: 2, Unlisted: 1, Parity: true},
			{Stage: 3, Planned: 15, HandedOver: scenario.PartyCounts{"UA": 15, "RU": 15}, Refused: 1, Substituted: 1, Parity: true},
		}
		if len(sum.Stages) != len(want) {
			t.Fatalf("%d stages, want %d", len(sum.Stages), len(want))
		}
		for i, w := range want {
			g := sum.Stages[i]
			g.Took = 0
			if g.Stage != w.Stage || g.Planned != w.Planned || g.HandedOver["UA"] != w.HandedOver["UA"] || g.HandedOver["RU"] != w.HandedOver["RU"] ||
				g.Refused != w.Refused || g.NotPresented != w.NotPresented || g.Substituted != w.Substituted || g.Unlisted != w.Unlisted || g.Parity != w.Parity {
				t.Errorf("stage %d: got %+v, want %+v", i+1, g, w)
			}
		}
		if len(steps) != 6 {
			t.Fatalf("%d progress reports, want 6 (registers, negotiation, 3 stages, aftermath)", len(steps))
		}
		reg := steps[0].(scenario.Registers)
		if reg.Sought != 5 || reg.Confirmed != 5 {
			t.Errorf("registers: %+v, want 5 sought persons, all confirmed", reg)
		}
		after := steps[5].(scenario.Aftermath)
		if after.HandedOver["UA"] != 50 || after.HandedOver["RU"] != 50 || after.Returned != 5 || after.Lookups == 0 {
			t.Errorf("aftermath: %+v, want 50 handed over a side, 5 sought persons returned, lookups made", after)
		}
		for _, f := range []string{"stage-1-UA.pdf", "stage-3-RU.pdf", "report.xlsx"} {
			if len(p.Files()[f]) == 0 {
				t.Errorf("no %s fetched", f)
			}
		}
		if err := p.MakeCheckpoint(context.Background()); err != nil {
			t.Error(err)
		}
	})
}

// TestMay2025Config: a play refuses a scale out of range and a missing
// token, before any request.
func TestMay2025Config(t *testing.T) {
	tokens := map[string]string{}
	for _, a := range scenario.May2025Accounts() {
		tokens[a.Login] = "t"
	}
	if _, err := scenario.NewMay2025("http://127.0.0.1:1", tokens, scenario.May2025Config{Scale: 2}); err == nil {
		t.Errorf("scale 2: no error")
	}
	delete(tokens, "ru-officer")
	if _, err := scenario.NewMay2025("http://127.0.0.1:1", tokens, scenario.May2025Config{}); err == nil || !strings.Contains(err.Error(), "ru-officer") {
		t.Errorf("no token for ru-officer: got %v", err)
	}
}

// BenchmarkMay2025 plays the whole May 2025 exchange (1,000 for 1,000)
// against a server in this process on SQLite and prints the time of each
// step. It prints figures and fails on nothing (STYLE.md rule 22):
//
//	go test -run '^$' -bench May2025 -benchtime 1x ./internal/scenario
func BenchmarkMay2025(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		url, tokens := server(b, sqltest.Open(b, "sqlite"))
		var steps []time.Duration
		p, err := scenario.NewMay2025(url, tokens, scenario.May2025Config{Seed: 2025, Progress: func(v any) {
			switch s := v.(type) {
			case scenario.Registers:
				steps = append(steps, s.Took)
			case scenario.Negotiated:
				steps = append(steps, s.Took)
			case scenario.StageLine:
				steps = append(steps, s.Took)
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := p.Play(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for i, name := range []string{"registers-s", "negotiation-s", "stage1-s", "stage2-s", "stage3-s"} {
			if i < len(steps) {
				b.ReportMetric(steps[i].Seconds(), name)
			}
		}
		b.StartTimer()
	}
}

// TestDemoCountsEveryCandidate: with more planted pairs than one page of
// candidates (the API's default of 100), the demo still counts every
// candidate of each run and finds every planted pair among them.
func TestDemoCountsEveryCandidate(t *testing.T) {
	url, tokens := server(t, sqltest.Open(t, "sqlite"))
	cs := connect(t, url, tokens)
	const n = 1100
	res, err := scenario.Demo(context.Background(), cs, scenario.DemoConfig{Records: n, Seed: 1, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, dr := range res.Matching {
		if dr.Planted != n/10 || dr.Found != dr.Planted || dr.Candidates < dr.Planted {
			t.Errorf("the demo reports run %d as %+v: want every one of %d planted pairs found", dr.ID, dr, n/10)
		}
	}
}
