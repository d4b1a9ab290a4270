package web

import (
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// TestChangedFieldsTranslated: every identity field a correction after
// signing can name has a field label, so the card names it in the user's
// language.
func TestChangedFieldsTranslated(t *testing.T) {
	for _, f := range append(person.IdentityFieldNames(), "undisclosed") {
		c := chrome{Lang: "uk"}
		if got := c.changedFields([]string{f}); got == "field."+f || got == "stage.undisclosed" || got == "" {
			t.Errorf("%s has no label: %q", f, got)
		}
	}
	if got := (chrome{Lang: "en"}).changedFields([]string{"surname", " service_number"}); got != "Surname, Service number" {
		t.Errorf("got %q", got)
	}
}
