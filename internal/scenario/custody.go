package scenario

import (
	"context"
	"time"

	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/person"
)

// demoPlaces are where the demo's prisoners were captured and where each
// party interns them, in the party's own language.
var demoPlaces = map[string][2]string{
	"UA": {"Харківська область", "Табір №1 для військовополонених"},
	"RU": {"Курская область", "Лагерь №1 для военнопленных"},
}

// demoCustody records, through the API, the custody of the first two
// named persons each party holds (GC III Art. 70): both captured and
// interned; the first's capture card sent within the week, the second's
// not — his bureau's page (/custody) flags him. It returns how many
// persons of each party are left overdue.
func demoCustody(ctx context.Context, cs Clients, now time.Time, held map[string][]person.Record) (PartyCounts, error) {
	day := func(daysAgo int) person.Date {
		y, m, d := now.AddDate(0, 0, -daysAgo).Date()
		return person.Date{Year: y, Month: int(m), Day: d}
	}
	out := PartyCounts{}
	for _, p := range Parties {
		c := cs[registrar(p)]
		n := 0
		for _, r := range held[p] {
			if n == 2 {
				break
			}
			if r.Surname == "" {
				continue
			}
			events := []custody.Event{
				{Kind: custody.Captured, Date: day(40), Place: demoPlaces[p][0]},
				{Kind: custody.Interned, Date: day(38), Place: demoPlaces[p][1]},
			}
			if n == 0 {
				events = append(events, custody.Event{Kind: custody.CaptureCardSent, Date: day(36), SentTo: []custody.Recipient{custody.OwnState, custody.CentralAgency}})
			}
			for _, e := range events {
				if _, err := c.AddCustody(ctx, r.ID, e); err != nil {
					return out, err
				}
			}
			n++
		}
		list, err := c.CustodyOverdue(ctx, "")
		if err != nil {
			return out, err
		}
		out[p] = len(list)
	}
	return out, nil
}
