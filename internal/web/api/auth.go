package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerAuthRoutes() {
	s.add("POST", "/api/v1/auth/login", access.Public, "Exchange a login and password (and, for approvers and administrators, a second-factor code) for an API token (rate-limited).", s.handleLogin)
	s.add("POST", "/api/v1/auth/enrol", access.Public, "Enrol with a one-time enrolment code: set one's own password (and second factor) (rate-limited).", s.handleEnrol)
	s.add("POST", "/api/v1/auth/reset", access.Public, "Set a new password with a one-time reset code (and a second-factor code) (rate-limited).", s.handleReset)
	s.add("GET", "/api/v1/me", access.SelfRead, "The caller: login, role, party.", s.handleMe)
	s.add("GET", "/api/v1/me/tokens", access.TokenSelf, "The caller's API tokens.", s.handleMyTokens)
	s.add("DELETE", "/api/v1/me/tokens/{id}", access.TokenSelf, "Revoke one of the caller's tokens.", s.handleRevokeMyToken)
	s.add("POST", "/api/v1/me/password", access.TokenSelf, "Change the caller's password, given the current one; every session and token ends.", s.handleChangePassword)
	s.add("POST", "/api/v1/me/logout-all", access.TokenSelf, "End every session and revoke every API token of the caller.", s.handleLogoutAllAPI)
	s.add("GET", "/api/v1/parties", access.PartyList, "The parties of this server.", s.handleParties)
}

// reserve reserves a guess of a one-time code or password under key from
// the request's address (the login limiter), or answers 429 with
// Retry-After. The caller settles the attempt.
func (s *API) reserve(w http.ResponseWriter, r *http.Request, key string) (httpx.Attempt, error) {
	att, wait, err := s.limits.Reserve(r.Context(), key, httpx.ClientIP(r))
	if err != nil {
		return nil, err
	}
	if att == nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return nil, errs.E("web.limit", errs.TooMany, fmt.Sprintf("too many failed attempts; try again in %d minutes", int(wait.Minutes())+1))
	}
	return att, nil
}

// handleLogin mints a login token for a password and, for a role that
// needs one, a code of the enrolled second factor: the API asks for the
// second factor as the pages do (docs/design/security.md §4). The token
// carries that the login passed it.
func (s *API) handleLogin(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	var req api.LoginRequest
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	addr := httpx.ClientIP(r)
	att, wait, err := s.limits.Reserve(r.Context(), req.Login, addr)
	if err != nil {
		return err
	}
	if att == nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return errs.E("web.login", errs.TooMany, fmt.Sprintf("too many failed logins; try again in %d minutes", int(wait.Minutes())+1))
	}
	defer att.Release()
	u, err := s.db.Authenticate(r.Context(), req.Login, req.Password)
	if err != nil {
		if errs.Is(errs.Unauthenticated, err) {
			att.Fail()
		}
		return err
	}
	if u.Role.NeedsMFA() {
		if req.TOTPCode == "" {
			att.Fail()
			return errs.E("web.login", errs.Unauthenticated, fmt.Sprintf("a %s logs in with a second factor: send totp_code, the code your authenticator app shows", u.Role))
		}
		if err := s.db.CheckSecondFactor(r.Context(), u, req.TOTPCode); err != nil {
			if errs.Is(errs.Unauthenticated, err) {
				att.Fail()
			}
			return err
		}
		u.MFA = true
	}
	att.Succeed()
	secret, tok, err := s.db.CreateToken(r.Context(), u.Scope(), "login", s.LoginTokenTTL)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.TokenAnswer{Token: secret, ExpiresAt: tok.ExpiresAt})
	return nil
}

func (s *API) handleEnrol(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	var in api.EnrolRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	att, err := s.reserve(w, r, "enrol:"+in.Login)
	if err != nil {
		return err
	}
	defer att.Release()
	u, err := s.db.Enrol(r.Context(), sqlstore.Enrolment{Login: in.Login, Code: in.Code, Password: in.Password, TOTPSecret: in.TOTPSecret, TOTPCode: in.TOTPCode})
	if err != nil {
		if errs.Is(errs.Unauthenticated, err) {
			att.Fail()
		}
		return err
	}
	att.Succeed()
	httpx.WriteJSON(w, http.StatusOK, api.Enrolled{Login: u.Login, Role: u.Role, Party: optional(u.Party), SecondFactor: u.Role.NeedsMFA()})
	return nil
}

func (s *API) handleReset(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	var in api.ResetRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	att, err := s.reserve(w, r, "reset:"+in.Login)
	if err != nil {
		return err
	}
	defer att.Release()
	if err := s.db.ResetPassword(r.Context(), sqlstore.PasswordReset{Login: in.Login, Code: in.Code, Password: in.Password, TOTPCode: in.TOTPCode}); err != nil {
		if errs.Is(errs.Unauthenticated, err) || errs.Is(errs.Conflict, err) {
			att.Fail()
		}
		return err
	}
	att.Succeed()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleChangePassword(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.PasswordChange
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.db.ChangePassword(r.Context(), sc, in.Current, in.New, access.Argon2Params{}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleLogoutAllAPI(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if _, err := s.db.EndUserSessions(r.Context(), sc.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleMe(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	httpx.WriteJSON(w, http.StatusOK, api.Me{Login: sc.Login, Role: sc.Role, Party: optional(sc.Party)})
	return nil
}

func (s *API) handleMyTokens(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	toks, err := s.db.Tokens(r.Context(), sc.Login)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Tokens{Tokens: nonNil(each(toks, apiToken))})
	return nil
}

func (s *API) handleRevokeMyToken(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id, err := httpx.PathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), id, sc.Login); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleParties(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	ps, err := s.db.Parties(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Parties{Parties: nonNil(each(ps, apiParty))})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
