package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// checkRuns checks every matching run against its match.run leaf: its
// parameters, inputs and candidates are what the leaf committed to. When
// the candidates differ, the run is rebuilt from its inputs (the record
// versions and labels it was computed from) to name the rows that changed.
func (db *DB) checkRuns(ctx context.Context, rp *replay) error {
	type run struct {
		id                    int64
		sought, held          string
		threshold             float64
		stats, by, at, inputs string
		nonce                 []byte
	}
	rows, err := db.query(ctx, `SELECT id, sought_party, held_party, threshold, stats, started_by, started_at, nonce, COALESCE(inputs, '') FROM match_runs ORDER BY id`)
	if err != nil {
		return err
	}
	runs, err := collect(rows, func(rows *sql.Rows) (run, error) {
		var r run
		err := rows.Scan(&r.id, &r.sought, &r.held, &r.threshold, &r.stats, &r.by, &r.at, &r.nonce, &r.inputs)
		return r, err
	})
	if err != nil {
		return err
	}
	cands, err := db.candidates(ctx)
	if err != nil {
		return err
	}
	var old int64
	for _, r := range runs {
		got := cands[r.id]
		delete(cands, r.id)
		if rp.legacyRow("match_runs", r.id) {
			old++
			continue
		}
		what := fmt.Sprintf("match_runs %d (%s sought, %s held)", r.id, r.sought, r.held)
		ls := rp.pairLeaves(leafMatchRun, runSubject(r.id))
		if len(ls) == 0 {
			rp.add(RowUnlogged, -1, "%s: no match.run leaf: the run was written around the log", what)
			continue
		}
		l := ls[0]
		l.used = true
		rp.checkBy(what, "started_by", r.by, "started_at", r.at, l)
		if len(r.nonce) != len(audit.Nonce{}) {
			rp.add(ColumnChanged, l.index, "%s: nonce is missing: the run cannot be checked against leaf %d", what, l.index)
			continue
		}
		commit := func(candidates string) bool {
			d, err := audit.CommitFields(tagMatchRun, audit.Nonce(r.nonce), runContent(r.id, r.sought, r.held, r.threshold, r.stats, r.inputs, candidates))
			return err == nil && d == l.commitment
		}
		if commit(candidatesDigest(got)) {
			continue
		}
		// The candidates, or the run's own columns, changed: rebuild the
		// candidates from the inputs to tell which.
		rebuilt, err := db.rebuildRun(ctx, r.inputs, r.threshold)
		if err != nil || !commit(candidatesDigest(rebuilt)) {
			rp.add(ColumnChanged, l.index, "%s: its parameters (threshold, stats, inputs) or its %d candidates in match_candidates no longer match leaf %d's commitment", what, len(got), l.index)
			continue
		}
		rp.diffCandidates(r.id, l.index, got, rebuilt)
	}
	for id, rows := range cands {
		rp.add(RowUnlogged, -1, "match_candidates: %d rows of run %d, which is not in match_runs", len(rows), id)
	}
	rp.unused(leafMatchRun, "match-run")
	rp.checkLegacyCount("match_runs", old, "matching runs (and their candidates)")
	return nil
}

