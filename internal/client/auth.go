package client

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

// Anonymous returns a client without a token, for the public routes: log
// in, enrol, reset a password.
func Anonymous(base string) (*Client, error) {
	c, err := New(base, "anonymous")
	if err != nil {
		return nil, err
	}
	c.Token = ""
	return c, nil
}

// Login exchanges a login, password and (for approvers and administrators)
// a second-factor code for a token, and returns it with its expiry.
func (c *Client) Login(ctx context.Context, login, password, totpCode string) (string, time.Time, error) {
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"login": login, "password": password, "totp_code": totpCode}, &out)
	return out.Token, out.ExpiresAt, err
}

// Enrolled says what an enrolment set up.
type Enrolled struct {
	Login        string `json:"login"`
	Role         string `json:"role"`
	Party        string `json:"party"`
	SecondFactor bool   `json:"second_factor"`
}

// Enrol sets up an account with its one-time enrolment code: the person's
// own password and, for roles that need one, a second factor (its secret
// and current code).
func (c *Client) Enrol(ctx context.Context, login, code, password, totpSecret, totpCode string) (Enrolled, error) {
	var out Enrolled
	err := c.Do(ctx, "POST", "/api/v1/auth/enrol", map[string]string{"login": login, "code": code, "password": password,
		"totp_secret": totpSecret, "totp_code": totpCode}, &out)
	return out, err
}

// ResetPassword sets a new password with a one-time reset code (and a
// second-factor code when the account has one).
func (c *Client) ResetPassword(ctx context.Context, login, code, password, totpCode string) error {
	return c.Do(ctx, "POST", "/api/v1/auth/reset", map[string]string{"login": login, "code": code, "password": password, "totp_code": totpCode}, nil)
}

// ChangePassword changes the caller's password; every token of theirs,
// this one included, ends.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.Do(ctx, "POST", "/api/v1/me/password", map[string]string{"current": current, "new": next}, nil)
}

// LogoutEverywhere ends every session and token of the caller.
func (c *Client) LogoutEverywhere(ctx context.Context) error {
	return c.Do(ctx, "POST", "/api/v1/me/logout-all", nil, nil)
}

// ProposeKey proposes a key of the caller's party (party "" for one's own;
// a mediator operator proposes the mediator's), with an endorsement line
// when the party has a key in effect.
func (c *Client) ProposeKey(ctx context.Context, vkey, party, purpose, endorsement string) (sqlstore.LogKey, error) {
	var k sqlstore.LogKey
	err := c.Do(ctx, "POST", "/api/v1/log/keys", map[string]string{"vkey": vkey, "party": party, "purpose": purpose, "endorsement": endorsement}, &k)
	return k, err
}

// ConfirmKey confirms a key another person of the party proposed.
func (c *Client) ConfirmKey(ctx context.Context, name, endorsement string) (sqlstore.LogKey, error) {
	var k sqlstore.LogKey
	err := c.Do(ctx, "POST", "/api/v1/log/keys/"+url.PathEscape(name)+"/confirm", map[string]string{"endorsement": endorsement}, &k)
	return k, err
}

// RevokeKey revokes a key of the caller's party, or withdraws a proposal.
func (c *Client) RevokeKey(ctx context.Context, name, reason string) (sqlstore.LogKey, error) {
	var k sqlstore.LogKey
	err := c.Do(ctx, "POST", "/api/v1/log/keys/"+url.PathEscape(name)+"/revoke", map[string]string{"reason": reason}, &k)
	return k, err
}

// KeyChanges is every key with its state and every key change.
type KeyChanges struct {
	Keys    []sqlstore.LogKey   `json:"keys"`
	Changes []sqlstore.KeyEvent `json:"changes"`
}

// KeyChanges returns every key and every key change, as both parties see
// them.
func (c *Client) KeyChanges(ctx context.Context) (KeyChanges, error) {
	var k KeyChanges
	err := c.Do(ctx, "GET", "/api/v1/log/keys/changes", nil, &k)
	return k, err
}

// Key returns the key named, in any state.
func (k KeyChanges) Key(name string) (sqlstore.LogKey, error) {
	for _, x := range k.Keys {
		if x.Name == name {
			return x, nil
		}
	}
	return sqlstore.LogKey{}, errs.E("client.Key", errs.NotFound, fmt.Sprintf("no key %s", strings.TrimSpace(name)))
}
