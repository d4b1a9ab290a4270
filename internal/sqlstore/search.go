package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
)

// The search key table, record_terms (migration 0012): every record's
// current version filed under short terms, so that a register search and a
// trace search are index ranges instead of a scan of every record. See
// docs/design/foundation.md, "Search keys".

// termsVersion is the version of the derivation below. Raise it when
// recordTerms or what it builds on changes (names.Normalize, IndexForms,
// Prepared.Keys and the names data, person.Date.String): the next open
// rebuilds the table. A stale table would miss records, or find a
// corrected one by its old name.
const termsVersion = 6

// Fields of a term.
const (
	fieldWord   = "w" // a normalised word, or the skeleton of a name word: prefix
	fieldNumber = "n" // a service number normalised across scripts, or its digits: prefix
	fieldBirth  = "b" // a sought record's birth date as written (1990, 1990-05, 1990-05-17): prefix
	// '1', '2', '3': a sought record's blocking keys of the surname, given
	// name and patronymic (Prepared.Keys, as the lookup index): exact.
)

// maxTermLen bounds a stored term (bytes); a longer word is filed under
// its beginning, which a prefix search still finds.
const maxTermLen = 120

type term struct{ field, term string }

// recordTerms returns the terms of one record's fields, without repeats.
func recordTerms(kind person.Kind, f *person.Fields) []term {
	var out []term
	seen := map[term]bool{}
	add := func(field, t string) {
		t = cutTerm(t)
		k := term{field, t}
		if t == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, k)
	}
	words := func(v string, name bool) {
		for _, w := range strings.Split(names.Normalize(v), " ") {
			w = trimPunct(w)
			ws := []string{w}
			if strings.Contains(w, "-") {
				// Each part of a double name files it too.
				ws = append(ws, strings.FieldsFunc(w, func(r rune) bool { return r == '-' })...)
			}
			for _, w := range ws {
				// A name word is filed under its skeletons alone when it
				// has any: a query's QueryForms reach them from any
				// script, and a prefix of the word has a prefix of its
				// skeleton, so the word itself would be a second row that
				// finds nothing more.
				if forms := names.IndexForms(w); name && len(forms) > 0 {
					for _, s := range forms {
						add(fieldWord, s)
					}
					continue
				}
				add(fieldWord, w)
			}
		}
	}
	for _, v := range append([]string{f.Surname, f.GivenNames, f.Patronymic, f.FullName}, f.LatinNames...) {
		words(v, true)
	}
	words(f.Unit, false)
	if sn := person.FoldCode(f.ServiceNumber); sn != "" {
		add(fieldNumber, sn)
		if d := digitTail(sn); d != "" {
			add(fieldNumber, d)
		}
	}
	if kind == person.Sought {
		for pi, ks := range crossing.LookupKeys(f) {
			field := string(rune('1' + pi))
			for _, k := range ks {
				add(field, k)
			}
		}
		add(fieldBirth, f.BirthDate.String())
	}
	return out
}

// trimPunct drops the punctuation around a word (a comma after a surname,
// quotes, brackets, the dot of an initial), which is no part of a name.
func trimPunct(w string) string {
	return strings.Trim(w, `,;:.!?()[]{}"«»„“”`)
}

// cutTerm cuts t to at most maxTermLen bytes at a character boundary.
func cutTerm(t string) string {
	if len(t) <= maxTermLen {
		return t
	}
	t = t[:maxTermLen]
	for len(t) > 0 && !utf8.ValidString(t) {
		t = t[:len(t)-1]
	}
	return t
}

// digitTail returns the digits that end a normalised service number
// (A123456 → 123456), when there are at least three and something before
// them: a search by the digits alone finds the number.
func digitTail(sn string) string {
	i := len(sn)
	for i > 0 && sn[i-1] >= '0' && sn[i-1] <= '9' {
		i--
	}
	if i == 0 || len(sn)-i < 3 {
		return ""
	}
	return sn[i:]
}

