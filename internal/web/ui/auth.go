package ui

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *UI) registerUIAuthRoutes() {
	s.page("GET", "/login", access.Public, "The login page.", s.handleLoginPage)
	s.page("POST", "/login", access.Public, "Log in with a password (rate-limited); starts a session.", s.handleLoginForm)
	s.page("GET", "/login/totp", access.SelfRead, "Second factor: enter a code of the enrolled authenticator.", s.handleTOTPPage)
	s.page("POST", "/login/totp", access.SelfRead, "Check a second-factor code; a new session id on success.", s.handleTOTPForm)
	s.page("GET", "/enrol", access.Public, "Enrol with the one-time code from the administrator: one's own password and second factor.", s.handleEnrolPage)
	s.page("POST", "/enrol", access.Public, "Enrol (rate-limited).", s.handleEnrolForm)
	s.page("GET", "/reset", access.Public, "Set a new password with a one-time reset code.", s.handleResetPage)
	s.page("POST", "/reset", access.Public, "Set a new password (rate-limited).", s.handleResetForm)
	s.page("POST", "/logout", access.SelfRead, "End this session.", s.handleLogout)
	s.page("POST", "/logout/all", access.TokenSelf, "End every session of the user and revoke every API token of theirs.", s.handleLogoutAll)
	s.page("POST", "/lang", access.Public, "Choose the language (remembered per user).", s.handleLang)
	s.page("GET", "/account", access.SelfRead, "The user's account: language, sessions, own API tokens.", s.handleAccount)
	s.page("POST", "/account/password", access.TokenSelf, "Change one's password, given the current one.", s.handleChangePasswordForm)
	s.page("POST", "/account/tokens", access.TokenSelf, "Mint an API token for oneself; the secret is shown once.", s.handleCreateMyTokenForm)
}

type loginView struct {
	chrome
	Login string
	Next  string
	Langs []string
}

func (s *UI) handleLoginPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v := loginView{chrome: s.chromeFor(r, "login.title"), Next: safeNext(r.URL.Query().Get("next")), Langs: uiLangs}
	s.render(w, r, http.StatusOK, "login.html", v)
	return nil
}

func (s *UI) setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(httpx.SessionLimits.Absolute.Seconds())})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *UI) handleLoginForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	v := loginView{chrome: s.chromeFor(r, "login.title"), Login: login, Next: safeNext(r.PostFormValue("next")), Langs: uiLangs}
	addr := httpx.ClientIP(r)
	att, wait, err := s.limits.Reserve(r.Context(), login, addr)
	if err != nil {
		return err
	}
	if att == nil {
		mins := int(wait.Minutes()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		v.Message = v.T("login.limited", v.P("minutes", mins))
		s.render(w, r, http.StatusTooManyRequests, "login.html", v)
		return nil
	}
	defer att.Release()
	u, err := s.db.Authenticate(r.Context(), login, password)
	if errs.Is(errs.Unauthenticated, err) {
		att.Fail()
		v.Message = v.T("login.wrong")
		s.render(w, r, http.StatusUnauthorized, "login.html", v)
		return nil
	}
	if err != nil {
		return err
	}
	att.Succeed()
	// A new session id on every login: any session id a visitor had before
	// (fixed by an attacker or left over) is ended, never promoted.
	if c, err := r.Cookie(httpx.SessionCookie); err == nil {
		s.db.EndSession(r.Context(), c.Value)
	}
	secret, err := s.db.CreateSession(r.Context(), u.ID, false)
	if err != nil {
		return err
	}
	if lang := uiState(r).Lang; lang != "" {
		if _, err := r.Cookie(langCookie); err == nil {
			// A choice made on the login page becomes the user's.
			s.db.SetUserLang(r.Context(), u.ID, lang)
		}
	}
	s.setSessionCookie(w, secret)
	if needsMFA(u.Role) {
		s.redirect(w, r, "/login/totp?next="+url.QueryEscape(v.Next))
		return nil
	}
	s.redirect(w, r, v.Next)
	return nil
}

type totpView struct {
	chrome
	// Enrolled says whether the user has a second factor; without one the
	// page sends them to enrol with their code.
	Enrolled bool
	Next     string
}

func (s *UI) totpView(r *http.Request, next string) (totpView, error) {
	uc := uiState(r)
	v := totpView{chrome: s.chromeFor(r, "totp.title"), Next: safeNext(next)}
	ok, err := s.db.HasSecondFactor(r.Context(), uc.User.ID)
	v.Enrolled = ok
	return v, err
}

func (s *UI) handleTOTPPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	uc := uiState(r)
	if uc.Session.MFA || !needsMFA(uc.User.Role) {
		s.redirect(w, r, "/")
		return nil
	}
	v, err := s.totpView(r, r.URL.Query().Get("next"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "totp.html", v)
	return nil
}

