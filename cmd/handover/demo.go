package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/scenario"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web"
)

const demoUsage = `
Usage: handover demo [--dir DIR] [--db DSN] [--listen ADDR] [--records N] [--seed S] [--no-serve]

Creates a throw-away data directory (a new temporary one unless --dir is
given), initialises it with two parties (UA, RU) and one user per role,
seeds it through the API as its people would, then starts the server and
prints the URL and how to log in. Every demo user enrols the way a person
does, with the one-time code its account was made with; their credentials
(password, the second factor's TOTP secret for approvers, the
administrator and a second approver and operator, and an API token each)
are written to DIR/demo-credentials.json. With --db postgres://… the data
lives in that PostgreSQL database (which must be empty or hold this same
demo) and DIR keeps the keys and the credentials.

What it seeds (internal/scenario):
  - the registers: N held and N sought persons per party (synthetic:
    Ukrainian and Russian names in Cyrillic with a share of Latin
    spellings); one sought person in ten is held by the other party, as
    each side writes him down;
  - a matching run each way (UA sought × RU held, RU sought × UA held),
    left for the mediator to review on /matching;
  - a signed agreement (50 for 50 with 10 civilians, in 2 stages), signed
    by a UA approver key, an RU approver key and a mediator key that the
    demo generates into DIR/keys/, each proposed by one person of its side
    and confirmed by a second (ua-approver and ua-approver-2, …), as the
    two-person rule asks (DIR/keys/README says what is there and how to
    check the agreement offline); its stage 1 is open, for the checkpoint
    officers (ua-officer, ru-officer, mediator-officer) to work;
  - an exchange in negotiation (offer lists answered in part: accepted,
    queried, rejected, refused, one struck in a second version).
With too few --records the exchanges are smaller, or left out.
Running it again on the same --dir serves the existing demo.

Example:
  go run ./cmd/handover demo
  handover demo --dir /tmp/demo --listen 127.0.0.1:8080 --records 5000
  handover demo --dir /tmp/demo-pg --db postgres://postgres@127.0.0.1:5432/demo
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

// tokens returns the credentials' tokens by login.
func (c demoCredentials) tokens() map[string]string {
	out := map[string]string{}
	for _, u := range c.Users {
		out[u.Login] = u.Token
	}
	return out
}

const credentialsFile = "demo-credentials.json"

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("demo", demoUsage)
	dir := fs.String("dir", "", "data directory (default: a new temporary directory)")
	dsn := fs.String("db", "", "database: postgres://… (default: an SQLite file in the data directory)")
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
	db, err := m.open(ctx, &storeFlags{dir: *dir, db: *dsn}, true)
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
			if u.Login == "ua-registrar" || u.Login == "mediator" || u.Login == "ua-officer" {
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
// directory, or seeds a new one: the parties and the accounts in the
// store, as 'handover init' and an administrator would; everything else
// through the API of a throw-away server on the loopback interface
// (scenario.Demo).
func loadOrSeedDemo(ctx context.Context, m *Main, db *sqlstore.DB, cfg web.Config, credPath string, n int, seed uint64) (demoCredentials, error) {
	var creds demoCredentials
	parties, err := db.Parties(ctx)
	if err != nil {
		return creds, err
	}
	if len(parties) > 0 {
		b, err := os.ReadFile(credPath)
		if err != nil {
			return creds, errs.E("demo", errs.Invalid, fmt.Sprintf("%s holds data but no %s: it is not a demo directory; choose another --dir (or, with --db, an empty database)", filepath.Dir(credPath), credentialsFile))
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
	// to be slow. As many at once as there are CPUs: more would only
	// stretch each enrolment, between reading its second-factor code and
	// checking it, without ending any sooner.
	users := make([]demoUser, len(scenario.Accounts))
	errc := make([]error, len(scenario.Accounts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, a := range scenario.Accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			users[i], errc[i] = enrolAccount(ctx, db, a.Login, a.Role, a.Party, access.Argon2Params{}, 30*24*time.Hour)
		}()
	}
	wg.Wait()
	for _, err := range errc {
		if err != nil {
			return creds, err
		}
	}
	creds.Users = users
	var res scenario.DemoResult
	err = m.withLoopbackServer(ctx, db, cfg, func(url string) error {
		cs, err := scenario.Connect(url, creds.tokens(), scenario.Accounts)
		if err != nil {
			return err
		}
		res, err = scenario.Demo(ctx, cs, scenario.DemoConfig{Records: n, Seed: seed, Now: db.Now(), Progress: func(v any) {
			if s, ok := v.(scenario.Seeded); ok {
				fmt.Fprintf(m.Stdout, "seeded %d %s records of %s", s.N, s.Kind, s.Party)
				if s.Held > 0 {
					fmt.Fprintf(m.Stdout, " (%d of them held by %s)", s.Held, map[string]string{"UA": "RU", "RU": "UA"}[s.Party])
				}
				fmt.Fprintln(m.Stdout)
			}
		}})
		return err
	})
	if err != nil {
		return creds, err
	}
	for _, r := range res.Matching {
		fmt.Fprintf(m.Stdout, "matching: run %d, %s sought × %s held: %d candidate pairs for the mediator to review; %d of the %d sought persons %s holds are among them\n",
			r.ID, r.Sought, r.Held, r.Candidates, r.Found, r.Planted, r.Held)
	}
	if err := m.writeDemoExchanges(filepath.Dir(credPath), res); err != nil {
		return creds, err
	}
	if n := res.CustodyOverdue["UA"] + res.CustodyOverdue["RU"]; n > 0 {
		fmt.Fprintf(m.Stdout, "custody: %d held persons with a capture card overdue (GC III Art. 70), on each bureau's /custody\n", n)
	}
	fmt.Fprintf(m.Stdout, "demo seeded: 2 parties, %d users, %d records in %.1fs\n", len(users), res.Records, time.Since(start).Seconds())
	return creds, nil
}

// writeDemoExchanges prints what the demo's exchanges are and writes the
// signed agreement and its demo keys into DIR and DIR/keys.
func (m *Main) writeDemoExchanges(dir string, res scenario.DemoResult) error {
	s := res.Signed
	if s == nil {
		fmt.Fprintf(m.Stdout, "note: too few held records for the demo exchanges (give --records 200 or more); none made\n")
		return nil
	}
	if s.Total < 50 {
		fmt.Fprintf(m.Stdout, "note: few held records: the signed exchange is %d for %d instead of 50 for 50\n", s.Total, s.Total)
	}
	keyDir := filepath.Join(dir, "keys")
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return errs.E("demo", errs.Internal, err)
	}
	var signers strings.Builder
	signers.WriteString("# Agreement signer keys of the demo: <role> <verifier key>. See README.\n")
	agPath := filepath.Join(dir, fmt.Sprintf("agreement-%s-v%d.txt", s.ExchangeID, s.Version))
	files := map[string][]byte{
		agPath:                          []byte(s.Document),
		filepath.Join(keyDir, "README"): []byte(demoKeysReadme(s.ExchangeID, s.Version, dir, agPath)),
	}
	for _, k := range s.Keys {
		files[filepath.Join(keyDir, k.File+".key")] = []byte(k.SKey + "\n")
		files[filepath.Join(keyDir, k.File+".pub")] = []byte(k.VKey + "\n")
		role := k.Party
		if role == "" {
			role = exchange.Mediator
		}
		fmt.Fprintf(&signers, "%s %s\n", role, k.VKey)
	}
	files[filepath.Join(keyDir, "signers.txt")] = []byte(signers.String())
	for path, b := range files {
		if err := writeFileAtomic(path, b, 0o600); err != nil {
			return errs.E("demo", errs.Internal, err)
		}
	}
	fmt.Fprintf(m.Stdout, "exchange %s %q: agreement version %d %s by UA, RU and the mediator (keys in %s)\n", s.ExchangeID, s.Name, s.Version, s.State, keyDir)
	fmt.Fprintf(m.Stdout, "exchange %s: the neutral interviewed all %d persons before the freeze; each wishes to return (/exchanges/%s/interviews)\n", s.ExchangeID, s.Interviewed, s.ExchangeID)
	fmt.Fprintf(m.Stdout, "exchange %s: stage %d is open for the checkpoint officers (ua-officer, ru-officer, mediator-officer)\n", s.ExchangeID, s.OpenStage)
	ng := res.Negotiation
	if ng == nil {
		fmt.Fprintf(m.Stdout, "note: too few held records for the demo exchange in negotiation; not made\n")
		return nil
	}
	var parts []string
	for _, r := range []exchange.BlockReason{exchange.BlockUnanswered, exchange.BlockQuery, exchange.BlockDeclined, exchange.BlockIneligible, exchange.BlockNotOffered} {
		if ng.Blocking[r] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", ng.Blocking[r], r))
		}
	}
	total := 0
	for _, k := range ng.Blocking {
		total += k
	}
	fmt.Fprintf(m.Stdout, "exchange %s %q: in negotiation, UA offers %d (version 2), RU offers %d; %d items block agreement (%s)\n",
		ng.ExchangeID, ng.Name, ng.Offers["UA"], ng.Offers["RU"], total, strings.Join(parts, ", "))
	return nil
}

// withLoopbackServer serves db on a free port of the loopback interface,
// quietly, while fn runs with the server's URL; then stops it.
func (m *Main) withLoopbackServer(ctx context.Context, db *sqlstore.DB, cfg web.Config, fn func(url string) error) error {
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { served <- m.serve(sctx, db, logger, "127.0.0.1:0", cfg, func(url string) { ready <- url }) }()
	var url string
	select {
	case url = <-ready:
	case err := <-served:
		return err
	}
	err := fn(url)
	stop()
	if serr := <-served; err == nil && serr != nil {
		err = serr
	}
	return err
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
	}
	// The code is read off the clock just before enrolling; on a machine
	// so busy that hashing the password outlasted it, the person reads the
	// next one and tries again (a refused enrolment leaves its one-time
	// code unused).
	for try := 1; ; try++ {
		if role.NeedsMFA() {
			if e.TOTPCode, err = access.TOTPCode(du.TOTPSecret, db.Now()); err != nil {
				return demoUser{}, err
			}
		}
		u, err = db.Enrol(ctx, e)
		if err == nil {
			break
		}
		if try == 3 || !slices.ContainsFunc(errs.Fields(err), func(f errs.FieldError) bool { return f.Code == "totp_wrong" }) {
			return demoUser{}, err
		}
	}
	// The person has just passed the second factor (at enrolment).
	u.MFA = role.NeedsMFA()
	if du.Token, _, err = db.CreateToken(ctx, u.Scope(), "demo", ttl); err != nil {
		return demoUser{}, err
	}
	return du, nil
}

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
