package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/synth"
)

const demoUsage = `
Usage: handover demo [--dir DIR] [--listen ADDR] [--records N] [--seed S] [--no-serve]

Creates a throw-away data directory (a new temporary one unless --dir is
given), initialises it with two parties (UA, RU), one user per role and a
synthetic population (N held and N sought records per party, Ukrainian and
Russian names in Cyrillic with a share of Latin spellings), then starts the
server and prints the URL and how to log in. The credentials of every demo
user, with an API token each, are written to DIR/demo-credentials.json.
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
	Token    string      `json:"token"`
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
	{"ua-officer", access.CheckpointOfficer, "UA"},
	{"ru-registrar", access.PartyRegistrar, "RU"},
	{"ru-approver", access.PartyApprover, "RU"},
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
	creds, err := loadOrSeedDemo(ctx, m, db, credPath, *n, *seed)
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
		fmt.Fprintf(m.Stdout, "Data directory: %s\nCredentials (password and API token of every user): %s\n\n", *dir, credPath)
		fmt.Fprintf(m.Stdout, "Try, in another terminal:\n")
		for _, u := range creds.Users {
			if u.Login == "ua-registrar" {
				fmt.Fprintf(m.Stdout, "  export HANDOVER_SERVER=%s HANDOVER_TOKEN=%s\n", url, u.Token)
				fmt.Fprintf(m.Stdout, "  go run ./cmd/handover record list --kind sought --q Ковальчук\n")
				fmt.Fprintf(m.Stdout, "  curl -H \"Authorization: Bearer $HANDOVER_TOKEN\" %s/api/v1/records?limit=3\n\n", url)
				fmt.Fprintf(m.Stdout, "Or log in as %s with password %s (POST /api/v1/auth/login).\n", u.Login, u.Password)
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
func loadOrSeedDemo(ctx context.Context, m *Main, db *sqlstore.DB, credPath string, n int, seed uint64) (demoCredentials, error) {
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
	// Hash the passwords in parallel: argon2id is meant to be slow.
	users := make([]demoUser, len(demoAccounts))
	errc := make([]error, len(demoAccounts))
	var wg sync.WaitGroup
	for i, a := range demoAccounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := newPassword()
			if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: a.login, Role: a.role, Party: a.party, Password: pw}); err != nil {
				errc[i] = err
				return
			}
			tok, _, err := db.CreateToken(ctx, a.login, "demo", 30*24*time.Hour)
			if err != nil {
				errc[i] = err
				return
			}
			u := demoUser{Login: a.login, Role: a.role, Password: pw, Token: tok}
			if a.party != "" {
				p := a.party
				u.Party = &p
			}
			users[i] = u
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
				if _, err := db.CreateRecords(ctx, reg.Scope(), nrs); err != nil {
					return creds, err
				}
			}
			total += len(fields)
			fmt.Fprintf(m.Stdout, "seeded %d %s records of %s\n", len(fields), kind, party)
		}
	}
	fmt.Fprintf(m.Stdout, "demo seeded: 2 parties, %d users, %d records in %.1fs\n", len(users), total, time.Since(start).Seconds())
	return creds, nil
}
