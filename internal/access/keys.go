package access

import (
	"fmt"

	"github.com/handover-project/handover/internal/errs"
)

// The two-person rule for keys (docs/design/security.md §3). A party's
// witness and signer keys are its own: one of its approvers proposes a key
// and a second, different person of the party confirms it; only then does
// the key take effect. Once the party has a key in effect, a new key must
// also carry an endorsement: a signature by one of those keys over the
// new key (audit.EndorsementText), so that accounts made for the occasion
// (by the administrator, who makes accounts) cannot add a key without the
// holder of a key the party already uses. The mediator's keys follow the
// same rules with its operators in the approvers' place.
//
// The rules MUST hold in the store's write transaction: the state of the
// key and the count of keys in effect are read there.

// KeyState is where a key stands.
type KeyState string

// Key states. A proposed key counts for nothing; an active key signs
// agreements (signer) or cosigns checkpoints (witness); a revoked key
// signs nothing more, and what it signed before stays signed.
const (
	KeyProposed KeyState = "proposed"
	KeyActive   KeyState = "active"
	KeyRevoked  KeyState = "revoked"
)

// KeyChange is what the rules need to know about a key and the party it
// belongs to.
type KeyChange struct {
	Name  string
	Party string // a party's code, or Mediator
	State KeyState
	// ProposedBy is the user who proposed the key (0 for a key registered
	// before the two-person rule).
	ProposedBy int64
	// Endorsed says whether the proposal carries a valid endorsement by a
	// key of the party in effect now.
	Endorsed bool
	// Active is the number of keys of the party in effect now (this one
	// excluded).
	Active int
}

// keyParty returns the resource party of a key: its party, or Mediator.
func keyParty(party string) string {
	if party == "" {
		return Mediator
	}
	return party
}

// CheckKeyPropose says whether s may propose a key for party ("" or
// Mediator for the mediator's).
func CheckKeyPropose(s Scope, party string) error {
	return Decide(s, KeyPropose, Resource{Party: keyParty(party)})
}

// CheckKeyConfirm says whether s may confirm the proposed key k: a person
// of k's party allowed to confirm, other than its proposer, and, when the
// party has a key in effect, a proposal endorsed by one of them.
func CheckKeyConfirm(s Scope, k KeyChange) error {
	const op = "access.CheckKeyConfirm"
	party := keyParty(k.Party)
	if err := Decide(s, KeyConfirm, Resource{Party: party}); err != nil {
		return err
	}
	if k.State != KeyProposed {
		msg := fmt.Sprintf("key %s is %s, not proposed: there is nothing to confirm", k.Name, k.State)
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "key", Message: msg, Args: []string{k.Name, string(k.State)}, Code: "key_not_proposed"})
	}
	if k.ProposedBy == s.UserID {
		msg := fmt.Sprintf("you proposed key %s: a second person of %s must confirm it", k.Name, party)
		return errs.E(op, errs.Forbidden, msg, errs.FieldError{Field: "key", Message: msg, Args: []string{k.Name, party}, Code: "key_same_person"})
	}
	if k.Active > 0 && !k.Endorsed {
		msg := fmt.Sprintf("%s has a key in effect already: key %s must be endorsed by a signature of one of them", party, k.Name)
		return errs.E(op, errs.Forbidden, msg, errs.FieldError{Field: "endorsement", Message: msg, Args: []string{party, k.Name}, Code: "key_needs_endorsement"})
	}
	return nil
}

// CheckKeyRevoke says whether s may revoke key k: a person of k's party
// allowed to revoke, on a key in effect that is not the party's last one
// (a party without keys would fall back to the bootstrap, where two
// accounts suffice; so a last key is replaced, never removed).
func CheckKeyRevoke(s Scope, k KeyChange) error {
	const op = "access.CheckKeyRevoke"
	party := keyParty(k.Party)
	if err := Decide(s, KeyRevoke, Resource{Party: party}); err != nil {
		return err
	}
	switch {
	case k.State == KeyProposed:
		// Withdrawing a proposal is always allowed to the party.
		return nil
	case k.State != KeyActive:
		msg := fmt.Sprintf("key %s is %s already", k.Name, k.State)
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "key", Message: msg, Args: []string{k.Name, string(k.State)}, Code: "key_not_active"})
	case k.Active == 0:
		msg := fmt.Sprintf("key %s is the last key of %s in effect: confirm its replacement (endorsed by it) first", k.Name, party)
		return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "key", Message: msg, Args: []string{k.Name, party}, Code: "key_last"})
	}
	return nil
}
