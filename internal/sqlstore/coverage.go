package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
)

// The log covers every column that decides what anyone sees or may do
// (docs/design/log.md §1.2). Beside the record and negotiation leaves, the
// leaves below commit to the state of accounts, tokens and sessions, to
// the disclosures and runs of matching, and to the agreement a stage
// pinned, each written in the transaction of the change. The audit replays
// them (logreplay.go).
const (
	leafUserCreated    audit.LeafType = "user.created"    // an account is made
	leafUserChanged    audit.LeafType = "user.changed"    // its role, party or disabled mark changes
	leafUserRecorded   audit.LeafType = "user.recorded"   // an account as it stood when the coverage began
	leafTokenCreated   audit.LeafType = "token.created"   // an API token is minted
	leafTokenRevoked   audit.LeafType = "token.revoked"   // it is revoked
	leafTokenRecorded  audit.LeafType = "token.recorded"  // a token as it stood when the coverage began
	leafSessionStarted audit.LeafType = "session.started" // a web session starts (a login, a renewal)
	leafSessionEnded   audit.LeafType = "session.ended"   // it ends (logout, renewal, log out everywhere)
	leafMatchDisclosed audit.LeafType = "match.disclosed" // a confirmed match is disclosed to a party
	leafMatchRun       audit.LeafType = "match.run"       // a matching run and its candidates are stored
	leafStageOpened    audit.LeafType = "stage.opened"    // a stage is opened under a pinned agreement version
	leafCoverage       audit.LeafType = "log.coverage"    // the coverage began on a database that had data
)

// Tags of the commitments of the leaves above.
const (
	tagAccount    = "handover/account/v1"
	tagToken      = "handover/token/v1"
	tagSession    = "handover/session/v1"
	tagDisclosure = "handover/disclosure/v1"
	tagMatchRun   = "handover/match-run/v1"
	tagStagePin   = "handover/stage/v1"
	tagCoverage   = "handover/coverage/v1"
)

// coverageVersion is the version of the coverage rules this program
// applies; log_coverage holds the one applied to the database.
const coverageVersion = 1

// userContent is what a user leaf commits to: the account's state.
func userContent(id int64, login, role, party, disabled string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{
		"id": strconv.FormatInt(id, 10), "login": login, "role": role, "party": party, "disabled": disabled,
	})
	return b
}

func userSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// logUser appends a leaf of type typ committing to user id's state as it is
// now in the transaction, with the account's nonce (made on first use).
func (tx *Tx) logUser(ctx context.Context, typ audit.LeafType, who string, id int64) error {
	if tx.db.before0018 {
		return nil
	}
	var login, role, party string
	var disabled sql.NullString
	var nonce []byte
	if err := tx.queryRow(ctx, `SELECT login, role, COALESCE(party, ''), disabled_at, nonce FROM users WHERE id = ?`, id).
		Scan(&login, &role, &party, &disabled, &nonce); err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	if len(nonce) != len(audit.Nonce{}) {
		n, err := audit.NewNonce()
		if err != nil {
			return err
		}
		nonce = n[:]
		if _, err := tx.exec(ctx, `UPDATE users SET nonce = ? WHERE id = ?`, nonce, id); err != nil {
			return err
		}
	}
	c := audit.Commit(tagAccount, audit.Nonce(nonce), userContent(id, login, role, party, disabled.String))
	return tx.appendLeaf(ctx, audit.Leaf{Type: typ, Actor: who, Time: tx.now, Subject: userSubject(id), Commitment: c})
}

// tokenContent is what a token leaf commits to: the token's state, with
// whether its login passed the second factor (mfa, when it did). The
// stored hash of the secret gives it the entropy of a nonce.
func tokenContent(id, userID int64, hash []byte, expires, revoked string, mfa int) []byte {
	m := map[string]string{
		"id": strconv.FormatInt(id, 10), "user": strconv.FormatInt(userID, 10), "hash": hex.EncodeToString(hash),
		"expires": expires, "revoked": revoked,
	}
	if mfa != 0 {
		m["mfa"] = strconv.Itoa(mfa)
	}
	b, _ := audit.CanonicalJSON(m)
	return b
}

func tokenSubject(id int64) string { return "token:" + strconv.FormatInt(id, 10) }

