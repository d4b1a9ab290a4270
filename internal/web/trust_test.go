package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The breaks of issue 12 that concern who acts for a party, each as it was
// reproduced: the administrator alone made an agreement that showed as
// signed by UA, RU and the mediator (tokens minted for the approvers, signer
// keys registered in their names); the second factor was skipped through
// the API; logging out everywhere left the API tokens alive.

// TestAdministratorActsForNoOne: the administrator mints no token for
// anyone else, registers no key of a party or of the mediator, signs
// nothing and reads no records.
func TestAdministratorActsForNoOne(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		for _, login := range []string{"ua-appr", "op", "ua-reg", "spare"} {
			if st, b := e.do("admin", "POST", "/api/v1/tokens", map[string]any{"login": login, "ttl_hours": 12}); st != http.StatusForbidden {
				t.Errorf("the administrator mints a token for %s: %d %s, want 403", login, st, b)
			}
		}
		// Nobody mints one for someone else.
		if st, b := e.do("op", "POST", "/api/v1/tokens", map[string]any{"login": "ua-appr", "ttl_hours": 12}); st != http.StatusForbidden {
			t.Errorf("the operator mints a token for an approver: %d %s, want 403", st, b)
		}
		for _, party := range []string{"UA", "RU", ""} {
			_, vk, _ := audit.GenerateKey("admins-own-" + strings.ToLower(party))
			if st, b := e.do("admin", "POST", "/api/v1/log/keys", map[string]any{"vkey": vk, "party": party, "purpose": "signer"}); st != http.StatusForbidden {
				t.Errorf("the administrator registers a signer key for %q: %d %s, want 403", party, st, b)
			}
		}
		if st, b := e.do("admin", "GET", "/api/v1/records?party=UA", nil); st != http.StatusForbidden {
			t.Errorf("the administrator reads records: %d %s, want 403", st, b)
		}
		// Its own token it may mint (and it carries its second factor).
		if st, b := e.do("admin", "POST", "/api/v1/tokens", map[string]any{"ttl_hours": 1}); st != http.StatusCreated || !strings.Contains(string(b), `"login":"admin"`) {
			t.Errorf("the administrator's own token: %d %s", st, b)
		}
	})
}

// TestSecondFactorOnTheAPI: an approver or the administrator does not get
// a token for a password alone.
func TestSecondFactorOnTheAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		for _, login := range []string{"ua-appr", "admin"} {
			st, b := e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": login, "password": "a long enough password"})
			if st != http.StatusUnauthorized || strings.Contains(string(b), "hov_") {
				t.Errorf("password-only API login of %s: %d %s, want 401", login, st, b)
			}
		}
		if st, b := e.do("", "POST", "/api/v1/auth/login", map[string]string{"login": "ua-reg", "password": "a long enough password"}); st != http.StatusOK {
			t.Errorf("a registrar's API login: %d %s", st, b)
		}
	})
}

// TestLogoutEverywhereEndsTokens: "log out everywhere" also revokes the
// user's API tokens.
func TestLogoutEverywhereEndsTokens(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		if st, _ := e.do("ua-reg", "GET", "/api/v1/me", nil); st != http.StatusOK {
			t.Fatalf("token before: %d", st)
		}
		if st, _, _ := e.page(e.session("ua-reg"), "POST", "/logout/all", url.Values{}); st != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %d", st)
		}
		if st, b := e.do("ua-reg", "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
			t.Errorf("token after logout everywhere: %d %s, want 401", st, b)
		}
		if st, _ := e.do("ru-reg", "GET", "/api/v1/me", nil); st != http.StatusOK {
			t.Errorf("another user's token after logout everywhere: %d", st)
		}
	})
}

