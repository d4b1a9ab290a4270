package backlog

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

func day(n int) time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

func request(ex string, version int, at time.Time, ids []string, removed ...exchange.Removal) exchange.ListVersion {
	v := exchange.ListVersion{Exchange: ex, Party: "UA", Kind: exchange.Request, Version: version, SubmittedAt: at, Removed: removed}
	for _, id := range ids {
		v.Items = append(v.Items, exchange.Item{RecordID: id, Category: person.Military, HeldRecordID: "h-" + id})
	}
	return v
}

func answer(ex string, version int, at time.Time, id string, a exchange.Answer) exchange.Response {
	return exchange.Response{Exchange: ex, ListParty: "UA", ListKind: exchange.Request, ListVersion: version, RecordID: id, Party: "RU", Answer: a, Reason: string(a) + " in " + ex, At: at}
}

// history is four rounds: k requested in 1, 2 and 3 and answered not held
// each time (twice in round 2: first a query); r refused at the crossing in
// round 2; h handed over in round 1; n not presented in round 3; s struck
// in round 1; f never requested but flagged; a requested in round 4 only.
func history() Input {
	return Input{
		Party:  "UA",
		Rounds: []Round{{1, "ex1", "one"}, {2, "ex2", "two"}, {3, "ex3", "three"}, {4, "ex4", "four"}},
		Requests: []exchange.ListVersion{
			request("ex1", 1, day(1), []string{"k", "h", "s"}),
			request("ex1", 2, day(2), []string{"k", "h"}, exchange.Removal{RecordID: "s", Reason: "found at home"}),
			request("ex2", 1, day(10), []string{"k", "r"}),
			request("ex3", 1, day(20), []string{"k", "n"}),
			request("ex4", 1, day(30), []string{"a"}),
			{Exchange: "ex2", Party: "RU", Kind: exchange.Request, Version: 1, Items: []exchange.Item{{RecordID: "x", Category: person.Military}}},
		},
		Answers: []exchange.Response{
			answer("ex1", 2, day(3), "k", exchange.NotHeld),
			answer("ex1", 2, day(3), "h", exchange.Accept),
			answer("ex2", 1, day(11), "k", exchange.Query),
			answer("ex2", 1, day(12), "k", exchange.NotHeld),
			answer("ex2", 1, day(11), "r", exchange.Accept),
			answer("ex3", 1, day(21), "k", exchange.NotHeld),
			answer("ex3", 1, day(21), "n", exchange.Accept),
		},
		Traces: map[string]crossing.Trace{
			"h": {History: []crossing.TraceFact{{Status: crossing.TraceAgreed, At: day(4), Stage: crossing.StageRef{Exchange: "ex1"}},
				{Status: crossing.TraceReturned, At: day(5), Stage: crossing.StageRef{Exchange: "ex1", Stage: 1}, Outcome: crossing.OutcomeHandedOver}}},
			"r": {History: []crossing.TraceFact{{Status: crossing.TraceConfirmedCaptive, At: day(9)},
				{Status: crossing.TraceRefused, At: day(14), Stage: crossing.StageRef{Exchange: "ex2", Stage: 2}, Outcome: crossing.OutcomeRefused}}},
			"n": {History: []crossing.TraceFact{{Status: crossing.TraceConfirmedCaptive, At: day(24), Stage: crossing.StageRef{Exchange: "ex3", Stage: 1}, Outcome: crossing.OutcomeNotPresented}}},
		},
		Flags: map[string]Flags{"f": {Group: "Azovstal"}, "n": {Marks: []Mark{Wounded}}, "k": {}},
	}
}

func byID(ps []Person) map[string]Person {
	out := map[string]Person{}
	for _, p := range ps {
		out[p.RecordID] = p
	}
	return out
}

func kinds(p Person) []Kind {
	var out []Kind
	for _, e := range p.Events {
		out = append(out, e.Kind)
	}
	return out
}

