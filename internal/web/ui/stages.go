package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// Stage management: every stage of an exchange's signed agreement with its
// state and summary, the printed lists and the report to download, the
// parity of each opened stage over time, and for the mediator's operator
// the buttons that open a stage and move it (suspend, resume, cancel with
// a reason; close, with a discrepancy reason when parity fails).

func (s *UI) registerUIStagesRoutes() {
	s.page("GET", "/exchanges/{id}/stages", access.ReportRead, "Every stage of the exchange's signed agreement: state, summary, lists, report, parity over time; the operator's buttons.", s.handleStagesPage)
	s.page("POST", "/exchanges/{id}/stages", access.StageManage, "Open a stage of the signed agreement (mediator).", s.handleStagesOpen)
	s.page("POST", "/exchanges/{id}/stages/{n}/move", access.StageManage, "Suspend, resume, cancel or close a stage, with a reason (mediator).", s.handleStagesMove)
	s.page("GET", "/exchanges/{id}/stages/{n}/lists/{party}/pdf", access.ReportRead, "The printed list of the persons a party releases in a stage (PDF).", s.handleStageListPDF)
	s.page("GET", "/exchanges/{id}/report/xlsx", access.ReportRead, "The exchange report over its stages (XLSX).", s.handleReportXLSX)
}

// stageRow is one stage on the stages page.
type stageRow struct {
	sqlstore.StageView
	Sides  []string
	Opened bool
	// Moves are the operator's buttons: suspend, resume, cancel, close.
	Moves  []string
	Reason string // the stage's current suspension or cancellation reason
	Chart  *lineChart
}

type stagesView struct {
	chrome
	Exchange  string
	Stages    []stageRow
	MayManage bool
	// Typed keeps a reason typed in a stage's form when it is shown again.
	Typed map[int]string
}

// Typed returns the reason typed for stage n.
func (v stagesView) TypedFor(n int) string { return v.Typed[n] }

func (s *UI) handleStagesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.stagesPage(r, sc)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); done != "" {
		if n, err := strconv.Atoi(r.URL.Query().Get("stage")); err == nil {
			v.Flash = v.T("stages.done."+done, n)
		}
	}
	s.render(w, r, http.StatusOK, "stages.html", v)
	return nil
}

// moves maps a stage's allowed transitions to the operator's buttons.
func moves(state string) []string {
	st, err := crossing.ParseState(state)
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range crossing.Allowed(st) {
		switch t {
		case crossing.StageSuspended:
			out = append(out, "suspend")
		case crossing.StageResumed:
			out = append(out, "resume")
		case crossing.StageCancelled:
			out = append(out, "cancel")
		case crossing.StageClosing, crossing.StageClosed:
			if !slices.Contains(out, "close") {
				out = append(out, "close")
			}
		}
	}
	return out
}

func (s *UI) stagesPage(r *http.Request, sc access.Scope) (stagesView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	vs, err := s.db.ExchangeStages(ctx, sc, id)
	if err != nil {
		return stagesView{}, err
	}
	v := stagesView{chrome: s.chromeFor(r, "stages.title"), Exchange: id, MayManage: access.Decide(sc, access.StageManage, access.Resource{}) == nil}
	v.Title = v.T("stages.heading", id)
	for _, st := range vs {
		row := stageRow{StageView: st, Opened: len(st.History) > 0}
		for p := range st.Report.Sides {
			row.Sides = append(row.Sides, p)
		}
		slices.Sort(row.Sides)
		if n := len(st.History); n > 0 && (st.State == "suspended" || st.State == "cancelled") {
			row.Reason = st.History[n-1].Reason
		}
		if row.Opened {
			row.Moves = moves(st.State)
			pts, err := s.db.StageTimeline(ctx, sc, id, st.Stage, 120)
			if err != nil {
				return v, err
			}
			row.Chart = newLineChart(v.chrome, st, row.Sides, pts)
		}
		v.Stages = append(v.Stages, row)
	}
	return v, nil
}

// handleStagesOpen opens a stage of the signed agreement.
func (s *UI) handleStagesOpen(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.stages", 16<<10); err != nil {
		return err
	}
	id := r.PathValue("id")
	n, err := strconv.Atoi(r.PostForm.Get("stage"))
	if err == nil && n > 0 {
		_, err = s.db.OpenStage(r.Context(), sc, id, n)
		if err == nil {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages?done=opened&stage="+strconv.Itoa(n))
			return nil
		}
		if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) && !errs.Is(errs.NotFound, err) {
			return err
		}
	}
	v, perr := s.stagesPage(r, sc)
	if perr != nil {
		return perr
	}
	if err != nil && n > 0 {
		v.Message = v.T("stages.notopened", n) + " " + refusalText(v.chrome, err)
	} else {
		v.Message = v.T("stages.err.number")
	}
	s.render(w, r, http.StatusUnprocessableEntity, "stages.html", v)
	return nil
}

