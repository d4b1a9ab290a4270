package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/synth"
	"github.com/handover-project/handover/internal/web"
)

const demoUsage = `
Usage: handover demo [--dir DIR] [--listen ADDR] [--records N] [--seed S] [--no-serve]

Creates a throw-away data directory (a new temporary one unless --dir is
given), initialises it with two parties (UA, RU), one user per role and a
synthetic population (N held and N sought records per party, Ukrainian and
Russian names in Cyrillic with a share of Latin spellings), then starts the
server and prints the URL and how to log in. Every demo user enrols the
way a person does, with the one-time code its account was made with; their
credentials (password, the second factor's TOTP secret for approvers, the
administrator and a second approver and operator, and an API token each)
are written to DIR/demo-credentials.json.

It also makes two exchanges between UA and RU: one in negotiation (offer
lists answered in part: accepted, queried, rejected, refused, one struck in
a second version) and one signed agreement (50 for 50 with 10 civilians, in
2 stages), signed by a UA approver key, an RU approver key and a mediator
key that the demo generates into DIR/keys/; each is proposed by one person
of its side and confirmed by a second (ua-approver and ua-approver-2, …),
as the two-person rule asks (DIR/keys/README says what is there and how to
check the agreement offline). With too few
--records the exchanges are smaller, or left out.
Running it again on the same --dir serves the existing demo.

Example:
  go run ./cmd/handover demo
  handover demo --dir /tmp/demo --listen 127.0.0.1:8080 --records 5000
`

// demoUser is one entry of demo-credentials.json.
type demoUser struct {
	Login    string      `json:"login"`
	Role     access.Role `json:"role"`
	Party    *string     `json:"party"`
	Password string      `json:"password"`
	// TOTPSecret is the second factor's secret of a role that needs one:
	// add it to an authenticator app to log in on the pages.
	TOTPSecret string `json:"totp_secret,omitempty"`
	Token      string `json:"token"`
}

type demoCredentials struct {
	URL   string     `json:"url"`
	Users []demoUser `json:"users"`
}

var demoAccounts = []struct {
	login string
	role  access.Role
	party string
}{
	{"admin", access.MediatorAdmin, ""},
	{"mediator", access.MediatorOperator, ""},
	{"ua-registrar", access.PartyRegistrar, "UA"},
	{"ua-approver", access.PartyApprover, "UA"},
	{"ua-approver-2", access.PartyApprover, "UA"},
	{"ua-officer", access.CheckpointOfficer, "UA"},
	{"ru-registrar", access.PartyRegistrar, "RU"},
	{"ru-approver", access.PartyApprover, "RU"},
	{"ru-approver-2", access.PartyApprover, "RU"},
	{"mediator-2", access.MediatorOperator, ""},
	{"ru-officer", access.CheckpointOfficer, "RU"},
	{"mediator-officer", access.CheckpointOfficer, ""},
	{"auditor", access.Auditor, ""},
	{"sysadmin", access.Sysadmin, ""},
}

