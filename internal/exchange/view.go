package exchange

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/handover-project/handover/internal/person"
)

// ViewInput is what the negotiation view is computed from. The store loads
// it for one exchange, scoped to what the caller may see (DESIGN.md §4.4):
// a party's view is computed from the lists and persons disclosed to it.
type ViewInput struct {
	Exchange *Exchange
	// Lists are the current submitted version of each list (at most one
	// per party and kind); other versions are ignored.
	Lists []ListVersion
	// Responses is the whole answer history of the exchange in append
	// order (see [Current]).
	Responses []Response
	// Persons holds the facts and evidence of the held records listed (an
	// offer's own records; a request's matched held record), by record id.
	// Record ids are unique across parties.
	Persons map[string]Person
	// Held lists, per party, the persons it holds that may fall under an
	// all-for-all rule (the store may pre-filter by category): the view
	// checks each and lists the eligible ones not offered as outstanding.
	Held map[string][]Person
}

// View is the mediator's picture of a negotiation: per side and per
// category, what is offered, requested and accepted against the terms;
// the eligibility violations; what still blocks agreement; and who is
// eligible but not listed.
type View struct {
	Exchange string     `json:"exchange"`
	Sides    []SideView `json:"sides"` // in Exchange.Parties order
	// Blocking lists the items that stand between this state and an
	// agreement, sorted by party, kind, record id.
	Blocking []Blocking `json:"blocking"`
	// Shortfalls say where accepted counts do not yet meet the terms.
	Shortfalls []Shortfall `json:"shortfalls"`
	// Ready is true when nothing blocks, nothing falls short and nothing
	// eligible under an all-for-all rule is left out: a stage plan and an
	// agreement can be made.
	Ready bool `json:"ready"`
}

// SideView is one party's side of the view: its lists and the persons it
// releases.
type SideView struct {
	Party      string         `json:"party"`
	Categories []CategoryView `json:"categories"` // in person.Categories order, those in the terms or listed
	Total      CategoryView   `json:"total"`      // Category empty
	// OfferVersion and RequestVersion are the current list versions
	// (0 when none was submitted).
	OfferVersion   int `json:"offer_version"`
	RequestVersion int `json:"request_version"`
}

// CategoryView counts one category of one side.
type CategoryView struct {
	Category person.Category `json:"category,omitempty"`
	// Offered: persons on the side's offer list. Accepted: those the other
	// side accepted (what the side releases). Open: offers unanswered or
	// queried. Declined: offers answered otherwise.
	Offered  int `json:"offered"`
	Accepted int `json:"accepted"`
	Open     int `json:"open"`
	Declined int `json:"declined"`
	// Requested: persons on the side's request list; RequestsAccepted:
	// those the holder accepted; RequestsOpen: unanswered or queried.
	Requested        int `json:"requested"`
	RequestsAccepted int `json:"requests_accepted"`
	RequestsOpen     int `json:"requests_open"`
	// Violations counts listed persons (offers) who fail the terms.
	Violations int `json:"violations"`
	// Target is the count the terms fix for the side (numeric terms), 0
	// when not fixed; AllForAll marks a category every eligible person of
	// which must be released.
	Target    int  `json:"target,omitempty"`
	AllForAll bool `json:"all_for_all,omitempty"`
	// Outstanding lists the record ids of persons the side holds who are
	// eligible under an all-for-all rule but not on its offer list.
	Outstanding []string `json:"outstanding,omitempty"`
}

// BlockReason says why an item blocks agreement.
type BlockReason string

// Reasons an item blocks agreement.
const (
	BlockUnanswered BlockReason = "unanswered"          // no answer yet
	BlockQuery      BlockReason = "query"               // the other side asks for clarification
	BlockDeclined   BlockReason = "declined"            // an offer answered otherwise than accept: strike it or argue
	BlockIneligible BlockReason = "ineligible"          // the person fails the terms (see Violations)
	BlockNotOffered BlockReason = "request_not_offered" // an accepted request not yet on the holder's offer list
)

