package ui

import (
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// TestChangedFieldsTranslated: every identity field a correction after
// signing can name has a field label, so the card names it in the user's
// language.
func TestChangedFieldsTranslated(t *testing.T) {
	// A record with every identity field set differs from an empty one in
	// all of them.
	every := person.Fields{Kind: person.Held, Category: person.Military, Status: person.StatusPOW, Surname: "s", GivenNames: "g", Patronymic: "p",
		FullName: "f", LatinNames: []string{"l"}, Sex: person.Male, BirthDate: person.Date{Year: 1990}, BirthPlace: "b", Rank: "r", ServiceNumber: "n",
		Unit: "u", Power: "w", Citizenship: "c", MotherMaidenName: "m", IdentityNotEstablished: true, DistinguishingMarks: "d"}
	names := person.IdentityChanges(&person.Fields{}, &every)
	if len(names) < 19 {
		t.Fatalf("only %d identity fields differ: %v", len(names), names)
	}
	for _, f := range append(names, "undisclosed") {
		c := chrome{Lang: "uk"}
		if got := c.changedFields([]string{f}); got == "field."+f || got == "stage.undisclosed" || got == "" {
			t.Errorf("%s has no label: %q", f, got)
		}
	}
	if got := (chrome{Lang: "en"}).changedFields([]string{"surname", " service_number"}); got != "Surname, Service number" {
		t.Errorf("got %q", got)
	}
}
