package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// account makes a user who passed the second factor and returns their scope.
func account(t *testing.T, db *sqlstore.DB, login string, role access.Role, party string) access.Scope {
	t.Helper()
	u, err := db.CreateUser(context.Background(), sqlstore.NewUser{Login: login, Role: role, Party: party, Password: "a long enough password", Argon2: cheap})
	if err != nil {
		t.Fatal(err)
	}
	u.MFA = true
	return u.Scope()
}

func inEffect(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	ks, err := db.LogKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range ks {
		out = append(out, k.Name)
	}
	return out
}

// TestKeysNeedTwoPeople walks the two-person rule: no single account, and
// no pair of accounts made for the occasion, puts a key in effect for a
// party.
func TestKeysNeedTwoPeople(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		appr2 := account(t, db, "ua-appr-2", access.PartyApprover, "UA")
		ruAppr := account(t, db, "ru-appr", access.PartyApprover, "RU")
		op2 := account(t, db, "op-2", access.MediatorOperator, "")
		sk1, vk1, _ := audit.GenerateKey("UA-signer-1")
		noMFA := sc["ua-appr"]
		noMFA.MFA = false

		// Who may not propose a key for UA.
		for name, s := range map[string]access.Scope{"the administrator": sc["admin"], "a registrar": sc["ua-reg"], "RU's approver": ruAppr,
			"the operator": sc["op"], "an approver without the second factor": noMFA} {
			if _, err := db.ProposeKey(ctx, s, sqlstore.KeyProposal{VKey: vk1, Party: "UA", Purpose: sqlstore.KeySigner}); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s proposes a UA key: got %v, want forbidden", name, err)
			}
		}
		k, err := db.ProposeKey(ctx, sc["ua-appr"], sqlstore.KeyProposal{VKey: vk1, Party: "UA", Purpose: sqlstore.KeySigner})
		if err != nil || k.State != access.KeyProposed {
			t.Fatalf("propose: %+v %v", k, err)
		}
		if got := inEffect(t, db); len(got) != 0 {
			t.Fatalf("a proposed key is in effect: %v", got)
		}
		// Who may not confirm it.
		for name, s := range map[string]access.Scope{"its proposer": sc["ua-appr"], "the administrator": sc["admin"], "RU's approver": ruAppr, "a UA registrar": sc["ua-reg"]} {
			if _, err := db.ConfirmKey(ctx, s, "UA-signer-1", ""); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s confirms: got %v, want forbidden", name, err)
			}
		}
		if got := inEffect(t, db); len(got) != 0 {
			t.Fatalf("a refused confirmation put the key in effect: %v", got)
		}
		if k, err = db.ConfirmKey(ctx, appr2, "UA-signer-1", ""); err != nil || k.State != access.KeyActive || k.ConfirmedBy != "ua-appr-2" {
			t.Fatalf("confirm by a second person: %+v %v", k, err)
		}
		if _, err := db.ConfirmKey(ctx, appr2, "UA-signer-1", ""); !errs.Is(errs.Conflict, err) {
			t.Errorf("confirming twice: got %v, want conflict", err)
		}
		if got := inEffect(t, db); !slices.Equal(got, []string{"UA-signer-1"}) {
			t.Fatalf("in effect: %v", got)
		}

		// UA has a key now: a pair of fresh approvers (made by the
		// administrator, say) cannot add one without its endorsement.
		new1 := account(t, db, "ua-new-1", access.PartyApprover, "UA")
		new2 := account(t, db, "ua-new-2", access.PartyApprover, "UA")
		_, vk2, _ := audit.GenerateKey("UA-signer-2")
		if _, err := db.ProposeKey(ctx, new1, sqlstore.KeyProposal{VKey: vk2, Party: "UA", Purpose: sqlstore.KeySigner}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmKey(ctx, new2, "UA-signer-2", ""); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a second key without endorsement: got %v, want forbidden", err)
		}
		// An endorsement by a key that is not UA's in effect is refused.
		otherSK, _, _ := audit.GenerateKey("not-UA")
		bad, _ := audit.Endorse(otherSK, "UA", sqlstore.KeySigner, vk2)
		if _, err := db.ConfirmKey(ctx, new2, "UA-signer-2", bad); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a bad endorsement: got %v, want forbidden", err)
		}
		// An endorsement of another purpose does not carry over.
		wrong, _ := audit.Endorse(sk1, "UA", sqlstore.KeyWitness, vk2)
		if _, err := db.ConfirmKey(ctx, new2, "UA-signer-2", wrong); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("an endorsement for another purpose: got %v, want forbidden", err)
		}
		good, _ := audit.Endorse(sk1, "UA", sqlstore.KeySigner, vk2)
		if k, err = db.ConfirmKey(ctx, new2, "UA-signer-2", good); err != nil || k.EndorsedBy != "UA-signer-1" {
			t.Fatalf("an endorsed key: %+v %v", k, err)
		}

		// Revoking: the party's own approver, never the last key.
		if _, err := db.RevokeKey(ctx, sc["admin"], "UA-signer-1", "lost"); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the administrator revokes: got %v, want forbidden", err)
		}
		if _, err := db.RevokeKey(ctx, sc["ua-appr"], "UA-signer-1", ""); !errs.Is(errs.Invalid, err) {
			t.Errorf("revoke without a reason: got %v, want invalid", err)
		}
		if _, err := db.RevokeKey(ctx, sc["ua-appr"], "UA-signer-1", "the laptop was lost"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeKey(ctx, sc["ua-appr"], "UA-signer-2", "last"); !errs.Is(errs.Conflict, err) {
			t.Errorf("revoking the last key: got %v, want conflict", err)
		}
		if got := inEffect(t, db); !slices.Equal(got, []string{"UA-signer-2"}) {
			t.Fatalf("in effect after revocation: %v", got)
		}

		// The mediator's keys: its operators, two of them.
		_, mvk, _ := audit.GenerateKey("mediator-signer")
		if _, err := db.ProposeKey(ctx, sc["admin"], sqlstore.KeyProposal{VKey: mvk, Purpose: sqlstore.KeySigner}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the administrator proposes a mediator key: got %v, want forbidden", err)
		}
		if _, err := db.ProposeKey(ctx, sc["op"], sqlstore.KeyProposal{VKey: mvk, Purpose: sqlstore.KeySigner}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmKey(ctx, sc["op"], "mediator-signer", ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the operator confirms its own proposal: got %v, want forbidden", err)
		}
		if _, err := db.ConfirmKey(ctx, op2, "mediator-signer", ""); err != nil {
			t.Fatal(err)
		}

		// Both parties see every change, who made it and its leaf.
		changes, err := db.KeyChanges(ctx, sc["ru-reg"])
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, c := range changes {
			seen = append(seen, c.Key+" "+c.Event+" "+c.Login)
			data, err := db.Leaf(ctx, c.Leaf)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := audit.DecodeLeaf(data)
			if err != nil || string(leaf.Type) != "key."+c.Event || leaf.Subject != "key:"+c.Key {
				t.Errorf("change %+v: leaf %+v %v", c, leaf, err)
			}
		}
		want := []string{"UA-signer-1 proposed ua-appr", "UA-signer-1 confirmed ua-appr-2", "UA-signer-2 proposed ua-new-1", "UA-signer-2 confirmed ua-new-2",
			"UA-signer-1 revoked ua-appr", "mediator-signer proposed op", "mediator-signer confirmed op-2"}
		if !slices.Equal(seen, want) {
			t.Errorf("key changes:\n%v\nwant\n%v", seen, want)
		}
		if _, err := db.KeyChanges(ctx, sc["sys"]); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the sysadmin reads key changes: got %v, want forbidden", err)
		}
		if codes := auditFindings(t, db); len(codes) != 0 {
			t.Fatalf("clean audit: %v", codes)
		}
	})
}

