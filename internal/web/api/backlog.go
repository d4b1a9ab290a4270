package api

import (
	"net/http"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The backlog across rounds (docs/design/law.md): a bureau's sought persons
// with every request, answer, no-show and refusal; their priority flags;
// the unresolved carried into the next round's request list.
func (s *API) registerBacklogRoutes() {
	s.add("GET", "/api/v1/backlog", access.TraceRead, "The bureau's backlog across exchange rounds: every sought person it requested or flagged, with every request, answer, no-show and refusal and their dates, unresolved and most often requested first.", s.handleBacklog)
	s.add("GET", "/api/v1/backlog/{id}", access.TraceRead, "One of the bureau's sought persons across rounds: his requests, answers, no-shows and refusals with dates, and his priority flags.", s.handleBacklogOf)
	s.add("POST", "/api/v1/backlog/{id}/flags", access.PriorityWrite, "Set the priority flags of one of the bureau's sought persons (held_longest, woman, wounded, and a named group); logged.", s.handlePriority)
	s.add("GET", "/api/v1/exchanges/{id}/carry", access.TraceRead, "Who the caller's party carries into its request list of this exchange: the persons requested in its earlier rounds and still unresolved, each as a request item with its reason (in lang, or Accept-Language).", s.handleCarry)
}

func apiBacklogPerson(e sqlstore.BacklogEntry) api.BacklogPerson {
	return api.BacklogPerson{Person: e.Person, Name: e.Name, BirthDate: e.BirthDate, ServiceNumber: e.ServiceNumber}
}

func (s *API) handleBacklog(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.db.Backlog(r.Context(), sc)
	if err != nil {
		return err
	}
	out := api.Backlog{Party: v.Party, Rounds: v.Rounds, Persons: each(v.Persons, apiBacklogPerson)}
	if out.Persons == nil {
		out.Persons = []api.BacklogPerson{}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *API) handleBacklogOf(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	e, err := s.db.BacklogOf(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiBacklogPerson(e))
	return nil
}

func (s *API) handlePriority(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var f backlog.Flags
	if err := httpx.DecodeJSON(r, &f); err != nil {
		return err
	}
	if _, err := s.db.SetPriority(r.Context(), sc, r.PathValue("id"), f); err != nil {
		return err
	}
	e, err := s.db.BacklogOf(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiBacklogPerson(e))
	return nil
}

func (s *API) handleCarry(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, err := reportLang(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	round, carried, err := s.db.CarryOver(r.Context(), sc, id)
	if err != nil {
		return err
	}
	out := api.Carry{Exchange: id, Round: round, Items: []api.CarryItem{}}
	for _, c := range carried {
		c.Item.Reason = httpx.CarryReason(lang, c.Carried)
		out.Items = append(out.Items, api.CarryItem{Carried: c.Carried, Reason: c.Item.Reason, Name: c.Name, BirthDate: c.BirthDate, ServiceNumber: c.ServiceNumber})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
