package sqlstore_test

import (
	"context"
	"fmt"
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
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// crossingFixture is an exchange with a signed agreement of one stage of
// n soldiers a side and two reserves a side.
type crossingFixture struct {
	db     *sqlstore.DB
	scopes map[string]access.Scope
	ex     string
	held   map[string][]string // party → stage persons
	res    map[string][]string // party → reserves
	fields map[string]person.Fields
	// plan, logSigner and signers make further agreement versions
	// (amend).
	plan      exchange.StagePlan
	logSigner *sqlstore.Signer
	logKeys   *audit.Keys
	signers   map[string]note.Signer // login → signer key
	logKey    string                 // the verifier key of logSigner
}

// snPrefix is each party's service-number prefix: Cyrillic А and Р, which
// look like the Latin A and P an officer types.
var snPrefix = map[string]string{"UA": "А", "RU": "Р"}

var crossingSurnames = []string{"Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Мельник", "Лисенко", "Петренко", "Іваненко"}

func newCrossing(t testing.TB, db *sqlstore.DB, n int, sign bool) *crossingFixture {
	t.Helper()
	return newCrossingStages(t, db, n, 1, sign)
}

// newCrossingStages is newCrossing with k stages of n soldiers a side; held
// lists them stage after stage.
func newCrossingStages(t testing.TB, db *sqlstore.DB, n, k int, sign bool) *crossingFixture {
	t.Helper()
	ctx := context.Background()
	f := &crossingFixture{db: db, scopes: map[string]access.Scope{}, held: map[string][]string{}, res: map[string][]string{}, fields: map[string]person.Fields{},
		signers: map[string]note.Signer{}}
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		login, party string
		role         access.Role
	}{
		{"ua-reg", "UA", access.PartyRegistrar}, {"ru-reg", "RU", access.PartyRegistrar},
		{"ua-appr", "UA", access.PartyApprover}, {"ru-appr", "RU", access.PartyApprover},
		{"op", "", access.MediatorOperator}, {"admin", "", access.MediatorAdmin}, {"aud", "", access.Auditor},
		{"ua-officer", "UA", access.CheckpointOfficer}, {"ru-officer", "RU", access.CheckpointOfficer},
		{"med-officer", "", access.CheckpointOfficer},
	} {
		usr, err := db.CreateUser(ctx, sqlstore.NewUser{Login: u.login, Role: u.role, Party: u.party, Password: "a long enough password", Argon2: cheap})
		if err != nil {
			t.Fatal(err)
		}
		usr.MFA = true // logged in with the second factor
		f.scopes[u.login] = usr.Scope()
	}
	for pi, p := range []string{"UA", "RU"} {
		var nrs []sqlstore.NewRecord
		for i := range n*k + 2 {
			fl := person.Fields{Kind: person.Held, Category: person.Military, Status: person.StatusPOW,
				Surname: crossingSurnames[i%len(crossingSurnames)], GivenNames: []string{"Олександр", "Андрій", "Сергій", "Дмитро"}[i/len(crossingSurnames)%4],
				BirthDate: person.Date{Year: 1970 + i%30, Month: 1 + i%12, Day: 1 + i%28}, ServiceNumber: fmt.Sprintf("%s-%06d", snPrefix[p], pi*100000+i)}
			nrs = append(nrs, sqlstore.NewRecord{Party: p, Fields: fl})
		}
		recs, err := db.CreateRecords(ctx, f.scopes[strings.ToLower(p)+"-reg"], nrs)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range recs {
			f.fields[r.ID] = r.Fields
			if i < n*k {
				f.held[p] = append(f.held[p], r.ID)
			} else {
				f.res[p] = append(f.res[p], r.ID)
			}
		}
	}
	ex, err := db.OpenExchange(ctx, f.scopes["op"], exchange.Exchange{Name: "test", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: n * k, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.ex = ex.ID
	for _, p := range []string{"UA", "RU"} {
		var items []exchange.Item
		for _, id := range append(append([]string{}, f.held[p]...), f.res[p]...) {
			items = append(items, exchange.Item{RecordID: id, Category: person.Military})
		}
		if _, err := db.SubmitList(ctx, f.scopes[strings.ToLower(p)+"-reg"], ex.ID, exchange.Offer, items, nil, "offer"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"UA", "RU"} {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []exchange.Response
		for _, id := range append(append([]string{}, f.held[other]...), f.res[other]...) {
			answers = append(answers, exchange.Response{RecordID: id, Answer: exchange.Accept, Reason: "ok"})
		}
		if _, err := db.Respond(ctx, f.scopes[strings.ToLower(p)+"-reg"], ex.ID, other, exchange.Offer, 1, answers); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
	var plan exchange.StagePlan
	for j := range k {
		st := exchange.Stage{Number: j + 1, Start: day, End: day.Add(12 * time.Hour), Crossing: "border"}
		for _, p := range []string{"UA", "RU"} {
			st.Sides = append(st.Sides, exchange.StageSide{Party: p, Planned: exchange.Counts{person.Military: n}, Persons: f.held[p][j*n : (j+1)*n]})
		}
		plan.Stages = append(plan.Stages, st)
	}
	for _, p := range []string{"UA", "RU"} {
		plan.Reserve = append(plan.Reserve, exchange.ReserveList{Party: p, Persons: f.res[p]})
	}
	skey, vkey, _ := audit.GenerateKey("handover.test/log")
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if f.logKeys, err = audit.NewKeys("handover.test/log", vkey); err != nil {
		t.Fatal(err)
	}
	f.plan, f.logSigner, f.logKey = plan, signer, vkey
	ag, err := db.FreezeAgreement(ctx, f.scopes["op"], signer, ex.ID, plan)
	if err != nil {
		t.Fatal(err)
	}
	if !sign {
		return f
	}
	for _, k := range []struct{ party, login string }{{"UA", "ua-appr"}, {"RU", "ru-appr"}, {"", "op"}} {
		sk, _, _ := audit.GenerateKey("signer-" + k.login)
		sqltest.ActivateKey(t, db, sk, k.party, sqlstore.KeySigner)
		ns, _ := note.NewSigner(sk)
		f.signers[k.login] = ns
		line, err := exchange.Sign([]byte(ag.Document), ns)
		if err != nil {
			t.Fatal(err)
		}
		if ag, err = db.SignAgreement(ctx, f.scopes[k.login], ex.ID, ag.Version, line); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

var at0 = time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC)

// released is the releasing side's release of a listed person.
func released(id, side, rec string) crossing.Event {
	return crossing.Event{ID: id, Type: crossing.Released, At: at0, Side: side, RecordID: rec}
}

// received is the receiving side's receipt of a person side released.
func received(id, side, rec string) crossing.Event {
	return crossing.Event{ID: id, Type: crossing.Received, At: at0, Side: side, RecordID: rec,
		Check: crossing.IdentityCheck{Method: crossing.CheckDocument}, Health: crossing.HealthGood}
}

func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if errs.KindOf(err) != k {
		t.Fatalf("got %v (%v), want %v", errs.KindOf(err), err, k)
	}
}

// TestStageNeedsSignedAgreement: a stage runs only under a signed agreement.
func TestStageNeedsSignedAgreement(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 4, false)
		op := f.scopes["op"]
		_, err := db.OpenStage(ctx, op, f.ex, 1)
		wantKind(t, err, errs.Conflict) // not signed yet
	})
}

// TestAgreementNoWitness: a signed agreement with no witness key
// registered is not final and says why (NoWitness), rather than naming a
// sentence as the witness awaited; once a witness key is in effect, that
// witness is awaited.
func TestAgreementNoWitness(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		ag, err := db.Agreement(ctx, f.scopes["op"], f.ex, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ag.State != "signed" || ag.Final || !ag.NoWitness || len(ag.FinalMissing) != 0 {
			t.Fatalf("no witness: state %s final %v no_witness %v missing %v", ag.State, ag.Final, ag.NoWitness, ag.FinalMissing)
		}
		wsk, _, _ := audit.GenerateKey("witness-ua")
		sqltest.ActivateKey(t, db, wsk, "UA", sqlstore.KeyWitness)
		if ag, err = db.Agreement(ctx, f.scopes["op"], f.ex, 0); err != nil {
			t.Fatal(err)
		}
		if ag.Final || ag.NoWitness || len(ag.FinalMissing) != 1 || ag.FinalMissing[0] != "witness-ua" {
			t.Fatalf("a witness registered: final %v no_witness %v missing %v", ag.Final, ag.NoWitness, ag.FinalMissing)
		}
	})
}

