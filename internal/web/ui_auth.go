package web

import (
	"bytes"
	"crypto/subtle"
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
	"github.com/pquerna/otp/totp"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
)

func (s *Server) registerUIAuthRoutes() {
	s.page("GET", "/login", access.Public, "The login page.", s.handleLoginPage)
	s.page("POST", "/login", access.Public, "Log in with a password (rate-limited); starts a session.", s.handleLoginForm)
	s.page("GET", "/login/totp", access.SelfRead, "Second factor: enrol on first login, then enter a code.", s.handleTOTPPage)
	s.page("POST", "/login/totp", access.SelfRead, "Check a second-factor code; a new session id on success.", s.handleTOTPForm)
	s.page("POST", "/logout", access.SelfRead, "End this session.", s.handleLogout)
	s.page("POST", "/logout/all", access.SelfRead, "End every session of the user.", s.handleLogoutAll)
	s.page("POST", "/lang", access.Public, "Choose the language (remembered per user).", s.handleLang)
	s.page("GET", "/account", access.SelfRead, "The user's account: language, sessions, own API tokens.", s.handleAccount)
}

type loginView struct {
	chrome
	Login string
	Next  string
	Langs []string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v := loginView{chrome: s.chromeFor(r, "login.title"), Next: safeNext(r.URL.Query().Get("next")), Langs: uiLangs}
	s.render(w, r, http.StatusOK, "login.html", v)
	return nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(uiSessionLimits.Absolute.Seconds())})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	v := loginView{chrome: s.chromeFor(r, "login.title"), Login: login, Next: safeNext(r.PostFormValue("next")), Langs: uiLangs}
	addr := clientIP(r)
	att, wait := s.limits.reserve(login, addr)
	if att == nil {
		mins := int(wait.Minutes()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		v.Message = v.T("login.limited", v.P("minutes", mins))
		s.render(w, r, http.StatusTooManyRequests, "login.html", v)
		return nil
	}
	defer att.release()
	u, err := s.db.Authenticate(r.Context(), login, password)
	if errs.Is(errs.Unauthenticated, err) {
		att.fail()
		v.Message = v.T("login.wrong")
		s.render(w, r, http.StatusUnauthorized, "login.html", v)
		return nil
	}
	if err != nil {
		return err
	}
	att.succeed()
	// A new session id on every login: any session id a visitor had before
	// (fixed by an attacker or left over) is ended, never promoted.
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.db.EndSession(r.Context(), c.Value)
	}
	secret, err := s.db.CreateSession(r.Context(), u.ID, false)
	if err != nil {
		return err
	}
	if lang := uiState(r).lang; lang != "" {
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
	Enrol  bool
	Secret string
	URL    string
	QR     template.URL // a data: URL of the QR code's PNG
	Next   string
}

// totpKey returns the user's TOTP secret, making one (not yet confirmed)
// on first use.
func (s *Server) totpKey(r *http.Request) (secret string, enrolled bool, err error) {
	uc := uiState(r)
	secret, enrolled, err = s.db.TOTPSecret(r.Context(), uc.user.ID)
	if errs.Is(errs.NotFound, err) {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "handover", AccountName: uc.user.Login})
		if err != nil {
			return "", false, errs.E("web.totp", errs.Internal, err)
		}
		if err := s.db.SetTOTPSecret(r.Context(), uc.user.ID, key.Secret()); err != nil {
			return "", false, err
		}
		return key.Secret(), false, nil
	}
	return secret, enrolled, err
}

func (s *Server) totpView(r *http.Request, next string) (totpView, error) {
	uc := uiState(r)
	v := totpView{chrome: s.chromeFor(r, "totp.title"), Next: safeNext(next)}
	secret, enrolled, err := s.totpKey(r)
	if err != nil {
		return v, err
	}
	if !enrolled {
		v.Enrol, v.Secret = true, secret
		key, err := otp.NewKeyFromURL("otpauth://totp/handover:" + url.PathEscape(uc.user.Login) + "?issuer=handover&secret=" + secret)
		if err == nil {
			v.URL = key.URL()
			if img, err := key.Image(200, 200); err == nil {
				var b bytes.Buffer
				if png.Encode(&b, img) == nil {
					v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
				}
			}
		}
	}
	return v, nil
}

