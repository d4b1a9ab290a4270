package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
)

// Findings of the replay of the covered columns (docs/design/log.md §10).
const (
	ColumnChanged  audit.FindingCode = "column-changed"  // a column no longer says what its leaf, or the content it mirrors, says
	RowUnlogged    audit.FindingCode = "row-unlogged"    // a row that no leaf covers: written around the log
	RowMissing     audit.FindingCode = "row-missing"     // a leaf whose row is not in the database
	DerivedDiffers audit.FindingCode = "derived-differs" // a derived table differs from its rebuild from its sources
	CoverageBroken audit.FindingCode = "coverage-broken" // the record of what predates the coverage was changed
)

// replayLeaf is what the replay keeps of a leaf.
type replayLeaf struct {
	index      int64
	typ        audit.LeafType
	actor      string
	time       time.Time
	exchange   string
	subject    string
	rev        int64
	commitment audit.Digest
	used       bool
}

// at is the leaf's time as the database stores times.
func (l *replayLeaf) at() string { return fmtTime(l.time) }

// replayKept are the leaf types the replay pairs with rows by subject.
var replayKept = map[audit.LeafType]bool{
	leafUserCreated: true, leafUserChanged: true, leafUserRecorded: true,
	leafTokenCreated: true, leafTokenRevoked: true, leafTokenRecorded: true,
	leafSessionStarted: true, leafSessionEnded: true,
	audit.MatchDecided: true, leafMatchDisclosed: true, leafMatchRun: true, leafStageOpened: true,
	leafExchangeOpened: true, audit.ListSubmitted: true, leafEvidence: true, leafAgreementFrozen: true,
	audit.AgreementSigned: true, audit.HandoverRecorded: true, leafStageChanged: true, leafCoverage: true, leafRemainsRecorded: true,
	leafPriority: true, leafExported: true, leafCustody: true, leafRecordErased: true, leafInterview: true,
}

// coveredOnly are the leaf types only a program that applies the coverage
// writes: a log.coverage leaf after one of them is not the start of the
// coverage but a reset of it.
var coveredOnly = map[audit.LeafType]bool{
	leafUserCreated: true, leafUserChanged: true, leafUserRecorded: true, leafTokenCreated: true, leafTokenRevoked: true,
	leafTokenRecorded: true, leafSessionStarted: true, leafSessionEnded: true, leafMatchDisclosed: true, leafMatchRun: true,
	leafStageOpened: true,
}

// replay is what the audit learns from the leaves, to check the rows
// against.
type replay struct {
	bySubject    map[audit.LeafType]map[string][]*replayLeaf // in log order
	versions     map[versionKey]*replayLeaf
	firstCovered *replayLeaf
	coverage     []*replayLeaf
	add          func(code audit.FindingCode, leaf int64, format string, args ...any)
	logins       map[string]string // actor → login
	userParty    map[string]string // actor → party of the user
	parties      []string
	legacy       *legacy                // what predates the coverage; nil when it began with the database
	erased       map[string]*replayLeaf // record id → its record.erased leaf (checkErasures)
	blankedFlags []*replayLeaf          // the priority.flagged leaves of the flags rows an erasure blanked (checkPriority)
	notes        []string
}

func newReplay() *replay {
	return &replay{bySubject: map[audit.LeafType]map[string][]*replayLeaf{}, versions: map[versionKey]*replayLeaf{}}
}

// visit keeps a leaf the replay needs.
func (rp *replay) visit(index int64, l audit.Leaf) {
	record := l.Type == audit.RecordCreated || l.Type == audit.RecordCorrected
	if !record && !replayKept[l.Type] {
		return // most of a big log, kept by nothing
	}
	r := &replayLeaf{index: index, typ: l.Type, actor: l.Actor, time: l.Time, exchange: l.Exchange, subject: l.Subject, rev: l.Rev, commitment: l.Commitment}
	if coveredOnly[l.Type] && rp.firstCovered == nil {
		rp.firstCovered = r
	}
	if record {
		if id, ok := strings.CutPrefix(l.Subject, "record:"); ok {
			rp.versions[versionKey{id, l.Rev}] = r
		}
		return
	}
	if l.Type == leafCoverage {
		rp.coverage = append(rp.coverage, r)
	}
	m := rp.bySubject[l.Type]
	if m == nil {
		m = map[string][]*replayLeaf{}
		rp.bySubject[l.Type] = m
	}
	m[l.Subject] = append(m[l.Subject], r)
}