// closeEvents are the events that close a stage from its state: closing
// first when it is open, then closed with the discrepancy reason (empty
// when parity holds).
func closeEvents(state, reason string) []crossing.Event {
	var events []crossing.Event
	if state == crossing.Open.String() {
		events = append(events, crossing.Event{ID: newEventID(), Type: crossing.StageClosing})
	}
	return append(events, crossing.Event{ID: newEventID(), Type: crossing.StageClosed, Reason: reason})
}

// mayClose asks the stage, recording nothing, whether it may close now
// with reason: its refusal (the blockers of parity, or the state), or an
// error the page does not show as a refusal.
func (s *UI) mayClose(ctx context.Context, sc access.Scope, id string, n int, reason string) (refusal, err error) {
	err = s.db.CheckCloseStage(ctx, sc, id, n, reason)
	if errs.Is(errs.Invalid, err) || errs.Is(errs.Conflict, err) {
		return err, nil
	}
	return nil, err
}

// handleStagesMove suspends, resumes, cancels or closes a stage. What a
// move needs (a reason to suspend or cancel; a stage in which a person has
// crossed is closed, not cancelled; a discrepancy reason to close without
// parity) is crossing.Stage's rule: its refusal is said next to the reason
// field in the user's language. Closing asks the stage first
// (CheckCloseStage), recording nothing, as closing is two events (closing,
// closed) and the first must not stand alone.
func (s *UI) handleStagesMove(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.stages", 16<<10); err != nil {
		return err
	}
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	st, err := s.db.Stage(r.Context(), sc, id, n)
	if err != nil {
		return err
	}
	c := s.chromeFor(r, "stages.title")
	to := r.PostForm.Get("to")
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	problem := ""
	var events []crossing.Event
	switch to {
	case "suspend", "cancel":
		typ := crossing.StageSuspended
		if to == "cancel" {
			typ = crossing.StageCancelled
		}
		events = []crossing.Event{{ID: newEventID(), Type: typ, Reason: reason}}
	case "resume":
		events = []crossing.Event{{ID: newEventID(), Type: crossing.StageResumed}}
	case "close":
		events = closeEvents(st.State, reason)
	default:
		return errs.E("web.stages", errs.Invalid, errs.FieldError{Field: "to", Message: "suspend, resume, cancel or close", Code: "bad_stage_move"})
	}
	if !slices.Contains(moves(st.State), to) {
		problem = c.T("stages.err.state", c.T("stage."+st.State))
	}
	var refusal error
	if problem == "" && to == "close" {
		if refusal, err = s.mayClose(r.Context(), sc, id, n, reason); err != nil {
			return err
		}
	}
	if problem == "" && refusal == nil {
		if refusal, err = s.recordOnStage(r.Context(), sc, id, n, events); err != nil {
			return err
		}
		if refusal == nil {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages?done="+to+"&stage="+strconv.Itoa(n))
			return nil
		}
	}
	v, err := s.stagesPage(r, sc)
	if err != nil {
		return err
	}
	key := "reason-" + strconv.Itoa(n)
	v.Typed = map[int]string{n: reason}
	switch fes := errs.Fields(refusal); {
	case problem != "":
		v.Fields = map[string]string{key: problem}
		v.Message = v.T("form.invalid")
	case len(fes) > 0:
		// The stage's refusal, at the one field of the move.
		var said []string
		for _, fe := range fes {
			if m := fieldMessage(v.chrome, fe); !slices.Contains(said, m) {
				said = append(said, m)
			}
		}
		v.Fields = map[string]string{key: strings.Join(said, " ")}
		v.Message = v.T("stages.notmoved", n)
	default:
		v.Message = v.T("stages.notmoved", n) + " " + refusalText(v.chrome, refusal)
	}
	s.render(w, r, http.StatusUnprocessableEntity, "stages.html", v)
	return nil
}

// handleStageListPDF serves the printed list of a stage (the API's PDF)
// to a page session.
func (s *UI) handleStageListPDF(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.URL.RawQuery = "format=pdf"
	return s.files.StageList(w, r, sc)
}

// handleReportXLSX serves the exchange report (the API's XLSX) to a page
// session.
func (s *UI) handleReportXLSX(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.URL.RawQuery = "format=xlsx"
	return s.files.ExchangeReport(w, r, sc)
}
