// Package report renders what the crossing needs on paper and in
// spreadsheets: the printed list of a stage per side (PDF, with an
// embedded DejaVu Sans so that Cyrillic prints, the agreement hash and
// "page x of y" on every page, and a signature block), and the per-stage
// and per-exchange reports (counts by category, refusals, no-shows,
// substitutions, discrepancies) as a JSON value and as XLSX; and the
// documents of GC III Annex IV a bureau sends for a prisoner it holds, the
// capture card (Annex IV B) and the death notification (Annex IV D), as
// PDFs in Ukrainian, Russian, English or French, labels from
// locale.Doc.
//
// It is an adapter like sheet: values in, bytes out; it knows no store and
// no HTTP.
package report

import (
	"slices"
	"sort"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
)

// Stage is one stage in an exchange report.
type Stage struct {
	Stage       int                            `json:"stage"`
	State       string                         `json:"state"`
	Crossing    string                         `json:"crossing,omitempty"`
	Parity      bool                           `json:"parity"`
	Sides       map[string]crossing.SideReport `json:"sides"`
	Flags       []crossing.Flag                `json:"flags,omitempty"`
	Discrepancy string                         `json:"discrepancy,omitempty"`
	Summary     crossing.StageSummary          `json:"summary"`
	// Parts is each part's parity when the terms have parts (the numeric
	// part and the seriously wounded, GC III Art. 109(1)).
	Parts []crossing.PartReport `json:"parts,omitempty"`
}

// Discrepancy is one discrepancy of an exchange: a stage closed without
// parity, or a flagged person (unlisted, out of category, identity
// mismatch, record corrected after signing, or a disagreement between the
// sides' records).
type Discrepancy struct {
	Stage int    `json:"stage"`
	Side  string `json:"side,omitempty"`
	Kind  string `json:"kind"` // "closed_without_parity", "unlisted", "out_of_category", "identity_mismatch", "record_corrected", "disagreement"
	// Code is, for a disagreement, why the records disagree
	// (crossing.PersonStatus.Disagreement).
	Code     string `json:"code,omitempty"`
	RecordID string `json:"record_id,omitempty"`
	Text     string `json:"text"`
}

// Exchange is the report of an exchange over its stages.
type Exchange struct {
	Exchange         string                                         `json:"exchange"`
	AgreementVersion int                                            `json:"agreement_version"`
	AgreementHash    string                                         `json:"agreement_hash"`
	Stages           []Stage                                        `json:"stages"`
	Total            map[string]crossing.Counts                     `json:"total"`       // per releasing side
	ByCategory       map[string]map[person.Category]crossing.Counts `json:"by_category"` // per side, per category
	Discrepancies    []Discrepancy                                  `json:"discrepancies"`
	// Parts sums each part of the terms over the stages, in the order the
	// stages give them; Parity is whether it held in every stage.
	Parts []crossing.PartReport `json:"parts,omitempty"`
}

// StageOf builds a report stage from a stage's parity report and summary.
func StageOf(crossingPoint string, r crossing.Report, sum crossing.StageSummary) Stage {
	return Stage{Stage: r.Stage, State: r.State, Crossing: crossingPoint, Parity: r.Parity, Sides: r.Sides, Flags: r.Flags,
		Discrepancy: r.Discrepancy, Summary: sum, Parts: r.Parts}
}

// Build sums stages into an exchange report.
func Build(exchangeID string, version int, hash string, stages []Stage) Exchange {
	x := Exchange{Exchange: exchangeID, AgreementVersion: version, AgreementHash: hash, Stages: stages,
		Total: map[string]crossing.Counts{}, ByCategory: map[string]map[person.Category]crossing.Counts{}, Discrepancies: []Discrepancy{}}
	sort.Slice(x.Stages, func(i, j int) bool { return x.Stages[i].Stage < x.Stages[j].Stage })
	for _, st := range x.Stages {
		for side, sr := range st.Sides {
			t := x.Total[side]
			addCounts(&t, sr.Total)
			x.Total[side] = t
			if x.ByCategory[side] == nil {
				x.ByCategory[side] = map[person.Category]crossing.Counts{}
			}
			for c, n := range sr.ByCategory {
				k := x.ByCategory[side][c]
				addCounts(&k, n)
				x.ByCategory[side][c] = k
			}
		}
		for _, p := range st.Parts {
			i := slices.IndexFunc(x.Parts, func(q crossing.PartReport) bool { return q.ID == p.ID })
			if i < 0 {
				x.Parts = append(x.Parts, crossing.PartReport{ID: p.ID, Rule: p.Rule, Categories: p.Categories, Sides: map[string]crossing.Counts{}, Parity: true})
				i = len(x.Parts) - 1
			}
			q := &x.Parts[i]
			q.Parity = q.Parity && p.Parity
			q.Blockers = append(q.Blockers, p.Blockers...)
			for side, c := range p.Sides {
				k := q.Sides[side]
				addCounts(&k, c)
				q.Sides[side] = k
			}
		}
		if st.State == crossing.Closed.String() && !st.Parity {
			x.Discrepancies = append(x.Discrepancies, Discrepancy{Stage: st.Stage, Kind: "closed_without_parity", Text: st.Discrepancy})
		}
		for _, f := range st.Flags {
			x.Discrepancies = append(x.Discrepancies, Discrepancy{Stage: st.Stage, Side: f.Side, Kind: f.Kind, Code: f.Code, RecordID: f.RecordID, Text: f.Reason})
		}
	}
	return x
}

func addCounts(c *crossing.Counts, o crossing.Counts) {
	c.Planned += o.Planned
	c.HandedOver += o.HandedOver
	c.Refused += o.Refused
	c.NotPresented += o.NotPresented
	c.Substituted += o.Substituted
	c.Unlisted += o.Unlisted
	c.Flagged += o.Flagged
	c.Mismatch += o.Mismatch
	c.Pending += o.Pending
	c.Disputed += o.Disputed
	c.Outstanding += o.Outstanding
	c.Left += o.Left
	c.ReservesLeft += o.ReservesLeft
	c.Held += o.Held
}

// List is one side's list of a stage, as printed for the crossing.
type List struct {
	Exchange         string
	ExchangeName     string
	Stage            int
	Side             string // the releasing party
	Receiver         string // the receiving party
	Crossing         string
	Window           crossing.Window
	AgreementVersion int
	AgreementHash    string
	// Amendments are the later agreement versions (signed by all) that
	// froze persons of the list anew, as "version sha256".
	Amendments []string
	Printed    time.Time // when the list was printed (the caller's clock)
	Rows       []ListRow
	// Lang is the language the list is printed in: uk, ru or en (the
	// default).
	Lang string
}

// ListRow is one person of a printed list.
type ListRow struct {
	RecordID      string
	Name          string
	BirthDate     string
	Category      string
	Rank          string
	ServiceNumber string
	Reserve       bool
	Outcome       string
	// Withheld: the releasing party withholds the person from the other
	// party (transmission detrimental). The printed list is a paper both
	// sides' officers sign, so only the record id is printed, whoever
	// prints it.
	Withheld bool
	// Corrected: the record changed after signing; the person is printed
	// as signed, marked, and does not count until an amendment.
	Corrected bool
}
