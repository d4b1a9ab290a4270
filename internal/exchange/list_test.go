package exchange

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func TestStateMachines(t *testing.T) {
	all := []ListState{ListDraft, ListSubmitted, ListSuperseded}
	allowed := map[[2]ListState]bool{{ListDraft, ListSubmitted}: true, {ListSubmitted, ListSuperseded}: true}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanMove(to); got != allowed[[2]ListState{from, to}] {
				t.Errorf("list %v → %v: got %v", from, to, got)
			}
		}
		if s, ok := ParseListState(from.String()); !ok || s != from {
			t.Errorf("ParseListState(%q) = %v", from, s)
		}
	}
	ag := []AgreementState{AgreementOpen, AgreementSigned, AgreementSuperseded}
	agAllowed := map[[2]AgreementState]bool{{AgreementOpen, AgreementSigned}: true, {AgreementOpen, AgreementSuperseded}: true, {AgreementSigned, AgreementSuperseded}: true}
	for _, from := range ag {
		for _, to := range ag {
			if got := from.CanMove(to); got != agAllowed[[2]AgreementState{from, to}] {
				t.Errorf("agreement %v → %v: got %v", from, to, got)
			}
		}
		if s, ok := ParseAgreementState(from.String()); !ok || s != from {
			t.Errorf("ParseAgreementState(%q) = %v", from, s)
		}
	}
	noErr(t, AgreementOpen.CheckSignable())
	wantKind(t, AgreementSigned.CheckSignable(), errs.Conflict)
	wantKind(t, AgreementSuperseded.CheckSignable(), errs.Conflict)
	if b, err := ListSubmitted.MarshalText(); err != nil || string(b) != "submitted" {
		t.Errorf("MarshalText: %q, %v", b, err)
	}
	var ls ListState
	if err := ls.UnmarshalText([]byte("superseded")); err != nil || ls != ListSuperseded {
		t.Errorf("UnmarshalText: %v, %v", ls, err)
	}
	if b, err := ListState(0).MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("the zero state: %q, %v", b, err)
	}
	if _, err := ListState(7).MarshalText(); err == nil {
		t.Error("an unknown state marshalled")
	}
	if err := ls.UnmarshalText([]byte("")); err != nil || ls != 0 {
		t.Errorf("empty state: %v, %v", ls, err)
	}
	if ListState(0).String() != "list_state(0)" || AgreementState(9).String() != "agreement_state(9)" {
		t.Error("unknown states must print as such")
	}
}

func items(ids ...string) []Item {
	var out []Item
	for _, id := range ids {
		out = append(out, Item{RecordID: id, Category: person.Military})
	}
	return out
}

