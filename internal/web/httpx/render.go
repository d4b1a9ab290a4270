package httpx

import (
	"strings"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The agreement's rendering, as the page and the printed copy both say it.

// CheckRendering checks a rendering against its document (exchange.
// CheckRendering) and returns each problem in lang; none when every person
// of the document is shown, by its record id and commitment, and no one
// else.
func CheckRendering(lang string, rend *sqlstore.AgreementRendering) []string {
	var out []string
	for _, fe := range exchange.CheckRendering(rend.Agreement, rend.Rendered()) {
		out = append(out, locale.Field(lang, fe))
	}
	return out
}

// CountsText says counts per category in lang: "військовий 270, цивільний
// 120", or "—" for none.
func CountsText(lang string, c exchange.Counts) string {
	var parts []string
	for _, cat := range person.Categories {
		if c[cat] > 0 {
			parts = append(parts, locale.T(lang, "value."+string(cat))+" "+locale.Number(lang, c[cat]))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}
