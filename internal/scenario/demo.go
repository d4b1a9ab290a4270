package scenario

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/synth"
)

// DemoConfig sets up the demo's seeding.
type DemoConfig struct {
	// Records is how many held and how many sought records each party's
	// registers get.
	Records int
	// Seed selects the synthetic population.
	Seed uint64
	// Now is the demo's "today": the population is drawn up to it and the
	// exchanges are dated from it.
	Now time.Time
	// Progress, if set, is called with a Seeded for each register filled.
	Progress func(any)
}

// Seeded reports one register filled.
type Seeded struct {
	Party string
	Kind  person.Kind
	N     int
	// Held is how many of a sought register's persons the other party
	// holds (written down by each side in its own way).
	Held int
}

// DemoKey is an agreement signer key the demo made: one per side, proposed
// by one person of the side and confirmed by a second. Demo keys only: the
// private half is handed back for the caller to keep beside the demo's
// data, for a newcomer to try signing with.
type DemoKey struct {
	File   string // the base name the caller keeps it under: "ua-approver"
	Name   string // the key's name: "UA-approver-demo"
	Party  string // "" for the mediator
	Login  string // who proposed it
	Second string // who confirmed it
	SKey   string // the private key
	VKey   string // the verifier key
}

// demoKeys are the demo's signer keys.
var demoKeys = []DemoKey{
	{File: "ua-approver", Name: "UA-approver-demo", Party: "UA", Login: "ua-approver", Second: "ua-approver-2"},
	{File: "ru-approver", Name: "RU-approver-demo", Party: "RU", Login: "ru-approver", Second: "ru-approver-2"},
	{File: "mediator", Name: "mediator-demo", Party: "", Login: "mediator", Second: "mediator-2"},
}

// DemoKeys returns the demo's signer keys as Demo makes them, without the
// keys themselves: their files, names, sides and people.
func DemoKeys() []DemoKey { return slices.Clone(demoKeys) }

// DemoSigned is the demo's signed exchange.
type DemoSigned struct {
	ExchangeID, Name string
	Total            int // persons a side
	Version          int
	State            string
	Document         string // the agreement document with its signatures
	Keys             []DemoKey
	// OpenStage is the stage the demo opened, for an officer to work.
	OpenStage int
	// Interviewed counts the persons the neutral interviewed before the
	// freeze (both sides).
	Interviewed int
}

// DemoNegotiation is the demo's exchange in negotiation.
type DemoNegotiation struct {
	ExchangeID, Name string
	Offers           PartyCounts // persons on each party's current offer list
	// Blocking counts the items that block agreement, by reason.
	Blocking map[exchange.BlockReason]int
}

// DemoRun is one matching run the demo started and left for the mediator
// to review.
type DemoRun struct {
	ID             int64
	Sought, Held   string // the parties
	Candidates     int
	Planted, Found int // sought persons the held party holds; of them, paired with their held record
	Undecided      int // candidate pairs not yet decided: the backlog
}

// DemoResult is what the demo seeded.
type DemoResult struct {
	Records  int // in all four registers
	Matching []DemoRun
	// Signed and Negotiation are nil when there were too few held records
	// to make them.
	Signed      *DemoSigned
	Negotiation *DemoNegotiation
	// CustodyOverdue is, per party, the persons it holds whose capture
	// card is overdue (GC III Art. 70): the demo leaves one each.
	CustodyOverdue PartyCounts
}

// demoShared is the share of each sought register that the other party
// holds: the persons the mediator's matching is there to find.
const demoShared = 10 // one in demoShared

