package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Tracing as casework (docs/design/tracing.md): the bureau's worklist of
// cases with what is due, and one case beside the person's trace
// timeline, with a form for each step. The store decides who reads and
// writes a case; the forms read syntax only.

func (s *UI) registerUICaseRoutes() {
	s.page("GET", "/cases", access.CaseRead, "The bureau's tracing cases with what is due, overdue first; filters by state, assignee and overdue.", s.handleCasesPage)
	s.page("POST", "/cases", access.CaseWrite, "Open a tracing case on one of the bureau's sought records (from its trace page).", s.handleOpenCasePage)
	s.page("GET", "/cases/{id}", access.CaseRead, "One tracing case beside the person's trace timeline: enquiries, contacts, tasks, notices, closing, and a form for each step.", s.handleCasePage)
	s.page("POST", "/cases/{id}/steps", access.CaseWrite, "Add a step to a case from its page; field errors are shown next to the fields of that step's form.", s.handleCaseStepForm)
}

type casesView struct {
	chrome
	Items    []sqlstore.CaseView
	State    string
	Overdue  bool
	Assignee string
	Today    person.Date
}

func (s *UI) handleCasesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	v := casesView{chrome: s.chromeFor(r, "cases.title"), State: q.Get("state"), Overdue: q.Get("overdue") == "1", Assignee: strings.TrimSpace(q.Get("assignee")),
		Today: casework.Today(s.db.Now())}
	if _, ok := r.URL.Query()["state"]; !ok {
		v.State = string(casework.Open) // the worklist: open cases, unless asked otherwise
	}
	if v.State != string(casework.Open) && v.State != string(casework.Closed) {
		v.State = ""
	}
	items, err := s.db.Cases(r.Context(), sc, casework.Filter{State: casework.State(v.State), Overdue: v.Overdue, Assignee: v.Assignee}, v.Today)
	if err != nil {
		return err
	}
	v.Items = items
	s.render(w, r, http.StatusOK, "cases.html", v)
	return nil
}

func (s *UI) handleOpenCasePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	c, err := s.db.OpenCase(r.Context(), sc, strings.TrimSpace(r.PostFormValue("record")), nil)
	if errs.Is(errs.Conflict, err) {
		// The person has an open case: go to it.
		for _, f := range errs.Fields(err) {
			if f.Code == "case_exists" && len(f.Args) == 1 {
				s.redirect(w, r, "/cases/"+url.PathEscape(f.Args[0]))
				return nil
			}
		}
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/cases/"+url.PathEscape(c.ID))
	return nil
}

type caseView struct {
	chrome
	C        sqlstore.CaseView
	K        casework.Case     // the case (C.Case), a value for the page
	Closing  *casework.Closing // why it is closed, while it is
	Timeline *crossing.Trace
	Tasks    []casework.TaskState
	Owner    bool     // the caller's bureau owns the case
	Users    []string // the bureau's registrars and approvers, for a task's assignee
	// Form is the step whose form was posted with errors; Posted its
	// values as typed.
	Form   string
	Posted url.Values
	Today  person.Date

	Relationships []casework.Relationship
	Modes         []casework.Mode
	News          []casework.News
	Reasons       []casework.CloseReason
	// Done is the kind of the step just recorded (?done=), said above the
	// page.
	Done string
}

// Val is the value a form's field shows: what was posted to that form,
// else "".
func (v caseView) Val(form, field string) string {
	if v.Form != form {
		return ""
	}
	return v.Posted.Get(field)
}

// FieldErr is the error of a field of a form, "" when none.
func (v caseView) FieldErr(form, field string) string {
	if v.Form != form {
		return ""
	}
	return v.Fields[field]
}

// caseInput is one text input of a step's form.
type caseInput struct{ ID, Name, Label, Value, Error string }

// In is the input field of form: its id, label, value as posted (a date
// of today by default) and error.
func (v caseView) In(form, field, labelKey string) caseInput {
	in := caseInput{ID: form + "-" + field, Name: field, Label: v.T(labelKey), Value: v.Val(form, field), Error: v.FieldErr(form, field)}
	if field == "date" && v.Form != form && !v.Today.IsZero() {
		in.Value = v.Day(v.Today)
	}
	return in
}

