// Package web is handover's HTTP server: the wiring of the JSON API
// (web/api: /api/v1/, the log under /log/, health and readiness probes)
// and the pages (web/ui: templates and static files, forms read by
// web/ui/form, messages in internal/locale), the middleware (request ids,
// security headers, panic recovery, logging), authentication (API tokens
// and page sessions, the second factor), the login limiter and the mux.
// Every route is declared once in a table with the access.Action it
// needs (httpx.Route); handlers read top to bottom: parse → authorize →
// call the store → render. Errors become HTTP responses in exactly one
// place (httpx.Errors).
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/web/api"
	"github.com/handover-project/handover/internal/web/httpx"
	"github.com/handover-project/handover/internal/web/ui"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Config configures a Server.
type Config struct {
	// Signer signs checkpoints; nil on a server without a log key (it then
	// serves the log but cannot make checkpoints).
	Signer *sqlstore.Signer
	// LogVKey is the log's public verifier key, served for witnesses to
	// check against what they were given out of band.
	LogVKey string
	// Schedule says when a checkpoint is due.
	Schedule audit.CheckpointSchedule
	// SheetLimits bound imported files; zero fields keep the defaults of
	// sheet.DefaultLimits.
	SheetLimits sheet.Limits
	// LogPublic serves /log/checkpoint and /log/tile/… without a token
	// (serve --log-public); see httpx.Config.
	LogPublic bool
	// Witnesses is the status of the witnesses checkpoints are submitted
	// to (serve --witness), for the log page and the API; nil for none.
	Witnesses httpx.WitnessSource
	// MetricsAllow are the addresses that may read /metrics without a
	// token (serve --metrics-allow); anyone else needs the token of a
	// sysadmin (access.MetricsRead).
	MetricsAllow []netip.Prefix
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (serve --trusted-proxy): the address the login limiter,
	// an account's known addresses and the request log use (clientAddr).
	// MetricsAllow does not read it.
	TrustedProxies []netip.Prefix
}

// Origin returns the log's origin: the name of its key.
func (c Config) Origin() string { return c.log().Origin() }

// log is the log's part of the configuration, which the handlers read.
func (c Config) log() httpx.Config {
	return httpx.Config{Signer: c.Signer, LogVKey: c.LogVKey, Schedule: c.Schedule, LogPublic: c.LogPublic, Witnesses: c.Witnesses}
}

// Server serves handover over HTTP.
type Server struct {
	cfg    Config
	db     *sqlstore.DB
	log    *slog.Logger
	limits *loginLimiter
	routes []httpx.Route
	mux    *http.ServeMux
	errors *httpx.Errors
	// metrics are served at /metrics.
	metrics *metrics
	// sheetLim bounds imports (SetSheetLimits).
	sheetLim atomic.Pointer[sheet.Limits]
}

// New returns a server over db that logs to log.
func New(db *sqlstore.DB, log *slog.Logger, cfg Config) *Server {
	s := &Server{cfg: cfg, db: db, log: log, limits: newLoginLimiter(db, time.Now), mux: http.NewServeMux(), errors: &httpx.Errors{Log: log}}
	s.SetSheetLimits(cfg.SheetLimits)
	s.metrics = newMetrics(db, cfg.Witnesses, time.Now)
	// An erasure gives the freed space back after its commit; when that
	// fails the erasure stands and is answered, and the operator is told
	// here (the error holds no personal data).
	db.OnScrubFailure(func(ctx context.Context, err error) {
		log.Warn("an erasure committed, but the database did not give back the space it freed: the erased values stay in its files until the next checkpoint or vacuum",
			"request_id", httpx.RequestID(ctx), "err", err.Error())
	})
	a := api.New(api.Deps{DB: db, Log: log, Config: cfg.log(), Limiter: limiter{s.limits}, ImportLimits: s.importLimits, Counters: s.metrics})
	u := ui.New(ui.Deps{DB: db, Log: log, Config: cfg.log(), Limiter: limiter{s.limits}, ImportLimits: s.importLimits, Files: a.Files(), Counters: s.metrics})
	s.errors.Page = u.ErrorPage
	a.Register(s)
	u.Register(s)
	s.Add(httpx.Route{Method: "GET", Path: "/metrics", Action: access.MetricsRead,
		Summary: "The server's metrics in the Prometheus text format: requests, the database pool, the log, witnesses, imports, matching runs, stage events.", Handler: s.handleMetrics})
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.errors.JSON(w, r, errs.E("web.route", errs.NotFound, "no such API route: "+r.Method+" "+r.URL.Path))
	})
	return s
}

// Add adds a route to the table (httpx.Registrar).
func (s *Server) Add(rt httpx.Route) {
	if rt.Action == "" {
		panic("web: route " + rt.Method + " " + rt.Path + " declares no action")
	}
	s.routes = append(s.routes, rt)
}