func TestBuild(t *testing.T) {
	ps := Build(history())
	got := byID(ps)
	if _, ok := got["x"]; ok {
		t.Errorf("the other party's request is in UA's backlog")
	}
	k := got["k"]
	if want := []int{1, 2, 3}; !slices.Equal(k.Rounds, want) {
		t.Errorf("k rounds %v, want %v", k.Rounds, want)
	}
	if want := []Tally{{exchange.NotHeld, 3}}; !slices.Equal(k.Answers, want) {
		t.Errorf("k answers %v, want %v (the query of round 2 did not stand)", k.Answers, want)
	}
	if want := []Kind{Requested, Answered, Requested, Answered, Answered, Requested, Answered}; !slices.Equal(kinds(k), want) {
		t.Errorf("k events %v, want %v", kinds(k), want)
	}
	if k.LastAnswer == nil || k.LastAnswer.Round != 3 || k.LastAnswer.Answer != exchange.NotHeld || !k.LastAnswer.At.Equal(day(21)) {
		t.Errorf("k last answer %+v, want not_held in round 3 on day 21", k.LastAnswer)
	}
	if k.Resolved || k.Released || k.HeldRecordID != "h-k" || k.Category != person.Military || !k.Flags.Empty() {
		t.Errorf("k = %+v", k)
	}
	h := got["h"]
	if !h.Released || !h.Resolved || !slices.Equal(kinds(h), []Kind{Requested, Answered, Agreed, Returned}) {
		t.Errorf("h released %v resolved %v events %v", h.Released, h.Resolved, kinds(h))
	}
	r := got["r"]
	if r.Refusals != 1 || r.Resolved || !r.RefusedLast() || !slices.Equal(kinds(r), []Kind{Requested, Answered, Refused}) {
		t.Errorf("r refusals %d resolved %v events %v", r.Refusals, r.Resolved, kinds(r))
	}
	n := got["n"]
	if n.NoShows != 1 || n.RefusedLast() || n.Events[len(n.Events)-1].Stage != 1 || !n.Flags.Has(Wounded) {
		t.Errorf("n = %+v", n)
	}
	s := got["s"]
	if e := s.Events[len(s.Events)-1]; e.Kind != Struck || e.Reason != "found at home" || e.Version != 2 {
		t.Errorf("s last event %+v, want struck at version 2 with its reason", e)
	}
	if f := got["f"]; f.Requested() != 0 || f.Flags.Group != "Azovstal" {
		t.Errorf("f = %+v", f)
	}
	// The order: unresolved first, most rounds first, flagged before
	// unflagged, then the earliest request.
	var order []string
	for _, p := range ps {
		order = append(order, p.RecordID)
	}
	if want := []string{"k", "n", "s", "r", "a", "f", "h"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

func TestCarry(t *testing.T) {
	in := history()
	got := Carry(in, "ex4", nil)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.Item.RecordID)
	}
	// k and n are unresolved; r refused at the crossing; h is home; s
	// was struck but stays unresolved; a is round 4's own; f was never
	// requested.
	if want := []string{"k", "n", "s"}; !slices.Equal(ids, want) {
		t.Fatalf("carried %v, want %v", ids, want)
	}
	if c := got[0]; c.Item != (exchange.Item{RecordID: "k", Category: person.Military, HeldRecordID: "h-k"}) ||
		!slices.Equal(c.Rounds, []int{1, 2, 3}) || !slices.Equal(c.Answers, []Tally{{exchange.NotHeld, 3}}) {
		t.Errorf("k carried as %+v", c)
	}
	if c := got[1]; c.NoShows != 1 || !c.Flags.Has(Wounded) {
		t.Errorf("n carried as %+v", c)
	}
	if got := Carry(in, "ex4", map[string]bool{"k": true}); len(got) != 2 || got[0].Item.RecordID != "n" {
		t.Errorf("with k listed already: %+v", got)
	}
	// Into round 3 only what rounds 1 and 2 said: k not held twice.
	got = Carry(in, "ex3", nil)
	if len(got) == 0 || got[0].Item.RecordID != "k" || !slices.Equal(got[0].Answers, []Tally{{exchange.NotHeld, 2}}) {
		t.Errorf("into round 3: %+v", got)
	}
	if got := Carry(in, "ex9", nil); len(got) != 0 {
		t.Errorf("into an exchange that is not the party's: %+v", got)
	}
}

func TestFlagsValidate(t *testing.T) {
	if err := (Flags{Marks: []Mark{Woman, Wounded}, Group: "Azovstal"}).Validate(); err != nil {
		t.Fatal(err)
	}
	long := ""
	for range 201 {
		long += "я"
	}
	for name, tc := range map[string]struct {
		f     Flags
		codes []string
	}{
		"unknown mark": {Flags{Marks: []Mark{"vip"}}, []string{"priority_mark"}},
		"twice":        {Flags{Marks: []Mark{Woman, Woman}}, []string{"priority_mark_twice"}},
		"long group":   {Flags{Group: long}, []string{"priority_group_long"}},
		"two lines":    {Flags{Group: "a\nb", Marks: []Mark{"x"}}, []string{"priority_mark", "one_line"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.f.Validate()
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("got %v, want Invalid", err)
			}
			var codes []string
			for _, f := range errs.Fields(err) {
				codes = append(codes, f.Code)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("codes %v, want %v", codes, tc.codes)
			}
		})
	}
	if n := (Flags{Marks: []Mark{Wounded, HeldLongest}, Group: "  A  "}).Normal(); !slices.Equal(n.Marks, []Mark{HeldLongest, Wounded}) || n.Group != "A" {
		t.Errorf("normal %+v", n)
	}
}

// TestFlagsJSON: no marks are written as an empty list, never null; the
// marks and group otherwise as they are.
func TestFlagsJSON(t *testing.T) {
	for _, tc := range []struct {
		f    Flags
		want string
	}{
		{Flags{}, `{"marks":[]}`},
		{Flags{Marks: []Mark{}}, `{"marks":[]}`},
		{Flags{Marks: []Mark{Wounded}, Group: "Азовсталь"}, `{"marks":["wounded"],"group":"Азовсталь"}`},
	} {
		b, err := json.Marshal(tc.f)
		if err != nil || string(b) != tc.want {
			t.Errorf("%+v: %s, %v; want %s", tc.f, b, err, tc.want)
		}
		var back Flags
		if err := json.Unmarshal(b, &back); err != nil || back.Group != tc.f.Group || len(back.Marks) != len(tc.f.Marks) {
			t.Errorf("%s read back as %+v, %v", b, back, err)
		}
	}
}
