// Package custody is a held person's custody timeline and the
// notifications the Third Geneva Convention (GC III) owes for it: the
// dated events from capture to release or death, the capture card (Art.
// 70, Annex IV B) and the death notification (Arts. 120–122, Annex IV D)
// sent to the person's own state and the Central Agency (Art. 123), and
// which of them are overdue. For a sought person the owning bureau records
// that he is confirmed missing.
//
// The package is pure: no SQL, HTTP, clock or randomness. The store gives
// each event its number, author and time, passes now in, folds the events
// of a person with [Fold] and writes the event only if [Timeline.Apply]
// takes it.
package custody

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Kind is what a custody event says happened.
type Kind string

// Kinds of custody event. The values are stored and logged (leaf
// custody.recorded): append only.
const (
	// Captured: date, place and capturing unit (GC III Art. 17; Annex IV
	// B "date of capture").
	Captured Kind = "captured"
	// CaptureCardSent: the capture card sent (Art. 70, Annex IV B):
	// when, and to whom (own state, Central Agency).
	CaptureCardSent Kind = "capture_card_sent"
	// Interned: arrival at a place of internment (Art. 70: the card is
	// due within a week of arrival at a camp, even a transit camp).
	Interned Kind = "interned"
	// Transferred from one place to another (Arts. 46–48; Art. 70: a new
	// card on transfer).
	Transferred Kind = "transferred"
	// Hospitalised: admitted to a hospital (Art. 70: a new card in case
	// of sickness or transfer to hospital).
	Hospitalised Kind = "hospitalised"
	// Escaped (Arts. 91–94).
	Escaped Kind = "escaped"
	// Died: date, place, cause, grave (Arts. 120–121; Annex IV D).
	Died Kind = "died"
	// DeathNotified: the death notification sent (Art. 120, Annex IV D;
	// Art. 122).
	DeathNotified Kind = "death_notified"
	// ConfirmedMissing: a sought person entered by his own bureau in the
	// register of missing persons, with the reason (Art. 122; GC I Art.
	// 16 for the bureau's record of the missing).
	ConfirmedMissing Kind = "confirmed_missing"
)

// Kinds lists every kind, in the order of a life in custody.
var Kinds = []Kind{Captured, CaptureCardSent, Interned, Transferred, Hospitalised, Escaped, Died, DeathNotified, ConfirmedMissing}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Register is the register of the records a kind is recorded on: every
// kind is of the holding party's held records but confirmed_missing, which
// is of the owning party's sought records.
func (k Kind) Register() person.Kind {
	if k == ConfirmedMissing {
		return person.Sought
	}
	return person.Held
}

// Arrival reports whether an event of kind k brings the person to a
// place where a capture card is due within a week (Art. 70).
func (k Kind) Arrival() bool { return k == Interned || k == Transferred || k == Hospitalised }

// Recipient is whom a notification was sent to.
type Recipient string

// Recipients (GC III Art. 122(3), Art. 123: the Powers on which the
// prisoner depends, through the Central Agency).
const (
	OwnState      Recipient = "own_state"
	CentralAgency Recipient = "central_agency"
)

// Recipients lists the recipients.
var Recipients = []Recipient{OwnState, CentralAgency}

// Event is one custody event of one person. N, By and At are the store's:
// the event's number in the person's timeline from 1, who recorded it,
// when. Which fields an event has depends on its kind (see [Event.Validate]).
type Event struct {
	N    int         `json:"n"`
	Kind Kind        `json:"kind"`
	Date person.Date `json:"date"` // when it happened (or was sent): a full date
	// Place: of capture, of internment, the hospital, of death.
	Place string `json:"place,omitempty"`
	// Unit: the capturing unit (captured).
	Unit string `json:"unit,omitempty"`
	// From and To: the places of a transfer.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// SentTo: the recipients of a capture card or death notification.
	SentTo []Recipient `json:"sent_to,omitempty"`
	// Cause and Grave: of a death (Art. 120; the grave's location, when
	// known, Art. 120(6)).
	Cause string `json:"cause,omitempty"`
	Grave string `json:"grave,omitempty"`
	// Reason: why a sought person is confirmed missing.
	Reason string `json:"reason,omitempty"`
	// Note: anything else, on any kind.
	Note string    `json:"note,omitempty"`
	By   string    `json:"by,omitempty"`
	At   time.Time `json:"at,omitzero"`
}

// Limits of the free text of an event, in characters.
const (
	MaxLine = 200  // a place, a unit, a grave's location
	MaxText = 2000 // a cause, a reason, a note
)

// Codes are the problem codes Validate and Apply give (translated as
// problem.<code>).
var Codes = []string{"custody_bad_kind", "required", "custody_date_day", "future", "custody_bad_recipient", "custody_not_of_kind",
	"one_line_required", "control_char", "too_long", "custody_not_captured", "custody_captured_twice", "custody_before_capture",
	"custody_after_death", "custody_not_dead", "custody_before_death", "custody_escaped", "custody_transfer_from",
	"custody_missing_twice", "custody_register", "custody_withheld_own_state"}

// CheckWithheldRecipients refuses a capture card or death notification
// recorded as sent to the person's own state when his record is withheld
// from his own side: by the bureau, a civilian's (GC IV Art. 137(2)), or
// at his own request in the neutral's interview (GC III Art. 118 read
// with Art. 122(3)). The Central Agency stays a recipient: GC IV
// Art. 137(2) withholds nothing from it (it weighs what it forwards,
// GC III Art. 123).
func CheckWithheldRecipients(e Event, withheld bool) error {
	if !withheld || !slices.Contains(e.SentTo, OwnState) {
		return nil
	}
	v := &validator{}
	v.add("sent_to", "custody_withheld_own_state", "the record is withheld from the person's own side: send the notice to the Central Agency only")
	return v.err()
}