// of returns the leaves of the given types about subject, in log order.
func (rp *replay) of(subject string, types ...audit.LeafType) []*replayLeaf {
	var out []*replayLeaf
	for _, t := range types {
		out = append(out, rp.bySubject[t][subject]...)
	}
	if len(types) > 1 {
		slices.SortFunc(out, func(a, b *replayLeaf) int { return int(a.index - b.index) })
	}
	return out
}

// unused reports the kept leaves of typ the replay paired with no row.
func (rp *replay) unused(typ audit.LeafType, what string) {
	for _, ls := range rp.bySubject[typ] {
		for _, l := range ls {
			if !l.used {
				rp.add(RowMissing, l.index, "leaf %d (%s) records %s %s, which is not in the database", l.index, typ, what, strings.TrimPrefix(l.subject, what+":"))
			}
		}
	}
}

// predates reports whether leaf index was written before the coverage
// began (always false on a database where it began with the database).
func (rp *replay) predates(index int64) bool { return rp.legacy != nil && index < rp.legacy.Leaf }

// login names the account of a leaf's actor, for messages and to compare
// with the login a row stores.
func (rp *replay) login(actor string) string {
	if l, ok := rp.logins[actor]; ok {
		return l
	}
	if actor == "system" || actor == "user:-1" {
		return "system"
	}
	return "?" + actor
}

// checkBy compares a row's who and when columns with its leaf's actor and
// time.
func (rp *replay) checkBy(what, byCol, by, atCol, at string, l *replayLeaf) {
	if want := rp.login(l.actor); by != want {
		rp.add(ColumnChanged, l.index, "%s: %s is %q, but leaf %d was written by %s (%s)", what, byCol, by, l.index, l.actor, want)
	}
	if at != l.at() {
		rp.add(ColumnChanged, l.index, "%s: %s is %s, but leaf %d was written at %s", what, atCol, at, l.index, l.at())
	}
}

// loadAccounts reads who every actor is, and the parties.
func (db *DB) loadAccounts(ctx context.Context, rp *replay) error {
	rp.logins, rp.userParty = map[string]string{}, map[string]string{}
	rows, err := db.query(ctx, `SELECT id, login, COALESCE(party, '') FROM users`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var login, party string
		if err := rows.Scan(&id, &login, &party); err != nil {
			return err
		}
		rp.logins[actor(id)], rp.userParty[actor(id)] = login, party
		return nil
	})
	if err != nil {
		return err
	}
	rp.parties, err = db.partyCodes(ctx)
	return err
}