const credentialsFile = "demo-credentials.json"

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("demo", demoUsage)
	dir := fs.String("dir", "", "data directory (default: a new temporary directory)")
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	n := fs.Int("records", 2000, "held and sought records per party")
	seed := fs.Uint64("seed", 1, "seed of the synthetic population")
	noServe := fs.Bool("no-serve", false, "seed and exit without starting the server")
	logFormat := fs.String("log-format", "text", "request log format: text or json")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 0 || *n > 1_000_000 {
		return usageError{"--records must be between 0 and 1000000"}
	}
	logger, err := m.logger(*logFormat)
	if err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "handover-demo-")
		if err != nil {
			return errs.E("demo", errs.Internal, err)
		}
		*dir = d
	}
	sf := &storeFlags{dir: *dir}
	db, err := m.open(ctx, sf, true)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := m.logConfig(*dir, "handover.demo/log", true)
	if err != nil {
		return err
	}
	credPath := filepath.Join(*dir, credentialsFile)
	creds, err := loadOrSeedDemo(ctx, m, db, cfg, credPath, *n, *seed)
	if err != nil {
		return err
	}
	if *noServe {
		fmt.Fprintf(m.Stdout, "demo data in %s; credentials in %s\n", *dir, credPath)
		return writeCredentials(credPath, creds)
	}
	return m.serve(ctx, db, logger, *listen, cfg, func(url string) {
		creds.URL = url
		if err := writeCredentials(credPath, creds); err != nil {
			logger.Error("cannot write the demo credentials", "err", err)
		}
		fmt.Fprintf(m.Stdout, "\nhandover demo is running at %s\n\n", url)
		for _, u := range creds.Users {
			if u.Login == "ua-registrar" || u.Login == "mediator" {
				fmt.Fprintf(m.Stdout, "Open %s/login in a browser and log in as %s with password %s\n", url, u.Login, u.Password)
			}
		}
		fmt.Fprintf(m.Stdout, "(approvers and the administrator also give a second-factor code: add their totp_secret from the credentials file to an authenticator app)\n\n")
		fmt.Fprintf(m.Stdout, "Data directory: %s\nCredentials (password, second-factor secret and API token of every user): %s\n\n", *dir, credPath)
		fmt.Fprintf(m.Stdout, "Try, in another terminal:\n")
		for _, u := range creds.Users {
			if u.Login == "ua-registrar" {
				fmt.Fprintf(m.Stdout, "  export HANDOVER_SERVER=%s HANDOVER_TOKEN=%s\n", url, u.Token)
				fmt.Fprintf(m.Stdout, "  go run ./cmd/handover record list --kind sought --q Ковальчук\n")
				fmt.Fprintf(m.Stdout, "  go run ./cmd/handover exchange list\n")
				fmt.Fprintf(m.Stdout, "  go run ./cmd/handover exchange view EXCHANGE_ID\n")
				fmt.Fprintf(m.Stdout, "  curl -H \"Authorization: Bearer $HANDOVER_TOKEN\" %s/api/v1/records?limit=3\n\n", url)
			}
		}
		fmt.Fprintf(m.Stdout, "Press Ctrl-C to stop.\n\n")
	})
}

func writeCredentials(path string, c demoCredentials) error {
	b, _ := json.MarshalIndent(c, "", "  ")
	if err := writeFileAtomic(path, append(b, '\n'), 0o600); err != nil {
		return errs.E("demo", errs.Internal, fmt.Sprintf("cannot write %s", path), err)
	}
	return nil
}

