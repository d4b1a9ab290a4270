// Package ui is handover's pages: server-rendered html/template pages
// embedded in the binary (templates/, static/), sharing the route table
// and the policy function (access.Decide) with the JSON API through
// web/httpx. Pages authenticate with a server-side session cookie instead
// of a Bearer token (the server's session check, which puts the visitor
// in the request: httpx.VisitorOf); state-changing requests are checked
// by http.CrossOriginProtection; every page carries a strict
// Content-Security-Policy (CSP) with no inline script or style. One file
// per page group: auth.go, records.go, matching.go, log.go, admin.go, …;
// the forms are read by ui/form, the messages are internal/locale's.
// docs/design/ui.md says how to add a page.
package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

//go:embed templates/*.html static
var uiFS embed.FS

// CSP is the pages' Content-Security-Policy: scripts, styles and images
// only from this server, no inline script or style, no framing, forms
// posting only here. (The JSON API keeps its own default-src 'none'.)
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// langCookie remembers the language chosen before logging in.
const langCookie = "handover-lang"

// uiTemplates holds every page, each parsed once at start with the layout.
type uiTemplates struct {
	pages map[string]*template.Template
}

// pageViews names every page template with its view model: the zero-value
// test renders each, and a test checks that every template file is here.
var pageViews = map[string]any{
	"login.html":          loginView{},
	"totp.html":           totpView{},
	"error.html":          errorView{},
	"home.html":           homeView{},
	"records.html":        recordsView{},
	"record.html":         recordView{},
	"record_form.html":    recordFormView{},
	"runs.html":           runsView{},
	"run_job.html":        runJobView{},
	"candidates.html":     candidatesView{},
	"matches.html":        matchesView{},
	"audit.html":          auditView{},
	"admin_users.html":    adminUsersView{},
	"admin_tokens.html":   adminTokensView{},
	"keys.html":           keysView{},
	"enrol.html":          enrolView{},
	"reset.html":          resetView{},
	"account.html":        accountView{},
	"candidate_row.html":  candidateCard{},
	"exchanges.html":      exchangesView{},
	"exchange.html":       exchangeView{},
	"agreement.html":      agreementView{},
	"freeze.html":         freezeView{},
	"list_submit.html":    draftView{},
	"exchange_new.html":   exchangeNewView{},
	"crossing.html":       crossingView{},
	"stage.html":          stageView{},
	"stages.html":         stagesView{},
	"remains.html":        remainsView{},
	"trace.html":          traceView{},
	"trace_person.html":   tracePersonView{},
	"backlog.html":        backlogView{},
	"backlog_person.html": backlogPersonView{},
	"custody.html":        custodyOverdueView{},
	"custody_person.html": custodyView{},
	"interviews.html":     interviewsView{},
	"import.html":         importView{},
	"import_done.html":    importDoneView{},
	"export.html":         exportView{},
	"evidence.html":       evidenceView{},
	"cases.html":          casesView{},
	"case.html":           caseView{},
}