func TestListVersions(t *testing.T) {
	at := time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC)
	v1, sup, err := Submit(NewDraft("ex-1", "UA", Offer, nil, items("a", "b", "c"), "list"), nil, at, "user:1")
	noErr(t, err)
	if sup != nil || v1.State != ListSubmitted || v1.Version != 1 || !v1.SubmittedAt.Equal(at) {
		t.Fatalf("v1: %+v", v1)
	}
	wantKind(t, v1.CheckEditable(), errs.Conflict)
	if _, _, err := Submit(v1, nil, at, "user:1"); !errs.Is(errs.Conflict, err) {
		t.Errorf("submitting a submitted version: %v, want conflict", err)
	}

	// Version 2 drops b, changes c's category, adds d: each needs its why.
	next := items("a", "c", "d")
	next[1].Category, next[1].Reason = person.SeriouslyWoundedSick, "commission decision A of 12 May"
	next[2].Reason = "found in the Olenivka transfer list"
	d2 := NewDraft("ex-1", "UA", Offer, &v1, next, "list")
	_, _, err = Submit(d2, &v1, at, "user:1")
	wantKind(t, err, errs.Invalid)
	if f := errs.Fields(err); len(f) != 1 || f[0].Field != "removed" {
		t.Errorf("fields %v, want the missing reason for b", f)
	}
	d2.Removed = []Removal{{RecordID: "b", Reason: "rejected: not held by us"}, {RecordID: "a", Reason: "still listed"}, {RecordID: "q", Reason: "never listed"}}
	_, _, err = Submit(d2, &v1, at, "user:1")
	if f := errs.Fields(err); len(f) != 2 || f[0].Field != "removed[1].record_id" || f[1].Field != "removed[2].record_id" {
		t.Errorf("removals of a listed and an unknown person: %v", f)
	}
	d2.Removed = d2.Removed[:1]
	v2, sup, err := Submit(d2, &v1, at.Add(time.Hour), "user:1")
	noErr(t, err)
	if sup == nil || sup.State != ListSuperseded || sup.Version != 1 || v2.Version != 2 {
		t.Fatalf("v2 %+v, superseded %+v", v2, sup)
	}
	// A stale draft: made after v1, submitted after v2.
	_, _, err = Submit(NewDraft("ex-1", "UA", Offer, &v1, items("a"), "list"), &v2, at, "user:1")
	wantKind(t, err, errs.Conflict)

	d := Diff(&v1, &v2)
	if len(d.Added) != 1 || d.Added[0].RecordID != "d" || d.Added[0].Reason == "" ||
		len(d.Removed) != 1 || d.Removed[0].RecordID != "b" || d.Removed[0].Reason != "rejected: not held by us" ||
		len(d.Changed) != 1 || d.Changed[0].Before.Category != person.Military || d.Changed[0].After.Category != person.SeriouslyWoundedSick ||
		d.From != 1 || d.To != 2 {
		t.Errorf("diff %+v", d)
	}
	if d := Diff(nil, &v1); len(d.Added) != 3 || d.From != 0 {
		t.Errorf("diff from nothing: %+v", d)
	}
	if d := Diff(&v2, &v2); !d.Empty() {
		t.Errorf("diff of a version with itself: %+v", d)
	}

	// Canonical bytes do not depend on item order.
	r := v2
	r.Items = slices.Clone(v2.Items)
	slices.Reverse(r.Items)
	if string(r.Canonical()) != string(v2.Canonical()) {
		t.Error("canonical bytes depend on item order")
	}
	if c := string(v2.Canonical()); !strings.Contains(c, "item c seriously_wounded_sick - 0 \"commission decision A of 12 May\"\n") ||
		!strings.Contains(c, "removed b \"rejected: not held by us\"\n") {
		t.Errorf("canonical:\n%s", c)
	}
}

// TestListVersionSaysWhy: a version says why it was submitted, in one
// line; without a reason, or with a reason of two lines (a tab pasted from
// a spreadsheet), it is refused at "reason" with the code the pages and
// the CLI translate.
func TestListVersionSaysWhy(t *testing.T) {
	for reason, code := range map[string]string{"": "version_reason_required", " \n ": "version_reason_required", "first\tlist": "one_line"} {
		v := ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 1, Items: items("a"), Reason: reason}
		err := v.Validate(nil)
		wantKind(t, err, errs.Invalid)
		if fes := errs.Fields(err); len(fes) != 1 || fes[0].Field != "reason" || fes[0].Code != code {
			t.Errorf("reason %q: %+v, want %s at reason", reason, fes, code)
		}
	}
	v := ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 1, Items: items("a", "b"), Reason: "first list"}
	noErr(t, v.Validate(nil))
	// So does each strike.
	for reason, code := range map[string]string{"": "strike_reason_required", "died\tin captivity": "one_line"} {
		next := ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 2, Items: items("a"), Reason: "second",
			Removed: []Removal{{RecordID: "b", Reason: reason}}}
		if fes := errs.Fields(next.Validate(&v)); len(fes) != 1 || fes[0].Field != "removed[0].reason" || fes[0].Code != code {
			t.Errorf("strike reason %q: %+v, want %s at removed[0].reason", reason, fes, code)
		}
	}
}

func TestListValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v     ListVersion
		field string
	}{
		{"duplicate", ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 1, Items: items("a", "a")}, "items[1].record_id"},
		{"bad kind", ListVersion{Exchange: "e", Party: "UA", Kind: "gift", Version: 1}, "kind"},
		{"held record on an offer", ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 1, Items: []Item{{RecordID: "a", Category: person.Military, HeldRecordID: "x"}}}, "items[0].held_record_id"},
		{"remains", ListVersion{Exchange: "e", Party: "UA", Kind: Request, Version: 1, Items: []Item{{RecordID: "a", Category: person.RemainsCategory}}}, "items[0].category"},
		{"id with a space", ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 1, Items: items("a b")}, "items[0].record_id"},
		{"version 2 first", ListVersion{Exchange: "e", Party: "UA", Kind: Offer, Version: 2}, "version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate(nil)
			wantKind(t, err, errs.Invalid)
			var got []string
			for _, f := range errs.Fields(err) {
				got = append(got, f.Field)
			}
			if !slices.Contains(got, tc.field) {
				t.Errorf("fields %v, want %s", got, tc.field)
			}
		})
	}
}

func TestRespond(t *testing.T) {
	ex := Exchange{ID: "ex-1", Name: "test", Parties: [2]string{"UA", "RU"}, Crossings: []string{"x"}, Terms: may16()}
	at := time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC)
	v1, _, err := Submit(NewDraft("ex-1", "UA", Offer, nil, items("a", "b"), "list"), nil, at, "user:1")
	noErr(t, err)
	ok := Response{RecordID: "a", Party: "RU", Answer: Accept, Reason: "confirmed", At: at, By: "user:2"}
	with := func(f func(*Response)) Response { r := ok; f(&r); return r }
	draft := NewDraft("ex-1", "UA", Offer, &v1, items("a"), "list")
	superseded := v1
	superseded.State = ListSuperseded
	for _, tc := range []struct {
		name string
		list *ListVersion
		r    Response
		kind errs.Kind
	}{
		{"a party answering its own list", &v1, with(func(r *Response) { r.Party = "UA" }), errs.Forbidden},
		{"the mediator answering", &v1, with(func(r *Response) { r.Party = Mediator }), errs.Forbidden},
		{"a stale version", &superseded, ok, errs.Conflict},
		{"a draft", &draft, ok, errs.Conflict},
		{"another version number", &v1, with(func(r *Response) { r.ListVersion = 3 }), errs.Conflict},
		{"a person not listed", &v1, with(func(r *Response) { r.RecordID = "z" }), errs.NotFound},
		{"no reason", &v1, with(func(r *Response) { r.Reason = " " }), errs.Invalid},
		{"ineligible without a rule", &v1, with(func(r *Response) { r.Answer = Ineligible }), errs.Invalid},
		{"ineligible under an unknown rule", &v1, with(func(r *Response) { r.Answer, r.Rule = Ineligible, "young" }), errs.Invalid},
		{"a blocker on an accept", &v1, with(func(r *Response) { r.Blocker = PendingProsecution }), errs.Invalid},
		{"not held on an offer", &v1, with(func(r *Response) { r.Answer = NotHeld }), errs.Invalid},
		{"an unknown answer", &v1, with(func(r *Response) { r.Answer = "maybe" }), errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Respond(&ex, tc.list, tc.r)
			wantKind(t, err, tc.kind)
		})
	}
	for _, r := range []Response{
		ok,
		with(func(r *Response) { r.Answer, r.Rule = Ineligible, "civ" }),
		with(func(r *Response) { r.Answer, r.Blocker, r.Reason = Reject, ServingSentence, "sentenced in 2021" }),
		with(func(r *Response) { r.Answer = RefusesExchange }),
	} {
		got, err := Respond(&ex, &v1, r)
		noErr(t, err)
		if got.ListVersion != 1 || got.ListParty != "UA" || got.Item.RecordID != "a" {
			t.Errorf("completed response %+v", got)
		}
		if _, err := got.Content(); err != nil {
			t.Error(err)
		}
	}
}