// TestStageLifecycle runs one stage through the store: opened; handover
// events recorded once however often they are sent, with a refusal
// balanced from the reserve; closing refused without parity; closed with
// parity; every accepted event a log leaf.
func TestStageLifecycle(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 4, true)
		op, ua, ru, med := f.scopes["op"], f.scopes["ua-officer"], f.scopes["ru-officer"], f.scopes["med-officer"]
		_, err := db.OpenStage(ctx, f.scopes["ua-reg"], f.ex, 1)
		wantKind(t, err, errs.Forbidden)
		_, err = db.OpenStage(ctx, op, f.ex, 2)
		wantKind(t, err, errs.NotFound)
		v, err := db.OpenStage(ctx, op, f.ex, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != "open" || v.Report.Sides["UA"].Total.Planned != 4 || !v.Rule.Reserves {
			t.Fatalf("opened: %+v", v)
		}
		_, err = db.OpenStage(ctx, op, f.ex, 1)
		wantKind(t, err, errs.Conflict)
		size0, _ := db.LogSize(ctx)

		// A registrar records nothing; an officer records what its party does.
		_, err = db.RecordEvents(ctx, f.scopes["ua-reg"], f.ex, 1, []crossing.Event{released("e1", "UA", f.held["UA"][0])})
		wantKind(t, err, errs.Forbidden)
		queue := []crossing.Event{released("e1", "UA", f.held["UA"][0]), released("e2", "UA", f.held["UA"][1]), released("e3", "UA", f.held["UA"][2])}
		res, err := db.RecordEvents(ctx, ua, f.ex, 1, queue)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Stage.Report.Sides["UA"].Total; got.HandedOver != 0 || got.Pending != 3 {
			t.Fatalf("releases without receipts: %+v", got)
		}
		if _, err := db.RecordEvents(ctx, ru, f.ex, 1, []crossing.Event{received("r1", "UA", f.held["UA"][0]), received("r2", "UA", f.held["UA"][1]), received("r3", "UA", f.held["UA"][2])}); err != nil {
			t.Fatal(err)
		}
		// The same queue again (a retry after a dropped connection), one
		// changed event, one unknown person, and a stage move from an officer.
		changed := released("e3", "UA", f.held["UA"][3])
		bad := released("e4", "UA", "r-nobody")
		closing := crossing.Event{ID: "c1", Type: crossing.StageClosing, At: at0}
		res, err = db.RecordEvents(ctx, ua, f.ex, 1, append(queue, changed, bad, closing))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Results {
			got = append(got, r.Status+"/"+r.Kind)
		}
		want := "duplicate/ duplicate/ duplicate/ refused/conflict refused/invalid refused/forbidden"
		if strings.Join(got, " ") != want {
			t.Fatalf("answers: %s, want %s", strings.Join(got, " "), want)
		}
		if res.Stage.Report.Sides["UA"].Total.HandedOver != 3 {
			t.Fatalf("released and received: %+v", res.Stage.Report.Sides["UA"].Total)
		}
		// UA records a refusal its observer witnessed; the engine suggests a reserve.
		res, err = db.RecordEvents(ctx, ua, f.ex, 1, []crossing.Event{{ID: "x1", Type: crossing.Refused, At: at0, Side: "UA", RecordID: f.held["UA"][3], Observer: "med-officer", Reason: "declines"}})
		if err != nil || res.Results[0].Status != "applied" {
			t.Fatalf("refusal: %+v %v", res.Results, err)
		}
		if len(res.Stage.Report.Balance) != 1 || res.Stage.Report.Balance[0].Replaces != f.held["UA"][3] {
			t.Fatalf("balance: %+v", res.Stage.Report.Balance)
		}
		sub := crossing.Event{ID: "s1", Type: crossing.SubstitutedBy, At: at0, Side: "UA", RecordID: f.held["UA"][3], Reserve: f.res["UA"][0]}
		if _, err := db.RecordEvents(ctx, ua, f.ex, 1, []crossing.Event{sub}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordEvents(ctx, ru, f.ex, 1, []crossing.Event{received("s1r", "UA", f.res["UA"][0])}); err != nil {
			t.Fatal(err)
		}
		for i, id := range f.held["RU"][:3] {
			if _, err := db.RecordEvents(ctx, ru, f.ex, 1, []crossing.Event{released(fmt.Sprintf("ru%d", i), "RU", id)}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RecordEvents(ctx, ua, f.ex, 1, []crossing.Event{received(fmt.Sprintf("ru%dr", i), "RU", id)}); err != nil {
				t.Fatal(err)
			}
		}
		// The mediator's observer records no release.
		res, err = db.RecordEvents(ctx, med, f.ex, 1, []crossing.Event{released("m1", "RU", f.held["RU"][3])})
		if err != nil || res.Results[0].Status != "refused" || res.Results[0].Kind != "forbidden" {
			t.Fatalf("the observer's release: %+v %v", res.Results, err)
		}
		// Closing without parity is refused; RU owes one.
		res, err = db.RecordEvents(ctx, op, f.ex, 1, []crossing.Event{closing, {ID: "c2", Type: crossing.StageClosed, At: at0}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Results[0].Status != "applied" || res.Results[1].Status != "refused" || res.Results[1].Kind != "conflict" {
			t.Fatalf("closing without parity: %+v", res.Results)
		}
		if _, err := db.RecordEvents(ctx, ru, f.ex, 1, []crossing.Event{released("ru3", "RU", f.held["RU"][3])}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordEvents(ctx, ua, f.ex, 1, []crossing.Event{received("ru3r", "RU", f.held["RU"][3])}); err != nil {
			t.Fatal(err)
		}
		res, err = db.RecordEvents(ctx, op, f.ex, 1, []crossing.Event{{ID: "c3", Type: crossing.StageClosed, At: at0}})
		if err != nil || res.Results[0].Status != "applied" {
			t.Fatalf("closing with parity: %+v %v", res.Results, err)
		}
		s := res.Stage.Summary
		if res.Stage.State != "closed" || !s.Parity || s.HandedOver["UA"] != 4 || s.HandedOver["RU"] != 4 || s.Refused != 1 || s.Substituted != 1 {
			t.Fatalf("closed: %s %+v", res.Stage.State, s)
		}
		// Applied: e1-e3, r1-r3, x1, s1, s1r, ru0-ru2 and their receipts,
		// c1, ru3 and its receipt, c3 = 19 leaves.
		size1, _ := db.LogSize(ctx)
		if size1-size0 != 19 {
			t.Errorf("%d leaves for 19 accepted events", size1-size0)
		}
		// Another store on the same database replays the same stage.
		list, err := db.StageList(ctx, f.scopes["aud"], f.ex, 1, "UA")
		outcomes := map[string]crossing.Outcome{}
		for _, p := range list.Persons {
			outcomes[p.RecordID] = p.Outcome
		}
		if err != nil || len(list.Persons) != 6 || outcomes[f.held["UA"][3]] != crossing.OutcomeRefused || outcomes[f.res["UA"][0]] != crossing.OutcomeHandedOver || list.AgreementHash == "" {
			t.Fatalf("list: %+v %v", list, err)
		}
		all, err := db.ExchangeStages(ctx, f.scopes["ru-reg"], f.ex)
		if err != nil || len(all) != 1 || all[0].State != "closed" {
			t.Fatalf("stages: %+v %v", all, err)
		}
	})
}

// TestStageReplay checks that a second store on the same database (another
// server process, or this one after a restart) rebuilds the stage from the
// stored events, and that a stage in memory survives a failed transaction.
func TestStageReplay(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, d)
			open := func() *sqlstore.DB {
				db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			a := open()
			f := newCrossing(t, a, 3, true)
			if _, err := a.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := a.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("e1", "UA", f.held["UA"][0])}); err != nil {
				t.Fatal(err)
			}
			// A cancelled context fails the transaction: nothing is kept.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := a.RecordEvents(cctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("e2", "UA", f.held["UA"][1])}); err == nil {
				t.Fatal("recorded with a cancelled context")
			}
			b := open()
			for _, db := range []*sqlstore.DB{a, b} {
				v, err := db.Stage(ctx, f.scopes["op"], f.ex, 1)
				if err != nil {
					t.Fatal(err)
				}
				if got := v.Report.Sides["UA"].Total.Pending; got != 1 {
					t.Errorf("released %d after a failed transaction, want 1", got)
				}
			}
			// Two server processes on one database: b's stage in memory is
			// stale once a writes; b notices, replays and judges again.
			if _, err := a.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("e3", "UA", f.held["UA"][2])}); err != nil {
				t.Fatal(err)
			}
			res, err := b.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("e4", "UA", f.held["UA"][2]), released("e5", "UA", f.held["UA"][1])})
			if err != nil {
				t.Fatal(err)
			}
			if res.Results[0].Status != "refused" || res.Results[1].Status != "applied" || res.Stage.Report.Sides["UA"].Total.Pending != 3 {
				t.Fatalf("b after a wrote: %+v, released %d", res.Results, res.Stage.Report.Sides["UA"].Total.Pending)
			}
		})
	}
}