// prefixRange is a term range: every term with prefix p of field.
type prefixRange struct{ field, lo, hi string }

// prefixOf returns the range of the terms that start with p: from p to p
// with its last character moved one on (terms compare byte by byte, and
// UTF-8 keeps the order of code points).
func prefixOf(field, p string) prefixRange {
	r, size := utf8.DecodeLastRuneInString(p)
	next := r + 1
	if next >= 0xD800 && next <= 0xDFFF {
		next = 0xE000
	}
	if next > unicode.MaxRune {
		return prefixRange{field, p, p + string(unicode.MaxRune)}
	}
	return prefixRange{field, p, p[:len(p)-size] + string(next)}
}

// queryTokens splits a search text into its words, each with the term
// ranges one of which a matching record must have.
func queryTokens(text string) [][]prefixRange {
	var out [][]prefixRange
	seen := map[string]bool{}
	for _, w := range strings.Split(names.Normalize(text), " ") {
		w = cutTerm(trimPunct(w))
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		rs := []prefixRange{prefixOf(fieldWord, w)}
		for _, s := range names.QueryForms(w) {
			rs = append(rs, prefixOf(fieldWord, s))
		}
		if serviceLike(w) {
			if sn := person.FoldCode(w); sn != "" {
				rs = append(rs, prefixOf(fieldNumber, sn))
			}
		}
		out = append(out, rs)
	}
	return out
}

// serviceLike reports whether a typed word may be (the start of) a service
// number: a digit, and only letters, digits, hyphens and slashes.
func serviceLike(w string) bool {
	digit := false
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r) || r == '-' || r == '/':
		default:
			return false
		}
	}
	return digit
}

// writeTerms files recs (just written, with their sequence numbers) in
// record_terms; a corrected record's old terms go first.
func (tx *Tx) writeTerms(ctx context.Context, recs []person.Record, seqs map[string]int64) error {
	var corrected []any
	for i := range recs {
		if recs[i].Version > 1 {
			corrected = append(corrected, seqs[recs[i].ID])
		}
	}
	if len(corrected) > 0 {
		if _, err := tx.exec(ctx, `DELETE FROM record_terms WHERE record_seq IN (`+placeholders(len(corrected))+`)`, corrected...); err != nil {
			return fmt.Errorf("delete record terms: %w", err)
		}
	}
	terms := make([][]term, len(recs))
	eachParallel(len(recs), func(i int) { terms[i] = recordTerms(recs[i].Kind, &recs[i].Fields) })
	var rows []termRow
	for i := range recs {
		r := &recs[i]
		for _, t := range terms[i] {
			rows = append(rows, termRow{r.Party, string(r.Kind), t, seqs[r.ID]})
		}
	}
	return tx.insertTerms(ctx, rows, false)
}

