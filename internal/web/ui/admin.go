package ui

import (
	"net/http"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *UI) registerUIAdminRoutes() {
	s.page("GET", "/admin/users", access.UserManage, "Users and their roles; the form for a new user.", s.handleUsersPage)
	s.page("POST", "/admin/users", access.UserManage, "Create a user; the enrolment code is shown once.", s.handleCreateUserForm)
	s.page("POST", "/admin/users/{login}/disable", access.UserManage, "Disable a user: sessions and tokens stop at once.", s.handleDisableUserForm)
	s.page("POST", "/admin/users/{login}/codes", access.UserManage, "Issue a one-time code for a user (a new enrolment, or a password reset); shown once.", s.handleIssueCodeForm)
	s.page("GET", "/admin/tokens", access.TokenManage, "Every API token (never the secrets).", s.handleTokensPage)
	s.page("POST", "/admin/tokens/{id}/revoke", access.TokenManage, "Revoke a token.", s.handleRevokeTokenForm)
}

type adminUsersView struct {
	chrome
	Users   []sqlstore.User
	Roles   []access.Role
	Parties []sqlstore.Party
	New     struct{ Login, Role, Party string }
	// Code is a one-time code just issued, shown once: the administrator
	// passes it to the person out of band.
	Code *sqlstore.Code
}

func (s *UI) usersView(r *http.Request) (adminUsersView, error) {
	v := adminUsersView{chrome: s.chromeFor(r, "users.title"), Roles: access.Roles}
	us, err := s.db.Users(r.Context())
	if err != nil {
		return v, err
	}
	locale.Sort(v.lang(), us, func(u sqlstore.User) string { return u.Login })
	v.Users = us
	v.Parties, err = s.db.Parties(r.Context())
	return v, err
}

func (s *UI) handleUsersPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v, err := s.usersView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_users.html", v)
	return nil
}

func (s *UI) handleCreateUserForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	nu := sqlstore.NewUser{Login: strings.TrimSpace(r.PostFormValue("login")), Role: access.Role(r.PostFormValue("role")),
		Party: r.PostFormValue("party"), By: sc}
	u, err := s.db.CreateUser(r.Context(), nu)
	if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.usersView(r)
	if verr != nil {
		return verr
	}
	if err == nil {
		v.Code = u.Enrolment
		s.render(w, r, http.StatusCreated, "admin_users.html", v)
		return nil
	}
	v.New.Login, v.New.Role, v.New.Party = nu.Login, string(nu.Role), nu.Party
	v.Message = formMessage(v.chrome, err)
	v.Fields = map[string]string{}
	fieldErrors(v.chrome, err, v.Fields)
	s.render(w, r, http.StatusUnprocessableEntity, "admin_users.html", v)
	return nil
}

func (s *UI) handleDisableUserForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if err := s.db.DisableUser(r.Context(), r.PathValue("login")); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/users")
	return nil
}

// handleIssueCodeForm issues a new enrolment code (a lost phone: the
// person enrols again) or a password reset code, and shows it once.
func (s *UI) handleIssueCodeForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	c, err := s.db.IssueCode(r.Context(), sc, r.PathValue("login"), access.CodePurpose(r.PostFormValue("purpose")))
	if err != nil {
		return err
	}
	v, err := s.usersView(r)
	if err != nil {
		return err
	}
	v.Code = &c
	s.render(w, r, http.StatusOK, "admin_users.html", v)
	return nil
}

type adminTokensView struct {
	chrome
	Tokens []tokenRow
}

func (s *UI) tokensView(r *http.Request) (adminTokensView, error) {
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
	return v, nil
}

func (s *UI) handleTokensPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	v, err := s.tokensView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_tokens.html", v)
	return nil
}

func (s *UI) handleRevokeTokenForm(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	id, err := httpx.PathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), id, ""); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/tokens")
	return nil
}
