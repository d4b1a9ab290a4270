package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/synth"
)

func init() {
	extraCommands = append(extraCommands, command{name: "scenario", summary: "play a whole exchange through the API (may-2025)", usage: scenarioUsage, run: runScenario})
}

const scenarioUsage = `
Usage: handover scenario may-2025 [--server URL --credentials FILE | --dir DIR] [--summary FILE] [--scale F] [--seed S]

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
port, in DIR (default: a new temporary directory, removed at the end). With
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

// scenarioStage is one line of the scenario's summary.
type scenarioStage struct {
	Stage        int         `json:"stage"`
	Planned      int         `json:"planned"`
	HandedOver   partyCounts `json:"handed_over"`
	Refused      int         `json:"refused"`
	NotPresented int         `json:"not_presented"`
	Substituted  int         `json:"substituted"`
	Unlisted     int         `json:"unlisted"`
	Parity       bool        `json:"parity"`
}

// partyCounts is a count per party that marshals in the exchange's party
// order (UA, RU), not sorted as a map would be.
type partyCounts map[string]int

// MarshalJSON writes the scenario's parties first, in order, then any other.
func (pc partyCounts) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	keys := slices.Clone(scenarioParties)
	var rest []string
	for k := range pc {
		if !slices.Contains(keys, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for i, k := range append(keys, rest...) {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		fmt.Fprintf(&b, "%s:%d", kb, pc[k])
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

type scenarioSummary struct {
	Stages  []scenarioStage `json:"stages"`
	AuditOK bool            `json:"audit_ok"`
}

// scenarioLogins are the accounts the scenario acts as.
var scenarioLogins = []struct {
	login string
	role  access.Role
	party string
}{
	{"admin", access.MediatorAdmin, ""}, {"mediator", access.MediatorOperator, ""}, {"mediator-2", access.MediatorOperator, ""},
	{"ua-registrar", access.PartyRegistrar, "UA"}, {"ru-registrar", access.PartyRegistrar, "RU"},
	{"ua-approver", access.PartyApprover, "UA"}, {"ru-approver", access.PartyApprover, "RU"},
	{"ua-approver-2", access.PartyApprover, "UA"}, {"ru-approver-2", access.PartyApprover, "RU"},
	{"ua-officer", access.CheckpointOfficer, "UA"}, {"ru-officer", access.CheckpointOfficer, "RU"},
	{"mediator-officer", access.CheckpointOfficer, ""},
}

func runScenario(ctx context.Context, m *Main, args []string) error {
	const op = "scenario"
	fs := m.newFlagSet("scenario", scenarioUsage)
	srv := m.addServerFlags(fs)
	dir := fs.String("dir", "", "data directory of the throw-away server (default: a new temporary one, removed at the end)")
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
	if flagSet(fs, "server") && flagSet(fs, "dir") {
		return usageError{"give either --server or --dir"}
	}
	start := time.Now()
	var sum scenarioSummary
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
		tokens := map[string]string{}
		for _, u := range creds.Users {
			tokens[u.Login] = u.Token
		}
		sc, err := newScenario(m.Stdout, srv.server, tokens, *scale, *seed)
		if err != nil {
			return err
		}
		// The demo's sides have keys in effect: new ones are endorsed by
		// them (their private halves lie beside the demo's credentials).
		for _, k := range demoSigners {
			if b, err := os.ReadFile(filepath.Join(filepath.Dir(*credPath), "keys", k.file+".key")); err == nil {
				sc.endorsers[k.party] = strings.TrimSpace(string(b))
			}
		}
		if sum.Stages, err = sc.play(ctx); err != nil {
			return err
		}
		// A checkpoint now, so that the audit covers every leaf just made.
		if _, err := sc.c["mediator"].MakeCheckpoint(ctx); err != nil {
			return err
		}
		srv.token = tokens["mediator"]
		sum.AuditOK = m.auditServer(ctx, srv, "", nil) == nil
	} else {
		if sum, err = m.scenarioLocal(ctx, *dir, *scale, *seed); err != nil {
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

// scenarioLocal starts a throw-away server in this process, plays the
// scenario against it, stops it and audits its log.
func (m *Main) scenarioLocal(ctx context.Context, dir string, scale float64, seed uint64) (scenarioSummary, error) {
	var sum scenarioSummary
	keep := dir != ""
	if dir == "" {
		d, err := os.MkdirTemp("", "handover-scenario-")
		if err != nil {
			return sum, errs.E("scenario", errs.Internal, err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	sf := &storeFlags{dir: dir}
	db, err := m.open(ctx, sf, true)
	if err != nil {
		return sum, err
	}
	defer db.Close()
	cfg, err := m.logConfig(dir, "handover.scenario/log", true)
	if err != nil {
		return sum, err
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		return sum, err
	}
	if len(parties) > 0 {
		return sum, errs.E("scenario", errs.Invalid, fmt.Sprintf("%s holds data already: the scenario needs an empty directory", dir))
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
	for _, a := range scenarioLogins {
		u, err := enrolAccount(ctx, db, a.login, a.role, a.party, cheap, 24*time.Hour)
		if err != nil {
			return sum, err
		}
		tokens[a.login] = u.Token
	}
	sctx, stop := context.WithCancel(ctx)
	ready := make(chan string, 1)
	served := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { served <- m.serve(sctx, db, logger, "127.0.0.1:0", cfg, func(url string) { ready <- url }) }()
	var url string
	select {
	case url = <-ready:
	case err := <-served:
		stop()
		return sum, err
	}
	fmt.Fprintf(m.Stdout, "throw-away server at %s (data in %s)\n", url, dir)
	sc, err := newScenario(m.Stdout, url, tokens, scale, seed)
	if err == nil {
		sum.Stages, err = sc.play(ctx)
	}
	if err == nil && keep {
		sc.saveFiles(ctx, dir)
	}
	stop()
	if serr := <-served; err == nil && serr != nil {
		err = serr
	}
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

// scenario is one run of may-2025 against a server.
type scenario struct {
	out    io.Writer
	c      map[string]*client.Client // login → client
	scale  float64
	seed   uint64
	exID   string
	stages []struct{ mil, civ int }
	held   map[string][]person.Record // party → held records, in list order
	plan   exchange.StagePlan
	files  map[string][]byte
	byID   map[string]person.Record
	// lookups counts the officer's lookups made; lookupMax is the slowest
	// answer, over HTTP.
	lookups   int
	lookupMax time.Duration
	// endorsers are private keys in effect per side ("" for the mediator)
	// that endorse the scenario's new signer keys: the demo's, against a
	// demo server.
	endorsers map[string]string
}

func newScenario(out io.Writer, url string, tokens map[string]string, scale float64, seed uint64) (*scenario, error) {
	sc := &scenario{out: out, c: map[string]*client.Client{}, scale: scale, seed: seed, held: map[string][]person.Record{}, files: map[string][]byte{}, byID: map[string]person.Record{},
		endorsers: map[string]string{}}
	for _, a := range scenarioLogins {
		tok := tokens[a.login]
		if tok == "" {
			return nil, errs.E("scenario", errs.Invalid, fmt.Sprintf("no token for %s", a.login))
		}
		c, err := client.New(url, tok)
		if err != nil {
			return nil, err
		}
		sc.c[a.login] = c
	}
	n := func(v int) int { return max(1, int(math.Round(float64(v)*scale))) }
	sc.stages = []struct{ mil, civ int }{{n(270), n(120)}, {n(307), 0}, {n(303), 0}}
	return sc, nil
}

const reservesPerSide = 4

var scenarioParties = []string{"UA", "RU"}

func (sc *scenario) play(ctx context.Context) ([]scenarioStage, error) {
	t0 := time.Now()
	if err := sc.registers(ctx); err != nil {
		return nil, fmt.Errorf("registers: %w", err)
	}
	fmt.Fprintf(sc.out, "registers: %d held persons a side, sought persons matched (%.1fs)\n", len(sc.held["UA"]), time.Since(t0).Seconds())
	t0 = time.Now()
	if err := sc.negotiate(ctx); err != nil {
		return nil, fmt.Errorf("negotiation: %w", err)
	}
	fmt.Fprintf(sc.out, "exchange %s: lists answered, agreement signed by UA, RU and the mediator (%.1fs)\n", sc.exID, time.Since(t0).Seconds())
	var out []scenarioStage
	for i := range sc.stages {
		t0 = time.Now()
		line, err := sc.runStage(ctx, i+1)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %w", i+1, err)
		}
		fmt.Fprintf(sc.out, "stage %d: planned %d, handed over UA %d RU %d, refused %d, not presented %d, substituted %d, unlisted %d, parity %v (%.1fs)\n",
			line.Stage, line.Planned, line.HandedOver["UA"], line.HandedOver["RU"], line.Refused, line.NotPresented, line.Substituted, line.Unlisted, line.Parity, time.Since(t0).Seconds())
		out = append(out, line)
	}
	if err := sc.aftermath(ctx); err != nil {
		return nil, fmt.Errorf("after the stages: %w", err)
	}
	return out, nil
}

// registers seeds each side's held register with synthetic prisoners of
// war and detained civilians, and UA's sought register with a few of the
// UA soldiers RU holds; the mediator matches and discloses them.
func (sc *scenario) registers(ctx context.Context) error {
	gen := synth.New(synth.Config{Seed: sc.seed, Ref: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
	wantMil, wantCiv := reservesPerSide, 0
	for _, s := range sc.stages {
		wantMil += s.mil
		wantCiv += s.civ
	}
	for _, p := range scenarioParties {
		var mil, civ []person.Fields
		for tries := 0; (len(mil) < wantMil || len(civ) < wantCiv) && tries < 100*(wantMil+wantCiv); tries++ {
			f := gen.Record(p, person.Held)
			switch {
			case f.Category == person.Military && f.Status == person.StatusPOW && len(mil) < wantMil && f.ServiceNumber != "" && f.Surname != "":
				mil = append(mil, f)
			case f.Category == person.Civilian && (f.Status == person.StatusDetainedCivilian || f.Status == person.StatusCivilianInternee) && len(civ) < wantCiv && f.Surname != "":
				civ = append(civ, f)
			}
		}
		all := append(mil, civ...)
		for start := 0; start < len(all); start += 1000 {
			part := all[start:min(start+1000, len(all))]
			in := make([]api.RecordInput, len(part))
			for i, f := range part {
				in[i] = api.RecordInput{Party: p, Source: "scenario may-2025 (synthetic)", Fields: f}
			}
			recs, err := sc.c[strings.ToLower(p)+"-registrar"].CreateRecords(ctx, in)
			if err != nil {
				return err
			}
			sc.held[p] = append(sc.held[p], recs...)
			for _, r := range recs {
				sc.byID[r.ID] = r
			}
		}
	}
	// UA seeks a few of its soldiers whom RU holds.
	var sought []api.RecordInput
	for _, r := range sc.held["RU"][:min(5, len(sc.held["RU"]))] {
		f := r.Fields
		f.Kind, f.Status = person.Sought, person.StatusMissing
		f.DisappearanceDate, f.CaptureDate, f.CapturePlace = f.CaptureDate, person.Date{}, ""
		f.Health, f.NextOfKin = "", ""
		sought = append(sought, api.RecordInput{Party: "UA", Source: "scenario: reported by the family", Fields: f})
	}
	recs, err := sc.c["ua-registrar"].CreateRecords(ctx, sought)
	if err != nil {
		return err
	}
	med := sc.c["mediator"]
	run, err := med.RunMatching(ctx, "UA", "RU", 0)
	if err != nil {
		return err
	}
	cands, err := med.Candidates(ctx, run.ID, "", 1000, 0)
	if err != nil {
		return err
	}
	want := map[string]string{}
	for i, r := range recs {
		want[r.ID] = sc.held["RU"][i].ID
	}
	confirmed := 0
	for _, cd := range cands {
		if want[cd.SoughtID] == cd.HeldID {
			if _, err := med.DecideMatch(ctx, cd.SoughtID, cd.HeldID, "confirm", "same person: name, birth date, service number"); err != nil {
				return err
			}
			if err := med.DiscloseMatch(ctx, cd.SoughtID, cd.HeldID); err != nil {
				return err
			}
			confirmed++
		}
	}
	fmt.Fprintf(sc.out, "matching: run %d, %d candidates, %d of %d sought persons confirmed held by RU and disclosed to UA\n", run.ID, len(cands), confirmed, len(recs))
	return nil
}

// negotiate opens the exchange, submits and answers the lists, records
// consent evidence, freezes the agreement and signs it three times.
func (sc *scenario) negotiate(ctx context.Context) error {
	total, civ := 0, 0
	for _, s := range sc.stages {
		total += s.mil + s.civ
		civ += s.civ
	}
	day := time.Date(2025, 5, 23, 0, 0, 0, 0, time.UTC)
	ex, err := sc.c["mediator"].OpenExchange(ctx, exchange.Exchange{
		Name: fmt.Sprintf("Istanbul, 16 May 2025: %d for %d", total, total), Parties: [2]string{"UA", "RU"}, Crossings: []string{"Belarus–Ukraine border"},
		From: day, To: day.AddDate(0, 0, 2),
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: total, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}, {ID: "civ", Category: person.Civilian, Count: civ}}},
	})
	if err != nil {
		return err
	}
	sc.exID = ex.ID
	for _, p := range scenarioParties {
		reg := sc.c[strings.ToLower(p)+"-registrar"]
		var items []exchange.Item
		for _, r := range sc.held[p] {
			items = append(items, exchange.Item{RecordID: r.ID, Category: r.Category})
			if r.Category == person.Civilian {
				ev := exchange.Evidence{Consent: []exchange.Consent{{Kind: exchange.ConsentGiven, Date: day.AddDate(0, 0, -10), Witness: "ICRC delegate"}}}
				if err := reg.SetEvidence(ctx, r.ID, ev); err != nil {
					return err
				}
			}
		}
		if _, err := reg.SubmitList(ctx, ex.ID, exchange.Offer, items, nil, "our offer"); err != nil {
			return err
		}
	}
	for _, p := range scenarioParties {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []exchange.Response
		for _, r := range sc.held[other] {
			answers = append(answers, exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "identity and eligibility verified"})
		}
		if _, err := sc.c[strings.ToLower(p)+"-registrar"].Respond(ctx, ex.ID, other, exchange.Offer, 1, answers); err != nil {
			return err
		}
	}
	// The stage plan: military then civilians in list order; the last
	// reservesPerSide soldiers are the reserve.
	next := map[string]int{}
	civNext := map[string]int{}
	for _, p := range scenarioParties {
		civNext[p] = len(sc.held[p]) - civ
	}
	for i, s := range sc.stages {
		// The mediator's observer confirms every handover and refusal: the
		// agreement says so for each stage ("stage N observed").
		st := exchange.Stage{Number: i + 1, Start: day.AddDate(0, 0, i).Add(8 * time.Hour), End: day.AddDate(0, 0, i).Add(20 * time.Hour), Crossing: "Belarus–Ukraine border", Observed: true}
		for _, p := range scenarioParties {
			side := exchange.StageSide{Party: p, Planned: exchange.Counts{person.Military: s.mil}}
			for _, r := range sc.held[p][next[p] : next[p]+s.mil] {
				side.Persons = append(side.Persons, r.ID)
			}
			next[p] += s.mil
			if s.civ > 0 {
				side.Planned[person.Civilian] = s.civ
				for _, r := range sc.held[p][civNext[p] : civNext[p]+s.civ] {
					side.Persons = append(side.Persons, r.ID)
				}
				civNext[p] += s.civ
			}
			st.Sides = append(st.Sides, side)
		}
		sc.plan.Stages = append(sc.plan.Stages, st)
	}
	for _, p := range scenarioParties {
		rl := exchange.ReserveList{Party: p}
		for _, r := range sc.held[p][next[p] : next[p]+reservesPerSide] {
			rl.Persons = append(rl.Persons, r.ID)
		}
		sc.plan.Reserve = append(sc.plan.Reserve, rl)
	}
	ag, err := sc.c["mediator"].FreezeAgreement(ctx, ex.ID, sc.plan)
	if err != nil {
		return err
	}
	doc := []byte(ag.Document)
	for _, k := range []struct{ name, party, login, second string }{{"UA-approver-scenario", "UA", "ua-approver", "ua-approver-2"},
		{"RU-approver-scenario", "RU", "ru-approver", "ru-approver-2"}, {"mediator-scenario", "", "mediator", "mediator-2"}} {
		skey, vkey, err := audit.GenerateKey(k.name + "-" + strings.TrimPrefix(sc.exID, "ex-"))
		if err != nil {
			return err
		}
		// One person of the side proposes the key, a second confirms it.
		endorsement := ""
		if e := sc.endorsers[k.party]; e != "" {
			side := k.party
			if side == "" {
				side = access.Mediator
			}
			if endorsement, err = audit.Endorse(e, side, sqlstore.KeySigner, vkey); err != nil {
				return err
			}
		}
		prop, err := sc.c[k.login].ProposeKey(ctx, vkey, k.party, sqlstore.KeySigner, endorsement)
		if err != nil {
			return err
		}
		if _, err := sc.c[k.second].ConfirmKey(ctx, prop.Name, ""); err != nil {
			return err
		}
		signer, err := note.NewSigner(skey)
		if err != nil {
			return errs.E("scenario", errs.Internal, err)
		}
		line, err := exchange.Sign(doc, signer)
		if err != nil {
			return err
		}
		if ag, err = sc.c[k.login].SignAgreement(ctx, ex.ID, ag.Version, line); err != nil {
			return err
		}
	}
	if ag.State != exchange.AgreementSigned.String() {
		return errs.E("scenario", errs.Internal, fmt.Sprintf("the agreement is %s after three signatures", ag.State))
	}
	return nil
}

// incidents says, per stage and releasing side, which listed soldiers
// refuse and which are not presented (indexes into the side's stage list,
// soldiers first: every index is below the smallest scaled stage's 13);
// each is replaced from the reserve. Stage 2 also sees one unlisted person.
var incidents = []map[string]struct{ refused, absent []int }{
	{"UA": {refused: []int{3, 9}}, "RU": {absent: []int{5}}},
	{"UA": {absent: []int{8}}, "RU": {refused: []int{2}}},
	{"RU": {refused: []int{11}}},
}

// runStage opens a stage and records every person as the three officers
// at the crossing would, each only what its own party does: the releasing
// side's officer its releases, refusals (witnessed by the mediator's
// observer) and no-shows; the receiving side's officer its receipts; the
// mediator's observer what it saw, which the agreement requires for each
// handover and refusal to count. Queues go in 100s (the first sent twice,
// as after a dropped connection). Reserves the engine suggests balance
// the refusals and no-shows; then the stage is closed and its summary
// line returned.
func (sc *scenario) runStage(ctx context.Context, n int) (scenarioStage, error) {
	med := sc.c["mediator"]
	if _, err := med.OpenStage(ctx, sc.exID, n); err != nil {
		return scenarioStage{}, err
	}
	plan := sc.plan.Stages[n-1]
	// Events carry the time they are recorded at, as a laptop at the
	// crossing stamps them; the stage windows stay those of May 2025.
	at := time.Now().UTC().Truncate(time.Millisecond)
	reserveUsed := map[string]int{}
	for i := range n - 1 {
		for side, inc := range incidents[i] {
			reserveUsed[side] += len(inc.refused) + len(inc.absent)
		}
	}
	seq := 0
	id := func(kind string) string { seq++; return fmt.Sprintf("s%d-%s-%05d", n, kind, seq) }
	tick := func() time.Time {
		at = at.Add(time.Millisecond)
		if now := time.Now().UTC().Truncate(time.Millisecond); now.After(at) {
			at = now
		}
		return at
	}
	officerOf := func(party string) *client.Client { return sc.c[strings.ToLower(party)+"-officer"] }
	observer := sc.c["mediator-officer"]
	// send records a queue in parts of 100; with twice, the first part is
	// sent again, as after a dropped connection: every event a duplicate.
	send := func(who *client.Client, queue []crossing.Event, twice bool) error {
		for start := 0; start < len(queue); start += 100 {
			part := queue[start:min(start+100, len(queue))]
			res, err := who.RecordEvents(ctx, sc.exID, n, part)
			if err != nil {
				return err
			}
			if bad := refused(res.Results); bad != "" {
				return errs.E("scenario", errs.Internal, bad)
			}
			if start == 0 && twice {
				again, err := who.RecordEvents(ctx, sc.exID, n, part)
				if err != nil {
					return err
				}
				for _, r := range again.Results {
					if r.Status != "duplicate" {
						return errs.E("scenario", errs.Internal, fmt.Sprintf("a resent event %s was %s", r.ID, r.Status))
					}
				}
			}
		}
		return nil
	}
	released := func(side, rec string) crossing.Event {
		return crossing.Event{ID: id("rel"), Type: crossing.Released, At: tick(), Side: side, RecordID: rec, Point: plan.Crossing,
			Receiver: strings.ToLower(other(side)) + "-officer", Observer: "mediator-officer"}
	}
	received := func(side, rec string) crossing.Event {
		return crossing.Event{ID: id("rec"), Type: crossing.Received, At: tick(), Side: side, RecordID: rec, Point: plan.Crossing,
			Check: crossing.IdentityCheck{Method: crossing.CheckServiceNumber}, Health: crossing.HealthGood}
	}
	observed := func(t crossing.EventType, side, rec string) crossing.Event {
		return crossing.Event{ID: id("obs"), Type: t, At: tick(), Side: side, RecordID: rec, Point: plan.Crossing}
	}
	for _, side := range scenarioParties {
		ss, _ := plan.Side(side)
		officer, receiver := officerOf(side), officerOf(other(side))
		inc := incidents[n-1][side]
		skip := map[int]string{}
		for _, i := range inc.refused {
			skip[i] = "refused"
		}
		for _, i := range inc.absent {
			skip[i] = "absent"
		}
		var releases, receipts, observations, special []crossing.Event
		for i, rec := range ss.Persons {
			if i%97 == 0 {
				// The receiving officer finds the person by name, typed in
				// Latin letters, and by service number, as at the gate.
				r := sc.byID[rec]
				for _, q := range []string{names.Latin(r.Surname + " " + r.GivenNames), r.ServiceNumber} {
					if strings.TrimSpace(q) == "" {
						continue // a civilian has no service number
					}
					t0 := time.Now()
					hits, err := receiver.Lookup(ctx, sc.exID, n, q)
					if err != nil {
						return scenarioStage{}, err
					}
					sc.lookupMax = max(sc.lookupMax, time.Since(t0))
					if !slices.ContainsFunc(hits, func(h api.LookupHit) bool { return h.RecordID == rec }) {
						return scenarioStage{}, errs.E("scenario", errs.Internal, fmt.Sprintf("the lookup of %q does not find %s", q, rec))
					}
					sc.lookups++
				}
			}
			switch skip[i] {
			case "refused":
				special = append(special, crossing.Event{ID: id("ref"), Type: crossing.Refused, At: tick(), Side: side, RecordID: rec, Observer: "mediator-officer", Reason: "declines repatriation (GC III Art. 109(3))"})
				observations = append(observations, observed(crossing.ObservedRefusal, side, rec))
			case "absent":
				special = append(special, crossing.Event{ID: id("np"), Type: crossing.NotPresented, At: tick(), Side: side, RecordID: rec, Reason: "not brought to the crossing"})
			default:
				releases = append(releases, released(side, rec))
				receipts = append(receipts, received(side, rec))
				observations = append(observations, observed(crossing.ObservedHandover, side, rec))
			}
		}
		// The releasing side first; the receipts and the observations
		// from the other laptops (they may come in any order).
		if err := send(officer, append(releases, special...), true); err != nil {
			return scenarioStage{}, fmt.Errorf("%s's releases: %w", side, err)
		}
		if err := send(receiver, receipts, false); err != nil {
			return scenarioStage{}, fmt.Errorf("%s's receipts: %w", other(side), err)
		}
		if err := send(observer, observations, false); err != nil {
			return scenarioStage{}, fmt.Errorf("the observer: %w", err)
		}
		// The engine says which reserves balance the refusals and no-shows.
		st, err := med.Stage(ctx, sc.exID, n)
		if err != nil {
			return scenarioStage{}, err
		}
		var subs, subReceipts, subObserved []crossing.Event
		for _, sg := range st.Report.Balance {
			if sg.Side != side {
				continue
			}
			reserve := sc.plan.ReserveOf(side)[reserveUsed[side]]
			reserveUsed[side]++
			subs = append(subs, crossing.Event{ID: id("sub"), Type: crossing.SubstitutedBy, At: tick(), Side: side, RecordID: sg.Replaces, Reserve: reserve,
				Point: plan.Crossing, Receiver: strings.ToLower(other(side)) + "-officer", Observer: "mediator-officer"})
			subReceipts = append(subReceipts, received(side, reserve))
			subObserved = append(subObserved, observed(crossing.ObservedHandover, side, reserve))
		}
		for _, q := range []struct {
			who *client.Client
			evs []crossing.Event
		}{{officer, subs}, {receiver, subReceipts}, {observer, subObserved}} {
			if err := send(q.who, q.evs, false); err != nil {
				return scenarioStage{}, fmt.Errorf("reserves of %s: %w", side, err)
			}
		}
	}
	if n == 2 {
		// Someone not on the agreement is brought to the crossing: the
		// observer flags it; never counted unless both parties accept an
		// amendment.
		if err := send(observer, []crossing.Event{{ID: id("u"), Type: crossing.UnlistedPresented, At: tick(),
			Side: "RU", Category: person.Civilian, Observer: "mediator-officer", Reason: "presented as a civilian; not on the agreed list"}}, false); err != nil {
			return scenarioStage{}, err
		}
	}
	res, err := med.Transition(ctx, sc.exID, n,
		crossing.Event{ID: id("closing"), Type: crossing.StageClosing, At: tick()},
		crossing.Event{ID: id("closed"), Type: crossing.StageClosed, At: tick()})
	if err != nil {
		return scenarioStage{}, err
	}
	if bad := refused(res.Results); bad != "" {
		return scenarioStage{}, errs.E("scenario", errs.Conflict, "the stage did not close: "+bad)
	}
	s := res.Stage.Summary
	for _, side := range scenarioParties {
		pdf, err := med.StageListPDF(ctx, sc.exID, n, side)
		if err != nil {
			return scenarioStage{}, err
		}
		sc.files[fmt.Sprintf("stage-%d-%s.pdf", n, side)] = pdf
	}
	return scenarioStage{Stage: n, Planned: s.Planned, HandedOver: s.HandedOver, Refused: s.Refused, NotPresented: s.NotPresented,
		Substituted: s.Substituted, Unlisted: s.Unlisted, Parity: s.Parity}, nil
}

// other returns the scenario party that is not p.
func other(p string) string {
	if p == scenarioParties[0] {
		return scenarioParties[1]
	}
	return scenarioParties[0]
}

func refused(rs []crossing.Result) string {
	var bad []string
	for _, r := range rs {
		if r.Status == "refused" {
			bad = append(bad, fmt.Sprintf("%s: %s (%s)", r.ID, r.Message, r.Kind))
		}
	}
	return strings.Join(bad, "; ")
}

// aftermath fetches the exchange report and shows UA's bureau tracing one
// of its sought persons home.
func (sc *scenario) aftermath(ctx context.Context) error {
	rep, err := sc.c["mediator"].Report(ctx, sc.exID, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(sc.out, "officer's lookups: %d by name (Latin letters) and service number, each found; slowest answer %.1f ms\n", sc.lookups, float64(sc.lookupMax.Microseconds())/1000)
	fmt.Fprintf(sc.out, "report: UA handed over %d, RU %d; %d discrepancies flagged\n", rep.Total["UA"].HandedOver, rep.Total["RU"].HandedOver, len(rep.Discrepancies))
	xlsx, err := sc.c["mediator"].ReportXLSX(ctx, sc.exID, 0)
	if err != nil {
		return err
	}
	sc.files["report.xlsx"] = xlsx
	changes, err := sc.c["ua-registrar"].TraceChanges(ctx, time.Time{})
	if err != nil {
		return err
	}
	status := map[string]string{}
	var ids []string
	for _, c := range changes {
		if _, ok := status[c.RecordID]; !ok {
			ids = append(ids, c.RecordID)
		}
		status[c.RecordID] = c.Status
	}
	sort.Strings(ids)
	returned := 0
	for _, id := range ids {
		if status[id] == crossing.TraceReturned.String() {
			returned++
		}
	}
	fmt.Fprintf(sc.out, "trace: UA's bureau sees %d status changes of %d sought persons; %d returned\n", len(changes), len(ids), returned)
	return nil
}

// saveFiles writes the printed lists and the report beside the data.
func (sc *scenario) saveFiles(_ context.Context, dir string) {
	names := make([]string, 0, len(sc.files))
	for name, b := range sc.files {
		if writeFileAtomic(filepath.Join(dir, name), b, 0o600) == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintf(sc.out, "printed lists and report in %s: %s\n", dir, strings.Join(names, ", "))
	}
}
