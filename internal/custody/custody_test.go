package custody

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

var now = time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)

func d(s string) person.Date {
	v, err := person.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// codes returns field → code of an error's field errors.
func codes(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *errs.Error, got %v", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		if !slices.Contains(Codes, f.Code) {
			t.Errorf("code %q is not in Codes: the locale does not know it", f.Code)
		}
		out[f.Field] = f.Code
	}
	return out
}

func TestValidate(t *testing.T) {
	both := []Recipient{OwnState, CentralAgency}
	for _, tc := range []struct {
		name   string
		e      Event
		fields map[string]string // nil: valid
	}{
		{"captured", Event{Kind: Captured, Date: d("2025-03-01"), Place: "Покровськ", Unit: "25 ОПДБр"}, nil},
		{"captured without place", Event{Kind: Captured, Date: d("2025-03-01")}, map[string]string{"place": "required"}},
		{"captured, no unit known", Event{Kind: Captured, Date: d("2025-03-01"), Place: "Покровськ"}, nil},
		{"card", Event{Kind: CaptureCardSent, Date: d("2025-03-05"), SentTo: both}, nil},
		{"card to nobody", Event{Kind: CaptureCardSent, Date: d("2025-03-05")}, map[string]string{"sent_to": "required"}},
		{"card to a stranger", Event{Kind: CaptureCardSent, Date: d("2025-03-05"), SentTo: []Recipient{"press"}}, map[string]string{"sent_to": "custody_bad_recipient"}},
		{"interned", Event{Kind: Interned, Date: d("2025-03-03"), Place: "Табір №1"}, nil},
		{"interned nowhere", Event{Kind: Interned, Date: d("2025-03-03")}, map[string]string{"place": "required"}},
		{"transferred", Event{Kind: Transferred, Date: d("2025-04-03"), From: "Табір №1", To: "Табір №2"}, nil},
		{"transferred, no places", Event{Kind: Transferred, Date: d("2025-04-03")}, map[string]string{"from": "required", "to": "required"}},
		{"transfer with a place", Event{Kind: Transferred, Date: d("2025-04-03"), From: "a", To: "b", Place: "c"}, map[string]string{"place": "custody_not_of_kind"}},
		{"hospitalised", Event{Kind: Hospitalised, Date: d("2025-04-03"), Place: "Шпиталь"}, nil},
		{"hospitalised nowhere", Event{Kind: Hospitalised, Date: d("2025-04-03")}, map[string]string{"place": "required"}},
		{"escaped", Event{Kind: Escaped, Date: d("2025-04-03")}, nil},
		{"died", Event{Kind: Died, Date: d("2025-05-01"), Place: "Табір №2", Cause: "поранення", Grave: "цвинтар, ділянка 4"}, nil},
		{"died, no place or cause", Event{Kind: Died, Date: d("2025-05-01")}, map[string]string{"place": "required", "cause": "required"}},
		{"death notified", Event{Kind: DeathNotified, Date: d("2025-05-03"), SentTo: both}, nil},
		{"death notified to nobody", Event{Kind: DeathNotified, Date: d("2025-05-03")}, map[string]string{"sent_to": "required"}},
		{"confirmed missing", Event{Kind: ConfirmedMissing, Date: d("2025-05-03"), Reason: "не повернувся з бойового завдання"}, nil},
		{"confirmed missing without reason", Event{Kind: ConfirmedMissing, Date: d("2025-05-03")}, map[string]string{"reason": "required"}},
		{"a reason on a capture", Event{Kind: Captured, Date: d("2025-03-01"), Place: "x", Reason: "y"}, map[string]string{"reason": "custody_not_of_kind"}},
		{"recipients on an internment", Event{Kind: Interned, Date: d("2025-03-01"), Place: "x", SentTo: both}, map[string]string{"sent_to": "custody_not_of_kind"}},
		{"unknown kind", Event{Kind: "vanished", Date: d("2025-03-01")}, map[string]string{"kind": "custody_bad_kind"}},
		{"no kind", Event{Date: d("2025-03-01")}, map[string]string{"kind": "required"}},
		{"no date", Event{Kind: Escaped}, map[string]string{"date": "required"}},
		{"a month only", Event{Kind: Escaped, Date: d("2025-03")}, map[string]string{"date": "custody_date_day"}},
		{"in the future", Event{Kind: Escaped, Date: d("2025-06-11")}, map[string]string{"date": "future"}},
		{"today", Event{Kind: Escaped, Date: d("2025-06-10")}, nil},
		{"a place of two lines", Event{Kind: Interned, Date: d("2025-03-01"), Place: "a\nb"}, map[string]string{"place": "one_line_required"}},
		{"a control character", Event{Kind: Escaped, Date: d("2025-03-01"), Note: "a\x00b"}, map[string]string{"note": "control_char"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.e.Validate(now)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("want Invalid, got %v", err)
			}
			if got := codes(t, err); !mapsEqual(got, tc.fields) {
				t.Errorf("got %v, want %v", got, tc.fields)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// life numbers events from 1.
func life(events ...Event) []Event {
	for i := range events {
		events[i].N = i + 1
	}
	return events
}

func TestTimeline(t *testing.T) {
	events := life(
		Event{Kind: Captured, Date: d("2025-03-01"), Place: "Покровськ", Unit: "25 ОПДБр"},
		Event{Kind: Interned, Date: d("2025-03-03"), Place: "Табір №1"},
		Event{Kind: CaptureCardSent, Date: d("2025-03-05"), SentTo: []Recipient{CentralAgency}},
		Event{Kind: Transferred, Date: d("2025-04-01"), From: "табір  №1", To: "Табір №2"},
		Event{Kind: Died, Date: d("2025-05-01"), Place: "Табір №2", Cause: "поранення", Grave: "ділянка 4"},
		Event{Kind: DeathNotified, Date: d("2025-05-02"), SentTo: []Recipient{OwnState, CentralAgency}},
	)
	tl, err := Fold(events[:4])
	if err != nil {
		t.Fatal(err)
	}
	if tl.Place != "Табір №2" || tl.Since != d("2025-04-01") || tl.Capture.Unit != "25 ОПДБр" || len(tl.CaptureCards) != 1 || tl.Death != nil {
		t.Errorf("after the transfer: %+v", tl)
	}
	tl, err = Fold(events)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Place != "" || tl.Death == nil || tl.Death.Cause != "поранення" || tl.Death.Grave != "ділянка 4" || len(tl.DeathNotices) != 1 || tl.DeathNotices[0].Date != d("2025-05-02") {
		t.Errorf("after the death: %+v", tl)
	}

	refused := func(name string, prefix []Event, e Event, kind errs.Kind, field, code string) {
		t.Helper()
		tl, err := Fold(prefix)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e.N = len(prefix) + 1
		err = tl.Apply(e)
		if errs.KindOf(err) != kind {
			t.Errorf("%s: want %v, got %v", name, kind, err)
			return
		}
		if got := codes(t, err); got[field] != code {
			t.Errorf("%s: got %v, want %s: %s", name, got, field, code)
		}
		if len(tl.Events) != len(prefix) {
			t.Errorf("%s: a refused event was folded in", name)
		}
	}
	refused("an escape after death", events, Event{Kind: Escaped, Date: d("2025-05-03")}, errs.Conflict, "kind", "custody_after_death")
	refused("a transfer after death", events[:5], Event{Kind: Transferred, Date: d("2025-05-03"), From: "Табір №2", To: "x"}, errs.Conflict, "kind", "custody_after_death")
	refused("a second death", events[:5], Event{Kind: Died, Date: d("2025-05-03"), Place: "x", Cause: "y"}, errs.Conflict, "kind", "custody_after_death")
	refused("a notification before the death", events[:5], Event{Kind: DeathNotified, Date: d("2025-04-30"), SentTo: []Recipient{OwnState}}, errs.Invalid, "date", "custody_before_death")
	refused("a notification without a death", events[:4], Event{Kind: DeathNotified, Date: d("2025-04-30"), SentTo: []Recipient{OwnState}}, errs.Conflict, "kind", "custody_not_dead")
	refused("an internment before the capture", events[:1], Event{Kind: Interned, Date: d("2025-02-27"), Place: "x"}, errs.Invalid, "date", "custody_before_capture")
	refused("nothing before the capture", nil, Event{Kind: Interned, Date: d("2025-02-27"), Place: "x"}, errs.Conflict, "kind", "custody_not_captured")
	refused("captured twice", events[:2], Event{Kind: Captured, Date: d("2025-03-04"), Place: "x"}, errs.Conflict, "kind", "custody_captured_twice")
	refused("a transfer from elsewhere", events[:3], Event{Kind: Transferred, Date: d("2025-04-01"), From: "Табір №7", To: "Табір №2"}, errs.Invalid, "from", "custody_transfer_from")
	refused("confirmed missing on a held person", events[:1], Event{Kind: ConfirmedMissing, Date: d("2025-04-01"), Reason: "x"}, errs.Invalid, "kind", "custody_register")

	escaped := append(life(events[0], events[1]), Event{N: 3, Kind: Escaped, Date: d("2025-03-10")})
	refused("interned while escaped", escaped, Event{Kind: Interned, Date: d("2025-03-11"), Place: "x"}, errs.Conflict, "kind", "custody_escaped")
	if _, err := Fold(append(escaped, Event{N: 4, Kind: Captured, Date: d("2025-03-12"), Place: "y"}, Event{N: 5, Kind: Interned, Date: d("2025-03-13"), Place: "z"})); err != nil {
		t.Errorf("a recapture, then internment: %v", err)
	}

	missing := life(Event{Kind: ConfirmedMissing, Date: d("2025-04-01"), Reason: "зник під час бою"})
	tm, err := Fold(missing)
	if err != nil || tm.Missing == nil || tm.Missing.Reason != "зник під час бою" {
		t.Fatalf("confirmed missing: %+v, %v", tm, err)
	}
	refused("missing twice", missing, Event{Kind: ConfirmedMissing, Date: d("2025-04-02"), Reason: "x"}, errs.Conflict, "kind", "custody_missing_twice")
	refused("captured on a sought record", missing, Event{Kind: Captured, Date: d("2025-04-02"), Place: "x"}, errs.Invalid, "kind", "custody_register")

	if err := CheckRegister(ConfirmedMissing, person.Held); errs.KindOf(err) != errs.Invalid {
		t.Errorf("confirmed missing on a held record: %v", err)
	}
	if err := CheckRegister(Died, person.Sought); errs.KindOf(err) != errs.Invalid {
		t.Errorf("died on a sought record: %v", err)
	}
	if err := CheckRegister(Died, person.Held); err != nil {
		t.Errorf("died on a held record: %v", err)
	}
}

func TestOverdue(t *testing.T) {
	captured := Event{Kind: Captured, Date: d("2025-03-01"), Place: "Покровськ"}
	interned := Event{Kind: Interned, Date: d("2025-03-03"), Place: "Табір №1"}
	at := func(s string) time.Time { return day(d(s)).Add(10 * time.Hour) }

	// Interned on 3 March, no card: due by the 10th, overdue from the 11th.
	evs := life(captured, interned)
	if got := Overdue(evs, at("2025-03-10")); len(got) != 0 {
		t.Errorf("on the last day: %+v", got)
	}
	got := Overdue(evs, at("2025-03-14"))
	want := []Item{{N: 2, Kind: Interned, Place: "Табір №1", Date: d("2025-03-03"), Notice: CaptureCardSent, Due: d("2025-03-10"), Days: 4}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// A card sent at capture covers the first internment; a card sent
	// late clears it too.
	if got := Overdue(life(captured, Event{Kind: CaptureCardSent, Date: d("2025-03-01"), SentTo: []Recipient{OwnState}}, interned), at("2025-04-01")); len(got) != 0 {
		t.Errorf("a card at capture: %+v", got)
	}
	if got := Overdue(life(captured, interned, Event{Kind: CaptureCardSent, Date: d("2025-03-20"), SentTo: []Recipient{OwnState}}), at("2025-04-01")); len(got) != 0 {
		t.Errorf("a card sent late: %+v", got)
	}

	// A transfer needs a new card: the card of the internment does not
	// cover it.
	evs = life(captured, interned, Event{Kind: CaptureCardSent, Date: d("2025-03-05"), SentTo: []Recipient{CentralAgency}},
		Event{Kind: Transferred, Date: d("2025-04-01"), From: "Табір №1", To: "Табір №2"})
	got = Overdue(evs, at("2025-04-20"))
	want = []Item{{N: 4, Kind: Transferred, Place: "Табір №2", Date: d("2025-04-01"), Notice: CaptureCardSent, Due: d("2025-04-08"), Days: 12}}
	if !slices.Equal(got, want) {
		t.Errorf("a transfer: got %+v, want %+v", got, want)
	}

	// A death with no notification is overdue after a week; it replaces
	// the arrivals before it. Notified, nothing is due.
	died := Event{Kind: Died, Date: d("2025-05-01"), Place: "Табір №2", Cause: "x"}
	evs = life(captured, interned, died)
	got = Overdue(evs, at("2025-05-09"))
	want = []Item{{N: 3, Kind: Died, Place: "Табір №2", Date: d("2025-05-01"), Notice: DeathNotified, Due: d("2025-05-08"), Days: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("a death: got %+v, want %+v", got, want)
	}
	if got := Overdue(append(evs, Event{N: 4, Kind: DeathNotified, Date: d("2025-05-10"), SentTo: []Recipient{OwnState}}), at("2025-06-01")); len(got) != 0 {
		t.Errorf("a death notified: %+v", got)
	}
	if got := Overdue(nil, now); len(got) != 0 {
		t.Errorf("no events: %+v", got)
	}
}

func TestNormal(t *testing.T) {
	e := Event{Kind: CaptureCardSent, Place: "  x ", SentTo: []Recipient{CentralAgency, OwnState, CentralAgency}}.Normal()
	if e.Place != "x" || !slices.Equal(e.SentTo, []Recipient{OwnState, CentralAgency}) {
		t.Errorf("got %+v", e)
	}
	for _, k := range Kinds {
		if _, ok := fieldsOf[k]; !ok {
			t.Errorf("kind %s has no fields in fieldsOf", k)
		}
	}
}

// TestCheckWithheldRecipients: a withheld record's notice goes to the
// Central Agency only (GC IV Art. 137(2)); a record not withheld may go
// to both.
func TestCheckWithheldRecipients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		to       []Recipient
		withheld bool
		code     string
	}{
		{"not withheld, both", []Recipient{OwnState, CentralAgency}, false, ""},
		{"withheld, agency", []Recipient{CentralAgency}, true, ""},
		{"withheld, own state", []Recipient{OwnState}, true, "custody_withheld_own_state"},
		{"withheld, both", []Recipient{OwnState, CentralAgency}, true, "custody_withheld_own_state"},
	} {
		for _, k := range []Kind{CaptureCardSent, DeathNotified} {
			err := CheckWithheldRecipients(Event{Kind: k, Date: d("2025-03-05"), SentTo: tc.to}, tc.withheld)
			if tc.code == "" {
				if err != nil {
					t.Errorf("%s %s: %v", tc.name, k, err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s %s: allowed", tc.name, k)
				continue
			}
			if got := codes(t, err); got["sent_to"] != tc.code {
				t.Errorf("%s %s: %v, want sent_to %s", tc.name, k, got, tc.code)
			}
		}
	}
}
