package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const eraseUsage = `
Usage: handover erase --record ID --reason TEXT --by LOGIN [--dir DIR | --db DSN]
       handover erase --record ID --reason TEXT [--server URL --token TOKEN]

Erases a record's personal fields for a data-protection request
(docs/operations.md, "Answering a data-protection request"): in every
version the fields, the sealed health and next of kin, the commitment
nonce, the source's reference and the correction reasons are erased, and
its search keys deleted; so are its priority flags (the marks and the
group), set or cleared since. Each version and each flags row keeps its
row and its leaf; a tombstone says who erased it, when and why, with its
own leaf (record.erased). 'handover log audit' still passes and counts the
record as erased.

--by is the login of the approver of the record's party who decided the
request (only a party's approver may erase its own records); --reason is
the request's reference, never personal data. Refused: a record named in a
list, its answers, a stage, a match, evidence, a tracing case or a custody
timeline (documents signed or committed to with the names), and a record
of the held register. The erasure gives the freed space back before it
answers (SQLite: the write-ahead log checkpointed; PostgreSQL: the record
and flags tables vacuumed).

Without --by, through the server (POST /api/v1/records/{id}/erase): the
token is the approver's own, minted after the second factor.

Examples:
  handover erase --dir /var/lib/handover --record r0k3m9q2x7 --reason "DP-2026-0042" --by ua-approver
  handover erase --record r0k3m9q2x7 --reason "DP-2026-0042" --server https://handover.example --token "$TOKEN"
`

func runErase(ctx context.Context, m *Main, args []string) error {
	const op = "erase"
	fs := m.newFlagSet(op, eraseUsage)
	sf := m.addStoreFlags(fs)
	id := fs.String("record", "", "the record to erase")
	reason := fs.String("reason", "", "the request's reference (no personal data)")
	by := fs.String("by", "", "login of the approver of the record's party who decided it (on the database)")
	srv := m.addServerFlags(fs)
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	switch {
	case *id == "":
		return usageError{"--record is required"}
	case *reason == "":
		return usageError{"--reason is required: the request's reference"}
	case *by == "" && srv.server == "":
		return usageError{"give --by LOGIN (the approver who decided, on the database) or --server URL (as the approver, with your token)"}
	}
	if *by == "" {
		c, err := srv.client()
		if err != nil {
			return err
		}
		e, err := c.EraseRecord(ctx, *id, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "record %s erased: %d versions, by %s at %s, reason %q\n", *id, e.Versions, e.By, e.At.Format(time.RFC3339), e.Reason)
		return nil
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByLogin(ctx, *by)
	if err != nil {
		return err
	}
	if !u.DisabledAt.IsZero() {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("user %s is disabled", u.Login))
	}
	if u.Role != access.PartyApprover {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("user %s is a %s: only an approver of the record's party erases its records", u.Login, u.Role))
	}
	// On the data directory the approver's decision is carried out by
	// whoever runs the command: the second factor is the server's gate.
	s := u.Scope()
	s.MFA = true
	warnScrub(m, db)
	e, err := db.EraseRecord(ctx, s, *id, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "record %s erased: %d versions, by %s at %s, reason %q\n", *id, e.Versions, e.By, e.At.Format(time.RFC3339), e.Reason)
	return nil
}

// warnScrub has the command warn when the database does not give back
// the space its erasures freed (the store tries after each erasure, and
// once after a retention run): the erasures stand.
func warnScrub(m *Main, db *sqlstore.DB) {
	db.OnScrubFailure(func(_ context.Context, err error) {
		fmt.Fprintf(m.Stderr, "warning: the erasure stands, but the database did not give back the freed space: %v\n", err)
	})
}

