package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Tracing: a bureau looks up the status of its sought persons (by name in
// any script and birth date, or by record id) and reads one person's
// timeline. Only the owning party's bureau sees them (the store decides
// per record).

func (s *UI) registerUITraceRoutes() {
	s.page("GET", "/trace", access.TraceRead, "Trace status lookup: the bureau's sought persons by name and birth date, or record id.", s.handleTracePage)
	s.page("GET", "/trace/{id}", access.TraceRead, "The trace timeline of one of the bureau's sought persons.", s.handleTracePerson)
}

type traceView struct {
	chrome
	Name     string
	Birth    string
	Searched bool
	Results  []sqlstore.TraceResult
}

func (s *UI) handleTracePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	v := traceView{chrome: s.chromeFor(r, "trace.title"), Name: strings.TrimSpace(q.Get("name")), Birth: strings.TrimSpace(q.Get("birth_date"))}
	if id := strings.TrimSpace(q.Get("id")); id != "" {
		s.redirect(w, r, "/trace/"+url.PathEscape(id))
		return nil
	}
	status := http.StatusOK
	if v.Name != "" || v.Birth != "" {
		v.Searched = true
		res, err := s.db.TraceSearch(r.Context(), sc, v.Name, v.Birth, 50)
		switch {
		case errs.Is(errs.Invalid, err):
			v.Fields = map[string]string{}
			for _, f := range errs.Fields(err) {
				v.Fields[f.Field] = fieldMessage(v.chrome, f)
			}
			if len(v.Fields) == 0 {
				v.Message = refusalText(v.chrome, err)
			}
			status = http.StatusUnprocessableEntity
		case err != nil:
			return err
		}
		v.Results = res
	}
	s.render(w, r, status, "trace.html", v)
	return nil
}

type tracePersonView struct {
	chrome
	R        sqlstore.TraceResult
	Timeline *crossing.Trace
	// Cases are the person's tracing cases; MayOpen says the caller may
	// open one (the bureau, when none is open).
	Cases   []*casework.Case
	MayOpen bool
}

func (s *UI) handleTracePerson(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	t, err := s.db.Trace(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := tracePersonView{chrome: s.chromeFor(r, "trace.person"), R: t, Timeline: &t.Trace}
	v.Title = t.Name
	if t.Kind == person.Sought && access.Decide(sc, access.CaseRead, access.Resource{Party: t.Party}) == nil {
		if v.Cases, err = s.db.CasesOfRecord(r.Context(), sc, t.RecordID); err != nil {
			return err
		}
		v.MayOpen = access.Decide(sc, access.CaseWrite, access.Resource{Party: t.Party}) == nil
		for _, c := range v.Cases {
			if c.State == casework.Open {
				v.MayOpen = false
			}
		}
	}
	s.render(w, r, http.StatusOK, "trace_person.html", v)
	return nil
}
