package crossing

import (
	"slices"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Outcome is where one person of a stage stands.
type Outcome string

// Outcomes of a person at a stage.
const (
	OutcomeOutstanding  Outcome = "outstanding"       // listed; nothing final recorded yet
	OutcomeHandedOver   Outcome = "handed_over"       // crossed (counts unless flagged)
	OutcomeRefused      Outcome = "refused"           // declined repatriation (GC III Art. 109(3))
	OutcomeNotPresented Outcome = "not_presented"     // not brought to the crossing
	OutcomeMismatch     Outcome = "identity_mismatch" // presented, identity not matched yet; unresolved
	OutcomeReplaced     Outcome = "replaced"          // a reserve crossed in this person's place
	OutcomeReserve      Outcome = "reserve"           // a reserve not used (yet)
	OutcomeUnlisted     Outcome = "unlisted"          // presented though not on the agreement
)

// Final reports whether o ends the person's part in the stage.
func (o Outcome) Final() bool {
	return o == OutcomeHandedOver || o == OutcomeRefused || o == OutcomeNotPresented || o == OutcomeReplaced || o == OutcomeUnlisted
}

// AmendmentState is the state of an amendment proposed by presenting an
// unlisted person or by objecting to a person's category.
type AmendmentState string

// Amendment states.
const (
	AmendNone     AmendmentState = ""         // no amendment: the person is as agreed
	AmendPending  AmendmentState = "pending"  // not accepted by both parties: does not count
	AmendAccepted AmendmentState = "accepted" // accepted by both parties: counts
	AmendRejected AmendmentState = "rejected" // rejected by a party: never counts
)

// PersonStatus is one person of a stage as the events left them.
type PersonStatus struct {
	Side     string          `json:"side"` // the releasing side
	RecordID string          `json:"record_id,omitempty"`
	Category person.Category `json:"category"`
	Reserve  bool            `json:"reserve,omitempty"`  // on the reserve list
	Unlisted bool            `json:"unlisted,omitempty"` // not on the agreement
	Outcome  Outcome         `json:"outcome"`
	// Counted is whether the person counts toward parity.
	Counted bool `json:"counted"`
	// SubstitutedBy is the reserve who crossed in this person's place.
	SubstitutedBy string `json:"substituted_by,omitempty"`
	// Replaces is, for a reserve, the listed person it replaced.
	Replaces string `json:"replaces,omitempty"`
	// Amendment is set for an unlisted person or an objected category;
	// AmendmentEvent is the event id amendment decisions refer to.
	Amendment      AmendmentState `json:"amendment,omitempty"`
	AmendmentEvent string         `json:"amendment_event,omitempty"`
	// Flag says why the person is flagged: an objection, a mismatch.
	Flag string `json:"flag,omitempty"`
	// Hold says why the person is held back (SidePlan.Holds): they do not
	// count while it is set.
	Hold string `json:"hold,omitempty"`
	// At is the time of the last outcome.
	At time.Time `json:"at,omitzero"`
	// Events are the ids of the events about the person, in order.
	Events []string `json:"events"`
}

type pkey struct{ side, id string }

type amendment struct {
	key      pkey
	accepted map[string]bool
	rejected string // party that rejected
	reason   string
}

// Stage is one stage of an exchange as a fold over its events: state,
// window, history and every person's outcome. Build it with [New] and feed
// it events with [Stage.Apply], or rebuild it with [Replay]. A Stage is not
// safe for concurrent use: the store holds one per transaction.
type Stage struct {
	plan        Plan
	rule        Rule
	sides       []string
	state       State
	window      Window
	reason      string
	discrepancy string
	history     []Change

	persons    map[pkey]*PersonStatus
	unlisted   []pkey
	amendments map[string]*amendment
	crossed    int

	seen   map[string]int // event id → index in events
	events []Event
}

// New returns the stage of plan in state planned. The plan must be valid
// for rule.
func New(plan Plan, rule Rule) (*Stage, error) {
	if err := plan.Validate(rule); err != nil {
		return nil, err
	}
	n := 0
	for _, sp := range plan.Sides {
		n += len(sp.Persons) + len(sp.Reserves)
	}
	s := &Stage{
		plan: plan, rule: rule, sides: plan.sideNames(), state: Planned, window: plan.Window,
		persons: make(map[pkey]*PersonStatus, n), amendments: map[string]*amendment{}, seen: make(map[string]int, n),
	}
	for side, sp := range plan.Sides {
		for _, pp := range sp.Persons {
			s.persons[pkey{side, pp.RecordID}] = &PersonStatus{Side: side, RecordID: pp.RecordID, Category: pp.Category, Outcome: OutcomeOutstanding}
		}
		for _, pp := range sp.Reserves {
			s.persons[pkey{side, pp.RecordID}] = &PersonStatus{Side: side, RecordID: pp.RecordID, Category: pp.Category, Reserve: true, Outcome: OutcomeReserve}
		}
	}
	return s, nil
}

// Replay rebuilds a stage from its events in log order. It fails on the
// first event that would be refused: a stored log never holds one.
func Replay(plan Plan, rule Rule, events []Event) (*Stage, error) {
	s, err := New(plan, rule)
	if err != nil {
		return nil, err
	}
	s.events = make([]Event, 0, len(events))
	for i, e := range events {
		if _, err := s.Apply(e); err != nil {
			return nil, errs.E("crossing.Replay", errs.Internal, "event "+itoa(i)+" ("+e.ID+") does not replay", err)
		}
	}
	return s, nil
}

// Plan returns the stage's plan; the caller must not modify its maps.
func (s *Stage) Plan() Plan { return s.plan }

// Rule returns the parity rule the stage is held to.
func (s *Stage) Rule() Rule { return s.rule }

// State returns the stage's state.
func (s *Stage) State() State { return s.state }

// Window returns the stage's current window (the plan's, or the last slip's).
func (s *Stage) Window() Window { return s.window }

// Reason returns the reason of the current suspension or of the
// cancellation; empty otherwise.
func (s *Stage) Reason() string { return s.reason }

// Discrepancy returns the discrepancy the mediator recorded when closing;
// empty when the stage closed with parity or is not closed.
func (s *Stage) Discrepancy() string { return s.discrepancy }

// History returns the stage's transitions in order.
func (s *Stage) History() []Change { return append([]Change(nil), s.history...) }

// Events returns the accepted events in the order they were applied:
// what the store keeps, and what [Replay] takes.
func (s *Stage) Events() []Event { return append([]Event(nil), s.events...) }

// Person returns the status of a person of the stage on side's list or
// reserve list.
func (s *Stage) Person(side, recordID string) (PersonStatus, error) {
	p, ok := s.persons[pkey{side, recordID}]
	if !ok {
		return PersonStatus{}, errs.E("crossing.Stage.Person", errs.NotFound, "record "+quote(recordID)+" is not on "+side+"'s list for stage "+itoa(s.plan.Stage))
	}
	return s.snapshot(p), nil
}

// Unlisted returns the unlisted persons presented, in order.
func (s *Stage) Unlisted() []PersonStatus {
	out := make([]PersonStatus, 0, len(s.unlisted))
	for _, k := range s.unlisted {
		out = append(out, s.snapshot(s.persons[k]))
	}
	return out
}

func (s *Stage) snapshot(p *PersonStatus) PersonStatus {
	c := *p
	c.Events = append([]string(nil), p.Events...)
	c.Amendment = s.amendmentState(p.AmendmentEvent)
	c.Counted = s.counted(p)
	c.Hold = s.held(p)
	return c
}

func (s *Stage) amendmentState(id string) AmendmentState {
	a, ok := s.amendments[id]
	if !ok {
		return AmendNone
	}
	if a.rejected != "" {
		return AmendRejected
	}
	for _, side := range s.sides {
		if !a.accepted[side] {
			return AmendPending
		}
	}
	return AmendAccepted
}

// counted reports whether p counts toward parity: handed over as agreed,
// or presented unlisted or out of category and accepted by both parties;
// never while held back.
func (s *Stage) counted(p *PersonStatus) bool {
	if s.held(p) != "" {
		return false
	}
	switch p.Outcome {
	case OutcomeHandedOver:
		return p.AmendmentEvent == "" || s.amendmentState(p.AmendmentEvent) == AmendAccepted
	case OutcomeUnlisted:
		return s.amendmentState(p.AmendmentEvent) == AmendAccepted
	}
	return false
}

func (s *Stage) handedOver() int { return s.crossed }

// Result is the answer to one event of an offline queue.
type Result struct {
	ID string `json:"id"`
	// Status is "applied", "duplicate" (already applied with the same
	// content: nothing changed) or "refused".
	Status string `json:"status"`
	// Err is why the event was refused; its errs.Kind says what to do.
	// Kind and Message are the same for a JSON answer.
	Err     error             `json:"-"`
	Kind    string            `json:"kind,omitempty"`
	Message string            `json:"message,omitempty"`
	Fields  []errs.FieldError `json:"fields,omitempty"`
}

// Apply records one event. It returns dup = true, and changes nothing,
// when an event with the same ID and the same content was applied before.
// It refuses, changing nothing, an event that is incomplete (Invalid), that
// reuses an ID with other content or clashes with what was recorded
// (Conflict), or that only the mediator may record (Forbidden).
func (s *Stage) Apply(e Event) (dup bool, err error) {
	const op = "crossing.Stage.Apply"
	if i, ok := s.seen[e.ID]; ok && e.ID != "" {
		if s.events[i].key() == e.key() {
			return true, nil
		}
		return false, errs.E(op, errs.Conflict, "event id "+quote(e.ID)+" was already used for a different event")
	}
	if err := e.validate(s.sides); err != nil {
		return false, err
	}
	if e.Point != "" && len(s.plan.Points) > 0 && !slices.Contains(s.plan.Points, e.Point) {
		return false, errs.E(op, errs.Invalid, errs.FieldError{Field: "point", Where: e.ID, Message: quote(e.Point) + " is not a crossing point of stage " + itoa(s.plan.Stage), Args: []string{e.Point, itoa(s.plan.Stage)}, Code: "not_stage_point"})
	}
	if s.state.Final() {
		return false, conflict(op, errs.FieldError{Field: "type", Where: e.ID, Message: "stage " + itoa(s.plan.Stage) + " is " + s.state.String() + ": nothing more is recorded", Args: []string{itoa(s.plan.Stage), s.state.String()}, Code: "stage_over"})
	}
	if e.Type.IsStage() {
		err = s.applyTransition(e)
	} else {
		err = s.applyHandover(e)
	}
	if err != nil {
		return false, err
	}
	s.seen[e.ID] = len(s.events)
	s.events = append(s.events, e)
	return false, nil
}

// ApplyAll applies a queue of events recorded offline, in order, and
// answers each: applied, duplicate or refused with the reason. A refused
// event does not stop the queue; later events are judged on their own
// against the state the earlier ones left.
func (s *Stage) ApplyAll(events []Event) []Result {
	out := make([]Result, len(events))
	for i, e := range events {
		dup, err := s.Apply(e)
		switch {
		case err != nil:
			out[i] = Result{ID: e.ID, Status: "refused", Err: err, Kind: errs.KindOf(err).String(), Message: errs.Message(err), Fields: errs.Fields(err)}
		case dup:
			out[i] = Result{ID: e.ID, Status: "duplicate"}
		default:
			out[i] = Result{ID: e.ID, Status: "applied"}
		}
	}
	return out
}

// applyHandover checks and applies a handover event. It changes nothing
// when it returns an error.
func (s *Stage) applyHandover(e Event) error {
	const op = "crossing.Stage.Apply"
	if !s.state.AcceptsHandovers() {
		return conflict(op, errs.FieldError{Field: "type", Where: e.ID, Message: "stage " + itoa(s.plan.Stage) + " is " + s.state.String() + ": handovers are recorded only while it is open or closing", Args: []string{itoa(s.plan.Stage), s.state.String()}, Code: "stage_not_open"})
	}
	switch e.Type {
	case AmendmentAccepted, AmendmentRejected:
		return s.applyAmendment(e)
	case UnlistedPresented:
		if e.RecordID != "" {
			if p, ok := s.persons[pkey{e.Side, e.RecordID}]; ok && !p.Unlisted {
				return errs.E(op, errs.Invalid, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " is on " + e.Side + "'s list or reserves: record its handover, not an unlisted person", Args: []string{e.RecordID, e.Side}, Code: "listed_not_unlisted"})
			}
		}
		k := pkey{e.Side, "\x00unlisted:" + e.ID}
		p := &PersonStatus{Side: e.Side, RecordID: e.RecordID, Category: e.Category, Unlisted: true, Outcome: OutcomeUnlisted,
			AmendmentEvent: e.ID, Flag: "not on the agreement", At: e.At, Events: []string{e.ID}}
		s.persons[k] = p
		s.unlisted = append(s.unlisted, k)
		s.amendments[e.ID] = &amendment{key: k, accepted: map[string]bool{}}
		s.crossed++
		return nil
	}
	p, ok := s.persons[pkey{e.Side, e.RecordID}]
	if !ok || p.Unlisted {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " is not on " + e.Side + "'s list for stage " + itoa(s.plan.Stage) + ": record unlisted_person_presented", Args: []string{e.RecordID, e.Side, itoa(s.plan.Stage)}, Code: "not_on_stage_list"})
	}
	if p.Reserve {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " is a reserve: it crosses only through substituted_by in place of a listed person", Args: []string{e.RecordID}, Code: "reserve_not_listed"})
	}
	open := (p.Outcome == OutcomeOutstanding || p.Outcome == OutcomeMismatch) && p.SubstitutedBy == ""
	already := func() error {
		last := p.Events[len(p.Events)-1]
		if p.SubstitutedBy != "" {
			return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " was already replaced by reserve " + quote(p.SubstitutedBy) + " (event " + quote(last) + ")", Args: []string{e.RecordID, p.SubstitutedBy, last}, Code: "already_replaced"})
		}
		return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " already has the outcome " + string(p.Outcome) + " (event " + quote(last) + ")", Args: []string{e.RecordID, string(p.Outcome), last}, Code: "already_outcome"})
	}
	switch e.Type {
	case HandedOver, Refused, NotPresented, IdentityMismatch:
		if !open {
			return already()
		}
		switch e.Type {
		case HandedOver:
			p.Outcome, p.Flag = OutcomeHandedOver, ""
			if e.Objection != "" {
				p.AmendmentEvent, p.Flag = e.ID, "outside the agreed category: "+e.Objection
				s.amendments[e.ID] = &amendment{key: pkey{e.Side, e.RecordID}, accepted: map[string]bool{}}
			}
			s.crossed++
		case Refused:
			p.Outcome, p.Flag = OutcomeRefused, ""
		case NotPresented:
			p.Outcome, p.Flag = OutcomeNotPresented, ""
		case IdentityMismatch:
			p.Outcome, p.Flag = OutcomeMismatch, e.Reason
		}
	case RefusalWithdrawn:
		if p.Outcome != OutcomeRefused || p.SubstitutedBy != "" {
			return errs.E(op, errs.Conflict, quote(e.RecordID)+" has no refusal to withdraw (outcome "+string(p.Outcome)+")")
		}
		p.Outcome = OutcomeOutstanding
	case SubstitutedBy:
		if !s.rule.Reserves {
			return errs.E(op, errs.Conflict, "the terms of this exchange allow no substitution from reserves")
		}
		replaceable := open || p.Outcome == OutcomeRefused || p.Outcome == OutcomeNotPresented ||
			(p.Outcome == OutcomeHandedOver && s.amendmentState(p.AmendmentEvent) == AmendRejected)
		if !replaceable || p.SubstitutedBy != "" {
			return already()
		}
		r, ok := s.persons[pkey{e.Side, e.Reserve}]
		if !ok || !r.Reserve {
			return errs.E(op, errs.Invalid, errs.FieldError{Field: "reserve", Where: e.ID, Message: quote(e.Reserve) + " is not on " + e.Side + "'s reserve list for stage " + itoa(s.plan.Stage), Args: []string{e.Reserve, e.Side, itoa(s.plan.Stage)}, Code: "not_on_reserve_list"})
		}
		if r.Outcome != OutcomeReserve {
			return errs.E(op, errs.Conflict, "reserve "+quote(e.Reserve)+" was already used in place of "+quote(r.Replaces))
		}
		if r.Category != p.Category {
			return errs.E(op, errs.Invalid, errs.FieldError{Field: "reserve", Where: e.ID, Message: "reserve " + quote(e.Reserve) + " is " + string(r.Category) + " but " + quote(e.RecordID) + " is " + string(p.Category), Args: []string{e.Reserve, string(r.Category), e.RecordID, string(p.Category)}, Code: "reserve_category"})
		}
		if open {
			p.Outcome = OutcomeReplaced
		}
		p.SubstitutedBy = r.RecordID
		r.Outcome, r.Replaces, r.At = OutcomeHandedOver, p.RecordID, e.At
		r.Events = append(r.Events, e.ID)
		if e.Objection != "" {
			r.AmendmentEvent, r.Flag = e.ID, "outside the agreed category: "+e.Objection
			s.amendments[e.ID] = &amendment{key: pkey{e.Side, e.Reserve}, accepted: map[string]bool{}}
		}
		s.crossed++
	}
	p.At = e.At
	p.Events = append(p.Events, e.ID)
	return nil
}

func (s *Stage) applyAmendment(e Event) error {
	const op = "crossing.Stage.Apply"
	a, ok := s.amendments[e.Subject]
	if !ok {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "subject", Where: e.ID, Message: quote(e.Subject) + " is not an unlisted person or an objection of this stage", Args: []string{e.Subject}, Code: "not_unlisted_or_objection"})
	}
	if a.rejected != "" {
		return conflict(op, errs.FieldError{Field: "subject", Where: e.ID, Message: "the amendment " + quote(e.Subject) + " was already rejected by " + a.rejected, Args: []string{e.Subject, a.rejected}, Code: "amendment_rejected_already"})
	}
	if a.accepted[e.Party] {
		return conflict(op, errs.FieldError{Field: "subject", Where: e.ID, Message: e.Party + " already accepted the amendment " + quote(e.Subject), Args: []string{e.Party, e.Subject}, Code: "amendment_accepted_already"})
	}
	if e.Type == AmendmentAccepted {
		a.accepted[e.Party] = true
	} else {
		a.rejected, a.reason = e.Party, e.Reason
	}
	p := s.persons[a.key]
	p.Events = append(p.Events, e.ID)
	return nil
}
