package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// Keys under the two-person rule (docs/design/security.md §3; the rules are
// access.CheckKeyConfirm and access.CheckKeyRevoke). A key is proposed by
// one person of its party (an approver; for the mediator an operator),
// takes effect when a second person confirms it, and may be revoked. Each
// change is a key_events row and a leaf (key.proposed, key.confirmed,
// key.revoked) in one transaction, and every party's users see the list
// (KeyChanges).

// Key events and their leaf types.
const (
	keyProposed  = "proposed"
	keyConfirmed = "confirmed"
	keyRevoked   = "revoked"

	leafKeyProposed  audit.LeafType = "key.proposed"
	leafKeyConfirmed audit.LeafType = "key.confirmed"
	leafKeyRevoked   audit.LeafType = "key.revoked"

	tagKeyEvent = "handover/key-event/v1"
)

func keyEventLeaf(event string) audit.LeafType { return audit.LeafType("key." + event) }

// keyEventContent is what a key event's leaf commits to: the event, the key
// (name, verifier key, party, purpose), who, and the endorsement and reason
// given. Keys are public; the nonce is kept with the row and shown with
// the key changes, so anyone who sees them can check them against the log.
func keyEventContent(event string, k LogKey, userID int64, endorsement, endorsedBy, reason string) map[string]string {
	party := k.Party
	if party == "" {
		party = access.Mediator
	}
	c := map[string]string{"event": event, "key": k.Name, "vkey": k.VKey, "party": party, "purpose": k.Purpose, "user": strconv.FormatInt(userID, 10)}
	if endorsement != "" {
		c["endorsement"], c["endorsed_by"] = endorsement, endorsedBy
	}
	if reason != "" {
		c["reason"] = reason
	}
	return c
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
	EndorsedBy  string    `json:"endorsed_by,omitempty"` // the key whose signature endorsed the new key
	Reason      string    `json:"reason,omitempty"`
	At          time.Time `json:"at"`
	Leaf        int64     `json:"leaf"`
	Nonce       string    `json:"nonce"` // hex: opens the leaf's commitment
	userID      int64
	endorsement string
	nonce       []byte
}

// keyRow is a log_keys row with its events.
type keyRow struct {
	LogKey
	proposed bool
	events   []KeyEvent
	endorsed []string // endorsement lines given with the proposal or the confirmation
}

// state derives a key's state from its events: a key registered before
// the two-person rule is in effect until revoked; a proposed one once
// confirmed.
func (k *keyRow) state() access.KeyState {
	st := access.KeyActive
	if k.proposed {
		st = access.KeyProposed
	}
	for _, e := range k.events {
		switch e.Event {
		case keyConfirmed:
			if st == access.KeyProposed {
				st = access.KeyActive
			}
		case keyRevoked:
			st = access.KeyRevoked
		}
	}
	return st
}