func parseUITemplates() (*uiTemplates, error) {
	base, err := template.New("layout.html").Funcs(uiFuncs).ParseFS(uiFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	t := &uiTemplates{pages: map[string]*template.Template{}}
	files, _ := fs.Glob(uiFS, "templates/*.html")
	for _, f := range files {
		name := path.Base(f)
		if name == "layout.html" {
			continue
		}
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(uiFS, f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.pages[name] = c
	}
	return t, nil
}

// uiFuncs are the template functions that do not depend on the language
// (those that do are methods of chrome, reached as .T, .N, .Date).
var uiFuncs = template.FuncMap{
	"latin": func(s string) string {
		if s == "" {
			return ""
		}
		return names.Latin(s)
	},
	// latinof is a record's Latin form, by the system its own fields
	// decide (person.LatinOf): prefer it to latin wherever the record is
	// at hand.
	"latinof": func(party string, f person.Fields) person.LatinForm { return person.LatinOf(party, &f) },
	"pct":     func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"add":     func(a, b int) int { return a + b },
	"list":    func(s ...string) []string { return s },
	"name":    func(f person.Fields) string { return f.DisplayName() },
	"fixed": func(f float64) string {
		return fmt.Sprintf("%+.2f", f)
	},
}

// chrome is what every page's view carries: who is looking, in what
// language, and the navigation they may use. Its zero value renders.
type chrome struct {
	Lang  string
	Title string
	Path  string
	User  sqlstore.User
	Nav   []navItem
	Flash string
	// Fields holds field-level errors of a form, by field name.
	Fields map[string]string
	// Message is a form's overall error.
	Message string
}

type navItem struct {
	Href, Label string
	Current     bool
}

// T translates key with fmt-style arguments.
func (c chrome) T(key string, args ...any) string { return locale.T(c.lang(), key, args...) }

// P says "n things" with the language's plural form of key.
func (c chrome) P(key string, n any) string {
	switch v := n.(type) {
	case int:
		return locale.Plural(c.lang(), key, v)
	case int64:
		return locale.Plural(c.lang(), key, int(v))
	}
	return locale.Plural(c.lang(), key, 0)
}

// N formats a number in the language's way (100 000 or 100,000).
func (c chrome) N(n any) string { return locale.Number(c.lang(), n) }

// Date formats a time in the language's way, in UTC.
func (c chrome) Date(t time.Time) string { return locale.DateTime(c.lang(), t) }

// Day formats a date of a record, which may lack its day or month, the
// way people of the language write it: 14.05.1998, 05.1998 or 1998 in
// Ukrainian and Russian; 14 May 1998, May 1998 or 1998 in English.
func (c chrome) Day(d person.Date) string { return locale.Day(c.lang(), d.Year, d.Month, d.Day) }

// Err returns the error of a form field, "" when none.
func (c chrome) Err(field string) string { return c.Fields[field] }

func (c chrome) lang() string {
	if c.Lang == "" {
		return "en"
	}
	return c.Lang
}

// uiCtx is the request's UI state, set by the server's session check.
type uiCtx = httpx.Visitor

func uiState(r *http.Request) *uiCtx { return httpx.VisitorOf(r) }

// needsMFA says which roles must pass a second factor (access.Role.NeedsMFA).
func needsMFA(r access.Role) bool { return r.NeedsMFA() }

// page adds a UI route to the route table.
func (s *UI) page(method, path string, action access.Action, summary string, h httpx.HandlerFunc) {
	s.reg.Add(httpx.Route{Method: method, Path: path, Action: action, Summary: summary, UI: true, Handler: h})
}

func (s *UI) registerUIRoutes() {
	s.page("GET", "/static/{path...}", access.Public, "Stylesheet, scripts and vendored htmx.", s.handleStatic)
	s.page("GET", "/{$}", access.SelfRead, "Home: counts of what the user may see.", s.handleHome)
	s.registerUIAuthRoutes()
	s.registerUIRecordRoutes()
	s.registerUIMatchingRoutes()
	s.registerMatchRunRoutes()
	s.registerUILogRoutes()
	s.registerUIAdminRoutes()
	s.registerUIKeyRoutes()
	s.registerUIExchangeRoutes()
	s.registerUIAgreementRoutes()
	s.registerUICrossingRoutes()
	s.registerUITraceRoutes()
	s.registerUIBacklogRoutes()
	s.registerUICustodyRoutes()
	s.registerUIInterviewRoutes()
	s.registerUISheetRoutes()
	s.registerUIEvidenceRoutes()
	s.registerUICaseRoutes()
}

// redirect answers 303 See Other, or tells htmx to navigate.
func (s *UI) redirect(w http.ResponseWriter, r *http.Request, to string) { httpx.Redirect(w, r, to) }

// safeNext keeps a post-login destination on this site: a path of ours,
// written in printable ASCII (as the login redirect escapes it), or "/".
// Browsers strip tabs and newlines from a URL, read "\" as "/", resolve
// "/./" and "/../", and take "//host" as another site, in the raw form
// and once decoded; so every byte outside '!'..'~', a backslash, an empty
// or dot segment, or a scheme or host refuses the destination.
func safeNext(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c > '~' || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	segs := strings.Split(u.Path, "/")[1:]
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i < len(segs)-1) || strings.ContainsFunc(seg, unsafeInPath) {
			return "/"
		}
	}
	return next
}

func unsafeInPath(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }

type errorView struct {
	chrome
	Status    int
	Kind      string
	Text      string
	RequestID string
}

// ErrorPage renders a problem (httpx.Errors.HTML) as an HTML page, with
// the status of its Kind; an Internal error shows the request id and
// never its cause. A visitor who is not logged in is sent to log in.
func (s *UI) ErrorPage(w http.ResponseWriter, r *http.Request, p httpx.Problem) {
	if p.Kind == errs.Unauthenticated {
		httpx.ToLogin(w, r)
		return
	}
	v := errorView{Status: p.Status, Kind: p.Kind.String(), RequestID: p.RequestID}
	v.chrome = s.chromeFor(r, "error.title")
	// What was refused, in the user's language by the error's code
	// (locale.Refusal); the English message only for an error without.
	if p.Kind != errs.Internal {
		v.Text = refusalText(v.chrome, p.Err)
	}
	s.render(w, r, v.Status, "error.html", v)
}

