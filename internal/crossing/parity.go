package crossing

import (
	"sort"
	"strings"

	"github.com/handover-project/handover/internal/errs"

	"github.com/handover-project/handover/internal/person"
)

// RuleKind is the kind of parity a stage is held to.
type RuleKind uint8

// Parity rules. Values are stable; append only.
const (
	// NForN: both sides hand over equal counts per category and in total,
	// and neither side less than its plan ("1,000 for 1,000").
	NForN RuleKind = iota + 1
	// AllForAll: every listed person of the stage is accounted for; no
	// numeric parity ("all seriously wounded for all"). A refusal accounts
	// for a person; a no-show does not.
	AllForAll
	// NoParity: counts need not match (remains: 6,060 against 78).
	NoParity
)

var ruleNames = [...]string{NForN: "n_for_n", AllForAll: "all_for_all", NoParity: "none"}

// String returns the stable name of k.
func (k RuleKind) String() string {
	if k.Valid() {
		return ruleNames[k]
	}
	return "rule(" + itoa(int(k)) + ")"
}

// Valid reports whether k is a known rule.
func (k RuleKind) Valid() bool { return k >= NForN && k <= NoParity }

// Rule is what the terms require of a stage: the parity rule and whether
// refusals and no-shows may be balanced by the agreed reserves.
type Rule struct {
	Kind RuleKind `json:"kind"`
	// Reserves is whether the terms allow substitution from the reserve
	// lists. Without it a substituted_by event is refused.
	Reserves bool `json:"reserves"`
	// Observed is whether the terms require the mediator's observer to
	// confirm each handover (observed_handover) and each refusal
	// (observed_refusal) before it counts or stands. Without it the two
	// sides' records suffice; an observation that contradicts them is a
	// disagreement either way.
	Observed bool `json:"observed,omitempty"`
	// Parts, when set, hold the categories of the stage to different
	// rules: the parts of the terms (exchange.PartsTerms). The exchange of
	// 19 April 2025 held 246 for 246 to N for N and returned the seriously
	// wounded, 31 and 15, regardless of number (GC III Art. 109(1)). A
	// category no part names is held to Kind. Parity holds when it holds
	// in every part.
	Parts []PartRule `json:"parts,omitempty"`
}

// PartRule is the parity rule of one part of the terms over its
// categories.
type PartRule struct {
	ID         string            `json:"id"`
	Kind       RuleKind          `json:"kind"`
	Categories []person.Category `json:"categories"`
}

// kindOf returns the parity rule category c is held to.
func (r Rule) kindOf(c person.Category) RuleKind {
	if p, ok := r.partOf(c); ok {
		return p.Kind
	}
	return r.Kind
}

func (r Rule) partOf(c person.Category) (PartRule, bool) {
	for _, p := range r.Parts {
		for _, pc := range p.Categories {
			if pc == c {
				return p, true
			}
		}
	}
	return PartRule{}, false
}

// PartReport is the parity of one part of the terms in a stage: its rule,
// counts per side over its categories, and whether it holds.
type PartReport struct {
	ID         string            `json:"id"`
	Rule       string            `json:"rule"`
	Categories []person.Category `json:"categories"`
	Sides      map[string]Counts `json:"sides"`
	Parity     bool              `json:"parity"`
	Blockers   []string          `json:"blockers,omitempty"`
	// BlockerCodes are Blockers as codes with arguments (see Report).
	BlockerCodes []errs.FieldError `json:"blocker_codes,omitempty"`
}

// Counts are the numbers of one side in one category (or in total).
type Counts struct {
	Planned      int `json:"planned"`
	HandedOver   int `json:"handed_over"`   // counted toward parity
	Refused      int `json:"refused"`       // listed persons who refused
	NotPresented int `json:"not_presented"` // listed persons not presented
	Substituted  int `json:"substituted"`   // listed persons replaced by a reserve
	Unlisted     int `json:"unlisted"`      // unlisted persons presented (counted only if accepted)
	Flagged      int `json:"flagged"`       // crossed but not counted: unlisted or objected, not accepted
	Mismatch     int `json:"mismatch"`      // identity mismatch not resolved
	Held         int `json:"held"`          // held back: the record changed after signing (SidePlan.Holds)
	// Pending: persons one side recorded and the other (or the observer
	// the terms require) has not yet; Disputed: persons whose records
	// disagree. Both are disagreements that block parity.
	Pending     int `json:"pending"`
	Disputed    int `json:"disputed"`
	Outstanding int `json:"outstanding"` // listed persons with no final outcome (mismatches, pending and disputed included)
	// Left is what is left to balance: how many more this side must hand
	// over in the category for the rule to hold.
	Left int `json:"left"`
	// ReservesLeft is the number of unused reserves.
	ReservesLeft int `json:"reserves_left"`
}

