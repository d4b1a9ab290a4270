package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/scenario"
)

const scenarioUsage = `
Usage: handover scenario may-2025 [--server URL --credentials FILE | --dir DIR [--db DSN]] [--summary FILE] [--scale F] [--seed S]

Plays the May 2025 exchange (1,000 for 1,000, staged 23–25 May at the
Belarus–Ukraine border) through the public API, as the parties, the
mediator and the checkpoint officers would:

  1. registers: each side's held persons (synthetic, internal/synth) and a
     few sought persons of UA; a matching run, matches confirmed and
     disclosed;
  2. the exchange: terms (1,000 for 1,000 with 120 civilians), offer lists,
     answers, consent evidence for every civilian;
  3. the agreement: stages of 390 (270 military + 120 civilians), 307 and
     303 per side and a reserve list, frozen, signed by both parties'
     approvers and the mediator with keys made here (audit.GenerateKey),
     each proposed through the API by one person of its side and confirmed
     by a second (endorsed by the side's key in effect, if it has one);
  4. the stages: each opened, every person checked and handed over by the
     checkpoint officers in queues, with a few refusals and no-shows
     replaced from the reserves and one unlisted person flagged; parity
     checked, the stage closed; the officer's lookup, the printed lists and
     the report fetched;
  5. the log audit: 'log audit' on the data directory (or, with --server,
     as a client of the server).

It prints a line per stage and, with --summary, writes the JSON summary
{"stages":[{"stage":1,"planned":390,"handed_over":{"UA":390,"RU":390},…}],"audit_ok":true}.

Without --server it starts a throw-away server in this process on a free
port, in DIR (default: a new temporary directory, removed at the end), on
the SQLite database there or, with --db postgres://…, on that PostgreSQL
database (which must hold no data yet). With
--server it needs the tokens of a demo's users (handover demo writes them to
DIR/demo-credentials.json): admin, mediator, mediator-2, ua-registrar,
ru-registrar, ua-approver, ua-approver-2, ru-approver, ru-approver-2,
ua-officer, ru-officer and mediator-officer; and, since the demo's sides
have signer keys in effect, the demo's private keys in DIR/keys/ to endorse
the scenario's new keys with.

--scale shrinks every count (0.1: stages of 39, 31 and 30) for a quick run.

Example:
  handover scenario may-2025 --summary summary.json
`

func runScenario(ctx context.Context, m *Main, args []string) error {
	const op = "scenario"
	fs := m.newFlagSet("scenario", scenarioUsage)
	srv := m.addServerFlags(fs)
	dir := fs.String("dir", "", "data directory of the throw-away server (default: a new temporary one, removed at the end)")
	dsn := fs.String("db", "", "database of the throw-away server: postgres://… (default: an SQLite file in the data directory)")
	credPath := fs.String("credentials", "", "with --server: the demo's credentials `file` (tokens of its users)")
	summaryPath := fs.String("summary", "", "write the JSON summary to `file`")
	scale := fs.Float64("scale", 1, "scale every count by this factor (0.1 for a quick run)")
	seed := fs.Uint64("seed", 2025, "seed of the synthetic population")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "may-2025" {
		return usageError{"name the scenario: may-2025"}
	}
	if *scale < 0.05 || *scale > 1 {
		return usageError{"--scale must be from 0.05 to 1"}
	}
	if flagSet(fs, "server") && (flagSet(fs, "dir") || flagSet(fs, "db")) {
		return usageError{"give either --server or --dir and --db"}
	}
	start := time.Now()
	cfg := scenario.May2025Config{Scale: *scale, Seed: *seed, Endorsers: map[string]string{}, Progress: m.printScenarioStep}
	var sum scenario.Summary
	if flagSet(fs, "server") {
		if *credPath == "" {
			return usageError{"--server needs --credentials FILE (the demo's demo-credentials.json)"}
		}
		b, err := os.ReadFile(*credPath)
		if err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read %s", *credPath), err)
		}
		var creds demoCredentials
		if err := json.Unmarshal(b, &creds); err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not a credentials file", *credPath), err)
		}
		// The demo's sides have keys in effect: new ones are endorsed by
		// them (their private halves lie beside the demo's credentials).
		for _, k := range scenario.DemoKeys() {
			if b, err := os.ReadFile(filepath.Join(filepath.Dir(*credPath), "keys", k.File+".key")); err == nil {
				cfg.Endorsers[k.Party] = strings.TrimSpace(string(b))
			}
		}
		tokens := creds.tokens()
		play, err := scenario.NewMay2025(srv.server, tokens, cfg)
		if err != nil {
			return err
		}
		if sum, err = play.Play(ctx); err != nil {
			return err
		}
		// A checkpoint now, so that the audit covers every leaf just made.
		if err := play.MakeCheckpoint(ctx); err != nil {
			return err
		}
		srv.token = tokens["mediator"]
		sum.AuditOK = m.auditServer(ctx, srv, "", nil) == nil
	} else {
		if sum, err = m.scenarioLocal(ctx, *dir, *dsn, cfg); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "log audit: %s\n", map[bool]string{true: "ok", false: "FAILED"}[sum.AuditOK])
	if *summaryPath != "" {
		b, _ := json.Marshal(sum)
		if err := writeFileAtomic(*summaryPath, append(b, '\n'), 0o600); err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("cannot write %s", *summaryPath), err)
		}
	}
	fmt.Fprintf(m.Stdout, "scenario may-2025 played in %.1fs\n", time.Since(start).Seconds())
	if !sum.AuditOK {
		return errs.E(op, errs.Conflict, "the log audit failed")
	}
	return nil
}