// Blocking is one item that blocks agreement.
type Blocking struct {
	Party      string          `json:"party"` // the listing party
	Kind       ListKind        `json:"kind"`
	RecordID   string          `json:"record_id"`
	Category   person.Category `json:"category"`
	Why        BlockReason     `json:"why"`
	Answer     Answer          `json:"answer,omitempty"`
	Reason     string          `json:"reason,omitempty"` // the answer's reason
	Blocker    Blocker         `json:"blocker,omitempty"`
	Violations []Violation     `json:"violations,omitempty"`
}

// Shortfall is one count that does not meet the terms.
type Shortfall struct {
	Party string `json:"party"`
	// Part is the part of parts terms the count belongs to; empty for
	// other terms.
	Part     string          `json:"part,omitempty"`
	Category person.Category `json:"category,omitempty"` // empty: in all
	Have     int             `json:"have"`
	Want     string          `json:"want"` // "= 120", "≥ 1000", "all (3 eligible not offered)"
	// Need and N are Want as a code and its number, for a user interface
	// to say in the user's language: NeedExactly N, NeedAtLeast N, or
	// NeedAll with N eligible persons not offered.
	Need Need `json:"need"`
	N    int  `json:"n"`
}

// Need is what a shortfall falls short of.
type Need string

// Needs. Values are stable; append only.
const (
	NeedExactly Need = "exactly"  // a numeric target or a part's total
	NeedAtLeast Need = "at_least" // a part's floor
	NeedAll     Need = "all"      // all for all: every eligible person offered
)

// String returns the shortfall as one line.
func (s Shortfall) String() string {
	c := string(s.Category)
	if c == "" {
		c = "in all"
	}
	if s.Part != "" && s.Category == "" {
		c = "in part " + s.Part
	}
	return fmt.Sprintf("%s %s: %d accepted, want %s", s.Party, c, s.Have, s.Want)
}

