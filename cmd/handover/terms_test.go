package main

import (
	"testing"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// TestTermsText: the one-line terms of "exchange open" and "exchange
// list" name every part of parts terms with its own rule.
func TestTermsText(t *testing.T) {
	for _, tc := range []struct {
		terms exchange.Terms
		want  string
	}{
		{exchange.Terms{Kind: exchange.Numeric, Total: 50, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}, {ID: "civ", Category: person.Civilian, Count: 10}}},
			"numeric total=50 (civilian=10)"},
		{exchange.Terms{Kind: exchange.PartsTerms, Parts: []exchange.Part{
			{ID: "pow", Kind: exchange.Numeric, Total: 246, Rules: []exchange.Rule{{ID: "mil", Category: person.Military, Count: 246}}},
			{ID: "wounded", Kind: exchange.CategoryTerms, Rules: []exchange.Rule{{ID: "sws", Category: person.SeriouslyWoundedSick, AllForAll: true}}}}},
			"parts: pow numeric total=246 (military=246); wounded category (seriously_wounded_sick=all)"},
	} {
		if got := termsText(&tc.terms); got != tc.want {
			t.Errorf("termsText = %q, want %q", got, tc.want)
		}
	}
}