const retentionRunUsage = `
Usage: handover retention run --after DURATION [--party CODE] [--dry-run] [--json] [--dir DIR | --db DSN]

Applies the deployment's retention rule (docs/operations.md, "Retention"):
a record is erased DURATION after the last stage of its party's exchanges
closed, when every exchange of its party has all its stages closed or
cancelled by then, the record was last written before then, the person is
not held (a prisoner of war, an internee, a detained civilian or a convict
is kept: GC III Art. 122, GC IV Art. 136), it has no priority flags
standing (flags its bureau cleared keep it no more), and it is named in no
list, answer, stage, match, evidence, tracing case or custody timeline.
Each erasure is logged (record.erased, actor "system", the rule as the
reason); 'handover log audit' passes afterwards.

DURATION is in days (90d) or a Go duration (2160h). With --dry-run the
records due are listed and nothing is erased: run it first.

Example:
  handover retention run --dir /var/lib/handover --after 365d --dry-run
`

func runRetentionRun(ctx context.Context, m *Main, args []string) error {
	const op = "retention run"
	fs := m.newFlagSet(op, retentionRunUsage)
	sf := m.addStoreFlags(fs)
	after := fs.String("after", "", "how long after the last stage closed (e.g. 365d)")
	party := fs.String("party", "", "only this party's records")
	dry := fs.Bool("dry-run", false, "list what is due; erase nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	d, err := parseDays(*after)
	if err != nil {
		return usageError{fmt.Sprintf("--after %q: %v", *after, err)}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	warnScrub(m, db)
	rep, err := db.ApplyRetention(ctx, sqlstore.RetentionRule{After: d, Party: *party}, time.Now(), *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	kept := map[string]int{}
	for _, it := range rep.Items {
		switch {
		case it.Erased:
			fmt.Fprintf(m.Stdout, "erased %s (%s)\n", it.Record, it.Party)
		case it.Due:
			fmt.Fprintf(m.Stdout, "due %s (%s)\n", it.Record, it.Party)
		default:
			kept[it.Kept]++
		}
	}
	var ks []string
	for k, n := range kept {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(ks)
	verb := "erased"
	if *dry {
		verb = "due (dry run: nothing erased)"
	}
	fmt.Fprintf(m.Stdout, "retention %s: cutoff %s, parties with every exchange closed by then: %s; %d %s; kept: %s\n",
		fmtDuration(d), rep.Cutoff.Format(time.RFC3339), orNone(strings.Join(rep.Parties, ", ")), rep.Due(), verb, orNone(strings.Join(ks, ", ")))
	return nil
}

// parseDays reads a duration in days ("90d") or as Go writes one.
func parseDays(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("required, e.g. 365d")
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("a whole number of days, at least 1")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("a positive duration: days (365d) or hours (8760h)")
	}
	return d, nil
}

func fmtDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

const eraseListUsage = `
Usage: handover erase list [--dir DIR | --db DSN] [--json] [--out FILE]

Lists every erasure of the database (its tombstones): the record's id, its
party, how many versions were erased, who erased it and when, the reason
(a request's reference or the retention rule) and the index of its
record.erased leaf. It holds no personal data: record ids are random and
reasons are references.

A backup made before an erasure still holds the person. Keep this list
with the backups, written again after every erasure and retention run
(--out FILE replaces FILE whole, 0600): 'handover restore --erasures FILE'
erases the listed records again in what it restores (docs/operations.md,
"Restore"). --out writes the JSON document (schema handover/erasures/v2);
--json prints it. The document is signed with the log key (DIR/log.key),
as backups are: whoever can write the file beside the backups must not be
able to have a restore erase a record of their choosing, so a restore
refuses a list this deployment did not sign, or one changed since.

Example:
  handover erase list --dir /var/lib/handover --json --out /backup/handover-erasures.json
`

const eraseReapplyUsage = `
Usage: handover erase reapply --erasures FILE ... [--dir DIR | --db DSN]

Erases again, as the system, each record of the erasures lists (made by
'handover erase list --out') that the database holds and has not erased,
with the list's reason and " (re-applied after a restore)". It is what
'handover restore --erasures' does after a restore: run it on a database
restored without the list, or on one whose restore reported records NOT
ERASED AGAIN. Each list must be signed by this deployment's log key
(DIR/log.pub) and unchanged since, and each erasure's leaf, where the
database's log holds it, must be that record's record.erased leaf (a list
of this history): otherwise nothing is erased. A record the database does
not hold is said and skipped; a record it refuses (named in a list, a
stage, …) is said on stderr, and the command exits with status 1.

Example:
  handover erase reapply --dir /var/lib/handover-new --erasures /backup/handover-erasures.json
`

// The erasures list's JSON document ('handover erase list --out',
// 'handover restore --erasures'; docs/design/log.md §4.1). Version 2 is
// the list and the log key's signed statement over its canonical bytes;
// version 1 was the list alone, unsigned, and is refused. A change a
// reader of version 2 would misread is a new version.
const (
	erasuresSchema         = "handover/erasures/v2"
	erasuresSchemaUnsigned = "handover/erasures/v1"
)

// erasuresDocument is the file: the list, as its canonical bytes, and the
// signed statement (audit.ErasuresStatement) of their count and SHA-256.
type erasuresDocument struct {
	Schema string `json:"schema"`
	// List is the erasureList; its canonical bytes are these with the
	// whitespace between JSON tokens removed (json.Compact), which is how
	// they are written: a file reformatted by hand still verifies, one
	// whose values changed does not.
	List      json.RawMessage `json:"list"`
	Signature string          `json:"signature"`
}

// erasureList is a database's tombstones, listed to be kept with its
// backups (docs/operations.md, "A schedule").
type erasureList struct {
	Listed time.Time `json:"listed_at"`
	// LogSize is the log's size when the list was made: every erasure
	// listed has its leaf below it.
	LogSize  int64                `json:"log_size"`
	Count    int                  `json:"count"`
	Erasures []sqlstore.Tombstone `json:"erasures"`
}

// signErasureList returns the document of l signed by signer, the log
// key.
func signErasureList(l erasureList, signer note.Signer) (erasuresDocument, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return erasuresDocument{}, err
	}
	canonical := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	st := audit.ErasuresStatement{Origin: signer.Name(), Count: int64(len(l.Erasures)), SHA256: sha256.Sum256(canonical), Time: l.Listed.UTC()}
	sig, err := audit.SignErasures(st, signer)
	if err != nil {
		return erasuresDocument{}, err
	}
	return erasuresDocument{Schema: erasuresSchema, List: canonical, Signature: string(sig)}, nil
}

func runEraseList(ctx context.Context, m *Main, args []string) error {
	const op = "erase list"
	fs := m.newFlagSet(op, eraseListUsage)
	sf := m.addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "print the list as JSON (the document --out writes)")
	out := fs.String("out", "", "write the list as JSON to this `file` (replaced whole, 0600), to keep with the backups")
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := db.Tombstones(ctx)
	if err != nil {
		return err
	}
	size, err := db.LogSize(ctx) // after the tombstones: their leaves are below it
	if err != nil {
		return err
	}
	l := erasureList{Listed: time.Now().UTC().Truncate(time.Second), LogSize: size, Count: len(ts), Erasures: ts}
	for _, t := range ts {
		if t.Leaf == nil {
			fmt.Fprintf(m.Stderr, "warning: the tombstone of record %s has no record.erased leaf in the log: run 'handover log audit'\n", t.Record)
		}
	}
	if *out == "" && !*asJSON {
		for _, t := range ts {
			leaf := "none"
			if t.Leaf != nil {
				leaf = strconv.FormatInt(*t.Leaf, 10)
			}
			fmt.Fprintf(m.Stdout, "%s  %s  %s  by %s  %d versions  leaf %s  %q\n", t.Record, t.Party, t.At.Format(time.RFC3339), t.By, t.Versions, leaf, t.Reason)
		}
		fmt.Fprintf(m.Stdout, "%d erased records (log of %d leaves)\n", len(ts), size)
		return nil
	}
	// The document is signed by the log key, and checked with its
	// verifier key as a restore will check it.
	signer, keys, err := logSigner(op, sf.dir)
	if err != nil {
		return err
	}
	doc, err := signErasureList(l, signer)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	var b bytes.Buffer
	if err := printJSON(&b, doc); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	if _, err := openErasureList(op, "the list just made", b.Bytes(), keys); err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s and %s do not match: a restore could not check this list's signature", filepath.Join(sf.dir, logKeyFile), filepath.Join(sf.dir, logPubFile)), err)
	}
	if *out != "" {
		if err := writeFileAtomic(*out, b.Bytes(), 0o600); err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("cannot write %s", *out), err)
		}
		fmt.Fprintf(m.Stdout, "%d erased records listed in %s (log of %d leaves): keep it with the backups; 'handover restore --erasures %s' erases them again\n", len(ts), *out, size, *out)
		return nil
	}
	_, err = m.Stdout.Write(b.Bytes())
	return err
}