func (c *Counts) add(o Counts) {
	c.Planned += o.Planned
	c.HandedOver += o.HandedOver
	c.Refused += o.Refused
	c.NotPresented += o.NotPresented
	c.Substituted += o.Substituted
	c.Unlisted += o.Unlisted
	c.Flagged += o.Flagged
	c.Mismatch += o.Mismatch
	c.Held += o.Held
	c.Pending += o.Pending
	c.Disputed += o.Disputed
	c.Outstanding += o.Outstanding
	c.Left += o.Left
	c.ReservesLeft += o.ReservesLeft
}

// SideReport is one releasing side's counts.
type SideReport struct {
	ByCategory map[person.Category]Counts `json:"by_category"`
	Total      Counts                     `json:"total"`
}

// Suggestion is a refusal or no-show that an unused reserve of the same
// side and category can balance, where the terms allow reserves.
type Suggestion struct {
	Side     string          `json:"side"`
	Category person.Category `json:"category"`
	Replaces string          `json:"replaces"` // the listed person who did not cross
	Reserve  string          `json:"reserve"`  // a reserve who may cross instead
}

// Flag is a person who crossed and does not count, or whose identity is
// in doubt: what the report must show and never fold into the counts.
type Flag struct {
	Side     string          `json:"side"`
	RecordID string          `json:"record_id,omitempty"`
	Event    string          `json:"event"` // the event an amendment decision refers to
	Category person.Category `json:"category"`
	Kind     string          `json:"kind"` // "unlisted", "out_of_category", "identity_mismatch", "record_corrected" or "disagreement"
	// Code is, for a disagreement, why the records do not agree (see
	// PersonStatus.Disagreement): a user interface says it by the code.
	Code      string         `json:"code,omitempty"`
	Amendment AmendmentState `json:"amendment,omitempty"`
	Reason    string         `json:"reason"`
}

// Report is the parity of a stage at one point: counts per side and
// category, what is left, whether the stage may close and why not.
type Report struct {
	Exchange string                `json:"exchange"`
	Stage    int                   `json:"stage"`
	State    string                `json:"state"`
	Rule     string                `json:"rule"`
	Sides    map[string]SideReport `json:"sides"`
	// Parity is whether the rule holds and every listed person has a final
	// outcome: the stage may close without a discrepancy.
	Parity bool `json:"parity"`
	// MayClose is Parity in the closing state.
	MayClose bool `json:"may_close"`
	// Blockers say why parity does not hold, one line each, in a stable
	// order, in English.
	Blockers []string `json:"blockers,omitempty"`
	// BlockerCodes are the same, one for one: each line as a code
	// ("parity_outstanding", "parity_left"…) with its arguments (side,
	// category, counts), which a user interface says in the user's
	// language ("problem.<code>"); Message is the English line.
	BlockerCodes []errs.FieldError `json:"blocker_codes,omitempty"`
	// Balance lists the reserves that can balance refusals and no-shows.
	Balance     []Suggestion `json:"balance,omitempty"`
	Flags       []Flag       `json:"flags,omitempty"`
	Discrepancy string       `json:"discrepancy,omitempty"`
	// Parts is the parity of each part of the terms, in the terms' order,
	// when the rule has parts.
	Parts []PartReport `json:"parts,omitempty"`
}

