package api

import (
	"net/http"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The neutral's interview of a listed person (docs/design/law.md; GC III
// Art. 118 and its Commentary on non-refoulement).
func (s *API) registerInterviewRoutes() {
	s.add("POST", "/api/v1/exchanges/{id}/interviews", access.InterviewRecord, "Record the neutral's private interview of a held person listed in the exchange: {record_id, at, place, interviewer, organisation, outcome: wishes_return|refuses|not_interviewed, reason, notes, withhold, withhold_reason}; logged (interview.recorded). With withhold he asks that his information be withheld from his own side: his record gets a new version flagged with the basis own_request. The mediator's operator only.", s.handleRecordInterview)
	s.add("GET", "/api/v1/exchanges/{id}/interviews", access.ExchangeRead, "The held persons listed in the exchange with the neutral's interviews: the mediator's operator reads each interview whole; the parties and the auditor the latest outcome, who verified it and when, never the interviewer's name or notes.", s.handleInterviews)
}

func (s *API) handleRecordInterview(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var iv exchange.Interview
	if err := httpx.DecodeJSON(r, &iv); err != nil {
		return err
	}
	out, err := s.db.RecordInterview(r.Context(), sc, r.PathValue("id"), iv)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (s *API) handleInterviews(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	es, err := s.db.Interviews(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Interviews{Exchange: r.PathValue("id"), Persons: es})
	return nil
}