// fieldsOf says which optional-or-required fields each kind has; a field
// given for a kind that has none of it is refused (custody_not_of_kind).
var fieldsOf = map[Kind]map[string]bool{
	Captured:         {"place": true, "unit": false},
	CaptureCardSent:  {"sent_to": true},
	Interned:         {"place": true},
	Transferred:      {"from": true, "to": true},
	Hospitalised:     {"place": true},
	Escaped:          {"place": false},
	Died:             {"place": true, "cause": true, "grave": false},
	DeathNotified:    {"sent_to": true},
	ConfirmedMissing: {"reason": true},
}

// Validate checks an event's own fields: a known kind; a full date not
// after now; the fields of its kind (required where the article needs
// them: the place of capture, internment, hospital and death, both places
// of a transfer, the cause of death, the recipients of a notification,
// the reason one is confirmed missing) and no others; lengths; no control
// characters. Every problem is a coded errs.FieldError; the error is
// Invalid.
func (e Event) Validate(now time.Time) error {
	v := &validator{}
	if !e.Kind.Valid() {
		if e.Kind == "" {
			v.add("kind", "required", "required")
		} else {
			v.add("kind", "custody_bad_kind", fmt.Sprintf("%q is not a kind of custody event", e.Kind), string(e.Kind))
		}
		return v.err()
	}
	switch {
	case e.Date.IsZero():
		v.add("date", "required", "required")
	case e.Date.Precision() != "day":
		v.add("date", "custody_date_day", "a full date (day, month, year)", e.Date.String())
	case e.Date.After(now):
		v.add("date", "future", e.Date.String()+" is in the future", e.Date.String())
	}
	has := fieldsOf[e.Kind]
	lines := []struct {
		field, value string
		text         bool
	}{{"place", e.Place, false}, {"unit", e.Unit, false}, {"from", e.From, false}, {"to", e.To, false},
		{"cause", e.Cause, true}, {"grave", e.Grave, false}, {"reason", e.Reason, true}}
	for _, l := range lines {
		required, ok := has[l.field]
		switch {
		case !ok && l.value != "":
			v.add(l.field, "custody_not_of_kind", fmt.Sprintf("an event %s has no %s", e.Kind, l.field), string(e.Kind))
		case ok && l.text:
			v.check(l.field, l.value, required, MaxText)
		case ok:
			v.line(l.field, l.value, required)
		}
	}
	if _, ok := has["sent_to"]; ok {
		if len(e.SentTo) == 0 {
			v.add("sent_to", "required", "required")
		}
		for _, r := range e.SentTo {
			if !slices.Contains(Recipients, r) {
				v.add("sent_to", "custody_bad_recipient", fmt.Sprintf("%q is not a recipient: own_state or central_agency", r), string(r))
			}
		}
	} else if len(e.SentTo) > 0 {
		v.add("sent_to", "custody_not_of_kind", fmt.Sprintf("an event %s has no recipients", e.Kind), string(e.Kind))
	}
	v.check("note", e.Note, false, MaxText)
	return v.err()
}

// Normal returns e with its text trimmed and its recipients in order and
// once each: the form the store keeps.
func (e Event) Normal() Event {
	for _, s := range []*string{&e.Place, &e.Unit, &e.From, &e.To, &e.Cause, &e.Grave, &e.Reason, &e.Note} {
		*s = strings.TrimSpace(*s)
	}
	if e.SentTo != nil {
		sent := []Recipient{}
		for _, r := range Recipients {
			if slices.Contains(e.SentTo, r) {
				sent = append(sent, r)
			}
		}
		for _, r := range e.SentTo {
			if !slices.Contains(sent, r) {
				sent = append(sent, r) // unknown: Validate names it
			}
		}
		e.SentTo = sent
	}
	return e
}

type validator struct{ fields []errs.FieldError }

func (v *validator) add(field, code, msg string, args ...string) {
	fe := errs.FieldError{Field: field, Message: msg, Args: args}
	fe.Code = code // one of Codes
	v.fields = append(v.fields, fe)
}

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := "the event has 1 problem"
	if len(v.fields) > 1 {
		msg = "the event has " + strconv.Itoa(len(v.fields)) + " problems"
	}
	return errs.E("custody.Event.Validate", errs.Invalid, msg, v.fields)
}

func (v *validator) line(field, s string, required bool) {
	if strings.ContainsAny(s, "\r\n") {
		v.add(field, "one_line_required", "one line without control characters")
		return
	}
	v.check(field, s, required, MaxLine)
}

func (v *validator) check(field, s string, required bool, limit int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.add(field, "required", "required")
	case !utf8.ValidString(s):
		v.add(field, "control_char", "not valid text", "1")
	case utf8.RuneCountInString(s) > limit:
		v.add(field, "too_long", fmt.Sprintf("too long: %d characters, at most %d", utf8.RuneCountInString(s), limit),
			strconv.Itoa(utf8.RuneCountInString(s)), strconv.Itoa(limit))
	default:
		for i, r := range []rune(s) {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				v.add(field, "control_char", "an invisible control character", strconv.Itoa(i+1))
				return
			}
		}
	}
}
