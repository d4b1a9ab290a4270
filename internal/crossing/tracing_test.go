package crossing

import (
	"slices"
	"testing"
	"time"
)

// TestTracing: what each loaded fact says about the subjects. A sought
// record is reported when entered; the latest decision of a pair stands,
// and a confirmed match to a record its party withholds is not followed;
// the first list of an exchange that names a tracked record lists it; the
// signed agreement agrees it; a confirmed identification identifies it.
func TestTracing(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 5, d, 10, 0, 0, 0, time.UTC) }
	subjects := []TraceSubject{
		{ID: "s1", Party: "UA", Sought: true, Reported: day(1)},
		{ID: "h2", Party: "RU"},                                 // a held record asked after
		{ID: "s3", Party: "UA", Sought: true, Reported: day(1)}, // matched to a withheld record only
	}
	decisions := []MatchDecision{
		{Sought: "s1", Held: "hx", Confirmed: true, At: day(2)},
		{Sought: "s1", Held: "hx", Confirmed: false, At: day(3)}, // withdrawn
		{Sought: "s1", Held: "hy", Confirmed: true, At: day(4)},
		{Sought: "s3", Held: "hw", Confirmed: true, At: day(4)},
		{Sought: "s9", Held: "hv", Confirmed: true, At: day(4)}, // not a subject
	}
	if got, want := ConfirmedHeld(decisions), []string{"hy", "hw", "hv"}; !slices.Equal(got, want) {
		t.Fatalf("ConfirmedHeld = %v, want %v", got, want)
	}
	tr := NewTracing(subjects, decisions, map[string]HeldRecord{"hy": {Party: "RU"}, "hw": {Party: "RU", Withheld: true}, "hv": {Party: "RU"}})
	if !tr.Tracks("hy") || tr.Tracks("hx") || tr.Tracks("hw") || tr.Tracks("hv") {
		t.Errorf("tracked: hy %v hx %v hw %v hv %v, want only hy", tr.Tracks("hy"), tr.Tracks("hx"), tr.Tracks("hw"), tr.Tracks("hv"))
	}
	if sides := tr.side; sides["hy"] != "RU" || sides["h2"] != "RU" || len(sides) != 2 {
		t.Errorf("held sides %v", sides)
	}
	tr.Listed("ex1", "RU", "offer", 1, day(5), []string{"hy", "h2", "other"})
	tr.Listed("ex1", "RU", "offer", 2, day(6), []string{"hy"}) // listed already in ex1
	tr.Agreed("ex1", 1, day(7), []string{"hy"})
	tr.Identified(Identification{Remains: "r1", Status: IDPreliminary, At: day(8), RecordID: "hy"})
	tr.Identified(Identification{Remains: "r1", Status: IDConfirmed, At: day(9), RecordID: "hy"})
	traces, err := tr.Traces()
	if err != nil {
		t.Fatal(err)
	}
	statuses := func(tr Trace) []TraceStatus {
		var out []TraceStatus
		for _, f := range tr.History {
			out = append(out, f.Status)
		}
		return out
	}
	for i, want := range [][]TraceStatus{
		{TraceReported, TraceConfirmedCaptive, TraceListed, TraceAgreed, TraceIdentified},
		{TraceListed},
		{TraceReported},
	} {
		if got := statuses(traces[i]); !slices.Equal(got, want) || traces[i].RecordID != subjects[i].ID {
			t.Errorf("%s: %v, want %v", subjects[i].ID, got, want)
		}
	}
	if f := traces[0].History[1]; f.Source != "match:hy" || !f.At.Equal(day(4)) {
		t.Errorf("confirmed captive from %s at %v, want match:hy at %v", f.Source, f.At, day(4))
	}
	if f := traces[0].History[2]; f.Source != "list:ex1/RU/offer/1" || f.Stage.Exchange != "ex1" {
		t.Errorf("listed from %s (%+v)", f.Source, f.Stage)
	}
}

// TestTracingCustody: a death in custody of the held record a confirmed
// match links a sought subject to reaches the subject, as does his own
// bureau confirming him missing; a record not tracked is ignored, and a
// withheld record is not followed.
func TestTracingCustody(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 5, d, 10, 0, 0, 0, time.UTC) }
	subjects := []TraceSubject{
		{ID: "s1", Party: "UA", Sought: true, Reported: day(1)},
		{ID: "s2", Party: "UA", Sought: true, Reported: day(1)},
		{ID: "s3", Party: "UA", Sought: true, Reported: day(1)},
	}
	decisions := []MatchDecision{{Sought: "s1", Held: "h1", Confirmed: true, At: day(2)}, {Sought: "s3", Held: "h3", Confirmed: true, At: day(2)}}
	tr := NewTracing(subjects, decisions, map[string]HeldRecord{"h1": {Party: "RU"}, "h3": {Party: "RU", Withheld: true}})
	tr.Died("h1", day(5), "custody:h1/4")
	tr.Died("h3", day(5), "custody:h3/4")
	tr.Died("elsewhere", day(5), "custody:elsewhere/1")
	tr.ConfirmedMissing("s2", day(3), "custody:s2/1")
	traces, err := tr.Traces()
	if err != nil {
		t.Fatal(err)
	}
	if got := traces[0]; got.Status != TraceDied || got.History[len(got.History)-1].Source != "custody:h1/4" {
		t.Errorf("s1: %s %+v, want died", got.Status, got.History)
	}
	if got := traces[1]; got.Status != TraceConfirmedMissing || !got.Since.Equal(day(3)) {
		t.Errorf("s2: %s since %v, want confirmed_missing", got.Status, got.Since)
	}
	if got := traces[2]; got.Status != TraceReported {
		t.Errorf("s3: %s, want reported (his record is withheld)", got.Status)
	}
	if v := traces[0].View(ViewerFamily, nil); v.Status != string(FamilyDied) {
		t.Errorf("the family sees %q", v.Status)
	}
}
