package crossing

import (
	"sort"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// TraceStatus is where a sought person stands (DESIGN.md §2): reported →
// confirmed captive → listed → agreed → in stage N → returned / refused /
// died / identified.
type TraceStatus uint8

// Trace statuses. Values are stable; append only.
const (
	TraceReported         TraceStatus = iota + 1 // a family or unit reported the person missing
	TraceConfirmedMissing                        // entered in the register of missing persons
	TraceConfirmedCaptive                        // the person is known to be held
	TraceListed                                  // on a list of an exchange
	TraceAgreed                                  // on the agreed (signed) list
	TraceInStage                                 // planned in stage N
	TraceReturned                                // handed over: home
	TraceRefused                                 // refused repatriation (GC III Art. 109(3))
	TraceDied                                    // died (GC III Art. 120)
	TraceIdentified                              // remains identified
)

var traceNames = [...]string{
	TraceReported: "reported", TraceConfirmedMissing: "confirmed_missing", TraceConfirmedCaptive: "confirmed_captive",
	TraceListed: "listed", TraceAgreed: "agreed", TraceInStage: "in_stage", TraceReturned: "returned",
	TraceRefused: "refused", TraceDied: "died", TraceIdentified: "identified",
}

// String returns the stable snake_case name of t.
func (t TraceStatus) String() string {
	if t.Valid() {
		return traceNames[t]
	}
	return "trace(" + itoa(int(t)) + ")"
}

// Valid reports whether t is a known status.
func (t TraceStatus) Valid() bool { return t >= TraceReported && t <= TraceIdentified }

// StageRef names one stage of one exchange.
type StageRef struct {
	Exchange string `json:"exchange"`
	Stage    int    `json:"stage"`
}

// TraceFact is one dated fact about a sought person, from the register
// (reported, confirmed), an exchange (listed, agreed, in stage) or a
// stage's events (see [Stage.TraceFacts]).
type TraceFact struct {
	Status TraceStatus `json:"status"`
	At     time.Time   `json:"at"`
	// Stage is the stage the fact belongs to: required for in_stage, and
	// for returned and refused at a crossing; zero otherwise. Listed and
	// agreed carry the exchange only.
	Stage StageRef `json:"stage,omitzero"`
	// Source is the opaque id of the event or record version the fact
	// comes from.
	Source string `json:"source,omitempty"`
	// Note is for the bureau only; never shown to families.
	Note string `json:"note,omitempty"`
	// Outcome is the person's outcome at the crossing for a fact a stage's
	// events give (returned, refused, not presented, replaced); empty for
	// every other fact, a cancelled stage's included.
	Outcome Outcome `json:"outcome,omitempty"`
}

// Trace is a sought person's status with its history, derived from facts.
type Trace struct {
	RecordID string      `json:"record_id"`
	Status   TraceStatus `json:"status"`
	Since    time.Time   `json:"since"`
	Stage    StageRef    `json:"stage,omitzero"`
	History  []TraceFact `json:"history"`
}

// DeriveTrace orders facts by time (stable: facts of the same time keep
// their order) and derives the current status: the last fact's. It fails
// with Invalid on a fact without a time or a known status, or an in_stage
// fact without its stage.
func DeriveTrace(recordID string, facts []TraceFact) (Trace, error) {
	var fe []errs.FieldError
	for i, f := range facts {
		where := "facts[" + itoa(i) + "]"
		if !f.Status.Valid() {
			fe = append(fe, errs.FieldError{Field: "status", Where: where, Message: "is not a trace status", Code: "bad_trace_status"})
		}
		if f.At.IsZero() {
			fe = append(fe, errs.FieldError{Field: "at", Where: where, Message: "is required", Code: "required"})
		}
		if f.Status == TraceInStage && (f.Stage.Exchange == "" || f.Stage.Stage < 1) {
			fe = append(fe, errs.FieldError{Field: "stage", Where: where, Message: "is required for in_stage", Code: "stage_required_in_stage"})
		}
	}
	if len(fe) > 0 {
		return Trace{}, errs.E("crossing.DeriveTrace", errs.Invalid, "the trace facts are not valid", fe)
	}
	h := append([]TraceFact(nil), facts...)
	sort.SliceStable(h, func(i, j int) bool { return h[i].At.Before(h[j].At) })
	t := Trace{RecordID: recordID, History: h}
	if len(h) > 0 {
		last := h[len(h)-1]
		t.Status, t.Since, t.Stage = last.Status, last.At, last.Stage
	}
	return t, nil
}

// Viewer is who looks at a trace.
type Viewer uint8

// Viewers.
const (
	ViewerBureau Viewer = iota + 1 // the owning party's information bureau: everything
	ViewerFamily                   // a verified relative: coarse statuses, no list or stage detail
)

// FamilyStatus is the coarse status a family sees (DOMAIN.md §10).
type FamilyStatus string

// Family statuses.
const (
	FamilyReportAccepted    FamilyStatus = "report_accepted"
	FamilyConfirmedMissing  FamilyStatus = "confirmed_missing"
	FamilyConfirmedCaptive  FamilyStatus = "confirmed_captive"
	FamilyReturned          FamilyStatus = "returned"
	FamilyRefusedExchange   FamilyStatus = "refused_exchange"
	FamilyDied              FamilyStatus = "died"
	FamilyRemainsIdentified FamilyStatus = "remains_identified"
)

// TraceEntry is one line of a trace's history as a viewer sees it.
type TraceEntry struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Stage  StageRef  `json:"stage,omitzero"`
	Note   string    `json:"note,omitempty"`
}

