package custody

import (
	"fmt"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Timeline is one person's custody events folded: where he is, since when,
// whether he escaped or died (with the details of the death), and the
// notifications sent. Build it with [Fold], or from empty with
// [Timeline.Apply] one event at a time.
type Timeline struct {
	Events []Event `json:"events"`
	// Capture is the (latest) capture: date, place, unit.
	Capture *Event `json:"capture,omitempty"`
	// Place is where the person is held now and Since the date he
	// arrived: a place of internment, the place he was transferred to,
	// a hospital. Empty before internment, after an escape or a death.
	Place string      `json:"place,omitempty"`
	Since person.Date `json:"since,omitzero"`
	// Escaped: the latest event of his custody is an escape not followed
	// by a recapture.
	Escaped bool `json:"escaped,omitempty"`
	// Death is the died event: date, place, cause, grave.
	Death *Event `json:"death,omitempty"`
	// CaptureCards and DeathNotices are the notifications sent, in order.
	CaptureCards []Event `json:"capture_cards"`
	DeathNotices []Event `json:"death_notices"`
	// Missing is the confirmed_missing event of a sought person.
	Missing *Event `json:"missing,omitempty"`
}

// Fold applies events in order to an empty timeline. An event the
// timeline refuses is an error: the store folds what it stored, so that
// means the stored events were changed.
func Fold(events []Event) (Timeline, error) {
	t := Timeline{Events: []Event{}, CaptureCards: []Event{}, DeathNotices: []Event{}}
	for _, e := range events {
		if err := t.Apply(e); err != nil {
			return t, err
		}
	}
	return t, nil
}

// CheckRegister refuses an event of a kind that is not recorded on a
// record of register rec: confirmed_missing is of the owning party's sought
// records, every other kind of the holding party's held records.
func CheckRegister(k Kind, rec person.Kind) error {
	if k.Register() == rec {
		return nil
	}
	msg := fmt.Sprintf("an event %s is recorded on a %s record, not on a %s one", k, k.Register(), rec)
	return errs.E("custody.CheckRegister", errs.Invalid, msg, errs.FieldError{Field: "kind", Message: msg, Code: "custody_register",
		Args: []string{string(k), string(k.Register())}})
}

// Apply appends e to the timeline if the timeline allows it, and folds it
// in. The event's N MUST be the next (the store gives it). The rules:
//   - a held person's custody begins with his capture: no other event
//     before it (custody_not_captured); a second capture only after an
//     escape (a recapture, GC III Art. 91; custody_captured_twice);
//   - no event is dated before the capture (custody_before_capture);
//   - nothing follows a death but its notification (custody_after_death);
//     a death notification needs the death (custody_not_dead) and is not
//     dated before it (custody_before_death);
//   - an escaped person is interned, transferred or hospitalised only
//     after a recapture (custody_escaped);
//   - a transfer is from where the person is (custody_transfer_from);
//   - a sought person is confirmed missing once (custody_missing_twice).
//
// Apply does not Validate the event's own fields.
func (t *Timeline) Apply(e Event) error {
	const op = "custody.Timeline.Apply"
	if e.N != len(t.Events)+1 {
		return errs.Errorf(op, errs.Conflict, "event %d: the timeline has %d events", e.N, len(t.Events))
	}
	refuse := func(kind errs.Kind, field, code, msg string, args ...string) error {
		fe := errs.FieldError{Field: field, Message: msg, Args: args}
		fe.Code = code // one of Codes
		return errs.E(op, kind, msg, fe)
	}
	if e.Kind == ConfirmedMissing {
		if t.Missing != nil {
			return refuse(errs.Conflict, "kind", "custody_missing_twice", "the person is confirmed missing already, since "+t.Missing.Date.String(), t.Missing.Date.String())
		}
		if len(t.Events) > 0 && t.Events[0].Kind != ConfirmedMissing {
			return refuse(errs.Invalid, "kind", "custody_register", "an event confirmed_missing is recorded on a sought record, not on a held one", string(e.Kind), "sought")
		}
		e2 := e
		t.Missing = &e2
		t.Events = append(t.Events, e)
		return nil
	}
	if t.Missing != nil {
		return refuse(errs.Invalid, "kind", "custody_register", fmt.Sprintf("an event %s is recorded on a held record, not on a sought one", e.Kind), string(e.Kind), "held")
	}
	if t.Death != nil {
		if e.Kind != DeathNotified {
			return refuse(errs.Conflict, "kind", "custody_after_death", "the person died on "+t.Death.Date.String()+": nothing follows but the death's notification", t.Death.Date.String())
		}
		if before(e.Date, t.Death.Date) {
			return refuse(errs.Invalid, "date", "custody_before_death", "the notification is dated before the death, "+t.Death.Date.String(), t.Death.Date.String())
		}
	}
	switch {
	case e.Kind == DeathNotified && t.Death == nil:
		return refuse(errs.Conflict, "kind", "custody_not_dead", "no death is recorded to notify")
	case e.Kind != Captured && t.Capture == nil:
		return refuse(errs.Conflict, "kind", "custody_not_captured", "record the capture first: a person's custody begins with it")
	case e.Kind == Captured && t.Capture != nil && !t.Escaped:
		return refuse(errs.Conflict, "kind", "custody_captured_twice", "the person is in custody since "+t.Capture.Date.String()+"; a new capture follows an escape only", t.Capture.Date.String())
	}
	if t.Capture != nil && before(e.Date, t.Capture.Date) {
		return refuse(errs.Invalid, "date", "custody_before_capture", "the date is before the capture, "+t.Capture.Date.String(), t.Capture.Date.String())
	}
	if t.Escaped && (e.Kind.Arrival() || e.Kind == Escaped) {
		return refuse(errs.Conflict, "kind", "custody_escaped", "the person escaped: record his recapture first")
	}
	if e.Kind == Transferred && t.Place != "" && !samePlace(e.From, t.Place) {
		return refuse(errs.Invalid, "from", "custody_transfer_from", fmt.Sprintf("the person is at %q, not at %q", t.Place, e.From), t.Place, e.From)
	}
	e2 := e
	switch e.Kind {
	case Captured:
		t.Capture, t.Escaped, t.Place, t.Since = &e2, false, "", person.Date{}
	case Interned, Hospitalised:
		t.Place, t.Since = e.Place, e.Date
	case Transferred:
		t.Place, t.Since = e.To, e.Date
	case Escaped:
		t.Escaped, t.Place, t.Since = true, "", person.Date{}
	case Died:
		t.Death, t.Place, t.Since = &e2, "", person.Date{}
	case CaptureCardSent:
		t.CaptureCards = append(t.CaptureCards, e)
	case DeathNotified:
		t.DeathNotices = append(t.DeathNotices, e)
	}
	t.Events = append(t.Events, e)
	return nil
}

// samePlace compares places as people type them: case and runs of spaces
// aside.
func samePlace(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// day is a full date as midnight UTC; a partial date as its first day.
func day(d person.Date) time.Time {
	return time.Date(d.Year, time.Month(max(d.Month, 1)), max(d.Day, 1), 0, 0, 0, 0, time.UTC)
}

func before(a, b person.Date) bool { return !a.IsZero() && !b.IsZero() && day(a).Before(day(b)) }

// dateOf is t's calendar date in its own location.
func dateOf(t time.Time) person.Date {
	y, m, d := t.Date()
	return person.Date{Year: y, Month: int(m), Day: d}
}

// NoticeDays is the week within which a notification is due: the capture
// card "not more than one week after arrival at a camp, even if it is a
// transit camp, likewise in case of sickness or transfer to hospital or
// to another camp" (GC III Art. 70; its Commentary: so that no prisoner
// is held in secret), and the death notification, which Art. 120 and
// Art. 122 want "as rapidly as possible", held to the same week.
const NoticeDays = 7

// Item is a notification overdue: for the arrival (interned, transferred,
// hospitalised) or the death of event N, no capture card or death
// notification is recorded, and its week has passed.
type Item struct {
	N      int         `json:"n"`      // the event that made the notification due
	Kind   Kind        `json:"kind"`   // its kind
	Place  string      `json:"place"`  // where the person arrived, or died
	Date   person.Date `json:"date"`   // when
	Notice Kind        `json:"notice"` // what is due: capture_card_sent or death_notified
	Due    person.Date `json:"due"`    // the last day it was due
	Days   int         `json:"days"`   // days overdue: now's date less Due, at least 1
}

// Overdue returns the notifications overdue on now's date (in now's
// location) for one person's events, in the order of the events:
//   - each arrival (interned, transferred, hospitalised) for which no
//     capture card is recorded dated on or after the arrival (the first
//     arrival after a capture: on or after the capture, Art. 70's
//     "immediately upon capture") once NoticeDays have passed since it; a
//     card sent late clears it (it is then no longer outstanding);
//   - a death with no death notification once NoticeDays have passed; a
//     death replaces the arrivals before it (the notification of death
//     is then what is owed).
//
// Events are taken as they are, in order; they need not be valid.
func Overdue(events []Event, now time.Time) []Item {
	today := day(dateOf(now))
	var items []Item
	var cards, notices []person.Date
	var died *Event
	var start person.Date // the earliest card date that covers the next arrival
	var arrivals []struct {
		e     Event
		place string
		from  person.Date
	}
	for _, e := range events {
		switch e.Kind {
		case Captured:
			start = e.Date
		case Interned, Transferred, Hospitalised:
			place := e.Place
			if e.Kind == Transferred {
				place = e.To
			}
			from := e.Date
			if !start.IsZero() && before(start, from) {
				from = start
			}
			start = person.Date{}
			arrivals = append(arrivals, struct {
				e     Event
				place string
				from  person.Date
			}{e, place, from})
		case CaptureCardSent:
			cards = append(cards, e.Date)
		case Died:
			if died == nil {
				e2 := e
				died = &e2
			}
		case DeathNotified:
			notices = append(notices, e.Date)
		}
	}
	due := func(e Event, place string, notice Kind) {
		d := day(e.Date).AddDate(0, 0, NoticeDays)
		if !today.After(d) {
			return
		}
		items = append(items, Item{N: e.N, Kind: e.Kind, Place: place, Date: e.Date, Notice: notice, Due: dateOf(d), Days: int(today.Sub(d).Hours() / 24)})
	}
	if died != nil {
		if len(notices) == 0 {
			due(*died, died.Place, DeathNotified)
		}
		return items
	}
	for _, a := range arrivals {
		covered := false
		for _, c := range cards {
			if !before(c, a.from) {
				covered = true
				break
			}
		}
		if !covered {
			due(a.e, a.place, CaptureCardSent)
		}
	}
	return items
}