// render executes a page (or, for htmx requests that ask for a fragment,
// the named block) into a buffer first, so that a template error never
// sends half a page.
func (s *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, v any) {
	t, ok := s.ui.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("template", "request_id", httpx.RequestID(r.Context()), "name", name, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// chromeFor fills the parts of a view every page has.
func (s *UI) chromeFor(r *http.Request, titleKey string) chrome {
	uc := uiState(r)
	c := chrome{Lang: uc.Lang, Path: r.URL.Path, User: uc.User}
	c.Title = c.T(titleKey)
	if uc.Secret == "" || (needsMFA(uc.User.Role) && !uc.Session.MFA) {
		return c
	}
	sc := uc.User.Scope()
	add := func(href, key string, ok bool) {
		if ok {
			cur := r.URL.Path == href || (href != "/" && strings.HasPrefix(r.URL.Path, href))
			c.Nav = append(c.Nav, navItem{Href: href, Label: c.T(key), Current: cur})
		}
	}
	may := func(a access.Action, res access.Resource) bool { return access.Decide(sc, a, res) == nil }
	add("/", "nav.home", true)
	add("/records", "nav.records", may(access.RecordRead, access.Resource{Party: sc.Party, Kind: "held"}))
	add(sheetsNav(r, sc), "nav.sheets", may(access.RecordRead, access.Resource{Party: sc.Party, Kind: "held"}))
	add("/matching", "nav.matching", may(access.MatchReview, access.Resource{}))
	add("/exchanges", "nav.exchanges", may(access.ExchangeRead, access.Resource{Party: sc.Party}))
	add("/crossing", "nav.crossing", may(access.HandoverRecord, access.Resource{Party: sc.Party}) || may(access.StageManage, access.Resource{}))
	add("/trace", "nav.trace", may(access.TraceRead, access.Resource{Party: sc.Party}))
	add("/backlog", "nav.backlog", may(access.TraceRead, access.Resource{Party: sc.Party}))
	add("/custody", "nav.custody", may(access.CustodyRead, access.Resource{Party: sc.Party}))
	add("/cases", "nav.cases", may(access.CaseRead, access.Resource{Party: sc.Party}) || may(access.CaseRead, access.Resource{Shared: true}))
	add("/matches", "nav.matches", may(access.MatchRead, access.Resource{Party: sc.Party}))
	add("/audit", "nav.audit", may(access.LogRead, access.Resource{}))
	add("/admin/users", "nav.users", may(access.UserManage, access.Resource{}))
	add("/admin/tokens", "nav.tokens", may(access.TokenManage, access.Resource{}))
	add("/keys", "nav.keys", may(access.LogRead, access.Resource{}))
	add("/account", "nav.account", true)
	return c
}

// handleStatic serves the embedded stylesheet and scripts. They may be
// cached: their names change with their versions (htmx) or they are small.
func (s *UI) handleStatic(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	p := r.PathValue("path")
	sub, _ := fs.Sub(uiFS, "static")
	if _, err := fs.Stat(sub, p); err != nil || strings.HasSuffix(p, "/") || p == "" {
		return errs.E("web.static", errs.NotFound, "no such file", errs.Coded{Code: "no_file"})
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(w, r, sub, p)
	return nil
}

type homeView struct {
	chrome
	Counts     []sqlstore.RegisterCount
	Total      int
	Runs       int
	Candidates int
	LogSize    int64
	ShowRuns   bool
	ShowLog    bool
	NeedsMFA   bool
	Backlog    chart
	// ShowStages: the user records handovers or manages stages; Stages
	// are the stages they can work now, one click from each screen.
	ShowStages bool
	Stages     []sqlstore.WorkStage
}

func (s *UI) handleHome(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ctx := r.Context()
	v := homeView{chrome: s.chromeFor(r, "home.title")}
	counts, err := s.db.RegisterCounts(ctx, sc)
	if err != nil {
		return err
	}
	v.Counts = counts
	for _, c := range counts {
		v.Total += c.Count
	}
	if access.Decide(sc, access.MatchReview, access.Resource{}) == nil {
		runs, err := s.db.MatchRuns(ctx, sc)
		if err != nil {
			return err
		}
		v.ShowRuns, v.Runs = true, len(runs)
		for _, run := range runs {
			v.Candidates += run.Candidates
		}
		if v.Backlog, err = s.backlogChart(r, sc, v.chrome, runs); err != nil {
			return err
		}
	}
	if access.Decide(sc, access.HandoverRecord, access.Resource{Party: sc.Party}) == nil || access.Decide(sc, access.StageManage, access.Resource{}) == nil {
		if v.Stages, err = s.db.OpenStages(ctx, sc); err != nil {
			return err
		}
		v.ShowStages = true
	}
	if access.Decide(sc, access.LogRead, access.Resource{}) == nil {
		n, err := s.db.LogSize(ctx)
		if err != nil {
			return err
		}
		v.ShowLog, v.LogSize = true, n
	}
	s.render(w, r, http.StatusOK, "home.html", v)
	return nil
}
