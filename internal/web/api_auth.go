package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
)

func (s *Server) registerAuthRoutes() {
	s.add("POST", "/api/v1/auth/login", access.Public, "Exchange a login and password for an API token (rate-limited).", s.handleLogin)
	s.add("GET", "/api/v1/me", access.SelfRead, "The caller: login, role, party.", s.handleMe)
	s.add("GET", "/api/v1/me/tokens", access.TokenSelf, "The caller's API tokens.", s.handleMyTokens)
	s.add("DELETE", "/api/v1/me/tokens/{id}", access.TokenSelf, "Revoke one of the caller's tokens.", s.handleRevokeMyToken)
	s.add("GET", "/api/v1/parties", access.PartyList, "The parties of this server.", s.handleParties)
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	addr := clientIP(r)
	att, wait := s.limits.reserve(req.Login, addr)
	if att == nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return errs.E("web.login", errs.TooMany, fmt.Sprintf("too many failed logins; try again in %d minutes", int(wait.Minutes())+1))
	}
	defer att.release()
	u, err := s.db.Authenticate(r.Context(), req.Login, req.Password)
	if err != nil {
		if errs.Is(errs.Unauthenticated, err) {
			att.fail()
		}
		return err
	}
	att.succeed()
	secret, tok, err := s.db.CreateToken(r.Context(), u.Login, "login", s.LoginTokenTTL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenResponse{Token: secret, ExpiresAt: tok.ExpiresAt})
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	writeJSON(w, http.StatusOK, map[string]any{"login": sc.Login, "role": sc.Role, "party": nullable(sc.Party)})
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) handleMyTokens(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	toks, err := s.db.Tokens(r.Context(), sc.Login)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(toks)})
	return nil
}

func (s *Server) handleRevokeMyToken(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), id, sc.Login); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleParties(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	ps, err := s.db.Parties(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"parties": nonNil(ps)})
	return nil
}

func pathInt(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, errs.E("web.pathInt", errs.Invalid, fmt.Sprintf("%s %q is not a positive number", name, r.PathValue(name)))
	}
	return v, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
