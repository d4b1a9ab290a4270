package sqlstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The person erased in the tests — a family's report of a missing
// soldier, of the sought register (a held record is never erased) — with
// every form of his names a search key, a transliteration or an export
// could hold.
func erasedFields() person.Fields {
	return person.Fields{Kind: person.Sought, Status: person.StatusMissing, Category: person.Military, Surname: "Ґонтаренко", GivenNames: "Северин",
		Patronymic: "Богданович", LatinNames: []string{"Hontarenko Severyn"}, BirthDate: person.Date{Year: 1991, Month: 3, Day: 17},
		ServiceNumber: "ЩЯ-908172", Unit: "в/ч А7041", Health: "контузія після обстрілу", NextOfKin: "дружина Оксана Ґонтаренко, Умань"}
}

// erasedGroup is the group his bureau's registrar typed in his priority
// flags.
const erasedGroup = "брати Ґонтаренки з Умані"

// erasedNeedles are what must be nowhere after the erasure, in any case.
var erasedNeedles = []string{"Ґонтаренко", "Гонтаренко", "Северин", "Богданович", "ЩЯ-908172", "908172", "Hontarenko", "Gontarenko",
	"Severyn", "Severin", "Bohdanovych", "Bogdanovich", "Оксана", "контузія", "Умань", "row 7", "Ґонтаренки", "Умані"}

// eraseOne creates the erased person's record (reg), corrects it once,
// flags him twice, and erases him for a request (appr); it returns his
// record's id.
func eraseOne(t *testing.T, db *sqlstore.DB, reg, appr access.Scope) string {
	t.Helper()
	ctx := context.Background()
	r, err := db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "UA", Fields: erasedFields(), Source: "list.xlsx", Ref: "sheet 1 row 7"})
	if err != nil {
		t.Fatal(err)
	}
	f := erasedFields()
	f.Notes = "Ґонтаренко: confirmed by the unit"
	if _, err := db.CorrectRecord(ctx, reg, r.ID, 1, f, "Ґонтаренко's wife wrote"); err != nil {
		t.Fatal(err)
	}
	// His bureau flagged him, with a group named after his family, and
	// changed the flags since: both rows go with the erasure.
	for _, fl := range []backlog.Flags{{Marks: []backlog.Mark{backlog.HeldLongest}, Group: erasedGroup},
		{Marks: []backlog.Mark{backlog.HeldLongest, backlog.Woman}, Group: erasedGroup}} {
		if _, err := db.SetPriority(ctx, reg, r.ID, fl); err != nil {
			t.Fatal(err)
		}
	}
	e, err := db.EraseRecord(ctx, appr, r.ID, "DP-2026-0042")
	if err != nil {
		t.Fatal(err)
	}
	if e.By != appr.Login || e.Reason != "DP-2026-0042" || e.Versions != 2 {
		t.Fatalf("erasure %+v", e)
	}
	return r.ID
}

