package exchange

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// april19 are the terms of the UAE's 14th mediation, 19 April 2025: 246
// prisoners for 246 with parity, and besides them the seriously wounded
// each side holds, regardless of number (GC III Art. 109(1)): 31 for 15.
func april19() Terms {
	return Terms{Kind: PartsTerms, Parts: []Part{
		{ID: "pow", Kind: Numeric, Total: 246, Rules: []Rule{{ID: "mil", Category: person.Military}}},
		{ID: "wounded", Kind: CategoryTerms, Rules: []Rule{{ID: "sws", Category: person.SeriouslyWoundedSick, AllForAll: true}}},
	}}
}

// april19Input builds the agreed lists and a one-stage plan of the 19
// April 2025 shape: UA releases 246 soldiers and 31 seriously wounded, RU
// 246 and 15.
func april19Input(t testing.TB, uaWounded, ruWounded int) FreezeInput {
	t.Helper()
	ex := &Exchange{ID: "ex-2025-04-19", Name: "UAE mediation 14: 246 for 246, and the wounded", Parties: [2]string{"UA", "RU"},
		Crossings: []string{"Belarus–Ukraine border"}, Terms: april19()}
	agreed := map[string][]Item{}
	start := time.Date(2025, 4, 19, 8, 0, 0, 0, time.UTC)
	st := Stage{Number: 1, Start: start, End: start.Add(10 * time.Hour), Crossing: ex.Crossings[0]}
	commitments := map[string]audit.Digest{}
	for _, p := range ex.Parties {
		wounded := uaWounded
		if p == "RU" {
			wounded = ruWounded
		}
		sd := StageSide{Party: p, Planned: Counts{person.Military: 246, person.SeriouslyWoundedSick: wounded}}
		for i := 1; i <= 246+wounded; i++ {
			c := person.Military
			if i > 246 {
				c = person.SeriouslyWoundedSick
			}
			agreed[p] = append(agreed[p], Item{RecordID: hid(p, i), Category: c})
			sd.Persons = append(sd.Persons, hid(p, i))
			commitments[hid(p, i)] = commitmentOf(hid(p, i))
		}
		st.Sides = append(st.Sides, sd)
	}
	return FreezeInput{Exchange: ex, Agreed: agreed, Plan: StagePlan{Stages: []Stage{st}}, Commitments: commitments, Log: testCheckpoint()}
}

// TestApril19 holds the 19 April 2025 shape: a numeric part with parity
// and a seriously wounded part without it, in one exchange and one stage;
// the agreement document says so (format v2) and reads back.
func TestApril19(t *testing.T) {
	in := april19Input(t, 31, 15)
	noErr(t, in.Exchange.Validate())
	a, doc, err := Freeze(in)
	noErr(t, err)
	for _, want := range []string{
		"handover/agreement/v2\n",
		"terms parts\npart pow numeric total=246\nrule mil military\npart wounded category\nrule sws seriously_wounded_sick all-for-all\n",
		"stage 1 UA 277 military=246 seriously_wounded_sick=31\n",
		"stage 1 RU 261 military=246 seriously_wounded_sick=15\n",
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("the document lacks %q:\n%s", want, doc[:min(len(doc), 900)])
		}
	}
	b, err := ParseAgreement(doc)
	noErr(t, err)
	if !reflect.DeepEqual(a.Exchange.Terms, b.Exchange.Terms) {
		t.Errorf("terms\n got %+v\nwant %+v", b.Exchange.Terms, a.Exchange.Terms)
	}
	for c, want := range map[person.Category]string{person.Military: "pow", person.SeriouslyWoundedSick: "wounded"} {
		if p, ok := b.Exchange.Terms.PartOf(c); !ok || p.ID != want {
			t.Errorf("PartOf(%s) = %q, %v; want %q", c, p.ID, ok, want)
		}
	}

	// The numeric part keeps its parity: 245 soldiers against 246 is
	// refused, per stage and against the part's total.
	short := april19Input(t, 31, 15)
	short.Agreed["RU"] = short.Agreed["RU"][1:]
	short.Plan.Stages[0].Sides[1].Persons = short.Plan.Stages[0].Sides[1].Persons[1:]
	short.Plan.Stages[0].Sides[1].Planned[person.Military] = 245
	_, _, err = Freeze(short)
	wantKind(t, err, errs.Invalid)
	codes := map[string]bool{}
	for _, fe := range errs.Fields(err) {
		codes[fe.Code] = true
	}
	if !codes["n_for_n"] || !codes["part_total_mismatch"] {
		t.Errorf("245 for 246: codes %v, want n_for_n and part_total_mismatch (%v)", codes, err)
	}
}

// TestOldTermsStillVersion1 holds that terms without parts still make a
// version-1 document, byte for byte as before: signed agreements are
// immutable and must go on verifying.
func TestOldTermsStillVersion1(t *testing.T) {
	in, _, _ := example(t)
	_, doc, err := Freeze(in)
	noErr(t, err)
	if !bytes.HasPrefix(doc, []byte("handover/agreement/v1\n")) || bytes.Contains(doc, []byte("\npart ")) {
		t.Errorf("old terms made:\n%s", doc)
	}
	// A v2 header over terms without parts is not canonical.
	bad := bytes.Replace(doc, []byte("handover/agreement/v1"), []byte("handover/agreement/v2"), 1)
	_, err = ParseAgreement(bad)
	wantKind(t, err, errs.Invalid)
	// Parts under a v1 header are refused too.
	_, v2, err := Freeze(april19Input(t, 31, 15))
	noErr(t, err)
	_, err = ParseAgreement(bytes.Replace(v2, []byte("handover/agreement/v2"), []byte("handover/agreement/v1"), 1))
	wantKind(t, err, errs.Invalid)
}

