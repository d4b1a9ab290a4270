package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

func (s *Server) registerUIAdminRoutes() {
	s.page("GET", "/admin/users", access.UserManage, "Users and their roles; the form for a new user.", s.handleUsersPage)
	s.page("POST", "/admin/users", access.UserManage, "Create a user.", s.handleCreateUserForm)
	s.page("POST", "/admin/users/{login}/disable", access.UserManage, "Disable a user: sessions and tokens stop at once.", s.handleDisableUserForm)
	s.page("POST", "/admin/users/{login}/reset-2fa", access.UserManage, "Remove a user's second factor; they enrol again.", s.handleResetTOTPForm)
	s.page("GET", "/admin/tokens", access.TokenManage, "Every API token (never the secrets).", s.handleTokensPage)
	s.page("POST", "/admin/tokens", access.TokenManage, "Create an API token; the secret is shown once.", s.handleCreateTokenForm)
	s.page("POST", "/admin/tokens/{id}/revoke", access.TokenManage, "Revoke a token.", s.handleRevokeTokenForm)
	s.page("GET", "/admin/keys", access.KeyManage, "Registered witness keys with fingerprints.", s.handleKeysPage)
	s.page("POST", "/admin/keys", access.KeyManage, "Register a witness's public key.", s.handleRegisterKeyForm)
}

type adminUsersView struct {
	chrome
	Users   []sqlstore.User
	Roles   []access.Role
	Parties []sqlstore.Party
	New     struct{ Login, Role, Party string }
}

func (s *Server) usersView(r *http.Request) (adminUsersView, error) {
	v := adminUsersView{chrome: s.chromeFor(r, "users.title"), Roles: access.Roles}
	us, err := s.db.Users(r.Context())
	if err != nil {
		return v, err
	}
	sortNames(v.lang(), us, func(u sqlstore.User) string { return u.Login })
	v.Users = us
	v.Parties, err = s.db.Parties(r.Context())
	return v, err
}

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v, err := s.usersView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_users.html", v)
	return nil
}

func (s *Server) handleCreateUserForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	nu := sqlstore.NewUser{Login: strings.TrimSpace(r.PostFormValue("login")), Role: access.Role(r.PostFormValue("role")),
		Party: r.PostFormValue("party"), Password: r.PostFormValue("password")}
	_, err := s.db.CreateUser(r.Context(), nu)
	if err == nil {
		s.redirect(w, r, "/admin/users")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.usersView(r)
	if verr != nil {
		return verr
	}
	v.New.Login, v.New.Role, v.New.Party = nu.Login, string(nu.Role), nu.Party
	v.Message = errs.Message(err)
	v.Fields = map[string]string{}
	fieldErrors(v.chrome, err, v.Fields)
	s.render(w, r, http.StatusUnprocessableEntity, "admin_users.html", v)
	return nil
}

func (s *Server) handleDisableUserForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if err := s.db.DisableUser(r.Context(), r.PathValue("login")); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/users")
	return nil
}

func (s *Server) handleResetTOTPForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	u, err := s.db.UserByLogin(r.Context(), r.PathValue("login"))
	if err != nil {
		return err
	}
	if err := s.db.ResetTOTP(r.Context(), sc, u.ID); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/users")
	return nil
}

type adminTokensView struct {
	chrome
	Tokens []tokenRow
	Logins []string
	Secret string // a new token's secret, shown once
}

func (s *Server) tokensView(r *http.Request) (adminTokensView, error) {
	v := adminTokensView{chrome: s.chromeFor(r, "tokens.title")}
	toks, err := s.db.Tokens(r.Context(), "")
	if err != nil {
		return v, err
	}
	now := s.db.Now()
	for _, t := range toks {
		v.Tokens = append(v.Tokens, tokenRow{ID: t.ID, Login: t.Login, Name: t.Name, Hint: t.Hint, Created: t.CreatedAt, Expires: t.ExpiresAt,
			Revoked: t.RevokedAt, Active: t.RevokedAt.IsZero() && t.ExpiresAt.After(now)})
	}
	us, err := s.db.Users(r.Context())
	if err != nil {
		return v, err
	}
	for _, u := range us {
		if u.DisabledAt.IsZero() {
			v.Logins = append(v.Logins, u.Login)
		}
	}
	return v, nil
}

func (s *Server) handleTokensPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v, err := s.tokensView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_tokens.html", v)
	return nil
}

func (s *Server) handleCreateTokenForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	if days <= 0 {
		days = 30
	}
	secret, _, err := s.db.CreateToken(r.Context(), r.PostFormValue("login"), strings.TrimSpace(r.PostFormValue("name")), time.Duration(days)*24*time.Hour)
	if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.NotFound, err) {
		return err
	}
	v, verr := s.tokensView(r)
	if verr != nil {
		return verr
	}
	status := http.StatusOK
	if err != nil {
		v.Message = errs.Message(err)
		status = http.StatusUnprocessableEntity
	} else {
		v.Secret = secret
	}
	s.render(w, r, status, "admin_tokens.html", v)
	return nil
}

func (s *Server) handleRevokeTokenForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), id, ""); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/tokens")
	return nil
}

type adminKeysView struct {
	chrome
	Keys    []sqlstore.LogKey
	Parties []sqlstore.Party
	VKey    string
	Party   string
}

func (s *Server) keysView(r *http.Request) (adminKeysView, error) {
	v := adminKeysView{chrome: s.chromeFor(r, "keys.title")}
	ks, err := s.db.LogKeys(r.Context())
	if err != nil {
		return v, err
	}
	v.Keys = ks
	v.Parties, err = s.db.Parties(r.Context())
	return v, err
}

func (s *Server) handleKeysPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v, err := s.keysView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_keys.html", v)
	return nil
}

func (s *Server) handleRegisterKeyForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	vkey, party := strings.TrimSpace(r.PostFormValue("vkey")), r.PostFormValue("party")
	_, err := s.db.RegisterKey(r.Context(), sc, vkey, party, r.FormValue("purpose"))
	if err == nil {
		s.redirect(w, r, "/admin/keys")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.keysView(r)
	if verr != nil {
		return verr
	}
	v.VKey, v.Party, v.Message = vkey, party, errs.Message(err)
	v.Fields = map[string]string{"vkey": errs.Message(err)}
	s.render(w, r, http.StatusUnprocessableEntity, "admin_keys.html", v)
	return nil
}