// TestEraseRecord: a record erased for a data-protection request keeps its
// tombstone (who, when, why), its versions' rows and its priority flags'
// rows, blanked; the audit passes and
// reports it as erased; the person's names, service number, sealed
// fields and the group his bureau typed in his flags are nowhere in the
// database — every table dumped, the log's
// leaves included, and on SQLite the bytes of the file and its write-ahead
// log while the store is open, as the server leaves them: the erasure
// gives the freed space back itself (on PostgreSQL it vacuums the record
// tables), nobody has to call Scrub or close the database.
func TestEraseRecord(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			h := newHistory(t, db)
			sc := h.scopes
			if dialect == "sqlite" {
				namesNotOnDisk(t, "after the erasure", dsn)
			}

			res, err := db.AuditLog(ctx, h.keys)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || len(res.Warnings) > 0 {
				t.Fatalf("the audit after the erasure:\n%s", res.Summary())
			}
			if !slices.Equal(res.Erased, []string{h.erased}) {
				t.Fatalf("the audit reports %v erased, want [%s]", res.Erased, h.erased)
			}

			r, err := db.Record(ctx, sc["ua-appr"], h.erased)
			if err != nil {
				t.Fatal(err)
			}
			if r.Erased == nil || r.Erased.By != "ua-appr" || r.Erased.Reason != "DP-2026-0042" || r.Surname != "" || r.Health != "" || r.Version != 2 {
				t.Fatalf("the erased record reads %+v (erased %+v)", r, r.Erased)
			}
			hist, err := db.RecordHistory(ctx, sc["ua-reg"], h.erased)
			if err != nil || len(hist) != 2 {
				t.Fatalf("history: %d versions, %v", len(hist), err)
			}
			page, err := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{Party: "UA", Text: "Гонтаренко"})
			if err != nil || len(page.Records) != 0 {
				t.Fatalf("a search by the erased surname finds %d records (%v)", len(page.Records), err)
			}

			all, err := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{Party: "UA", Kind: person.Sought, Limit: 1000, Count: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range all.Records {
				if r.ID == h.erased {
					t.Fatalf("the register lists the erased record")
				}
			}
			if all.Total != len(all.Records) {
				t.Fatalf("the register counts %d records and lists %d", all.Total, len(all.Records))
			}

			inputs, err := db.MatchRecords(ctx, sc["op"], "UA", person.Sought)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range inputs {
				if r.ID == h.erased {
					t.Fatalf("the erased record is an input of matching")
				}
			}

			// Refused: twice; by a registrar; by the other party; a record
			// named in a list; a correction of the erased record.
			if _, err := db.EraseRecord(ctx, sc["ua-appr"], h.erased, "again"); !errs.Is(errs.Conflict, err) {
				t.Errorf("erased twice: %v, want Conflict", err)
			}
			other := eraseCandidate(t, db, sc["ua-reg"])
			if _, err := db.EraseRecord(ctx, sc["ua-reg"], other, "DP-1"); !errs.Is(errs.Forbidden, err) {
				t.Errorf("erased by a registrar: %v, want Forbidden", err)
			}
			if _, err := db.EraseRecord(ctx, sc["op"], other, "DP-1"); !errs.Is(errs.Forbidden, err) {
				t.Errorf("erased by the mediator's operator: %v, want Forbidden", err)
			}
			if _, err := db.EraseRecord(ctx, sc["ru-appr"], other, "DP-1"); !errs.Is(errs.NotFound, err) {
				t.Errorf("erased by the other party's approver: %v, want NotFound", err)
			}
			if _, err := db.EraseRecord(ctx, sc["ua-appr"], other, " "); !errs.Is(errs.Invalid, err) {
				t.Errorf("erased without a reason: %v, want Invalid", err)
			}
			listed := h.held["UA"][0]
			if _, err := db.EraseRecord(ctx, sc["ua-appr"], listed, "DP-2"); !errs.Is(errs.Conflict, err) || !strings.Contains(err.Error(), "list") {
				t.Errorf("a record of a list erased: %v, want Conflict", err)
			}
			if _, err := db.EraseRecord(ctx, sc["ua-appr"], h.soughtA, "DP-3"); !errs.Is(errs.Conflict, err) {
				t.Errorf("a record of a match erased: %v, want Conflict", err)
			}
			if _, err := db.CorrectRecord(ctx, sc["ua-reg"], h.erased, 2, erasedFields(), "back"); !errs.Is(errs.Conflict, err) {
				t.Errorf("the erased record corrected: %v, want Conflict", err)
			}

			// Nothing more is recorded about an erased person.
			if err := db.SetEvidence(ctx, sc["ua-reg"], h.erased, exchange.Evidence{Blocker: exchange.PendingProsecution}); !errs.Is(errs.Conflict, err) || !strings.Contains(err.Error(), "is erased") {
				t.Errorf("evidence on the erased record: %v, want Conflict", err)
			}
			if _, err := db.SubmitList(ctx, sc["ua-reg"], h.ex, exchange.Offer, []exchange.Item{{RecordID: h.erased}}, nil, "again"); !errs.Is(errs.Conflict, err) || !strings.Contains(err.Error(), "is erased") {
				t.Errorf("the erased record in a list: %v, want Conflict", err)
			}
			gone := soughtRecord(t, db, sc["ua-reg"], "UA", "Зниклий")
			vacuums := db.VacuumCount(ctx, "record_versions")
			if _, err := db.EraseRecord(ctx, sc["ua-appr"], gone, "DP-4"); err != nil {
				t.Fatal(err)
			}
			if dialect == "postgres" {
				if n := db.VacuumCount(ctx, "record_versions"); n <= vacuums {
					t.Errorf("record_versions vacuumed %d times before the erasure and %d after: its dead row versions wait for autovacuum", vacuums, n)
				}
			}
			if _, err := db.SetPriority(ctx, sc["ua-reg"], gone, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}}); !errs.Is(errs.Conflict, err) {
				t.Errorf("priority flags on an erased record: %v, want Conflict", err)
			}
			if _, err := db.OpenCase(ctx, sc["ua-reg"], gone, enquiry()); !errs.Is(errs.Conflict, err) {
				t.Errorf("a case on an erased record: %v, want Conflict", err)
			}

			// Nowhere: every table, the log's leaves among them.
			dump, err := db.DumpAll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(dump["log_leaves"]) == 0 || len(dump["record_erasures"]) == 0 {
				t.Fatalf("the dump lacks the log or the tombstone: %d tables", len(dump))
			}
			for table, b := range dump {
				if n := findNeedle(b); n != "" {
					t.Errorf("table %s still holds %q", table, n)
				}
			}
			// His flags' marks (no other record is held longest) went
			// with him; the group is among the needles.
			if bytes.Contains(dump["priority_flags"], []byte(backlog.HeldLongest)) {
				t.Errorf("priority_flags still holds the erased record's marks:\n%s", dump["priority_flags"])
			}
			if dialect == "sqlite" {
				namesNotOnDisk(t, "at the end", dsn)
			}
		})
	}
}

