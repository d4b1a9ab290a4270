package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// auditKeys returns a key set for a log without checkpoints.
func auditKeys(t *testing.T) *audit.Keys {
	t.Helper()
	_, vkey, err := audit.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := audit.NewKeys(origin, vkey)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// auditFindings returns the codes of an audit's findings.
func auditFindings(t *testing.T, db *sqlstore.DB) []audit.FindingCode {
	t.Helper()
	res, err := db.AuditLog(context.Background(), auditKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.FindingCode
	for _, f := range res.Findings {
		out = append(out, f.Code)
	}
	return out
}

func has(codes []audit.FindingCode, c audit.FindingCode) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// TestEnrolment: an account made by the administrator has no password
// until its person enrols with the one-time code, setting their own
// password and second factor; the code works once; a reset code needs the
// second factor too; every step is logged and replayed by the audit.
func TestEnrolment(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		now := time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		cheapArgon := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

		u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-appr-2", Role: access.PartyApprover, Party: "UA", By: sc["admin"]})
		if err != nil {
			t.Fatal(err)
		}
		if u.Enrolment == nil || len(u.Enrolment.Code) != 24 || u.Enrolment.Purpose != access.CodeEnrol {
			t.Fatalf("enrolment code %+v", u.Enrolment)
		}
		code := u.Enrolment.Code
		if _, err := db.Authenticate(ctx, "ua-appr-2", ""); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("login before enrolment: got %v, want unauthenticated", err)
		}
		secret, _ := access.NewTOTPSecret("ua-appr-2")
		totp := func() string {
			c, err := access.TOTPCode(secret, now)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		en := sqlstore.Enrolment{Login: "ua-appr-2", Code: code, Password: "my own long password", Argon2: cheapArgon}
		for _, tc := range []struct {
			name string
			e    func(sqlstore.Enrolment) sqlstore.Enrolment
			kind errs.Kind
		}{
			{"wrong code", func(e sqlstore.Enrolment) sqlstore.Enrolment { e.Code = "AAAA-BBBB-CCCC-DDDD-EEEE"; return e }, errs.Unauthenticated},
			{"another login", func(e sqlstore.Enrolment) sqlstore.Enrolment { e.Login = "ua-reg"; return e }, errs.Unauthenticated},
			{"short password", func(e sqlstore.Enrolment) sqlstore.Enrolment { e.Password = "short"; return e }, errs.Invalid},
			{"an approver without a second factor", func(e sqlstore.Enrolment) sqlstore.Enrolment { return e }, errs.Invalid},
			{"a wrong second-factor code", func(e sqlstore.Enrolment) sqlstore.Enrolment {
				e.TOTPSecret, e.TOTPCode = secret, "000000"
				return e
			}, errs.Invalid},
		} {
			if _, err := db.Enrol(ctx, tc.e(en)); !errs.Is(tc.kind, err) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.kind)
			}
		}
		en.TOTPSecret, en.TOTPCode = secret, totp()
		if _, err := db.Enrol(ctx, en); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enrol(ctx, en); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("the enrolment code used twice: got %v", err)
		}
		appr, err := db.Authenticate(ctx, "ua-appr-2", "my own long password")
		if err != nil {
			t.Fatal(err)
		}
		// The code shown at enrolment was used; the next one works once.
		if err := db.CheckSecondFactor(ctx, appr, totp()); !errs.Is(errs.Conflict, err) {
			t.Fatalf("the enrolment's code again: got %v, want conflict", err)
		}
		now = now.Add(30 * time.Second)
		if err := db.CheckSecondFactor(ctx, appr, "123456"); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("a wrong code: got %v, want unauthenticated", err)
		}
		if err := db.CheckSecondFactor(ctx, appr, totp()); err != nil {
			t.Fatal(err)
		}

		// A registrar enrols with a password alone.
		reg, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg-2", Role: access.PartyRegistrar, Party: "UA", By: sc["admin"]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enrol(ctx, sqlstore.Enrolment{Login: "ua-reg-2", Code: reg.Enrolment.Code, Password: "registrar's password", TOTPSecret: secret, TOTPCode: totp(), Argon2: cheapArgon}); !errs.Is(errs.Invalid, err) {
			t.Fatalf("a registrar with a second factor: got %v, want invalid", err)
		}
		if _, err := db.Enrol(ctx, sqlstore.Enrolment{Login: "ua-reg-2", Code: reg.Enrolment.Code, Password: "registrar's password", Argon2: cheapArgon}); err != nil {
			t.Fatal(err)
		}

		// Only an administrator who passed the second factor issues codes,
		// never their own.
		noMFA := sc["admin"]
		noMFA.MFA = false
		for name, by := range map[string]access.Scope{"a registrar": sc["ua-reg"], "an approver": sc["ua-appr"], "an administrator without the second factor": noMFA} {
			if _, err := db.IssueCode(ctx, by, "ua-appr-2", access.CodeReset); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s issues a code: got %v, want forbidden", name, err)
			}
		}
		if _, err := db.IssueCode(ctx, sc["admin"], "admin", access.CodeReset); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the administrator's own code: got %v, want forbidden", err)
		}

		// A reset code alone does not open an account with a second factor.
		appr.MFA = true
		tok, _, err := db.CreateToken(ctx, appr.Scope(), "t", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		reset, err := db.IssueCode(ctx, sc["admin"], "ua-appr-2", access.CodeReset)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Second)
		pr := sqlstore.PasswordReset{Login: "ua-appr-2", Code: reset.Code, Password: "the administrator's pick", Argon2: cheapArgon}
		if err := db.ResetPassword(ctx, pr); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("reset without the second factor: got %v, want unauthenticated", err)
		}
		pr.TOTPCode = totp()
		if err := db.ResetPassword(ctx, pr); err != nil {
			t.Fatal(err)
		}
		if err := db.ResetPassword(ctx, pr); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("the reset code again: got %v, want unauthenticated", err)
		}
		reset, _ = db.IssueCode(ctx, sc["admin"], "ua-appr-2", access.CodeReset)
		pr.Code, pr.Password = reset.Code, "forgot it, new one"
		if err := db.ResetPassword(ctx, pr); !errs.Is(errs.Conflict, err) {
			t.Fatalf("reset with a used second-factor code: got %v, want conflict", err)
		}
		now = now.Add(30 * time.Second)
		pr.TOTPCode = totp()
		if err := db.ResetPassword(ctx, pr); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByToken(ctx, tok); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("a token after the password reset: got %v, want unauthenticated", err)
		}
		if _, err := db.Authenticate(ctx, "ua-appr-2", "forgot it, new one"); err != nil {
			t.Fatal(err)
		}

		// A change of password needs the current one.
		if err := db.ChangePassword(ctx, appr.Scope(), "wrong current one", "a brand new password", cheapArgon); !errs.Is(errs.Invalid, err) {
			t.Fatalf("change with a wrong current password: got %v, want invalid", err)
		}
		if err := db.ChangePassword(ctx, appr.Scope(), "forgot it, new one", "a brand new password", cheapArgon); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, "ua-appr-2", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if codes := auditFindings(t, db); len(codes) != 0 {
			t.Fatalf("clean audit: %v", codes)
		}

		// A password written into the database around the log is caught.
		if err := db.RawExec(ctx, `UPDATE users SET password_hash = ? WHERE login = 'ua-appr-2'`, access.HashPassword("the operator knows it", cheapArgon)); err != nil {
			t.Fatal(err)
		}
		if codes := auditFindings(t, db); !has(codes, sqlstore.AccountChanged) {
			t.Fatalf("a password set around the log: findings %v, want %s", codes, sqlstore.AccountChanged)
		}

		// A lost phone: a new enrolment code clears the account.
		if _, err := db.IssueCode(ctx, sc["admin"], "ua-appr-2", access.CodeEnrol); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, "ua-appr-2", "a brand new password"); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("login after a new enrolment code: got %v, want unauthenticated", err)
		}
		if ok, _ := db.HasSecondFactor(ctx, appr.ID); ok {
			t.Error("the second factor survived a new enrolment code")
		}
	})
}

