package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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
	"github.com/handover-project/handover/internal/synth"
)

// StageLine is one stage of the May 2025 exchange as it ended: a line of
// the scenario's summary.
type StageLine struct {
	Stage        int         `json:"stage"`
	Planned      int         `json:"planned"`
	HandedOver   PartyCounts `json:"handed_over"`
	Refused      int         `json:"refused"`
	NotPresented int         `json:"not_presented"`
	Substituted  int         `json:"substituted"`
	Unlisted     int         `json:"unlisted"`
	Parity       bool        `json:"parity"`
	// Took is how long the stage took to play; not in the summary.
	Took time.Duration `json:"-"`
}

// PartyCounts is a count per party that marshals in the parties' order
// (UA, RU), not sorted as a map would be.
type PartyCounts map[string]int

// MarshalJSON writes the play's parties first, in order, then any other.
func (pc PartyCounts) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	keys := slices.Clone(Parties[:])
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

// Summary is what `handover scenario may-2025 --summary` writes:
// {"stages":[{"stage":1,"planned":390,"handed_over":{"UA":390,"RU":390},…}],"audit_ok":true}.
// The play fills Stages; the caller, who audits the log, AuditOK.
type Summary struct {
	Stages  []StageLine `json:"stages"`
	AuditOK bool        `json:"audit_ok"`
}

// Registers reports the registers seeded and the matching run over them.
type Registers struct {
	Held       int   // held persons a side
	Run        int64 // the matching run's id
	Candidates int   // its candidate pairs
	Sought     int   // UA's sought persons, each one RU holds
	Confirmed  int   // of them, confirmed and disclosed to UA
	Took       time.Duration
}

// Negotiated reports the exchange agreed and signed.
type Negotiated struct {
	ExchangeID string
	Took       time.Duration
}

// Aftermath reports what the parties see once the stages are closed.
type Aftermath struct {
	Lookups   int           // the officers' lookups made, each found
	LookupMax time.Duration // the slowest, over HTTP
	// HandedOver per party over the exchange, and the discrepancies the
	// report flags.
	HandedOver    PartyCounts
	Discrepancies int
	// UA's bureau's trace: status changes, of how many sought persons, and
	// how many of them returned.
	TraceChanges, TracePersons, Returned int
}

// May2025Config sets up a May 2025 play.
type May2025Config struct {
	// Scale shrinks every count (0.1: stages of 39, 31 and 30); 0 means 1.
	Scale float64
	// Seed selects the synthetic population.
	Seed uint64
	// Endorsers are private keys in effect per side ("" for the mediator)
	// that endorse the play's new signer keys: a demo's, against a demo
	// server whose sides have keys already.
	Endorsers map[string]string
	// Progress, if set, is called with each step's report as it ends:
	// Registers, Negotiated, a StageLine per stage, Aftermath.
	Progress func(any)
}

// May2025 plays the May 2025 exchange (1,000 for 1,000, staged 23–25 May
// 2025 at the Belarus–Ukraine border) through the API, as the parties, the
// mediator and the checkpoint officers would:
//
//  1. registers: each side's held persons (synthetic, internal/synth) and
//     a few sought persons of UA that RU holds; a matching run, the
//     matches confirmed and disclosed;
//  2. the exchange: terms (1,000 for 1,000 with 120 civilians), offer
//     lists, answers, consent evidence for every civilian;
//  3. the agreement: stages of 390 (270 military + 120 civilians), 307 and
//     303 per side and a reserve list, frozen, signed by both parties'
//     approvers and the mediator with keys made here, each proposed by one
//     person of its side and confirmed by a second;
//  4. the stages: each opened, every person checked and handed over by the
//     checkpoint officers in queues, with a few refusals and no-shows
//     replaced from the reserves and one unlisted person flagged; parity
//     checked, the stage closed; the officer's lookup, the printed lists
//     and the report fetched.
type May2025 struct {
	c        Clients
	scale    float64
	seed     uint64
	progress func(any)
	exID     string
	stages   []struct{ mil, civ int }
	held     map[string][]person.Record // party → held records, in list order
	plan     exchange.StagePlan
	files    map[string][]byte
	byID     map[string]person.Record
	// lookups counts the officer's lookups made; lookupMax is the slowest
	// answer, over HTTP.
	lookups   int
	lookupMax time.Duration
	endorsers map[string]string
}