// namesNotOnDisk fails the test if the SQLite database at path, or its
// write-ahead log, holds any of erasedNeedles.
func namesNotOnDisk(t *testing.T, when, path string) {
	t.Helper()
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := findNeedle(b); n != "" {
			t.Errorf("%s, the file %s still holds %q", when, filepath.Base(f), n)
		}
	}
}

// eraseCandidate is a UA record of the sought register named nowhere
// else, that could be erased.
func eraseCandidate(t *testing.T, db *sqlstore.DB, reg access.Scope) string {
	t.Helper()
	return soughtRecord(t, db, reg, "UA", "Кандидатенко")
}

// findNeedle returns the first of erasedNeedles in b, in any case.
func findNeedle(b []byte) string {
	low := bytes.ToLower(b)
	for _, n := range erasedNeedles {
		if bytes.Contains(b, []byte(n)) || bytes.Contains(low, bytes.ToLower([]byte(n))) {
			return n
		}
	}
	return ""
}

// TestEraseBlanksFlags: an erasure takes the record's priority flags with
// it, whether they stand or were cleared since (clearing appends a row and
// keeps the earlier ones): every flags row of the record is blanked (body
// {}, no nonce) and keeps its leaf, who and when; the marks and the group
// a registrar typed are in no table; the backlog no longer shows him; the
// audit passes and counts him erased. An erasure as the system (a
// retention run's, or a restore's re-erasure) does the same; another
// record's flags stand.
func TestEraseBlanksFlags(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 1, false)
		reg, appr := f.scopes["ua-reg"], f.scopes["ua-appr"]
		const group = "сестри Ґонтаренко, Умань"
		flag := func(id string, fs ...backlog.Flags) {
			t.Helper()
			for _, fl := range fs {
				if _, err := db.SetPriority(ctx, reg, id, fl); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Flagged in an earlier round, cleared since; flagged now; and
		// another person, whose flags stay.
		cleared := soughtRecord(t, db, reg, "UA", "Ґонтаренко")
		flag(cleared, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded, backlog.Woman}, Group: group}, backlog.Flags{})
		flagged := soughtRecord(t, db, reg, "UA", "Ґонтаренко")
		flag(flagged, backlog.Flags{Marks: []backlog.Mark{backlog.HeldLongest}, Group: group})
		kept := soughtRecord(t, db, reg, "UA", "Залишенко")
		flag(kept, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}})

		vacuums := db.VacuumCount(ctx, "priority_flags")
		if _, err := db.EraseRecord(ctx, appr, cleared, "DP-7"); err != nil {
			t.Fatalf("a record whose flags were cleared: %v", err)
		}
		if db.Dialect() == "postgres" {
			if n := db.VacuumCount(ctx, "priority_flags"); n <= vacuums {
				t.Errorf("priority_flags vacuumed %d times before the erasure and %d after: the flags' old row versions wait for autovacuum", vacuums, n)
			}
		}
		if _, err := db.EraseRecordAsSystem(ctx, flagged, "retention: 365d"); err != nil {
			t.Fatalf("a flagged record erased as the system: %v", err)
		}

		for id, n := range map[string]int{cleared: 2, flagged: 1} {
			rows, err := db.RawFlags(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != n {
				t.Errorf("record %s has %d flags rows after its erasure, want its %d blanked", id, len(rows), n)
			}
			for _, r := range rows {
				if r.Body != "{}" || r.Nonce != nil {
					t.Errorf("record %s's flags row %d after its erasure: body %s, nonce %x; want {} and none", id, r.Seq, r.Body, r.Nonce)
				}
			}
		}
		dump, err := db.DumpAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, b := range dump {
			for _, n := range []string{group, "Ґонтаренко", "Умань"} {
				if bytes.Contains(b, []byte(n)) {
					t.Errorf("table %s still holds %q", table, n)
				}
			}
		}
		for _, mark := range []string{"woman", "held_longest"} {
			if bytes.Contains(dump["priority_flags"], []byte(mark)) {
				t.Errorf("priority_flags still holds the erased records' mark %s:\n%s", mark, dump["priority_flags"])
			}
		}

		v, err := db.Backlog(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range v.Persons {
			ids = append(ids, p.RecordID)
		}
		if !slices.Equal(ids, []string{kept}) {
			t.Errorf("the backlog shows %v, want only %s", ids, kept)
		}
		if e, err := db.BacklogOf(ctx, reg, kept); err != nil || !e.Flags.Has(backlog.Wounded) {
			t.Errorf("the other record's flags: %+v, %v", e.Flags, err)
		}

		res, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		erased := slices.Sorted(slices.Values(res.Erased))
		if !res.OK() || len(res.Warnings) > 0 || !slices.Equal(erased, slices.Sorted(slices.Values([]string{cleared, flagged}))) {
			t.Errorf("the audit after the erasures (erased %v):\n%s", res.Erased, res.Summary())
		}
	})
}

