package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// A restore must not bring an erased person back (issue 19). Backups
// made before an erasure still hold the person; the database that holds
// the tombstones is usually the one that was lost. So the tombstones are
// listed (handover erase list), the list is kept with the backups, and a
// restore erases the listed records again in the restored database
// (handover restore --erasures; docs/operations.md, "Restore").

// Tombstone is one erased record as its tombstone (record_erasures) and
// its record.erased leaf say. It holds no personal data: a record id is
// random, a reason is a request's reference or a retention rule.
type Tombstone struct {
	Record   string    `json:"record"`
	Party    string    `json:"party"`
	Versions int       `json:"versions"`
	By       string    `json:"erased_by"`
	At       time.Time `json:"erased_at"`
	Reason   string    `json:"reason"`
	// Leaf is the index of its record.erased leaf in the log it was
	// listed from; nil when that log has none (which 'log audit' reports
	// as row-unlogged).
	Leaf *int64 `json:"leaf"`
}

// recordID is the form of a record's id (newID("r")).
var recordID = regexp.MustCompile(`^r[0-9a-hjkmnp-tv-z]{16}$`)

// IsRecordID reports whether s has the form of a record's id.
func IsRecordID(s string) bool { return recordID.MatchString(s) }

// Tombstones returns every tombstone of the database, oldest first, each
// with the index of its record.erased leaf.
func (db *DB) Tombstones(ctx context.Context) ([]Tombstone, error) {
	const op = "sqlstore.Tombstones"
	ts, err := queryAll(ctx, db, func(rows *sql.Rows) (Tombstone, error) {
		var t Tombstone
		err := rows.Scan(&t.Record, &t.Party, &t.Versions, &t.Reason, &t.By, dbTime{&t.At})
		return t, err
	}, `SELECT record_id, party, versions, reason, erased_by, erased_at FROM record_erasures ORDER BY seq`)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if len(ts) == 0 {
		return []Tombstone{}, nil
	}
	// The leaves are read after the tombstones: each tombstone committed
	// with its leaf, so every leaf of a tombstone read is there. A leaf is
	// canonical JSON, so its type is found in the bytes before decoding.
	leaves := map[string]int64{}
	rows, err := db.query(ctx, `SELECT idx, data FROM log_leaves WHERE `+db.dialect.blobHas("data")+` ORDER BY idx`, []byte(`"type":"`+leafRecordErased+`"`))
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return err
		}
		l, err := audit.DecodeLeaf(data)
		if err != nil || l.Type != leafRecordErased {
			return nil // not an erasure's leaf; a damaged one is the audit's to report
		}
		id := strings.TrimPrefix(l.Subject, "record:")
		if _, ok := leaves[id]; !ok {
			leaves[id] = idx
		}
		return nil
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	for i := range ts {
		if idx, ok := leaves[ts[i].Record]; ok {
			ts[i].Leaf = &idx
		}
	}
	return ts, nil
}

// ReappliedSuffix ends the reason of an erasure re-applied after a
// restore: the tombstone's own reason, then this.
const ReappliedSuffix = " (re-applied after a restore)"

// ReapplyOutcome says what re-applying a tombstone did.
type ReapplyOutcome string

const (
	// Reerased: the record was erased again, as the system.
	Reerased ReapplyOutcome = "erased"
	// ReerasedAlready: the database holds its erasure already (the backup
	// was made after it).
	ReerasedAlready ReapplyOutcome = "already erased"
	// ReerasedAbsent: the database does not hold the record (the backup
	// was made before the record existed).
	ReerasedAbsent ReapplyOutcome = "not in this database"
	// ReerasedRefused: the record is there, with its person, and was not
	// erased: Why says why.
	ReerasedRefused ReapplyOutcome = "refused"
)

// Reapplied is what re-applying one tombstone did.
type Reapplied struct {
	Tombstone
	Outcome ReapplyOutcome
	// Why says why a refused record was not erased; Code is the refusal's
	// code (erase_in_*, erase_held; "" for a record of
	// another party than the tombstone's).
	Why, Code string
}