// Demo seeds a demo through the API, as its people would: the registers
// (cfg.Records held and sought persons a party, synthetic, with one sought
// person in ten held by the other party and written down by each side in
// its own way); a matching run each way, left undecided for the mediator
// to review; a signed exchange (50 for 50 with 10 civilians, in 2 stages,
// signed with signer keys made here, each proposed by one person of its
// side and confirmed by a second) with its first stage open for the
// checkpoint officers; and an exchange in negotiation (offer lists
// answered in part: accepted, queried, rejected, refused, one struck in a
// second version). With too few records the exchanges are smaller, or
// left out. cs holds a client for each of Accounts.
func Demo(ctx context.Context, cs Clients, cfg DemoConfig) (DemoResult, error) {
	var res DemoResult
	for _, a := range Accounts {
		if cs[a.Login] == nil {
			return res, errs.E("demo", errs.Invalid, fmt.Sprintf("no client for %s", a.Login))
		}
	}
	if cfg.Records < 0 {
		return res, errs.E("demo", errs.Invalid, "the number of records may not be negative")
	}
	if cfg.Now.IsZero() {
		return res, errs.E("demo", errs.Invalid, "the demo needs its date (DemoConfig.Now)")
	}
	gen := synth.New(synth.Config{Seed: cfg.Seed, Ref: cfg.Now})
	source := fmt.Sprintf("seed %d", cfg.Seed)
	held := map[string][]person.Record{}
	for _, p := range Parties {
		recs, err := createRecords(ctx, cs[registrar(p)], p, gen.Records(p, person.Held, cfg.Records), source)
		if err != nil {
			return res, err
		}
		held[p] = recs
		res.Records += len(recs)
		report(cfg.Progress, Seeded{Party: p, Kind: person.Held, N: len(recs)})
	}
	// Each sought register: one person in demoShared is someone the other
	// party holds, as the family reported him; the rest are drawn anew.
	planted := map[string]map[string]string{} // seeking party → sought id → held id
	for _, p := range Parties {
		var fields []person.Fields
		var heldIDs []string
		for _, r := range held[other(p)] {
			if len(fields) >= cfg.Records/demoShared {
				break
			}
			if r.Surname == "" {
				continue // not identified: nobody can report him by name
			}
			fields = append(fields, reportedMissing(r.Fields, len(fields)))
			heldIDs = append(heldIDs, r.ID)
		}
		shared := len(fields)
		fields = append(fields, gen.Records(p, person.Sought, cfg.Records-shared)...)
		recs, err := createRecords(ctx, cs[registrar(p)], p, fields, source)
		if err != nil {
			return res, err
		}
		planted[p] = map[string]string{}
		for i, id := range heldIDs {
			planted[p][recs[i].ID] = id
		}
		res.Records += len(recs)
		report(cfg.Progress, Seeded{Party: p, Kind: person.Sought, N: len(recs), Held: shared})
	}
	// The mediator runs matching each way and leaves the candidates for
	// review.
	if cfg.Records > 0 {
		for _, p := range Parties {
			run, err := cs["mediator"].RunMatching(ctx, p, other(p), 0)
			if err != nil {
				return res, err
			}
			// Every candidate, page by page: the API gives 100 unless
			// asked for more, at most 1,000 a page.
			var cands []api.Candidate
			for off := 0; ; off += candidatePage {
				page, err := cs["mediator"].Candidates(ctx, run.ID, "", candidatePage, off)
				if err != nil {
					return res, err
				}
				cands = append(cands, page...)
				if len(page) < candidatePage {
					break
				}
			}
			dr := DemoRun{ID: run.ID, Sought: p, Held: other(p), Candidates: len(cands), Planted: len(planted[p])}
			for _, c := range cands {
				if planted[p][c.SoughtID] == c.HeldID {
					dr.Found++
				}
				if c.Status == "candidate" {
					dr.Undecided++
				}
			}
			res.Matching = append(res.Matching, dr)
		}
	}
	var err error
	if res.Signed, res.Negotiation, err = demoExchanges(ctx, cs, cfg.Now, held); err != nil {
		return res, err
	}
	if res.CustodyOverdue, err = demoCustody(ctx, cs, cfg.Now, held); err != nil {
		return res, err
	}
	return res, nil
}

// candidatePage is how many candidates the demo reads a request: the
// API's largest page.
const candidatePage = 1000

