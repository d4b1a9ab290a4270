package exchange

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
)

// InterviewOutcome is what the neutral's private interview of a listed
// person found.
type InterviewOutcome string

// Outcomes of an interview. Whether a person wants to go home is verified
// by the neutral, not recorded by the side that holds him (ICRC practice;
// GC III Art. 118 and its 2020 Commentary on non-refoulement; Art. 109(3):
// no one is repatriated against his will).
const (
	WishesReturn   InterviewOutcome = "wishes_return"
	RefusesReturn  InterviewOutcome = "refuses"
	NotInterviewed InterviewOutcome = "not_interviewed" // could not be interviewed: the reason says why
)

// InterviewOutcomes lists the outcomes in display order.
var InterviewOutcomes = []InterviewOutcome{WishesReturn, RefusesReturn, NotInterviewed}

// Valid reports whether o is a known outcome.
func (o InterviewOutcome) Valid() bool {
	return o == WishesReturn || o == RefusesReturn || o == NotInterviewed
}

// Interview is the neutral's private interview of one person listed in an
// exchange, as its delegate recorded it. Notes are the interviewer's own
// and never reach the parties: they see only InterviewSeen.
type Interview struct {
	ID       string           `json:"id"`
	Exchange string           `json:"exchange"`
	RecordID string           `json:"record_id"`
	Party    string           `json:"party"` // the party that holds the person
	At       time.Time        `json:"at"`    // when he was interviewed
	Place    string           `json:"place"`
	Outcome  InterviewOutcome `json:"outcome"`
	// Reason is why he could not be interviewed (required then), or what
	// the outcome rests on.
	Reason string `json:"reason,omitempty"`
	// Interviewer is the delegate who interviewed him; Organisation the
	// neutral body or role the parties see ("ICRC delegation").
	Interviewer  string `json:"interviewer"`
	Organisation string `json:"organisation"`
	Notes        string `json:"notes,omitempty"`
	// Withhold: he asks that his information be withheld from his own
	// side, for WithholdReason. It sets the record's flag with the basis
	// person.WithholdOwnRequest (a new version of the record).
	Withhold       bool   `json:"withhold,omitempty"`
	WithholdReason string `json:"withhold_reason,omitempty"`
	// LiftWithhold: he no longer asks that his information be withheld;
	// it lifts a flag with the basis person.WithholdOwnRequest (a new
	// version of the record). Only a newer interview lifts what an
	// interview set.
	LiftWithhold bool `json:"lift_withhold,omitempty"`
	// RecordedBy and RecordedAt are the store's: the mediator's user who
	// entered it, and when.
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// InterviewSeen is what the parties see of an interview: the outcome, who
// verified it and when — never the interviewer's name, reason or notes.
type InterviewSeen struct {
	RecordID     string           `json:"record_id"`
	Outcome      InterviewOutcome `json:"outcome"`
	Organisation string           `json:"verified_by"`
	At           time.Time        `json:"verified_at"`
}

// Public returns the interview without what only the neutral reads: who
// interviewed him, where, the reason, the notes and his request to
// withhold or lift. What is left is what the parties see (Seen) and the
// ids, times and outcome a store looks interviews up by; a store keeps
// the rest sealed.
func (iv *Interview) Public() Interview {
	p := *iv
	p.Place, p.Reason, p.Interviewer, p.Notes = "", "", "", ""
	p.Withhold, p.WithholdReason, p.LiftWithhold = false, "", false
	return p
}

// Seen returns what the parties see of the interview.
func (iv *Interview) Seen() InterviewSeen {
	return InterviewSeen{RecordID: iv.RecordID, Outcome: iv.Outcome, Organisation: iv.Organisation, At: iv.At}
}

// InterviewEntry is one listed person of an exchange with his interviews:
// for the mediator every interview whole, with the name; for a party the
// latest as the parties see it (InterviewSeen).
type InterviewEntry struct {
	RecordID string         `json:"record_id"`
	Party    string         `json:"party"`
	Name     string         `json:"name,omitempty"`
	Latest   *InterviewSeen `json:"latest,omitempty"`
	// Interviews are every interview of him, oldest first: the mediator's
	// only.
	Interviews []Interview `json:"interviews,omitempty"`
	// CrossingRefused: he refused repatriation at the crossing, at that
	// time (shown against the interview).
	CrossingRefused *time.Time `json:"crossing_refused,omitempty"`
}

// Limits of an interview's text fields, in characters.
const (
	maxInterviewShort = 200
	maxInterviewText  = 4000
)

// Normalize trims the interview's text fields.
func (iv *Interview) Normalize() {
	for _, p := range []*string{&iv.Place, &iv.Reason, &iv.Interviewer, &iv.Organisation, &iv.Notes, &iv.WithholdReason} {
		*p = strings.TrimSpace(*p)
	}
}

// Validate checks the interview as recorded at now: an outcome; who, where
// and when (not after now); a reason when he could not be interviewed; a
// request to withhold only from a person interviewed, with its reason. It
// returns an errs.Invalid error naming every bad field, or nil.
func (iv *Interview) Validate(now time.Time) error {
	var fe []errs.FieldError
	switch {
	case iv.Outcome == "":
		fe = append(fe, errs.FieldError{Field: "outcome", Message: "required: wishes_return, refuses or not_interviewed", Code: "interview_outcome_required"})
	case !iv.Outcome.Valid():
		fe = append(fe, errs.FieldError{Field: "outcome", Message: fmt.Sprintf("%q is not an outcome: use wishes_return, refuses or not_interviewed", iv.Outcome), Code: "bad_interview_outcome", Args: []string{string(iv.Outcome)}})
	}
	if iv.At.IsZero() {
		fe = append(fe, errs.FieldError{Field: "at", Message: "required: when the interview took place", Code: "interview_at_required"})
	} else if iv.At.After(now) {
		s := iv.At.UTC().Format(time.RFC3339)
		fe = append(fe, errs.FieldError{Field: "at", Message: s + " is in the future", Code: "interview_future", Args: []string{s}})
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"interviewer", iv.Interviewer, maxInterviewShort}, {"organisation", iv.Organisation, maxInterviewShort}, {"place", iv.Place, maxInterviewShort},
		{"reason", iv.Reason, maxInterviewText}, {"notes", iv.Notes, maxInterviewText}, {"withhold_reason", iv.WithholdReason, maxInterviewText},
	} {
		if f.v == "" && (f.name == "interviewer" || f.name == "organisation" || f.name == "place") {
			fe = append(fe, errs.FieldError{Field: f.name, Message: "required: who interviewed him, for which organisation, and where", Code: "interview_field_required"})
			continue
		}
		if n := utf8.RuneCountInString(f.v); n > f.max || !interviewText(f.v, f.max == maxInterviewText) {
			fe = append(fe, errs.FieldError{Field: f.name, Message: fmt.Sprintf("at most %d characters of text", f.max), Code: "interview_text", Args: []string{fmt.Sprint(f.max)}})
		}
	}
	if iv.Outcome == NotInterviewed && iv.Reason == "" {
		fe = append(fe, errs.FieldError{Field: "reason", Message: "required: why he could not be interviewed", Code: "interview_reason_required"})
	}
	if iv.Withhold && iv.Outcome == NotInterviewed {
		fe = append(fe, errs.FieldError{Field: "withhold", Message: "only a person interviewed can ask that his information be withheld", Code: "interview_withhold_unheard"})
	} else if iv.Withhold && iv.WithholdReason == "" {
		fe = append(fe, errs.FieldError{Field: "withhold_reason", Message: "required: why he asks that his information be withheld", Code: "interview_withhold_reason"})
	}
	if iv.LiftWithhold && iv.Withhold {
		fe = append(fe, errs.FieldError{Field: "lift_withhold", Message: "he either asks that his information be withheld or no longer asks it, not both", Code: "interview_withhold_both"})
	} else if iv.LiftWithhold && iv.Outcome == NotInterviewed {
		fe = append(fe, errs.FieldError{Field: "lift_withhold", Message: "only a person interviewed can ask that his information be withheld", Code: "interview_withhold_unheard"})
	}
	if !iv.Withhold && iv.WithholdReason != "" {
		fe = append(fe, errs.FieldError{Field: "withhold", Message: "a reason to withhold without his request: tick the request or leave the reason empty", Code: "interview_withhold_unasked"})
	}
	if fe != nil {
		return errs.E("exchange.Interview.Validate", errs.Invalid, "invalid interview", fe)
	}
	return nil
}