// NewMay2025 returns a play against the server at url with the tokens
// (by login) of May2025Accounts.
func NewMay2025(url string, tokens map[string]string, cfg May2025Config) (*May2025, error) {
	scale := cfg.Scale
	if scale == 0 {
		scale = 1
	}
	if scale < 0.05 || scale > 1 {
		return nil, errs.E("scenario", errs.Invalid, "the scale must be from 0.05 to 1")
	}
	c, err := Connect(url, tokens, May2025Accounts())
	if err != nil {
		return nil, err
	}
	sc := &May2025{c: c, scale: scale, seed: cfg.Seed, progress: cfg.Progress, held: map[string][]person.Record{}, files: map[string][]byte{}, byID: map[string]person.Record{},
		endorsers: map[string]string{}}
	for k, v := range cfg.Endorsers {
		sc.endorsers[k] = v
	}
	n := func(v int) int { return max(1, int(math.Round(float64(v)*scale))) }
	sc.stages = []struct{ mil, civ int }{{n(270), n(120)}, {n(307), 0}, {n(303), 0}}
	return sc, nil
}

// Files are the printed stage lists (PDF) and the exchange report (XLSX)
// fetched during the play, by file name.
func (sc *May2025) Files() map[string][]byte { return sc.files }

// Play plays the exchange and returns its summary (AuditOK left to the
// caller).
func (sc *May2025) Play(ctx context.Context) (Summary, error) {
	var sum Summary
	t0 := time.Now()
	reg, err := sc.registers(ctx)
	if err != nil {
		return sum, fmt.Errorf("registers: %w", err)
	}
	reg.Took = time.Since(t0)
	report(sc.progress, reg)
	t0 = time.Now()
	if err := sc.negotiate(ctx); err != nil {
		return sum, fmt.Errorf("negotiation: %w", err)
	}
	report(sc.progress, Negotiated{ExchangeID: sc.exID, Took: time.Since(t0)})
	for i := range sc.stages {
		t0 = time.Now()
		line, err := sc.runStage(ctx, i+1)
		if err != nil {
			return sum, fmt.Errorf("stage %d: %w", i+1, err)
		}
		line.Took = time.Since(t0)
		report(sc.progress, line)
		sum.Stages = append(sum.Stages, line)
	}
	after, err := sc.aftermath(ctx)
	if err != nil {
		return sum, fmt.Errorf("after the stages: %w", err)
	}
	report(sc.progress, after)
	return sum, nil
}

// MakeCheckpoint asks the server for a checkpoint now (as the mediator),
// so that an audit covers every leaf the play made.
func (sc *May2025) MakeCheckpoint(ctx context.Context) error {
	_, err := sc.c["mediator"].MakeCheckpoint(ctx)
	return err
}

// reservesPerSide is how many soldiers of each side the agreement keeps
// in reserve, to replace a refusal or a no-show.
const reservesPerSide = 4