// TestLogoutEverywhereRevokesTokens: logging out everywhere ends the
// sessions and the API tokens.
func TestLogoutEverywhereRevokesTokens(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		tok, _, err := db.CreateToken(ctx, sc["ua-reg"], "laptop", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := db.CreateToken(ctx, sc["ua-appr"], "laptop", time.Hour)
		if _, err := db.EndUserSessions(ctx, sc["ua-reg"].UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByToken(ctx, tok); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("token after logout everywhere: got %v, want unauthenticated", err)
		}
		if _, err := db.UserByToken(ctx, other); err != nil {
			t.Errorf("another user's token died too: %v", err)
		}
	})
}

// TestTokensOwnedAndSecondFactor: a token is minted by its owner; a role
// that needs a second factor gets one only when it passed it, and the
// token carries that.
func TestTokensOwnedAndSecondFactor(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		for _, login := range []string{"ua-appr", "admin"} {
			s := sc[login]
			s.MFA = false
			if _, _, err := db.CreateToken(ctx, s, "x", time.Hour); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s without the second factor: got %v, want forbidden", login, err)
			}
		}
		reg := sc["ua-reg"]
		reg.MFA = false
		tok, info, err := db.CreateToken(ctx, reg, "x", time.Hour)
		if err != nil || info.MFA {
			t.Fatalf("registrar's token: %+v %v", info, err)
		}
		if u, _ := db.UserByToken(ctx, tok); u.MFA {
			t.Error("a token minted without the second factor says it passed it")
		}
		tok, info, err = db.CreateToken(ctx, sc["ua-appr"], "x", time.Hour)
		if err != nil || !info.MFA || info.Login != "ua-appr" {
			t.Fatalf("approver's token: %+v %v", info, err)
		}
		u, _ := db.UserByToken(ctx, tok)
		if !u.Scope().MFA {
			t.Error("an approver's token lost its second factor")
		}
		// A token marked as having passed the second factor in the
		// database, around the log, is caught by the audit.
		if codes := auditFindings(t, db); len(codes) != 0 {
			t.Fatalf("clean audit: %v", codes)
		}
		if err := db.RawExec(ctx, `UPDATE tokens SET mfa = 1 WHERE mfa = 0`); err != nil {
			t.Fatal(err)
		}
		if codes := auditFindings(t, db); !has(codes, sqlstore.ColumnChanged) {
			t.Errorf("a token's mfa set around the log: findings %v, want %s", codes, sqlstore.ColumnChanged)
		}
	})
}