// TestReserveOncePerExchange: the reserve list serves every stage, but a
// reserve crosses once.
func TestReserveOncePerExchange(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossingStages(t, db, 2, 2, true)
		for k := 1; k <= 2; k++ {
			if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, k); err != nil {
				t.Fatal(err)
			}
		}
		for k, rec := range []string{f.held["UA"][0], f.held["UA"][2]} {
			sub := crossing.Event{ID: fmt.Sprintf("sub-%d", k), Type: crossing.SubstitutedBy, At: at0, Side: "UA", RecordID: rec, Reserve: f.res["UA"][0]}
			res, err := db.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, k+1, []crossing.Event{
				{ID: fmt.Sprintf("np-%d", k), Type: crossing.NotPresented, At: at0, Side: "UA", RecordID: rec}, sub})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"applied", "applied"}
			if k == 1 {
				want[1] = "refused"
			}
			if res.Results[0].Status != want[0] || res.Results[1].Status != want[1] {
				t.Errorf("stage %d: %+v, want %v", k+1, res.Results, want)
			}
		}
	})
}

// TestLookup finds persons of a stage by service number in either script,
// by record id and by name in Latin letters.
func TestLookup(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 20, true)
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		target := f.held["RU"][7]
		fl := f.fields[target]
		officer := f.scopes["ua-officer"]
		// The number as printed (Cyrillic Р), as an officer types it off the
		// paper on a Latin keyboard (the matcher folds it the same way), and
		// without its dash in lower case.
		latinSN := strings.Replace(fl.ServiceNumber, "Р", "P", 1)
		for _, q := range []string{fl.ServiceNumber, latinSN, strings.ToLower(strings.ReplaceAll(latinSN, "-", "")), target, names.Latin(fl.Surname + " " + fl.GivenNames), fl.Surname + " " + fl.GivenNames} {
			start := time.Now()
			hits, err := db.Lookup(ctx, officer, f.ex, 1, q, 10)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range hits {
				found = found || h.RecordID == target
			}
			if !found {
				t.Errorf("lookup %q: %d hits, not %s", q, len(hits), target)
			}
			t.Logf("lookup %q: %d hits in %v", q, len(hits), time.Since(start))
		}
		_, err := db.Lookup(ctx, f.scopes["sys"], f.ex, 1, "x", 10)
		wantKind(t, err, errs.Forbidden)
	})
}