// interviewText reports whether s is text: valid UTF-8 without control
// characters, but for line breaks and tabs in long text.
func interviewText(s string, long bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if long && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u202e' || r == '\u202d' {
			return false
		}
	}
	return true
}

// RefusedInInterview returns the ids among ids whose latest interview
// (latest: record id → his latest interview in the exchange) says he
// refuses to return. Such a person is not listed for handover nor frozen
// in an agreement until a newer interview says otherwise (GC III
// Art. 109(3); Art. 118 and its Commentary on non-refoulement).
func RefusedInInterview(latest map[string]Interview, ids []string) []string {
	var out []string
	for _, id := range ids {
		if iv, ok := latest[id]; ok && iv.Outcome == RefusesReturn {
			out = append(out, id)
		}
	}
	return out
}

// InterviewRefusedError is the coded error of the gate, naming each person
// whose latest interview refuses, under field (e.g. "items").
func InterviewRefusedError(op string, latest map[string]Interview, ids []string) error {
	refused := RefusedInInterview(latest, ids)
	if len(refused) == 0 {
		return nil
	}
	var fe []errs.FieldError
	for _, id := range refused {
		d := latest[id].At.UTC().Format(time.DateOnly)
		fe = append(fe, errs.FieldError{Field: "record_id", Where: id,
			Message: fmt.Sprintf("%s refused to return in the neutral's interview of %s: strike him, or record a newer interview first", id, d),
			Code:    "interview_refused", Args: []string{id, d}})
	}
	return errs.E(op, errs.Conflict, fmt.Sprintf("%d listed persons refused to return in the neutral's interview", len(refused)), fe)
}