// TestAuditCatchesAPlantedCode is finding 2 of the security review of
// issue 19: whoever can write the database (or restores one with
// --accept-unsigned) plants a one-time code for the mediator's
// administrator, enrols with it with their own password and second
// factor, and the audit passed. A code issued the logged way passes; the
// planted one has no issued event committing to its hash, and the audit
// reports it (code-unlogged) before the enrolment it allows and after.
func TestAuditCatchesAPlantedCode(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 1, false)
		if _, err := db.IssueCode(ctx, f.scopes["admin"], "ua-reg", access.CodeReset); err != nil {
			t.Fatal(err)
		}
		if res, err := db.AuditLog(ctx, f.logKeys); err != nil || !res.OK() {
			t.Fatalf("a code issued the logged way fails the audit (%v):\n%s", err, findings(res))
		}
		code := access.NewCode()
		now := db.Now().UTC()
		if err := db.RawExec(ctx, `INSERT INTO user_codes (user_id, purpose, hash, created_at, expires_at) VALUES (?, 'enrol', ?, ?, ?)`,
			f.scopes["admin"].UserID, access.HashCode(code), now.Format(time.RFC3339Nano), now.Add(24*time.Hour).Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
		wantPlanted := func(when string) {
			t.Helper()
			res, err := db.AuditLog(ctx, f.logKeys)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Findings {
				if f.Code == sqlstore.CodeUnlogged && strings.Contains(f.Message, "(admin, enrol)") {
					return
				}
			}
			t.Errorf("%s: no %s finding about the administrator's planted enrolment code:\n%s", when, sqlstore.CodeUnlogged, findings(res))
		}
		wantPlanted("planted")
		secret, _ := access.NewTOTPSecret("admin")
		totp, _ := access.TOTPCode(secret, db.Now())
		if _, err := db.Enrol(ctx, sqlstore.Enrolment{Login: "admin", Code: code, Password: "the attacker's own password", TOTPSecret: secret, TOTPCode: totp,
			Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}}); err != nil {
			t.Fatal(err) // the store takes a code it holds: the audit is what tells
		}
		wantPlanted("after the enrolment with it")
	})
}