// TestTrace follows one of UA's sought persons from the report to home,
// and checks that only UA's bureau sees it.
func TestTrace(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, true)
		heldID := f.held["RU"][0]
		fl := f.fields[heldID]
		fl.Kind, fl.Status = person.Sought, person.StatusMissing
		sought, err := db.CreateRecord(ctx, f.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: fl})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveMatchRun(ctx, f.scopes["op"], sqlstore.MatchRun{SoughtParty: "UA", HeldParty: "RU", Threshold: 0.5},
			[]match.Pair{{LeftID: sought.ID, RightID: heldID, Score: 0.99, Weight: 20}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideMatch(ctx, f.scopes["op"], sought.ID, heldID, "confirm", "same person"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordEvents(ctx, f.scopes["ru-officer"], f.ex, 1, []crossing.Event{released("e1", "RU", heldID)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{received("e1r", "RU", heldID)}); err != nil {
			t.Fatal(err)
		}
		tr, err := db.Trace(ctx, f.scopes["ua-reg"], sought.ID)
		if err != nil {
			t.Fatal(err)
		}
		var path []string
		for _, h := range tr.Trace.History {
			path = append(path, h.Status.String())
		}
		want := "reported confirmed_captive listed agreed returned in_stage"
		if got := strings.Join(sortedStrings(path), " "); got != strings.Join(sortedStrings(strings.Fields(want)), " ") {
			t.Fatalf("history %v, want the statuses %s", path, want)
		}
		if tr.Trace.Status != crossing.TraceReturned && tr.Trace.Status != crossing.TraceInStage {
			t.Errorf("status %s", tr.Trace.Status)
		}
		// Nobody else sees UA's sought persons.
		_, err = db.Trace(ctx, f.scopes["ru-reg"], sought.ID)
		wantKind(t, err, errs.NotFound)
		_, err = db.Trace(ctx, f.scopes["op"], sought.ID)
		wantKind(t, err, errs.NotFound)
		_, err = db.TraceChanges(ctx, f.scopes["op"], time.Time{})
		wantKind(t, err, errs.Forbidden)
		// By name in Latin letters and birth year.
		hits, err := db.TraceSearch(ctx, f.scopes["ua-reg"], names.Latin(fl.Surname+" "+fl.GivenNames), fmt.Sprint(fl.BirthDate.Year), 10)
		if err != nil || len(hits) != 1 || hits[0].RecordID != sought.ID {
			t.Fatalf("search: %+v %v", hits, err)
		}
		hits, _ = db.TraceSearch(ctx, f.scopes["ua-reg"], fl.Surname, "1800", 10)
		if len(hits) != 0 {
			t.Errorf("a wrong birth year finds %d", len(hits))
		}
		changes, err := db.TraceChanges(ctx, f.scopes["ua-reg"], time.Time{})
		if err != nil || len(changes) != 6 {
			t.Fatalf("changes: %d %v", len(changes), err)
		}
	})
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestRemains records a batch of remains with many-to-many packages, an
// identification, and checks idempotency and the summary.
func TestRemains(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 1, false)
		op := f.scopes["op"]
		items := []sqlstore.RemainsInput{
			{Kind: "batch", Batch: &crossing.Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: at0, Declared: 2}},
			{Kind: "package", Package: &crossing.Package{ID: "p1", Batch: "b1", Tag: "RU-0001"}},
			{Kind: "package", Package: &crossing.Package{ID: "p2", Batch: "b1", Tag: "RU-0002"}},
			{Kind: "remains", Remains: &crossing.Remains{ID: "m1", Batch: "b1", Claim: crossing.Claim{Side: "UA"}, Packages: []string{"p1", "p2"}}},
			{Kind: "remains", Remains: &crossing.Remains{ID: "m2", Batch: "b1", Claim: crossing.Claim{Side: "UA"}, Packages: []string{"p2"}}},
			{Kind: "identification", Identification: &crossing.Identification{ID: "i1", Remains: "m1", Status: crossing.IDConfirmed, Method: crossing.MethodDNA, Examiner: "lab-1", At: at0, Side: "UA", RecordID: f.held["UA"][0]}},
		}
		var v sqlstore.RemainsView
		var err error
		for _, in := range items {
			if v, err = db.RecordRemains(ctx, op, f.ex, in); err != nil {
				t.Fatalf("%s: %v", in.Kind, err)
			}
		}
		size, _ := db.LogSize(ctx)
		if _, err := db.RecordRemains(ctx, op, f.ex, items[0]); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.LogSize(ctx); again != size {
			t.Error("the same batch again was logged")
		}
		other := *items[0].Batch
		other.Declared = 3
		_, err = db.RecordRemains(ctx, op, f.ex, sqlstore.RemainsInput{Kind: "batch", Batch: &other})
		wantKind(t, err, errs.Conflict)
		_, err = db.RecordRemains(ctx, f.scopes["ua-officer"], f.ex, items[0])
		wantKind(t, err, errs.Forbidden)
		if len(v.Remains) != 2 || v.Remains[0].Status != crossing.IDConfirmed || len(v.Summary) == 0 {
			t.Fatalf("view: %+v", v)
		}
		got, err := db.Remains(ctx, f.scopes["aud"], f.ex)
		if err != nil || len(got.Remains) != 2 {
			t.Fatalf("remains: %+v %v", got, err)
		}
	})
}

