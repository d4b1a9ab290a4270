// Package httpx is what the server's two layers share: the JSON API
// (web/api) and the pages (web/ui) each add their routes to a Registrar
// as Route values with the access.Action they need, write handlers of one
// type (HandlerFunc), read and write JSON with DecodeJSON and WriteJSON,
// and have their errors rendered in one place (Errors: a JSON problem for
// the API, the UI's error page for pages). The server (web) holds the
// route table, the middleware, authentication and the login limiter, and
// tells the handlers who is calling through the request's context
// (RequestID, VisitorOf).
package httpx

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
)

// HandlerFunc is a route's handler: it gets the caller's scope (zero for
// public routes) and returns an error that Errors renders.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, s access.Scope) error

// Route is one entry of the route table. Every route declares the action
// it needs; a route without one cannot be registered (and a test walks
// them all with every role).
type Route struct {
	Method  string
	Path    string // net/http pattern path, e.g. /api/v1/records/{id}
	Action  access.Action
	Summary string
	UI      bool // a page: session cookie, HTML errors
	Handler HandlerFunc
}

// Registrar is the route table the layers add their routes to.
type Registrar interface {
	Add(rt Route)
}

// Config is the log's part of the server's configuration, which both
// layers read.
type Config struct {
	// Signer signs checkpoints; nil on a server without a log key (it then
	// serves the log but cannot make checkpoints).
	Signer *sqlstore.Signer
	// LogVKey is the log's public verifier key, served for witnesses to
	// check against what they were given out of band.
	LogVKey string
	// Schedule says when a checkpoint is due.
	Schedule audit.CheckpointSchedule
	// LogPublic serves the C2SP tlog-tiles endpoints (/log/checkpoint,
	// /log/tile/…) to anyone, without a token; by default they are read
	// with a token of an account that may read the log (docs/design/log.md
	// §9). Proofs, keys and cosigning stay behind the API's tokens.
	LogPublic bool
	// Witnesses returns the status of the witnesses the server submits its
	// checkpoints to (serve --witness); nil when there are none.
	Witnesses WitnessSource
}

// WitnessSource returns the witnesses' status, in the order configured.
type WitnessSource func() []api.WitnessStatus

// Origin returns the log's origin: the name of its key.
func (c Config) Origin() string {
	if c.Signer != nil {
		return c.Signer.Origin
	}
	return audit.KeyName(c.LogVKey)
}

// Limiter bounds the guessing of passwords and one-time codes (the
// server's login limiter). Reserve counts an attempt at login from addr
// before the secret is checked; it returns nil and how long to wait when
// the limits allow none, or an error when it could not count (the
// database is out of reach): then nothing is let through.
type Limiter interface {
	Reserve(ctx context.Context, login, addr string) (Attempt, time.Duration, error)
}

// Attempt is a reserved attempt. Exactly one of Fail, Succeed or Release
// settles it; later calls do nothing, so a handler may defer Release and
// settle it earlier.
type Attempt interface {
	Fail()
	Succeed()
	Release()
}

// Files are the API's handlers whose files the pages serve too: a
// download is the same file either way. The server hands them from
// web/api to web/ui, which do not import each other.
type Files struct {
	Export         HandlerFunc // a register as XLSX, CSV or JSON
	StageList      HandlerFunc // a stage's list, JSON or PDF
	ExchangeReport HandlerFunc // the report of an exchange, JSON or XLSX
	AgreementPDF   HandlerFunc // an agreement's persons printed, in ?lang=
	TracingExport  HandlerFunc // a held register for the Central Tracing Agency, logged
	CaptureCard    HandlerFunc // a held person's capture card (Annex IV B), PDF
	DeathNotice    HandlerFunc // a held person's death notification (Annex IV D), PDF
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	visitorKey
	clientIPKey
)

// WithRequestID returns ctx carrying the request's id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID is the request's id (X-Request-Id), "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithClientIP returns ctx carrying the address of the request's client,
// as the server found it (behind a trusted proxy, from X-Forwarded-For).
func WithClientIP(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientIPKey, addr)
}

// ClientIP is the address the request came from: the client's, as the
// server found it (WithClientIP), else the connection's.
func ClientIP(r *http.Request) string {
	if a, ok := r.Context().Value(clientIPKey).(string); ok {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SessionCookie is the session cookie's name. The __Host- prefix makes
// the browser refuse it unless it is Secure, has Path=/ and no Domain.
const SessionCookie = "__Host-handover"

// SessionLimits are the pages' session limits.
var SessionLimits = sqlstore.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

// Visitor is a page request's state, set by the server's session check:
// the user and session (zero without one), the session's secret, and the
// language.
type Visitor struct {
	User    sqlstore.User
	Session sqlstore.Session
	Secret  string
	Lang    string
}

// WithVisitor returns r carrying v.
func WithVisitor(r *http.Request, v *Visitor) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), visitorKey, v))
}

// VisitorOf is the request's Visitor; outside a page, one with no
// session reading English.
func VisitorOf(r *http.Request) *Visitor {
	if v, ok := PageVisitor(r); ok {
		return v
	}
	return &Visitor{Lang: "en"}
}

// PageVisitor is the Visitor of a page request; false for an API request
// (an API handler that also serves a page, as a printed list does, asks
// it for the page's language).
func PageVisitor(r *http.Request) (*Visitor, bool) {
	v, ok := r.Context().Value(visitorKey).(*Visitor)
	return v, ok
}

// ToLogin sends a visitor without a session to the login page, to come
// back to where they were going.
func ToLogin(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	Redirect(w, r, "/login?next="+url.QueryEscape(next))
}

// Redirect answers 303 See Other, or tells htmx to navigate.
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