// NewView computes the view. It runs in time linear in the items, answers
// and held persons (plus sorting the output).
func NewView(in *ViewInput) *View {
	ex := in.Exchange
	t := &ex.Terms
	v := &View{Exchange: ex.ID}
	lists := map[string]*ListVersion{}
	for i := range in.Lists {
		l := &in.Lists[i]
		if l.State == ListSubmitted && l.Exchange == ex.ID {
			lists[l.Party+"/"+string(l.Kind)] = l
		}
	}
	// What each holder offers, to check accepted requests against.
	offered := map[string]map[string]bool{}
	for _, p := range ex.Parties {
		offered[p] = map[string]bool{}
		if l := lists[p+"/"+string(Offer)]; l != nil {
			for i := range l.Items {
				offered[p][l.Items[i].RecordID] = true
			}
		}
	}
	for _, party := range ex.Parties {
		other, _ := ex.Other(party)
		sv := SideView{Party: party}
		cats := map[person.Category]*CategoryView{}
		cat := func(c person.Category) *CategoryView {
			if cats[c] == nil {
				cats[c] = &CategoryView{Category: c}
			}
			return cats[c]
		}
		for _, r := range t.AllRules() {
			cv := cat(r.Category)
			cv.AllForAll = cv.AllForAll || r.AllForAll
		}
		if l := lists[party+"/"+string(Offer)]; l != nil {
			sv.OfferVersion = l.Version
			cur := Current(l, in.Responses)
			for i := range l.Items {
				it := &l.Items[i]
				cv := cat(it.Category)
				cv.Offered++
				r, answered := cur[it.RecordID]
				var viol []Violation
				if p, ok := in.Persons[it.RecordID]; !ok {
					viol = []Violation{{Code: VNoRecord, Field: "record_id", Message: "the record's facts are not available to check"}}
				} else {
					viol = t.Check(&p)
					if p.Category != it.Category {
						viol = append(viol, Violation{Code: VCategoryMismatch, Field: "category",
							Message: fmt.Sprintf("listed as %s but the record says %s", it.Category, p.Category)})
					}
				}
				if len(viol) > 0 {
					cv.Violations++
				}
				b := Blocking{Party: party, Kind: Offer, RecordID: it.RecordID, Category: it.Category, Violations: viol}
				if answered {
					b.Answer, b.Reason, b.Blocker = r.Answer, r.Reason, r.Blocker
				}
				switch {
				case !answered:
					cv.Open++
					b.Why = BlockUnanswered
				case r.Answer == Query:
					cv.Open++
					b.Why = BlockQuery
				case r.Answer == Accept:
					cv.Accepted++
					if len(viol) > 0 {
						b.Why = BlockIneligible
					}
				default:
					cv.Declined++
					b.Why = BlockDeclined
				}
				if b.Why == "" && len(viol) > 0 {
					b.Why = BlockIneligible
				}
				if b.Why != "" {
					v.Blocking = append(v.Blocking, b)
				}
			}
		}
		if l := lists[party+"/"+string(Request)]; l != nil {
			sv.RequestVersion = l.Version
			cur := Current(l, in.Responses)
			for i := range l.Items {
				it := &l.Items[i]
				cv := cat(it.Category)
				cv.Requested++
				r, answered := cur[it.RecordID]
				b := Blocking{Party: party, Kind: Request, RecordID: it.RecordID, Category: it.Category}
				if answered {
					b.Answer, b.Reason, b.Blocker = r.Answer, r.Reason, r.Blocker
				}
				switch {
				case !answered:
					cv.RequestsOpen++
					b.Why = BlockUnanswered
				case r.Answer == Query:
					cv.RequestsOpen++
					b.Why = BlockQuery
				case r.Answer == Accept:
					cv.RequestsAccepted++
					if it.HeldRecordID == "" || !offered[other][it.HeldRecordID] {
						b.Why = BlockNotOffered
					}
				}
				if b.Why != "" {
					v.Blocking = append(v.Blocking, b)
				}
			}
		}
		// Outstanding eligible under all-for-all rules: under the rule's
		// category when the person's own has none (a wounded soldier of 22
		// under "all aged 18–25").
		for _, p := range in.Held[party] {
			if offered[party][p.RecordID] {
				continue
			}
			if c, ok := allForAllEligible(t, &p); ok {
				cv := cats[p.Category]
				if cv == nil || !cv.AllForAll {
					cv = cats[c]
				}
				cv.Outstanding = append(cv.Outstanding, p.RecordID)
			}
		}
		// Targets and shortfalls, per part (the whole terms are one part).
		parts := t.PartList()
		for _, pt := range parts {
			fixed, open := 0, map[person.Category]bool{}
			for _, r := range pt.Rules {
				if r.Count > 0 {
					cat(r.Category).Target += r.Count
					fixed += r.Count
				} else {
					open[r.Category] = true
				}
			}
			if pt.Kind == Numeric && pt.Total > 0 && len(open) == 1 {
				for rest := range open {
					if cats[rest].Target == 0 {
						cats[rest].Target = pt.Total - fixed
					}
				}
			}
		}
		for _, c := range person.Categories {
			if cv := cats[c]; cv != nil {
				slices.Sort(cv.Outstanding)
				sv.Categories = append(sv.Categories, *cv)
				addCounts(&sv.Total, cv)
				if cv.Target > 0 && cv.Accepted < cv.Target {
					v.Shortfalls = append(v.Shortfalls, Shortfall{Party: party, Part: partID(t, c), Category: c, Have: cv.Accepted, Want: fmt.Sprintf("= %d", cv.Target), Need: NeedExactly, N: cv.Target})
				}
				if cv.AllForAll && len(cv.Outstanding) > 0 {
					v.Shortfalls = append(v.Shortfalls, Shortfall{Party: party, Part: partID(t, c), Category: c, Have: cv.Accepted,
						Want: fmt.Sprintf("all (%d eligible not offered)", len(cv.Outstanding)), Need: NeedAll, N: len(cv.Outstanding)})
				}
			}
		}
		for _, pt := range parts {
			accepted := 0
			for c, cv := range cats {
				if in, ok := t.PartOf(c); ok && in.ID == pt.ID || !ok && pt.ID == "" {
					accepted += cv.Accepted
				}
			}
			sv.Total.Target += pt.Total
			switch {
			case pt.Total > 0 && accepted < pt.Total:
				v.Shortfalls = append(v.Shortfalls, Shortfall{Party: party, Part: pt.ID, Have: accepted, Want: fmt.Sprintf("= %d", pt.Total), Need: NeedExactly, N: pt.Total})
			case pt.Floor > 0 && accepted < pt.Floor:
				v.Shortfalls = append(v.Shortfalls, Shortfall{Party: party, Part: pt.ID, Have: accepted, Want: fmt.Sprintf("≥ %d", pt.Floor), Need: NeedAtLeast, N: pt.Floor})
			}
		}
		v.Sides = append(v.Sides, sv)
	}
	slices.SortFunc(v.Blocking, func(a, b Blocking) int {
		return cmp.Or(strings.Compare(a.Party, b.Party), strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.RecordID, b.RecordID))
	})
	v.Ready = len(v.Blocking) == 0 && len(v.Shortfalls) == 0
	return v
}