// printScenarioStep prints a step of the play as it ends.
func (m *Main) printScenarioStep(v any) {
	w := m.Stdout
	switch s := v.(type) {
	case scenario.Registers:
		fmt.Fprintf(w, "matching: run %d, %d candidates, %d of %d sought persons confirmed held by RU and disclosed to UA\n", s.Run, s.Candidates, s.Confirmed, s.Sought)
		fmt.Fprintf(w, "registers: %d held persons a side, sought persons matched (%.1fs)\n", s.Held, s.Took.Seconds())
	case scenario.Negotiated:
		fmt.Fprintf(w, "exchange %s: lists answered, agreement signed by UA, RU and the mediator (%.1fs)\n", s.ExchangeID, s.Took.Seconds())
	case scenario.StageLine:
		fmt.Fprintf(w, "stage %d: planned %d, handed over UA %d RU %d, refused %d, not presented %d, substituted %d, unlisted %d, parity %v (%.1fs)\n",
			s.Stage, s.Planned, s.HandedOver["UA"], s.HandedOver["RU"], s.Refused, s.NotPresented, s.Substituted, s.Unlisted, s.Parity, s.Took.Seconds())
	case scenario.Aftermath:
		fmt.Fprintf(w, "officer's lookups: %d by name (Latin letters) and service number, each found; slowest answer %.1f ms\n", s.Lookups, float64(s.LookupMax.Microseconds())/1000)
		fmt.Fprintf(w, "report: UA handed over %d, RU %d; %d discrepancies flagged\n", s.HandedOver["UA"], s.HandedOver["RU"], s.Discrepancies)
		fmt.Fprintf(w, "trace: UA's bureau sees %d status changes of %d sought persons; %d returned\n", s.TraceChanges, s.TracePersons, s.Returned)
	}
}

// scenarioLocal starts a throw-away server in this process, plays the
// scenario against it, stops it and audits its log.
func (m *Main) scenarioLocal(ctx context.Context, dir, dsn string, cfg scenario.May2025Config) (scenario.Summary, error) {
	var sum scenario.Summary
	keep := dir != ""
	if dir == "" {
		d, err := os.MkdirTemp("", "handover-scenario-")
		if err != nil {
			return sum, errs.E("scenario", errs.Internal, err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	db, err := m.open(ctx, &storeFlags{dir: dir, db: dsn}, true)
	if err != nil {
		return sum, err
	}
	defer db.Close()
	logCfg, err := m.logConfig(dir, "handover.scenario/log", true)
	if err != nil {
		return sum, err
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		return sum, err
	}
	if len(parties) > 0 {
		where := dir
		if dsn != "" {
			where = redactDSN(dsn)
		}
		return sum, errs.E("scenario", errs.Invalid, fmt.Sprintf("%s holds data already: the scenario needs an empty database", where))
	}
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			return sum, err
		}
	}
	// Throw-away accounts, enrolled as their people would (cheap password
	// hashing), each with its own token.
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	tokens := map[string]string{}
	for _, a := range scenario.May2025Accounts() {
		u, err := enrolAccount(ctx, db, a.Login, a.Role, a.Party, cheap, 24*time.Hour)
		if err != nil {
			return sum, err
		}
		tokens[a.Login] = u.Token
	}
	err = m.withLoopbackServer(ctx, db, logCfg, func(url string) error {
		fmt.Fprintf(m.Stdout, "throw-away server at %s (data in %s)\n", url, dir)
		play, err := scenario.NewMay2025(url, tokens, cfg)
		if err != nil {
			return err
		}
		if sum, err = play.Play(ctx); err != nil {
			return err
		}
		if keep {
			m.saveScenarioFiles(dir, play.Files())
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	keys, err := storeAuditKeys(ctx, db, dir, "")
	if err != nil {
		return sum, err
	}
	res, err := db.AuditLog(ctx, keys)
	if err != nil {
		return sum, err
	}
	m.printReport(res.Report)
	sum.AuditOK = res.OK()
	return sum, nil
}

// saveScenarioFiles writes the printed lists and the report beside the
// data.
func (m *Main) saveScenarioFiles(dir string, files map[string][]byte) {
	names := make([]string, 0, len(files))
	for name, b := range files {
		if writeFileAtomic(filepath.Join(dir, name), b, 0o600) == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintf(m.Stdout, "printed lists and report in %s: %s\n", dir, strings.Join(names, ", "))
	}
}
