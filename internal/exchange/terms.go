package exchange

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TermsKind says how the terms fix the size of the exchange.
type TermsKind string

// Kinds of terms (DOMAIN.md "What this means" item 6).
const (
	// Numeric terms fix a number: "1,000 for 1,000", in all and/or per
	// category. Each side releases the same number.
	Numeric TermsKind = "numeric"
	// CategoryTerms fix categories: "all for all" of each category whose
	// rule says so, with an optional floor and ceiling in all per side.
	CategoryTerms TermsKind = "category"
	// PartsTerms combine parts with different rules in one exchange: a
	// numeric part held to parity beside a part of the seriously wounded
	// and sick, who are returned "regardless of number or rank" (GC III
	// Art. 109(1)) — the shape of 19 April 2025, 246 for 246 plus 31 and
	// 15 seriously wounded. Each part is numeric or category terms of its
	// own; parity is computed per part.
	PartsTerms TermsKind = "parts"
)

// Part is one part of parts terms: numeric or category terms over the
// categories its rules name. Every category belongs to at most one part,
// so a listed person counts in exactly one part: the one whose rules name
// its category ([Terms.PartOf]).
type Part struct {
	// ID names the part in the agreement document, the stage's parity
	// and the report: short, no spaces ("pow", "wounded").
	ID   string    `json:"id"`
	Kind TermsKind `json:"kind"` // numeric or category
	// Total, Floor and Ceiling are those of [Terms], for this part.
	Total   int    `json:"total,omitempty"`
	Floor   int    `json:"floor,omitempty"`
	Ceiling int    `json:"ceiling,omitempty"`
	Rules   []Rule `json:"rules"`
}

// Terms are what the parties agreed an exchange is to contain. They are a
// value: the store keeps them beside the exchange, and a change of terms is a
// new version of the exchange, never an edit.
type Terms struct {
	Kind TermsKind `json:"kind"`
	// Total is N in "N for N" (numeric terms): the persons each side
	// releases in all. Zero when only per-category counts are fixed.
	Total int `json:"total,omitempty"`
	// Floor and Ceiling bound the persons each side releases in all under
	// category terms ("at least 1,000"); zero means no bound.
	Floor   int `json:"floor,omitempty"`
	Ceiling int `json:"ceiling,omitempty"`
	// Reference is the date at which ages are computed (its date only; a
	// person whose birthday falls on it has the new age). Required when a
	// rule has an age band.
	Reference time.Time `json:"reference,omitzero"`
	// Rules say which persons are eligible. A person is eligible when it
	// meets every condition of at least one rule of its category; a
	// category without a rule is not part of the exchange.
	Rules []Rule `json:"rules"`
	// Conditions are free-text conditions whose later breach can be
	// recorded ([Breach]).
	Conditions []Condition `json:"conditions,omitempty"`
	// Parts are the parts of parts terms (Kind PartsTerms), which then
	// have no Total, Floor, Ceiling or Rules of their own.
	Parts []Part `json:"parts,omitempty"`
}

// PartList returns the parts of the terms: Parts for parts terms, and
// otherwise one part with an empty ID that is the whole terms.
func (t *Terms) PartList() []Part {
	if t.Kind == PartsTerms {
		return t.Parts
	}
	return []Part{{Kind: t.Kind, Total: t.Total, Floor: t.Floor, Ceiling: t.Ceiling, Rules: t.Rules}}
}

// AllRules returns the rules of every part, in order.
func (t *Terms) AllRules() []Rule {
	if t.Kind != PartsTerms {
		return t.Rules
	}
	var out []Rule
	for _, p := range t.Parts {
		out = append(out, p.Rules...)
	}
	return out
}

// PartOf returns the part a listed person of category c counts in: the
// part with a rule of that category. A seriously wounded or sick person
// whose category has no part counts in the part of military persons
// (a wounded serviceman is a serviceman too). It returns false when no
// part takes c.
func (t *Terms) PartOf(c person.Category) (Part, bool) {
	parts := t.PartList()
	for _, want := range []person.Category{c, person.Military} {
		for _, p := range parts {
			for _, r := range p.Rules {
				if r.Category == want {
					return p, true
				}
			}
		}
		if c != person.SeriouslyWoundedSick {
			break
		}
	}
	return Part{}, false
}

