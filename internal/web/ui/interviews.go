package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
)

// The neutral's interview of the persons listed in an exchange
// (docs/design/law.md; ICRC practice, GC III Art. 118 and its Commentary on
// non-refoulement): the mediator's page lists each listed person with his
// interviews and records a new one; a party's page shows each person's
// latest outcome, who verified it and when, and a refusal at the crossing
// against the interview. The store decides who sees what.

func (s *UI) registerUIInterviewRoutes() {
	s.page("GET", "/exchanges/{id}/interviews", access.ExchangeRead, "The persons listed in an exchange with the neutral's interviews: for the mediator each whole, with the form to record one; for a party the latest outcome, who verified it and when.", s.handleInterviewsPage)
	s.page("POST", "/exchanges/{id}/interviews", access.InterviewRecord, "Record the neutral's private interview of a listed person.", s.handleInterviewForm)
}

type interviewsView struct {
	chrome
	Exchange string
	Persons  []exchange.InterviewEntry
	Outcomes []exchange.InterviewOutcome
	MayWrite bool
	// Posted is the form as typed, after a refused form.
	Posted url.Values
}

// Val is a field of the form as typed (after a refused form).
func (v interviewsView) Val(name string) string { return v.Posted.Get(name) }

// RefusedAt is when the person refused repatriation at the crossing.
func (v interviewsView) RefusedAt(e exchange.InterviewEntry) time.Time {
	if e.CrossingRefused == nil {
		return time.Time{}
	}
	return *e.CrossingRefused
}

// Who names a listed person: his name for the mediator, else the record id.
func (v interviewsView) Who(e exchange.InterviewEntry) string {
	if e.Name != "" {
		return e.Name
	}
	return e.RecordID
}

func (s *UI) interviewsPage(r *http.Request, sc access.Scope) (interviewsView, error) {
	id := r.PathValue("id")
	es, err := s.db.Interviews(r.Context(), sc, id)
	if err != nil {
		return interviewsView{}, err
	}
	v := interviewsView{chrome: s.chromeFor(r, "interview.title"), Exchange: id, Persons: es, Outcomes: exchange.InterviewOutcomes,
		MayWrite: access.Decide(sc, access.InterviewRecord, access.Resource{}) == nil}
	return v, nil
}

func (s *UI) handleInterviewsPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.interviewsPage(r, sc)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") == "interview" {
		v.Flash = v.T("interview.saved")
	}
	s.render(w, r, http.StatusOK, "interviews.html", v)
	return nil
}

// parseInterview reads a posted interview: the time as the browser's
// datetime-local (UTC) or a date; what an interview must be is the
// domain's (exchange.Interview.Validate, in the store).
func parseInterview(f url.Values) (exchange.Interview, []errs.FieldError) {
	get := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	iv := exchange.Interview{RecordID: get("record_id"), Place: get("place"), Interviewer: get("interviewer"), Organisation: get("organisation"),
		Outcome: exchange.InterviewOutcome(get("outcome")), Reason: get("reason"), Notes: get("notes"),
		Withhold: f.Get("withhold") != "", WithholdReason: get("withhold_reason"), LiftWithhold: f.Get("lift_withhold") != ""}
	var bad []errs.FieldError
	if s := get("at"); s != "" {
		var err error
		for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
			if iv.At, err = time.ParseInLocation(layout, s, time.UTC); err == nil {
				break
			}
		}
		if err != nil {
			bad = append(bad, errs.FieldError{Field: "at", Message: "not a date and time: use YYYY-MM-DDTHH:MM", Code: "interview_at_format", Args: []string{s}})
		}
	}
	return iv, bad
}

func (s *UI) handleInterviewForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.interview", 1<<16); err != nil {
		return err
	}
	id := r.PathValue("id")
	iv, bad := parseInterview(r.PostForm)
	var err error
	if len(bad) > 0 {
		err = errs.E("web.interview", errs.Invalid, "the interview has problems", bad)
	} else if _, err = s.db.RecordInterview(r.Context(), sc, id, iv); err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/interviews?done=interview#persons")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.interviewsPage(r, sc)
	if verr != nil {
		return verr
	}
	v.Posted = r.PostForm
	v.Fields, v.Message = formRefused(v.chrome, err)
	s.render(w, r, http.StatusUnprocessableEntity, "interviews.html", v)
	return nil
}

// interviewInput is one input of the interview form.
type interviewInput struct{ Name, Label, Value, Err, Type string }

// In is the input name of the form, labelled by key.
func (v interviewsView) In(name, key, typ string) interviewInput {
	return interviewInput{Name: name, Label: v.T(key), Value: v.Val(name), Err: v.Err(name), Type: typ}
}
