package form

import (
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// Rule is one category's rule of the terms as typed into the form to open
// an exchange.
type Rule struct {
	Category            string
	On                  bool
	ID, Count, Min, Max string
	CapturedBy          string
	AllForAll, Consent  bool
}

// Exchange is what the operator typed to open an exchange, kept as typed
// so that a form shown again loses nothing. Its fields are named after
// the form's: name, party_a, party_b, crossings, from, to, kind, total,
// floor, ceiling, reference, conditions, and per category c rule_c, id_c,
// count_c, min_c, max_c, captured_c, all_c, consent_c.
type Exchange struct {
	Name, PartyA, PartyB, Crossings, From, To string
	Kind, Total, Floor, Ceiling, Reference    string
	Conditions                                string
	Rules                                     []Rule
}

// RuleID is the rule id the form proposes for a category.
func RuleID(c person.Category) string {
	switch c {
	case person.Military:
		return "mil"
	case person.Civilian:
		return "civ"
	}
	return "sick"
}

// Parse turns the form into an exchange, with a field error for every
// field it cannot read. It checks no rule of the exchange or its terms:
// exchange.Exchange.Validate does, in the store.
func (f *Exchange) Parse() (exchange.Exchange, []errs.FieldError) {
	var bad []errs.FieldError
	ex := exchange.Exchange{Name: strings.TrimSpace(f.Name), Parties: [2]string{f.PartyA, f.PartyB}, Crossings: Lines(f.Crossings)}
	day := func(field, s string) time.Time {
		d, fe := Day(field, s)
		if fe != nil {
			bad = append(bad, *fe)
		}
		return d
	}
	count := func(field, s string) int {
		n, fe := Count(field, s)
		if fe != nil {
			bad = append(bad, *fe)
		}
		return n
	}
	ex.From, ex.To = day("from", f.From), day("to", f.To)
	t := &ex.Terms
	t.Kind = exchange.TermsKind(f.Kind)
	t.Reference = day("reference", f.Reference)
	t.Total, t.Floor, t.Ceiling = count("total", f.Total), count("floor", f.Floor), count("ceiling", f.Ceiling)
	for _, rf := range f.Rules {
		if !rf.On {
			continue
		}
		k := rf.Category
		r := exchange.Rule{ID: strings.TrimSpace(rf.ID), Category: person.Category(k), AllForAll: rf.AllForAll, RequireConsent: rf.Consent}
		if r.ID == "" {
			r.ID = RuleID(r.Category)
		}
		r.Count, r.MinAge, r.MaxAge = count("count_"+k, rf.Count), count("min_"+k, rf.Min), count("max_"+k, rf.Max)
		r.CapturedBy = day("captured_"+k, rf.CapturedBy)
		t.Rules = append(t.Rules, r)
	}
	for i, line := range strings.Split(f.Conditions, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, text, _ := strings.Cut(line, " ")
		id = strings.TrimSuffix(id, ":")
		if strings.TrimSpace(text) == "" {
			n := strconv.Itoa(i + 1)
			bad = append(bad, errs.FieldError{Field: "conditions", Message: "line " + n + ": an id, a space, then the text", Code: CodeLine, Args: []string{n}})
			continue
		}
		t.Conditions = append(t.Conditions, exchange.Condition{ID: id, Text: strings.TrimSpace(text)})
	}
	return ex, bad
}

// ExchangeField names the form field a field error of the exchange's
// domain is about ("terms.rules[1].count" → "count_civilian"), so that the
// page shows it there; "rules" when no field of the form holds it.
func ExchangeField(field string, rules []exchange.Rule) string {
	switch {
	case field == "name", field == "from", field == "to", field == "crossings":
		return field
	case strings.HasPrefix(field, "crossings"):
		return "crossings"
	case strings.HasPrefix(field, "parties"):
		return "party_b"
	case field == "terms.kind":
		return "kind"
	case field == "terms.total", field == "terms.floor", field == "terms.ceiling", field == "terms.reference":
		return strings.TrimPrefix(field, "terms.")
	case strings.HasPrefix(field, "terms.conditions"):
		return "conditions"
	case strings.HasPrefix(field, "terms.rules["):
		rest := strings.TrimPrefix(field, "terms.rules[")
		i, err := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')])
		if err != nil || i < 0 || i >= len(rules) {
			return "rules"
		}
		c := string(rules[i].Category)
		switch {
		case strings.HasSuffix(field, ".count"):
			return "count_" + c
		case strings.HasSuffix(field, ".min_age"):
			return "min_" + c
		case strings.HasSuffix(field, ".max_age"):
			return "max_" + c
		case strings.HasSuffix(field, ".id"):
			return "id_" + c
		case strings.HasSuffix(field, ".all_for_all"):
			return "all_" + c
		case strings.HasSuffix(field, ".captured_by"):
			return "captured_" + c
		}
		return "rule_" + c
	}
	return "rules"
}