// Rule is one eligibility rule of the terms, for one category.
type Rule struct {
	// ID names the rule in violations, answers ("ineligible" under which
	// rule) and the agreement document: short, no spaces ("young-18-25").
	ID       string          `json:"id"`
	Category person.Category `json:"category"`
	// Count is the number each side releases of this category (numeric
	// terms; zero means not fixed: the rest of Total).
	Count int `json:"count,omitempty"`
	// AllForAll means every eligible person of the category on either side
	// is to be released (category terms): the view lists those left out.
	AllForAll bool `json:"all_for_all,omitempty"`
	// MinAge and MaxAge bound the age in whole years at Terms.Reference,
	// both inclusive; zero means no bound.
	MinAge int `json:"min_age,omitempty"`
	MaxAge int `json:"max_age,omitempty"`
	// Decisions are the medical commission decisions accepted (GC III
	// Art. 112); for the seriously wounded and sick an empty list means
	// {A}: repatriation.
	Decisions []Decision `json:"decisions,omitempty"`
	// Tiers are the Art. 110(1) tiers accepted; empty means any.
	Tiers []Tier `json:"tiers,omitempty"`
	// CapturedBy, if set, requires capture on or before this date
	// ("long-held").
	CapturedBy time.Time `json:"captured_by,omitzero"`
	// RequireConsent requires recorded consent to be transferred of every
	// person under the rule. Civilians and convicted persons need it under
	// every rule.
	RequireConsent bool `json:"require_consent,omitempty"`
	// AllowProsecution and AllowSentence waive the Rule 128 exclusion of
	// persons facing penal proceedings or serving a sentence (e.g. an
	// exchange of convicted persons who consent).
	AllowProsecution bool `json:"allow_prosecution,omitempty"`
	AllowSentence    bool `json:"allow_sentence,omitempty"`
}

// Condition is a free-text condition of the terms ("to remain in a third
// country until the end of hostilities").
type Condition struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Breach is one party's claim that a condition was breached. It is a claim
// attributed to its party: the system never decides who is right.
type Breach struct {
	Condition string    `json:"condition"`
	Party     string    `json:"party"` // who claims it
	Date      time.Time `json:"date"`
	Text      string    `json:"text"`
}

// Decision is a medical commission decision (GC III Art. 112, Annex II;
// repatriation certificate, Annex IV E).
type Decision string

// Commission decisions.
const (
	DecisionA  Decision = "A"  // repatriate
	DecisionB  Decision = "B"  // accommodate in a neutral country
	DecisionNC Decision = "NC" // re-examine
)

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool { return d == DecisionA || d == DecisionB || d == DecisionNC }

// Tier is the sub-paragraph of GC III Art. 110(1) a case falls under:
// 1 incurable with gravely diminished fitness; 2 unlikely to recover within
// a year; 3 recovered but permanently and gravely diminished. Zero is
// unknown.
type Tier int

// Commission is the decision of a mixed medical commission on one person.
type Commission struct {
	Decision Decision  `json:"decision"`
	Tier     Tier      `json:"tier,omitempty"`
	Date     time.Time `json:"date,omitzero"`
	// Manifest marks a case repatriated without examination (Art. 112).
	Manifest bool `json:"manifest,omitempty"`
}

// ConsentKind is what a consent event records.
type ConsentKind string

// Consent events (GC III Art. 109(3); DOMAIN.md item 14).
const (
	ConsentGiven     ConsentKind = "given"     // agrees to be transferred
	ConsentWithdrawn ConsentKind = "withdrawn" // withdraws an earlier consent
	ConsentRefused   ConsentKind = "refused"   // refuses to be transferred
)

// Consent is one recorded statement of a person about being transferred,
// with its date and witness. Consent events are appended, never edited: the
// latest one counts.
type Consent struct {
	Kind    ConsentKind `json:"kind"`
	Date    time.Time   `json:"date"`
	Witness string      `json:"witness"`
	Note    string      `json:"note,omitempty"`
}

// Blocker is a typed reason a person may be held back (customary IHL Rule
// 128; DOMAIN.md item 15).
type Blocker string

// Release blockers.
const (
	BlockerNone        Blocker = ""
	PendingProsecution Blocker = "pending_prosecution"
	ServingSentence    Blocker = "serving_sentence"
)

// Valid reports whether b is empty or a known blocker.
func (b Blocker) Valid() bool {
	return b == BlockerNone || b == PendingProsecution || b == ServingSentence
}

// Evidence is what eligibility needs to know about a person beyond its
// record's fields: the store keeps it beside the record, owned by the
// holding party, and appends to it (consent events) rather than editing.
type Evidence struct {
	Commission *Commission `json:"commission,omitempty"`
	Consent    []Consent   `json:"consent,omitempty"`
	Blocker    Blocker     `json:"blocker,omitempty"`
}