func runEraseReapply(ctx context.Context, m *Main, args []string) error {
	const op = "erase reapply"
	fs := m.newFlagSet(op, eraseReapplyUsage)
	sf := m.addStoreFlags(fs)
	var lists multiFlag
	fs.Var(&lists, "erasures", "an erasures list `file` made by 'handover erase list --out' (repeatable)")
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	if len(lists) == 0 {
		return usageError{"give at least one --erasures FILE"}
	}
	keys, err := logKeys(op, sf.dir)
	if err != nil {
		return err
	}
	read, err := readErasureLists(op, lists, keys)
	if err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkErasureLeaves(ctx, op, db, read, "the database", "nothing was erased"); err != nil {
		return err
	}
	refused, err := m.reapplyErasures(ctx, db, mergeErasures(read), "this database")
	if err != nil {
		return err
	}
	if refused > 0 {
		return errs.E(op, errs.Conflict, fmt.Sprintf("%d erased records were not erased again (NOT ERASED AGAIN above): the database holds their persons", refused))
	}
	return nil
}

// erasuresRead is one erasures list file, read and checked.
type erasuresRead struct {
	file       string
	listed     time.Time
	logSize    int64 // the log's size when the list was made
	tombstones []sqlstore.Tombstone
}

// readErasureLists reads the erasures list files, each whole, and checks
// each (openErasureList). A file that is not a list this deployment
// signed, or was changed since, is refused, naming it, before anything is
// written.
func readErasureLists(op string, files []string, keys *audit.Keys) ([]erasuresRead, error) {
	var out []erasuresRead
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the erasures list %s", f), err)
		}
		l, err := openErasureList(op, f, b, keys)
		if err != nil {
			return nil, err
		}
		out = append(out, erasuresRead{file: f, listed: l.Listed, logSize: l.LogSize, tombstones: l.Erasures})
	}
	return out, nil
}