// loadOrSeedDemo returns the credentials of an existing demo in the
// directory, or seeds a new one.
func loadOrSeedDemo(ctx context.Context, m *Main, db *sqlstore.DB, cfg web.Config, credPath string, n int, seed uint64) (demoCredentials, error) {
	var creds demoCredentials
	parties, err := db.Parties(ctx)
	if err != nil {
		return creds, err
	}
	if len(parties) > 0 {
		b, err := os.ReadFile(credPath)
		if err != nil {
			return creds, errs.E("demo", errs.Invalid, fmt.Sprintf("%s holds data but no %s: it is not a demo directory; choose another --dir", filepath.Dir(credPath), credentialsFile))
		}
		if err := json.Unmarshal(b, &creds); err != nil {
			return creds, errs.E("demo", errs.Invalid, fmt.Sprintf("%s is damaged: %v", credPath, err))
		}
		fmt.Fprintf(m.Stdout, "using the existing demo in %s\n", filepath.Dir(credPath))
		return creds, nil
	}
	start := time.Now()
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			return creds, err
		}
	}
	// Each account enrols as a person does; in parallel: argon2id is meant
	// to be slow.
	users := make([]demoUser, len(demoAccounts))
	errc := make([]error, len(demoAccounts))
	var wg sync.WaitGroup
	for i, a := range demoAccounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			users[i], errc[i] = enrolAccount(ctx, db, a.login, a.role, a.party, access.Argon2Params{}, 30*24*time.Hour)
		}()
	}
	wg.Wait()
	for _, err := range errc {
		if err != nil {
			return creds, err
		}
	}
	creds.Users = users
	gen := synth.New(synth.Config{Seed: seed, Ref: db.Now()})
	total := 0
	held := map[string][]person.Record{}
	for _, party := range []string{"UA", "RU"} {
		reg, err := db.UserByLogin(ctx, map[string]string{"UA": "ua-registrar", "RU": "ru-registrar"}[party])
		if err != nil {
			return creds, err
		}
		for _, kind := range []person.Kind{person.Held, person.Sought} {
			fields := gen.Records(party, kind, n)
			for start := 0; start < len(fields); start += 5000 {
				part := fields[start:min(start+5000, len(fields))]
				nrs := make([]sqlstore.NewRecord, len(part))
				for i, f := range part {
					nrs[i] = sqlstore.NewRecord{Party: party, Fields: f, Source: "demo: synthetic population", Ref: fmt.Sprintf("seed %d", seed)}
				}
				recs, err := db.CreateRecords(ctx, reg.Scope(), nrs)
				if err != nil {
					return creds, err
				}
				if kind == person.Held {
					held[party] = append(held[party], recs...)
				}
			}
			total += len(fields)
			fmt.Fprintf(m.Stdout, "seeded %d %s records of %s\n", len(fields), kind, party)
		}
	}
	if err := seedDemoExchanges(ctx, m, db, cfg, filepath.Dir(credPath), held); err != nil {
		return creds, err
	}
	fmt.Fprintf(m.Stdout, "demo seeded: 2 parties, %d users, %d records in %.1fs\n", len(users), total, time.Since(start).Seconds())
	return creds, nil
}

// enrolAccount makes an account as the administrator does (with a
// one-time enrolment code) and enrols it as its person does: a generated
// password and, for a role that needs one, a second factor whose current
// code the person types; then mints the person's own API token, valid for
// ttl, after that login. It returns the credentials, for the demo's file.
func enrolAccount(ctx context.Context, db *sqlstore.DB, login string, role access.Role, party string, argon access.Argon2Params, ttl time.Duration) (demoUser, error) {
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: login, Role: role, Party: party})
	if err != nil {
		return demoUser{}, err
	}
	du := demoUser{Login: login, Role: role, Password: newPassword()}
	if party != "" {
		du.Party = &party
	}
	e := sqlstore.Enrolment{Login: login, Code: u.Enrolment.Code, Password: du.Password, Argon2: argon}
	if role.NeedsMFA() {
		if du.TOTPSecret, err = access.NewTOTPSecret(login); err != nil {
			return demoUser{}, err
		}
		e.TOTPSecret = du.TOTPSecret
		if e.TOTPCode, err = access.TOTPCode(du.TOTPSecret, db.Now()); err != nil {
			return demoUser{}, err
		}
	}
	if u, err = db.Enrol(ctx, e); err != nil {
		return demoUser{}, err
	}
	// The person has just passed the second factor (at enrolment).
	u.MFA = role.NeedsMFA()
	if du.Token, _, err = db.CreateToken(ctx, u.Scope(), "demo", ttl); err != nil {
		return demoUser{}, err
	}
	return du, nil
}

// demoSigners are the agreement signer keys the demo generates: one per
// role, proposed by one person of the role's side and confirmed by a
// second, and used to sign the demo agreement. The private keys lie in
// DIR/keys/ for a newcomer to try 'handover sign' with: demo keys, never
// real ones.
var demoSigners = []struct {
	file, name, party, login, second string
}{
	{"ua-approver", "UA-approver-demo", "UA", "ua-approver", "ua-approver-2"},
	{"ru-approver", "RU-approver-demo", "RU", "ru-approver", "ru-approver-2"},
	{"mediator", "mediator-demo", "", "mediator", "mediator-2"},
}

