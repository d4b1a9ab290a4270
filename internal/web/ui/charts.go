package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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
func (s *UI) backlogChart(r *http.Request, sc access.Scope, c chrome, runs []sqlstore.MatchRun) (chart, error) {
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

// lineChart is the parity of one stage over time: a step line per
// releasing side of the persons handed over (counted toward parity) after
// each event that changed a count, against the stage's event number, with
// the plan as a dashed line. The SVG carries a title and a description;
// the same points are in a table beside it.
type lineChart struct {
	ID, Title, Desc string
	W, H            int
	Left, Right     int
	Top, Bottom     int
	Lines           []chartLine
	PlanY           int
	PlanTextY       int
	PlanText        string
	TickX, XTextY   int
	Ticks           []chartTick
	XText           string
	Sides           []string
	Rows            []timelineRow
}

type chartLine struct {
	Class, Points, Label string
	LabelX, LabelY       int
}

type chartTick struct {
	Y, TextY int
	Text     string
}

type timelineRow struct {
	Event  int
	At     time.Time
	Counts []int
}

// newLineChart lays out a stage's timeline. It returns nil when there is
// nothing to draw.
func newLineChart(c chrome, st sqlstore.StageView, sides []string, pts []sqlstore.TimelinePoint) *lineChart {
	if len(pts) == 0 || len(sides) == 0 {
		return nil
	}
	lc := &lineChart{ID: "timeline-" + strconv.Itoa(st.Stage), W: 720, H: 230, Left: 48, Right: 620, Top: 12, Bottom: 196, Sides: sides}
	lc.TickX, lc.XTextY = lc.Left-6, lc.Bottom+22
	lc.Title = c.T("chart.timeline", st.Stage)
	planned, top := 0, 1
	for _, side := range sides {
		planned = maxInt(planned, st.Report.Sides[side].Total.Planned)
	}
	top = maxInt(top, planned)
	for _, p := range pts {
		for _, side := range sides {
			top = maxInt(top, p.HandedOver[side])
		}
	}
	lastEvent := maxInt(pts[len(pts)-1].Event, 2)
	x := func(ev int) int { return lc.Left + (ev-1)*(lc.Right-lc.Left)/(lastEvent-1) }
	y := func(n int) int { return lc.Bottom - n*(lc.Bottom-lc.Top)/top }
	var desc []string
	for i, side := range sides {
		var b strings.Builder
		prevY := y(0)
		for k, p := range pts {
			px, py := x(p.Event), y(p.HandedOver[side])
			if k > 0 {
				fmt.Fprintf(&b, "%d,%d ", px, prevY)
			}
			fmt.Fprintf(&b, "%d,%d ", px, py)
			prevY = py
		}
		last := pts[len(pts)-1].HandedOver[side]
		line := chartLine{Class: "chart-line chart-line-" + strconv.Itoa(i%2), Points: strings.TrimSpace(b.String()),
			Label: side + " " + c.N(last), LabelX: lc.Right + 8, LabelY: prevY + 4}
		if i > 0 && absInt(line.LabelY-lc.Lines[i-1].LabelY) < 14 {
			line.LabelY = lc.Lines[i-1].LabelY + 14
		}
		lc.Lines = append(lc.Lines, line)
		desc = append(desc, c.T("chart.timelineside", side, c.N(last), c.N(st.Report.Sides[side].Total.Planned)))
	}
	lc.Desc = strings.Join(desc, "; ") + "."
	if planned > 0 {
		lc.PlanY, lc.PlanTextY, lc.PlanText = y(planned), y(planned)+15, c.T("chart.plan", c.N(planned))
	}
	for _, n := range []int{0, top / 2, top} {
		lc.Ticks = append(lc.Ticks, chartTick{Y: y(n), TextY: y(n) + 4, Text: c.N(n)})
	}
	lc.XText = c.T("chart.events", c.N(pts[len(pts)-1].Event))
	for _, p := range pts {
		row := timelineRow{Event: p.Event, At: p.At}
		for _, side := range sides {
			row.Counts = append(row.Counts, p.HandedOver[side])
		}
		lc.Rows = append(lc.Rows, row)
	}
	return lc
}

func absInt(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