// openErasureList checks the erasures list document b (named f in what it
// says) and returns its list: its statement must be signed by the
// log key of keys alone, and its list must be the one the statement states
// (count and SHA-256 of the canonical bytes); then each erasure must name
// a record, a party and a reason. Nothing is taken from the list before
// its signature and SHA-256 are checked.
func openErasureList(op, f string, b []byte, keys *audit.Keys) (*erasureList, error) {
	notList := func(why string) error {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not an erasures list ('handover erase list --out' writes one): %s; nothing was written", f, why))
	}
	var doc erasuresDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, notList("not its JSON: " + err.Error())
	}
	switch doc.Schema {
	case erasuresSchema:
	case erasuresSchemaUnsigned:
		return nil, errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s is an erasures list of a version before lists were signed (schema %s): nothing proves this deployment made it, or that it was not changed; nothing was written. "+
			"List the erasures again with 'handover erase list --out FILE' on the database they were made in", f, erasuresSchemaUnsigned))
	default:
		return nil, notList(fmt.Sprintf("its schema is %q, not %s", doc.Schema, erasuresSchema))
	}
	st, err := keys.OpenErasures([]byte(doc.Signature))
	if err != nil {
		return nil, errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s is not signed by this deployment's log key (%s): %s; nothing was written", f, keys.Origin, errs.Message(err)), err)
	}
	var canonical bytes.Buffer
	if len(doc.List) == 0 || json.Compact(&canonical, doc.List) != nil {
		return nil, notList("it holds no list")
	}
	if sum := sha256.Sum256(canonical.Bytes()); sum != st.SHA256 {
		return nil, errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s was changed after it was signed (its list's SHA-256 is %x…, the signed one %x…, listed %s): nothing was written; use the list as 'handover erase list --out' wrote it",
			f, sum[:6], st.SHA256[:6], st.Time.Format(time.RFC3339)))
	}
	var l erasureList
	if err := json.Unmarshal(canonical.Bytes(), &l); err != nil {
		return nil, notList("its list is not one: " + err.Error())
	}
	if int64(len(l.Erasures)) != st.Count || l.Count != len(l.Erasures) {
		return nil, notList(fmt.Sprintf("it says %d erasures, its signature %d, and it holds %d", l.Count, st.Count, len(l.Erasures)))
	}
	for i, t := range l.Erasures {
		switch {
		case !sqlstore.IsRecordID(t.Record):
			return nil, notList(fmt.Sprintf("erasure %d: %q is not a record's id", i+1, t.Record))
		case t.Party == "":
			return nil, notList(fmt.Sprintf("erasure %d (record %s) names no party", i+1, t.Record))
		case strings.TrimSpace(t.Reason) == "":
			return nil, notList(fmt.Sprintf("erasure %d (record %s) has no reason", i+1, t.Record))
		}
	}
	if l.LogSize < 0 {
		return nil, notList(fmt.Sprintf("its log size %d is negative", l.LogSize))
	}
	return &l, nil
}