// registers seeds each side's held register with synthetic prisoners of
// war and detained civilians, and UA's sought register with a few of the
// UA soldiers RU holds; the mediator matches and discloses them.
func (sc *May2025) registers(ctx context.Context) (Registers, error) {
	gen := synth.New(synth.Config{Seed: sc.seed, Ref: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
	wantMil, wantCiv := reservesPerSide, 0
	for _, s := range sc.stages {
		wantMil += s.mil
		wantCiv += s.civ
	}
	for _, p := range Parties {
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
			recs, err := sc.c[registrar(p)].CreateRecords(ctx, in)
			if err != nil {
				return Registers{}, err
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
		return Registers{}, err
	}
	med := sc.c["mediator"]
	run, err := med.RunMatching(ctx, "UA", "RU", 0)
	if err != nil {
		return Registers{}, err
	}
	cands, err := med.Candidates(ctx, run.ID, "", 1000, 0)
	if err != nil {
		return Registers{}, err
	}
	want := map[string]string{}
	for i, r := range recs {
		want[r.ID] = sc.held["RU"][i].ID
	}
	confirmed := 0
	for _, cd := range cands {
		if want[cd.SoughtID] == cd.HeldID {
			if _, err := med.DecideMatch(ctx, cd.SoughtID, cd.HeldID, "confirm", "same person: name, birth date, service number"); err != nil {
				return Registers{}, err
			}
			if err := med.DiscloseMatch(ctx, cd.SoughtID, cd.HeldID); err != nil {
				return Registers{}, err
			}
			confirmed++
		}
	}
	return Registers{Held: len(sc.held["UA"]), Run: run.ID, Candidates: len(cands), Sought: len(recs), Confirmed: confirmed}, nil
}

// negotiate opens the exchange, submits and answers the lists, records
// consent evidence, freezes the agreement and signs it three times.
func (sc *May2025) negotiate(ctx context.Context) error {
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
	for _, p := range Parties {
		reg := sc.c[registrar(p)]
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
	for _, p := range Parties {
		other := map[string]string{"UA": "RU", "RU": "UA"}[p]
		var answers []exchange.Response
		for _, r := range sc.held[other] {
			answers = append(answers, exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "identity and eligibility verified"})
		}
		if _, err := sc.c[registrar(p)].Respond(ctx, ex.ID, other, exchange.Offer, 1, answers); err != nil {
			return err
		}
	}
	// The stage plan: military then civilians in list order; the last
	// reservesPerSide soldiers are the reserve.
	next := map[string]int{}
	civNext := map[string]int{}
	for _, p := range Parties {
		civNext[p] = len(sc.held[p]) - civ
	}
	for i, s := range sc.stages {
		// The mediator's observer confirms every handover and refusal: the
		// agreement says so for each stage ("stage N observed").
		st := exchange.Stage{Number: i + 1, Start: day.AddDate(0, 0, i).Add(8 * time.Hour), End: day.AddDate(0, 0, i).Add(20 * time.Hour), Crossing: "Belarus–Ukraine border", Observed: true}
		for _, p := range Parties {
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
	for _, p := range Parties {
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
			if endorsement, err = audit.Endorse(e, side, api.KeySigner, vkey); err != nil {
				return err
			}
		}
		prop, err := sc.c[k.login].ProposeKey(ctx, vkey, k.party, api.KeySigner, endorsement)
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
func (sc *May2025) runStage(ctx context.Context, n int) (StageLine, error) {
	med := sc.c["mediator"]
	if _, err := med.OpenStage(ctx, sc.exID, n); err != nil {
		return StageLine{}, err
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
	officerOf := func(party string) *client.Client { return sc.c[officer(party)] }
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
			Receiver: officer(other(side)), Observer: "mediator-officer"}
	}
	received := func(side, rec string) crossing.Event {
		return crossing.Event{ID: id("rec"), Type: crossing.Received, At: tick(), Side: side, RecordID: rec, Point: plan.Crossing,
			Check: crossing.IdentityCheck{Method: crossing.CheckServiceNumber}, Health: crossing.HealthGood}
	}
	observed := func(t crossing.EventType, side, rec string) crossing.Event {
		return crossing.Event{ID: id("obs"), Type: t, At: tick(), Side: side, RecordID: rec, Point: plan.Crossing}
	}
	for _, side := range Parties {
		ss, _ := plan.Side(side)
		releaser, receiver := officerOf(side), officerOf(other(side))
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
						return StageLine{}, err
					}
					sc.lookupMax = max(sc.lookupMax, time.Since(t0))
					if !slices.ContainsFunc(hits, func(h api.LookupHit) bool { return h.RecordID == rec }) {
						return StageLine{}, errs.E("scenario", errs.Internal, fmt.Sprintf("the lookup of %q does not find %s", q, rec))
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
		if err := send(releaser, append(releases, special...), true); err != nil {
			return StageLine{}, fmt.Errorf("%s's releases: %w", side, err)
		}
		if err := send(receiver, receipts, false); err != nil {
			return StageLine{}, fmt.Errorf("%s's receipts: %w", other(side), err)
		}
		if err := send(observer, observations, false); err != nil {
			return StageLine{}, fmt.Errorf("the observer: %w", err)
		}
		// The engine says which reserves balance the refusals and no-shows.
		st, err := med.Stage(ctx, sc.exID, n)
		if err != nil {
			return StageLine{}, err
		}
		var subs, subReceipts, subObserved []crossing.Event
		for _, sg := range st.Report.Balance {
			if sg.Side != side {
				continue
			}
			reserve := sc.plan.ReserveOf(side)[reserveUsed[side]]
			reserveUsed[side]++
			subs = append(subs, crossing.Event{ID: id("sub"), Type: crossing.SubstitutedBy, At: tick(), Side: side, RecordID: sg.Replaces, Reserve: reserve,
				Point: plan.Crossing, Receiver: officer(other(side)), Observer: "mediator-officer"})
			subReceipts = append(subReceipts, received(side, reserve))
			subObserved = append(subObserved, observed(crossing.ObservedHandover, side, reserve))
		}
		for _, q := range []struct {
			who *client.Client
			evs []crossing.Event
		}{{releaser, subs}, {receiver, subReceipts}, {observer, subObserved}} {
			if err := send(q.who, q.evs, false); err != nil {
				return StageLine{}, fmt.Errorf("reserves of %s: %w", side, err)
			}
		}
	}
	if n == 2 {
		// Someone not on the agreement is brought to the crossing: the
		// observer flags it; never counted unless both parties accept an
		// amendment.
		if err := send(observer, []crossing.Event{{ID: id("u"), Type: crossing.UnlistedPresented, At: tick(),
			Side: "RU", Category: person.Civilian, Observer: "mediator-officer", Reason: "presented as a civilian; not on the agreed list"}}, false); err != nil {
			return StageLine{}, err
		}
	}
	res, err := med.Transition(ctx, sc.exID, n,
		crossing.Event{ID: id("closing"), Type: crossing.StageClosing, At: tick()},
		crossing.Event{ID: id("closed"), Type: crossing.StageClosed, At: tick()})
	if err != nil {
		return StageLine{}, err
	}
	if bad := refused(res.Results); bad != "" {
		return StageLine{}, errs.E("scenario", errs.Conflict, "the stage did not close: "+bad)
	}
	s := res.Stage.Summary
	for _, side := range Parties {
		pdf, err := med.StageListPDF(ctx, sc.exID, n, side, "")
		if err != nil {
			return StageLine{}, err
		}
		sc.files[fmt.Sprintf("stage-%d-%s.pdf", n, side)] = pdf
	}
	return StageLine{Stage: n, Planned: s.Planned, HandedOver: s.HandedOver, Refused: s.Refused, NotPresented: s.NotPresented,
		Substituted: s.Substituted, Unlisted: s.Unlisted, Parity: s.Parity}, nil
}

// aftermath fetches the exchange report and shows UA's bureau tracing one
// of its sought persons home.
func (sc *May2025) aftermath(ctx context.Context) (Aftermath, error) {
	rep, err := sc.c["mediator"].Report(ctx, sc.exID, 0)
	if err != nil {
		return Aftermath{}, err
	}
	after := Aftermath{Lookups: sc.lookups, LookupMax: sc.lookupMax, HandedOver: PartyCounts{}, Discrepancies: len(rep.Discrepancies)}
	for _, p := range Parties {
		after.HandedOver[p] = rep.Total[p].HandedOver
	}
	xlsx, err := sc.c["mediator"].ReportXLSX(ctx, sc.exID, 0, "")
	if err != nil {
		return Aftermath{}, err
	}
	sc.files["report.xlsx"] = xlsx
	changes, err := sc.c["ua-registrar"].TraceChanges(ctx, time.Time{})
	if err != nil {
		return Aftermath{}, err
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
	after.TraceChanges, after.TracePersons, after.Returned = len(changes), len(ids), returned
	return after, nil
}