func (s *Server) handleTOTPPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	uc := uiState(r)
	if uc.session.MFA || !needsMFA(uc.user.Role) {
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

// totpStep returns the 30-second step whose code is code, within one step
// of now, or -1.
func totpStep(secret, code string, now time.Time) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return -1
	}
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCode(secret, t)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30
		}
	}
	return -1
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	uc := uiState(r)
	if uc.session.MFA || !needsMFA(uc.user.Role) {
		s.redirect(w, r, "/")
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	v, err := s.totpView(r, r.PostFormValue("next"))
	if err != nil {
		return err
	}
	addr := clientIP(r)
	key := "totp:" + uc.user.Login
	att, wait := s.limits.reserve(key, addr)
	if att == nil {
		v.Message = v.T("login.limited", v.P("minutes", int(wait.Minutes())+1))
		s.render(w, r, http.StatusTooManyRequests, "totp.html", v)
		return nil
	}
	defer att.release()
	secret, _, err := s.db.TOTPSecret(r.Context(), uc.user.ID)
	if err != nil {
		return err
	}
	step := totpStep(secret, r.PostFormValue("code"), s.db.Now())
	if step < 0 {
		att.fail()
		v.Fields = map[string]string{"code": v.T("totp.wrong")}
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", v)
		return nil
	}
	if err := s.db.UseTOTPStep(r.Context(), uc.user.ID, step); errs.Is(errs.Conflict, err) {
		v.Fields = map[string]string{"code": v.T("totp.reused")}
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", v)
		return nil
	} else if err != nil {
		return err
	}
	att.succeed()
	// Privilege changed: a new session id.
	fresh, err := s.db.RenewSession(r.Context(), uc.secret, true)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, fresh)
	s.redirect(w, r, v.Next)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if err := s.db.EndSession(r.Context(), uiState(r).secret); err != nil {
		return err
	}
	clearSessionCookie(w)
	s.redirect(w, r, "/login")
	return nil
}

func (s *Server) handleLogoutAll(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if _, err := s.db.EndUserSessions(r.Context(), sc.UserID); err != nil {
		return err
	}
	clearSessionCookie(w)
	s.redirect(w, r, "/login")
	return nil
}

// handleLang stores the language: for the user when logged in, and in a
// cookie for the login page.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	if !slices.Contains(uiLangs, lang) {
		return errs.E("web.lang", errs.Invalid, "choose uk, ru or en")
	}
	uc := uiState(r)
	if uc.secret != "" {
		if err := s.db.SetUserLang(r.Context(), uc.user.ID, lang); err != nil {
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
}

type tokenRow struct {
	ID                int64
	Login, Name, Hint string
	Created, Expires  time.Time
	Revoked           time.Time
	Active            bool
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v := accountView{chrome: s.chromeFor(r, "account.title"), Langs: uiLangs}
	n, err := s.db.OpenSessions(r.Context(), sc.UserID)
	if err != nil {
		return err
	}
	v.Sessions = n
	toks, err := s.db.Tokens(r.Context(), sc.Login)
	if err != nil {
		return err
	}
	now := s.db.Now()
	for _, t := range toks {
		v.Tokens = append(v.Tokens, tokenRow{ID: t.ID, Login: t.Login, Name: t.Name, Hint: t.Hint, Created: t.CreatedAt, Expires: t.ExpiresAt,
			Revoked: t.RevokedAt, Active: t.RevokedAt.IsZero() && t.ExpiresAt.After(now)})
	}
	s.render(w, r, http.StatusOK, "account.html", v)
	return nil
}