func (s *UI) caseView(r *http.Request, sc access.Scope, id string) (caseView, error) {
	c, err := s.db.Case(r.Context(), sc, id, casework.Today(s.db.Now()))
	if err != nil {
		return caseView{}, err
	}
	v := caseView{chrome: s.chromeFor(r, "cases.case"), C: c, Tasks: c.Case.Tasks(), Owner: sc.Party == c.Case.Party, Today: casework.Today(s.db.Now()),
		Relationships: casework.Relationships, Modes: casework.Modes, News: casework.AllNews, Reasons: casework.CloseReasons}
	v.K, v.Closing = *c.Case, c.Case.Closing()
	v.Title = c.Person.Fields.DisplayName()
	if c.Trace != nil {
		v.Timeline = &c.Trace.Trace
	}
	if v.Owner {
		users, err := s.db.Users(r.Context())
		if err != nil {
			return v, err
		}
		for _, u := range users {
			if u.Party == c.Case.Party && u.DisabledAt.IsZero() && (u.Role == access.PartyRegistrar || u.Role == access.PartyApprover) {
				v.Users = append(v.Users, u.Login)
			}
		}
	}
	return v, nil
}

func (s *UI) handleCasePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.caseView(r, sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	if done := casework.Kind(r.URL.Query().Get("done")); slices.Contains(casework.Kinds, done) {
		v.Done = string(done)
	}
	s.render(w, r, http.StatusOK, "case.html", v)
	return nil
}

// caseFormLimit bounds a posted step.
const caseFormLimit = 64 << 10

func (s *UI) handleCaseStepForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, caseFormLimit)
	if err := r.ParseForm(); err != nil {
		return errs.E("web.caseStep", errs.Invalid, "the form is too large or malformed")
	}
	st, bad := parseCaseStep(r.PostForm)
	err := errs.E("web.caseStep", errs.Invalid, bad)
	if len(bad) == 0 {
		_, err = s.db.AddCaseStep(r.Context(), sc, id, st)
		if err == nil {
			s.redirect(w, r, "/cases/"+url.PathEscape(id)+"?done="+url.QueryEscape(string(st.Kind))+"#steps")
			return nil
		}
	}
	fields := errs.Fields(err)
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) && !(errs.Is(errs.Forbidden, err) && len(fields) > 0) {
		return err
	}
	v, verr := s.caseView(r, sc, id)
	if verr != nil {
		return verr
	}
	v.Form, v.Posted, v.Fields = string(st.Kind), r.PostForm, map[string]string{}
	for _, f := range fields {
		v.Fields[f.Field] = fieldMessage(v.chrome, f)
	}
	if len(fields) == 0 {
		v.Message = errs.Message(err)
	} else if _, shown := v.Fields["kind"]; shown {
		v.Message = v.Fields["kind"]
	}
	s.render(w, r, http.StatusUnprocessableEntity, "case.html", v)
	return nil
}

// parseCaseStep reads a posted step: its kind, and the fields of its
// form, dates with the one date parser. What a step must be is the
// domain's (casework.Step.Validate, in the store).
func parseCaseStep(f url.Values) (casework.Step, []errs.FieldError) {
	var bad []errs.FieldError
	get := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	date := func(name string) person.Date {
		s := get(name)
		if s == "" {
			return person.Date{}
		}
		d, err := person.ReadDate(s)
		if err != nil {
			code := person.DateFormat
			if de, ok := err.(*person.DateError); ok {
				code = de.Code
			}
			fe := errs.FieldError{Field: name, Message: err.Error(), Args: []string{s}}
			fe.Code = code // one of person's date codes
			bad = append(bad, fe)
		}
		return d
	}
	st := casework.Step{Kind: casework.Kind(get("kind"))}
	switch st.Kind {
	case casework.KindEnquiry:
		st.Enquiry = &casework.Enquiry{Name: get("name"), Relationship: casework.Relationship(get("relationship")), Reach: get("reach"),
			Consent: get("consent") == "1", Date: date("date"), Note: get("note")}
	case casework.KindContact:
		st.Contact = &casework.Contact{Mode: casework.Mode(get("mode")), With: get("with"), Said: strings.TrimSpace(f.Get("said")), Date: date("date")}
	case casework.KindTask:
		st.Task = &casework.Task{Text: get("text"), Assignee: get("assignee"), Due: date("due")}
	case casework.KindTaskDone:
		n := 0
		for _, c := range get("task") {
			if c < '0' || c > '9' || n > 1e6 {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		st.Done = &casework.TaskDone{Task: n}
	case casework.KindNotified:
		st.Notice = &casework.Notice{News: casework.News(get("news")), How: casework.Mode(get("how")), By: get("by"), Date: date("date")}
	case casework.KindShared:
		st.Sharing = &casework.Sharing{Shared: get("shared") == "1"}
	case casework.KindClosed:
		st.Closing = &casework.Closing{Reason: casework.CloseReason(get("reason")), Into: get("into"), Note: get("note")}
	case casework.KindReopened:
		st.Reopen = &casework.Reopening{Reason: get("reason")}
	}
	return st, bad
}
