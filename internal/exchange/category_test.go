package exchange

import (
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
)

// TestJune2 is the category-terms case of 2 June 2025: all for all of the
// seriously wounded and sick and of soldiers aged 18–25 (at 2 June 2025),
// at least 1,000 in all; the view lists who is eligible but not offered.
func TestJune2(t *testing.T) {
	ex := Exchange{ID: "ex-2025-06-02", Name: "Istanbul, 2 June 2025: all for all", Parties: [2]string{"UA", "RU"},
		Crossings: []string{"Belarus–Ukraine border", "Poland–Ukraine border"}, Terms: june2()}
	noErr(t, ex.Validate())
	persons := map[string]Person{}
	held := map[string][]Person{}
	add := func(p Person, party string) {
		persons[p.RecordID] = p
		held[party] = append(held[party], p)
	}
	// Each side holds young soldiers, seriously wounded (some with a
	// neutral-country decision, not eligible), older soldiers, and three
	// edge cases of age.
	sizes := map[string][3]int{"UA": {1020, 40, 5}, "RU": {990, 25, 3}} // young, wounded A, wounded B
	for _, party := range ex.Parties {
		n := 0
		next := func() string { n++; return hid(party, n) }
		sz := sizes[party]
		for i := 0; i < sz[0]; i++ {
			born := day(2001, 1, 1).AddDate(0, 0, i%1800) // aged 19 to 24
			add(Person{RecordID: next(), Category: person.Military, BirthDate: mustDate(born.Format(time.DateOnly))}, party)
		}
		for i := 0; i < sz[1]+sz[2]; i++ {
			d := DecisionA
			if i >= sz[1] {
				d = DecisionB
			}
			add(Person{RecordID: next(), Category: person.SeriouslyWoundedSick, BirthDate: mustDate("1980-04-04"),
				Evidence: Evidence{Commission: &Commission{Decision: d, Tier: 2, Date: day(2025, 5, 20)}}}, party)
		}
		for i := 0; i < 50; i++ {
			add(Person{RecordID: next(), Category: person.Military, BirthDate: mustDate("1985-07-07")}, party)
		}
		add(Person{RecordID: next(), Category: person.Military, BirthDate: mustDate("2007-06-03")}, party) // 17 on 2 June
		add(Person{RecordID: next(), Category: person.Military, BirthDate: mustDate("2007-06-02")}, party) // 18 on 2 June
		add(Person{RecordID: next(), Category: person.Military, BirthDate: mustDate("2007")}, party)       // 17 or 18
	}
	seventeen, eighteen, yearOnly := hid("UA", 1020+45+51), hid("UA", 1020+45+52), hid("UA", 1020+45+53)
	if persons[eighteen].BirthDate.String() != "2007-06-02" {
		t.Fatalf("fixture: %s born %s", eighteen, persons[eighteen].BirthDate)
	}

	// UA offers 1,000 young soldiers, 30 of its 40 wounded with decision A,
	// and the three edge cases; RU offers everyone eligible.
	var lists []ListVersion
	var history []Response
	at := time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)
	var uaItems []Item
	for i := 1; i <= 1000; i++ {
		uaItems = append(uaItems, Item{RecordID: hid("UA", i), Category: person.Military})
	}
	for i := 1021; i <= 1050; i++ {
		uaItems = append(uaItems, Item{RecordID: hid("UA", i), Category: person.SeriouslyWoundedSick})
	}
	for _, id := range []string{seventeen, eighteen, yearOnly} {
		uaItems = append(uaItems, Item{RecordID: id, Category: person.Military})
	}
	var ruItems []Item
	for _, p := range held["RU"] {
		if ex.Terms.Eligible(&p) {
			ruItems = append(ruItems, Item{RecordID: p.RecordID, Category: p.Category})
		}
	}
	for _, li := range []struct {
		party string
		items []Item
	}{{"UA", uaItems}, {"RU", ruItems}} {
		l, _, err := Submit(NewDraft(ex.ID, li.party, Offer, nil, li.items, "list"), nil, at, "user:1")
		noErr(t, err)
		lists = append(lists, l)
		other, _ := ex.Other(li.party)
		for _, it := range l.Items {
			r, err := Respond(&ex, &l, Response{RecordID: it.RecordID, Party: other, Answer: Accept, Reason: "confirmed", At: at, By: "user:2"})
			noErr(t, err)
			history = append(history, r)
		}
	}
	v := NewView(&ViewInput{Exchange: &ex, Lists: lists, Responses: history, Persons: persons, Held: held})
	ua, ru := side(v, "UA"), side(v, "RU")

	// Outstanding eligible, per category and side: "all for all" means all.
	young, swk := catView(ua, person.Military), catView(ua, person.SeriouslyWoundedSick)
	if !young.AllForAll || len(young.Outstanding) != 20 || young.Outstanding[0] != hid("UA", 1001) {
		t.Errorf("UA young soldiers outstanding: %d (first %v), want 20 from %s", len(young.Outstanding), young.Outstanding[:1], hid("UA", 1001))
	}
	if len(swk.Outstanding) != 10 || slices.Contains(swk.Outstanding, hid("UA", 1061)) {
		t.Errorf("UA wounded outstanding: %v, want the 10 with decision A not offered (not those with B)", swk.Outstanding)
	}
	if len(ua.Total.Outstanding) != 30 {
		t.Errorf("UA outstanding in all: %d, want 30", len(ua.Total.Outstanding))
	}
	if n := len(catView(ru, person.Military).Outstanding) + len(catView(ru, person.SeriouslyWoundedSick).Outstanding); n != 0 || len(ruItems) != 990+25+1 {
		t.Errorf("RU outstanding: %d of %d offered, want none: RU offered all 1,016 eligible (the year-only one cannot be decided, so it is not outstanding)", n, len(ruItems))
	}
	// The 17-year-old and the year-only birth date are caught; the one whose
	// 18th birthday is the reference date is not.
	got := map[string][]ViolationCode{}
	for _, b := range v.Blocking {
		if b.Party == "UA" && len(b.Violations) > 0 {
			got[b.RecordID] = codes(b.Violations)
		}
	}
	want := map[string][]ViolationCode{seventeen: {VAgeBelow}, yearOnly: {VAgeUndecidable}}
	if len(got) != 2 || !slices.Equal(got[seventeen], want[seventeen]) || !slices.Equal(got[yearOnly], want[yearOnly]) {
		t.Errorf("UA violations: %v, want %v", got, want)
	}
	if v.Ready {
		t.Error("the view is ready with eligible persons left out")
	}
	var sf []string
	for _, s := range v.Shortfalls {
		sf = append(sf, s.String())
	}
	if !slices.Contains(sf, "UA military: 1003 accepted, want all (20 eligible not offered)") {
		t.Errorf("shortfalls %q", sf)
	}

	// Category terms allow unequal sides; the floor holds per side.
	uaAgreed := uaItems[:1030]
	agreed := map[string][]Item{"UA": uaAgreed, "RU": ruItems}
	plan := StagePlan{Stages: []Stage{
		{Number: 1, Start: day(2025, 6, 9), End: day(2025, 6, 9).Add(10 * time.Hour), Crossing: ex.Crossings[0]},
		{Number: 2, Start: day(2025, 6, 9), End: day(2025, 6, 9).Add(10 * time.Hour), Crossing: ex.Crossings[1]},
	}}
	counts := func(items []Item) Counts {
		c := Counts{}
		for _, it := range items {
			c[it.Category]++
		}
		return c
	}
	ids := func(items []Item) []string {
		var s []string
		for _, it := range items {
			s = append(s, it.RecordID)
		}
		return s
	}
	for _, party := range ex.Parties {
		items := agreed[party]
		half := len(items) / 2
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, StageSide{Party: party, Planned: counts(items[:half]), Persons: ids(items[:half])})
		plan.Stages[1].Sides = append(plan.Stages[1].Sides, StageSide{Party: party, Planned: counts(items[half:]), Persons: ids(items[half:])})
	}
	noErr(t, plan.Validate(&ex, agreed))
	// Below the floor: RU releases only 900.
	small := map[string][]Item{"UA": uaAgreed, "RU": ruItems[:900]}
	plan.Stages[0].Sides[1] = StageSide{Party: "RU", Planned: counts(ruItems[:450]), Persons: ids(ruItems[:450])}
	plan.Stages[1].Sides[1] = StageSide{Party: "RU", Planned: counts(ruItems[450:900]), Persons: ids(ruItems[450:900])}
	if err := plan.Validate(&ex, small); err == nil {
		t.Error("a side below the floor of 1,000 passed")
	}
}