// ReapplyErasures erases again each record of ts that the database holds
// and has not erased: a database restored from a backup made before the
// erasures. Each erasure is EraseRecordAsSystem's (actor "system"), with
// the tombstone's reason and ReappliedSuffix; the space they free is given
// back once, at the end (Scrub), as a retention run does. A record of
// another party than its tombstone says is not the tombstone's record, and
// is refused untouched; so is a record the database refuses to erase
// (named in a list, a stage, …). Only a failure of the database itself is
// an error.
//
// It is for a database nobody writes to yet (a restore's target): the
// check of the party and the erasure are two transactions.
func (db *DB) ReapplyErasures(ctx context.Context, ts []Tombstone) ([]Reapplied, error) {
	const op = "sqlstore.ReapplyErasures"
	out := make([]Reapplied, 0, len(ts))
	erased := false
	defer func() {
		if erased {
			db.scrubAfter(ctx)
		}
	}()
	for _, t := range ts {
		r := Reapplied{Tombstone: t}
		var party string
		err := db.queryRow(ctx, `SELECT party FROM records WHERE id = ?`, t.Record).Scan(&party)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r.Outcome = ReerasedAbsent
		case err != nil:
			return out, errs.E(op, errs.Internal, err)
		case party != t.Party:
			r.Outcome = ReerasedRefused
			r.Why = fmt.Sprintf("record %s is of party %s here, not %s as its tombstone says: not the erased record", t.Record, party, t.Party)
		default:
			_, err := db.erase(ctx, "system", SystemLogin, t.Record, reappliedReason(t.Reason))
			code, _ := errs.CodeOf(err)
			switch {
			case err == nil:
				r.Outcome, erased = Reerased, true
			case code == "erase_already":
				r.Outcome = ReerasedAlready
			case errs.Is(errs.Conflict, err) || errs.Is(errs.Invalid, err):
				r.Outcome, r.Why, r.Code = ReerasedRefused, errs.Message(err), code
			default:
				return out, errs.E(op, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// reappliedReason is reason with ReappliedSuffix, the reason cut (at a
// character's boundary) where both would be longer than MaxErasureReason.
func reappliedReason(reason string) string {
	reason = strings.TrimSpace(reason)
	if room := MaxErasureReason - len(ReappliedSuffix); len(reason) > room {
		reason = strings.ToValidUTF8(reason[:room], "") // drops a character cut in two
	}
	return reason + ReappliedSuffix
}

// CheckTombstoneLeaves checks that the leaf each tombstone names, where
// the database's log is long enough to hold it, is the record.erased leaf
// of its record: that the tombstones were listed from this log's history.
// A list of another history (a backup of before a forced rollback, say)
// would have the restore erase records by indexes that mean something
// else here. The first tombstone that fails is a Conflict naming it; a
// tombstone whose leaf the log does not hold yet (the backup was made
// before the erasure: the usual case) has nothing to check.
func (db *DB) CheckTombstoneLeaves(ctx context.Context, ts []Tombstone) error {
	const op = "sqlstore.CheckTombstoneLeaves"
	size, err := db.LogSize(ctx)
	if err != nil {
		return errs.E(op, err)
	}
	for i, t := range ts {
		if t.Leaf == nil || *t.Leaf >= size {
			continue
		}
		data, err := db.Leaf(ctx, *t.Leaf)
		if err != nil {
			return errs.E(op, err)
		}
		l, err := audit.DecodeLeaf(data)
		what := "not a leaf"
		if err == nil {
			if l.Type == leafRecordErased && l.Subject == "record:"+t.Record {
				continue
			}
			what = fmt.Sprintf("a %s leaf about %s", l.Type, l.Subject)
		}
		return errs.E(op, errs.Conflict, fmt.Sprintf("erasure %d (record %s) names leaf %d, which in this log of %d leaves is %s, not the record's record.erased leaf: the list is of another history than this log's",
			i+1, t.Record, *t.Leaf, size, what))
	}
	return nil
}