// TraceView is a trace as one viewer may see it.
type TraceView struct {
	Status  string       `json:"status"`
	Since   time.Time    `json:"since"`
	Stage   StageRef     `json:"stage,omitzero"`
	History []TraceEntry `json:"history"`
}

// View returns the trace as v may see it. The bureau sees every fact. A
// family sees coarse statuses only, with these rules:
//   - listed, agreed and in_stage MUST NOT show: they leave the family
//     status as it was (list and stage detail is embargoed);
//   - a fact of a stage (returned, refused, not presented) MUST NOT show
//     until that stage is done: closed holds the stages that are closed or
//     cancelled. After that returned and refused show with their stage;
//   - notes and sources never show;
//   - consecutive facts with the same coarse status show once, at the
//     first date, so hidden facts leave no trace in the dates.
func (t Trace) View(v Viewer, closed map[StageRef]bool) TraceView {
	if v == ViewerBureau {
		tv := TraceView{History: make([]TraceEntry, 0, len(t.History))}
		if t.Status.Valid() {
			tv.Status, tv.Since, tv.Stage = t.Status.String(), t.Since, t.Stage
		}
		for _, f := range t.History {
			tv.History = append(tv.History, TraceEntry{Status: f.Status.String(), At: f.At, Stage: f.Stage, Note: f.Note})
		}
		return tv
	}
	tv := TraceView{History: []TraceEntry{}}
	for _, f := range t.History {
		if f.Stage != (StageRef{}) && !closed[f.Stage] {
			continue // embargoed until the stage is done
		}
		var fs FamilyStatus
		var stage StageRef
		switch f.Status {
		case TraceReported:
			fs = FamilyReportAccepted
		case TraceConfirmedMissing:
			fs = FamilyConfirmedMissing
		case TraceConfirmedCaptive:
			fs = FamilyConfirmedCaptive
		case TraceListed, TraceAgreed, TraceInStage:
			continue
		case TraceReturned, TraceRefused:
			stage = f.Stage
			fs = FamilyReturned
			if f.Status == TraceRefused {
				fs = FamilyRefusedExchange
			}
		case TraceDied:
			fs = FamilyDied
		case TraceIdentified:
			fs = FamilyRemainsIdentified
		default:
			continue
		}
		if n := len(tv.History); n > 0 && tv.History[n-1].Status == string(fs) {
			continue
		}
		tv.History = append(tv.History, TraceEntry{Status: string(fs), At: f.At, Stage: stage})
	}
	if n := len(tv.History); n > 0 {
		last := tv.History[n-1]
		tv.Status, tv.Since, tv.Stage = last.Status, last.At, last.Stage
	}
	return tv
}

// TraceFacts returns the trace facts this stage gives the person on side's
// list or reserve list: in_stage when the stage opened, then returned when
// handed over (counted or not: the person is home), refused when the
// refusal stands, and confirmed_captive when the person was not presented,
// was replaced, or the stage was cancelled. A person the stage does not
// know gets no facts.
func (s *Stage) TraceFacts(side, recordID string) []TraceFact {
	p, ok := s.persons[pkey{side, recordID}]
	if !ok {
		return nil
	}
	ref := StageRef{Exchange: s.plan.Exchange, Stage: s.plan.Stage}
	var out []TraceFact
	for _, c := range s.history {
		if c.To == Open && c.From == Planned && !p.Reserve {
			out = append(out, TraceFact{Status: TraceInStage, At: c.At, Stage: ref, Source: c.Event})
		}
	}
	last := ""
	if len(p.Events) > 0 {
		last = p.Events[len(p.Events)-1]
	}
	switch p.Outcome {
	case OutcomeHandedOver, OutcomeUnlisted:
		if p.Reserve {
			out = append(out, TraceFact{Status: TraceInStage, At: p.At, Stage: ref, Source: last, Note: "reserve in place of " + p.Replaces})
		}
		out = append(out, TraceFact{Status: TraceReturned, At: p.At, Stage: ref, Source: last, Outcome: p.Outcome})
	case OutcomeRefused:
		out = append(out, TraceFact{Status: TraceRefused, At: p.At, Stage: ref, Source: last, Outcome: p.Outcome})
	case OutcomeNotPresented, OutcomeReplaced:
		out = append(out, TraceFact{Status: TraceConfirmedCaptive, At: p.At, Stage: ref, Source: last, Note: "not presented at stage " + itoa(s.plan.Stage), Outcome: p.Outcome})
	}
	if s.state == Cancelled && !p.Reserve {
		c := s.history[len(s.history)-1]
		out = append(out, TraceFact{Status: TraceConfirmedCaptive, At: c.At, Stage: ref, Source: c.Event, Note: "stage cancelled"})
	}
	return out
}

// MarshalText encodes t as its name ("in_stage").
func (t TraceStatus) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, errs.Errorf("crossing.TraceStatus.MarshalText", errs.Invalid, "trace status %d has no name", t)
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes a trace status name.
func (t *TraceStatus) UnmarshalText(b []byte) error {
	for i, n := range traceNames {
		if n != "" && n == string(b) {
			*t = TraceStatus(i)
			return nil
		}
	}
	return errs.Errorf("crossing.TraceStatus.UnmarshalText", errs.Invalid, "%q is not a trace status", b)
}