// loadCoverage finds where the coverage began: the first log.coverage
// leaf, whose committed content must be the one stored; a second one, or
// one after a leaf only the covering program writes, means the record of
// the coverage was reset to make rows look older than they are.
func (db *DB) loadCoverage(ctx context.Context, rp *replay) error {
	var content string
	err := db.queryRow(ctx, `SELECT content FROM log_coverage`).Scan(&content)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if len(rp.coverage) == 0 {
		if content != "" {
			rp.add(CoverageBroken, -1, "log_coverage holds a record of rows that predate the coverage, but no log.coverage leaf commits to it")
		}
		return nil
	}
	first := rp.coverage[0]
	first.used = true
	for _, l := range rp.coverage[1:] {
		rp.add(CoverageBroken, l.index, "leaf %d: a second log.coverage leaf (the first is leaf %d): the coverage was reset", l.index, first.index)
	}
	if rp.firstCovered != nil && rp.firstCovered.index < first.index {
		rp.add(CoverageBroken, first.index, "leaf %d: log.coverage after leaf %d (%s), which only a covering program writes: the coverage was reset", first.index, rp.firstCovered.index, rp.firstCovered.typ)
	}
	if audit.Commit(tagCoverage, audit.Nonce{}, []byte(content)) != first.commitment {
		rp.add(CoverageBroken, first.index, "log_coverage: the record of what predates the coverage no longer matches leaf %d's commitment", first.index)
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(content), &m); err != nil {
		rp.add(CoverageBroken, first.index, "log_coverage: the record of what predates the coverage is not readable: %v", err)
		return nil
	}
	l := &legacy{Leaf: first.index, Time: m["time"], Max: map[string]int64{}, Count: map[string]int64{}}
	for _, t := range legacyTables {
		l.Count[t.table], _ = strconv.ParseInt(m[t.table+".count"], 10, 64)
		l.Max[t.table], _ = strconv.ParseInt(m[t.table+".max"], 10, 64)
	}
	rp.legacy = l
	return nil
}

// checkRecords checks every record version against its leaf: the stored
// commitment is the leaf's, the content (sensitive fields and provenance
// included) still matches it, the version's category and status are its
// fields', who and when are the leaf's; and every record's kind, category
// and status are those of its current version, which is its latest.
func (db *DB) checkRecords(ctx context.Context, rp *replay, res *AuditResult) error {
	rows, err := db.query(ctx, `SELECT r.id, r.party, r.kind, r.version, r.category, r.status, r.created_at,
		v.version, v.category, v.status, v.body, v.sealed, v.nonce, v.commitment, v.source, v.source_ref, v.entered_by, v.entered_at, v.reason
		FROM record_versions v JOIN records r ON r.seq = v.record_seq ORDER BY r.seq, v.version`)
	if err != nil {
		return err
	}
	heads := map[string][2]int64{} // id → head pointer, latest version seen
	legacyVersions := 0
	var batch []versionRow
	err = eachRow(rows, func(rows *sql.Rows) error {
		var v versionRow
		if err := rows.Scan(&v.id, &v.party, &v.kind, &v.head, &v.rCat, &v.rStatus, &v.created, &v.version, &v.vCat, &v.vStatus, &v.body, &v.sealed, &v.nonce, &v.commitText,
			&v.r.Provenance.Source, &v.r.Provenance.SourceRef, &v.r.Provenance.EnteredBy, &v.entered, &v.r.Provenance.Reason); err != nil {
			return err
		}
		if batch = append(batch, v); len(batch) == 4096 {
			legacyVersions += db.checkVersions(rp, batch, heads, res)
			batch = batch[:0]
		}
		return nil
	})
	if err != nil {
		return err
	}
	legacyVersions += db.checkVersions(rp, batch, heads, res)
	for id, h := range heads {
		if h[0] != h[1] {
			rp.add(RecordHeadWrong, -1, "record %s points at version %d but its latest version is %d", id, h[0], h[1])
		}
	}
	for k, lv := range rp.versions {
		if !lv.used {
			rp.add(RecordMissing, lv.index, "leaf %d records record %s version %d, which is not in the database", lv.index, k.id, k.version)
		}
	}
	if legacyVersions > 0 {
		rp.notes = append(rp.notes, fmt.Sprintf("%d record versions were logged before the coverage began (leaf %d): their source and reason are not covered", legacyVersions, rp.legacy.Leaf))
	}
	return nil
}

// versionRow is one record version as checkRecords reads it, with what
// checkVersions computes from it.
type versionRow struct {
	id, party, kind, rCat, rStatus, created, vCat, vStatus, body, entered string
	head, version                                                         int64
	sealed, nonce                                                         []byte
	commitText                                                            *string
	r                                                                     person.Record

	lv       *replayLeaf
	v2       bool
	bad      string // why the content cannot be checked
	commitOK bool
}