// BenchmarkHandoverCrossings records handover events one by one (as an
// online checkpoint laptop sends them) at 4 crossings at once, each its own
// stage, and reports events per second and the latency percentiles. With
// HANDOVER_BENCH_RATE set (events per second over all four crossings, e.g.
// 200) the crossings are paced to that rate; otherwise they record as fast
// as they can. Each event is a transaction with its row and log leaf.
//
//	go test -run '^$' -bench HandoverCrossings -benchtime 2000x ./internal/sqlstore/
//	HANDOVER_BENCH_RATE=200 go test -run '^$' -bench HandoverCrossings -benchtime 2000x ./internal/sqlstore/
func BenchmarkHandoverCrossings(b *testing.B) {
	const crossings, perSide = 4, 1000
	db := sqltest.Open(b, "sqlite")
	f := newCrossingStages(b, db, perSide, crossings, true)
	ctx := context.Background()
	for k := 1; k <= crossings; k++ {
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, k); err != nil {
			b.Fatal(err)
		}
	}
	if b.N > crossings*2*perSide {
		b.Skipf("b.N %d is more than the %d events of UA's persons of the stages", b.N, crossings*2*perSide)
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
				rec := f.held["UA"][k*perSide+i/2]
				officer, e := f.scopes["ua-officer"], released(fmt.Sprintf("b%d-%d", k, i), "UA", rec)
				if i%2 == 1 {
					officer, e = f.scopes["ru-officer"], received(fmt.Sprintf("b%d-%d", k, i), "UA", rec)
				}
				if tick != nil {
					<-tick.C
				}
				t0 := time.Now()
				res, err := db.RecordEvents(ctx, officer, f.ex, k+1, []crossing.Event{e})
				if err != nil || res.Results[0].Status != "applied" {
					b.Errorf("event %d at crossing %d: %v %+v", i, k, err, res.Results)
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

// BenchmarkRecordEvent10k records one event at a time in a stage of 10,000
// persons a side: each answer carries the parity report recomputed over
// the 20,000 persons of the stage.
func BenchmarkRecordEvent10k(b *testing.B) {
	const perSide = 10000
	db := sqltest.Open(b, "sqlite")
	f := newCrossing(b, db, perSide, true)
	ctx := context.Background()
	if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
		b.Fatal(err)
	}
	if b.N > 2*perSide {
		b.Skipf("b.N %d is more than the events of UA's persons", b.N)
	}
	b.ResetTimer()
	for i := range b.N {
		rec := f.held["UA"][i/2]
		officer, e := f.scopes["ua-officer"], released(fmt.Sprintf("e%d", i), "UA", rec)
		if i%2 == 1 {
			officer, e = f.scopes["ru-officer"], received(fmt.Sprintf("e%d", i), "UA", rec)
		}
		res, err := db.RecordEvents(ctx, officer, f.ex, 1, []crossing.Event{e})
		if err != nil || res.Results[0].Status != "applied" {
			b.Fatalf("event %d: %v", i, err)
		}
	}
}

// BenchmarkLookup10k is the officer's lookup by name in Latin letters in a
// stage of 10,000 persons a side.
func BenchmarkLookup10k(b *testing.B) {
	const perSide = 10000
	db := sqltest.Open(b, "sqlite")
	f := newCrossing(b, db, perSide, true)
	ctx := context.Background()
	if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
		b.Fatal(err)
	}
	target := f.fields[f.held["RU"][4321]]
	q := names.Latin(target.Surname + " " + target.GivenNames)
	b.ResetTimer()
	for range b.N {
		if _, err := db.Lookup(ctx, f.scopes["ua-officer"], f.ex, 1, q, 20); err != nil {
			b.Fatal(err)
		}
	}
}
