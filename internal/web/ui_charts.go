package web

import (
	"net/http"
	"slices"

	"github.com/handover-project/handover/internal/access"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Charts drawn on the server as SVG: bars whose sizes are attributes (the
// CSP forbids style attributes), with the numbers written beside them so
// that a screen reader and a printed page say the same as the picture.

// chart is one horizontal bar chart: a row per label, the bar's done part
// over its whole.
type chart struct {
	Title  string
	Rows   []chartRow
	Height int
}

type chartRow struct {
	Label      string
	Done, Of   int
	Y, TextY   int
	TextX      int
	DoneW, OfW int
	Text       string
}

const chartBarMax = 360

// newChart lays out rows (label, done, of) in a chart.
func newChart(c chrome, title string, rows []chartRow) chart {
	max := 1
	for _, r := range rows {
		max = maxInt(max, maxInt(r.Done, r.Of))
	}
	for i := range rows {
		r := &rows[i]
		r.Y = 4 + i*26
		r.TextY = r.Y + 15
		r.OfW = r.Of * chartBarMax / max
		r.DoneW = r.Done * chartBarMax / max
		r.TextX = 208 + maxInt(r.OfW, r.DoneW)
		r.Text = c.T("chart.of", c.N(r.Done), c.N(r.Of))
	}
	return chart{Title: title, Rows: rows, Height: 8 + len(rows)*26}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// exchangeCharts draws the negotiation (accepted against the target, or
// against what was offered) per side and category, and each stage's
// handovers against the plan per side and category.
func exchangeCharts(c chrome, v *exchange.View, stages []sqlstore.StageView) []chart {
	var out []chart
	var rows []chartRow
	for _, sd := range v.Sides {
		for _, cv := range sd.Categories {
			of := cv.Target
			if of == 0 {
				of = cv.Offered
			}
			rows = append(rows, chartRow{Label: sd.Party + " · " + c.T("value."+string(cv.Category)), Done: cv.Accepted, Of: of})
		}
	}
	if len(rows) > 0 {
		out = append(out, newChart(c, c.T("chart.accepted"), rows))
	}
	for _, st := range stages {
		rows = nil
		sides := make([]string, 0, len(st.Report.Sides))
		for p := range st.Report.Sides {
			sides = append(sides, p)
		}
		slices.Sort(sides)
		for _, p := range sides {
			sr := st.Report.Sides[p]
			for _, cat := range person.Categories {
				if n, ok := sr.ByCategory[cat]; ok {
					rows = append(rows, chartRow{Label: p + " · " + c.T("value."+string(cat)), Done: n.HandedOver, Of: n.Planned})
				}
			}
		}
		if len(rows) > 0 {
			out = append(out, newChart(c, c.T("chart.stage", st.Stage, c.T("stage."+st.State)), rows))
		}
	}
	return out
}

// backlogChart draws the matching review backlog of the latest runs:
// decided pairs against each run's candidates. Only the best 1,000 pairs
// of a run are counted (reviewers work best first).
func (s *Server) backlogChart(r *http.Request, sc access.Scope, c chrome, runs []sqlstore.MatchRun) (chart, error) {
	var rows []chartRow
	for i := len(runs) - 1; i >= 0 && len(rows) < 5; i-- {
		run := runs[i]
		cs, err := s.db.Candidates(r.Context(), sc, sqlstore.CandidateFilter{RunID: run.ID, Limit: 1000})
		if err != nil {
			return chart{}, err
		}
		decided := 0
		for _, x := range cs {
			if x.Status != sqlstore.MatchCandidate {
				decided++
			}
		}
		rows = append(rows, chartRow{Label: c.T("chart.run", run.ID, run.SoughtParty, run.HeldParty), Done: decided, Of: run.Candidates})
	}
	if len(rows) == 0 {
		return chart{}, nil
	}
	return newChart(c, c.T("chart.backlog"), rows), nil
}
