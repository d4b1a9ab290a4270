package form

import (
	"testing"
	"time"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

func TestReaders(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"day iso", must(Day("d", "2025-05-23")), time.Date(2025, 5, 23, 0, 0, 0, 0, time.UTC)},
		{"day dots", must(Day("d", " 23.05.2025 ")), time.Date(2025, 5, 23, 0, 0, 0, 0, time.UTC)},
		{"day short", must(Day("d", "3.5.2025")), time.Date(2025, 5, 3, 0, 0, 0, 0, time.UTC)},
		{"day empty", must(Day("d", "")), time.Time{}},
		{"when empty is now", must(When("w", "", now)), now},
		{"when browser", must(When("w", "2025-05-23T10:00", now)), time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC)},
		{"when dots", must(When("w", "23.05.2025 10:00", now)), time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC)},
		{"when zone", must(When("w", "2025-05-23T10:00:00+03:00", now)), time.Date(2025, 5, 23, 7, 0, 0, 0, time.UTC)},
		{"minute", must(Minute("m", "2025-05-23 08:00")), time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)},
		{"minute empty", must(Minute("m", "")), time.Time{}},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if _, fe := Day("from", "yesterday"); fe == nil || fe.Field != "from" || fe.Code != CodeNotDay || fe.Args[0] != "yesterday" {
		t.Errorf("Day(yesterday) = %+v", fe)
	}
	if _, fe := When("at", "soon", now); fe == nil || fe.Field != "at" || fe.Code != CodeNotTime {
		t.Errorf("When(soon) = %+v", fe)
	}
	if _, fe := Minute("s1_start", "завтра"); fe == nil || fe.Code != CodeNotTime || fe.Args[0] != "завтра" {
		t.Errorf("Minute(завтра) = %+v", fe)
	}
	for s, want := range map[string]int{"": 0, "12": 12, "100 000": 100000, "1\u00a0000": 1000, "-3": -3} {
		if n, fe := Count("c", s); fe != nil || n != want {
			t.Errorf("Count(%q) = %d, %+v; want %d", s, n, fe, want)
		}
	}
	for _, s := range []string{"тисяча", "1.5", "12a"} {
		if _, fe := Count("total", s); fe == nil || fe.Code != CodeNotNumber || fe.Field != "total" || fe.Args[0] != s {
			t.Errorf("Count(%q) = %+v", s, fe)
		}
	}
	if got := IDs("a, b;c\n d\te"); len(got) != 5 || got[4] != "e" {
		t.Errorf("IDs = %q", got)
	}
	if got := Lines(" a \r\n\r\n b\n"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Lines = %q", got)
	}
}

func must[T any](v T, _ any) T { return v }

// TestParseChecksNoRule: a form that reads but breaks every rule of the
// terms it can gives no field error: the rules are the domain's. What it
// read is the exchange the domain is then asked about.
func TestParseChecksNoRule(t *testing.T) {
	f := Exchange{Name: "", PartyA: "UA", PartyB: "UA", Crossings: "\n", From: "2026-05-02", To: "01.05.2026", Kind: "category",
		Total: "7", Floor: "9", Ceiling: "4", Conditions: "c1 the text\n\n",
		Rules: []Rule{{Category: "military", On: true, Count: "3", Min: "40", Max: "30", AllForAll: true}, {Category: "civilian"}}}
	ex, bad := f.Parse()
	if len(bad) != 0 {
		t.Fatalf("field errors for rules: %+v", bad)
	}
	if err := ex.Validate(); err == nil {
		t.Fatal("the domain takes what breaks its rules")
	}
	r := ex.Terms.Rules
	if len(r) != 1 || r[0].ID != "mil" || r[0].Count != 3 || r[0].MinAge != 40 || r[0].MaxAge != 30 || !r[0].AllForAll || r[0].Category != person.Military {
		t.Errorf("rules %+v", r)
	}
	if ex.Terms.Kind != exchange.CategoryTerms || ex.Terms.Total != 7 || ex.Terms.Floor != 9 || ex.Terms.Ceiling != 4 || len(ex.Crossings) != 0 ||
		ex.Parties != [2]string{"UA", "UA"} || !ex.To.Before(ex.From) || len(ex.Terms.Conditions) != 1 || ex.Terms.Conditions[0].ID != "c1" {
		t.Errorf("exchange %+v", ex)
	}
	// What it cannot read: every field at once, by its name in the form.
	f = Exchange{Kind: "numeric", Total: "x", From: "y", Conditions: "ok text\nbare", Rules: []Rule{{Category: "civilian", On: true, Max: "old", CapturedBy: "then"}}}
	_, bad = f.Parse()
	got := map[string]string{}
	for _, fe := range bad {
		got[fe.Field] = fe.Code
	}
	want := map[string]string{"total": CodeNotNumber, "from": CodeNotDay, "conditions": CodeLine, "max_civilian": CodeNotNumber, "captured_civilian": CodeNotDay}
	if len(got) != len(want) {
		t.Errorf("field errors %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

func TestExchangeField(t *testing.T) {
	rules := []exchange.Rule{{Category: person.Military}, {Category: person.Civilian}}
	for in, want := range map[string]string{
		"name": "name", "parties[1]": "party_b", "parties": "party_b", "crossings[2]": "crossings", "terms.kind": "kind",
		"terms.reference": "reference", "terms.conditions[0].text": "conditions", "terms.rules[1].count": "count_civilian",
		"terms.rules[0].max_age": "max_military", "terms.rules[0].all_for_all": "all_military", "terms.rules[1].category": "rule_civilian",
		"terms.rules[7].count": "rules", "terms.rules": "rules", "terms.rules[x": "rules", "id": "rules",
	} {
		if got := ExchangeField(in, rules); got != want {
			t.Errorf("ExchangeField(%q) = %q, want %q", in, got, want)
		}
	}
}
