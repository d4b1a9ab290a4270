// Package api is handover's JSON API under /api/v1/, the log under /log/
// and the health and readiness probes: one file per group of routes, each
// route added to the server's table (httpx.Registrar) with the
// access.Action it needs. The request and response types are
// internal/api's, shared with the Go client; openapi.json describes the
// routes (a test of the server keeps the two in step).
package api

import (
	"log/slog"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// Deps is what the API's handlers need from the server.
type Deps struct {
	DB     *sqlstore.DB
	Log    *slog.Logger
	Config httpx.Config
	// Limiter bounds the guessing of passwords and one-time codes.
	Limiter httpx.Limiter
	// ImportLimits are the limits on imported files now, with the file
	// size and the time limit set.
	ImportLimits func() sheet.Limits
	// Counters count imports for the server's metrics; nil counts nothing.
	Counters httpx.Counters
}

// API is the JSON API's handlers.
type API struct {
	db           *sqlstore.DB
	log          *slog.Logger
	cfg          httpx.Config
	limits       httpx.Limiter
	importLimits func() sheet.Limits
	reg          httpx.Registrar
	counters     httpx.Counters
	// LoginTokenTTL is how long a token issued by password login lives.
	LoginTokenTTL time.Duration
}

// New returns the API over d.
func New(d Deps) *API {
	return &API{db: d.DB, log: d.Log, cfg: d.Config, limits: d.Limiter, importLimits: d.ImportLimits, counters: d.Counters, LoginTokenTTL: 12 * time.Hour}
}

// countImport counts an import's outcome, if the server counts.
func (s *API) countImport(outcome string, records int) {
	if s.counters != nil {
		s.counters.Import(outcome, records)
	}
}

// Register adds the API's routes to r.
func (s *API) Register(r httpx.Registrar) {
	s.reg = r
	s.registerHealthRoutes()
	s.registerAuthRoutes()
	s.registerRecordRoutes()
	s.registerAdminRoutes()
	s.registerLogRoutes()
	s.registerMatchingRoutes()
	s.registerExchangeRoutes()
	s.registerSheetRoutes()
	s.registerCrossingRoutes()
	s.registerCaseRoutes()
	s.registerBacklogRoutes()
	s.registerCustodyRoutes()
	s.registerTracingRoutes()
	s.registerInterviewRoutes()
	s.registerAnnexRoutes()
}

func (s *API) add(method, path string, action access.Action, summary string, h httpx.HandlerFunc) {
	s.reg.Add(httpx.Route{Method: method, Path: path, Action: action, Summary: summary, Handler: h})
}

// Files are the handlers of the files the pages serve too.
func (s *API) Files() httpx.Files {
	return httpx.Files{Export: s.handleExport, StageList: s.handleStageList, ExchangeReport: s.handleExchangeReport, AgreementPDF: s.handleAgreementPDF, TracingExport: s.handleTracingExport,
		CaptureCard: s.handleCaptureCard, DeathNotice: s.handleDeathNotice}
}
