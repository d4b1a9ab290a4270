package exchange

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// june2 are the category terms of 2 June 2025: all for all of the seriously
// wounded and sick and of soldiers aged 18–25, at least 1,000 in all.
func june2() Terms {
	return Terms{
		Kind: CategoryTerms, Floor: 1000, Reference: day(2025, 6, 2),
		Rules: []Rule{
			{ID: "swk", Category: person.SeriouslyWoundedSick, AllForAll: true},
			{ID: "young", Category: person.Military, AllForAll: true, MinAge: 18, MaxAge: 25},
		},
		Conditions: []Condition{{ID: "third-country", Text: "to remain in a third country until the end of hostilities"}},
	}
}

// may16 are the numeric terms of 16 May 2025: 1,000 for 1,000, of which
// 120 civilians.
func may16() Terms {
	return Terms{
		Kind: Numeric, Total: 1000,
		Rules: []Rule{
			{ID: "mil", Category: person.Military},
			{ID: "civ", Category: person.Civilian, Count: 120},
		},
	}
}

func codes(v []Violation) []ViolationCode {
	var out []ViolationCode
	for _, x := range v {
		out = append(out, x.Code)
	}
	return out
}

func TestCheckAgeBand(t *testing.T) {
	terms := june2()
	for _, tc := range []struct {
		name, born string
		want       []ViolationCode
	}{
		{"18th birthday on the reference date", "2007-06-02", nil},
		{"18 the day after the reference date: 17", "2007-06-03", []ViolationCode{VAgeBelow}},
		{"26th birthday on the reference date", "1999-06-02", []ViolationCode{VAgeAbove}},
		{"26 the day after: still 25", "1999-06-03", nil},
		{"year only, 17 or 18: cannot decide", "2007", []ViolationCode{VAgeUndecidable}},
		{"year only, 25 or 26: cannot decide", "1999", []ViolationCode{VAgeUndecidable}},
		{"year only, 24 or 25: inside either way", "2000", nil},
		{"year only, 20 or 21: inside either way", "2004", nil},
		{"year only, 34 or 35: outside either way", "1990", []ViolationCode{VAgeAbove}},
		{"year only, 16 or 17: below either way", "2008", []ViolationCode{VAgeBelow}},
		{"month of the reference date: 17 or 18", "2007-06", []ViolationCode{VAgeUndecidable}},
		{"month before: 18", "2007-05", nil},
		{"month after: 17", "2007-07", []ViolationCode{VAgeBelow}},
		{"no birth date", "", []ViolationCode{VAgeUndecidable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Person{RecordID: "x", Category: person.Military, BirthDate: date(t, tc.born)}
			got := terms.Check(&p)
			if !slices.Equal(codes(got), tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, v := range got {
				if v.Rule != "young" || v.Field != "birth_date" || v.Message == "" {
					t.Errorf("violation %+v: want rule young, field birth_date and a message", v)
				}
			}
		})
	}
}

// TestViolationDetail: a violation whose message quotes facts (an age, a
// reference date, a capture date) carries them as a detail code with
// arguments, for a page to say in its user's language.
func TestViolationDetail(t *testing.T) {
	terms := june2()
	ref := terms.Reference.Format(time.DateOnly)
	for _, tc := range []struct {
		born, detail string
		args         []string
	}{
		{"", "eligibility_no_birth_date", []string{ref}},
		{"2007-06-03", "eligibility_age_below", []string{"17", ref, "18"}},
		{"2007", "", nil}, // 17 or 18: the code says it
	} {
		p := Person{RecordID: "x", Category: person.Military, BirthDate: date(t, tc.born)}
		got := terms.Check(&p)
		if len(got) != 1 || got[0].Detail != tc.detail || !slices.Equal(got[0].Args, tc.args) {
			t.Errorf("born %q: %+v, want detail %s %v", tc.born, got, tc.detail, tc.args)
		}
	}
}

func TestCheckLeapDay(t *testing.T) {
	for _, tc := range []struct {
		ref  time.Time
		want []ViolationCode
	}{
		{day(2022, 2, 28), []ViolationCode{VAgeBelow}}, // still 17
		{day(2022, 3, 1), nil},                         // 18 on 1 March in a common year
	} {
		terms := Terms{Kind: CategoryTerms, Reference: tc.ref, Rules: []Rule{{ID: "y", Category: person.Military, AllForAll: true, MinAge: 18}}}
		p := Person{Category: person.Military, BirthDate: date(t, "2004-02-29")}
		if got := terms.Check(&p); !slices.Equal(codes(got), tc.want) {
			t.Errorf("ref %s: got %v, want %v", tc.ref.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestCheckEvidence(t *testing.T) {
	ref := day(2025, 5, 16)
	terms := Terms{Kind: Numeric, Total: 10, Rules: []Rule{
		{ID: "mil", Category: person.Military},
		{ID: "civ", Category: person.Civilian, Count: 2},
		{ID: "swk", Category: person.SeriouslyWoundedSick, Count: 2, Tiers: []Tier{1, 2}},
	}}
	given := Consent{Kind: ConsentGiven, Date: ref.AddDate(0, -1, 0), Witness: "w"}
	withdrawn := Consent{Kind: ConsentWithdrawn, Date: ref.AddDate(0, 0, -3), Witness: "w"}
	refused := Consent{Kind: ConsentRefused, Date: ref.AddDate(0, 0, -2), Witness: "w"}
	for _, tc := range []struct {
		name string
		p    Person
		want []ViolationCode
	}{
		{"soldier", Person{Category: person.Military}, nil},
		{"remains are not in these terms", Person{Category: person.RemainsCategory}, []ViolationCode{VCategory}},
		{"civilian without consent", Person{Category: person.Civilian}, []ViolationCode{VNoConsent}},
		{"civilian with consent", Person{Category: person.Civilian, Evidence: Evidence{Consent: []Consent{given}}}, nil},
		{"civilian who withdrew consent", Person{Category: person.Civilian, Evidence: Evidence{Consent: []Consent{given, withdrawn}}}, []ViolationCode{VConsentWithdrawn}},
		{"civilian who consented again", Person{Category: person.Civilian, Evidence: Evidence{Consent: []Consent{withdrawn, {Kind: ConsentGiven, Date: ref, Witness: "w"}}}}, nil},
		{"soldier who refuses", Person{Category: person.Military, Evidence: Evidence{Consent: []Consent{refused}}}, []ViolationCode{VRefused}},
		{"convicted soldier without consent", Person{Category: person.Military, Status: person.StatusConvicted}, []ViolationCode{VNoConsent}},
		{"pending prosecution", Person{Category: person.Military, Evidence: Evidence{Blocker: PendingProsecution}}, []ViolationCode{VProsecution}},
		{"serving a sentence", Person{Category: person.Military, Evidence: Evidence{Blocker: ServingSentence}}, []ViolationCode{VSentence}},
		{"wounded, no commission", Person{Category: person.SeriouslyWoundedSick}, []ViolationCode{VNoCommission}},
		{"wounded, decision A tier 1", Person{Category: person.SeriouslyWoundedSick, Evidence: Evidence{Commission: &Commission{Decision: DecisionA, Tier: 1}}}, nil},
		{"wounded, decision B", Person{Category: person.SeriouslyWoundedSick, Evidence: Evidence{Commission: &Commission{Decision: DecisionB, Tier: 2}}}, []ViolationCode{VDecision}},
		{"wounded, re-examine, tier 3", Person{Category: person.SeriouslyWoundedSick, Evidence: Evidence{Commission: &Commission{Decision: DecisionNC, Tier: 3}}}, []ViolationCode{VDecision, VTier}},
		{"wounded, decision A, no tier", Person{Category: person.SeriouslyWoundedSick, Evidence: Evidence{Commission: &Commission{Decision: DecisionA}}}, []ViolationCode{VTier}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms.Check(&tc.p); !slices.Equal(codes(got), tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckWaiversAndCapture(t *testing.T) {
	terms := Terms{Kind: Numeric, Total: 5, Rules: []Rule{
		{ID: "convicts", Category: person.Civilian, AllowSentence: true, Count: 5},
		{ID: "long-held", Category: person.Military, CapturedBy: day(2022, 5, 20)},
	}}
	ok := consented(day(2025, 1, 1))
	ok.Blocker = ServingSentence
	for _, tc := range []struct {
		name string
		p    Person
		want []ViolationCode
	}{
		{"convict serving a sentence, waived, consents", Person{Category: person.Civilian, Status: person.StatusConvicted, Evidence: ok}, nil},
		{"prosecution is not waived", Person{Category: person.Civilian, Evidence: Evidence{Consent: ok.Consent, Blocker: PendingProsecution}}, []ViolationCode{VProsecution}},
		{"captured on the day", Person{Category: person.Military, CaptureDate: date(t, "2022-05-20")}, nil},
		{"captured the day after", Person{Category: person.Military, CaptureDate: date(t, "2022-05-21")}, []ViolationCode{VCapturedAfter}},
		{"captured in May 2022: cannot tell", Person{Category: person.Military, CaptureDate: date(t, "2022-05")}, []ViolationCode{VCapturedAfter}},
		{"captured in April 2022", Person{Category: person.Military, CaptureDate: date(t, "2022-04")}, nil},
		{"no capture date", Person{Category: person.Military}, []ViolationCode{VCapturedAfter}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms.Check(&tc.p); !slices.Equal(codes(got), tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckClosestRule(t *testing.T) {
	// Two rules for soldiers: the young who consent, or the long-held. A
	// 30-year-old captured in 2024 without recorded consent fails both; Check
	// reports the rule it comes closest to.
	terms := Terms{Kind: CategoryTerms, Floor: 1, Reference: day(2025, 6, 2), Rules: []Rule{
		{ID: "young", Category: person.Military, AllForAll: true, MinAge: 18, MaxAge: 25, RequireConsent: true},
		{ID: "long-held", Category: person.Military, AllForAll: true, CapturedBy: day(2022, 12, 31)},
	}}
	p := Person{Category: person.Military, BirthDate: date(t, "1995-01-01"), CaptureDate: date(t, "2024-03-01")}
	got := terms.Check(&p)
	if len(got) != 1 || got[0].Rule != "long-held" || got[0].Code != VCapturedAfter {
		t.Errorf("got %v, want one captured_after violation of rule long-held", got)
	}
	p.CaptureDate = date(t, "2022-04-01")
	if got := terms.Check(&p); got != nil {
		t.Errorf("long-held and captured in 2022: got %v, want eligible", got)
	}
}

func TestTermsValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		terms  func(*Terms)
		fields []string // nil: valid
	}{
		{"16 May", func(*Terms) {}, nil},
		{"no kind", func(t *Terms) { t.Kind = "" }, []string{"kind"}},
		{"counts above the total", func(t *Terms) { t.Rules[1].Count = 1200 }, []string{"rules"}},
		{"counts below the total, nobody takes the rest", func(t *Terms) { t.Rules[0].Count = 100 }, []string{"rules"}},
		{"duplicate rule id", func(t *Terms) { t.Rules[1].ID = "mil" }, []string{"rules[1].id"}},
		{"remains", func(t *Terms) { t.Rules[0].Category = person.RemainsCategory }, []string{"rules[0].category"}},
		{"age band without reference", func(t *Terms) { t.Rules[0].MinAge, t.Rules[0].MaxAge = 18, 25 }, []string{"reference"}},
		{"inverted band", func(t *Terms) { t.Rules[0].MinAge, t.Rules[0].MaxAge, t.Reference = 25, 18, day(2025, 1, 1) }, []string{"rules[0].max_age"}},
		{"floor on numeric terms", func(t *Terms) { t.Floor = 5 }, []string{"floor"}},
		{"all for all on numeric terms", func(t *Terms) { t.Rules[0].AllForAll = true }, []string{"rules[0].all_for_all"}},
		{"decisions for soldiers", func(t *Terms) { t.Rules[0].Decisions = []Decision{DecisionA} }, []string{"rules[0].decisions"}},
		{"bad tier", func(t *Terms) { t.Rules[0].Category, t.Rules[0].Tiers = person.SeriouslyWoundedSick, []Tier{4} }, []string{"rules[0].tiers[0]"}},
		{"condition with a newline", func(t *Terms) { t.Conditions = []Condition{{ID: "c", Text: "a\nb"}} }, []string{"conditions[0].text"}},
		{"no rules", func(t *Terms) { t.Rules = nil }, []string{"rules"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := may16()
			tc.terms(&terms)
			err := terms.Validate()
			if tc.fields == nil {
				noErr(t, err)
				return
			}
			wantKind(t, err, errs.Invalid)
			var got []string
			for _, f := range errs.Fields(err) {
				got = append(got, f.Field)
			}
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("fields %v: want %s among them", got, f)
				}
			}
		})
	}
	j := june2()
	noErr(t, j.Validate())
	j.Ceiling = 900
	wantKind(t, j.Validate(), errs.Invalid)
}

func TestBreachAndEvidence(t *testing.T) {
	terms := june2()
	noErr(t, terms.CheckBreach(Breach{Condition: "third-country", Party: "UA", Date: day(2023, 7, 8), Text: "commanders returned before the end of hostilities"}))
	wantKind(t, terms.CheckBreach(Breach{Condition: "nope", Party: "UA", Date: day(2023, 7, 8), Text: "x"}), errs.Invalid)
	wantKind(t, terms.CheckBreach(Breach{Condition: "third-country", Date: day(2023, 7, 8), Text: "x"}), errs.Invalid)

	ev := Evidence{Commission: &Commission{Decision: "Z", Tier: 5}, Consent: []Consent{
		{Kind: ConsentGiven, Date: day(2025, 2, 1), Witness: "w"},
		{Kind: "maybe", Date: day(2025, 1, 1)},
	}, Blocker: "jail"}
	now := day(2025, 6, 1)
	err := ev.Validate(now)
	wantKind(t, err, errs.Invalid)
	if n := len(errs.Fields(err)); n != 6 {
		t.Errorf("got %d field errors (%v), want 6", n, err)
	}
	good := consented(day(2025, 1, 1))
	noErr(t, good.Validate(now))
	// A commission without its decision, a consent row without its kind,
	// witness or date, a date after now: each by its field and code.
	late := Evidence{Commission: &Commission{Tier: 1, Date: day(2025, 7, 1)}, Consent: []Consent{{Date: day(2025, 8, 1)}, {Kind: ConsentGiven, Witness: "w"}}}
	got := map[string]string{}
	for _, fe := range errs.Fields(late.Validate(now)) {
		got[fe.Field] += fe.Code
	}
	want := map[string]string{"commission.decision": "evidence_decision_required", "commission.date": "evidence_future",
		"consent[0].kind": "evidence_kind_required", "consent[0].date": "evidence_future", "consent[0].witness": "evidence_witness_required",
		"consent[1].date": "evidence_date_required"}
	if !maps.Equal(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
}

func TestCheckAmend(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	given := Consent{Kind: ConsentGiven, Date: d("2026-03-02"), Witness: "ICRC"}
	withdrawn := Consent{Kind: ConsentWithdrawn, Date: d("2026-03-10"), Witness: "ICRC"}
	prev := Evidence{Consent: []Consent{given}, Commission: &Commission{Decision: "A"}}
	for _, tc := range []struct {
		name string
		next Evidence
		code string // "" when allowed
	}{
		{"the same", prev, ""},
		{"an event added", Evidence{Consent: []Consent{given, withdrawn}}, ""},
		{"commission and blocker changed", Evidence{Consent: []Consent{given}, Blocker: ServingSentence}, ""},
		{"an event removed", Evidence{}, "consent_removed"},
		{"an event edited", Evidence{Consent: []Consent{{Kind: ConsentRefused, Date: given.Date, Witness: "ICRC"}}}, "consent_changed"},
		{"an event moved", Evidence{Consent: []Consent{withdrawn, given}}, "consent_changed"},
		{"a note added to a recorded event", Evidence{Consent: []Consent{{Kind: ConsentGiven, Date: given.Date, Witness: "ICRC", Note: "later"}}}, "consent_changed"},
	} {
		err := CheckAmend(&prev, &tc.next)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.code != "":
			fs := errs.Fields(err)
			if !errs.Is(errs.Invalid, err) || len(fs) != 1 || fs[0].Code != tc.code || fs[0].Field != "consent[0].kind" {
				t.Errorf("%s: %v %+v, want %s on consent[0].kind", tc.name, err, fs, tc.code)
			}
		}
	}
}