// loadKeys reads every key with its events, by name.
func loadKeys(ctx context.Context, q querier) ([]*keyRow, error) {
	rows, err := q.query(ctx, `SELECT name, vkey, COALESCE(party, ''), purpose, fingerprint, registered_by, registered_at, proposed FROM log_keys ORDER BY name`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*keyRow{}
	var out []*keyRow
	err = eachRow(rows, func(rows *sql.Rows) error {
		k := &keyRow{}
		var proposed int
		if err := rows.Scan(&k.Name, &k.VKey, &k.Party, &k.Purpose, &k.Fingerprint, &k.RegisteredBy, dbTime{&k.RegisteredAt}, &proposed); err != nil {
			return err
		}
		k.proposed = proposed == 1
		byName[k.Name] = k
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = q.query(ctx, `SELECT e.seq, e.key_name, e.event, e.user_id, u.login, u.role, COALESCE(u.party, ''), e.endorsement, e.endorsed_by, e.reason, e.at, e.leaf_index, e.nonce
		FROM key_events e JOIN users u ON u.id = e.user_id ORDER BY e.seq`)
	if err != nil {
		return nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var e KeyEvent
		var endorsement string
		var nonce []byte
		if err := rows.Scan(&e.Seq, &e.Key, &e.Event, &e.userID, &e.Login, &e.Role, &e.UserParty, &endorsement, &e.EndorsedBy, &e.Reason, dbTime{&e.At}, &e.Leaf, &nonce); err != nil {
			return err
		}
		e.Nonce, e.nonce, e.endorsement = fmt.Sprintf("%x", nonce), nonce, endorsement
		k := byName[e.Key]
		if k == nil {
			return nil
		}
		e.Fingerprint, e.Party, e.Purpose = k.Fingerprint, k.Party, k.Purpose
		k.events = append(k.events, e)
		if endorsement != "" {
			k.endorsed = append(k.endorsed, endorsement)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range out {
		k.State = k.state()
		for _, e := range k.events {
			switch e.Event {
			case keyProposed:
				k.RegisteredBy = e.Login
			case keyConfirmed:
				k.ConfirmedBy, k.ConfirmedAt = e.Login, e.At
			case keyRevoked:
				k.RevokedBy, k.RevokedAt = e.Login, e.At
			}
			if e.EndorsedBy != "" {
				k.EndorsedBy = e.EndorsedBy
			}
		}
	}
	return out, nil
}

// Keys returns every key, proposed, in effect or revoked, with its state
// and who changed it: what both parties are shown.
func (db *DB) Keys(ctx context.Context) ([]LogKey, error) {
	ks, err := loadKeys(ctx, db)
	if err != nil {
		return nil, errs.E("sqlstore.Keys", errs.Internal, err)
	}
	out := make([]LogKey, len(ks))
	for i, k := range ks {
		out[i] = k.LogKey
	}
	return out, nil
}

// keysIn returns the keys in one of the states, by name.
func (db *DB) keysIn(ctx context.Context, states ...access.KeyState) ([]LogKey, error) {
	ks, err := db.Keys(ctx)
	if err != nil {
		return nil, err
	}
	var out []LogKey
	for _, k := range ks {
		for _, st := range states {
			if k.State == st {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// KeyChanges returns every key change, oldest first: who proposed,
// confirmed or revoked which key of which party, and when. Every user who
// may read the log sees all of them, both parties at once.
func (db *DB) KeyChanges(ctx context.Context, s access.Scope) ([]KeyEvent, error) {
	const op = "sqlstore.KeyChanges"
	if err := access.Decide(s, access.LogRead, access.Resource{}); err != nil {
		return nil, errs.E(op, err)
	}
	ks, err := loadKeys(ctx, db)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := []KeyEvent{}
	for _, k := range ks {
		out = append(out, k.events...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// activeKeysOf returns the verifier keys of party ("" for the mediator) in
// effect, every purpose, leaving out the key named except.
func activeKeysOf(ks []*keyRow, party, except string) []string {
	var out []string
	for _, k := range ks {
		if k.Party == party && k.Name != except && k.state() == access.KeyActive {
			out = append(out, k.VKey)
		}
	}
	return out
}

// checkEndorsement returns the name of the key in effect for the new key's
// party that endorsed it, or "" when line is empty; an endorsement that
// does not verify is refused.
func checkEndorsement(line string, k LogKey, endorsers []string) (string, error) {
	if strings.TrimSpace(line) == "" {
		return "", nil
	}
	party := k.Party
	if party == "" {
		party = access.Mediator
	}
	by, err := audit.VerifyEndorsement(line, party, k.Purpose, k.VKey, endorsers)
	if err != nil {
		msg := errs.Message(err)
		return "", errs.E("sqlstore.checkEndorsement", errs.Forbidden, msg, errs.FieldError{Field: "endorsement", Message: msg, Args: []string{k.Name, party}, Code: "key_endorsement_bad"})
	}
	return by, nil
}

// keyEvent writes a key event row and its leaf in tx.
func (tx *Tx) keyEvent(ctx context.Context, s access.Scope, k LogKey, event, endorsement, endorsedBy, reason string) error {
	nonce, err := audit.NewNonce()
	if err != nil {
		return err
	}
	d, err := audit.CommitFields(tagKeyEvent, nonce, keyEventContent(event, k, s.UserID, endorsement, endorsedBy, reason))
	if err != nil {
		return err
	}
	app, err := tx.appender(ctx)
	if err != nil {
		return err
	}
	leaf, err := app.add(audit.Leaf{Type: keyEventLeaf(event), Actor: actor(s.UserID), Time: tx.now, Subject: "key:" + k.Name, Commitment: d})
	if err != nil {
		return err
	}
	if err := app.flush(ctx); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO key_events (key_name, event, user_id, endorsement, endorsed_by, reason, at, leaf_index, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.Name, event, s.UserID, endorsement, endorsedBy, reason, fmtTime(tx.now), leaf, nonce[:])
	if tx.d.isUniqueViolation(err) {
		return errs.E("sqlstore.keyEvent", errs.Conflict, fmt.Sprintf("key %s is %s already", k.Name, event))
	}
	return err
}

// KeyProposal is a proposed key.
type KeyProposal struct {
	VKey    string
	Party   string // a party's code; "" or access.Mediator for the mediator's key
	Purpose string // KeyWitness or KeySigner
	// Endorsement is a signature line by a key of the party in effect over
	// the new key (audit.Endorse); needed before confirmation when the
	// party has a key in effect.
	Endorsement string
}

// ProposeKey records a key proposed by s for its own party (an approver)
// or for the mediator (an operator), with a key.proposed leaf. The key
// counts for nothing until another person of the party confirms it
// (ConfirmKey).
func (db *DB) ProposeKey(ctx context.Context, s access.Scope, p KeyProposal) (LogKey, error) {
	const op = "sqlstore.ProposeKey"
	party := p.Party
	if party == access.Mediator {
		party = ""
	}
	if err := access.CheckKeyPropose(s, party); err != nil {
		return LogKey{}, errs.E(op, err)
	}
	purpose := p.Purpose
	if purpose == "" {
		purpose = KeyWitness
	}
	if purpose != KeyWitness && purpose != KeySigner {
		msg := fmt.Sprintf("key purpose %q: use witness or signer", purpose)
		return LogKey{}, errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "purpose", Message: msg, Args: []string{purpose}, Code: "key_purpose"})
	}
	vkey := strings.TrimSpace(p.VKey)
	kind, err := audit.KeyType(vkey)
	if err != nil {
		msg := "not a verifier key: expected NAME+HASH+BASE64 as printed by 'handover keygen' (or, for a witness, by a C2SP witness such as litewitness)"
		return LogKey{}, errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "vkey", Message: msg, Code: "not_verifier_key"})
	}
	if kind != audit.KeyNote && purpose != KeyWitness {
		msg := "a cosignature key (type 0x04) can only cosign checkpoints: a signer key is a signed-note key (type 0x01), as 'handover keygen' prints it"
		return LogKey{}, errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "vkey", Message: msg, Code: "signer_key_type"})
	}
	fp, err := audit.Fingerprint(vkey)
	if err != nil {
		return LogKey{}, errs.E(op, errs.Invalid, err.Error())
	}
	k := LogKey{Name: audit.KeyName(vkey), VKey: vkey, Party: party, Purpose: purpose, Fingerprint: fp, RegisteredBy: s.Login, State: access.KeyProposed}
	err = db.write(ctx, func(tx *Tx) error {
		// The log's lock first: key changes of one party are serialised.
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		k.RegisteredAt = tx.now
		ks, err := loadKeys(ctx, tx)
		if err != nil {
			return err
		}
		endorsedBy, err := checkEndorsement(p.Endorsement, k, activeKeysOf(ks, party, ""))
		if err != nil {
			return err
		}
		k.EndorsedBy = endorsedBy
		_, err = tx.exec(ctx, `INSERT INTO log_keys (name, vkey, party, purpose, fingerprint, registered_by, registered_at, proposed) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			k.Name, vkey, nullString(party), purpose, fp, s.Login, fmtTime(tx.now))
		if tx.d.isUniqueViolation(err) {
			msg := fmt.Sprintf("a key named %s, or this key, is registered already", k.Name)
			return errs.E(op, errs.Conflict, msg, errs.FieldError{Field: "vkey", Message: msg, Args: []string{k.Name}, Code: "key_exists"})
		}
		if err != nil {
			return err
		}
		endorsement := ""
		if endorsedBy != "" {
			endorsement = strings.TrimSpace(p.Endorsement)
		}
		return tx.keyEvent(ctx, s, k, keyProposed, endorsement, endorsedBy, "")
	})
	if err != nil {
		return LogKey{}, errs.E(op, err)
	}
	return k, nil
}

// findKey returns the key named in ks, or NotFound.
func findKey(ks []*keyRow, name string) (*keyRow, error) {
	for _, k := range ks {
		if k.Name == name {
			return k, nil
		}
	}
	return nil, errs.E("sqlstore.findKey", errs.NotFound, fmt.Sprintf("no key %s", name), errs.Coded{Code: "no_key", Args: []string{name}})
}

// ConfirmKey puts a proposed key in effect: s is a second person of its
// party (access.CheckKeyConfirm), and when the party has a key in effect
// the proposal, or this confirmation, carries an endorsement by one of
// them. A key.confirmed leaf is written with it.
func (db *DB) ConfirmKey(ctx context.Context, s access.Scope, name, endorsement string) (LogKey, error) {
	const op = "sqlstore.ConfirmKey"
	var out LogKey
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		ks, err := loadKeys(ctx, tx)
		if err != nil {
			return err
		}
		k, err := findKey(ks, name)
		if err != nil {
			return err
		}
		active := activeKeysOf(ks, k.Party, k.Name)
		endorsed := false
		for _, line := range k.endorsed {
			if by, err := checkEndorsement(line, k.LogKey, active); err == nil && by != "" {
				endorsed = true
			}
		}
		endorsedBy := ""
		if strings.TrimSpace(endorsement) != "" {
			if endorsedBy, err = checkEndorsement(endorsement, k.LogKey, active); err != nil {
				return err
			}
			endorsed = true
		}
		var proposer int64
		for _, e := range k.events {
			if e.Event == keyProposed {
				proposer = e.userID
			}
		}
		change := access.KeyChange{Name: k.Name, Party: k.Party, State: k.state(), ProposedBy: proposer, Endorsed: endorsed, Active: len(active)}
		if err := access.CheckKeyConfirm(s, change); err != nil {
			return err
		}
		if endorsedBy == "" {
			endorsement = ""
		}
		if err := tx.keyEvent(ctx, s, k.LogKey, keyConfirmed, strings.TrimSpace(endorsement), endorsedBy, ""); err != nil {
			return err
		}
		out = k.LogKey
		out.State, out.ConfirmedBy, out.ConfirmedAt = access.KeyActive, s.Login, tx.now
		if endorsedBy != "" {
			out.EndorsedBy = endorsedBy
		}
		return nil
	})
	if err != nil {
		return LogKey{}, errs.E(op, err)
	}
	return out, nil
}

// RevokeKey revokes a key of s's party (or the mediator's), or withdraws a
// proposal, with a reason and a key.revoked leaf. The party's last key in
// effect cannot be revoked (access.CheckKeyRevoke): it is replaced. What a
// revoked key signed before stays signed.
func (db *DB) RevokeKey(ctx context.Context, s access.Scope, name, reason string) (LogKey, error) {
	const op = "sqlstore.RevokeKey"
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 || strings.ContainsAny(reason, "\n\r") {
		msg := "say why the key is revoked, on one line"
		return LogKey{}, errs.E(op, errs.Invalid, msg, errs.FieldError{Field: "reason", Message: msg, Code: "one_line_required"})
	}
	var out LogKey
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.appender(ctx); err != nil {
			return err
		}
		ks, err := loadKeys(ctx, tx)
		if err != nil {
			return err
		}
		k, err := findKey(ks, name)
		if err != nil {
			return err
		}
		change := access.KeyChange{Name: k.Name, Party: k.Party, State: k.state(), Active: len(activeKeysOf(ks, k.Party, k.Name))}
		if err := access.CheckKeyRevoke(s, change); err != nil {
			return err
		}
		if err := tx.keyEvent(ctx, s, k.LogKey, keyRevoked, "", "", reason); err != nil {
			return err
		}
		out = k.LogKey
		out.State, out.RevokedBy, out.RevokedAt = access.KeyRevoked, s.Login, tx.now
		return nil
	})
	if err != nil {
		return LogKey{}, errs.E(op, err)
	}
	return out, nil
}

// replayKeys pairs every key with the leaves that made it what it is (the
// audit, logaudit.go): a key registered before the two-person rule with
// its key.registered leaf; every key event with a leaf of its type
// committing to exactly that row (the key as stored, who, the endorsement
// and the reason). It also checks the rule itself on what is stored: a
// key in effect was confirmed by someone other than its proposer. A key or
// an event written around the log, or changed since, is reported.
func (db *DB) replayKeys(ctx context.Context, take func(audit.LeafType, audit.Digest) bool, add func(audit.FindingCode, int64, string, ...any)) error {
	ks, err := loadKeys(ctx, db)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if !k.proposed {
			if !take(audit.KeyRegistered, audit.CommitKey(k.VKey)) {
				add(EventChanged, -1, "registered key %s no longer matches any key.registered leaf", k.Name)
			}
		}
		var proposer int64
		for _, e := range k.events {
			endorsement, nonce := e.endorsement, e.nonce
			what := fmt.Sprintf("key %s %s by %s", k.Name, e.Event, e.Login)
			if len(nonce) != len(audit.Nonce{}) {
				add(EventChanged, e.Leaf, "%s has no nonce to check it with", what)
				continue
			}
			d, err := audit.CommitFields(tagKeyEvent, audit.Nonce(nonce), keyEventContent(e.Event, k.LogKey, e.userID, endorsement, e.EndorsedBy, e.Reason))
			if err != nil || !take(keyEventLeaf(e.Event), d) {
				add(EventChanged, e.Leaf, "%s no longer matches any %s leaf (the key or the event changed in the database, or was written around the log)", what, keyEventLeaf(e.Event))
			}
			switch e.Event {
			case keyProposed:
				proposer = e.userID
			case keyConfirmed:
				if !k.proposed || e.userID == proposer {
					add(KeyRuleBroken, e.Leaf, "key %s was confirmed by %s, who proposed it (or it was never proposed): a key needs a second person", k.Name, e.Login)
				}
			}
		}
		if k.proposed && len(k.events) == 0 {
			add(EventChanged, -1, "key %s has no proposal: it was written around the log", k.Name)
		}
	}
	return nil
}

// KeyRuleBroken is the audit's finding for a key whose stored events break
// the two-person rule.
const KeyRuleBroken audit.FindingCode = "key-rule-broken"
