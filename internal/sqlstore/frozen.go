package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// What was signed is what crosses (docs/design/crossing.md). A stage shows
// each person as the agreement froze them: the record version whose
// commitment the signed document holds, found by that commitment and
// checked by recomputing it from the stored content, sealed fields and
// nonce. A later signed version of the agreement (an amendment) that lists
// the person freezes them anew. A record whose identity changed since it
// was frozen is held back (crossing.SidePlan.Holds): shown as frozen,
// marked, and not counted until an amendment takes in the new version.

// StageAmendment is a later agreement version, signed by every required
// signer, that a stage takes the frozen persons from (never its plan).
type StageAmendment struct {
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// frozenRef says which version of a record an agreement froze.
type frozenRef struct {
	party      string // the releasing party, the record's owner
	commitment audit.Digest
	agreement  int // the agreement version that holds the commitment
}

// frozenVersion is the record version an agreement froze, checked against
// the commitment, with the record as it stands now.
type frozenVersion struct {
	version int
	fields  person.Fields // without the sensitive fields
	current int
	now     person.Fields
}

// commitmentMismatch is the error of a frozen version that is missing or
// no longer matches the commitment the agreement holds.
func commitmentMismatch(id string, agreement int, why string) error {
	msg := fmt.Sprintf("record %s: %s the commitment that agreement version %d holds (changed in the database?); run handover log audit", id, why, agreement)
	return errs.E("sqlstore.frozen", errs.Conflict, msg,
		errs.FieldError{Field: "record_id", Message: msg, Args: []string{id, strconv.Itoa(agreement)}, Code: "commitment_mismatch"})
}

// frozenVersions reads the frozen version of each record: the stored
// version with the commitment the agreement holds, whose commitment is
// recomputed from its stored content, sealed fields and nonce. A record
// with no such version, or one whose content no longer matches, is a
// Conflict that names the record (code commitment_mismatch): never shown.
func (db *DB) frozenVersions(ctx context.Context, refs map[string]frozenRef) (map[string]frozenVersion, error) {
	ids := make([]string, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make(map[string]frozenVersion, len(ids))
	found := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.query(ctx, `SELECT r.id, r.party, r.version, v.version, v.body, v.sealed, v.nonce, v.commitment, v.source, v.source_ref, v.reason
			FROM records r JOIN record_versions v ON v.record_seq = r.seq WHERE r.id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, errs.E("sqlstore.frozen", errs.Internal, err)
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var id, party, body string
			var head, version int
			var sealed, nonce []byte
			var stored *string
			var prov person.Provenance
			if err := rows.Scan(&id, &party, &head, &version, &body, &sealed, &nonce, &stored, &prov.Source, &prov.SourceRef, &prov.Reason); err != nil {
				return errs.E("sqlstore.frozen", errs.Internal, err)
			}
			ref := refs[id]
			fv := out[id]
			fv.current = head
			var f person.Fields
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				return commitmentMismatch(id, ref.agreement, fmt.Sprintf("version %d is not readable, so it cannot be checked against", version))
			}
			if version == head {
				fv.now = f
			}
			if stored == nil || *stored != ref.commitment.String() {
				out[id] = fv
				return nil
			}
			// The version the agreement froze: check it.
			found[id] = true
			r := person.Record{ID: id, Party: party, Version: version, Fields: f, Provenance: prov}
			if len(sealed) > 0 {
				sens, err := db.openSensitive(sealed, id, version)
				if err == nil {
					err = sens.into(&r.Fields)
				}
				if err != nil {
					return commitmentMismatch(id, ref.agreement, fmt.Sprintf("the sealed fields of version %d do not open, so it cannot be checked against", version))
				}
			}
			if len(nonce) != len(audit.Nonce{}) || party != ref.party {
				return commitmentMismatch(id, ref.agreement, fmt.Sprintf("version %d does not match", version))
			}
			if !recordCommits(&r, audit.Nonce(nonce), ref.commitment) {
				return commitmentMismatch(id, ref.agreement, fmt.Sprintf("version %d no longer matches", version))
			}
			fv.version, fv.fields = version, f
			out[id] = fv
			return nil
		})
		if err != nil {
			return nil, internal("sqlstore.frozen", err)
		}
	}
	for _, id := range ids {
		if !found[id] {
			return nil, commitmentMismatch(id, refs[id].agreement, "no stored version has")
		}
	}
	return out, nil
}

// frozenStage is a stage of an agreement with its persons as frozen.
type frozenStage struct {
	plan       crossing.Plan // with the holds
	rule       crossing.Rule
	parties    [2]string
	persons    map[string]StagePerson
	fields     map[string]person.Fields // as frozen: what the lookup searches
	amendments []StageAmendment
}

// holdUndisclosed is the hold reason of a withheld person: which identity
// fields changed is itself not disclosed.
const holdUndisclosed = "undisclosed"

// frozenStage builds stage n of agreement version pinned: the plan, and
// every person and reserve as frozen by the pinned version or by the
// latest amendment that lists them, checked against the commitment; a
// person whose record's identity changed since is held back.
func (db *DB) frozenStage(ctx context.Context, exID string, n, pinned int) (frozenStage, error) {
	const op = "sqlstore.stage"
	var doc []byte
	if err := db.queryRow(ctx, `SELECT document FROM agreements WHERE exchange_id = ? AND version = ?`, exID, pinned).Scan(&doc); err != nil {
		return frozenStage{}, errs.E(op, errs.Internal, err)
	}
	a, err := exchange.ParseAgreement(doc)
	if err != nil {
		return frozenStage{}, errs.E(op, errs.Internal, "a stored agreement does not parse", err)
	}
	plan, rule, _, err := a.CrossingPlan(n)
	if err != nil {
		return frozenStage{}, err
	}
	later, amendments, err := db.amendments(ctx, exID, pinned)
	if err != nil {
		return frozenStage{}, err
	}
	// The commitment of each record in each agreement version, by party.
	type key struct{ party, id string }
	commitments := func(ag *exchange.Agreement) map[key]audit.Digest {
		m := map[key]audit.Digest{}
		for _, sd := range ag.Sides {
			for _, list := range [][]exchange.AgreedPerson{sd.Persons, sd.Reserve} {
				for _, p := range list {
					m[key{sd.Party, p.RecordID}] = p.Commitment
				}
			}
		}
		return m
	}
	own := commitments(a)
	amended := make([]map[key]audit.Digest, len(later))
	for i, ag := range later {
		amended[i] = commitments(ag)
	}
	refs := map[string]frozenRef{}
	for side, sp := range plan.Sides {
		for _, pp := range append(slices.Clone(sp.Persons), sp.Reserves...) {
			k := key{side, pp.RecordID}
			c, ok := own[k]
			if !ok {
				return frozenStage{}, errs.E(op, errs.Internal, fmt.Sprintf("agreement version %d plans %s without its commitment", pinned, pp.RecordID))
			}
			ref := frozenRef{party: side, commitment: c, agreement: pinned}
			for i, ag := range later {
				if c, ok := amended[i][k]; ok {
					ref.commitment, ref.agreement = c, ag.Version
				}
			}
			refs[pp.RecordID] = ref
		}
	}
	versions, err := db.frozenVersions(ctx, refs)
	if err != nil {
		return frozenStage{}, err
	}
	out := frozenStage{rule: rule, parties: a.Exchange.Parties, persons: make(map[string]StagePerson, len(refs)),
		fields: make(map[string]person.Fields, len(refs)), amendments: amendments}
	out.plan = plan
	out.plan.Sides = make(map[string]crossing.SidePlan, len(plan.Sides))
	for side, sp := range plan.Sides {
		add := func(pp crossing.PlannedPerson, reserve bool) {
			fv := versions[pp.RecordID]
			f := fv.fields
			p := StagePerson{RecordID: pp.RecordID, Side: side, Category: pp.Category, Reserve: reserve,
				Surname: f.Surname, GivenNames: f.GivenNames, Patronymic: f.Patronymic, FullName: f.FullName,
				BirthDate: f.BirthDate, Rank: f.Rank, ServiceNumber: f.ServiceNumber, Version: fv.version,
				Withheld: f.Detrimental || fv.now.Detrimental}
			if ag := refs[pp.RecordID].agreement; ag != pinned {
				p.AmendedIn = ag
			}
			if fv.current != fv.version {
				p.Changed = person.IdentityChanges(&fv.fields, &fv.now)
				p.CorrectedAfterSigning = len(p.Changed) > 0
			}
			if p.CorrectedAfterSigning {
				if sp.Holds == nil {
					sp.Holds = map[string]string{}
				}
				sp.Holds[pp.RecordID] = strings.Join(p.Changed, ", ")
				if p.Withheld {
					sp.Holds[pp.RecordID] = holdUndisclosed
				}
			}
			out.persons[pp.RecordID] = p
			out.fields[pp.RecordID] = f
		}
		for _, pp := range sp.Persons {
			add(pp, false)
		}
		for _, pp := range sp.Reserves {
			add(pp, true)
		}
		out.plan.Sides[side] = sp
	}
	return out, nil
}

// amendments returns the agreement versions after pinned that every
// required signer signed, oldest first, parsed, with their hashes.
func (db *DB) amendments(ctx context.Context, exID string, pinned int) ([]*exchange.Agreement, []StageAmendment, error) {
	const op = "sqlstore.stage"
	rows, err := db.query(ctx, `SELECT version, document FROM agreements WHERE exchange_id = ? AND version > ? ORDER BY version`, exID, pinned)
	if err != nil {
		return nil, nil, errs.E(op, errs.Internal, err)
	}
	type stored struct {
		version int
		doc     []byte
	}
	var all []stored
	err = eachRow(rows, func(rows *sql.Rows) error {
		var s stored
		if err := rows.Scan(&s.version, &s.doc); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		all = append(all, s)
		return nil
	})
	if err != nil {
		return nil, nil, internal(op, err)
	}
	var out []*exchange.Agreement
	var refs []StageAmendment
	for _, s := range all {
		st, err := db.Agreement(ctx, mediatorScope(), exID, s.version)
		if err != nil {
			return nil, nil, err
		}
		if len(st.Missing) > 0 {
			continue // not signed by all: not an amendment (yet)
		}
		a, err := exchange.ParseAgreement(s.doc)
		if err != nil {
			return nil, nil, errs.E(op, errs.Internal, "a stored agreement does not parse", err)
		}
		out = append(out, a)
		refs = append(refs, StageAmendment{Version: s.version, Hash: st.Hash})
	}
	return out, refs, nil
}

// refreshFrozen builds a live stage's persons, plan and lookup index on
// first use, and again when the log shows that something they depend on
// changed since: a correction of one of the stage's records, or a
// signature on an agreement version of the exchange. When the holds
// change, the stage is replayed from its events in memory. The caller
// holds ls.mu. It returns the log size it read first.
func (db *DB) refreshFrozen(ctx context.Context, ls *liveStage, exID string, n int) (int64, error) {
	size, err := db.LogSize(ctx)
	if err != nil {
		return 0, err
	}
	if ls.persons != nil {
		if size == ls.logSeen {
			return size, nil
		}
		changed, err := db.touchesStage(ctx, ls, exID, ls.logSeen, size)
		if err != nil {
			return 0, errs.E("sqlstore.stage", errs.Internal, err)
		}
		if !changed {
			ls.logSeen = size
			return size, nil
		}
	}
	fz, err := db.frozenStage(ctx, exID, n, ls.version)
	if err != nil {
		return 0, err
	}
	replay := ls.st != nil && !sameHolds(ls.plan, fz.plan)
	ls.install(fz, size)
	if replay {
		st, err := crossing.Replay(ls.plan, ls.rule, ls.st.Events())
		if err != nil {
			ls.st = nil // replayed from the database below, or the error is reported there
		} else {
			ls.st = st
		}
	}
	return size, nil
}

// install makes fz the stage's plan, persons and lookup index, as of the
// log size seen (taken before fz was built). The caller holds ls.mu.
func (ls *liveStage) install(fz frozenStage, seen int64) {
	ls.plan, ls.rule, ls.parties, ls.persons, ls.amendments = fz.plan, fz.rule, fz.parties, fz.persons, fz.amendments
	ls.index = lookupIndex(fz.persons, fz.fields)
	ls.logSeen = seen
}

// lookupIndex is the officer's lookup index of a stage's persons: each
// found by the names and service number the agreement froze, and by the
// Latin spellings of its fields.
func lookupIndex(persons map[string]StagePerson, fields map[string]person.Fields) *crossing.LookupIndex {
	people := make(map[string]person.Fields, len(persons))
	for id, p := range persons {
		f := fields[id]
		f.Surname, f.GivenNames, f.Patronymic, f.FullName, f.ServiceNumber = p.Surname, p.GivenNames, p.Patronymic, p.FullName, p.ServiceNumber
		people[id] = f
	}
	return crossing.NewLookupIndex(people)
}

// liveTail is how many new leaves refreshFrozen reads to decide whether a
// stage changed; beyond it, it rebuilds the stage's persons outright.
const liveTail = 20000

// touchesStage reports whether the leaves from index from to to record a
// correction of a record of the stage or a signature on an agreement of
// its exchange.
func (db *DB) touchesStage(ctx context.Context, ls *liveStage, exID string, from, to int64) (bool, error) {
	if to-from > liveTail {
		return true, nil
	}
	rows, err := db.query(ctx, `SELECT data FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, from, to)
	if err != nil {
		return false, err
	}
	touches := false
	err = eachRow(rows, func(rows *sql.Rows) error {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		l, err := audit.DecodeLeaf(data)
		switch {
		case err != nil:
			touches = true // unreadable: rebuild, and let the audit say why
		case l.Type == audit.RecordCorrected:
			_, touches = ls.persons[strings.TrimPrefix(l.Subject, "record:")]
		case l.Type == audit.AgreementSigned:
			touches = l.Exchange == exID
		}
		if touches {
			return errStop
		}
		return nil
	})
	return touches, err
}

// sameHolds reports whether two plans hold back the same persons for the
// same reasons.
func sameHolds(a, b crossing.Plan) bool {
	if len(a.Sides) != len(b.Sides) {
		return false
	}
	for side, sa := range a.Sides {
		sb := b.Sides[side]
		if len(sa.Holds) != len(sb.Holds) {
			return false
		}
		for id, r := range sa.Holds {
			if sb.Holds[id] != r {
				return false
			}
		}
	}
	return true
}

// seenBy returns the person as the scope may see them: whole, except that
// a person withheld as transmission-detrimental shows the other party's
// users only the record id, side, category, version and whether the
// record changed after signing (docs/design/crossing.md, "Withheld means
// withheld").
func (p StagePerson) seenBy(s access.Scope) StagePerson {
	if !p.withheldFrom(s) {
		return p
	}
	return StagePerson{RecordID: p.RecordID, Side: p.Side, Category: p.Category, Reserve: p.Reserve, Version: p.Version,
		AmendedIn: p.AmendedIn, CorrectedAfterSigning: p.CorrectedAfterSigning, Withheld: true}
}

// withheldFrom reports whether the person is withheld from the scope: a
// user of a party other than the releasing (holding) one.
func (p StagePerson) withheldFrom(s access.Scope) bool {
	return p.Withheld && s.Party != "" && s.Party != p.Side
}