// createRecords creates the records of party's register in batches of
// the API's largest.
func createRecords(ctx context.Context, c interface {
	CreateRecords(context.Context, []api.RecordInput) ([]person.Record, error)
}, party string, fields []person.Fields, ref string) ([]person.Record, error) {
	var out []person.Record
	for start := 0; start < len(fields); start += api.MaxBatch {
		part := fields[start:min(start+api.MaxBatch, len(fields))]
		in := make([]api.RecordInput, len(part))
		for i, f := range part {
			in[i] = api.RecordInput{Party: party, Fields: f, Source: "demo: synthetic population", SourceRef: ref}
		}
		recs, err := c.CreateRecords(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// reportedMissing is the sought record a family's report makes of a
// person the other side holds (held): the same person, missing since his
// capture, written down less fully than his captors did. The i-th report
// lacks, in turn, the patronymic, the day and month of birth or the
// service number, so that the matching run has pairs to weigh and not
// only copies.
func reportedMissing(held person.Fields, i int) person.Fields {
	f := held
	f.Kind, f.Status = person.Sought, person.StatusMissing
	f.DisappearanceDate, f.CaptureDate, f.CapturePlace = held.CaptureDate, person.Date{}, ""
	f.Health, f.NextOfKin, f.Notes = "", "", "reported missing by the family"
	f.Detrimental, f.DetrimentalBasis, f.DetrimentalReason = false, "", ""
	switch i % 4 {
	case 1:
		f.Patronymic = ""
	case 2:
		f.BirthDate.Month, f.BirthDate.Day = 0, 0
	case 3:
		f.ServiceNumber = ""
	}
	return f
}

// demoExchanges makes the demo's two exchanges from the held records (by
// party): one signed agreement with its first stage open, and one
// negotiation in progress. With too few records it makes them smaller, or
// returns nil for one it cannot make.
func demoExchanges(ctx context.Context, cs Clients, now time.Time, held map[string][]person.Record) (*DemoSigned, *DemoNegotiation, error) {
	// Candidates: prisoners of war and detained civilians, nobody
	// convicted, deceased or seriously wounded (they need more evidence).
	mil, civ := map[string][]person.Record{}, map[string][]person.Record{}
	for _, p := range Parties {
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
		return nil, nil, nil
	}
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	const crossingPoint = "Belarus–Ukraine border"
	med := cs["mediator"]

	// offer submits party's offer list of the given records.
	offer := func(exID, party string, recs []person.Record, removed []exchange.Removal, reason string) error {
		items := make([]exchange.Item, len(recs))
		for i, r := range recs {
			items[i] = exchange.Item{RecordID: r.ID, Category: r.Category}
		}
		_, err := cs[registrar(party)].SubmitList(ctx, exID, exchange.Offer, items, removed, reason)
		return err
	}
	consent := func(party string, recs []person.Record) error {
		for _, r := range recs {
			ev := exchange.Evidence{Consent: []exchange.Consent{{Kind: exchange.ConsentGiven, Date: day.AddDate(0, 0, -3), Witness: "ICRC delegate (demo)"}}}
			if err := cs[registrar(party)].SetEvidence(ctx, r.ID, ev); err != nil {
				return err
			}
		}
		return nil
	}

	// 1. The signed agreement.
	signed := exchange.Exchange{Name: fmt.Sprintf("Demo: %d for %d, signed", sMil+sCiv, sMil+sCiv), Parties: Parties, Crossings: []string{crossingPoint},
		From: day, To: day.AddDate(0, 0, 1),
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: sMil + sCiv,
			Conditions: []exchange.Condition{{ID: "third-country", Text: "a civilian may choose to stay in a third country"}}}}
	if sMil > 0 {
		signed.Terms.Rules = append(signed.Terms.Rules, exchange.Rule{ID: "mil", Category: person.Military})
	}
	if sCiv > 0 {
		signed.Terms.Rules = append(signed.Terms.Rules, exchange.Rule{ID: "civ", Category: person.Civilian, Count: sCiv})
	}
	ex, err := med.OpenExchange(ctx, signed)
	if err != nil {
		return nil, nil, err
	}
	chosen := map[string][]person.Record{}
	for _, p := range Parties {
		chosen[p] = append(slices.Clone(mil[p][:sMil]), civ[p][:sCiv]...)
		if err := consent(p, civ[p][:sCiv]); err != nil {
			return nil, nil, err
		}
		if err := offer(ex.ID, p, chosen[p], nil, "first list"); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range Parties {
		answers := make([]exchange.Response, len(chosen[p]))
		for i, r := range chosen[p] {
			answers[i] = exchange.Response{RecordID: r.ID, Answer: exchange.Accept, Reason: "identity and eligibility confirmed"}
		}
		if _, err := cs[registrar(other(p))].Respond(ctx, ex.ID, p, exchange.Offer, 1, answers); err != nil {
			return nil, nil, err
		}
	}
	// The neutral's delegate interviews every listed person in private
	// before the agreement is frozen (GC III Art. 118; ICRC practice):
	// each wishes to return.
	interviewed := 0
	for _, p := range Parties {
		for _, r := range chosen[p] {
			if _, err := med.RecordInterview(ctx, ex.ID, exchange.Interview{RecordID: r.ID, Party: p,
				At: day.AddDate(0, 0, -2).Add(10 * time.Hour), Place: "place of internment (demo)", Outcome: exchange.WishesReturn,
				Interviewer: "delegate (demo)", Organisation: "ICRC delegation"}); err != nil {
				return nil, nil, err
			}
			interviewed++
		}
	}
	// Two stages when there is enough to split, each pairing up per
	// category; the first today, the second tomorrow.
	var plan exchange.StagePlan
	split := [][2]int{{0, 1}}
	if sMil+sCiv >= 4 {
		split = [][2]int{{0, 2}, {1, 2}}
	}
	for si, sp := range split {
		st := exchange.Stage{Number: si + 1, Crossing: crossingPoint,
			Start: signed.From.AddDate(0, 0, si).Add(8 * time.Hour), End: signed.From.AddDate(0, 0, si).Add(18 * time.Hour)}
		for _, p := range Parties {
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
	ag, err := med.FreezeAgreement(ctx, ex.ID, plan)
	if err != nil {
		return nil, nil, err
	}
	out := &DemoSigned{ExchangeID: ex.ID, Name: signed.Name, Total: sMil + sCiv, Interviewed: interviewed}
	doc := []byte(ag.Document)
	for _, k := range demoKeys {
		if k.SKey, k.VKey, err = audit.GenerateKey(k.Name); err != nil {
			return nil, nil, err
		}
		prop, err := cs[k.Login].ProposeKey(ctx, k.VKey, k.Party, api.KeySigner, "")
		if err != nil {
			return nil, nil, err
		}
		if _, err := cs[k.Second].ConfirmKey(ctx, prop.Name, ""); err != nil {
			return nil, nil, err
		}
		signer, err := note.NewSigner(k.SKey)
		if err != nil {
			return nil, nil, errs.E("demo", errs.Internal, err)
		}
		line, err := exchange.Sign(doc, signer)
		if err != nil {
			return nil, nil, err
		}
		if ag, err = cs[k.Login].SignAgreement(ctx, ex.ID, ag.Version, line); err != nil {
			return nil, nil, err
		}
		out.Keys = append(out.Keys, k)
	}
	out.Version, out.State = ag.Version, ag.State
	text, err := med.AgreementText(ctx, ex.ID, ag.Version)
	if err != nil {
		return nil, nil, err
	}
	out.Document = string(text)
	// The first stage is open: an officer who logs in has a stage to work.
	if _, err := med.OpenStage(ctx, ex.ID, 1); err != nil {
		return nil, nil, err
	}
	out.OpenStage = 1

	// 2. The negotiation in progress.
	if nMil+nCiv < 6 {
		return out, nil, nil
	}
	neg := exchange.Exchange{Name: "Demo: in negotiation", Parties: Parties, Crossings: []string{crossingPoint},
		From: day.AddDate(0, 0, 30), To: day.AddDate(0, 0, 30),
		Terms: exchange.Terms{Kind: exchange.Numeric, Total: nMil + nCiv, Reference: day.AddDate(0, 0, 30),
			Rules: []exchange.Rule{{ID: "mil-adult", Category: person.Military, MinAge: 18}}}}
	if nCiv > 0 {
		neg.Terms.Rules = append(neg.Terms.Rules, exchange.Rule{ID: "civ", Category: person.Civilian, Count: nCiv})
	}
	if ex, err = med.OpenExchange(ctx, neg); err != nil {
		return nil, nil, err
	}
	lists := map[string][]person.Record{}
	for _, p := range Parties {
		lists[p] = append(slices.Clone(mil[p][sMil:sMil+nMil]), civ[p][sCiv:sCiv+nCiv]...)
		// Half the civilians have recorded consent; the others are a
		// violation until someone records it.
		if err := consent(p, civ[p][sCiv:sCiv+nCiv/2]); err != nil {
			return nil, nil, err
		}
		if err := offer(ex.ID, p, lists[p], nil, "first list"); err != nil {
			return nil, nil, err
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
	if _, err := cs[registrar("RU")].Respond(ctx, ex.ID, "UA", exchange.Offer, 1, answers); err != nil {
		return nil, nil, err
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
	if _, err := cs[registrar("UA")].Respond(ctx, ex.ID, "RU", exchange.Offer, 1, answers); err != nil {
		return nil, nil, err
	}
	// UA strikes the person who declined, in a second version.
	if err := offer(ex.ID, "UA", append(slices.Clone(ua[:3]), ua[4:]...),
		[]exchange.Removal{{RecordID: ua[3].ID, Reason: "declined to be exchanged (GC III Art. 109(3)): struck"}}, "struck one person at RU's answer"); err != nil {
		return nil, nil, err
	}
	v, err := med.ExchangeView(ctx, ex.ID)
	if err != nil {
		return nil, nil, err
	}
	n := &DemoNegotiation{ExchangeID: ex.ID, Name: neg.Name, Offers: PartyCounts{"UA": len(ua) - 1, "RU": len(ru)}, Blocking: map[exchange.BlockReason]int{}}
	for _, b := range v.Blocking {
		n.Blocking[b.Why]++
	}
	return out, n, nil
}
