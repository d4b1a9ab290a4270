package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
)

// Key purposes: a witness key cosigns checkpoints, a signer key signs
// agreements.
const (
	KeyWitness = "witness"
	KeySigner  = "signer"
)

// LogKeys is GET /api/v1/log/keys: the log's origin and verifier key, and
// the keys in effect. A fingerprint is the server's claim: recompute it
// before trusting it.
type LogKeys struct {
	Origin            string `json:"origin"`
	LogKey            string `json:"log_key"`
	LogKeyFingerprint string `json:"log_key_fingerprint,omitempty"`
	Witnesses         []Key  `json:"witnesses"`
	Signers           []Key  `json:"signers"` // agreement signer keys
}

// Key is a public key of a party's bureau or approvers, or of the
// mediator, with its state under the two-person rule.
type Key struct {
	Name         string    `json:"name"`
	VKey         string    `json:"vkey"`
	Party        string    `json:"party,omitempty"` // "" for the mediator
	Purpose      string    `json:"purpose"`         // KeyWitness or KeySigner
	Fingerprint  string    `json:"fingerprint"`
	RegisteredBy string    `json:"registered_by"` // who proposed (or registered) it
	RegisteredAt time.Time `json:"registered_at"`
	// State is proposed, active or revoked.
	State       access.KeyState `json:"state"`
	ConfirmedBy string          `json:"confirmed_by,omitempty"`
	ConfirmedAt time.Time       `json:"confirmed_at,omitzero"`
	EndorsedBy  string          `json:"endorsed_by,omitempty"` // the key in effect whose signature endorsed this one
	RevokedBy   string          `json:"revoked_by,omitempty"`
	RevokedAt   time.Time       `json:"revoked_at,omitzero"`
}

// KeyProposal is POST /api/v1/log/keys: a key of the caller's party (party
// "" for one's own) or of the mediator, with an endorsement line by the
// party's key in effect when it has one.
type KeyProposal struct {
	VKey        string `json:"vkey"`
	Party       string `json:"party"`
	Purpose     string `json:"purpose"`
	Endorsement string `json:"endorsement"`
}

// KeyConfirmation is POST /api/v1/log/keys/{name}/confirm.
type KeyConfirmation struct {
	Endorsement string `json:"endorsement"`
}

// KeyRevocation is POST /api/v1/log/keys/{name}/revoke.
type KeyRevocation struct {
	Reason string `json:"reason"`
}

// KeyEvent is one change of a key, as both parties see it.
type KeyEvent struct {
	Seq         int64     `json:"seq"`
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"`
	Party       string    `json:"party,omitempty"` // "" for the mediator
	Purpose     string    `json:"purpose"`
	Event       string    `json:"event"` // proposed, confirmed, revoked
	Login       string    `json:"login"`
	Role        string    `json:"role"`
	UserParty   string    `json:"user_party,omitempty"`
	EndorsedBy  string    `json:"endorsed_by,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	At          time.Time `json:"at"`
	Leaf        int64     `json:"leaf"`
	Nonce       string    `json:"nonce"` // hex: opens the leaf's commitment
}

// KeyChanges is GET /api/v1/log/keys/changes: every key in any state, and
// every key change.
type KeyChanges struct {
	Keys    []Key      `json:"keys"`
	Changes []KeyEvent `json:"changes"`
}

// CheckpointSizes is GET /api/v1/log/checkpoints, smallest first.
type CheckpointSizes struct {
	Sizes []int64 `json:"sizes"`
}

// Cosignature is POST /api/v1/log/cosignatures: a witness's cosignature
// line on the checkpoint of a size.
type Cosignature struct {
	Size int64  `json:"size"`
	Line string `json:"line"`
}

// Key returns the key named, in any state.
func (k KeyChanges) Key(name string) (Key, error) {
	for _, x := range k.Keys {
		if x.Name == name {
			return x, nil
		}
	}
	return Key{}, errs.E("api.Key", errs.NotFound, fmt.Sprintf("no key %s", strings.TrimSpace(name)))
}

// WitnessStatus is one witness the server submits its checkpoints to (GET
// /api/v1/log/witnesses; 'handover serve --witness'): the size it cosigned
// last, when, and why the last attempt failed, if it did.
type WitnessStatus struct {
	Name         string    `json:"name"` // the name of its registered key
	URL          string    `json:"url"`  // its submission prefix
	CosignedSize int64     `json:"cosigned_size"`
	CosignedAt   time.Time `json:"cosigned_at,omitzero"` // when this server last stored its cosignature
	LastAttempt  time.Time `json:"last_attempt,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	Failures     int       `json:"failures"` // attempts failed in a row
	NextAttempt  time.Time `json:"next_attempt,omitzero"`
	RoundTrip    string    `json:"round_trip,omitempty"` // of the last add-checkpoint that succeeded
}
