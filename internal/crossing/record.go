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
	OutcomeHandedOver   Outcome = "handed_over"       // released and received (counts unless flagged)
	OutcomeRefused      Outcome = "refused"           // declined repatriation (GC III Art. 109(3))
	OutcomeNotPresented Outcome = "not_presented"     // not brought to the crossing
	OutcomeMismatch     Outcome = "identity_mismatch" // presented, identity not matched yet; unresolved
	OutcomeReplaced     Outcome = "replaced"          // a reserve crossed in this person's place
	OutcomeReserve      Outcome = "reserve"           // a reserve not used (yet)
	OutcomeUnlisted     Outcome = "unlisted"          // presented though not on the agreement
	// One side's record waits for the other's (never final, never counted):
	OutcomeReleased    Outcome = "released"    // released; the receipt is not recorded yet
	OutcomeReceived    Outcome = "received"    // received; the release is not recorded yet
	OutcomeUnconfirmed Outcome = "unconfirmed" // both sides agree; the observer's confirmation the terms require is missing
	OutcomeDisputed    Outcome = "disputed"    // the records disagree (see PersonStatus.Disagreement)
)

// Disagreement codes: why the records of a person do not (yet) agree. The
// one-sided ones wait for the other side's record or the observer's
// confirmation; the others are conflicting accounts. Every one blocks
// parity until resolved (docs/design/crossing.md, "Disagreements").
const (
	ReleaseWithoutReceipt       = "release_without_receipt"       // released; no receipt
	ReceiptWithoutRelease       = "receipt_without_release"       // received; no release
	ObserverConfirmationMissing = "observer_confirmation_missing" // the terms require the observer; it has not confirmed
	ObservationWithoutRelease   = "observation_without_release"   // the observer recorded it; the releasing side has not
	ReceivedButRefused          = "received_but_refused"          // received someone the releasing side says refused
	ReceivedButNotPresented     = "received_but_not_presented"    // received someone the releasing side says it did not bring
	ReceivedButReplaced         = "received_but_replaced"         // received someone the releasing side says a reserve replaced
	ObserverDiffers             = "observer_differs"              // the observer saw otherwise than a side recorded
	DisputedBySide              = "disputed"                      // the receiving side disputes the releasing side's account
)

// OneSided reports whether disagreement code d is one side's record
// waiting for another's, rather than conflicting accounts.
func OneSided(d string) bool {
	return d == ReleaseWithoutReceipt || d == ReceiptWithoutRelease || d == ObserverConfirmationMissing || d == ObservationWithoutRelease
}

