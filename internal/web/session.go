package web

import (
	"net/http"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/web/httpx"
	"github.com/handover-project/handover/internal/web/ui"
)

// preMFAPaths may be used with a session that has not passed the second
// factor yet: enrolment, the code, and logging out.
var preMFAPaths = map[string]bool{"/login/totp": true, "/logout": true, "/lang": true, "/enrol": true, "/reset": true}

// wrapUI is wrap for pages: the session cookie instead of a Bearer token,
// the second factor where the role needs it, cross-origin protection on
// every state-changing request, and errors as an HTML page.
func (s *Server) wrapUI(rt httpx.Route) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ui.CSP)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Vary", "Cookie, HX-Request")
		uc := &httpx.Visitor{Lang: ui.RequestLang(r)}
		r = httpx.WithVisitor(r, uc)
		if err := cop.Check(r); err != nil {
			s.errors.HTML(w, r, errs.E("web.csrf", errs.Forbidden, "this request came from another site and was refused"))
			return
		}
		var scope access.Scope
		// Static files need no session: no database read per stylesheet.
		if c, err := r.Cookie(httpx.SessionCookie); err == nil && !strings.HasPrefix(rt.Path, "/static/") {
			u, ss, err := s.db.SessionUser(r.Context(), c.Value, httpx.SessionLimits)
			if err == nil {
				uc.User, uc.Session, uc.Secret = u, ss, c.Value
				if ss.Lang != "" {
					uc.Lang = ss.Lang
				}
				scope = u.Scope()
			} else if !errs.Is(errs.Unauthenticated, err) {
				s.errors.HTML(w, r, err)
				return
			}
		}
		if rt.Action != access.Public {
			if uc.Secret == "" {
				httpx.ToLogin(w, r)
				return
			}
			if sw, ok := w.(*statusWriter); ok {
				sw.login = uc.User.Login
			}
			if uc.User.Role.NeedsMFA() && !uc.Session.MFA && !preMFAPaths[rt.Path] {
				httpx.Redirect(w, r, "/login/totp")
				return
			}
			switch rt.Action {
			case access.RecordCreate, access.RecordCorrect, access.RecordRead, access.RecordErase,
				access.ListSubmit, access.ListRespond, access.AgreementSign, access.EvidenceWrite,
				access.KeyPropose, access.KeyConfirm, access.KeyRevoke, access.CaseRead, access.CaseWrite, access.PriorityWrite, access.CustodyRead, access.CustodyWrite, access.TracingExport:
				// Decided per record by the store (and by the handler for
				// the forms), or by the store with the party the action is
				// about.
			default:
				if err := access.Decide(scope, rt.Action, access.Resource{}); err != nil {
					s.errors.HTML(w, r, err)
					return
				}
			}
		}
		if err := rt.Handler(w, r, scope); err != nil {
			s.errors.HTML(w, r, err)
		}
	})
}
