package ui

import (
	"log/slog"

	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// Deps is what the pages need from the server.
type Deps struct {
	DB     *sqlstore.DB
	Log    *slog.Logger
	Config httpx.Config
	// Limiter bounds the guessing of passwords and one-time codes.
	Limiter httpx.Limiter
	// ImportLimits are the limits on imported files now, with the file
	// size and the time limit set.
	ImportLimits func() sheet.Limits
	// Files are the API's handlers of the files the pages serve too.
	Files httpx.Files
	// Counters count imports for the server's metrics; nil counts nothing.
	Counters httpx.Counters
}

// UI is the pages' handlers, with their templates and the uploads held
// between preview and confirmation.
type UI struct {
	db           *sqlstore.DB
	log          *slog.Logger
	cfg          httpx.Config
	limits       httpx.Limiter
	importLimits func() sheet.Limits
	files        httpx.Files
	reg          httpx.Registrar
	counters     httpx.Counters
	ui           *uiTemplates
	// uploads holds the files previewed until they are confirmed.
	uploads *uploadStore
}

// New returns the pages over d, their templates parsed.
func New(d Deps) *UI {
	t, err := parseUITemplates()
	if err != nil {
		panic("web: templates: " + err.Error())
	}
	return &UI{db: d.DB, log: d.Log, cfg: d.Config, limits: d.Limiter, importLimits: d.ImportLimits, files: d.Files, counters: d.Counters, ui: t, uploads: newUploadStore(d.DB)}
}

// countImport counts an import's outcome, if the server counts.
func (s *UI) countImport(outcome string, records int) {
	if s.counters != nil {
		s.counters.Import(outcome, records)
	}
}

// Register adds the pages' routes to r.
func (s *UI) Register(r httpx.Registrar) {
	s.reg = r
	s.registerUIRoutes()
}