// TestKeyTampersCaught: a key moved to another party, or put in effect in
// the database around the log, is reported by the audit.
func TestKeyTampersCaught(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper []string
		want   audit.FindingCode
	}{
		{"a key moved to the other party", []string{`UPDATE log_keys SET party = 'RU' WHERE name = 'UA-signer'`}, sqlstore.EventChanged},
		{"a key's purpose changed", []string{`UPDATE log_keys SET purpose = 'witness' WHERE name = 'UA-signer'`}, sqlstore.EventChanged},
		{"a proposal marked as registered before the rule", []string{`UPDATE log_keys SET proposed = 0 WHERE name = 'UA-pending'`}, sqlstore.EventChanged},
		{"a confirmation inserted", []string{`INSERT INTO key_events (key_name, event, user_id, endorsement, endorsed_by, reason, at, leaf_index, nonce)
			SELECT 'UA-pending', 'confirmed', user_id, '', '', '', at, leaf_index, nonce FROM key_events WHERE key_name = 'UA-pending'`}, sqlstore.EventChanged},
		{"a key inserted", []string{`INSERT INTO log_keys (name, vkey, party, purpose, fingerprint, registered_by, registered_at, proposed)
			VALUES ('UA-fake', 'UA-fake+00000000+AQ==', 'UA', 'signer', 'x', 'admin', '2025-01-01T00:00:00.000000Z', 0)`}, sqlstore.EventChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				sc := fixture(t, db)
				sk, _, _ := audit.GenerateKey("UA-signer")
				sqltest.ActivateKey(t, db, sk, "UA", sqlstore.KeySigner)
				_, pvk, _ := audit.GenerateKey("UA-pending")
				if _, err := db.ProposeKey(ctx, sc["ua-appr"], sqlstore.KeyProposal{VKey: pvk, Party: "UA", Purpose: sqlstore.KeySigner}); err != nil {
					t.Fatal(err)
				}
				if codes := auditFindings(t, db); len(codes) != 0 {
					t.Fatalf("clean audit: %v", codes)
				}
				for _, q := range tc.tamper {
					if err := db.RawExec(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				if codes := auditFindings(t, db); !has(codes, tc.want) {
					t.Errorf("findings %v, want %s", codes, tc.want)
				}
			})
		})
	}
}