func (s *UI) handleTOTPForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	uc := uiState(r)
	if uc.Session.MFA || !needsMFA(uc.User.Role) {
		s.redirect(w, r, "/")
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	v, err := s.totpView(r, r.PostFormValue("next"))
	if err != nil {
		return err
	}
	if !v.Enrolled {
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", v)
		return nil
	}
	addr := httpx.ClientIP(r)
	key := "totp:" + uc.User.Login
	att, wait, err := s.limits.Reserve(r.Context(), key, addr)
	if err != nil {
		return err
	}
	if att == nil {
		v.Message = v.T("login.limited", v.P("minutes", int(wait.Minutes())+1))
		s.render(w, r, http.StatusTooManyRequests, "totp.html", v)
		return nil
	}
	defer att.Release()
	err = s.db.CheckSecondFactor(r.Context(), uc.User, r.PostFormValue("code"))
	switch {
	case errs.Is(errs.Unauthenticated, err):
		att.Fail()
		v.Fields = map[string]string{"code": v.T("totp.wrong")}
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", v)
		return nil
	case errs.Is(errs.Conflict, err):
		v.Fields = map[string]string{"code": v.T("totp.reused")}
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", v)
		return nil
	case err != nil:
		return err
	}
	att.Succeed()
	// Privilege changed: a new session id.
	fresh, err := s.db.RenewSession(r.Context(), uc.Secret, true)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, fresh)
	s.redirect(w, r, v.Next)
	return nil
}

// enrolView is the enrolment page: login, the one-time code, a new
// password, and a second factor (a secret made for this page, kept in the
// form so that a failed attempt keeps what the app scanned) that approvers
// and administrators confirm with a code.
type enrolView struct {
	chrome
	Login  string
	Secret string
	URL    string
	QR     template.URL // a data: URL of the QR code's PNG
	Done   bool
}

func (s *UI) enrolView(r *http.Request, login, secret string) enrolView {
	v := enrolView{chrome: s.chromeFor(r, "enrol.title"), Login: login, Secret: secret}
	if v.Secret == "" {
		v.Secret, _ = access.NewTOTPSecret("handover")
	}
	name := login
	if name == "" {
		name = "handover"
	}
	key, err := otp.NewKeyFromURL("otpauth://totp/handover:" + url.PathEscape(name) + "?issuer=handover&secret=" + url.QueryEscape(v.Secret))
	if err == nil {
		v.URL = key.URL()
		if img, err := key.Image(200, 200); err == nil {
			var b bytes.Buffer
			if png.Encode(&b, img) == nil {
				v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
			}
		}
	}
	return v
}

func (s *UI) handleEnrolPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	s.render(w, r, http.StatusOK, "enrol.html", s.enrolView(r, r.URL.Query().Get("login"), ""))
	return nil
}

func (s *UI) handleEnrolForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login := strings.TrimSpace(r.PostFormValue("login"))
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	v := s.enrolView(r, login, secret)
	att, wait, err := s.limits.Reserve(r.Context(), "enrol:"+login, httpx.ClientIP(r))
	if err != nil {
		return err
	}
	if att == nil {
		v.Message = v.T("login.limited", v.P("minutes", int(wait.Minutes())+1))
		s.render(w, r, http.StatusTooManyRequests, "enrol.html", v)
		return nil
	}
	defer att.Release()
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		v.Fields = map[string]string{"password2": v.T("enrol.mismatch")}
		s.render(w, r, http.StatusUnprocessableEntity, "enrol.html", v)
		return nil
	}
	e := sqlstore.Enrolment{Login: login, Code: r.PostFormValue("code"), Password: r.PostFormValue("password")}
	if code := strings.TrimSpace(r.PostFormValue("totp_code")); code != "" {
		e.TOTPSecret, e.TOTPCode = secret, code
	}
	_, err = s.db.Enrol(r.Context(), e)
	switch {
	case errs.Is(errs.Unauthenticated, err):
		att.Fail()
		v.Fields = map[string]string{"code": v.T("enrol.wrongcode")}
		s.render(w, r, http.StatusUnauthorized, "enrol.html", v)
		return nil
	case errs.Is(errs.Invalid, err):
		v.Fields = map[string]string{}
		fieldErrors(v.chrome, err, v.Fields)
		if len(v.Fields) == 0 {
			v.Message = refusalText(v.chrome, err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "enrol.html", v)
		return nil
	case err != nil:
		return err
	}
	att.Succeed()
	v.Done = true
	s.render(w, r, http.StatusOK, "enrol.html", v)
	return nil
}

// resetView is the password reset page.
type resetView struct {
	chrome
	Login string
	Done  bool
}

func (s *UI) handleResetPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	s.render(w, r, http.StatusOK, "reset.html", resetView{chrome: s.chromeFor(r, "reset.title"), Login: r.URL.Query().Get("login")})
	return nil
}