// Validate checks the evidence as recorded at now and returns an
// errs.Invalid error listing every bad field, or nil. A date after now is
// refused: evidence records what has happened.
func (e *Evidence) Validate(now time.Time) error {
	var fe []errs.FieldError
	future := func(field string, d time.Time) {
		if d.After(now) {
			s := d.Format(time.DateOnly)
			fe = append(fe, errs.FieldError{Field: field, Message: s + " is in the future", Code: "evidence_future", Args: []string{s}})
		}
	}
	if c := e.Commission; c != nil {
		switch {
		case c.Decision == "":
			fe = append(fe, errs.FieldError{Field: "commission.decision", Message: "give the decision, or clear the commission's other fields", Code: "evidence_decision_required"})
		case !c.Decision.Valid():
			fe = append(fe, errs.FieldError{Field: "commission.decision", Message: "must be A, B or NC", Code: "bad_commission_decision"})
		}
		if c.Tier < 0 || c.Tier > 3 {
			fe = append(fe, errs.FieldError{Field: "commission.tier", Message: "must be 1, 2 or 3 (Art. 110(1)), or absent", Code: "bad_commission_tier"})
		}
		future("commission.date", c.Date)
	}
	for i, c := range e.Consent {
		f := fmt.Sprintf("consent[%d]", i)
		switch c.Kind {
		case ConsentGiven, ConsentWithdrawn, ConsentRefused:
		case "":
			fe = append(fe, errs.FieldError{Field: f + ".kind", Message: "required: given, withdrawn or refused", Code: "evidence_kind_required"})
		default:
			fe = append(fe, errs.FieldError{Field: f + ".kind", Message: "must be given, withdrawn or refused", Code: "bad_consent_kind"})
		}
		if c.Date.IsZero() {
			fe = append(fe, errs.FieldError{Field: f + ".date", Message: "required: the date of the statement", Code: "evidence_date_required"})
		}
		future(f+".date", c.Date)
		if strings.TrimSpace(c.Witness) == "" {
			fe = append(fe, errs.FieldError{Field: f + ".witness", Message: "required: who witnessed the statement", Code: "evidence_witness_required"})
		}
		if i > 0 && !c.Date.IsZero() && c.Date.Before(e.Consent[i-1].Date) {
			prev := e.Consent[i-1].Date.Format(time.DateOnly)
			fe = append(fe, errs.FieldError{Field: f + ".date", Message: "before the event it follows (" + prev + "): consent events are appended in date order", Args: []string{prev}, Code: "evidence_consent_order"})
		}
	}
	if !e.Blocker.Valid() {
		fe = append(fe, errs.FieldError{Field: "blocker", Message: "must be pending_prosecution, serving_sentence or empty", Code: "bad_blocker"})
	}
	if fe != nil {
		return errs.E("exchange.Evidence.Validate", errs.Invalid, "invalid evidence", fe)
	}
	return nil
}

// LatestConsent returns the consent event that counts (the last one), and
// false when none was recorded.
func (e *Evidence) LatestConsent() (Consent, bool) {
	if len(e.Consent) == 0 {
		return Consent{}, false
	}
	return e.Consent[len(e.Consent)-1], true
}

// Person is what eligibility is decided on: the facts of a record that the
// terms look at, and the evidence kept beside it. Build it with [PersonOf].
type Person struct {
	RecordID    string          `json:"record_id"`
	Category    person.Category `json:"category"`
	Status      person.Status   `json:"status,omitempty"`
	BirthDate   person.Date     `json:"birth_date"`
	CaptureDate person.Date     `json:"capture_date"`
	Evidence    Evidence        `json:"evidence"`
}

// PersonOf returns the facts of record r with its evidence. For a held
// record this is the person as the holding party records it, which is what
// eligibility is checked on.
func PersonOf(r *person.Record, ev Evidence) Person {
	return Person{
		RecordID: r.ID, Category: r.Category, Status: r.Status,
		BirthDate: r.BirthDate, CaptureDate: r.CaptureDate, Evidence: ev,
	}
}

// ViolationCode classifies a violated eligibility rule. The list is
// append-only.
type ViolationCode string

// Violation codes.
const (
	VCategory         ViolationCode = "category"            // the category has no rule in the terms
	VAgeBelow         ViolationCode = "age_below"           // younger than the band at the reference date
	VAgeAbove         ViolationCode = "age_above"           // older than the band
	VAgeUndecidable   ViolationCode = "age_undecidable"     // the birth date is too partial (or absent) to decide
	VNoCommission     ViolationCode = "no_commission"       // seriously wounded/sick without a commission decision
	VDecision         ViolationCode = "commission_decision" // a decision the rule does not accept (B, NC)
	VTier             ViolationCode = "tier"                // an Art. 110 tier the rule does not accept
	VNoConsent        ViolationCode = "no_consent"          // consent to transfer not recorded
	VConsentWithdrawn ViolationCode = "consent_withdrawn"   // consent given, then withdrawn
	VRefused          ViolationCode = "refused"             // the person refused to be transferred
	VProsecution      ViolationCode = "pending_prosecution" // Rule 128
	VSentence         ViolationCode = "serving_sentence"    // Rule 128
	VCapturedAfter    ViolationCode = "captured_after"      // captured after the rule's date, or capture date unknown
	VNoRecord         ViolationCode = "no_record"           // the listed record's facts are not available
	VCategoryMismatch ViolationCode = "category_mismatch"   // listed under another category than the record's
)

