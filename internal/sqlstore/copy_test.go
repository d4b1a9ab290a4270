package sqlstore_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestCopyTablesAreTheSchema fails when a migration adds a table that Copy
// does not copy (or Copy names one the schema lacks), on each dialect.
func TestCopyTablesAreTheSchema(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		tables, err := db.Tables(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tables = slices.DeleteFunc(tables, func(s string) bool { return s == "schema_migrations" })
		copied := slices.Sorted(slices.Values(append(sqlstore.CopiedTables(), sqlstore.TransientTables()...)))
		if !slices.Equal(tables, copied) {
			t.Fatalf("the schema's tables %v\nCopy's tables       %v", tables, copied)
		}
	})
}

// TestCopy copies a store with a whole history (records with versions and
// sealed fields, matching decisions, an exchange with a signed agreement,
// a stage with events, a case, a log with cosigned checkpoints) in every
// direction the configured databases allow; the target has every row,
// the same newest checkpoint, passes the audit against the witness's
// checkpoint, reads the sealed fields, and takes new writes.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	for _, from := range sqltest.Dialects(t) {
		for _, to := range sqltest.Dialects(t) {
			t.Run(from+"-to-"+to, func(t *testing.T) {
				src := sqltest.Open(t, from)
				h := newHistory(t, src)
				// A sealed field, to read back on the target.
				f := held("Запечатаний")
				f.Health = "поранення лівої руки"
				f.NextOfKin = "мати, Марія"
				sealed, err := src.CreateRecord(ctx, h.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f})
				if err != nil {
					t.Fatal(err)
				}
				// Every table holds rows: a language preference, an
				// enrolment code, a withdrawn disclosure.
				if err := src.SetUserLang(ctx, h.scopes["ua-reg"].UserID, "uk"); err != nil {
					t.Fatal(err)
				}
				if _, err := src.CreateUser(ctx, sqlstore.NewUser{Login: "to-enrol", Role: "auditor"}); err != nil {
					t.Fatal(err)
				}
				// He asks the neutral that his information be withheld.
				if _, err := src.RecordInterview(ctx, h.scopes["op"], h.ex, exchange.Interview{RecordID: h.heldA, At: src.Now().Add(-time.Hour), Place: "колонія",
					Interviewer: "J. Delegate", Organisation: "ICRC", Outcome: exchange.WishesReturn, Withhold: true, WithholdReason: "fears for his family"}); err != nil {
					t.Fatal(err)
				}
				// Text that COPY's text format would have to escape: a
				// backslash, \N (its NULL), quotes.
				if _, err := src.RecordInterview(ctx, h.scopes["op"], h.ex, exchange.Interview{RecordID: h.heldB, At: src.Now().Add(-time.Hour), Place: `барак 2\N, блок "Б", обл. 'Х'`,
					Interviewer: `J. Delegate\`, Organisation: "ICRC", Outcome: exchange.WishesReturn}); err != nil {
					t.Fatal(err)
				}
				h.outside = h.cosign(t)
				dst := sqltest.Open(t, to)
				stats, err := sqlstore.Copy(ctx, src, dst)
				if err != nil {
					t.Fatal(err)
				}
				if stats.Rows == 0 {
					t.Fatal("nothing copied")
				}
				want, err := src.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, err := dst.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(want, got) || !slices.Equal(want, stats.Tables) {
					t.Fatalf("row counts: source %v\ntarget %v\ncopied %v", want, got, stats.Tables)
				}
				for _, tc := range want {
					if tc.Rows == 0 {
						t.Errorf("table %s is empty in the history: the copy of its rows is not tested", tc.Table)
					}
				}
				// Every value of every row is the source's: bytes, text,
				// numbers and NULLs alike.
				for _, table := range sqlstore.CopiedTables() {
					want, err := src.TableValues(ctx, table)
					if err != nil {
						t.Fatal(err)
					}
					got, err := dst.TableValues(ctx, table)
					if err != nil {
						t.Fatal(err)
					}
					if d := firstDiff(want, got); d != "" {
						t.Errorf("%s on the target differs from the source: %s", table, d)
					}
				}
				cpSrc, err := src.LatestCheckpoint(ctx)
				if err != nil {
					t.Fatal(err)
				}
				cpDst, err := dst.LatestCheckpoint(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(cpSrc, cpDst) {
					t.Fatalf("latest checkpoint: source\n%s\ntarget\n%s", cpSrc, cpDst)
				}
				res, err := dst.AuditLog(ctx, h.keys, audit.External{Source: "ua.state", Note: h.outside})
				if err != nil {
					t.Fatal(err)
				}
				if !res.OK() || len(res.Warnings) > 0 {
					t.Fatalf("the copy fails the audit:\n%s", res.Summary())
				}
				r, err := dst.Record(ctx, h.scopes["ua-reg"], sealed.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Fields.Health != f.Health || r.Fields.NextOfKin != f.NextOfKin {
					t.Fatalf("sealed fields on the target: %q, %q", r.Fields.Health, r.Fields.NextOfKin)
				}
				// The target goes on: new ids after the copied ones, and
				// the audit still passes with a new checkpoint.
				if _, err := dst.CreateRecord(ctx, h.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Після")}); err != nil {
					t.Fatalf("a write after the copy: %v", err)
				}
				if _, err := dst.CreateUser(ctx, sqlstore.NewUser{Login: "after-copy", Role: "auditor", Password: "a long enough password", Argon2: cheap}); err != nil {
					t.Fatalf("a user after the copy: %v", err)
				}
				if _, err := dst.Checkpoint(ctx, h.logSigner, audit.CheckpointSchedule{}, true); err != nil {
					t.Fatal(err)
				}
				if res, err := dst.AuditLog(ctx, h.keys, audit.External{Source: "ua.state", Note: h.outside}); err != nil || !res.OK() {
					t.Fatalf("audit after writes on the copy: %v\n%s", err, res.Summary())
				}
			})
		}
	}
}

// TestCopyRefuses: a target that holds anything, and a copy onto itself,
// are refused with a clear error, and the target is left as it was.
func TestCopyRefuses(t *testing.T) {
	ctx := context.Background()
	for _, d := range sqltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			src := sqltest.Open(t, d)
			sc := fixture(t, src)
			if _, err := src.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Джерело")}); err != nil {
				t.Fatal(err)
			}
			dst := sqltest.Open(t, d)
			if _, err := dst.CreateParty(ctx, "XX", "Elsewhere"); err != nil {
				t.Fatal(err)
			}
			before, err := dst.RowCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, err = sqlstore.Copy(ctx, src, dst)
			if !errs.Is(errs.Conflict, err) || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "parties") {
				t.Fatalf("copy into a database with a party: %v, want a conflict naming the table", err)
			}
			after, err := dst.RowCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(before, after) {
				t.Fatalf("the refused copy changed the target: %v → %v", before, after)
			}
			if _, err := sqlstore.Copy(ctx, src, src); !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), "same database") {
				t.Fatalf("copy onto itself: %v", err)
			}
		})
	}
}

// firstDiff says where two sorted lists of rows first differ, or "" when
// they are equal.
func firstDiff(want, got []string) string {
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			return "the source's row\n  " + want[i] + "\nis missing"
		case i >= len(want):
			return "the target's row\n  " + got[i] + "\nis not the source's"
		case want[i] != got[i]:
			return "the source's row\n  " + want[i] + "\nthe target's\n  " + got[i]
		}
	}
	return ""
}

// TestCopyFailureLeavesTheTarget: a copy that fails midway — the target
// refuses the rows of log_leaves after the records went in — leaves the
// target as it was, in every direction, and the target takes a copy once
// it no longer refuses.
func TestCopyFailureLeavesTheTarget(t *testing.T) {
	ctx := context.Background()
	for _, from := range sqltest.Dialects(t) {
		for _, to := range sqltest.Dialects(t) {
			t.Run(from+"-to-"+to, func(t *testing.T) {
				src := sqltest.Open(t, from)
				sc := fixture(t, src)
				for _, name := range []string{"Перший", "Другий", "Третій"} {
					if _, err := src.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held(name)}); err != nil {
						t.Fatal(err)
					}
				}
				dst := sqltest.Open(t, to)
				refuse := []string{`CREATE TRIGGER refuse BEFORE INSERT ON log_leaves BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
				drop := `DROP TRIGGER refuse`
				if to == "postgres" {
					refuse = []string{
						`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
						`CREATE TRIGGER refuse BEFORE INSERT ON log_leaves FOR EACH ROW EXECUTE FUNCTION refuse()`,
					}
					drop = `DROP TRIGGER refuse ON log_leaves`
				}
				for _, q := range refuse {
					if err := dst.RawExec(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				before, err := dst.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				_, err = sqlstore.Copy(ctx, src, dst)
				if !errs.Is(errs.Internal, err) || !strings.Contains(err.Error(), "cannot copy log_leaves") || !strings.Contains(err.Error(), "refused by the test") {
					t.Fatalf("a copy the target refuses: %v, want an error naming log_leaves and the target's reason", err)
				}
				after, err := dst.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(before, after) {
					t.Fatalf("the failed copy changed the target: %v → %v", before, after)
				}
				if err := dst.RawExec(ctx, drop); err != nil {
					t.Fatal(err)
				}
				if _, err := sqlstore.Copy(ctx, src, dst); err != nil {
					t.Fatalf("the copy once the target takes it: %v", err)
				}
				want, err := src.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := dst.RowCounts(ctx); err != nil || !slices.Equal(want, got) {
					t.Fatalf("row counts: source %v\ntarget %v (%v)", want, got, err)
				}
			})
		}
	}
}