func TestPartsValidate(t *testing.T) {
	mil := Rule{ID: "mil", Category: person.Military}
	sws := Rule{ID: "sws", Category: person.SeriouslyWoundedSick, AllForAll: true}
	cases := []struct {
		name  string
		terms Terms
		codes []string
	}{
		{"april 19", april19(), nil},
		{"no parts", Terms{Kind: PartsTerms}, []string{"part_required"}},
		{"rules beside parts", Terms{Kind: PartsTerms, Total: 3, Rules: []Rule{mil}, Parts: april19().Parts}, []string{"rules_in_parts", "total_parts"}},
		{"parts beside rules", Terms{Kind: Numeric, Total: 3, Rules: []Rule{mil}, Parts: april19().Parts}, []string{"parts_kind"}},
		{"a category in two parts", Terms{Kind: PartsTerms, Parts: []Part{
			{ID: "a", Kind: Numeric, Total: 5, Rules: []Rule{mil}},
			{ID: "b", Kind: CategoryTerms, Rules: []Rule{sws, {ID: "mil2", Category: person.Military, AllForAll: true}}},
		}}, []string{"category_two_parts"}},
		{"a part's own rules are checked", Terms{Kind: PartsTerms, Parts: []Part{
			{ID: "a", Kind: Numeric, Total: 5, Rules: []Rule{{ID: "mil", Category: person.Military, AllForAll: true}}},
			{ID: "a", Kind: "parts", Rules: []Rule{{ID: "mil", Category: person.SeriouslyWoundedSick}}},
		}}, []string{"all_for_all_category", "used_twice", "bad_part_kind"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.terms.Validate()
			if tc.codes == nil {
				noErr(t, err)
				return
			}
			wantKind(t, err, errs.Invalid)
			var got []string
			for _, fe := range errs.Fields(err) {
				got = append(got, fe.Code+"@"+fe.Field)
			}
			for _, c := range tc.codes {
				if !strings.Contains(strings.Join(got, " "), c+"@") {
					t.Errorf("want code %s, got %v", c, got)
				}
			}
		})
	}
	// Fields name the part: parts[0].rules[0].all_for_all.
	one := Terms{Kind: PartsTerms, Parts: []Part{{ID: "a", Kind: Numeric, Total: 5, Rules: []Rule{{ID: "mil", Category: person.Military, AllForAll: true}}}}}
	err := one.Validate()
	if fs := errs.Fields(err); len(fs) != 1 || fs[0].Field != "parts[0].rules[0].all_for_all" {
		t.Errorf("field: %v", fs)
	}
}

// TestOverlap is the 2 June 2025 shape: category and attributes overlap.
// A wounded 22-year-old serviceman falls under "all seriously wounded"
// and under "all aged 18–25": he is eligible under the age rule even
// without a commission decision, and a soldier of any age with a
// repatriation decision is eligible under the wounded rule.
func TestOverlap(t *testing.T) {
	terms := june2()
	cases := []struct {
		name string
		p    Person
		ok   bool
	}{
		{"wounded POW aged 22, no commission yet", Person{Category: person.SeriouslyWoundedSick, Status: person.StatusPOW, BirthDate: mustDate("2003-01-10")}, true},
		{"wounded POW aged 22 with decision A", Person{Category: person.SeriouslyWoundedSick, Status: person.StatusPOW, BirthDate: mustDate("2003-01-10"),
			Evidence: Evidence{Commission: &Commission{Decision: DecisionA}}}, true},
		{"soldier aged 40 with decision A", Person{Category: person.Military, Status: person.StatusPOW, BirthDate: mustDate("1985-01-10"),
			Evidence: Evidence{Commission: &Commission{Decision: DecisionA}}}, true},
		{"soldier aged 40 without decision", Person{Category: person.Military, Status: person.StatusPOW, BirthDate: mustDate("1985-01-10")}, false},
		{"wounded civilian internee aged 22 without decision", Person{Category: person.SeriouslyWoundedSick, Status: person.StatusCivilianInternee, BirthDate: mustDate("2003-01-10")}, false},
		{"wounded POW aged 40 without decision", Person{Category: person.SeriouslyWoundedSick, Status: person.StatusPOW, BirthDate: mustDate("1985-01-10")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms.Eligible(&tc.p); got != tc.ok {
				t.Errorf("eligible = %v, want %v (%v)", got, tc.ok, terms.Check(&tc.p))
			}
		})
	}
}

// TestWholeTermsCountEveryCategory: terms without parts count every staged
// person against their total, as before parts existed, whatever the
// category.
func TestWholeTermsCountEveryCategory(t *testing.T) {
	ex := &Exchange{ID: "ex-1", Name: "3 for 3", Parties: [2]string{"UA", "RU"}, Crossings: []string{"c"},
		Terms: Terms{Kind: Numeric, Total: 3, Rules: []Rule{{ID: "mil", Category: person.Military}}}}
	agreed := map[string][]Item{}
	st := Stage{Number: 1, Start: day(2025, 5, 23), End: day(2025, 5, 24), Crossing: "c"}
	for _, p := range ex.Parties {
		sd := StageSide{Party: p, Planned: Counts{person.Military: 2, person.Civilian: 1}}
		for i, c := range []person.Category{person.Military, person.Military, person.Civilian} {
			agreed[p] = append(agreed[p], Item{RecordID: hid(p, i), Category: c})
			sd.Persons = append(sd.Persons, hid(p, i))
		}
		st.Sides = append(st.Sides, sd)
	}
	plan := StagePlan{Stages: []Stage{st}}
	noErr(t, plan.Validate(ex, agreed))
}
