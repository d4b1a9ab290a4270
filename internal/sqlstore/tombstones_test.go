package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestEraseTombstonesReapplied: Tombstones lists every erasure with the
// index of its record.erased leaf; ReapplyErasures erases again, as the
// system, a listed record the database holds unerased (as a database
// restored from an older backup does), and says of the others: erased
// already, not in the database, refused (a record named in a list; a
// record of another party than the tombstone's). The audit passes afterwards.
func TestEraseTombstonesReapplied(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := newCrossing(t, db, 1, false)
		reg, appr := f.scopes["ua-reg"], f.scopes["ua-appr"]
		ts, err := db.Tombstones(ctx)
		if err != nil || ts == nil || len(ts) != 0 {
			t.Fatalf("tombstones of a database without erasures: %v, %v; want an empty list", ts, err)
		}
		gone := soughtRecord(t, db, reg, "UA", "Стертий")
		if _, err := db.EraseRecord(ctx, appr, gone, "DP-2026-0042"); err != nil {
			t.Fatal(err)
		}
		ts, err = db.Tombstones(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].Record != gone || ts[0].Party != "UA" || ts[0].By != "ua-appr" || ts[0].Reason != "DP-2026-0042" ||
			ts[0].Versions != 1 || ts[0].At.IsZero() || ts[0].Leaf == nil {
			t.Fatalf("tombstones %+v", ts)
		}
		data, err := db.Leaf(ctx, *ts[0].Leaf)
		if err != nil {
			t.Fatal(err)
		}
		if l, err := audit.DecodeLeaf(data); err != nil || l.Type != "record.erased" || l.Subject != "record:"+gone {
			t.Fatalf("leaf %d is %+v (%v), want the record.erased of %s", *ts[0].Leaf, l, err, gone)
		}

		// The tombstones of a newer database, as a list names them.
		again := soughtRecord(t, db, reg, "UA", "Повернений")
		other := soughtRecord(t, db, f.scopes["ru-reg"], "RU", "Чужий")
		long := strings.Repeat("ДЗ-", 40) // 200 bytes: the suffix must cut it
		list := []sqlstore.Tombstone{
			{Record: again, Party: "UA", Reason: long, By: "ua-appr"},
			ts[0],
			{Record: "r0000000000000000", Party: "UA", Reason: "DP-1"},
			{Record: f.held["UA"][0], Party: "UA", Reason: "DP-2"},
			{Record: other, Party: "UA", Reason: "DP-3"},
		}
		res, err := db.ReapplyErasures(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			outcome sqlstore.ReapplyOutcome
			code    string
		}{{sqlstore.Reerased, ""}, {sqlstore.ReerasedAlready, ""}, {sqlstore.ReerasedAbsent, ""}, {sqlstore.ReerasedRefused, "erase_in_list"}, {sqlstore.ReerasedRefused, ""}}
		if len(res) != len(want) {
			t.Fatalf("%d results for %d tombstones", len(res), len(list))
		}
		for i, w := range want {
			if res[i].Outcome != w.outcome || res[i].Code != w.code || (w.outcome == sqlstore.ReerasedRefused) != (res[i].Why != "") {
				t.Errorf("tombstone %d (%s): %q %q %q, want %q %q", i, res[i].Record, res[i].Outcome, res[i].Code, res[i].Why, w.outcome, w.code)
			}
		}
		r, err := db.Record(ctx, reg, again)
		if err != nil {
			t.Fatal(err)
		}
		if r.Erased == nil || r.Erased.By != sqlstore.SystemLogin || !strings.HasSuffix(r.Erased.Reason, sqlstore.ReappliedSuffix) ||
			len(r.Erased.Reason) > sqlstore.MaxErasureReason || !utf8.ValidString(r.Erased.Reason) || !strings.HasPrefix(r.Erased.Reason, "ДЗ-ДЗ-") || r.Surname != "" {
			t.Fatalf("the record erased again reads %+v (erased %+v)", r, r.Erased)
		}
		for _, id := range []string{f.held["UA"][0], other} {
			s := reg
			if id == other {
				s = f.scopes["ru-reg"]
			}
			if r, err := db.Record(ctx, s, id); err != nil || r.Erased != nil || r.Surname == "" {
				t.Errorf("refused %s reads %+v, %v: want it untouched", id, r, err)
			}
		}
		if ts, err := db.Tombstones(ctx); err != nil || len(ts) != 2 || ts[1].Record != again || ts[1].Leaf == nil || *ts[1].Leaf <= *ts[0].Leaf {
			t.Fatalf("tombstones after the re-application: %+v, %v", ts, err)
		}
		res2, err := db.AuditLog(ctx, f.logKeys)
		if err != nil {
			t.Fatal(err)
		}
		if !res2.OK() || len(res2.Erased) != 2 {
			t.Fatalf("the audit after the re-application (erased %v):\n%s", res2.Erased, res2.Summary())
		}
		if !sqlstore.IsRecordID(gone) || sqlstore.IsRecordID("r0k3") || sqlstore.IsRecordID("R"+gone[1:]) || sqlstore.IsRecordID(gone+" ") {
			t.Error("IsRecordID misjudges")
		}
	})
}