// Violation is one eligibility rule a person does not meet.
type Violation struct {
	Rule    string        `json:"rule,omitempty"` // the rule's ID; empty for VCategory
	Code    ViolationCode `json:"code"`
	Field   string        `json:"field"` // the fact at fault: "birth_date", "evidence.consent"…
	Message string        `json:"message"`
	// Detail and Args are Message as a code with its arguments (dates as
	// 2006-01-02), for a user interface to say in the user's language
	// ("problem.<detail>"); empty when Code says it all.
	Detail string   `json:"detail,omitempty"`
	Args   []string `json:"args,omitempty"`
}

// String returns the violation as one line: "young: age_below: …".
func (v Violation) String() string {
	if v.Rule == "" {
		return string(v.Code) + ": " + v.Message
	}
	return v.Rule + ": " + string(v.Code) + ": " + v.Message
}

// Validate checks the terms and returns an errs.Invalid error that lists
// every problem by field, or nil. Parts terms are checked part by part
// (fields "parts[i]…"), and no category may be named by two parts.
func (t *Terms) Validate() error {
	var fe []errs.FieldError
	add := func(f errs.FieldError, format string, args ...any) {
		fe = append(fe, problem(f, format, args...))
	}
	ids := map[string]bool{}
	needRef := false
	switch t.Kind {
	case Numeric, CategoryTerms:
		if len(t.Parts) > 0 {
			add(errs.FieldError{Field: "parts", Code: "parts_kind"}, "parts belong to terms of kind parts")
		}
		needRef = validatePart("", Part{Kind: t.Kind, Total: t.Total, Floor: t.Floor, Ceiling: t.Ceiling, Rules: t.Rules}, ids, add)
	case PartsTerms:
		if t.Total != 0 || t.Floor != 0 || t.Ceiling != 0 {
			add(errs.FieldError{Field: "total", Code: "total_parts"}, "parts terms fix totals, floors and ceilings per part")
		}
		if len(t.Rules) > 0 {
			add(errs.FieldError{Field: "rules", Code: "rules_in_parts"}, "parts terms keep their rules in their parts")
		}
		if len(t.Parts) == 0 {
			add(errs.FieldError{Field: "parts", Code: "part_required"}, "at least one part is required")
		}
		pids := map[string]bool{}
		owner := map[person.Category]string{}
		for i, p := range t.Parts {
			f := fmt.Sprintf("parts[%d]", i)
			if !validID(p.ID) {
				add(errs.FieldError{Field: f + ".id", Code: "bad_id"}, idRule)
			} else if pids[p.ID] {
				add(errs.FieldError{Field: f + ".id", Code: "used_twice"}, "%q is used twice", p.ID)
			}
			pids[p.ID] = true
			if p.Kind != Numeric && p.Kind != CategoryTerms {
				add(errs.FieldError{Field: f + ".kind", Code: "bad_part_kind"}, "must be numeric or category")
				continue
			}
			if validatePart(f+".", p, ids, add) {
				needRef = true
			}
			seen := map[person.Category]bool{}
			for j, r := range p.Rules {
				if o, ok := owner[r.Category]; ok && !seen[r.Category] {
					add(errs.FieldError{Field: fmt.Sprintf("%s.rules[%d].category", f, j), Code: "category_two_parts"},
						"%s is already in part %q: a listed person counts in one part only", r.Category, o)
				}
				if !seen[r.Category] && owner[r.Category] == "" {
					owner[r.Category] = p.ID
				}
				seen[r.Category] = true
			}
		}
	default:
		add(errs.FieldError{Field: "kind", Code: "bad_terms_kind"}, "must be numeric, category or parts")
	}
	if needRef && t.Reference.IsZero() {
		add(errs.FieldError{Field: "reference", Code: "reference_required"}, "required: an age band is computed at a stated reference date")
	}
	cids := map[string]bool{}
	for i, c := range t.Conditions {
		f := fmt.Sprintf("conditions[%d]", i)
		if !validID(c.ID) {
			add(errs.FieldError{Field: f + ".id", Code: "bad_id"}, idRule)
		} else if cids[c.ID] {
			add(errs.FieldError{Field: f + ".id", Code: "used_twice"}, "%q is used twice", c.ID)
		}
		cids[c.ID] = true
		if !validText(c.Text) {
			add(errs.FieldError{Field: f + ".text", Code: "condition_text"}, "required, one line of at most %d characters without control characters", person.MaxTextLen)
		}
	}
	if fe != nil {
		return errs.E("exchange.Terms.Validate", errs.Invalid, "invalid terms", fe)
	}
	return nil
}