// Report computes the stage's parity report from its current state. It is
// linear in the number of persons of the stage.
func (s *Stage) Report() Report {
	r := Report{
		Exchange: s.plan.Exchange, Stage: s.plan.Stage, State: s.state.String(), Rule: s.rule.Kind.String(),
		Sides: map[string]SideReport{}, Discrepancy: s.discrepancy,
	}
	type bucket struct {
		c       Counts
		replace []string // refused, not presented or rejected: a reserve may cross instead
		noShow  []string // the same without the refusals
		// unaccounted counts who crossed or should have and does not count:
		// no-shows and persons handed over but flagged (all for all).
		unaccounted int
		reserves    []string
	}
	buckets := map[string]map[person.Category]*bucket{}
	get := func(side string, c person.Category) *bucket {
		m := buckets[side]
		if m == nil {
			m = map[person.Category]*bucket{}
			buckets[side] = m
		}
		b := m[c]
		if b == nil {
			b = &bucket{}
			m[c] = b
		}
		return b
	}
	for _, side := range s.sides {
		sp := s.plan.Sides[side]
		for c, n := range sp.planned() {
			get(side, c).c.Planned = n
		}
		visit := func(pp PlannedPerson) {
			p := s.persons[pkey{side, pp.RecordID}]
			b := get(side, p.Category)
			counted := s.counted(p)
			if counted {
				b.c.HandedOver++
			}
			switch p.Outcome {
			case OutcomeRefused:
				b.c.Refused++
			case OutcomeNotPresented:
				b.c.NotPresented++
			case OutcomeMismatch:
				b.c.Mismatch++
				b.c.Outstanding++
			case OutcomeOutstanding:
				b.c.Outstanding++
			case OutcomeReserve:
				b.c.ReservesLeft++
				b.reserves = append(b.reserves, p.RecordID)
			case OutcomeHandedOver:
				if !counted && p.AmendmentEvent != "" {
					b.c.Flagged++
					r.Flags = append(r.Flags, Flag{Side: side, RecordID: p.RecordID, Event: p.AmendmentEvent, Category: p.Category,
						Kind: "out_of_category", Amendment: s.amendmentState(p.AmendmentEvent), Reason: p.Flag})
				}
			case OutcomeReleased, OutcomeReceived, OutcomeUnconfirmed, OutcomeDisputed:
				if !p.Reserve {
					b.c.Outstanding++
				}
			}
			if p.Disagreement != "" {
				if OneSided(p.Disagreement) {
					b.c.Pending++
				} else {
					b.c.Disputed++
				}
				r.Flags = append(r.Flags, Flag{Side: side, RecordID: p.RecordID, Event: p.Events[len(p.Events)-1], Category: p.Category,
					Kind: "disagreement", Code: p.Disagreement, Reason: s.disagreement(p)})
			}
			if hold := s.held(p); hold != "" {
				b.c.Held++
				if p.Outcome == OutcomeHandedOver && p.AmendmentEvent == "" {
					b.c.Flagged++ // crossed, not counted
				}
				r.Flags = append(r.Flags, Flag{Side: side, RecordID: p.RecordID, Category: p.Category, Kind: FlagCorrected, Reason: hold})
			}
			if p.Outcome == OutcomeMismatch {
				r.Flags = append(r.Flags, Flag{Side: side, RecordID: p.RecordID, Event: p.Events[len(p.Events)-1], Category: p.Category,
					Kind: "identity_mismatch", Reason: p.Flag})
			}
			if p.SubstitutedBy != "" {
				b.c.Substituted++
				return
			}
			if !counted && (p.Outcome == OutcomeNotPresented || p.Outcome == OutcomeHandedOver) {
				b.unaccounted++
			}
			rejected := p.Outcome == OutcomeHandedOver && s.amendmentState(p.AmendmentEvent) == AmendRejected
			if !p.Reserve && !counted && (p.Outcome == OutcomeRefused || p.Outcome == OutcomeNotPresented || rejected) {
				b.replace = append(b.replace, p.RecordID)
				if p.Outcome != OutcomeRefused {
					b.noShow = append(b.noShow, p.RecordID)
				}
			}
		}
		for _, pp := range sp.Persons {
			visit(pp)
		}
		for _, pp := range sp.Reserves {
			visit(pp)
		}
	}
	for _, k := range s.unlisted {
		p := s.persons[k]
		b := get(p.Side, p.Category)
		b.c.Unlisted++
		st := s.amendmentState(p.AmendmentEvent)
		if st == AmendAccepted {
			b.c.HandedOver++
			continue
		}
		b.c.Flagged++
		r.Flags = append(r.Flags, Flag{Side: p.Side, RecordID: p.RecordID, Event: p.AmendmentEvent, Category: p.Category,
			Kind: "unlisted", Amendment: st, Reason: p.Flag})
	}

	// What is left to balance, per rule.
	cats := map[person.Category]bool{}
	for _, m := range buckets {
		for c := range m {
			cats[c] = true
		}
	}
	catList := categoriesOf(boolCounts(cats))
	var blockers []errs.FieldError
	blockersOf := map[person.Category][]errs.FieldError{}
	// block adds a blocker of side and category c: fe's code, the English
	// line what, and the counts ns after side and category as arguments.
	block := func(fe errs.FieldError, side string, c person.Category, what string, ns ...int) {
		fe.Field, fe.Message, fe.Args = side+"."+string(c), side+" "+string(c)+": "+what, []string{side, string(c)}
		for _, n := range ns {
			fe.Args = append(fe.Args, itoa(n))
		}
		blockers = append(blockers, fe)
	}
	for _, c := range catList {
		kind := s.rule.kindOf(c)
		before := len(blockers)
		target := 0
		if kind == NForN {
			for _, side := range s.sides {
				b := get(side, c)
				target = max(target, b.c.Planned, b.c.HandedOver)
			}
		}
		for _, side := range s.sides {
			b := get(side, c)
			switch kind {
			case NForN:
				b.c.Left = target - b.c.HandedOver
			case AllForAll:
				// Everyone listed must be accounted for; a refusal accounts
				// for a person (Art. 109(3)), a no-show does not.
				b.c.Left = b.c.Outstanding + b.unaccounted
			case NoParity:
				b.c.Left = 0
			}
			if b.c.Left < 0 {
				b.c.Left = 0
			}
			if b.c.Outstanding > 0 {
				block(errs.FieldError{Code: "parity_outstanding"}, side, c, itoa(b.c.Outstanding)+" listed without a final outcome", b.c.Outstanding)
			}
			if b.c.Pending > 0 {
				block(errs.FieldError{Code: "parity_pending"}, side, c, itoa(b.c.Pending)+" recorded by one side only, or not yet confirmed by the observer", b.c.Pending)
			}
			if b.c.Disputed > 0 {
				block(errs.FieldError{Code: "parity_disputed"}, side, c, itoa(b.c.Disputed)+" on which the records disagree", b.c.Disputed)
			}
			if b.c.Left > 0 {
				if kind == NForN {
					block(errs.FieldError{Code: "parity_left_of"}, side, c, itoa(b.c.Left)+" left to balance (handed over "+itoa(b.c.HandedOver)+" of "+itoa(target)+")", b.c.Left, b.c.HandedOver, target)
				} else {
					block(errs.FieldError{Code: "parity_left"}, side, c, itoa(b.c.Left)+" left to balance", b.c.Left)
				}
			}
			// Suggest reserves for refusals and no-shows where allowed.
			if s.rule.Reserves && b.c.Left > 0 {
				gaps := b.replace
				if kind == AllForAll {
					gaps = b.noShow
				}
				n := min(b.c.Left, len(gaps), len(b.reserves))
				for i := range n {
					r.Balance = append(r.Balance, Suggestion{Side: side, Category: c, Replaces: gaps[i], Reserve: b.reserves[i]})
				}
				if short := b.c.Left - n; short > 0 && b.c.Outstanding == 0 {
					block(errs.FieldError{Code: "parity_no_reserves"}, side, c, itoa(short)+" cannot be balanced from reserves", short)
				}
			}
		}
		blockersOf[c] = blockers[before:]
	}
	for _, side := range s.sides {
		sr := SideReport{ByCategory: map[person.Category]Counts{}}
		for c, b := range buckets[side] {
			sr.ByCategory[c] = b.c
			sr.Total.add(b.c)
		}
		r.Sides[side] = sr
	}
	r.Blockers, r.BlockerCodes = lines(blockers), blockers
	for _, pr := range s.rule.Parts {
		p := PartReport{ID: pr.ID, Rule: pr.Kind.String(), Categories: pr.Categories, Sides: map[string]Counts{}}
		for _, side := range s.sides {
			var sum Counts
			for _, c := range pr.Categories {
				if b := buckets[side][c]; b != nil {
					sum.add(b.c)
				}
			}
			p.Sides[side] = sum
		}
		for _, c := range pr.Categories {
			p.BlockerCodes = append(p.BlockerCodes, blockersOf[c]...)
		}
		p.Blockers = lines(p.BlockerCodes)
		p.Parity = len(p.Blockers) == 0
		r.Parts = append(r.Parts, p)
	}
	r.Parity = len(blockers) == 0
	r.MayClose = r.Parity && s.state == Closing
	sort.SliceStable(r.Flags, func(i, j int) bool {
		if r.Flags[i].Side != r.Flags[j].Side {
			return r.Flags[i].Side < r.Flags[j].Side
		}
		return r.Flags[i].Kind < r.Flags[j].Kind
	})
	return r
}