// candidates reads every stored candidate, by run.
func (db *DB) candidates(ctx context.Context) (map[int64][]candidateRow, error) {
	rows, err := db.query(ctx, `SELECT run_id, sought_id, held_id, score, weight, explanation FROM match_candidates`)
	if err != nil {
		return nil, err
	}
	out := map[int64][]candidateRow{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id int64
		var c candidateRow
		if err := rows.Scan(&id, &c.sought, &c.held, &c.score, &c.weight, &c.explanation); err != nil {
			return err
		}
		out[id] = append(out[id], c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rebuildRun recomputes a run's candidates from its stored inputs, as
// RunMatching computed them.
func (db *DB) rebuildRun(ctx context.Context, inputs string, threshold float64) ([]candidateRow, error) {
	var in MatchInputs
	if err := json.Unmarshal([]byte(inputs), &in); err != nil {
		return nil, err
	}
	load := func(refs []string) ([]person.Record, error) {
		out := make([]person.Record, 0, len(refs))
		for _, ref := range refs {
			id, v, _ := strings.Cut(ref, "@")
			version, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("input %q", ref)
			}
			var body string
			if err := db.queryRow(ctx, `SELECT v.body FROM record_versions v JOIN records r ON r.seq = v.record_seq WHERE r.id = ? AND v.version = ?`, id, version).Scan(&body); err != nil {
				return nil, fmt.Errorf("input %s: %w", ref, err)
			}
			r := person.Record{ID: id, Version: version}
			if err := json.Unmarshal([]byte(body), &r.Fields); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	sought, err := load(in.Sought)
	if err != nil {
		return nil, err
	}
	held, err := load(in.Held)
	if err != nil {
		return nil, err
	}
	res, err := linkRecords(sought, held, threshold, in.Labels)
	if err != nil {
		return nil, err
	}
	out := make([]candidateRow, 0, len(res.Pairs))
	for _, p := range res.Pairs {
		ex, _ := json.Marshal(p.Explanation)
		out = append(out, candidateRow{p.LeftID, p.RightID, p.Score, p.Weight, string(ex)})
	}
	return out, nil
}

// diffCandidates names the stored candidates of a run that differ from the
// run rebuilt from its inputs, which reproduces what its leaf committed to.
func (rp *replay) diffCandidates(run, leaf int64, got, want []candidateRow) {
	key := func(c candidateRow) string { return c.sought + "/" + c.held }
	wants := map[string]candidateRow{}
	for _, c := range want {
		wants[key(c)] = c
	}
	for _, c := range got {
		w, ok := wants[key(c)]
		delete(wants, key(c))
		what := fmt.Sprintf("match_candidates (run %d, sought %s, held %s)", run, c.sought, c.held)
		switch {
		case !ok:
			rp.add(DerivedDiffers, leaf, "%s: not a candidate of the run rebuilt from its inputs (leaf %d): added", what, leaf)
		case c.score != w.score:
			rp.add(DerivedDiffers, leaf, "%s: score is %s, the run rebuilt from its inputs (leaf %d) gives %s", what, strconv.FormatFloat(c.score, 'g', 6, 64), leaf, strconv.FormatFloat(w.score, 'g', 6, 64))
		case c.weight != w.weight:
			rp.add(DerivedDiffers, leaf, "%s: weight is %s, the run rebuilt from its inputs (leaf %d) gives %s", what, strconv.FormatFloat(c.weight, 'g', 6, 64), leaf, strconv.FormatFloat(w.weight, 'g', 6, 64))
		case c.explanation != w.explanation:
			rp.add(DerivedDiffers, leaf, "%s: explanation differs from the run rebuilt from its inputs (leaf %d)", what, leaf)
		}
	}
	for _, w := range wants {
		rp.add(DerivedDiffers, leaf, "match_candidates (run %d, sought %s, held %s): missing: a candidate of the run rebuilt from its inputs (leaf %d)", run, w.sought, w.held, leaf)
	}
}

// checkExchangeRows checks the columns of the negotiation's rows that
// their leaves' commitments do not cover but their leaves or their own
// committed content say: an exchange's parties (its terms name them), a
// list version's party, kind and version (its body), an evidence entry's
// record (its leaf's subject), an agreement's hash (its document), and who
// and when of each (its leaf).
func (db *DB) checkExchangeRows(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT id, party_a, party_b, body, created_by, created_at FROM exchanges ORDER BY seq`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, a, b, body, by, at string
		if err := rows.Scan(&id, &a, &b, &body, &by, &at); err != nil {
			return err
		}
		what := "exchanges " + id
		var ex exchange.Exchange
		if json.Unmarshal([]byte(body), &ex) == nil {
			for i, c := range []struct{ col, got string }{{"party_a", a}, {"party_b", b}} {
				if c.got != ex.Parties[i] {
					rp.add(ColumnChanged, -1, "%s: %s is %q, but its committed terms say %q", what, c.col, c.got, ex.Parties[i])
				}
			}
		}
		if ls := rp.pairLeaves(leafExchangeOpened, "exchange:"+id); len(ls) > 0 {
			rp.checkBy(what, "created_by", by, "created_at", at, ls[0])
		}
		return nil
	})
	if err != nil {
		return err
	}

	rows, err = db.query(ctx, `SELECT exchange_id, party, kind, version, body, submitted_by, submitted_at FROM exchange_lists ORDER BY exchange_id, party, kind, version`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var exID, party, kind, body, by, at string
		var version int64
		if err := rows.Scan(&exID, &party, &kind, &version, &body, &by, &at); err != nil {
			return err
		}
		what := fmt.Sprintf("exchange_lists (%s, %s, %s, version %d)", exID, party, kind, version)
		var v exchange.ListVersion
		if json.Unmarshal([]byte(body), &v) == nil {
			for _, c := range []struct{ col, got, want string }{{"exchange_id", exID, v.Exchange}, {"party", party, v.Party}, {"kind", kind, string(v.Kind)},
				{"version", strconv.FormatInt(version, 10), strconv.Itoa(v.Version)}} {
				if c.got != c.want {
					rp.add(ColumnChanged, -1, "%s: %s is %q, but its committed body says %q", what, c.col, c.got, c.want)
				}
			}
		}
		for _, l := range rp.pairLeaves(audit.ListSubmitted, fmt.Sprintf("list:%s/%s/%s", exID, party, kind)) {
			if l.rev == version {
				rp.checkBy(what, "submitted_by", by, "submitted_at", at, l)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	rows, err = db.query(ctx, `SELECT seq, exchange_id, body FROM exchange_responses ORDER BY seq`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var exID, body string
		if err := rows.Scan(&seq, &exID, &body); err != nil {
			return err
		}
		var r exchange.Response
		if json.Unmarshal([]byte(body), &r) == nil && r.Exchange != exID {
			rp.add(ColumnChanged, -1, "exchange_responses %d (%s's answer on %s): exchange_id is %q, but its committed body says %q", seq, r.Party, r.RecordID, exID, r.Exchange)
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Evidence: the rows of each record pair, in order, with the
	// evidence.recorded leaves about it.
	rows, err = db.query(ctx, `SELECT seq, record_id, entered_by, entered_at FROM evidence ORDER BY seq`)
	if err != nil {
		return err
	}
	next := map[string]int{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var rec, by, at string
		if err := rows.Scan(&seq, &rec, &by, &at); err != nil {
			return err
		}
		what := fmt.Sprintf("evidence %d (record %s)", seq, rec)
		subject := "evidence:" + rec
		ls := rp.pairLeaves(leafEvidence, subject)
		i := next[subject]
		next[subject]++
		if i >= len(ls) {
			rp.add(ColumnChanged, -1, "%s: record_id names a record with no evidence.recorded leaf for this entry (moved to another record?)", what)
			return nil
		}
		ls[i].used = true
		rp.checkBy(what, "entered_by", by, "entered_at", at, ls[i])
		return nil
	})
	if err != nil {
		return err
	}
	for subject, ls := range rp.bySubject[leafEvidence] {
		for _, l := range ls[next[subject]:] {
			rp.add(ColumnChanged, l.index, "leaf %d (evidence.recorded) is about record %s, which has fewer evidence rows (moved to another record, or removed?)", l.index, strings.TrimPrefix(subject, "evidence:"))
		}
	}

	rows, err = db.query(ctx, `SELECT exchange_id, version, document, hash, created_by, created_at FROM agreements ORDER BY exchange_id, version`)
	if err != nil {
		return err
	}
	return eachRow(rows, func(rows *sql.Rows) error {
		var exID, hash, by, at string
		var version int
		var doc []byte
		if err := rows.Scan(&exID, &version, &doc, &hash, &by, &at); err != nil {
			return err
		}
		what := fmt.Sprintf("agreements (%s, version %d)", exID, version)
		if want := exchange.Hash(doc).String(); hash != want {
			rp.add(ColumnChanged, -1, "%s: hash is %s, but the document's hash is %s", what, hash, want)
		}
		for _, l := range rp.pairLeaves(leafAgreementFrozen, fmt.Sprintf("agreement:%s/%d", exID, version)) {
			rp.checkBy(what, "created_by", by, "created_at", at, l)
		}
		return nil
	})
}

// checkSignatures checks each agreement signature's columns that its
// commitment does not cover: the leaf it names is the one that commits to
// it, who and when are that leaf's, the key is the one the signature line
// names, and the role is the signer's party (the mediator's when none).
func (db *DB) checkSignatures(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT s.exchange_id, s.version, s.role, s.key_name, s.line, s.signed_by, s.signed_at, s.nonce, COALESCE(s.leaf_index, -1), a.document
		FROM agreement_signatures s JOIN agreements a ON a.exchange_id = s.exchange_id AND a.version = s.version ORDER BY s.exchange_id, s.version, s.role`)
	if err != nil {
		return err
	}
	return eachRow(rows, func(rows *sql.Rows) error {
		var exID, role, key, line, by, at string
		var version int
		var nonce, doc []byte
		var leafIndex int64
		if err := rows.Scan(&exID, &version, &role, &key, &line, &by, &at, &nonce, &leafIndex, &doc); err != nil {
			return err
		}
		what := fmt.Sprintf("agreement_signatures (%s, version %d, %s)", exID, version, role)
		if name, _, _ := strings.Cut(strings.TrimPrefix(line, "— "), " "); name != key {
			rp.add(ColumnChanged, -1, "%s: key_name is %q, but the signature line is by %q", what, key, name)
		}
		if len(nonce) != len(audit.Nonce{}) {
			return nil // replayEvents reports it
		}
		d := audit.Commit(audit.TagAgreement, audit.Nonce(nonce), signedContent(doc, line))
		var l *replayLeaf
		for _, c := range rp.pairLeaves(audit.AgreementSigned, fmt.Sprintf("agreement:%s/%d", exID, version)) {
			if c.commitment == d {
				l = c
			}
		}
		if l == nil {
			return nil // replayEvents reports it
		}
		if leafIndex != l.index {
			rp.add(ColumnChanged, l.index, "%s: leaf_index is %d, but the leaf that commits to the signature is %d", what, leafIndex, l.index)
		}
		rp.checkBy(what, "signed_by", by, "signed_at", at, l)
		want := exchange.Mediator
		if p := rp.userParty[l.actor]; p != "" {
			want = p
		}
		if role != want {
			rp.add(ColumnChanged, l.index, "%s: role is %q, but leaf %d was written by %s of %q", what, role, l.index, rp.login(l.actor), want)
		}
		return nil
	})
}

// checkStages checks every stage's pin: the agreement version and hash it
// was opened under are what its stage.opened leaf committed to, the hash
// is that version's, and who and when are the leaf's. A stage opened
// before the coverage has no such leaf: its hash is still checked.
func (db *DB) checkStages(ctx context.Context, rp *replay) error {
	versions := map[string]map[int]string{} // exchange → version → hash
	rows, err := db.query(ctx, `SELECT exchange_id, version, hash FROM agreements`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var exID, hash string
		var v int
		if err := rows.Scan(&exID, &v, &hash); err != nil {
			return err
		}
		if versions[exID] == nil {
			versions[exID] = map[int]string{}
		}
		versions[exID][v] = hash
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = db.query(ctx, `SELECT exchange_id, stage, agreement_version, agreement_hash, opened_by, opened_at FROM stages ORDER BY exchange_id, stage`)
	if err != nil {
		return err
	}
	var old int64
	err = eachRow(rows, func(rows *sql.Rows) error {
		var exID, hash, by, at string
		var n, version int
		if err := rows.Scan(&exID, &n, &version, &hash, &by, &at); err != nil {
			return err
		}
		what := fmt.Sprintf("stages (%s, stage %d)", exID, n)
		if want, ok := versions[exID][version]; !ok || want != hash {
			rp.add(ColumnChanged, -1, "%s: agreement_hash %s is not the hash of agreement version %d (%s)", what, hash, version, want)
		}
		ls := rp.pairLeaves(leafStageOpened, stageSubject(exID, n))
		if len(ls) == 0 {
			if ev := rp.of(stageSubject(exID, n), leafStageChanged, audit.HandoverRecorded); len(ev) > 0 && rp.predates(ev[0].index) {
				old++
				return nil
			}
			rp.add(RowUnlogged, -1, "%s: no stage.opened leaf: the stage was written around the log", what)
			return nil
		}
		l := ls[0]
		l.used = true
		rp.checkBy(what, "opened_by", by, "opened_at", at, l)
		if audit.Commit(tagStagePin, audit.Nonce{}, stagePinContent(exID, n, version, hash)) == l.commitment {
			return nil
		}
		named := false
		for v, h := range versions[exID] {
			if audit.Commit(tagStagePin, audit.Nonce{}, stagePinContent(exID, n, v, h)) == l.commitment {
				rp.add(ColumnChanged, l.index, "%s: pins agreement version %d (hash %s), but leaf %d committed to version %d (hash %s)", what, version, abbrevHash(hash), l.index, v, abbrevHash(h))
				named = true
			}
		}
		if !named {
			rp.add(ColumnChanged, l.index, "%s: agreement_version or agreement_hash no longer match leaf %d's commitment", what, l.index)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rp.unused(leafStageOpened, "stage")
	if old > 0 {
		rp.notes = append(rp.notes, fmt.Sprintf("%d stages were opened before the coverage began: their pins are checked against the agreements' hashes only", old))
	}
	return nil
}

func abbrevHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// checkStageEvents checks each stage event's columns its commitment does
// not cover: its stage and event id are its body's, and who and when are
// its leaf's.
func (db *DB) checkStageEvents(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT seq, exchange_id, stage, event_id, body, recorded_by, recorded_at, nonce FROM stage_events ORDER BY seq`)
	if err != nil {
		return err
	}
	byDigest := rp.byCommitment(leafStageChanged, audit.HandoverRecorded)
	return eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var exID, eventID, body, by, at string
		var n int
		var nonce []byte
		if err := rows.Scan(&seq, &exID, &n, &eventID, &body, &by, &at, &nonce); err != nil {
			return err
		}
		what := fmt.Sprintf("stage_events %d (%s, stage %d, event %s)", seq, exID, n, eventID)
		var e crossing.Event
		if json.Unmarshal([]byte(body), &e) != nil || len(nonce) != len(audit.Nonce{}) {
			return nil // replayEvents reports it
		}
		if e.ID != eventID {
			rp.add(ColumnChanged, -1, "%s: event_id is %q, but its committed body says %q", what, eventID, e.ID)
		}
		c, err := audit.CanonicalJSON(e.Content())
		if err != nil {
			return nil
		}
		d := audit.Commit(audit.TagHandover, audit.Nonce(nonce), c)
		var l *replayLeaf
		for _, cand := range byDigest[d] {
			if cand.subject == stageSubject(exID, n) {
				l = cand
				break
			}
		}
		if l == nil {
			// Not among its stage's leaves: moved from another stage, or
			// changed (replayEvents reports a change).
			for _, cand := range byDigest[d] {
				rp.add(ColumnChanged, cand.index, "%s: exchange_id or stage say %s, but leaf %d recorded it in %s", what, stageSubject(exID, n), cand.index, cand.subject)
			}
			return nil
		}
		rp.checkBy(what, "recorded_by", by, "recorded_at", at, l)
		return nil
	})
}

// checkTerms rebuilds the search keys (record_terms) of every record's
// current version and compares them with the stored ones: a record whose
// keys are missing is hidden from the search and the tracing, a key it
// does not have finds it by a name it does not bear. Both sides are read
// in record order, a batch of records at a time, their keys computed on
// every CPU as an import files them.
func (db *DB) checkTerms(ctx context.Context, rp *replay) error {
	type storedKey struct {
		seq int64
		k   string
	}
	storedRows, err := db.query(ctx, `SELECT record_seq, k FROM record_terms ORDER BY record_seq`)
	if err != nil {
		return err
	}
	stored := &cursor[storedKey]{rows: storedRows, scan: func(rows *sql.Rows) (storedKey, error) {
		var sk storedKey
		err := rows.Scan(&sk.seq, &sk.k)
		return sk, err
	}}
	defer stored.Close()
	var pending storedKey // read from stored, not yet taken, when held
	held := false
	// have returns the stored keys of record seq, reporting the keys of
	// records before it that do not exist.
	orphan := func(seq int64, n int) {
		rp.add(DerivedDiffers, -1, "record_terms (seq %d): %d search keys of a record that does not exist", seq, n)
	}
	have := func(seq int64) (map[string]bool, error) {
		out := map[string]bool{}
		var lost int64 = -1
		lostN := 0
		for {
			if !held {
				sk, ok, err := stored.next()
				if err != nil {
					return nil, err
				}
				if !ok {
					break
				}
				pending, held = sk, true
			}
			if pending.seq > seq {
				break
			}
			if pending.seq < seq {
				if pending.seq != lost && lostN > 0 {
					orphan(lost, lostN)
					lostN = 0
				}
				lost = pending.seq
				lostN++
			} else {
				out[pending.k] = true
			}
			held = false
		}
		if lostN > 0 {
			orphan(lost, lostN)
		}
		return out, nil
	}
	rows, err := db.query(ctx, `SELECT r.seq, r.id, r.party, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version ORDER BY r.seq`)
	if err != nil {
		return err
	}
	type rec struct {
		seq        int64
		id, party  string
		f          person.Fields
		unreadable bool // checkRecords reports it
	}
	// The keys of what each record is (not of what its kind column says:
	// a changed kind is reported by checkRecords).
	var batch []rec
	compare := func() error {
		terms := make([][]term, len(batch))
		eachParallel(len(batch), func(i int) { terms[i] = recordTerms(batch[i].f.Kind, &batch[i].f) })
		for i, r := range batch {
			got, err := have(r.seq)
			if err != nil {
				return err
			}
			if r.unreadable {
				continue
			}
			missing := 0
			for _, t := range terms[i] {
				k := termKey(r.party, string(r.f.Kind), t.field, t.term)
				if got[k] {
					delete(got, k)
				} else {
					missing++
				}
			}
			if missing > 0 || len(got) > 0 {
				rp.add(DerivedDiffers, -1, "record_terms (record %s, seq %d): %d search keys of its current version missing, %d it does not have (rebuilt from the record)", r.id, r.seq, missing, len(got))
			}
		}
		batch = batch[:0]
		return nil
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var r rec
		var body string
		if err := rows.Scan(&r.seq, &r.id, &r.party, &body); err != nil {
			return err
		}
		r.unreadable = json.Unmarshal([]byte(body), &r.f) != nil
		if batch = append(batch, r); len(batch) == 4096 {
			return compare()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := compare(); err != nil {
		return err
	}
	_, err = have(1<<62 - 1) // what is left belongs to no record
	return err
}

// checkReserves rebuilds stage_reserves (each reserve handed over in an
// exchange, once) from the substitution events and compares.
func (db *DB) checkReserves(ctx context.Context, rp *replay) error {
	type reserve struct{ exID, side, record, event string }
	want := map[reserve]int{}
	rows, err := db.query(ctx, `SELECT exchange_id, stage, body FROM stage_events ORDER BY seq`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var exID, body string
		var n int
		if err := rows.Scan(&exID, &n, &body); err != nil {
			return err
		}
		var e crossing.Event
		if json.Unmarshal([]byte(body), &e) == nil && e.Type == crossing.SubstitutedBy {
			want[reserve{exID, e.Side, e.Reserve, e.ID}] = n
		}
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = db.query(ctx, `SELECT exchange_id, side, record_id, stage, event_id FROM stage_reserves`)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var r reserve
		var n int
		if err := rows.Scan(&r.exID, &r.side, &r.record, &n, &r.event); err != nil {
			return err
		}
		what := fmt.Sprintf("stage_reserves (%s, %s, reserve %s)", r.exID, r.side, r.record)
		wn, ok := want[r]
		delete(want, r)
		switch {
		case !ok:
			rp.add(DerivedDiffers, -1, "%s: no substitution event %s hands this reserve over (rebuilt from stage_events)", what, r.event)
		case wn != n:
			rp.add(DerivedDiffers, -1, "%s: stage is %d, but its substitution event is in stage %d", what, n, wn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for r, n := range want {
		rp.add(DerivedDiffers, -1, "stage_reserves (%s, %s, reserve %s): missing: substitution event %s of stage %d hands it over (rebuilt from stage_events)", r.exID, r.side, r.record, r.event, n)
	}
	return nil
}

// checkRemains checks every item of a repatriation of remains: its
// content, as the repatriation engine takes it in order, is what a
// remains.recorded leaf of its exchange committed to, its item id is the
// content's, and who and when are that leaf's.
func (db *DB) checkRemains(ctx context.Context, rp *replay) error {
	rows, err := db.query(ctx, `SELECT i.seq, i.exchange_id, i.kind, i.item_id, i.body, i.recorded_by, i.recorded_at, i.nonce, e.party_a, e.party_b
		FROM remains_items i JOIN exchanges e ON e.id = i.exchange_id ORDER BY i.seq`)
	if err != nil {
		return err
	}
	flows := map[string]*crossing.Repatriation{}
	byDigest := rp.byCommitment(leafRemainsRecorded)
	return eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		var exID, kind, itemID, body, by, at, a, b string
		var nonce []byte
		if err := rows.Scan(&seq, &exID, &kind, &itemID, &body, &by, &at, &nonce, &a, &b); err != nil {
			return err
		}
		what := fmt.Sprintf("remains_items %d (%s, %s %s)", seq, exID, kind, itemID)
		r := flows[exID]
		if r == nil {
			nr, err := crossing.NewRepatriation(a, b)
			if err != nil {
				rp.add(ColumnChanged, -1, "%s: the exchange's parties do not make a repatriation: %v", what, err)
				return nil
			}
			r = nr
			flows[exID] = r
		}
		var in RemainsInput
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			rp.add(EventChanged, -1, "%s: stored content is not readable: %v", what, err)
			return nil
		}
		if in.Kind != kind {
			rp.add(ColumnChanged, -1, "%s: kind is %q, but its body says %q", what, kind, in.Kind)
		}
		id, content, err := in.apply(r)
		if err != nil {
			rp.add(EventChanged, -1, "%s: does not replay after the items before it: %v", what, err)
			return nil
		}
		if id != itemID {
			rp.add(ColumnChanged, -1, "%s: item_id is %q, but its body says %q", what, itemID, id)
		}
		c, err := audit.CanonicalJSON(content)
		if err != nil || len(nonce) != len(audit.Nonce{}) {
			return nil // replayEvents reports a missing nonce
		}
		d := audit.Commit(audit.TagHandover, audit.Nonce(nonce), c)
		var l *replayLeaf
		for _, cand := range byDigest[d] {
			if cand.subject == "remains:"+exID+"/"+in.Kind && !cand.used {
				l = cand
				break
			}
		}
		if l == nil {
			rp.add(EventChanged, -1, "%s: no longer matches any remains.recorded leaf (changed in the database, or written around the log)", what)
			return nil
		}
		l.used = true
		rp.checkBy(what, "recorded_by", by, "recorded_at", at, l)
		return nil
	})
}

// byCommitment indexes the kept leaves of the given types by commitment.
func (rp *replay) byCommitment(types ...audit.LeafType) map[audit.Digest][]*replayLeaf {
	out := map[audit.Digest][]*replayLeaf{}
	for _, t := range types {
		for _, ls := range rp.bySubject[t] {
			for _, l := range ls {
				out[l.commitment] = append(out[l.commitment], l)
			}
		}
	}
	return out
}
