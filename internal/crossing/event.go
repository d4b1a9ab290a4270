package crossing

import (
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// EventType says what an event records. Values are stable snake_case
// names; the list is append-only.
type EventType string

// Handover events. A handover is two-sided: the releasing side's officer
// records what the releasing side does (released, refused, not presented,
// substituted), the receiving side's officer what the receiving side does
// (received, identity mismatch, disputed), and the mediator's observer what
// it saw (observed_handover, observed_refusal). [EventType.RecordedBy] says
// who records each type; a person counts toward parity when both sides'
// records agree (docs/design/crossing.md, "Two-sided handover").
const (
	// HandedOver was the one-sided handover, recorded by anyone: retired.
	// The type stays known (the list is append-only) but is refused: the
	// releasing side records Released and the receiving side Received.
	HandedOver EventType = "handed_over"
	// Refused: the person declines repatriation (GC III Art. 109(3)), as
	// the releasing side records it, naming the mediator's observer who
	// witnessed it. Final for the stage unless withdrawn; the person stays
	// on the agreement.
	Refused EventType = "refused"
	// RefusalWithdrawn: the person takes back a refusal before the stage
	// closes (releasing side, witnessed); the person is outstanding again.
	RefusalWithdrawn EventType = "refusal_withdrawn"
	// NotPresented: the releasing side did not bring the person.
	NotPresented EventType = "not_presented"
	// SubstitutedBy: the releasing side releases a person from its agreed
	// reserve list in place of a listed one that did not cross. The
	// receiving side records the reserve's receipt.
	SubstitutedBy EventType = "substituted_by"
	// UnlistedPresented: someone not on the agreement was presented (the
	// releasing side, or the mediator's observer). A discrepancy; never
	// counted unless both parties accept an amendment.
	UnlistedPresented EventType = "unlisted_person_presented"
	// IdentityMismatch: the receiving side finds that the person presented
	// does not match the agreed record. Not final: a further check may
	// still end in a receipt.
	IdentityMismatch EventType = "identity_mismatch"
	// AmendmentAccepted: a party accepts an unlisted person, or a person
	// objected to as outside the agreed category, as an amendment.
	AmendmentAccepted EventType = "amendment_accepted"
	// AmendmentRejected: a party rejects such an amendment. Final.
	AmendmentRejected EventType = "amendment_rejected"
)

// Stage events: the transitions of the stage state machine (see
// transitions in stage.go).
const (
	StageSlipped   EventType = "stage_slipped"
	StageOpened    EventType = "stage_opened"
	StageClosing   EventType = "stage_closing"
	StageReopened  EventType = "stage_reopened"
	StageClosed    EventType = "stage_closed"
	StageSuspended EventType = "stage_suspended"
	StageResumed   EventType = "stage_resumed"
	StageCancelled EventType = "stage_cancelled"
)

// Two-sided handover events, added after the stage events (the list is
// append-only).
const (
	// Released: the releasing side presented the listed person and let
	// them go to the other side. Counts once the receiving side received.
	Released EventType = "released"
	// Received: the receiving side took the person over after an identity
	// check, with the health at handover; a listed person or a reserve
	// released in someone's place. With an Objection the receiving side
	// takes the person under protest that they are outside the agreed
	// category: the person counts only if both parties accept.
	Received EventType = "received"
	// Disputed: the receiving side disputes the releasing side's account of
	// the person (a refusal it did not witness, a no-show), with a reason.
	Disputed EventType = "disputed"
	// ObservedHandover: the mediator's observer saw the person cross.
	ObservedHandover EventType = "observed_handover"
	// ObservedRefusal: the mediator's observer witnessed the refusal.
	ObservedRefusal EventType = "observed_refusal"
	// Retracted: the party that recorded Subject takes it back, with a
	// reason: the retracted event stays in the history, but no longer
	// stands. Only releases, refusals, no-shows, receipts, mismatches,
	// disputes and observations may be retracted.
	Retracted EventType = "retracted"
)

var eventTypes = []EventType{
	HandedOver, Refused, RefusalWithdrawn, NotPresented, SubstitutedBy, UnlistedPresented, IdentityMismatch,
	AmendmentAccepted, AmendmentRejected,
	StageSlipped, StageOpened, StageClosing, StageReopened, StageClosed, StageSuspended, StageResumed, StageCancelled,
	Released, Received, Disputed, ObservedHandover, ObservedRefusal, Retracted,
}

// String returns t's name.
func (t EventType) String() string { return string(t) }

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool {
	for _, k := range eventTypes {
		if t == k {
			return true
		}
	}
	return false
}

// IsStage reports whether t is a stage transition rather than a handover.
func (t EventType) IsStage() bool { return strings.HasPrefix(string(t), "stage_") }

// Recorder says whose officer records an event of a type.
type Recorder uint8

// Recorders.
const (
	// ByReleasing: the releasing side's officer (the event's Side).
	ByReleasing Recorder = iota + 1
	// ByReceiving: the receiving side's officer (the side other than Side).
	ByReceiving
	// ByObserver: the mediator's observer, an officer without a party.
	ByObserver
	// ByReleasingOrObserver: the releasing side, or the mediator's observer.
	ByReleasingOrObserver
	// BySide: either side, deciding for itself (amendments).
	BySide
	// BySubjectRecorder: the party that recorded the subject event.
	BySubjectRecorder
	// ByMediator: the mediator (stage transitions).
	ByMediator
)

// RecordedBy says who may record an event of type t; 0 for a type that is
// not recorded any more or not known.
func (t EventType) RecordedBy() Recorder {
	switch t {
	case Released, Refused, RefusalWithdrawn, NotPresented, SubstitutedBy:
		return ByReleasing
	case Received, IdentityMismatch, Disputed:
		return ByReceiving
	case ObservedHandover, ObservedRefusal:
		return ByObserver
	case UnlistedPresented:
		return ByReleasingOrObserver
	case AmendmentAccepted, AmendmentRejected:
		return BySide
	case Retracted:
		return BySubjectRecorder
	}
	if t.IsStage() && t.Valid() {
		return ByMediator
	}
	return 0
}

// IsAccount reports whether s names an account as the store records it:
// "user:" and the account's number.
func IsAccount(s string) bool {
	n, ok := strings.CutPrefix(s, "user:")
	if !ok || n == "" || len(n) > 19 {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (t EventType) verb() string {
	return strings.ReplaceAll(strings.TrimPrefix(string(t), "stage_"), "_", " ")
}

// CheckMethod is how an officer established a person's identity.
type CheckMethod string

// Identity check methods.
const (
	CheckDocument      CheckMethod = "document"
	CheckServiceNumber CheckMethod = "service_number"
	CheckPhoto         CheckMethod = "photo"
	CheckInterview     CheckMethod = "interview"
)

// Valid reports whether m is a known method.
func (m CheckMethod) Valid() bool {
	return m == CheckDocument || m == CheckServiceNumber || m == CheckPhoto || m == CheckInterview
}

// IdentityCheck is the check made before a person is handed over.
type IdentityCheck struct {
	Method     CheckMethod `json:"method"`
	VerifiedBy string      `json:"verified_by"` // opaque id of the verifying officer
}

// Health is the health state at handover, in the terms of the GC III
// capture card (Art. 70, Annex IV B).
type Health string

// Health states.
const (
	HealthGood             Health = "good"
	HealthNotWounded       Health = "not_wounded"
	HealthRecovered        Health = "recovered"
	HealthConvalescent     Health = "convalescent"
	HealthSick             Health = "sick"
	HealthSlightlyWounded  Health = "slightly_wounded"
	HealthSeriouslyWounded Health = "seriously_wounded"
)

// Valid reports whether h is a known health state.
func (h Health) Valid() bool {
	switch h {
	case HealthGood, HealthNotWounded, HealthRecovered, HealthConvalescent, HealthSick, HealthSlightlyWounded, HealthSeriouslyWounded:
		return true
	}
	return false
}

// Event is one thing recorded at a stage: a handover event about one person
// or a stage transition. Its ID is chosen by the client (a checkpoint laptop
// makes it before sending), so a retry records once: the same ID with the
// same content applies once, the same ID with other content is a Conflict.
//
// Which fields an event needs depends on its Type; [Stage.Apply] says,
// field by field, what is missing.
type Event struct {
	ID    string    `json:"id"`
	Type  EventType `json:"type"`
	At    time.Time `json:"at"`    // when it happened, as recorded at the crossing
	Party string    `json:"party"` // the actor's party: a side of the plan or Mediator
	Actor string    `json:"actor"` // opaque id of the officer recording it
	Point string    `json:"point,omitempty"`

	// Side is the releasing side: whose list the person is on, or who
	// presented an unlisted person.
	Side string `json:"side,omitempty"`
	// RecordID is the listed person's record; for an unlisted person, the
	// id under which the person was presented, if any.
	RecordID string `json:"record_id,omitempty"`
	// Category is the category an unlisted person is presented as.
	Category person.Category `json:"category,omitempty"`

	// Check is the receiving side's identity check (received).
	Check IdentityCheck `json:"check,omitzero"`
	// Receiver is the account ("user:ID") of the receiving side's officer
	// the person was handed to, as the releasing side names them
	// (optional); Observer the account of the mediator's observer who
	// witnessed (required for a refusal and an unlisted person). The store
	// checks that they are checkpoint officers of the right party
	// ([Stage.CheckAccounts]): never free text.
	Receiver string `json:"receiver,omitempty"`
	Observer string `json:"observer,omitempty"`
	Health   Health `json:"health,omitempty"` // at the receipt
	// Reserve is the reserve handed over in place of RecordID (substituted_by).
	Reserve string `json:"reserve,omitempty"`
	// Objection is the receiving side's objection, on its receipt, that
	// the person is outside the agreed category (a non-war convict presented as a
	// civilian). An objected person counts only if both parties accept.
	Objection string `json:"objection,omitempty"`
	// Subject is the id of the event an amendment decision or a
	// retraction is about.
	Subject string `json:"subject,omitempty"`
	// Reason: why a person refused or was not presented, the mismatch, a
	// dispute, a retraction, an amendment rejection, a suspension,
	// cancellation or slip, or the discrepancy the mediator records when
	// closing without parity.
	Reason string `json:"reason,omitempty"`
	// Window is the new window of a slip.
	Window Window `json:"window,omitzero"`
}

// Content returns the event as flat string fields, for a log commitment
// (audit.CommitFields) and for idempotency: two events with the same ID are
// the same event exactly when their contents are equal. Empty fields are
// left out; times are RFC 3339 in UTC.
func (e Event) Content() map[string]string {
	m := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	putTime := func(k string, t time.Time) {
		if !t.IsZero() {
			m[k] = t.UTC().Format(time.RFC3339Nano)
		}
	}
	put("id", e.ID)
	put("type", string(e.Type))
	putTime("at", e.At)
	put("party", e.Party)
	put("actor", e.Actor)
	put("point", e.Point)
	put("side", e.Side)
	put("record_id", e.RecordID)
	put("category", string(e.Category))
	put("check_method", string(e.Check.Method))
	put("check_verified_by", e.Check.VerifiedBy)
	put("receiver", e.Receiver)
	put("observer", e.Observer)
	put("health", string(e.Health))
	put("reserve", e.Reserve)
	put("objection", e.Objection)
	put("subject", e.Subject)
	put("reason", e.Reason)
	putTime("window_start", e.Window.Start)
	putTime("window_end", e.Window.End)
	return m
}

// key is the content as one comparable string, in a fixed field order:
// equal keys exactly when [Event.Content] is equal. It is built without
// the map because it runs on every event.
func (e Event) key() string {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	fields := [...]string{
		e.ID, string(e.Type), ts(e.At), e.Party, e.Actor, e.Point, e.Side, e.RecordID, string(e.Category),
		string(e.Check.Method), e.Check.VerifiedBy, e.Receiver, e.Observer, string(e.Health), e.Reserve,
		e.Objection, e.Subject, e.Reason, ts(e.Window.Start), ts(e.Window.End),
	}
	n := len(fields)
	for _, f := range fields {
		n += len(f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(f)
		b.WriteByte(0)
	}
	return b.String()
}

// validate checks the fields an event of its type needs, regardless of
// the stage's state. The error is Invalid and lists every bad field.
func (e Event) validate(sides []string) error {
	var fe []errs.FieldError
	bad := func(f errs.FieldError) { f.Where = e.ID; fe = append(fe, f) }
	need := func(field, v string) {
		if v == "" {
			bad(errs.FieldError{Field: field, Message: "is required for " + string(e.Type), Args: []string{string(e.Type)}, Code: "required_for"})
		}
	}
	need("id", e.ID)
	if !e.Type.Valid() {
		bad(errs.FieldError{Field: "type", Message: quote(string(e.Type)) + " is not an event type", Args: []string{string(e.Type)}, Code: "bad_event_type"})
	}
	if e.At.IsZero() {
		bad(errs.FieldError{Field: "at", Message: "is required", Code: "required"})
	}
	need("actor", e.Actor)
	isSide := func(s string) bool {
		for _, x := range sides {
			if s == x {
				return true
			}
		}
		return false
	}
	if e.Party != Mediator && !isSide(e.Party) {
		bad(errs.FieldError{Field: "party", Message: quote(e.Party) + " is neither a side of the stage nor the mediator", Args: []string{e.Party}, Code: "not_side_or_mediator"})
	}
	if e.Type == HandedOver {
		bad(errs.FieldError{Field: "type", Message: "handed_over is recorded in two halves: the releasing side records released, the receiving side received", Code: "two_sided_handover"})
	}
	if r := e.Type.RecordedBy(); r != 0 && r != BySide && r != BySubjectRecorder && r != ByMediator {
		if e.Side == "" {
			need("side", e.Side)
		} else if !isSide(e.Side) {
			bad(errs.FieldError{Field: "side", Message: quote(e.Side) + " is not a side of the stage", Args: []string{e.Side}, Code: "not_stage_side"})
		}
	}
	if e.Objection != "" && e.Type != Received {
		bad(errs.FieldError{Field: "objection", Message: "an objection is the receiving side's, on its receipt (received)", Code: "objection_on_receipt"})
	}
	switch e.Type {
	case Released, NotPresented, ObservedHandover, ObservedRefusal:
		need("record_id", e.RecordID)
	case Received:
		need("record_id", e.RecordID)
		if !e.Check.Method.Valid() {
			bad(errs.FieldError{Field: "check.method", Message: "must be document, service_number, photo or interview", Code: "bad_check_method"})
		}
		need("check.verified_by", e.Check.VerifiedBy)
		if !e.Health.Valid() {
			bad(errs.FieldError{Field: "health", Message: "must be one of good, not_wounded, recovered, convalescent, sick, slightly_wounded, seriously_wounded", Code: "bad_health"})
		}
	case SubstitutedBy:
		need("record_id", e.RecordID)
		need("reserve", e.Reserve)
	case Refused, RefusalWithdrawn:
		need("record_id", e.RecordID)
		need("observer", e.Observer)
	case IdentityMismatch, Disputed:
		need("record_id", e.RecordID)
		need("reason", e.Reason)
	case UnlistedPresented:
		if !e.Category.Valid() {
			bad(errs.FieldError{Field: "category", Message: "must be a category the person is presented as", Code: "unlisted_category"})
		}
		need("observer", e.Observer)
		need("reason", e.Reason) // who the person says they are
	case Retracted:
		need("subject", e.Subject)
		need("reason", e.Reason)
	case AmendmentAccepted, AmendmentRejected:
		need("subject", e.Subject)
		if !isSide(e.Party) {
			bad(errs.FieldError{Field: "party", Message: "only a side of the stage decides an amendment", Code: "amendment_side"})
		}
		if e.Type == AmendmentRejected {
			need("reason", e.Reason)
		}
	}
	if len(fe) > 0 {
		return errs.E("crossing.Stage.Apply", errs.Invalid, "the event is incomplete", fe)
	}
	return nil
}

// conflict is a Conflict refusal whose message is also fe's, so that a user
// interface can say it in the user's language by fe.Code.
func conflict(op string, fe errs.FieldError) error {
	return errs.E(op, errs.Conflict, fe.Message, fe)
}

func quote(s string) string { return "\"" + s + "\"" }

func itoa(n int) string { return strconv.Itoa(n) }