// seedDemoExchanges makes the demo's two exchanges from the held records
// just seeded (by party): one signed agreement and one negotiation in
// progress, each through the store with the demo users' scopes as the API
// would. With too few records it makes them smaller, or skips them with a
// note.
func seedDemoExchanges(ctx context.Context, m *Main, db *sqlstore.DB, cfg web.Config, dir string, held map[string][]person.Record) error {
	parties := [2]string{"UA", "RU"}
	scope := map[string]access.Scope{}
	for _, a := range demoAccounts {
		u, err := db.UserByLogin(ctx, a.login)
		if err != nil {
			return err
		}
		// The demo acts as its people, who enrolled with their second
		// factor just now.
		u.MFA = a.role.NeedsMFA()
		scope[a.login] = u.Scope()
	}
	registrar := map[string]string{"UA": "ua-registrar", "RU": "ru-registrar"}
	// Candidates: prisoners of war and detained civilians, nobody
	// convicted, deceased or seriously wounded (they need more evidence).
	mil, civ := map[string][]person.Record{}, map[string][]person.Record{}
	for _, p := range parties {
		for _, r := range held[p] {
			switch {
			case r.Category == person.Military && r.Status == person.StatusPOW:
				mil[p] = append(mil[p], r)
			case r.Category == person.Civilian && (r.Status == person.StatusDetainedCivilian || r.Status == person.StatusCivilianInternee):
				civ[p] = append(civ[p], r)
			}
		}
	}
	nMil := min(len(mil["UA"]), len(mil["RU"]))
	nCiv := min(len(civ["UA"]), len(civ["RU"]))
	// The signed exchange takes up to 40 soldiers and 10 civilians a side
	// (two thirds of what there is at most), the negotiation up to 20 and 4
	// of the rest.
	sMil, sCiv := min(40, nMil*2/3), min(10, nCiv*2/3)
	nMil, nCiv = min(20, nMil-sMil), min(4, nCiv-sCiv)
	if sMil+sCiv < 2 {
		fmt.Fprintf(m.Stdout, "note: too few held records for the demo exchanges (give --records 200 or more); none made\n")
		return nil
	}
	if sMil < 40 || sCiv < 10 {
		fmt.Fprintf(m.Stdout, "note: few held records: the signed exchange is %d for %d instead of 50 for 50\n", sMil+sCiv, sMil+sCiv)
	}
	now := db.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	crossing := "Belarus–Ukraine border"

	// offer submits party's offer list of the given records.
	offer := func(exID, party string, recs []person.Record, removed []exchange.Removal, reason string) (exchange.ListVersion, error) {
		items := make([]exchange.Item, len(recs))
		for i, r := range recs {
			items[i] = exchange.Item{RecordID: r.ID, Category: r.Category}
		}
		sub, err := db.SubmitList(ctx, scope[registrar[party]], exID, exchange.Offer, items, removed, reason)
		return sub.List, err
	}
	consent := func(party string, recs []person.Record) error {
		for _, r := range recs {
			ev := exchange.Evidence{Consent: []exchange.Consent{{Kind: exchange.ConsentGiven, Date: day.AddDate(0, 0, -3), Witness: "ICRC delegate (demo)"}}}
			if err := db.SetEvidence(ctx, scope[registrar[party]], r.ID, ev); err != nil {
				return err
			}
		}
		return nil
	}

	// 1. The signed agreement.
	signed := exchange.Exchange{Name: fmt.Sprintf("Demo: %d for %d, signed", sMil+sCiv, sMil+sCiv), Parties: parties, Crossings: []string{crossing},
		From: day.AddDate(0, 0, 7), To: day.AddDate(0, 0, 8),
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: sMil + sCiv,
			Conditions: []exchange.Condition{{ID: "third-country", Text: "a civilian may choose to stay in a third country"}}}}
	if sMil > 0 {
		signed.Terms.Rules = append(signed.Terms.Rules, exchange.Rule{ID: "mil", Category: person.Military})
	}
	if sCiv > 0 {
		signed.Terms.Rules = append(signed.Terms.Rules, exchange.Rule{ID: "civ", Category: person.Civilian, Count: sCiv})
	}
	ex, err := db.OpenExchange(ctx, scope["mediator"], signed)
	if err != nil {
		return err
	}
	chosen := map[string][]person.Record{}
	for _, p := range parties {
		chosen[p] = append(slicesClone(mil[p][:sMil]), civ[p][:sCiv]...)
		if err := consent(p, civ[p][:sCiv]); err != nil {
			return err
		}
		if _, err := offer(ex.ID, p, chosen[p], nil, "first list"); err != nil {
			return err
		}
	}
	for _, p := range parties {
		other, _ := ex.Other(p)
		answers := make([]exchange.Response, len(chosen[p]))
		for i, r := range chosen[p] {
			answers[i] = exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "identity and eligibility confirmed"}
		}
		if _, err := db.Respond(ctx, scope[registrar[other]], ex.ID, p, exchange.Offer, 1, answers); err != nil {
			return err
		}
	}
	// Two stages when there is enough to split, each pairing up per category.
	var plan exchange.StagePlan
	split := [][2]int{{0, 1}}
	if sMil+sCiv >= 4 {
		split = [][2]int{{0, 2}, {1, 2}}
	}
	for si, sp := range split {
		st := exchange.Stage{Number: si + 1, Crossing: crossing,
			Start: signed.From.AddDate(0, 0, si).Add(8 * time.Hour), End: signed.From.AddDate(0, 0, si).Add(18 * time.Hour)}
		for _, p := range parties {
			side := exchange.StageSide{Party: p, Planned: exchange.Counts{}}
			for _, group := range [][]person.Record{mil[p][:sMil], civ[p][:sCiv]} {
				// Stage k of n takes the k-th share of each category.
				lo, hi := len(group)*sp[0]/sp[1], len(group)*(sp[0]+1)/sp[1]
				for _, r := range group[lo:hi] {
					side.Persons = append(side.Persons, r.ID)
					side.Planned[r.Category]++
				}
			}
			st.Sides = append(st.Sides, side)
		}
		plan.Stages = append(plan.Stages, st)
	}
	ag, err := db.FreezeAgreement(ctx, scope["mediator"], cfg.Signer, ex.ID, plan)
	if err != nil {
		return err
	}
	keyDir := filepath.Join(dir, "keys")
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return errs.E("demo", errs.Internal, err)
	}
	var signersFile strings.Builder
	signersFile.WriteString("# Agreement signer keys of the demo: <role> <verifier key>. See README.\n")
	doc := []byte(ag.Document)
	for _, k := range demoSigners {
		skey, vkey, err := audit.GenerateKey(k.name)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(keyDir, k.file+".key"), []byte(skey+"\n"), 0o600); err != nil {
			return errs.E("demo", errs.Internal, err)
		}
		if err := writeFileAtomic(filepath.Join(keyDir, k.file+".pub"), []byte(vkey+"\n"), 0o600); err != nil {
			return errs.E("demo", errs.Internal, err)
		}
		if _, err := db.ProposeKey(ctx, scope[k.login], sqlstore.KeyProposal{VKey: vkey, Party: k.party, Purpose: sqlstore.KeySigner}); err != nil {
			return err
		}
		if _, err := db.ConfirmKey(ctx, scope[k.second], k.name, ""); err != nil {
			return err
		}
		role := k.party
		if role == "" {
			role = exchange.Mediator
		}
		fmt.Fprintf(&signersFile, "%s %s\n", role, vkey)
		signer, err := note.NewSigner(skey)
		if err != nil {
			return errs.E("demo", errs.Internal, err)
		}
		line, err := exchange.Sign(doc, signer)
		if err != nil {
			return err
		}
		if ag, err = db.SignAgreement(ctx, scope[k.login], ex.ID, ag.Version, line); err != nil {
			return err
		}
	}
	agPath := filepath.Join(dir, fmt.Sprintf("agreement-%s-v%d.txt", ex.ID, ag.Version))
	files := map[string][]byte{
		agPath:                               []byte(ag.Document),
		filepath.Join(keyDir, "signers.txt"): []byte(signersFile.String()),
		filepath.Join(keyDir, "README"):      []byte(demoKeysReadme(ex.ID, ag.Version, dir, agPath)),
	}
	for path, b := range files {
		if err := writeFileAtomic(path, b, 0o600); err != nil {
			return errs.E("demo", errs.Internal, err)
		}
	}
	fmt.Fprintf(m.Stdout, "exchange %s %q: agreement version %d %s by UA, RU and the mediator (keys in %s)\n", ex.ID, ex.Name, ag.Version, ag.State, keyDir)

	// 2. The negotiation in progress.
	if nMil+nCiv < 6 {
		fmt.Fprintf(m.Stdout, "note: too few held records for the demo exchange in negotiation; not made\n")
		return nil
	}
	neg := exchange.Exchange{Name: "Demo: in negotiation", Parties: parties, Crossings: []string{crossing},
		From: day.AddDate(0, 0, 30), To: day.AddDate(0, 0, 30),
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: nMil + nCiv, Reference: day.AddDate(0, 0, 30),
			Rules: []exchange.Rule{{ID: "mil-adult", Category: person.Military, MinAge: 18}}}}
	if nCiv > 0 {
		neg.Terms.Rules = append(neg.Terms.Rules, exchange.Rule{ID: "civ", Category: person.Civilian, Count: nCiv})
	}
	if ex, err = db.OpenExchange(ctx, scope["mediator"], neg); err != nil {
		return err
	}
	lists := map[string][]person.Record{}
	for _, p := range parties {
		lists[p] = append(slicesClone(mil[p][sMil:sMil+nMil]), civ[p][sCiv:sCiv+nCiv]...)
		// Half the civilians have recorded consent; the others are a
		// violation until someone records it.
		if err := consent(p, civ[p][sCiv:sCiv+nCiv/2]); err != nil {
			return err
		}
		if _, err := offer(ex.ID, p, lists[p], nil, "first list"); err != nil {
			return err
		}
	}
	// RU answers UA's list: mostly accepted, two queried, one rejected,
	// one who declined to be exchanged; the last two not yet answered.
	ua, ru := lists["UA"], lists["RU"]
	var answers []exchange.Response
	for i, r := range ua[:len(ua)-2] {
		a := exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "confirmed"}
		switch i {
		case 0, 1:
			a.Answer, a.Reason = exchange.Query, "unit and capture date do not match our records: please confirm"
		case 2:
			a.Answer, a.Reason = exchange.Reject, "not one of ours: citizen of a third country"
		case 3:
			a.Answer, a.Reason = exchange.RefusesExchange, "told the ICRC delegate he does not wish to be transferred"
		}
		answers = append(answers, a)
	}
	if _, err := db.Respond(ctx, scope[registrar["RU"]], ex.ID, "UA", exchange.Offer, 1, answers); err != nil {
		return err
	}
	// UA answers RU's list: one query, one rejection under Rule 128.
	answers = nil
	for i, r := range ru[:len(ru)-1] {
		a := exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "confirmed"}
		switch i {
		case 0:
			a.Answer, a.Reason = exchange.Query, "date of birth missing: send the full date"
		case 1:
			a.Answer, a.Reason, a.Blocker = exchange.Reject, "criminal proceedings pending", exchange.PendingProsecution
		}
		answers = append(answers, a)
	}
	if _, err := db.Respond(ctx, scope[registrar["UA"]], ex.ID, "RU", exchange.Offer, 1, answers); err != nil {
		return err
	}
	// UA strikes the person who declined, in a second version.
	if _, err := offer(ex.ID, "UA", append(slicesClone(ua[:3]), ua[4:]...),
		[]exchange.Removal{{RecordID: ua[3].ID, Reason: "declined to be exchanged (GC III Art. 109(3)): struck"}}, "struck one person at RU's answer"); err != nil {
		return err
	}
	v, err := db.ExchangeView(ctx, scope["mediator"], ex.ID)
	if err != nil {
		return err
	}
	why := map[exchange.BlockReason]int{}
	for _, b := range v.Blocking {
		why[b.Why]++
	}
	var parts []string
	for _, r := range []exchange.BlockReason{exchange.BlockUnanswered, exchange.BlockQuery, exchange.BlockDeclined, exchange.BlockIneligible, exchange.BlockNotOffered} {
		if why[r] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", why[r], r))
		}
	}
	fmt.Fprintf(m.Stdout, "exchange %s %q: in negotiation, UA offers %d (version 2), RU offers %d; %d items block agreement (%s)\n",
		ex.ID, ex.Name, len(ua)-1, len(ru), len(v.Blocking), strings.Join(parts, ", "))
	return nil
}