// validatePart checks numeric or category terms (a part, or the whole
// terms when prefix is empty), reporting fields under prefix; ids holds the
// rule ids seen so far, which are unique across parts. It reports whether a
// rule has an age band.
func validatePart(prefix string, t Part, ids map[string]bool, add func(errs.FieldError, string, ...any)) (needRef bool) {
	switch t.Kind {
	case Numeric:
		if t.Floor != 0 || t.Ceiling != 0 {
			add(errs.FieldError{Field: prefix + "floor", Code: "floor_numeric"}, "a floor or ceiling belongs to category terms; numeric terms fix the total")
		}
	case CategoryTerms:
		if t.Total != 0 {
			add(errs.FieldError{Field: prefix + "total", Code: "total_category"}, "category terms have no total; use floor and ceiling")
		}
	}
	if t.Total < 0 {
		add(errs.FieldError{Field: prefix + "total", Code: "negative"}, "must not be negative")
	}
	if t.Floor < 0 {
		add(errs.FieldError{Field: prefix + "floor", Code: "negative"}, "must not be negative")
	}
	if t.Ceiling < 0 {
		add(errs.FieldError{Field: prefix + "ceiling", Code: "negative"}, "must not be negative")
	}
	if t.Ceiling > 0 && t.Floor > t.Ceiling {
		add(errs.FieldError{Field: prefix + "ceiling", Code: "ceiling_below_floor"}, "is below the floor %d", t.Floor)
	}
	if len(t.Rules) == 0 {
		add(errs.FieldError{Field: prefix + "rules", Code: "rule_required"}, "at least one rule is required: a category without a rule is not part of the exchange")
	}
	sum, fixed, allForAll := 0, 0, 0
	for i, r := range t.Rules {
		f := fmt.Sprintf("%srules[%d]", prefix, i)
		if !validID(r.ID) {
			add(errs.FieldError{Field: f + ".id", Code: "bad_id"}, idRule)
		} else if ids[r.ID] {
			add(errs.FieldError{Field: f + ".id", Code: "used_twice"}, "%q is used twice", r.ID)
		}
		ids[r.ID] = true
		if !r.Category.Valid() || r.Category == person.RemainsCategory {
			add(errs.FieldError{Field: f + ".category", Code: "bad_rule_category"}, "must be military, civilian or seriously_wounded_sick (remains follow their own flow)")
		}
		if r.Count < 0 {
			add(errs.FieldError{Field: f + ".count", Code: "negative"}, "must not be negative")
		}
		if r.Count > 0 {
			fixed++
			sum += r.Count
			if t.Kind == CategoryTerms {
				add(errs.FieldError{Field: f + ".count", Code: "count_category"}, "category terms fix no count per category; use all_for_all, floor and ceiling")
			}
		}
		if r.AllForAll {
			allForAll++
			if t.Kind == Numeric {
				add(errs.FieldError{Field: f + ".all_for_all", Code: "all_for_all_category"}, "belongs to category terms")
			}
		}
		if r.MinAge < 0 || r.MaxAge < 0 || r.MinAge > 150 || r.MaxAge > 150 {
			add(errs.FieldError{Field: f + ".min_age", Code: "age_range"}, "ages must lie between 0 and 150")
		}
		if r.MaxAge > 0 && r.MinAge > r.MaxAge {
			add(errs.FieldError{Field: f + ".max_age", Code: "max_below_min"}, "is below min_age %d", r.MinAge)
		}
		if r.MinAge > 0 || r.MaxAge > 0 {
			needRef = true
		}
		for j, d := range r.Decisions {
			if !d.Valid() {
				add(errs.FieldError{Field: fmt.Sprintf("%s.decisions[%d]", f, j), Code: "bad_commission_decision"}, "must be A, B or NC")
			}
		}
		for j, tr := range r.Tiers {
			if tr < 1 || tr > 3 {
				add(errs.FieldError{Field: fmt.Sprintf("%s.tiers[%d]", f, j), Code: "bad_tier"}, "must be 1, 2 or 3 (Art. 110(1))")
			}
		}
		if (len(r.Decisions) > 0 || len(r.Tiers) > 0) && r.Category != person.SeriouslyWoundedSick {
			add(errs.FieldError{Field: f + ".decisions", Code: "decisions_sws"}, "commission decisions and tiers apply to seriously_wounded_sick only")
		}
	}
	if t.Kind == Numeric {
		if t.Total == 0 && fixed == 0 {
			add(errs.FieldError{Field: prefix + "total", Code: "numeric_total"}, "numeric terms need a total or a count per category")
		}
		if t.Total > 0 && sum > t.Total {
			add(errs.FieldError{Field: prefix + "rules", Code: "counts_exceed"}, "the counts per category (%d) exceed the total %d", sum, t.Total)
		}
		if t.Total > 0 && sum < t.Total && fixed == len(t.Rules) {
			add(errs.FieldError{Field: prefix + "rules", Code: "counts_short"}, "the counts per category (%d) fall short of the total %d and no category takes the rest", sum, t.Total)
		}
		if t.Total == 0 && fixed < len(t.Rules) {
			add(errs.FieldError{Field: prefix + "total", Code: "count_each"}, "without a total every rule needs a count")
		}
	}
	if t.Kind == CategoryTerms && allForAll == 0 && t.Floor == 0 {
		add(errs.FieldError{Field: prefix + "rules", Code: "category_rule"}, "category terms need an all_for_all rule or a floor")
	}
	return needRef
}

