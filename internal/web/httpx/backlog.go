package httpx

import (
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/locale"
)

// CarryReason says in lang why a person is carried into the next round's
// request list, as the list item's reason: "requested in rounds 1, 2, 3;
// answered not held ×3; not presented at the crossing ×1". The API's
// carry-over and the list draft's page say it alike.
func CarryReason(lang string, c backlog.Carried) string {
	rounds := make([]string, len(c.Rounds))
	for i, r := range c.Rounds {
		rounds[i] = strconv.Itoa(r)
	}
	key := "backlog.reason.rounds"
	if len(rounds) == 1 {
		key = "backlog.reason.round"
	}
	parts := []string{locale.T(lang, key, strings.Join(rounds, ", "))}
	for _, a := range c.Answers {
		parts = append(parts, locale.T(lang, "backlog.reason.answered", locale.T(lang, "answer."+string(a.Answer)), a.N))
	}
	if c.NoShows > 0 {
		parts = append(parts, locale.T(lang, "backlog.reason.noshow", c.NoShows))
	}
	return strings.Join(parts, "; ")
}