// checkErasureLeaves checks that each list is of db's history: every
// erasure's leaf that db's log holds is that record's record.erased leaf
// (sqlstore.CheckTombstoneLeaves). where names db in what it says, and
// nothing what the refusal left undone.
func checkErasureLeaves(ctx context.Context, op string, db *sqlstore.DB, lists []erasuresRead, where, nothing string) error {
	for _, l := range lists {
		if err := db.CheckTombstoneLeaves(ctx, l.tombstones); err != nil {
			if errs.Is(errs.Conflict, err) {
				return errs.E(op, errs.Conflict, fmt.Sprintf("refused: %s is not a list of %s's history: %s; %s", l.file, where, errs.Message(err), nothing), err)
			}
			return err
		}
	}
	return nil
}

// mergeErasures returns the tombstones of every list, a record listed
// twice once (the first).
func mergeErasures(lists []erasuresRead) []sqlstore.Tombstone {
	var all []sqlstore.Tombstone
	seen := map[string]bool{}
	for _, l := range lists {
		for _, t := range l.tombstones {
			if !seen[t.Record] {
				seen[t.Record] = true
				all = append(all, t)
			}
		}
	}
	return all
}

// reapplyErasures erases the tombstones' records again in db and says
// what it did of each: erased again and not there on stdout, refused on
// stderr (NOT ERASED AGAIN), with a count of each; where names db in
// what it says ("this backup"). It returns how many were refused.
func (m *Main) reapplyErasures(ctx context.Context, db *sqlstore.DB, ts []sqlstore.Tombstone, where string) (int, error) {
	start := time.Now()
	warnScrub(m, db)
	res, err := db.ReapplyErasures(ctx, ts)
	if err != nil {
		return 0, err
	}
	n := map[sqlstore.ReapplyOutcome]int{}
	for _, r := range res {
		n[r.Outcome]++
		switch r.Outcome {
		case sqlstore.Reerased:
			fmt.Fprintf(m.Stdout, "erased again: record %s (%s), erased %s by %s, reason %q\n", r.Record, r.Party, r.At.Format(time.RFC3339), r.By, r.Reason)
		case sqlstore.ReerasedAbsent:
			fmt.Fprintf(m.Stdout, "not in %s (made before the record existed): record %s (%s)\n", where, r.Record, r.Party)
		case sqlstore.ReerasedRefused:
			fmt.Fprintf(m.Stderr, "NOT ERASED AGAIN: record %s (%s), erased %s by %s, reason %q: %s\n", r.Record, r.Party, r.At.Format(time.RFC3339), r.By, r.Reason, r.Why)
		}
	}
	fmt.Fprintf(m.Stdout, "erasures re-applied: %d erased again, %d erased already in %s, %d not in %s (made before the record existed), %d refused; in %s\n",
		n[sqlstore.Reerased], n[sqlstore.ReerasedAlready], where, n[sqlstore.ReerasedAbsent], where, n[sqlstore.ReerasedRefused], time.Since(start).Round(time.Millisecond))
	return n[sqlstore.ReerasedRefused], nil
}