// TestCodesIssuedBefore0031: a code issued before the log committed to
// codes (migration 0031) cannot be told from a planted one. The upgrade
// ends every such code still open; the audit then passes, accepting an
// old code that has ended or expired, and reports one opened again; a code
// issued after the upgrade works and is covered.
func TestCodesIssuedBefore0031(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, dialect)
			old, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			old.WriteAsBefore0031()
			sc := fixture(t, old)
			newcomer, err := old.CreateUser(ctx, sqlstore.NewUser{Login: "newcomer", Role: access.PartyRegistrar, Party: "UA", By: sc["admin"]})
			if err != nil {
				t.Fatal(err)
			}
			reset, err := old.IssueCode(ctx, sc["admin"], "aud", access.CodeReset)
			if err != nil {
				t.Fatal(err)
			}
			if err := old.ResetPassword(ctx, sqlstore.PasswordReset{Login: "aud", Code: reset.Code, Password: "a new long enough password", Argon2: cheap}); err != nil {
				t.Fatal(err)
			}
			// The database never saw migration 0031's ending of old codes.
			if err := old.RawExec(ctx, `DELETE FROM schema_migrations WHERE name = '0031_b_end_unlogged_codes.sql'`); err != nil {
				t.Fatal(err)
			}
			old.Close()

			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			keys := auditKeys(t)
			if res, err := db.AuditLog(ctx, keys); err != nil || !res.OK() {
				t.Fatalf("the upgraded database fails the audit (%v):\n%s", err, findings(res))
			}
			en := sqlstore.Enrolment{Login: "newcomer", Code: newcomer.Enrolment.Code, Password: "my own long password", Argon2: cheap}
			if _, err := db.Enrol(ctx, en); !errs.Is(errs.Unauthenticated, err) {
				t.Fatalf("an enrolment code of before the upgrade: got %v, want unauthenticated (ended)", err)
			}

			// Opened again around the log, it is reported.
			if err := db.RawExec(ctx, `UPDATE user_codes SET ended_at = NULL WHERE user_id = ?`, newcomer.ID); err != nil {
				t.Fatal(err)
			}
			if codes := auditFindings(t, db); !has(codes, sqlstore.CodeUnlogged) {
				t.Fatalf("an old code opened again: findings %v, want %s", codes, sqlstore.CodeUnlogged)
			}
			if err := db.RawExec(ctx, `UPDATE user_codes SET ended_at = created_at WHERE user_id = ?`, newcomer.ID); err != nil {
				t.Fatal(err)
			}

			// A new code is issued the covered way, and works.
			c, err := db.IssueCode(ctx, sc["admin"], "newcomer", access.CodeEnrol)
			if err != nil {
				t.Fatal(err)
			}
			en.Code = c.Code
			if _, err := db.Enrol(ctx, en); err != nil {
				t.Fatal(err)
			}
			if res, err := db.AuditLog(ctx, keys); err != nil || !res.OK() {
				t.Fatalf("after a new code (%v):\n%s", err, findings(res))
			}
		})
	}
}