func boolCounts(m map[person.Category]bool) map[person.Category]int {
	out := make(map[person.Category]int, len(m))
	for c := range m {
		out[c] = 1
	}
	return out
}

func joinBlockers(b []string) string { return strings.Join(b, "; ") }

// lines are the English messages of blockers.
func lines(blockers []errs.FieldError) []string {
	if len(blockers) == 0 {
		return nil
	}
	out := make([]string, len(blockers))
	for i, b := range blockers {
		out[i] = b.Message
	}
	return out
}

// disagreement says in English what the records of p disagree on: the
// report's text; a user interface says it by the code.
func (s *Stage) disagreement(p *PersonStatus) string {
	side, recv := p.Side, s.receiving(p.Side)
	what := func(a Act) string {
		if a.Type == "" {
			return "nothing"
		}
		return string(a.Type) + " (event " + a.Event + ")"
	}
	accounts := func() string {
		return side + " recorded " + what(p.Release) + "; " + recv + " recorded " + what(p.Receipt) + "; the observer recorded " + what(p.Observation)
	}
	switch p.Disagreement {
	case ReleaseWithoutReceipt:
		return side + " released the person; " + recv + " has not recorded the receipt"
	case ReceiptWithoutRelease:
		return recv + " received the person; " + side + " has not recorded the release"
	case ObserverConfirmationMissing:
		return "the terms require the mediator's observer to confirm; it has not: " + accounts()
	case ObservationWithoutRelease:
		return "the observer recorded " + what(p.Observation) + "; " + side + " has recorded nothing"
	case DisputedBySide:
		return recv + " disputes " + side + "'s account: " + accounts()
	}
	return "the records disagree: " + accounts()
}