// eachParallel calls f(i) for every i below n, spread over the CPUs when
// n is large enough to be worth it (a bulk import: the terms of 100,000
// records take a second of CPU), else in order on this goroutine.
func eachParallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/256)
	if workers < 2 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		wg.Go(func() {
			for i := start; i < min(start+chunk, n); i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}

type termRow struct {
	party, kind string
	t           term
	seq         int64
}

// termKey packs where a term is filed into record_terms' key: the party,
// the register's initial (h or s), the field and the term. A prefix of
// the term is a prefix of the key, so a range of the primary key.
func termKey(party, kind, field, t string) string {
	k := ""
	if kind != "" {
		k = kind[:1]
	}
	return party + "\x1f" + k + field + t
}

func (r *termRow) key() string { return termKey(r.party, r.kind, r.t.field, r.t.term) }

// insertTerms writes rows in batched multi-row inserts, in key order
// (which keeps SQLite's B-tree inserts local). again says another process
// may be filing the same rows: they are skipped.
func (tx *Tx) insertTerms(ctx context.Context, rows []termRow, again bool) error {
	keys := make([]string, len(rows))
	order := make([]int, len(rows))
	for i := range rows {
		keys[i], order[i] = rows[i].key(), i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(keys[a], keys[b]), cmp.Compare(rows[a].seq, rows[b].seq))
	})
	if q := tx.d.insertTermsArrays(again); q != "" {
		return tx.insertTermsArrays(ctx, q, rows, keys, order)
	}
	// Full batches reuse one prepared statement: parsing a statement of
	// a thousand placeholders anew for each batch cost as much as a tenth
	// of an import.
	const batch = 200
	insert := func(n int) string {
		var q strings.Builder
		q.WriteString(`INSERT INTO record_terms (k, record_seq) VALUES `)
		for i := range n {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(`(?, ?)`)
		}
		if again {
			q.WriteString(` ON CONFLICT DO NOTHING`)
		}
		return tx.d.rebind(q.String())
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, batch*2)
	for start := 0; start < len(order); start += batch {
		part := order[start:min(start+batch, len(order))]
		args = args[:0]
		for _, i := range part {
			args = append(args, keys[i], rows[i].seq)
		}
		var err error
		if len(part) == batch {
			if full == nil {
				if full, err = tx.tx.PrepareContext(ctx, insert(batch)); err != nil {
					return fmt.Errorf("insert record terms: %w", err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.tx.ExecContext(ctx, insert(len(part)), args...)
		}
		if err != nil {
			return fmt.Errorf("insert record terms: %w", err)
		}
	}
	return nil
}

// insertTermsArrays is insertTerms where the dialect binds arrays
// (PostgreSQL), with its statement q: the rows (in order, by key) go as two
// arrays, unnested by the server, which parses one short statement per
// 20,000 rows instead of a thousand placeholders per 200 (three times
// faster on an import).
func (tx *Tx) insertTermsArrays(ctx context.Context, q string, rows []termRow, keys []string, order []int) error {
	const batch = 20000
	for start := 0; start < len(order); start += batch {
		part := order[start:min(start+batch, len(order))]
		ks, seqs := make([]string, len(part)), make([]int64, len(part))
		for j, i := range part {
			ks[j], seqs[j] = keys[i], rows[i].seq
		}
		if _, err := tx.tx.ExecContext(ctx, q, ks, seqs); err != nil {
			return fmt.Errorf("insert record terms: %w", err)
		}
	}
	return nil
}

// indexTerms fills record_terms from every record's current version when
// the table was filled by an older derivation, or never (the first open
// after migration 0012). It runs at open, in one transaction.
func (db *DB) indexTerms(ctx context.Context) error {
	var v int
	err := db.db.QueryRowContext(ctx, `SELECT version FROM record_terms_state`).Scan(&v)
	if err == nil && v == termsVersion {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM record_terms`); err != nil {
			return err
		}
		var after int64
		for {
			rows, err := tx.query(ctx, `SELECT r.seq, r.party, r.kind, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
				WHERE r.seq > ? ORDER BY r.seq LIMIT 2000`, after)
			if err != nil {
				return err
			}
			var batch []termRow
			n := 0
			err = eachRow(rows, func(rows *sql.Rows) error {
				var party, kind, body string
				if err := rows.Scan(&after, &party, &kind, &body); err != nil {
					return err
				}
				n++
				var f person.Fields
				if err := json.Unmarshal([]byte(body), &f); err != nil {
					return fmt.Errorf("record %d: stored body: %w", after, err)
				}
				for _, t := range recordTerms(person.Kind(kind), &f) {
					batch = append(batch, termRow{party, kind, t, after})
				}
				return nil
			})
			if err != nil {
				return err
			}
			// Two processes rebuilding the table at once file the same rows.
			if err := tx.insertTerms(ctx, batch, true); err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM record_terms_state`); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO record_terms_state (version) VALUES (?)`, termsVersion)
		return err
	})
}

// termMatches returns, in ascending order, the sequence numbers of the
// records of parties and kinds that have, for every token, a term in one
// of its ranges; only those after seq after.
func (db *DB) termMatches(ctx context.Context, parties, kinds []string, tokens [][]prefixRange, after int64) ([]int64, error) {
	var have map[int64]bool
	// The token with the narrowest ranges first would read less; the
	// ranges' sizes are not known beforehand, so every token is read and
	// the sets intersected.
	for _, ranges := range tokens {
		var q strings.Builder
		var args []any
		for _, r := range ranges {
			for _, p := range parties {
				for _, k := range kinds {
					if len(args) > 0 {
						q.WriteString(` UNION `)
					}
					q.WriteString(`SELECT record_seq FROM record_terms WHERE k >= ? AND k < ? AND record_seq > ?`)
					args = append(args, termKey(p, k, r.field, r.lo), termKey(p, k, r.field, r.hi), after)
				}
			}
		}
		rows, err := db.db.QueryContext(ctx, db.dialect.rebind(q.String()), args...)
		if err != nil {
			return nil, err
		}
		next := map[int64]bool{}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return err
			}
			if have == nil || have[seq] {
				next[seq] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		have = next
		if len(have) == 0 {
			return nil, nil
		}
	}
	out := make([]int64, 0, len(have))
	for seq := range have {
		out = append(out, seq)
	}
	slices.Sort(out)
	return out, nil
}

// filterSeqs returns the first n of seqs (ascending) whose records are of
// one of parties and match f's kind, category and status, reading them a
// slice at a time by primary key only: the term ranges already chose the
// party and register, these are the current versions' remaining filters.
func (db *DB) filterSeqs(ctx context.Context, seqs []int64, parties []string, f RecordFilter, n int) ([]int64, error) {
	var out []int64
	for start := 0; start < len(seqs) && len(out) < n; start += 500 {
		part := seqs[start:min(start+500, len(seqs))]
		args := make([]any, len(part))
		for i, seq := range part {
			args[i] = seq
		}
		rows, err := db.db.QueryContext(ctx, db.dialect.rebind(`SELECT seq, party, kind, category, status FROM records WHERE seq IN (`+placeholders(len(part))+`)`), args...)
		if err != nil {
			return nil, err
		}
		keep := map[int64]bool{}
		err = eachRow(rows, func(rows *sql.Rows) error {
			var seq int64
			var party, kind, category, status string
			if err := rows.Scan(&seq, &party, &kind, &category, &status); err != nil {
				return err
			}
			if !slices.Contains(parties, party) || f.Kind != "" && kind != string(f.Kind) ||
				f.Category != "" && category != string(f.Category) || f.Status != "" && status != string(f.Status) {
				return nil
			}
			keep[seq] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		// In the order given: creation order, or newest first.
		for _, seq := range part {
			if keep[seq] && len(out) < n {
				out = append(out, seq)
			}
		}
	}
	return out, nil
}

// keyMatches returns, per word of a name, the sought records of party
// sharing one of the word's blocking keys as the lookup index files them
// (the word prepared as each part, looked up among that part's keys).
func (db *DB) keyMatches(ctx context.Context, party string, words []string) ([]map[int64]bool, error) {
	out := make([]map[int64]bool, len(words))
	for wi, w := range words {
		var q strings.Builder
		var args []any
		for pi, keys := range crossing.QueryKeys(w) {
			// One equality per key: PostgreSQL without statistics (a
			// register just imported) filters an IN list instead of
			// seeking it.
			for _, k := range keys {
				if len(args) > 0 {
					q.WriteString(` UNION `)
				}
				q.WriteString(`SELECT record_seq FROM record_terms WHERE k = ?`)
				args = append(args, termKey(party, string(person.Sought), string(rune('1'+pi)), k))
			}
		}
		out[wi] = map[int64]bool{}
		if len(args) == 0 {
			continue
		}
		if err := db.collectSeqs(ctx, out[wi], q.String(), args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// birthMatches returns the sought records of party whose birth date, as
// written, starts with birth.
func (db *DB) birthMatches(ctx context.Context, party, birth string) (map[int64]bool, error) {
	r := prefixOf(fieldBirth, birth)
	out := map[int64]bool{}
	err := db.collectSeqs(ctx, out, `SELECT record_seq FROM record_terms WHERE k >= ? AND k < ?`,
		termKey(party, string(person.Sought), r.field, r.lo), termKey(party, string(person.Sought), r.field, r.hi))
	return out, err
}

func (db *DB) collectSeqs(ctx context.Context, into map[int64]bool, q string, args ...any) error {
	rows, err := db.db.QueryContext(ctx, db.dialect.rebind(q), args...)
	if err != nil {
		return err
	}
	return eachRow(rows, func(rows *sql.Rows) error {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return err
		}
		into[seq] = true
		return nil
	})
}

// soughtBySeq returns the sought records of party with the given sequence
// numbers, with their current fields, in creation order.
func (db *DB) soughtBySeq(ctx context.Context, party string, seqs []int64) ([]traceSubject, error) {
	slices.Sort(seqs)
	var out []traceSubject
	for start := 0; start < len(seqs); start += 500 {
		part := seqs[start:min(start+500, len(seqs))]
		args := make([]any, len(part))
		for i, seq := range part {
			args[i] = seq
		}
		// Only the primary key, as in filterSeqs; the party and register
		// are checked here.
		rows, err := db.db.QueryContext(ctx, db.dialect.rebind(`SELECT r.party, r.kind, r.id, r.created_at, v.body FROM records r JOIN record_versions v ON v.record_seq = r.seq AND v.version = r.version
			WHERE r.seq IN (`+placeholders(len(part))+`) ORDER BY r.seq`), args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(rows *sql.Rows) error {
			sub := traceSubject{party: party, kind: person.Sought}
			var p, kind, body string
			if err := rows.Scan(&p, &kind, &sub.id, dbTime{&sub.created}, &body); err != nil {
				return err
			}
			if p != party || kind != string(person.Sought) {
				return nil
			}
			if err := json.Unmarshal([]byte(body), &sub.fields); err != nil {
				return err
			}
			out = append(out, sub)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordsByServiceNumber returns the current versions of the records of
// party's register of kind whose service number is one of sns, folded
// (person.FoldCode), keyed by the folded number: a list of hundreds of
// service numbers is answered from the search terms, without reading the
// register.
func (db *DB) RecordsByServiceNumber(ctx context.Context, s access.Scope, party string, kind person.Kind, sns []string) (map[string][]person.Record, error) {
	const op = "sqlstore.RecordsByServiceNumber"
	if err := access.Decide(s, access.RecordRead, access.Resource{Party: party, Kind: string(kind)}); err != nil {
		return nil, errs.E(op, err)
	}
	want := map[string]bool{}
	var keys []any
	for _, sn := range sns {
		if k := cutTerm(person.FoldCode(sn)); k != "" && !want[k] {
			want[k] = true
			keys = append(keys, termKey(party, string(kind), fieldNumber, k))
		}
	}
	found := map[int64]bool{}
	for start := 0; start < len(keys); start += 400 {
		part := keys[start:min(start+400, len(keys))]
		if err := db.collectSeqs(ctx, found, `SELECT record_seq FROM record_terms WHERE k IN (`+placeholders(len(part))+`)`, part...); err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
	}
	seqs := make([]any, 0, len(found))
	for _, seq := range slices.Sorted(maps.Keys(found)) {
		seqs = append(seqs, seq)
	}
	out := map[string][]person.Record{}
	for start := 0; start < len(seqs); start += 500 {
		part := seqs[start:min(start+500, len(seqs))]
		var page RecordPage
		if err := db.recordPage(ctx, s, &page, len(part), []string{`r.seq IN (` + placeholders(len(part)) + `)`}, part); err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
		for _, rec := range page.Records {
			// A number's digits are filed too (A123456 under 123456):
			// only the whole number counts here.
			if k := person.FoldCode(rec.ServiceNumber); want[k] {
				out[k] = append(out[k], rec)
			}
		}
	}
	return out, nil
}