// blank reports whether a version is in the form an erasure leaves it:
// no body, no sealed fields, no nonce, no source reference, no reason.
func (v *versionRow) blank() bool {
	return v.body == "{}" && len(v.sealed) == 0 && v.nonce == nil && v.r.Provenance.SourceRef == "" && v.r.Provenance.Reason == ""
}

// checkVersions checks a batch of record versions: the commitments, the
// costly part, on every CPU; then each version's findings in order. It
// returns how many versions were logged before the coverage began.
func (db *DB) checkVersions(rp *replay, batch []versionRow, heads map[string][2]int64, res *AuditResult) int {
	eachParallel(len(batch), func(i int) {
		v := &batch[i]
		v.lv = rp.versions[versionKey{v.id, v.version}]
		if v.lv == nil {
			return
		}
		v.r.ID, v.r.Party, v.r.Version = v.id, v.party, int(v.version)
		if err := json.Unmarshal([]byte(v.body), &v.r.Fields); err != nil {
			v.bad = fmt.Sprintf("record %s version %d: stored content is not readable: %v", v.id, v.version, err)
			return
		}
		if len(v.sealed) > 0 {
			sens, err := db.openSensitive(v.sealed, v.id, int(v.version))
			if err != nil {
				v.bad = fmt.Sprintf("record %s version %d: sealed fields do not open: %v", v.id, v.version, err)
				return
			}
			if err := sens.into(&v.r.Fields); err != nil {
				v.bad = fmt.Sprintf("record %s version %d: %v (changed in the database?)", v.id, v.version, err)
				return
			}
		}
		v.v2 = !rp.predates(v.lv.index)
		if len(v.nonce) == len(audit.Nonce{}) {
			got, err := recordCommitment(&v.r, audit.Nonce(v.nonce), v.v2)
			v.commitOK = err == nil && got == v.lv.commitment
		}
	})
	legacy := 0
	for i := range batch {
		v := &batch[i]
		res.Records++
		h := heads[v.id]
		heads[v.id] = [2]int64{v.head, max(h[1], v.version)}
		what := fmt.Sprintf("record_versions (record %s, version %d)", v.id, v.version)
		lv := v.lv
		if lv == nil {
			rp.add(RecordUnlogged, -1, "record %s version %d has no leaf in the log", v.id, v.version)
			continue
		}
		lv.used = true
		rp.checkBy(what, "entered_by", v.r.Provenance.EnteredBy, "entered_at", v.entered, lv)
		if v.version == 1 && v.created != lv.at() {
			rp.add(ColumnChanged, lv.index, "records %s: created_at is %s, but its first version's leaf %d was written at %s", v.id, v.created, lv.index, lv.at())
		}
		if v.commitText == nil {
			rp.add(RecordCommitDiffer, lv.index, "record %s version %d has no stored commitment (leaf %d)", v.id, v.version, lv.index)
			continue
		}
		if stored, err := audit.ParseDigest(*v.commitText); err != nil || stored != lv.commitment {
			rp.add(RecordCommitDiffer, lv.index, "record %s version %d: stored commitment differs from leaf %d's", v.id, v.version, lv.index)
		}
		if el := rp.erased[v.id]; el != nil {
			if v.blank() {
				if v.version == v.head {
					res.Erased = append(res.Erased, v.id)
				}
				continue
			}
			rp.add(RecordNotErased, lv.index, "%s: record %s was erased (leaf %d), but this version still holds its content (body, sealed, nonce, source_ref or reason): not erased, or written back", what, v.id, el.index)
			continue
		}
		if v.blank() {
			rp.add(RecordChanged, lv.index, "%s: blanked as if erased, but the record has no erasure (no record_erasures row with its record.erased leaf): erased around the log", what)
			continue
		}
		if v.bad != "" {
			rp.add(RecordChanged, lv.index, "%s", v.bad)
			continue
		}
		r := &v.r
		if string(r.Category) != v.vCat {
			rp.add(ColumnChanged, lv.index, "%s: category is %q, but its committed fields say %q", what, v.vCat, r.Category)
		}
		if string(r.Status) != v.vStatus {
			rp.add(ColumnChanged, lv.index, "%s: status is %q, but its committed fields say %q", what, v.vStatus, r.Status)
		}
		if v.version == v.head {
			for _, c := range []struct{ col, got, want string }{{"kind", v.kind, string(r.Kind)}, {"category", v.rCat, string(r.Category)}, {"status", v.rStatus, string(r.Status)}} {
				if c.got != c.want {
					rp.add(ColumnChanged, lv.index, "records %s: %s is %q, but its current version %d (leaf %d) says %q", v.id, c.col, c.got, v.version, lv.index, c.want)
				}
			}
		}
		if len(v.nonce) != len(audit.Nonce{}) {
			rp.add(RecordChanged, lv.index, "record %s version %d: no nonce to check the content with", v.id, v.version)
			continue
		}
		if !v.v2 {
			legacy++
		}
		if v.commitOK {
			continue
		}
		named := false
		for _, p := range rp.parties {
			alt := *r
			alt.Party = p
			if got, err := recordCommitment(&alt, audit.Nonce(v.nonce), v.v2); p != v.party && err == nil && got == lv.commitment {
				rp.add(ColumnChanged, lv.index, "records %s: party is %q, but leaf %d committed to %q", v.id, v.party, lv.index, p)
				named = true
			}
		}
		if !named {
			cols := "its fields (body, sealed)"
			if v.v2 {
				cols = "its fields (body, sealed), source, source_ref or reason"
			}
			rp.add(RecordChanged, lv.index, "%s: %s no longer match leaf %d's commitment (changed in the database?)", what, cols, lv.index)
		}
	}
	return legacy
}