// SetSheetLimits sets the limits on imported files (size, rows, cell
// length, unpacked XLSX size); zero fields keep their defaults. The
// server starts with Config.SheetLimits.
func (s *Server) SetSheetLimits(l sheet.Limits) { s.sheetLim.Store(&l) }

// importLimits are the server's sheet limits with the file size and the
// time limit set: the web bounds the upload and the whole import by them.
func (s *Server) importLimits() sheet.Limits {
	lim, def := s.sheetLimits(), sheet.DefaultLimits()
	if lim.MaxFileBytes <= 0 {
		lim.MaxFileBytes = def.MaxFileBytes
	}
	if lim.MaxDuration <= 0 {
		lim.MaxDuration = def.MaxDuration
	}
	return lim
}

func (s *Server) sheetLimits() sheet.Limits {
	if l := s.sheetLim.Load(); l != nil {
		return *l
	}
	return sheet.Limits{}
}

// Handler returns the whole HTTP handler with logging, request ids,
// security headers and panic recovery.
func (s *Server) Handler() http.Handler {
	return s.middleware(s.mux)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	login  string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get("X-Request-Id"))
		r = r.WithContext(httpx.WithClientIP(httpx.WithRequestID(r.Context(), id), clientAddr(r, s.cfg.TrustedProxies)))
		sw := &statusWriter{ResponseWriter: w}
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			// Only over TLS (RFC 6797 §7.2: a host sends it on secure
			// transport only): a browser that saw it comes back by https
			// for a year, so a network on the way cannot strip TLS.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", id, "route", routeOf(r), "panic", fmt.Sprint(v))
				if sw.status == 0 {
					s.errors.JSON(sw, r, errs.E("web.recover", errs.Internal, "panic in handler"))
				}
			}
			took := time.Since(start)
			s.metrics.request(r, sw.status, took)
			// The route's pattern, not the path: a path may carry a
			// login, a record's id, or anything a caller typed (a name
			// put where an id goes); no line names a person.
			s.log.Info("request", "request_id", id, "method", r.Method, "route", routeOf(r),
				"status", sw.status, "duration_ms", float64(took.Microseconds())/1000, "user", sw.login, "remote", httpx.ClientIP(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeOf is the pattern of the route that served r ("unmatched" when
// none did), for the logs and the metrics.
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// maxRequestID bounds an X-Request-Id taken from the caller.
const maxRequestID = 64

// requestID is the request's id: the caller's X-Request-Id (a reverse
// proxy's, so that its log and ours name one request alike) when it is 1
// to 64 letters, digits, '-', '_', '.' or ':'; otherwise a new random
// one. Nothing else a caller sends reaches a log line as it is.
func requestID(given string) string {
	if given != "" && len(given) <= maxRequestID && strings.IndexFunc(given, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':')
	}) < 0 {
		return given
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// wrap authenticates the caller of a non-public route, checks the route's
// action where it does not depend on the resource, and runs the handler.
// Record actions are decided again by the store with the record's party and
// register: there is no unscoped path.
func (s *Server) wrap(rt httpx.Route) http.Handler {
	if rt.UI {
		return s.wrapUI(rt)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var scope access.Scope
		if rt.Action == access.MetricsRead && s.metricsAllowed(r) {
			// A scraper at an address serve --metrics-allow names: no
			// account, and the metrics name no person.
			if err := rt.Handler(w, r, scope); err != nil {
				s.errors.JSON(w, r, err)
			}
			return
		}
		if rt.Action != access.Public {
			u, err := s.authenticate(r)
			if err != nil {
				s.errors.JSON(w, r, err)
				return
			}
			scope = u.Scope()
			if sw, ok := w.(*statusWriter); ok {
				sw.login = u.Login
			}
			switch rt.Action {
			case access.RecordCreate, access.RecordCorrect, access.RecordRead, access.RecordErase,
				access.ListSubmit, access.ListRespond, access.EvidenceWrite, access.AgreementSign,
				access.KeyPropose, access.KeyConfirm, access.KeyRevoke, access.CaseRead, access.CaseWrite, access.PriorityWrite, access.CustodyRead, access.CustodyWrite, access.TracingExport:
				// Decided by the store with the party the action is about.
			default:
				if err := access.Decide(scope, rt.Action, access.Resource{}); err != nil {
					s.errors.JSON(w, r, err)
					return
				}
			}
		}
		if err := rt.Handler(w, r, scope); err != nil {
			s.errors.JSON(w, r, err)
		}
	})
}

// authenticate reads "Authorization: Bearer TOKEN".
func (s *Server) authenticate(r *http.Request) (sqlstore.User, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return sqlstore.User{}, errs.E("web.authenticate", errs.Unauthenticated, "send an API token: Authorization: Bearer TOKEN")
	}
	return s.db.UserByToken(r.Context(), strings.TrimSpace(token))
}