// TestEraseGuard: the append-only guard of record_versions lets a version
// be blanked only when its record has a tombstone, only into the erased
// form, and nothing else of an erased record's versions be changed; the
// guard of priority_flags (migration 0032) likewise lets only an erased
// record's flags rows be blanked, and nothing else of them change.
func TestEraseGuard(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 1, false)
		kept := eraseCandidate(t, db, f.scopes["ua-reg"])
		gone := eraseCandidate(t, db, f.scopes["ua-reg"])
		for _, id := range []string{kept, gone} {
			if _, err := db.SetPriority(ctx, f.scopes["ua-reg"], id, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}, Group: "Азовсталь"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.EraseRecord(ctx, f.scopes["ua-appr"], gone, "DP-1"); err != nil {
			t.Fatal(err)
		}
		blank := `UPDATE record_versions SET body = '{}', sealed = NULL, nonce = NULL, source_ref = '', reason = '' WHERE record_seq = `
		blankFlags := `UPDATE priority_flags SET body = '{}', nonce = NULL WHERE record_id = `
		for _, q := range []string{
			blank + seqOf(kept),
			`UPDATE record_versions SET body = '{"surname":"Повернений"}' WHERE record_seq = ` + seqOf(gone),
			`UPDATE record_versions SET entered_by = 'someone' WHERE record_seq = ` + seqOf(gone),
			`UPDATE record_versions SET commitment = 'x' WHERE record_seq = ` + seqOf(gone),
			`DELETE FROM record_versions WHERE record_seq = ` + seqOf(gone),
			`UPDATE record_erasures SET reason = 'x'`,
			`DELETE FROM record_erasures`,
			blankFlags + `'` + kept + `'`,
			`UPDATE priority_flags SET body = '{}' WHERE record_id = '` + kept + `'`,
			`UPDATE priority_flags SET body = '{"flags":{"marks":["woman"]}}' WHERE record_id = '` + gone + `'`,
			`UPDATE priority_flags SET entered_by = 'someone' WHERE record_id = '` + gone + `'`,
			`UPDATE priority_flags SET record_id = '` + kept + `' WHERE record_id = '` + gone + `'`,
			`DELETE FROM priority_flags WHERE record_id = '` + gone + `'`,
			`DELETE FROM priority_flags WHERE record_id = '` + kept + `'`,
		} {
			if err := db.RawExec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		// Blanking an erased version, or an erased record's flags, again
		// changes nothing and is let be.
		if err := db.RawExec(ctx, blank+seqOf(gone)); err != nil {
			t.Errorf("an erased version blanked again: %v", err)
		}
		if err := db.RawExec(ctx, blankFlags+`'`+gone+`'`); err != nil {
			t.Errorf("an erased record's flags blanked again: %v", err)
		}
	})
}

