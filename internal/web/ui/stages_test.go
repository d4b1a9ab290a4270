package ui

import (
	"testing"

	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/match"
)

// TestRunStagesNamed: the runs page names every stage a matching run
// reports (the store's "read" and each of match.Stages) in every
// language, rather than showing the message key.
func TestRunStagesNamed(t *testing.T) {
	for _, stage := range append([]string{"read"}, match.Stages...) {
		key := "runs.stage." + stage
		for _, lang := range locale.Langs {
			if got := locale.T(lang, key); got == key || got == "" {
				t.Errorf("%s: no message %s for the matching run's stage %q", lang, key, stage)
			}
		}
	}
}