// logTokens appends a leaf of type typ for each token id, committing to its
// state as it is now in the transaction.
func (tx *Tx) logTokens(ctx context.Context, typ audit.LeafType, who string, ids ...int64) error {
	for _, id := range ids {
		var userID int64
		var hash []byte
		var expires string
		var revoked sql.NullString
		var mfa int
		if err := tx.queryRow(ctx, `SELECT user_id, hash, expires_at, revoked_at, mfa FROM tokens WHERE id = ?`, id).Scan(&userID, &hash, &expires, &revoked, &mfa); err != nil {
			return fmt.Errorf("token %d: %w", id, err)
		}
		c := audit.Commit(tagToken, audit.Nonce{}, tokenContent(id, userID, hash, expires, revoked.String, mfa))
		if err := tx.appendLeaf(ctx, audit.Leaf{Type: typ, Actor: who, Time: tx.now, Subject: tokenSubject(id), Commitment: c}); err != nil {
			return err
		}
	}
	return nil
}

// sessionContent is what a session leaf commits to: who the session is
// for, whether it passed the second factor, and when it began and ended.
// The stored hash of its secret gives it the entropy of a nonce.
func sessionContent(idHash []byte, userID int64, mfa int, created, ended string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{
		"hash": hex.EncodeToString(idHash), "user": strconv.FormatInt(userID, 10), "mfa": strconv.Itoa(mfa),
		"created": created, "ended": ended,
	})
	return b
}

// sessionSubject names a session in the log by the first 8 bytes of a hash
// of its stored hash: enough to tell sessions apart, nothing to find one by.
func sessionSubject(idHash []byte) string {
	h := sha256.Sum256(idHash)
	return "session:" + hex.EncodeToString(h[:8])
}

// logSessions appends a leaf of type typ for each session, committing to
// its state as it is now in the transaction.
func (tx *Tx) logSessions(ctx context.Context, typ audit.LeafType, who string, idHashes ...[]byte) error {
	for _, h := range idHashes {
		var userID int64
		var mfa int
		var created string
		var ended sql.NullString
		if err := tx.queryRow(ctx, `SELECT user_id, mfa, created_at, ended_at FROM sessions WHERE id_hash = ?`, h).Scan(&userID, &mfa, &created, &ended); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		c := audit.Commit(tagSession, audit.Nonce{}, sessionContent(h, userID, mfa, created, ended.String))
		if err := tx.appendLeaf(ctx, audit.Leaf{Type: typ, Actor: who, Time: tx.now, Subject: sessionSubject(h), Commitment: c}); err != nil {
			return err
		}
	}
	return nil
}

// idHashes returns the id hashes of the sessions a query selects
// (`SELECT id_hash FROM sessions WHERE …`), before an update ends them.
func (tx *Tx) idHashes(ctx context.Context, q string, args ...any) ([][]byte, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanBytes)
}

// disclosureContent is what a match.disclosed leaf commits to: the pair
// and the party it was disclosed to (opaque ids only: no nonce needed).
func disclosureContent(sought, held, party string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{"sought": sought, "held": held, "party": party})
	return b
}

// decisionContent is what a match.decided leaf commits to.
func decisionContent(sought, held, decision, reason string, score float64) map[string]string {
	return map[string]string{
		"sought": sought, "held": held, "decision": decision, "reason": reason, "score": strconv.FormatFloat(score, 'f', 6, 64),
	}
}

// stagePinContent is what a stage.opened leaf commits to: the agreement
// version and document hash the stage is pinned to.
func stagePinContent(exID string, stage, version int, hash string) []byte {
	b, _ := audit.CanonicalJSON(map[string]string{
		"exchange": exID, "stage": strconv.Itoa(stage), "agreement_version": strconv.Itoa(version), "agreement_hash": hash,
	})
	return b
}

func stageSubject(exID string, n int) string { return fmt.Sprintf("stage:%s/%d", exID, n) }

// appendLeaf appends one leaf in the transaction and writes it.
func (tx *Tx) appendLeaf(ctx context.Context, l audit.Leaf) error {
	if tx.db.before0018 && coveredOnly[l.Type] {
		return nil
	}
	app, err := tx.appender(ctx)
	if err != nil {
		return err
	}
	if _, err := app.add(l); err != nil {
		return err
	}
	return app.flush(ctx)
}

// legacy is what a database held when the coverage began on it (the
// content of its log.coverage leaf): the rows of each table up to a key
// were written before the leaves that cover them existed.
type legacy struct {
	Leaf      int64            // index of the log.coverage leaf; -1 when the coverage began with the database
	Time      string           // when the coverage began
	Max       map[string]int64 // table → the largest key then
	Count     map[string]int64 // table → the rows then
	predating bool             // the database had data when the coverage began
}

