package api

import (
	"net/http"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerHealthRoutes() {
	s.add("GET", "/healthz", access.Public, "Liveness: the process answers.", s.handleHealthz)
	s.add("GET", "/readyz", access.Public, "Readiness: the database answers, migrations are applied and the messages load.", s.handleReadyz)
	s.add("GET", "/api/v1/openapi.json", access.Public, "This API's OpenAPI 3 description.", s.handleOpenAPI)
}

func (s *API) handleHealthz(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	httpx.WriteJSON(w, http.StatusOK, api.Status{Status: "ok"})
	return nil
}

func (s *API) handleReadyz(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	err := s.db.Ready(r.Context())
	if err == nil {
		err = locale.Err() // a page without its messages shows their keys
	}
	if err != nil {
		s.log.Warn("not ready", "err", err)
		httpx.WriteJSON(w, http.StatusServiceUnavailable, api.Status{Status: "not ready"})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, api.Status{Status: "ready"})
	return nil
}

func (s *API) handleOpenAPI(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if len(openAPIDoc) == 0 {
		return errs.E("web.openapi", errs.Internal, "no API description embedded")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
	return nil
}