// Rule returns the rule with the given ID.
func (t *Terms) Rule(id string) (Rule, bool) {
	for _, r := range t.AllRules() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// CheckBreach validates a claimed breach of a condition of t.
func (t *Terms) CheckBreach(b Breach) error {
	var fe []errs.FieldError
	found := false
	for _, c := range t.Conditions {
		found = found || c.ID == b.Condition
	}
	if !found {
		fe = append(fe, errs.FieldError{Field: "condition", Message: fmt.Sprintf("no condition %q in the terms", b.Condition), Args: []string{b.Condition}, Code: "no_condition"})
	}
	if b.Party == "" {
		fe = append(fe, errs.FieldError{Field: "party", Message: "required: a breach is a party's claim", Code: "breach_party"})
	}
	if b.Date.IsZero() {
		fe = append(fe, errs.FieldError{Field: "date", Message: "required", Code: "required"})
	}
	if !validText(b.Text) {
		fe = append(fe, errs.FieldError{Field: "text", Message: "required, one line without control characters", Code: "one_line_required"})
	}
	if fe != nil {
		return errs.E("exchange.Terms.CheckBreach", errs.Invalid, "invalid breach", fe)
	}
	return nil
}

// Check returns every eligibility rule p violates, or nil when p is
// eligible. When several rules cover p ([Covers]: category and attributes
// overlap), p is eligible if it meets one of them; otherwise the violations
// of the rule it comes closest to (the fewest violations, the first on a
// tie) are returned. A fact that is missing or too partial to decide a rule
// is a violation too (VAgeUndecidable): eligibility is never assumed.
func (t *Terms) Check(p *Person) []Violation {
	var best []Violation
	found := false
	rules := t.AllRules()
	for i := range rules {
		r := &rules[i]
		if !Covers(r, p) {
			continue
		}
		v := t.checkRule(r, p)
		if len(v) == 0 {
			return nil
		}
		if !found || len(v) < len(best) {
			best = v
		}
		found = true
	}
	if !found {
		return []Violation{{Code: VCategory, Field: "category",
			Message: fmt.Sprintf("category %q is not part of these terms", p.Category)}}
	}
	return best
}

// Covers reports whether rule r speaks of p. Category and attributes
// overlap (the terms of 2 June 2025 had "all seriously wounded and sick"
// and "all soldiers aged 18–25"): a rule covers the persons of its own
// category; a military rule also covers a seriously wounded or sick
// prisoner of war, and a civilian rule a seriously wounded or sick
// civilian internee or detainee (their wounds do not change their status,
// GC III Art. 4, GC IV Art. 4); and a rule of the seriously wounded and
// sick also covers a soldier or civilian with a medical commission decision
// recorded (GC III Art. 110, 112), which the rule then checks.
func Covers(r *Rule, p *Person) bool {
	switch {
	case r.Category == p.Category:
		return true
	case p.Category == person.SeriouslyWoundedSick && r.Category == person.Military:
		return p.Status == person.StatusPOW
	case p.Category == person.SeriouslyWoundedSick && r.Category == person.Civilian:
		return p.Status == person.StatusCivilianInternee || p.Status == person.StatusDetainedCivilian
	case r.Category == person.SeriouslyWoundedSick:
		return p.Evidence.Commission != nil && (p.Category == person.Military || p.Category == person.Civilian)
	}
	return false
}

// Eligible reports whether p meets the terms.
func (t *Terms) Eligible(p *Person) bool { return len(t.Check(p)) == 0 }

func (t *Terms) checkRule(r *Rule, p *Person) []Violation {
	var out []Violation
	add := func(code ViolationCode, field, format string, args ...any) {
		out = append(out, Violation{Rule: r.ID, Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	// detail gives the violation just added fe's code as its Detail, with
	// args (a FieldError literal, so that locale's test finds the code).
	detail := func(fe errs.FieldError, args ...string) {
		out[len(out)-1].Detail, out[len(out)-1].Args = fe.Code, args
	}
	if r.MinAge > 0 || r.MaxAge > 0 {
		lo, hi, ok := ageRange(p.BirthDate, t.Reference)
		ref := t.Reference.Format(time.DateOnly)
		switch {
		case !ok:
			add(VAgeUndecidable, "birth_date", "no birth date: the age at %s cannot be decided", ref)
			detail(errs.FieldError{Code: "eligibility_no_birth_date"}, ref)
		case r.MinAge > 0 && hi < r.MinAge:
			add(VAgeBelow, "birth_date", "aged %s at %s, below %d", ageText(lo, hi), ref, r.MinAge)
			if lo == hi {
				detail(errs.FieldError{Code: "eligibility_age_below"}, strconv.Itoa(lo), ref, strconv.Itoa(r.MinAge))
			}
		case r.MaxAge > 0 && lo > r.MaxAge:
			add(VAgeAbove, "birth_date", "aged %s at %s, above %d", ageText(lo, hi), ref, r.MaxAge)
			if lo == hi {
				detail(errs.FieldError{Code: "eligibility_age_above"}, strconv.Itoa(lo), ref, strconv.Itoa(r.MaxAge))
			}
		case lo != hi && ((r.MinAge > 0 && lo < r.MinAge) || (r.MaxAge > 0 && hi > r.MaxAge)):
			add(VAgeUndecidable, "birth_date", "born %s: aged %d or %d at %s, which the band %s cannot decide",
				p.BirthDate, lo, hi, ref, bandText(r.MinAge, r.MaxAge))
		}
	}
	if r.Category == person.SeriouslyWoundedSick {
		c := p.Evidence.Commission
		accepted := r.Decisions
		if len(accepted) == 0 {
			accepted = []Decision{DecisionA}
		}
		switch {
		case c == nil:
			add(VNoCommission, "evidence.commission", "no medical commission decision recorded (GC III Art. 112)")
		case !containsDecision(accepted, c.Decision):
			add(VDecision, "evidence.commission.decision", "commission decision %s; the rule accepts %s", c.Decision, decisionsText(accepted))
		}
		if c != nil && len(r.Tiers) > 0 && !containsTier(r.Tiers, c.Tier) {
			if c.Tier == 0 {
				add(VTier, "evidence.commission.tier", "no Art. 110 tier recorded; the rule accepts %s", tiersText(r.Tiers))
			} else {
				add(VTier, "evidence.commission.tier", "Art. 110 tier %d; the rule accepts %s", c.Tier, tiersText(r.Tiers))
			}
		}
	}
	if !r.CapturedBy.IsZero() {
		by := r.CapturedBy.Format(time.DateOnly)
		if p.CaptureDate.IsZero() {
			add(VCapturedAfter, "capture_date", "no capture date: cannot tell whether captured by %s", by)
			detail(errs.FieldError{Code: "eligibility_no_capture_date"}, by)
		} else if p.CaptureDate.After(r.CapturedBy) {
			add(VCapturedAfter, "capture_date", "captured %s, after %s", p.CaptureDate, by)
			detail(errs.FieldError{Code: "eligibility_captured_after"}, p.CaptureDate.String(), by)
		} else if last := lastDay(p.CaptureDate); last.After(dateOnly(r.CapturedBy)) {
			add(VCapturedAfter, "capture_date", "captured %s: may be after %s", p.CaptureDate, by)
		}
	}
	needConsent := r.RequireConsent || p.Category == person.Civilian || r.Category == person.Civilian || p.Status == person.StatusConvicted
	c, has := p.Evidence.LatestConsent()
	switch {
	case has && c.Kind == ConsentRefused:
		add(VRefused, "evidence.consent", "refused to be transferred on %s (witness %s)", c.Date.Format(time.DateOnly), c.Witness)
		detail(errs.FieldError{Code: "eligibility_refused_on"}, c.Date.Format(time.DateOnly), c.Witness)
	case needConsent && !has:
		add(VNoConsent, "evidence.consent", "no recorded consent to be transferred")
	case needConsent && c.Kind == ConsentWithdrawn:
		add(VConsentWithdrawn, "evidence.consent", "consent withdrawn on %s (witness %s)", c.Date.Format(time.DateOnly), c.Witness)
		detail(errs.FieldError{Code: "eligibility_withdrawn_on"}, c.Date.Format(time.DateOnly), c.Witness)
	}
	switch p.Evidence.Blocker {
	case PendingProsecution:
		if !r.AllowProsecution {
			add(VProsecution, "evidence.blocker", "penal proceedings pending (Rule 128)")
		}
	case ServingSentence:
		if !r.AllowSentence {
			add(VSentence, "evidence.blocker", "serving a sentence (Rule 128)")
		}
	}
	return out
}

// ageRange returns the least and greatest age a person born on d can have
// at ref: a full date gives one age (person.Date.AgeAt, birthday on ref
// included); a year and month give one age unless ref falls in that month
// before its last day; a year alone gives two unless ref is 31 December. ok is false for an
// unknown date. A partial date can still decide a band when both ages fall
// on the same side of it.
func ageRange(d person.Date, ref time.Time) (lo, hi int, ok bool) {
	switch d.Precision() {
	case "day":
		a, _ := d.AgeAt(ref)
		return a, a, true
	case "month":
		y, m, _ := ref.Date()
		a := y - d.Year
		switch {
		case int(m) > d.Month:
			return a, a, true
		case int(m) < d.Month:
			return a - 1, a - 1, true
		}
		// ref falls in the birth month: everyone born in it has had the
		// birthday by its last day.
		if ref.Day() >= lastDay(d).Day() {
			return a, a, true
		}
		return a - 1, a, true
	case "year":
		a := ref.Year() - d.Year
		if m, day := ref.Month(), ref.Day(); m == 12 && day == 31 {
			return a, a, true
		}
		return a - 1, a, true
	}
	return 0, 0, false
}

func ageText(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d or %d", lo, hi)
}

func bandText(lo, hi int) string {
	switch {
	case lo > 0 && hi > 0:
		return fmt.Sprintf("%d–%d", lo, hi)
	case lo > 0:
		return fmt.Sprintf("%d and over", lo)
	}
	return fmt.Sprintf("up to %d", hi)
}

// lastDay returns the last day a partial date can denote.
func lastDay(d person.Date) time.Time {
	switch d.Precision() {
	case "day":
		return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func containsDecision(ds []Decision, d Decision) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func containsTier(ts []Tier, t Tier) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func decisionsText(ds []Decision) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

func tiersText(ts []Tier) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = strconv.Itoa(int(t))
	}
	return "tier " + strings.Join(s, ", ")
}

const idRule = "must be 1-64 letters, digits, '-', '_', '.' or ':'"

// validID reports whether s can name a rule, condition or record in the
// agreement document: 1–64 characters from a safe set, no spaces.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}

// validText reports whether s is non-empty one-line text without control
// characters, at most person.MaxTextLen characters.
func validText(s string) bool {
	if strings.TrimSpace(s) == "" || len([]rune(s)) > person.MaxTextLen {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// CheckAmend checks that next may replace prev as a record's evidence:
// consent events are only ever added. Every event of prev must stand
// unchanged, in its place, at the start of next; a person who changes
// his mind is a new event (withdrawn, refused), never an edit of what he
// said before. The commission decision and the blocker may change.
func CheckAmend(prev, next *Evidence) error {
	var fe []errs.FieldError
	for i, c := range prev.Consent {
		n, date := strconv.Itoa(i+1), c.Date.Format(time.DateOnly)
		switch {
		case i >= len(next.Consent):
			fe = append(fe, errs.FieldError{Field: fmt.Sprintf("consent[%d].kind", i), Message: fmt.Sprintf("consent event %s (%s) was recorded and cannot be removed: record a new event instead", n, date), Code: "consent_removed", Args: []string{n, date}})
		case !sameConsent(c, next.Consent[i]):
			fe = append(fe, errs.FieldError{Field: fmt.Sprintf("consent[%d].kind", i), Message: fmt.Sprintf("consent event %s (%s) was recorded and cannot be changed: record a new event instead", n, date), Code: "consent_changed", Args: []string{n, date}})
		}
	}
	if len(fe) > 0 {
		return errs.E("exchange.CheckAmend", errs.Invalid, "consent events are only ever added", fe)
	}
	return nil
}

func sameConsent(a, b Consent) bool {
	return a.Kind == b.Kind && a.Date.Equal(b.Date) && a.Witness == b.Witness && a.Note == b.Note
}