// legacyTables are the tables whose rows a log.coverage leaf counts, with
// the key it takes the largest of (” for a count only).
var legacyTables = []struct{ table, key string }{
	{"users", "id"}, {"tokens", "id"}, {"sessions", ""}, {"match_decisions", "seq"}, {"match_disclosures", "seq"},
	{"match_runs", "id"}, {"stages", ""},
}

func (l *legacy) encode() []byte {
	m := map[string]string{"time": l.Time}
	for _, t := range legacyTables {
		m[t.table+".count"] = strconv.FormatInt(l.Count[t.table], 10)
		if t.key != "" {
			m[t.table+".max"] = strconv.FormatInt(l.Max[t.table], 10)
		}
	}
	b, _ := audit.CanonicalJSON(m)
	return b
}

// cover applies the coverage rules to a database on the first open after
// migration 0018. A database that already held accounts, decisions,
// disclosures, runs or stages gets one log.coverage leaf committing to how
// many of each there were (those rows predate their leaves, and the audit
// says so instead of reporting them), a user.recorded leaf for every
// account and a token.recorded leaf for every token as they stand, and its
// open sessions ended (their users log in again, under session leaves).
func (db *DB) cover(ctx context.Context) error {
	var v int
	err := db.db.QueryRowContext(ctx, `SELECT version FROM log_coverage`).Scan(&v)
	if err == nil && v >= coverageVersion {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM log_coverage`).Scan(&n); err != nil || n > 0 {
			return err // another process did it meanwhile
		}
		l := legacy{Time: fmtTime(tx.now), Max: map[string]int64{}, Count: map[string]int64{}}
		for _, t := range legacyTables {
			q := `SELECT COUNT(*), 0 FROM ` + t.table
			if t.key != "" {
				q = `SELECT COUNT(*), COALESCE(MAX(` + t.key + `), 0) FROM ` + t.table
			}
			var c, m int64
			if err := tx.queryRow(ctx, q).Scan(&c, &m); err != nil {
				return err
			}
			l.Count[t.table], l.Max[t.table] = c, m
			l.predating = l.predating || c > 0
		}
		// Accounts with a nonce were covered already: the state row was
		// lost, not the coverage never applied. Write no second marker
		// (the audit would report it).
		var covered int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE nonce IS NOT NULL`).Scan(&covered); err != nil {
			return err
		}
		content := ""
		if l.predating && covered == 0 {
			b := l.encode()
			content = string(b)
			if _, err := tx.exec(ctx, `UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL`, fmtTime(tx.now)); err != nil {
				return err
			}
			if err := tx.appendLeaf(ctx, audit.Leaf{Type: leafCoverage, Actor: "system", Time: tx.now, Subject: "coverage:" + strconv.Itoa(coverageVersion),
				Commitment: audit.Commit(tagCoverage, audit.Nonce{}, b)}); err != nil {
				return err
			}
			for _, q := range []struct {
				sql string
				log func(id int64) error
			}{
				{`SELECT id FROM users ORDER BY id`, func(id int64) error {
					if err := tx.logUser(ctx, leafUserRecorded, "system", id); err != nil {
						return err
					}
					return tx.recordCredentials(ctx, id)
				}},
				{`SELECT id FROM tokens ORDER BY id`, func(id int64) error { return tx.logTokens(ctx, leafTokenRecorded, "system", id) }},
			} {
				ids, err := tx.ids(ctx, q.sql)
				if err != nil {
					return err
				}
				for _, id := range ids {
					if err := q.log(id); err != nil {
						return err
					}
				}
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO log_coverage (version, content) VALUES (?, ?)`, coverageVersion, content)
		return err
	})
}

// ids returns the integer ids a query selects.
func (tx *Tx) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInt64)
}

// recordCredentials writes an account event recording a user's password
// and second factor as they stand, when the coverage begins: from then on
// the audit tells a credential changed around the log.
func (tx *Tx) recordCredentials(ctx context.Context, id int64) error {
	var hash string
	var sealed []byte
	err := tx.queryRow(ctx, `SELECT u.password_hash, p.totp_sealed FROM users u LEFT JOIN user_prefs p ON p.user_id = u.id WHERE u.id = ?`, id).Scan(&hash, &sealed)
	if err != nil {
		return err
	}
	totp := ""
	if sealed != nil {
		plain, err := tx.db.seal.open(sealed, totpAD(id))
		if err != nil {
			return fmt.Errorf("user %d: the second factor does not open: %w", id, err)
		}
		totp = string(plain)
	}
	return tx.accountEvent(ctx, access.Scope{}, id, accountRecorded, hash, totp)
}