func slicesClone(rs []person.Record) []person.Record { return append([]person.Record(nil), rs...) }

func demoKeysReadme(exID string, version int, dir, agPath string) string {
	return fmt.Sprintf(`Agreement signer keys of the handover demo. DEMO KEYS ONLY: their private
halves lie here, beside the data; a real signer makes its key on its own
machine with 'handover keygen' and only the public key is registered.

  ua-approver.key / .pub   UA-approver-demo, for party UA: proposed by ua-approver, confirmed by ua-approver-2
  ru-approver.key / .pub   RU-approver-demo, for party RU: proposed by ru-approver, confirmed by ru-approver-2
  mediator.key / .pub      mediator-demo, for the mediator: proposed by mediator, confirmed by mediator-2
  signers.txt              the signer keys file: "<role> <verifier key>" a line

They are signer keys ('handover key changes' shows their purpose, who
proposed and who confirmed each): they sign agreements and never stand in
for the witness keys that cosign the log's checkpoints. A new key of UA now
needs UA's two people and an endorsement by UA-approver-demo:

  handover key propose --vkey new.pub --purpose signer --endorse-with %[7]s

The demo's agreement, exchange %[1]s version %[2]d, is signed with all three.
A copy is in %[3]s. Check it offline, with the keys file or with the .pub
files the parties exchanged themselves:

  handover agreement verify %[3]s --keys %[4]s
  handover agreement verify %[3]s --keys UA=%[8]s --keys RU=%[9]s --keys mediator=%[10]s

Or fetch the document and the keys from the running demo (with the token of
the mediator, an approver, a registrar or the auditor):

  handover agreement get %[1]s --out agreement.txt
  handover agreement keys --out signers.txt

Sign an agreement yourself with a demo key (offline), then upload it with
the matching user's token (ua-approver, ru-approver or mediator in
%[5]s):

  handover sign --key %[6]s agreement.txt --out ua.sig
  handover agreement sign EXCHANGE --version N --signature ua.sig
`, exID, version, agPath, filepath.Join(dir, "keys", "signers.txt"), filepath.Join(dir, credentialsFile), filepath.Join(dir, "keys", "ua-approver.key"),
		filepath.Join(dir, "keys", "ua-approver.key"), filepath.Join(dir, "keys", "ua-approver.pub"), filepath.Join(dir, "keys", "ru-approver.pub"), filepath.Join(dir, "keys", "mediator.pub"))
}
