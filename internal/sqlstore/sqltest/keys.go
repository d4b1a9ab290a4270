package sqltest

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
)

var (
	endorsersMu sync.Mutex
	// endorsers are the private keys ActivateKey put in effect, by store
	// and party: what it endorses the next key of the party with.
	endorsers = map[*sqlstore.DB]map[string]string{}
)

// ActivateKey puts the key whose private key is skey in effect for party
// ("" for the mediator) and purpose the way the party's people do
// (docs/design/security.md §3): one proposes it, a second confirms it, and
// when the party has a key in effect already (one this function put there)
// the proposal is endorsed with that key. The two people are made on first
// use: PARTY-keyholder-1 and -2 (approvers of the party; for the mediator,
// operators med-keyholder-1 and -2), who passed the second factor. It
// returns the verifier key.
func ActivateKey(t testing.TB, db *sqlstore.DB, skey, party, purpose string) string {
	t.Helper()
	vkey := VerifierKey(t, skey)
	activate(t, db, vkey, party, purpose)
	endorsersMu.Lock()
	if endorsers[db] == nil {
		endorsers[db] = map[string]string{}
	}
	endorsers[db][party] = skey
	endorsersMu.Unlock()
	return vkey
}

// ActivateCosignatureKey puts the witness key whose private key is skey in
// effect for party as a C2SP tlog-cosignature key (type 0x04), the form in
// which a standard witness such as litewitness prints its key, as
// ActivateKey does. Such a key signs no endorsements, so it does not
// endorse the party's next key. It returns the 0x04 verifier key.
func ActivateCosignatureKey(t testing.TB, db *sqlstore.DB, skey, party string) string {
	t.Helper()
	vkey, err := fnote.VKeyToCosignatureV1(VerifierKey(t, skey))
	if err != nil {
		t.Fatal(err)
	}
	activate(t, db, vkey, party, sqlstore.KeyWitness)
	return vkey
}

func activate(t testing.TB, db *sqlstore.DB, vkey, party, purpose string) {
	t.Helper()
	ctx := context.Background()
	prefix, role := strings.ToLower(party), access.PartyApprover
	if party == "" {
		prefix, role = "med", access.MediatorOperator
	}
	var scopes [2]access.Scope
	for i, login := range []string{prefix + "-keyholder-1", prefix + "-keyholder-2"} {
		u, err := db.UserByLogin(ctx, login)
		if err != nil {
			u, err = db.CreateUser(ctx, sqlstore.NewUser{Login: login, Role: role, Party: party, Password: "a long enough password",
				Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatalf("make %s: %v", login, err)
			}
		}
		u.MFA = true
		scopes[i] = u.Scope()
	}
	endorsersMu.Lock()
	prev := endorsers[db][party]
	endorsersMu.Unlock()
	p := sqlstore.KeyProposal{VKey: vkey, Party: party, Purpose: purpose}
	if prev != "" {
		var err error
		if p.Endorsement, err = audit.Endorse(prev, keyParty(party), purpose, vkey); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ProposeKey(ctx, scopes[0], p); err != nil {
		t.Fatalf("propose %s: %v", audit.KeyName(vkey), err)
	}
	if _, err := db.ConfirmKey(ctx, scopes[1], audit.KeyName(vkey), ""); err != nil {
		t.Fatalf("confirm %s: %v", audit.KeyName(vkey), err)
	}
}

func keyParty(party string) string {
	if party == "" {
		return access.Mediator
	}
	return party
}

// VerifierKey returns the verifier key of the signed-note private key
// skey (as audit.GenerateKey made them in pairs): what a party registers.
func VerifierKey(t testing.TB, skey string) string {
	t.Helper()
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	var key []byte
	if len(parts) == 5 {
		key, _ = base64.StdEncoding.DecodeString(parts[4])
	}
	if len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		t.Fatalf("not an Ed25519 signed-note private key: %.20q…", skey)
	}
	vkey, err := note.NewEd25519VerifierKey(parts[2], ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}