// allForAllEligible reports whether p meets an all-for-all rule of t that
// covers it, and that rule's category.
func allForAllEligible(t *Terms, p *Person) (person.Category, bool) {
	rules := t.AllRules()
	for i := range rules {
		r := &rules[i]
		if r.AllForAll && Covers(r, p) && len(t.checkRule(r, p)) == 0 {
			return r.Category, true
		}
	}
	return "", false
}

// AllForAllCategories returns the categories of persons an all-for-all
// rule of t may cover ([Covers]): what a store pre-filters the held
// persons of [ViewInput.Held] by.
func (t *Terms) AllForAllCategories() map[person.Category]bool {
	out := map[person.Category]bool{}
	for _, r := range t.AllRules() {
		if !r.AllForAll {
			continue
		}
		out[r.Category] = true
		switch r.Category {
		case person.Military, person.Civilian:
			out[person.SeriouslyWoundedSick] = true
		case person.SeriouslyWoundedSick:
			out[person.Military], out[person.Civilian] = true, true
		}
	}
	return out
}

// partID returns the ID of the part category c counts in ("" for terms
// without parts).
func partID(t *Terms, c person.Category) string {
	p, _ := t.PartOf(c)
	return p.ID
}

func addCounts(sum, c *CategoryView) {
	sum.Offered += c.Offered
	sum.Accepted += c.Accepted
	sum.Open += c.Open
	sum.Declined += c.Declined
	sum.Requested += c.Requested
	sum.RequestsAccepted += c.RequestsAccepted
	sum.RequestsOpen += c.RequestsOpen
	sum.Violations += c.Violations
	sum.Outstanding = append(sum.Outstanding, c.Outstanding...)
}

// Agreed returns, per party, the items of its current offer list that the
// other party accepted: the persons it releases, from which the stage plan
// (staged or reserve) and the agreement are built. Items are in list order.
func Agreed(ex *Exchange, lists []ListVersion, history []Response) map[string][]Item {
	out := map[string][]Item{}
	for i := range lists {
		l := &lists[i]
		if l.Kind != Offer || l.State != ListSubmitted || l.Exchange != ex.ID || !ex.HasParty(l.Party) {
			continue
		}
		cur := Current(l, history)
		for _, it := range l.Items {
			if r, ok := cur[it.RecordID]; ok && r.Answer == Accept {
				it.Reason = ""
				out[l.Party] = append(out[l.Party], it)
			}
		}
	}
	return out
}
