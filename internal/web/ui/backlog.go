package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The backlog across rounds (docs/design/law.md): the bureau's sought
// persons requested most often and never released, one person's requests,
// answers, no-shows and refusals with dates, and the form that sets his
// priority flags. Only the owning party's bureau sees them (the store
// decides per record).

func (s *UI) registerUIBacklogRoutes() {
	s.page("GET", "/backlog", access.TraceRead, "The bureau's backlog across rounds: who has been requested most often and never released, with counts and the last answer.", s.handleBacklogPage)
	s.page("GET", "/backlog/{id}", access.TraceRead, "One sought person across rounds: every request, answer, no-show and refusal with dates, and his priority flags.", s.handleBacklogPerson)
	s.page("POST", "/backlog/{id}/flags", access.PriorityWrite, "Set the priority flags of one of the bureau's sought persons.", s.handlePriorityForm)
}

type backlogView struct {
	chrome
	B          sqlstore.BacklogView
	Unresolved int
}

func (s *UI) handleBacklogPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	b, err := s.db.Backlog(r.Context(), sc)
	if err != nil {
		return err
	}
	v := backlogView{chrome: s.chromeFor(r, "backlog.title"), B: b}
	for _, p := range b.Persons {
		if !p.Resolved {
			v.Unresolved++
		}
	}
	s.render(w, r, http.StatusOK, "backlog.html", v)
	return nil
}

type backlogPersonView struct {
	chrome
	P       sqlstore.BacklogEntry
	Marks   []backlog.Mark
	MayFlag bool
	// Posted is the flags as typed, after a refused form.
	Posted *backlog.Flags
}

// Checked reports whether the form shows mark m checked.
func (v backlogPersonView) Checked(m backlog.Mark) bool {
	if v.Posted != nil {
		return v.Posted.Has(m)
	}
	return v.P.Flags.Has(m)
}

// Group is the group the form shows.
func (v backlogPersonView) Group() string {
	if v.Posted != nil {
		return v.Posted.Group
	}
	return v.P.Flags.Group
}

func (s *UI) backlogPerson(r *http.Request, sc access.Scope) (backlogPersonView, error) {
	p, err := s.db.BacklogOf(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return backlogPersonView{}, err
	}
	v := backlogPersonView{chrome: s.chromeFor(r, "backlog.person"), P: p, Marks: backlog.Marks,
		MayFlag: access.Decide(sc, access.PriorityWrite, access.Resource{Party: sc.Party}) == nil}
	v.Title = v.T("backlog.personof", p.Name)
	return v, nil
}

func (s *UI) handleBacklogPerson(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.backlogPerson(r, sc)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") == "flags" {
		v.Flash = v.T("backlog.saved")
	}
	s.render(w, r, http.StatusOK, "backlog_person.html", v)
	return nil
}

func (s *UI) handlePriorityForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.priority", 1<<16); err != nil {
		return err
	}
	f := backlog.Flags{Group: strings.TrimSpace(r.PostForm.Get("group"))}
	for _, m := range r.PostForm["mark"] {
		f.Marks = append(f.Marks, backlog.Mark(m))
	}
	_, err := s.db.SetPriority(r.Context(), sc, r.PathValue("id"), f)
	if err == nil {
		s.redirect(w, r, "/backlog/"+url.PathEscape(r.PathValue("id"))+"?done=flags#flags")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.backlogPerson(r, sc)
	if verr != nil {
		return verr
	}
	v.Posted = &f
	v.Fields, v.Message = formRefused(v.chrome, err)
	s.render(w, r, http.StatusUnprocessableEntity, "backlog_person.html", v)
	return nil
}
