package api

import (
	"net/http"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerExchangeRoutes() {
	s.add("POST", "/api/v1/exchanges", access.ExchangeOpen, "Open an exchange between two parties with its terms (mediator).", s.handleOpenExchange)
	s.add("GET", "/api/v1/exchanges", access.ExchangeRead, "The exchanges the caller may see.", s.handleExchanges)
	s.add("GET", "/api/v1/exchanges/{id}", access.ExchangeRead, "One exchange and its terms.", s.handleExchange)
	s.add("POST", "/api/v1/exchanges/{id}/lists/{kind}", access.ListSubmit, "Submit the next version of the caller's party's offer or request list.", s.handleSubmitList)
	s.add("GET", "/api/v1/exchanges/{id}/lists/{party}/{kind}", access.ExchangeRead, "A version of a party's list with the persons as disclosed and their current answers.", s.handleList)
	s.add("POST", "/api/v1/exchanges/{id}/lists/{party}/{kind}/answers", access.ListRespond, "Answer persons of the other party's current list version.", s.handleRespond)
	s.add("GET", "/api/v1/exchanges/{id}/view", access.ExchangeRead, "Counts against the terms per side and category, violations, blockers, outstanding eligible.", s.handleExchangeView)
	s.add("POST", "/api/v1/records/{id}/evidence", access.EvidenceWrite, "Record eligibility evidence on one of the caller's party's records.", s.handleEvidence)
	s.add("GET", "/api/v1/records/{id}/evidence", access.RecordRead, "The current eligibility evidence of one of the caller's party's records.", s.handleEvidenceGet)
	s.add("POST", "/api/v1/exchanges/{id}/agreement", access.ExchangeOpen, "Freeze the agreed lists with a stage plan into the next agreement version (mediator).", s.handleFreeze)
	s.add("GET", "/api/v1/exchanges/{id}/agreement", access.ExchangeRead, "An agreement version (latest by default) with signatures and state.", s.handleAgreement)
	s.add("GET", "/api/v1/exchanges/{id}/agreement/persons", access.ExchangeRead, "An agreement version's persons as the caller may see them (names, Latin, birth date, service number), checked against the document.", s.handleAgreementPersons)
	s.add("GET", "/api/v1/exchanges/{id}/agreement/pdf", access.ExchangeRead, "An agreement version's persons printed (PDF, ?lang=uk|ru|en), the document hash on every page.", s.handleAgreementPDF)
	s.add("POST", "/api/v1/exchanges/{id}/agreement/signatures", access.AgreementSign, "Add a signature made offline with a registered key.", s.handleSign)
}

func (s *API) handleOpenExchange(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var ex exchange.Exchange
	if err := httpx.DecodeJSON(r, &ex); err != nil {
		return err
	}
	out, err := s.db.OpenExchange(r.Context(), sc, ex)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (s *API) handleExchanges(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	exs, err := s.db.Exchanges(r.Context(), sc)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Exchanges{Exchanges: exs})
	return nil
}

func (s *API) handleExchange(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ex, err := s.db.Exchange(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ex)
	return nil
}

func (s *API) handleSubmitList(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.ListSubmission
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.db.SubmitList(r.Context(), sc, r.PathValue("id"), exchange.ListKind(r.PathValue("kind")), in.Items, in.Removed, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiSubmittedList(out))
	return nil
}

func (s *API) handleList(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errs.E("web.list", errs.Invalid, "version is a number from 1")
		}
		version = n
	}
	lv, err := s.db.List(r.Context(), sc, r.PathValue("id"), r.PathValue("party"), exchange.ListKind(r.PathValue("kind")), version)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiListView(lv))
	return nil
}

func (s *API) handleRespond(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.AnswersRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Answers) == 0 || len(in.Answers) > 10000 {
		return errs.E("web.respond", errs.Invalid, "send between 1 and 10,000 answers")
	}
	out, err := s.db.Respond(r.Context(), sc, r.PathValue("id"), r.PathValue("party"), exchange.ListKind(r.PathValue("kind")), in.Version, in.Answers)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, api.Answers{Answers: out})
	return nil
}

func (s *API) handleExchangeView(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.db.ExchangeView(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (s *API) handleEvidence(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var ev exchange.Evidence
	if err := httpx.DecodeJSON(r, &ev); err != nil {
		return err
	}
	if err := s.db.SetEvidence(r.Context(), sc, r.PathValue("id"), ev); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleEvidenceGet returns the current evidence of a record, the whole
// of what the next POST replaces.
func (s *API) handleEvidenceGet(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ev, err := s.db.Evidence(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ev)
	return nil
}

func (s *API) handleFreeze(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.FreezeRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := s.db.FreezeAgreement(r.Context(), sc, s.cfg.Signer, r.PathValue("id"), in.Plan)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiAgreement(st))
	return nil
}

func (s *API) handleAgreement(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errs.E("web.agreement", errs.Invalid, "version is a number from 1")
		}
		version = n
	}
	st, err := s.db.Agreement(r.Context(), sc, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "text" {
		writeText(w, []byte(st.Document))
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, apiAgreement(st))
	return nil
}

func (s *API) handleSign(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.SignatureRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := s.db.SignAgreement(r.Context(), sc, r.PathValue("id"), in.Version, in.Line)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiAgreement(st))
	return nil
}