// TestMigrationKeepsFlags: migration 0032, which lets an erased record's
// flags be blanked (on SQLite by building priority_flags again, for a
// nonce that may be NULL), keeps every row a database of 0029 holds — its
// id, body and nonce —, numbers new rows after them, and keeps the guard:
// a row of a record not erased is neither blanked nor deleted. The flags
// of a record an older version erased, which it left whole, are blanked.
func TestMigrationKeepsFlags(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			nonce := bytes.Repeat([]byte{7}, 32)
			want := []sqlstore.FlagsRow{
				{Seq: 1, Body: `{"record":"r1","party":"UA","flags":{"marks":["wounded"],"group":"Азовсталь"}}`, Nonce: nonce},
				{Seq: 2, Body: `{"record":"r1","party":"UA","flags":{"marks":[]}}`, Nonce: nonce},
			}
			insert := `INSERT INTO priority_flags (record_id, party, body, entered_by, entered_at, nonce) VALUES ('r1', 'UA', ?, 'ua-reg', '2026-01-01T00:00:00Z', ?)`
			err := sqlstore.MigrateTo(ctx, dsn, "0029_match_jobs.sql", func(exec func(string, ...any) error) error {
				if err := exec(`INSERT INTO parties (code, name, created_at) VALUES ('UA', 'Ukraine', '2026-01-01T00:00:00Z')`); err != nil {
					return err
				}
				for _, r := range want {
					if err := exec(insert, r.Body, r.Nonce); err != nil {
						return err
					}
				}
				// r2 was erased by a version that left its flags.
				if err := exec(`INSERT INTO priority_flags (record_id, party, body, entered_by, entered_at, nonce) VALUES ('r2', 'UA', ?, 'ua-reg', '2026-01-01T00:00:00Z', ?)`,
					`{"record":"r2","party":"UA","flags":{"marks":["woman"],"group":"сестри Умань"}}`, nonce); err != nil {
					return err
				}
				return exec(`INSERT INTO record_erasures (record_id, party, versions, reason, erased_by, erased_at, nonce) VALUES ('r2', 'UA', 1, 'DP-1', 'ua-appr', '2026-01-02T00:00:00Z', ?)`, nonce)
			})
			if err != nil {
				t.Fatal(err)
			}
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.RawExec(ctx, insert, `{"record":"r1","party":"UA","flags":{"marks":["woman"]}}`, nonce); err != nil {
				t.Fatal(err)
			}
			got, err := db.RawFlags(ctx, "r1")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[2].Seq != 4 || !slices.EqualFunc(got[:2], want, func(a, b sqlstore.FlagsRow) bool {
				return a.Seq == b.Seq && a.Body == b.Body && bytes.Equal(a.Nonce, b.Nonce)
			}) {
				t.Fatalf("after the upgrade the rows are %+v, want %+v and a third numbered 4", got, want)
			}
			if gone, err := db.RawFlags(ctx, "r2"); err != nil || len(gone) != 1 || gone[0].Seq != 3 || gone[0].Body != "{}" || gone[0].Nonce != nil {
				t.Errorf("the flags an older version's erasure left: %+v %v, want row 3 blanked", gone, err)
			}
			for _, q := range []string{`UPDATE priority_flags SET body = '{}', nonce = NULL WHERE seq = 1`, `DELETE FROM priority_flags WHERE seq = 1`} {
				if err := db.RawExec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v, want refused as append-only", q, err)
				}
			}
		})
	}
}

// TestEraseRefusesHeld: a record of the held register is never erased,
// whatever its status says — none yet, a prisoner of war, or a prisoner
// of war whose status a registrar corrected to deceased: a held person's
// information is owed to his own side and the Central Agency (GC III
// Arts. 120, 122; GC IV Art. 136); a wrong entry is corrected, not
// erased. A retention run keeps him for the same reason.
func TestEraseRefusesHeld(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 1, false)
		reg, appr := f.scopes["ua-reg"], f.scopes["ua-appr"]
		refused := func(what, id, surname string) {
			t.Helper()
			_, err := db.EraseRecord(ctx, appr, id, "DP-7")
			if !errs.Is(errs.Conflict, err) || code(err) != "erase_held" {
				t.Errorf("%s erased: %v, want Conflict erase_held", what, err)
			}
			got, err := db.Record(ctx, reg, id)
			if err != nil || got.Erased != nil || got.Surname != surname {
				t.Errorf("%s after the refused erasure: %+v, %v", what, got, err)
			}
		}
		create := func(surname string, st person.Status) string {
			t.Helper()
			fs := held(surname)
			fs.Status = st
			r, err := db.CreateRecord(ctx, reg, sqlstore.NewRecord{Party: "UA", Fields: fs})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		refused("a held record with no status", create("Безстатусний", ""), "Безстатусний")
		for _, st := range []person.Status{person.StatusPOW, person.StatusCivilianInternee, person.StatusDetainedCivilian, person.StatusConvicted} {
			refused("a "+string(st), create("Утримуваний", st), "Утримуваний")
		}
		pow := create("Полонений", person.StatusPOW)
		fs := held("Полонений")
		fs.Status = person.StatusDeceased
		if _, err := db.CorrectRecord(ctx, reg, pow, 1, fs, "typo"); err != nil {
			t.Fatal(err)
		}
		refused("a pow corrected to deceased", pow, "Полонений")

	})
}