// StageSummary is the line per stage of the exchange summary (issue 7's
// `handover scenario may-2025 --summary`): counts over both sides.
type StageSummary struct {
	Stage int `json:"stage"`
	// Planned is the planned count of each side (the larger one if the
	// sides differ, as they may under no parity).
	Planned      int            `json:"planned"`
	HandedOver   map[string]int `json:"handed_over"`
	Refused      int            `json:"refused"`
	NotPresented int            `json:"not_presented"`
	Substituted  int            `json:"substituted"`
	Unlisted     int            `json:"unlisted"`
	// Held counts the persons held back because their record changed
	// after signing: they do not count until an amendment.
	Held int `json:"held,omitempty"`
	// Disagreements counts the persons whose records do not agree, one
	// side waiting for the other included: they stay here after closing.
	Disagreements int `json:"disagreements,omitempty"`
	// Parity is whether the stage closed with parity (not with a discrepancy).
	Parity      bool   `json:"parity"`
	Discrepancy string `json:"discrepancy,omitempty"`
	// Parts is, when the terms have parts, each part's line: handed over
	// per side and whether its parity holds (now, or when the stage
	// closed).
	Parts []PartSummary `json:"parts,omitempty"`
}

// PartSummary is one part's line of a stage summary.
type PartSummary struct {
	ID         string         `json:"id"`
	Rule       string         `json:"rule"`
	HandedOver map[string]int `json:"handed_over"`
	Parity     bool           `json:"parity"`
}

// PartSummaries returns the summary line of each part of r.
func (r Report) PartSummaries() []PartSummary {
	var out []PartSummary
	for _, p := range r.Parts {
		ps := PartSummary{ID: p.ID, Rule: p.Rule, HandedOver: map[string]int{}, Parity: p.Parity}
		for side, c := range p.Sides {
			ps.HandedOver[side] = c.HandedOver
		}
		out = append(out, ps)
	}
	return out
}

// Summary returns the stage's summary line.
func (s *Stage) Summary() StageSummary { return s.Report().Summary(s.history) }

// Summary returns the summary line of the stage r reports on, whose
// transitions are history: for a caller that has the report already (it
// is linear in the persons of the stage).
func (r Report) Summary(history []Change) StageSummary {
	sum := StageSummary{Stage: r.Stage, HandedOver: map[string]int{}, Discrepancy: r.Discrepancy}
	for side, sr := range r.Sides {
		sum.Planned = max(sum.Planned, sr.Total.Planned)
		sum.HandedOver[side] = sr.Total.HandedOver
		sum.Refused += sr.Total.Refused
		sum.NotPresented += sr.Total.NotPresented
		sum.Substituted += sr.Total.Substituted
		sum.Unlisted += sr.Total.Unlisted
		sum.Held += sr.Total.Held
		sum.Disagreements += sr.Total.Pending + sr.Total.Disputed
	}
	if n := len(history); n > 0 && history[n-1].To == Closed {
		sum.Parity = history[n-1].Parity
	}
	sum.Parts = r.PartSummaries()
	return sum
}

// MarshalText encodes k as its name ("n_for_n").
func (k RuleKind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, errs.Errorf("crossing.RuleKind.MarshalText", errs.Invalid, "rule %d has no name", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes a rule name.
func (k *RuleKind) UnmarshalText(b []byte) error {
	for i, n := range ruleNames {
		if n != "" && n == string(b) {
			*k = RuleKind(i)
			return nil
		}
	}
	return errs.Errorf("crossing.RuleKind.UnmarshalText", errs.Invalid, "%q is not a parity rule: use n_for_n, all_for_all or none", b)
}
