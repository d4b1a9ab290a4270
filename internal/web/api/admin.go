package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerAdminRoutes() {
	s.add("GET", "/api/v1/users", access.UserManage, "List users.", s.handleUsers)
	s.add("POST", "/api/v1/users", access.UserManage, "Create a user with a role (and party); the answer carries the one-time enrolment code, shown once.", s.handleCreateUser)
	s.add("POST", "/api/v1/users/{login}/disable", access.UserManage, "Disable a user; their tokens stop working.", s.handleDisableUser)
	s.add("POST", "/api/v1/users/{login}/codes", access.UserManage, "Issue a one-time code for a user: enrol (a new enrolment: password and second factor cleared) or reset (a password reset); shown once.", s.handleIssueCode)
	s.add("GET", "/api/v1/tokens", access.TokenManage, "List every API token (never the secrets).", s.handleTokens)
	s.add("POST", "/api/v1/tokens", access.TokenSelf, "Mint an expiring API token for the caller (never for another user); the secret is shown once.", s.handleCreateToken)
	s.add("DELETE", "/api/v1/tokens/{id}", access.TokenManage, "Revoke any token.", s.handleRevokeToken)
}

func (s *API) handleUsers(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	us, err := s.db.Users(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Users{Users: nonNil(each(us, apiUser))})
	return nil
}

func (s *API) handleCreateUser(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.NewUser
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.db.CreateUser(r.Context(), sqlstore.NewUser{Login: in.Login, Role: in.Role, Party: in.Party, By: sc})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiUser(u))
	return nil
}

func (s *API) handleIssueCode(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.CodeRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.db.IssueCode(r.Context(), sc, r.PathValue("login"), in.Purpose)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiCode(c))
	return nil
}

func (s *API) handleDisableUser(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if err := s.db.DisableUser(r.Context(), r.PathValue("login")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) handleTokens(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	toks, err := s.db.Tokens(r.Context(), r.URL.Query().Get("login"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Tokens{Tokens: nonNil(each(toks, apiToken))})
	return nil
}

// handleCreateToken mints a token for the caller. Tokens are minted by
// their owner only: a login naming someone else is refused, whoever asks.
func (s *API) handleCreateToken(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.TokenRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Login != "" && in.Login != sc.Login {
		return errs.E("web.createToken", errs.Forbidden, fmt.Sprintf("tokens are minted by their owner: %s logs in to get one", in.Login))
	}
	if in.TTLHours <= 0 {
		return errs.E("web.createToken", errs.Invalid, fmt.Sprintf("ttl_hours is required (at most %d)", int(sqlstore.MaxTokenLifetime.Hours())),
			errs.FieldError{Field: "ttl_hours", Message: "required, positive"})
	}
	secret, tok, err := s.db.CreateToken(r.Context(), sc, in.Name, time.Duration(in.TTLHours*float64(time.Hour)))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, api.NewToken{Token: secret, Info: apiToken(tok)})
	return nil
}

func (s *API) handleRevokeToken(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	id, err := httpx.PathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), id, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