func code(err error) string { c, _ := errs.CodeOf(err); return c }

// TestEraseRacesCorrection: corrections and erasures of the same records
// race from many goroutines (on PostgreSQL, READ COMMITTED: a correction
// that checked "not erased" before the erasure committed must not write a
// full version after it). Afterwards the audit passes and no erased
// record has a version with content.
func TestEraseRacesCorrection(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 1, false)
		reg, appr := f.scopes["ua-reg"], f.scopes["ua-appr"]
		const n = 30
		ids := make([]string, n)
		for i := range ids {
			ids[i] = soughtRecord(t, db, reg, "UA", "Перегоненко")
		}
		fs := soughtFields("Перегоненко")
		fs.Notes = "Перегоненко: the family wrote again"
		errc := make(chan error, 2*n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, err := db.CorrectRecord(ctx, reg, id, 1, fs, "the family wrote")
				errc <- err
			}()
			go func() {
				defer wg.Done()
				<-start
				_, err := db.EraseRecord(ctx, appr, id, "DP-9")
				errc <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil && !errs.Is(errs.Conflict, err) {
				t.Errorf("a raced correction or erasure: %v, want success or Conflict", err)
			}
		}
		erased := 0
		for _, id := range ids {
			r, err := db.Record(ctx, reg, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Erased == nil {
				continue
			}
			erased++
			hist, err := db.RecordHistory(ctx, reg, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range hist {
				if v.Surname != "" || v.Notes != "" {
					t.Errorf("erased record %s: version %d has content (%q, %q)", id, v.Version, v.Surname, v.Notes)
				}
			}
		}
		if erased == 0 {
			t.Errorf("no record erased")
		}
		res, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Errorf("the audit after the race:\n%s", res.Summary())
		}
	})
}

// TestErasedRecordInRunOrRequest: a matching run whose candidates name a
// record erased since the run read its inputs is refused, and so is a
// request naming an erased held record of the other side (one erased
// before held records were kept, written here as its tombstone): both
// are checked under the log's lock an erasure takes.
func TestErasedRecordInRunOrRequest(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 2, false)
		reg := f.scopes["ua-reg"]
		gone := soughtRecord(t, db, reg, "UA", "Зниклий")
		if _, err := db.EraseRecord(ctx, f.scopes["ua-appr"], gone, "DP-1"); err != nil {
			t.Fatal(err)
		}
		_, err := db.SaveMatchRun(ctx, f.scopes["op"], sqlstore.MatchRun{SoughtParty: "UA", HeldParty: "RU", Threshold: 0.5},
			[]match.Pair{{LeftID: gone, RightID: f.held["RU"][0], Score: 0.99, Weight: 20}})
		if !errs.Is(errs.Conflict, err) || fieldCode(err) != "record_erased" {
			t.Errorf("a run naming an erased record: %v, want Conflict record_erased", err)
		}
		if runs, err := db.MatchRuns(ctx, f.scopes["op"]); err != nil || len(runs) != 0 {
			t.Errorf("after the refused run: %d runs, %v", len(runs), err)
		}

		heldGone := f.held["RU"][1]
		if err := db.RawExec(ctx, `INSERT INTO record_erasures (record_id, party, versions, reason, erased_by, erased_at, nonce)
			SELECT '`+heldGone+`', 'RU', 1, reason, erased_by, erased_at, nonce FROM record_erasures`); err != nil {
			t.Fatal(err)
		}
		ours := soughtRecord(t, db, reg, "UA", "Шуканий")
		_, err = db.SubmitList(ctx, reg, f.ex, exchange.Request, []exchange.Item{{RecordID: ours, Category: person.Military, HeldRecordID: heldGone}}, nil, "our people")
		if !errs.Is(errs.Conflict, err) || fieldCode(err) != "record_erased" {
			t.Errorf("a request naming an erased held record: %v, want Conflict record_erased", err)
		}
	})
}