// checkUsers checks every account against the last of its leaves: its
// login, role, party and disabled mark are what that leaf committed to.
func (db *DB) checkUsers(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT id, login, role, COALESCE(party, ''), disabled_at, nonce FROM users ORDER BY id`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var login, role, party string
		var disabled sql.NullString
		var nonce []byte
		if err := rows.Scan(&id, &login, &role, &party, &disabled, &nonce); err != nil {
			return err
		}
		what := fmt.Sprintf("users %d (%s)", id, login)
		ls := rp.of(userSubject(id), leafUserCreated, leafUserChanged, leafUserRecorded)
		for _, l := range ls {
			l.used = true
		}
		if len(ls) == 0 {
			rp.add(RowUnlogged, -1, "%s: no user leaf: the account was written around the log", what)
			return nil
		}
		last := ls[len(ls)-1]
		if len(nonce) != len(audit.Nonce{}) {
			rp.add(ColumnChanged, last.index, "%s: nonce is missing: the account cannot be checked against leaf %d", what, last.index)
			return nil
		}
		commit := func(role, party, disabled string) bool {
			return audit.Commit(tagAccount, audit.Nonce(nonce), userContent(id, login, role, party, disabled)) == last.commitment
		}
		if commit(role, party, disabled.String) {
			return nil
		}
		named := false
		for _, r := range access.Roles {
			if string(r) != role && commit(string(r), party, disabled.String) {
				rp.add(ColumnChanged, last.index, "%s: role is %q, but leaf %d committed to %q", what, role, last.index, r)
				named = true
			}
		}
		for _, p := range append([]string{""}, rp.parties...) {
			if p != party && commit(role, p, disabled.String) {
				rp.add(ColumnChanged, last.index, "%s: party is %q, but leaf %d committed to %q", what, party, last.index, p)
				named = true
			}
		}
		var disabledAt []string
		if disabled.Valid {
			disabledAt = []string{""}
		}
		for _, l := range ls {
			disabledAt = append(disabledAt, l.at())
		}
		for _, d := range disabledAt {
			if d != disabled.String && commit(role, party, d) {
				rp.add(ColumnChanged, last.index, "%s: disabled_at is %q, but leaf %d committed to %q", what, disabled.String, last.index, d)
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, last.index, "%s: login, role, party or disabled_at no longer match leaf %d's commitment", what, last.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []audit.LeafType{leafUserCreated, leafUserChanged, leafUserRecorded} {
		rp.unused(t, "user")
	}
	return nil
}

// checkTokens checks every API token against the last of its leaves.
func (db *DB) checkTokens(ctx context.Context, rp *replay) error {
	users, err := db.allIDs(ctx, `SELECT id FROM users`)
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT id, user_id, hash, expires_at, revoked_at, mfa FROM tokens ORDER BY id`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, userID int64
		var hash []byte
		var expires string
		var revoked sql.NullString
		var mfa int
		if err := rows.Scan(&id, &userID, &hash, &expires, &revoked, &mfa); err != nil {
			return err
		}
		what := fmt.Sprintf("tokens %d (user %d)", id, userID)
		ls := rp.of(tokenSubject(id), leafTokenCreated, leafTokenRevoked, leafTokenRecorded)
		for _, l := range ls {
			l.used = true
		}
		if len(ls) == 0 {
			rp.add(RowUnlogged, -1, "%s: no token leaf: the token was written around the log", what)
			return nil
		}
		last := ls[len(ls)-1]
		commit := func(userID int64, expires, revoked string) bool {
			return audit.Commit(tagToken, audit.Nonce{}, tokenContent(id, userID, hash, expires, revoked, mfa)) == last.commitment
		}
		if commit(userID, expires, revoked.String) {
			return nil
		}
		named := false
		for _, u := range users {
			if u != userID && commit(u, expires, revoked.String) {
				rp.add(ColumnChanged, last.index, "%s: user_id is %d, but leaf %d committed to %d", what, userID, last.index, u)
				named = true
			}
		}
		revokedAt := []string{}
		if revoked.Valid {
			revokedAt = append(revokedAt, "")
		}
		for _, l := range ls {
			revokedAt = append(revokedAt, l.at())
		}
		for _, r := range revokedAt {
			if r != revoked.String && commit(userID, expires, r) {
				rp.add(ColumnChanged, last.index, "%s: revoked_at is %q, but leaf %d committed to %q", what, revoked.String, last.index, r)
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, last.index, "%s: hash, user_id, expires_at, revoked_at or mfa no longer match leaf %d's commitment", what, last.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []audit.LeafType{leafTokenCreated, leafTokenRevoked, leafTokenRecorded} {
		rp.unused(t, "token")
	}
	return nil
}

// checkSessions checks every web session against the last of its leaves;
// a session with none must have ended before the coverage began.
func (db *DB) checkSessions(ctx context.Context, rp *replay) error {
	users, err := db.allIDs(ctx, `SELECT id FROM users`)
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT id_hash, user_id, mfa, created_at, ended_at FROM sessions ORDER BY created_at`)
	if err != nil {
		return err
	}
	old := 0
	err = eachRow(rows, func(rows *sql.Rows) error {
		var h []byte
		var userID int64
		var mfa int
		var created string
		var ended sql.NullString
		if err := rows.Scan(&h, &userID, &mfa, &created, &ended); err != nil {
			return err
		}
		subject := sessionSubject(h)
		what := fmt.Sprintf("sessions %s (user %d)", strings.TrimPrefix(subject, "session:"), userID)
		ls := rp.of(subject, leafSessionStarted, leafSessionEnded)
		for _, l := range ls {
			l.used = true
		}
		if len(ls) == 0 {
			if rp.legacy != nil && created <= rp.legacy.Time && ended.Valid && ended.String <= rp.legacy.Time {
				old++
				return nil
			}
			rp.add(RowUnlogged, -1, "%s: no session leaf: the session was written around the log", what)
			return nil
		}
		last := ls[len(ls)-1]
		commit := func(userID int64, mfa int, ended string) bool {
			return audit.Commit(tagSession, audit.Nonce{}, sessionContent(h, userID, mfa, created, ended)) == last.commitment
		}
		if commit(userID, mfa, ended.String) {
			return nil
		}
		named := false
		if commit(userID, 1-mfa, ended.String) {
			rp.add(ColumnChanged, last.index, "%s: mfa is %d, but leaf %d committed to %d", what, mfa, last.index, 1-mfa)
			named = true
		}
		for _, u := range users {
			if u != userID && commit(u, mfa, ended.String) {
				rp.add(ColumnChanged, last.index, "%s: user_id is %d, but leaf %d committed to %d", what, userID, last.index, u)
				named = true
			}
		}
		endedAt := []string{}
		if ended.Valid {
			endedAt = append(endedAt, "")
		}
		for _, l := range ls {
			endedAt = append(endedAt, l.at())
		}
		for _, e := range endedAt {
			if e != ended.String && commit(userID, mfa, e) {
				rp.add(ColumnChanged, last.index, "%s: ended_at is %q, but leaf %d committed to %q", what, ended.String, last.index, e)
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, last.index, "%s: user_id, mfa, created_at or ended_at no longer match leaf %d's commitment", what, last.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []audit.LeafType{leafSessionStarted, leafSessionEnded} {
		rp.unused(t, "session")
	}
	if old > 0 {
		rp.notes = append(rp.notes, fmt.Sprintf("%d sessions ended before the coverage began: they have no leaves", old))
	}
	return nil
}

// allIDs returns the integer ids a query selects.
func (db *DB) allIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInt64)
}

// replayCovered runs every check of the covered columns and derived
// tables (docs/design/log.md §10).
func (db *DB) replayCovered(ctx context.Context, rp *replay, res *AuditResult) error {
	if err := db.loadAccounts(ctx, rp); err != nil {
		return err
	}
	if err := db.loadCoverage(ctx, rp); err != nil {
		return err
	}
	for _, check := range []func(context.Context, *replay) error{
		db.checkUsers, db.checkTokens, db.checkSessions, db.checkDecisions, db.checkDisclosures, db.checkRuns,
		db.checkExchangeRows, db.checkSignatures, db.checkStages, db.checkStageEvents, db.checkRemains, db.checkTerms, db.checkReserves,
		db.checkCases, db.checkTracingExports, db.checkCustody, db.checkErasures, db.checkInterviews, db.checkCodes,
		db.checkPriority, // after checkErasures: it accepts blanked flags of an erased record only
	} {
		if err := check(ctx, rp); err != nil {
			return err
		}
	}
	if err := db.checkRecords(ctx, rp, res); err != nil {
		return err
	}
	res.Notes = rp.notes
	return nil
}

// pairLeaves returns the leaves of typ about subject in log order, for
// pairing with the rows of the subject in the order they were written.
func (rp *replay) pairLeaves(typ audit.LeafType, subject string) []*replayLeaf {
	return rp.bySubject[typ][subject]
}

// checkDecisions pairs the decisions on each pair, in order, with the
// match.decided leaves about it: who and when are the leaf's, and the
// decision, its reason and the score it was taken on are what the leaf
// committed to.
func (db *DB) checkDecisions(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT seq, sought_id, held_id, decision, reason, decided_by, decided_at, nonce, COALESCE(score, 0) FROM match_decisions ORDER BY seq`)
	if err != nil {
		return err
	}
	next := map[string]int{}
	old := 0
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var sought, held, decision, reason, by, at string
		var nonce []byte
		var score float64
		if err := rows.Scan(&seq, &sought, &held, &decision, &reason, &by, &at, &nonce, &score); err != nil {
			return err
		}
		subject := "match:" + sought + "/" + held
		what := fmt.Sprintf("match_decisions %d (sought %s, held %s)", seq, sought, held)
		ls := rp.pairLeaves(audit.MatchDecided, subject)
		i := next[subject]
		next[subject]++
		if i >= len(ls) {
			rp.add(RowUnlogged, -1, "%s: no match.decided leaf: the decision was written around the log", what)
			return nil
		}
		l := ls[i]
		l.used = true
		rp.checkBy(what, "decided_by", by, "decided_at", at, l)
		if rp.predates(l.index) {
			old++
			return nil // its nonce was not kept then
		}
		if len(nonce) != len(audit.Nonce{}) {
			rp.add(ColumnChanged, l.index, "%s: nonce is missing: the decision cannot be checked against leaf %d", what, l.index)
			return nil
		}
		commit := func(decision string) bool {
			d, err := audit.CommitFields(audit.TagMatch, audit.Nonce(nonce), decisionContent(sought, held, decision, reason, score))
			return err == nil && d == l.commitment
		}
		if commit(decision) {
			return nil
		}
		named := false
		for _, alt := range []string{MatchConfirmed, MatchRejected, "undo"} {
			if alt != decision && commit(alt) {
				rp.add(ColumnChanged, l.index, "%s: decision is %q, but leaf %d committed to %q", what, decision, l.index, alt)
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, l.index, "%s: decision, reason or score no longer match leaf %d's commitment", what, l.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rp.unused(audit.MatchDecided, "match")
	if old > 0 {
		rp.notes = append(rp.notes, fmt.Sprintf("%d match decisions were logged before the coverage began (leaf %d): who and when are checked, not what was decided", old, rp.legacy.Leaf))
	}
	return nil
}

// legacyRow reports whether row key of table predates the coverage.
func (rp *replay) legacyRow(table string, key int64) bool {
	return rp.legacy != nil && key <= rp.legacy.Max[table]
}

// checkLegacyCount compares the rows of a table that predate the coverage
// with the count its log.coverage leaf committed to.
func (rp *replay) checkLegacyCount(table string, n int64, what string) {
	if rp.legacy == nil {
		return
	}
	if want := rp.legacy.Count[table]; n != want {
		rp.add(CoverageBroken, rp.legacy.Leaf, "%s: %d rows up to %d predate the coverage, but leaf %d counted %d: rows were added or removed", table, n, rp.legacy.Max[table], rp.legacy.Leaf, want)
	} else if n > 0 {
		rp.notes = append(rp.notes, fmt.Sprintf("%d %s were written before the coverage began (leaf %d): they are counted, not covered", n, what, rp.legacy.Leaf))
	}
}

// checkDisclosures pairs the disclosures of each pair, in order, with the
// match.disclosed leaves about it.
func (db *DB) checkDisclosures(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT seq, sought_id, held_id, party, disclosed_by, disclosed_at FROM match_disclosures ORDER BY seq`)
	if err != nil {
		return err
	}
	next := map[string]int{}
	var old int64
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var sought, held, party, by, at string
		if err := rows.Scan(&seq, &sought, &held, &party, &by, &at); err != nil {
			return err
		}
		if rp.legacyRow("match_disclosures", seq) {
			old++
			return nil
		}
		subject := "match:" + sought + "/" + held
		what := fmt.Sprintf("match_disclosures %d (sought %s, held %s, to %s)", seq, sought, held, party)
		ls := rp.pairLeaves(leafMatchDisclosed, subject)
		i := next[subject]
		next[subject]++
		if i >= len(ls) {
			rp.add(RowUnlogged, -1, "%s: no match.disclosed leaf: the disclosure was written around the log", what)
			return nil
		}
		l := ls[i]
		l.used = true
		rp.checkBy(what, "disclosed_by", by, "disclosed_at", at, l)
		if audit.Commit(tagDisclosure, audit.Nonce{}, disclosureContent(sought, held, party)) == l.commitment {
			return nil
		}
		named := false
		for _, p := range rp.parties {
			if p != party && audit.Commit(tagDisclosure, audit.Nonce{}, disclosureContent(sought, held, p)) == l.commitment {
				rp.add(ColumnChanged, l.index, "%s: party is %q, but leaf %d committed to %q", what, party, l.index, p)
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, l.index, "%s: no longer matches leaf %d's commitment", what, l.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rp.unused(leafMatchDisclosed, "match")
	rp.checkLegacyCount("match_disclosures", old, "match disclosures")
	return nil
}