// Act is one party's standing record about a person: the release (the
// releasing side's), the receipt and the dispute (the receiving side's),
// or the observation (the mediator's observer's). A retracted act no
// longer stands; its event stays in the person's Events.
type Act struct {
	Event string    `json:"event"`
	Type  EventType `json:"type"`
	Party string    `json:"party"`
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"at"`
}

func actOf(e Event) Act {
	return Act{Event: e.ID, Type: e.Type, Party: e.Party, Actor: e.Actor, At: e.At}
}

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
	// Release, Receipt, Dispute and Observation are the records that stand
	// about the person, one per party and kind (zero: none).
	Release     Act `json:"release,omitzero"`
	Receipt     Act `json:"receipt,omitzero"`
	Dispute     Act `json:"dispute,omitzero"`
	Observation Act `json:"observation,omitzero"`
	// Disagreement is set while the records do not agree: a code above.
	Disagreement string `json:"disagreement,omitempty"`
	// At is the time of the last outcome.
	At time.Time `json:"at,omitzero"`
	// Events are the ids of the events about the person, in order.
	Events []string `json:"events"`
}

type pkey struct{ side, id string }

// slot names one kind of act of a person.
type slot uint8

const (
	slotRelease slot = iota + 1
	slotReceipt
	slotDispute
	slotObservation
)

// actRef says where the act an event made stands: whose and which.
type actRef struct {
	key  pkey
	slot slot
}

func (p *PersonStatus) act(sl slot) *Act {
	switch sl {
	case slotRelease:
		return &p.Release
	case slotReceipt:
		return &p.Receipt
	case slotDispute:
		return &p.Dispute
	}
	return &p.Observation
}

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
	// acts maps the id of each event whose act stands to where it stands.
	acts    map[string]actRef
	crossed int // releases, receipts and unlisted persons ever recorded

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
		persons: make(map[pkey]*PersonStatus, n), amendments: map[string]*amendment{}, acts: make(map[string]actRef, 2*n), seen: make(map[string]int, 2*n),
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
	s.seen = make(map[string]int, len(events))
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

// Event returns the accepted event with id, if any.
func (s *Stage) Event(id string) (Event, bool) {
	i, ok := s.seen[id]
	if !ok || id == "" {
		return Event{}, false
	}
	return s.events[i], true
}

// Person returns the status of a person of the stage on side's list or
// reserve list.
func (s *Stage) Person(side, recordID string) (PersonStatus, error) {
	p, ok := s.persons[pkey{side, recordID}]
	if !ok {
		return PersonStatus{}, errs.E("crossing.Stage.Person", errs.NotFound, "record "+quote(recordID)+" is not on "+side+"'s list for stage "+itoa(s.plan.Stage), errs.Coded{Code: "not_on_side_list", Args: []string{recordID, side, itoa(s.plan.Stage)}})
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

// counted reports whether p counts toward parity: released and received
// (and observed, where the terms require it) with no disagreement, as
// agreed or out of category and accepted by both parties; or presented
// unlisted and accepted by both parties; never while held back.
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
	if err := s.authorise(e); err != nil {
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
//
// Each party keeps one standing act per person and kind: the releasing
// side its release (released, refused, not presented, substituted), the
// receiving side its receipt (received, or an identity mismatch that a
// receipt may follow) and its dispute, the observer its observation. A
// party that contradicts its own standing act is refused (Conflict: it
// retracts first); a party whose act contradicts the other party's is
// recorded, and the person shows the disagreement until the accounts
// agree: nothing is overwritten.
func (s *Stage) applyHandover(e Event) error {
	const op = "crossing.Stage.Apply"
	if !s.state.AcceptsHandovers() {
		return conflict(op, errs.FieldError{Field: "type", Where: e.ID, Message: "stage " + itoa(s.plan.Stage) + " is " + s.state.String() + ": handovers are recorded only while it is open or closing", Args: []string{itoa(s.plan.Stage), s.state.String()}, Code: "stage_not_open"})
	}
	switch e.Type {
	case AmendmentAccepted, AmendmentRejected:
		return s.applyAmendment(e)
	case Retracted:
		return s.applyRetraction(e)
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
	k := pkey{e.Side, e.RecordID}
	p, ok := s.persons[k]
	if !ok || p.Unlisted {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " is not on " + e.Side + "'s list for stage " + itoa(s.plan.Stage) + ": record unlisted_person_presented", Args: []string{e.RecordID, e.Side, itoa(s.plan.Stage)}, Code: "not_on_stage_list"})
	}
	if p.Reserve && e.Type.RecordedBy() == ByReleasing {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " is a reserve: it crosses only through substituted_by in place of a listed person", Args: []string{e.RecordID}, Code: "reserve_not_listed"})
	}
	recorded := func(a Act) error {
		if p.SubstitutedBy != "" && a.Type == "" {
			return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " was already replaced by reserve " + quote(p.SubstitutedBy) + " (event " + quote(p.Events[len(p.Events)-1]) + ")", Args: []string{e.RecordID, p.SubstitutedBy, p.Events[len(p.Events)-1]}, Code: "already_replaced"})
		}
		return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: a.Party + " already recorded " + string(a.Type) + " for " + quote(e.RecordID) + " (event " + quote(a.Event) + "): retract it first", Args: []string{a.Party, string(a.Type), e.RecordID, a.Event}, Code: "already_recorded"})
	}
	var sl slot
	switch e.Type {
	case Released, Refused, NotPresented:
		if p.Release.Type != "" || p.SubstitutedBy != "" {
			return recorded(p.Release)
		}
		sl = slotRelease
	case RefusalWithdrawn:
		if p.Release.Type != Refused || p.SubstitutedBy != "" {
			return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " has no refusal to withdraw (outcome " + string(p.Outcome) + ")", Args: []string{e.RecordID, string(p.Outcome)}, Code: "no_refusal"})
		}
		delete(s.acts, p.Release.Event)
		p.Release = Act{}
	case SubstitutedBy:
		if err := s.substitute(e, p); err != nil {
			return err
		}
		if p.Release.Type == "" {
			p.Release = actOf(e) // replaced; a substitution is not retracted
		}
	case Received, IdentityMismatch:
		if p.Receipt.Type == Received {
			return recorded(p.Receipt)
		}
		sl = slotReceipt
	case Disputed:
		if p.Dispute.Type != "" {
			return recorded(p.Dispute)
		}
		sl = slotDispute
	case ObservedHandover, ObservedRefusal:
		if p.Observation.Type != "" {
			return recorded(p.Observation)
		}
		sl = slotObservation
	}
	if sl != 0 {
		a := p.act(sl)
		delete(s.acts, a.Event) // a mismatch a receipt follows no longer stands
		*a = actOf(e)
		s.acts[e.ID] = actRef{key: k, slot: sl}
	}
	switch e.Type {
	case Released, Received:
		s.crossed++
	}
	if sl == slotReceipt {
		s.dropObjection(p)
		switch {
		case e.Type == IdentityMismatch:
			p.Flag = e.Reason
		case e.Objection != "":
			p.AmendmentEvent, p.Flag = e.ID, "outside the agreed category: "+e.Objection
			s.amendments[e.ID] = &amendment{key: k, accepted: map[string]bool{}}
		}
	}
	p.At = e.At
	p.Events = append(p.Events, e.ID)
	s.settle(p)
	return nil
}

// substitute checks and applies the release of a reserve in place of the
// listed person p: the reserve's release. p's own release, if it has none,
// is set by the caller.
func (s *Stage) substitute(e Event, p *PersonStatus) error {
	const op = "crossing.Stage.Apply"
	if !s.rule.Reserves {
		return conflict(op, errs.FieldError{Field: "reserve", Where: e.ID, Message: "the terms of this exchange allow no substitution from reserves", Code: "no_reserves_in_terms"})
	}
	rejected := p.Outcome == OutcomeHandedOver && s.amendmentState(p.AmendmentEvent) == AmendRejected
	replaceable := p.Release.Type == "" || p.Release.Type == Refused || p.Release.Type == NotPresented || rejected
	if !replaceable || p.SubstitutedBy != "" {
		last := p.Events[len(p.Events)-1]
		if p.SubstitutedBy != "" {
			return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: quote(e.RecordID) + " was already replaced by reserve " + quote(p.SubstitutedBy) + " (event " + quote(last) + ")", Args: []string{e.RecordID, p.SubstitutedBy, last}, Code: "already_replaced"})
		}
		return conflict(op, errs.FieldError{Field: "record_id", Where: e.ID, Message: p.Release.Party + " already recorded " + string(p.Release.Type) + " for " + quote(e.RecordID) + " (event " + quote(p.Release.Event) + "): retract it first", Args: []string{p.Release.Party, string(p.Release.Type), e.RecordID, p.Release.Event}, Code: "already_recorded"})
	}
	r, ok := s.persons[pkey{e.Side, e.Reserve}]
	if !ok || !r.Reserve {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "reserve", Where: e.ID, Message: quote(e.Reserve) + " is not on " + e.Side + "'s reserve list for stage " + itoa(s.plan.Stage), Args: []string{e.Reserve, e.Side, itoa(s.plan.Stage)}, Code: "not_on_reserve_list"})
	}
	if r.Release.Type != "" {
		return conflict(op, errs.FieldError{Field: "reserve", Where: e.ID, Message: "reserve " + quote(e.Reserve) + " was already used in place of " + quote(r.Replaces), Args: []string{e.Reserve, r.Replaces}, Code: "reserve_used"})
	}
	if r.Category != p.Category {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "reserve", Where: e.ID, Message: "reserve " + quote(e.Reserve) + " is " + string(r.Category) + " but " + quote(e.RecordID) + " is " + string(p.Category), Args: []string{e.Reserve, string(r.Category), e.RecordID, string(p.Category)}, Code: "reserve_category"})
	}
	p.SubstitutedBy = r.RecordID
	r.Release, r.Replaces, r.At = actOf(e), p.RecordID, e.At
	r.Events = append(r.Events, e.ID)
	s.crossed++
	s.settle(r)
	return nil
}

// applyRetraction takes back the standing act of the event e.Subject. Only
// the party that recorded it may; a substitution, an unlisted person, an
// amendment decision or a stage event is not retracted.
func (s *Stage) applyRetraction(e Event) error {
	const op = "crossing.Stage.Apply"
	i, ok := s.seen[e.Subject]
	if !ok {
		return errs.E(op, errs.Invalid, errs.FieldError{Field: "subject", Where: e.ID, Message: quote(e.Subject) + " is not an event of this stage", Args: []string{e.Subject}, Code: "not_stage_event"})
	}
	subj := s.events[i]
	if subj.Party != e.Party {
		msg := e.Party + " may not retract " + quote(e.Subject) + ": only " + subj.Party + ", who recorded it, may"
		return errs.E(op, errs.Forbidden, msg, errs.FieldError{Field: "subject", Where: e.ID, Message: msg, Args: []string{e.Party, e.Subject, subj.Party}, Code: "retract_own"})
	}
	ref, standing := s.acts[e.Subject]
	if !standing {
		switch subj.Type {
		case Released, Refused, NotPresented, Received, IdentityMismatch, Disputed, ObservedHandover, ObservedRefusal:
			return conflict(op, errs.FieldError{Field: "subject", Where: e.ID, Message: quote(e.Subject) + " no longer stands: it was retracted, withdrawn or followed by a receipt", Args: []string{e.Subject}, Code: "not_standing"})
		}
		return conflict(op, errs.FieldError{Field: "subject", Where: e.ID, Message: quote(e.Subject) + " is a " + string(subj.Type) + ", which is not retracted: the mediator may record a discrepancy", Args: []string{e.Subject, string(subj.Type)}, Code: "not_retractable"})
	}
	p := s.persons[ref.key]
	if ref.slot == slotRelease && p.SubstitutedBy != "" {
		return conflict(op, errs.FieldError{Field: "subject", Where: e.ID, Message: quote(p.RecordID) + " was already replaced by reserve " + quote(p.SubstitutedBy) + ": the release stands", Args: []string{p.RecordID, p.SubstitutedBy}, Code: "replaced_release_stands"})
	}
	*p.act(ref.slot) = Act{}
	delete(s.acts, e.Subject)
	if ref.slot == slotReceipt {
		s.dropObjection(p)
	}
	p.At = e.At
	p.Events = append(p.Events, e.ID)
	s.settle(p)
	return nil
}

// dropObjection forgets the category objection of p's receipt, when the
// receipt no longer stands: decisions already recorded stay in the
// history, and no new one can be made on it.
func (s *Stage) dropObjection(p *PersonStatus) {
	if p.AmendmentEvent != "" && !p.Unlisted {
		delete(s.amendments, p.AmendmentEvent)
	}
	p.AmendmentEvent, p.Flag = "", ""
}

// settle derives p's outcome and disagreement from the acts that stand.
// The order of the cases is the order of precedence: conflicting accounts
// first, then an identity mismatch, then agreement or one side waiting.
func (s *Stage) settle(p *PersonStatus) {
	rel, rec, obs := p.Release.Type, p.Receipt.Type, p.Observation.Type
	crossed := rel == Released || (p.Reserve && rel == SubstitutedBy) // the releasing side says the person crossed
	stayed := rel == Refused || rel == NotPresented || (!p.Reserve && rel == SubstitutedBy)
	d, o := "", OutcomeOutstanding
	switch {
	case rec == Received && stayed:
		d = map[EventType]string{Refused: ReceivedButRefused, NotPresented: ReceivedButNotPresented, SubstitutedBy: ReceivedButReplaced}[rel]
	case obs == ObservedHandover && stayed,
		obs == ObservedRefusal && (crossed || rec == Received || rel == NotPresented || rel == SubstitutedBy):
		d = ObserverDiffers
	case p.Dispute.Type != "":
		d = DisputedBySide
	}
	switch {
	case d != "":
		o = OutcomeDisputed
	case rec == IdentityMismatch:
		o = OutcomeMismatch
	case crossed && rec == Received:
		o = OutcomeHandedOver
		if s.rule.Observed && obs != ObservedHandover {
			o, d = OutcomeUnconfirmed, ObserverConfirmationMissing
		}
	case crossed:
		o, d = OutcomeReleased, ReleaseWithoutReceipt
	case rec == Received:
		o, d = OutcomeReceived, ReceiptWithoutRelease
	case rel == Refused:
		o = OutcomeRefused
		if s.rule.Observed && obs != ObservedRefusal {
			o, d = OutcomeUnconfirmed, ObserverConfirmationMissing
		}
	case rel == NotPresented:
		o = OutcomeNotPresented
	case rel == SubstitutedBy:
		o = OutcomeReplaced
	default:
		if p.Reserve {
			o = OutcomeReserve
		}
		if obs != "" {
			d = ObservationWithoutRelease
		}
	}
	p.Outcome, p.Disagreement = o, d
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