func TestCurrentCarriesOver(t *testing.T) {
	ex := Exchange{ID: "ex-1", Name: "test", Parties: [2]string{"UA", "RU"}, Crossings: []string{"x"}, Terms: may16()}
	at := time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC)
	v1, _, _ := Submit(NewDraft("ex-1", "UA", Offer, nil, items("a", "b", "c"), "list"), nil, at, "user:1")
	var h []Response
	answer := func(l *ListVersion, id string, a Answer) {
		r, err := Respond(&ex, l, Response{RecordID: id, Party: "RU", Answer: a, Reason: "r", At: at, By: "user:2"})
		noErr(t, err)
		h = append(h, r)
	}
	answer(&v1, "a", Query)
	answer(&v1, "a", Accept) // changed its mind on the same version
	answer(&v1, "b", Accept)
	answer(&v1, "c", Reject)
	next := items("a", "b", "c")
	next[1].Category, next[1].Reason = person.Civilian, "civilian after all"
	v2, sup, err := Submit(NewDraft("ex-1", "UA", Offer, &v1, next, "list"), &v1, at, "user:1")
	noErr(t, err)
	late := Response{RecordID: "c", Party: "RU", Answer: Accept, Reason: "late", At: at, By: "user:2"}
	if _, err := Respond(&ex, sup, late); !errs.Is(errs.Conflict, err) {
		t.Errorf("answer to the superseded version: %v, want conflict", err)
	}
	answer(&v2, "c", Accept)
	cur := Current(&v2, h)
	if cur["a"].Answer != Accept || cur["a"].ListVersion != 1 {
		t.Errorf("a: %+v, want the accept of version 1 carried over", cur["a"])
	}
	if _, ok := cur["b"]; ok {
		t.Errorf("b changed in version 2: its answer to version 1 must not count, got %+v", cur["b"])
	}
	if cur["c"].Answer != Accept || cur["c"].ListVersion != 2 {
		t.Errorf("c: %+v, want the accept of version 2", cur["c"])
	}
	if got := History(h, "UA", Offer, "a"); len(got) != 2 || got[0].Answer != Query {
		t.Errorf("history of a: %+v", got)
	}
}

func TestRespondAll(t *testing.T) {
	ex := Exchange{ID: "ex-1", Name: "test", Parties: [2]string{"UA", "RU"}, Crossings: []string{"x"}, Terms: may16()}
	at := time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC)
	v1, _, err := Submit(NewDraft("ex-1", "UA", Offer, nil, items("a", "b", "c"), "list"), nil, at, "user:1")
	noErr(t, err)
	batch := []Response{
		{RecordID: "a", Party: "RU", Answer: Accept, Reason: "ok", At: at, By: "user:2"},
		{RecordID: "zz", Party: "RU", Answer: Accept, Reason: "ok", At: at, By: "user:2"},
		{RecordID: "c", Party: "RU", Answer: Reject, At: at, By: "user:2"},
	}
	got, err := RespondAll(&ex, &v1, batch)
	wantKind(t, err, errs.Invalid)
	if f := errs.Fields(err); got != nil || len(f) != 2 || f[0].Where != "responses[1]" || f[1].Where != "responses[2]" {
		t.Errorf("got %v, fields %v", got, f)
	}
	batch[1].RecordID, batch[2].Reason = "b", "not ours"
	got, err = RespondAll(&ex, &v1, batch)
	noErr(t, err)
	if len(got) != 3 || got[2].Item.RecordID != "c" {
		t.Errorf("got %+v", got)
	}
	for i := range batch {
		batch[i].Party = "UA"
	}
	_, err = RespondAll(&ex, &v1, batch)
	wantKind(t, err, errs.Forbidden)
}
