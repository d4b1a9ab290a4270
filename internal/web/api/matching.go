package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerMatchingRoutes() {
	s.add("POST", "/api/v1/matching/runs", access.MatchRun, "Run matching: one party's sought register against the other's held register.", s.handleMatchRun)
	s.add("GET", "/api/v1/matching/runs", access.MatchReview, "The matching runs, newest first.", s.handleMatchRuns)
	s.add("GET", "/api/v1/matching/runs/{id}/candidates", access.MatchReview, "A run's candidate pairs, best first, with explanations and decisions.", s.handleCandidates)
	s.add("POST", "/api/v1/matching/decisions", access.MatchReview, "Confirm, reject or undo a candidate pair, with a reason.", s.handleDecide)
	s.add("POST", "/api/v1/matching/disclosures", access.MatchReview, "Disclose a confirmed match to the party that seeks the person.", s.handleDisclose)
	s.add("GET", "/api/v1/matches", access.MatchRead, "The confirmed matches disclosed to the caller's party.", s.handleDisclosedMatches)
}

func (s *API) handleMatchRun(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.MatchRunRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	threshold := match.DefaultThreshold
	if in.Threshold != nil {
		if *in.Threshold <= 0 || *in.Threshold >= 1 {
			return errs.E("web.matchRun", errs.Invalid, "threshold is a probability between 0 and 1", errs.FieldError{Field: "threshold", Message: "between 0 and 1"})
		}
		threshold = *in.Threshold
	}
	run, err := s.db.RunMatching(r.Context(), sc, in.SoughtParty, in.HeldParty, threshold)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiMatchRun(run))
	return nil
}

func (s *API) handleMatchRuns(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	runs, err := s.db.MatchRuns(r.Context(), sc)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.MatchRuns{Runs: nonNil(each(runs, apiMatchRun))})
	return nil
}

func (s *API) handleCandidates(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id, err := httpx.PathInt(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sqlstore.CandidateFilter{RunID: id, Status: q.Get("status")}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errs.E("web.candidates", errs.Invalid, fmt.Sprintf("%s %q is not a number", name, v))
			}
			*dst = n
		}
	}
	cs, err := s.db.Candidates(r.Context(), sc, f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Candidates{Candidates: each(cs, apiCandidate)})
	return nil
}

func (s *API) handleDecide(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.Pair
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.db.DecideMatch(r.Context(), sc, in.SoughtID, in.HeldID, in.Decision, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiCandidate(c))
	return nil
}

func (s *API) handleDisclose(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.Pair
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.db.DiscloseMatch(r.Context(), sc, in.SoughtID, in.HeldID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleDisclosedMatches(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ms, err := s.db.DisclosedMatches(r.Context(), sc)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Matches{Matches: each(ms, apiDisclosedMatch)})
	return nil
}