// TestKeyNeedsASecondPerson: one UA approver's key is not in effect, and
// signs nothing, until a second UA person confirms it; both parties see
// every step.
func TestKeyNeedsASecondPerson(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		signers := func() string {
			_, b := e.do("aud", "GET", "/api/v1/log/keys", nil)
			var k struct{ Signers []struct{ Name string } }
			json.Unmarshal(b, &k)
			var names []string
			for _, s := range k.Signers {
				names = append(names, s.Name)
			}
			return strings.Join(names, ",")
		}
		_, vk, _ := audit.GenerateKey("UA-approver-1")
		st, b := e.do("ua-appr", "POST", "/api/v1/log/keys", map[string]any{"vkey": vk, "purpose": "signer"})
		if st != http.StatusCreated || !strings.Contains(string(b), `"state":"proposed"`) {
			t.Fatalf("a UA approver proposes a key: %d %s", st, b)
		}
		if got := signers(); got != "" {
			t.Fatalf("signer keys after one approver's proposal: %q, want none", got)
		}
		if st, b := e.do("ua-appr", "POST", "/api/v1/log/keys/UA-approver-1/confirm", map[string]any{}); st != http.StatusForbidden {
			t.Fatalf("the proposer confirms: %d %s, want 403", st, b)
		}
		for _, login := range []string{"admin", "op", "ua-reg"} {
			if st, b := e.do(login, "POST", "/api/v1/log/keys/UA-approver-1/confirm", map[string]any{}); st != http.StatusForbidden {
				t.Errorf("%s confirms: %d %s, want 403", login, st, b)
			}
		}
		if got := signers(); got != "" {
			t.Fatalf("signer keys after refused confirmations: %q", got)
		}
		// A second UA approver confirms.
		if _, err := db.CreateUser(context.Background(), sqlstore.NewUser{Login: "ua-appr-2", Role: access.PartyApprover, Party: "UA", Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		e.tokens["ua-appr-2"] = mintToken(t, db, "ua-appr-2")
		if st, b := e.do("ua-appr-2", "POST", "/api/v1/log/keys/UA-approver-1/confirm", map[string]any{}); st != http.StatusOK {
			t.Fatalf("a second UA approver confirms: %d %s", st, b)
		}
		if got := signers(); got != "UA-approver-1" {
			t.Fatalf("signer keys after confirmation: %q", got)
		}
		// RU's registrar sees both changes, with who made them.
		st, b = e.do("ru-reg", "GET", "/api/v1/log/keys/changes", nil)
		var ch struct {
			Changes []struct{ Key, Event, Login string }
		}
		json.Unmarshal(b, &ch)
		if st != 200 || len(ch.Changes) != 2 || ch.Changes[0].Login != "ua-appr" || ch.Changes[1].Event != "confirmed" || ch.Changes[1].Login != "ua-appr-2" {
			t.Fatalf("key changes seen by RU: %d %s", st, b)
		}
		// And on the keys page.
		st, body, _ := e.page(e.session("ru-reg"), "GET", "/keys", nil)
		if st != 200 || !strings.Contains(body, `id="key-changes"`) || !bytes.Contains([]byte(body), []byte("ua-appr-2")) {
			t.Fatalf("keys page for RU: %d", st)
		}
	})
}

// TestKeysPage: the keys page carries the two-person rule: a UA approver
// proposes a key there, cannot confirm it, a second UA approver confirms
// it, and RU's users see each step.
func TestKeysPage(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		if _, err := db.CreateUser(context.Background(), sqlstore.NewUser{Login: "ua-appr-2", Role: access.PartyApprover, Party: "UA", Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		_, vk, _ := audit.GenerateKey("UA-page-key")
		appr := e.session("ua-appr")
		if st, body, _ := e.page(appr, "GET", "/keys", nil); st != 200 || !strings.Contains(body, `id="propose"`) {
			t.Fatalf("keys page for an approver: %d, want the form to propose a key", st)
		}
		if st, body, _ := e.page(e.session("admin"), "GET", "/keys", nil); st != 200 || strings.Contains(body, `id="propose"`) {
			t.Fatalf("keys page for the administrator: %d, want no form", st)
		}
		if st, _, h := e.page(appr, "POST", "/keys", url.Values{"vkey": {vk}, "purpose": {"signer"}}); st != http.StatusSeeOther || h.Get("Location") != "/keys" {
			t.Fatalf("propose: %d", st)
		}
		st, body, _ := e.page(appr, "GET", "/keys", nil)
		if st != 200 || !strings.Contains(body, "proposed: not in effect") || strings.Contains(body, `id="confirm-UA-page-key"`) {
			t.Fatalf("after the proposal, the proposer's page: %d, want the key proposed and no confirm button", st)
		}
		if st, body, _ := e.page(appr, "POST", "/keys/UA-page-key/confirm", url.Values{}); st != http.StatusForbidden || !strings.Contains(body, "a second person of UA must confirm it") {
			t.Fatalf("the proposer confirms through the page: %d", st)
		}
		second := e.session("ua-appr-2")
		if st, body, _ := e.page(second, "GET", "/keys", nil); st != 200 || !strings.Contains(body, `id="confirm-UA-page-key"`) {
			t.Fatalf("the second approver's page: %d, want a confirm button", st)
		}
		if st, _, _ := e.page(second, "POST", "/keys/UA-page-key/confirm", url.Values{}); st != http.StatusSeeOther {
			t.Fatalf("the second approver confirms: %d", st)
		}
		st, body, _ = e.page(e.session("ru-reg"), "GET", "/keys", nil)
		for _, want := range []string{"UA-page-key", "in effect", "proposed by ua-appr", "confirmed by ua-appr-2"} {
			if !strings.Contains(body, want) {
				t.Errorf("RU's keys page (%d) lacks %q", st, want)
			}
		}
	})
}
