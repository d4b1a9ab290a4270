// Package web is handover's HTTP adapter: the JSON API under /api/v1/, the
// log under /log/, health and readiness probes, and the server-rendered
// pages (ui_*.go, templates and static files under ui/, their forms read
// by web/ui/form, their messages in internal/locale). Every route is declared once in a table with the
// access.Action it needs; handlers read top to bottom: parse → authorize →
// call the store → render. Errors become HTTP responses in exactly one
// place (writeError).
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/handover-project/handover/internal/sheet"

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
}

// Origin returns the log's origin: the name of its key.
func (c Config) Origin() string {
	if c.Signer != nil {
		return c.Signer.Origin
	}
	return audit.KeyName(c.LogVKey)
}

// Server serves handover over HTTP.
type Server struct {
	cfg    Config
	db     *sqlstore.DB
	log    *slog.Logger
	limits *loginLimiter
	routes []route
	mux    *http.ServeMux
	ui     *uiTemplates
	// sheetLim bounds imports (SetSheetLimits); uploads holds the files
	// previewed in the UI until they are confirmed.
	sheetLim atomic.Pointer[sheet.Limits]
	uploads  *uploadStore
	// runJobs are the matching runs started from the page.
	runJobs runJobs
	// LoginTokenTTL is how long a token issued by password login lives.
	LoginTokenTTL time.Duration
}

// handlerFunc is a route's handler: it gets the caller's scope (zero for
// public routes) and returns an error that writeError renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s access.Scope) error

// route is one entry of the route table. Every route declares the action it
// needs; a route without one cannot be registered (and a test walks them
// all with every role).
type route struct {
	Method  string
	Path    string // net/http pattern path, e.g. /api/v1/records/{id}
	Action  access.Action
	Summary string
	UI      bool // a page: session cookie, HTML errors (wrapUI)
	h       handlerFunc
}

// New returns a server over db that logs to log.
func New(db *sqlstore.DB, log *slog.Logger, cfg Config) *Server {
	s := &Server{cfg: cfg, db: db, log: log, limits: newLoginLimiter(time.Now), mux: http.NewServeMux(), uploads: newUploadStore(), LoginTokenTTL: 12 * time.Hour}
	s.SetSheetLimits(cfg.SheetLimits)
	s.registerHealthRoutes()
	s.registerAuthRoutes()
	s.registerRecordRoutes()
	s.registerAdminRoutes()
	s.registerLogRoutes()
	s.registerMatchingRoutes()
	s.registerExchangeRoutes()
	s.registerUIRoutes()
	s.registerSheetRoutes()
	s.registerCrossingRoutes()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errs.E("web.route", errs.NotFound, "no such API route: "+r.Method+" "+r.URL.Path))
	})
	return s
}

func (s *Server) add(method, path string, action access.Action, summary string, h handlerFunc) {
	if action == "" {
		panic("web: route " + method + " " + path + " declares no action")
	}
	s.routes = append(s.routes, route{Method: method, Path: path, Action: action, Summary: summary, h: h})
}

// Handler returns the whole HTTP handler with logging, request ids,
// security headers and panic recovery.
func (s *Server) Handler() http.Handler {
	return s.middleware(s.mux)
}

type ctxKey int

const requestIDKey ctxKey = 0

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
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
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", id, "panic", v)
				if sw.status == 0 {
					s.writeError(sw, r, errs.E("web.recover", errs.Internal, "panic in handler"))
				}
			}
			s.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "user", sw.login, "remote", clientIP(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

// wrap authenticates the caller of a non-public route, checks the route's
// action where it does not depend on the resource, and runs the handler.
// Record actions are decided again by the store with the record's party and
// register: there is no unscoped path.
func (s *Server) wrap(rt route) http.Handler {
	if rt.UI {
		return s.wrapUI(rt)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var scope access.Scope
		if rt.Action != access.Public {
			u, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			scope = u.Scope()
			if sw, ok := w.(*statusWriter); ok {
				sw.login = u.Login
			}
			switch rt.Action {
			case access.RecordCreate, access.RecordCorrect, access.RecordRead,
				access.ListSubmit, access.ListRespond, access.EvidenceWrite, access.AgreementSign,
				access.KeyPropose, access.KeyConfirm, access.KeyRevoke:
				// Decided by the store with the party the action is about.
			default:
				if err := access.Decide(scope, rt.Action, access.Resource{}); err != nil {
					s.writeError(w, r, err)
					return
				}
			}
		}
		if err := rt.h(w, r, scope); err != nil {
			s.writeError(w, r, err)
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

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