func (s *UI) handleResetForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login := strings.TrimSpace(r.PostFormValue("login"))
	v := resetView{chrome: s.chromeFor(r, "reset.title"), Login: login}
	att, wait, err := s.limits.Reserve(r.Context(), "reset:"+login, httpx.ClientIP(r))
	if err != nil {
		return err
	}
	if att == nil {
		v.Message = v.T("login.limited", v.P("minutes", int(wait.Minutes())+1))
		s.render(w, r, http.StatusTooManyRequests, "reset.html", v)
		return nil
	}
	defer att.Release()
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		v.Fields = map[string]string{"password2": v.T("enrol.mismatch")}
		s.render(w, r, http.StatusUnprocessableEntity, "reset.html", v)
		return nil
	}
	err = s.db.ResetPassword(r.Context(), sqlstore.PasswordReset{Login: login, Code: r.PostFormValue("code"), Password: r.PostFormValue("password"), TOTPCode: r.PostFormValue("totp_code")})
	switch {
	case errs.Is(errs.Unauthenticated, err) || errs.Is(errs.Conflict, err):
		att.Fail()
		v.Message = v.T("reset.wrong")
		s.render(w, r, http.StatusUnauthorized, "reset.html", v)
		return nil
	case errs.Is(errs.Invalid, err):
		v.Fields = map[string]string{}
		fieldErrors(v.chrome, err, v.Fields)
		s.render(w, r, http.StatusUnprocessableEntity, "reset.html", v)
		return nil
	case err != nil:
		return err
	}
	att.Succeed()
	v.Done = true
	s.render(w, r, http.StatusOK, "reset.html", v)
	return nil
}

func (s *UI) handleLogout(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if err := s.db.EndSession(r.Context(), uiState(r).Secret); err != nil {
		return err
	}
	clearSessionCookie(w)
	s.redirect(w, r, "/login")
	return nil
}

func (s *UI) handleLogoutAll(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if _, err := s.db.EndUserSessions(r.Context(), sc.UserID); err != nil {
		return err
	}
	clearSessionCookie(w)
	s.redirect(w, r, "/login")
	return nil
}

// handleLang stores the language: for the user when logged in, and in a
// cookie for the login page.
func (s *UI) handleLang(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	if !slices.Contains(uiLangs, lang) {
		return errs.E("web.lang", errs.Invalid, "choose uk, ru or en", errs.Coded{Code: "bad_lang"})
	}
	uc := uiState(r)
	if uc.Secret != "" {
		if err := s.db.SetUserLang(r.Context(), uc.User.ID, lang); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 366 * 24 * 3600})
	s.redirect(w, r, safeNext(r.PostFormValue("next")))
	return nil
}

type accountView struct {
	chrome
	Sessions int
	Tokens   []tokenRow
	Langs    []string
	Secret   string // a new token's secret, shown once
}

type tokenRow struct {
	ID                int64
	Login, Name, Hint string
	Created, Expires  time.Time
	Revoked           time.Time
	Active            bool
}

func (s *UI) accountView(r *http.Request, sc access.Scope) (accountView, error) {
	v := accountView{chrome: s.chromeFor(r, "account.title"), Langs: uiLangs}
	n, err := s.db.OpenSessions(r.Context(), sc.UserID)
	if err != nil {
		return v, err
	}
	v.Sessions = n
	toks, err := s.db.Tokens(r.Context(), sc.Login)
	if err != nil {
		return v, err
	}
	now := s.db.Now()
	for _, t := range toks {
		v.Tokens = append(v.Tokens, tokenRow{ID: t.ID, Login: t.Login, Name: t.Name, Hint: t.Hint, Created: t.CreatedAt, Expires: t.ExpiresAt,
			Revoked: t.RevokedAt, Active: t.RevokedAt.IsZero() && t.ExpiresAt.After(now)})
	}
	return v, nil
}

func (s *UI) handleAccount(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.accountView(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account.html", v)
	return nil
}

func (s *UI) handleChangePasswordForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var err error
	if r.PostFormValue("new") != r.PostFormValue("new2") {
		err = errs.E("web.changePassword", errs.Invalid, "the two new passwords differ", errs.FieldError{Field: "new2", Message: "the two new passwords differ", Code: "password_mismatch"})
	} else {
		err = s.db.ChangePassword(r.Context(), sc, r.PostFormValue("current"), r.PostFormValue("new"), access.Argon2Params{})
	}
	if err == nil {
		// Every session ended with the change: log in with the new one.
		clearSessionCookie(w)
		s.redirect(w, r, "/login")
		return nil
	}
	if !errs.Is(errs.Invalid, err) {
		return err
	}
	v, verr := s.accountView(r, sc)
	if verr != nil {
		return verr
	}
	v.Fields = map[string]string{}
	fieldErrors(v.chrome, err, v.Fields)
	if f, ok := v.Fields["password"]; ok {
		v.Fields["new"] = f
	}
	s.render(w, r, http.StatusUnprocessableEntity, "account.html", v)
	return nil
}

func (s *UI) handleCreateMyTokenForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	if days <= 0 {
		days = 30
	}
	secret, _, err := s.db.CreateToken(r.Context(), sc, strings.TrimSpace(r.PostFormValue("name")), time.Duration(days)*24*time.Hour)
	if err != nil && !errs.Is(errs.Invalid, err) {
		return err
	}
	v, verr := s.accountView(r, sc)
	if verr != nil {
		return verr
	}
	status := http.StatusOK
	if err != nil {
		v.Message = formMessage(v.chrome, err)
		status = http.StatusUnprocessableEntity
	} else {
		v.Secret = secret
	}
	s.render(w, r, status, "account.html", v)
	return nil
}
