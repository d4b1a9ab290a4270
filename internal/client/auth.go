package client

import (
	"context"
	"net/url"
	"time"

	"github.com/handover-project/handover/internal/api"
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
	var out api.TokenAnswer
	err := c.Do(ctx, "POST", "/api/v1/auth/login", api.LoginRequest{Login: login, Password: password, TOTPCode: totpCode}, &out)
	return out.Token, out.ExpiresAt, err
}

// Enrol sets up an account with its one-time enrolment code: the person's
// own password and, for roles that need one, a second factor (its secret
// and current code).
func (c *Client) Enrol(ctx context.Context, login, code, password, totpSecret, totpCode string) (api.Enrolled, error) {
	var out api.Enrolled
	err := c.Do(ctx, "POST", "/api/v1/auth/enrol", api.EnrolRequest{Login: login, Code: code, Password: password,
		TOTPSecret: totpSecret, TOTPCode: totpCode}, &out)
	return out, err
}

// ResetPassword sets a new password with a one-time reset code (and a
// second-factor code when the account has one).
func (c *Client) ResetPassword(ctx context.Context, login, code, password, totpCode string) error {
	return c.Do(ctx, "POST", "/api/v1/auth/reset", api.ResetRequest{Login: login, Code: code, Password: password, TOTPCode: totpCode}, nil)
}

// ChangePassword changes the caller's password; every token of theirs,
// this one included, ends.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.Do(ctx, "POST", "/api/v1/me/password", api.PasswordChange{Current: current, New: next}, nil)
}

// LogoutEverywhere ends every session and token of the caller.
func (c *Client) LogoutEverywhere(ctx context.Context) error {
	return c.Do(ctx, "POST", "/api/v1/me/logout-all", nil, nil)
}

// ProposeKey proposes a key of the caller's party (party "" for one's own;
// a mediator operator proposes the mediator's), with an endorsement line
// when the party has a key in effect.
func (c *Client) ProposeKey(ctx context.Context, vkey, party, purpose, endorsement string) (api.Key, error) {
	var k api.Key
	err := c.Do(ctx, "POST", "/api/v1/log/keys", api.KeyProposal{VKey: vkey, Party: party, Purpose: purpose, Endorsement: endorsement}, &k)
	return k, err
}

// ConfirmKey confirms a key another person of the party proposed.
func (c *Client) ConfirmKey(ctx context.Context, name, endorsement string) (api.Key, error) {
	var k api.Key
	err := c.Do(ctx, "POST", "/api/v1/log/keys/"+url.PathEscape(name)+"/confirm", api.KeyConfirmation{Endorsement: endorsement}, &k)
	return k, err
}

// RevokeKey revokes a key of the caller's party, or withdraws a proposal.
func (c *Client) RevokeKey(ctx context.Context, name, reason string) (api.Key, error) {
	var k api.Key
	err := c.Do(ctx, "POST", "/api/v1/log/keys/"+url.PathEscape(name)+"/revoke", api.KeyRevocation{Reason: reason}, &k)
	return k, err
}

// KeyChanges returns every key and every key change, as both parties see
// them.
func (c *Client) KeyChanges(ctx context.Context) (api.KeyChanges, error) {
	var k api.KeyChanges
	err := c.Do(ctx, "GET", "/api/v1/log/keys/changes", nil, &k)
	return k, err
}
