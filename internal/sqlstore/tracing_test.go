package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestTracingExport: a bureau's export for the Central Tracing Agency
// holds every record it holds, the civilian marked detrimental to transmit
// included (GC IV Art. 137(2)), with the sealed fields for its own users;
// each export is logged with its count and the file's SHA-256, and the
// audit passes; the other party may not export it, nor list its exports.
func TestTracingExport(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		soldier := held("Солдатенко")
		soldier.Health = "поранений"
		civilian := held("Щиглюченко")
		civilian.Category, civilian.ServiceNumber = person.Civilian, ""
		civilian.Detrimental, civilian.DetrimentalBasis, civilian.DetrimentalReason = true, person.WithholdCivilian, "the family would be in danger"
		recs, err := db.CreateRecords(ctx, sc["ru-reg"], []sqlstore.NewRecord{{Party: "RU", Fields: soldier}, {Party: "RU", Fields: civilian},
			{Party: "RU", Fields: soughtFields("Шуканий")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Український")}); err != nil {
			t.Fatal(err)
		}
		var got []person.Record
		var gotAt time.Time
		render := func(rs []person.Record, at time.Time) (sqlstore.TracingFile, error) {
			got, gotAt = rs, at
			n := 0
			for _, r := range rs {
				if r.Fields.Detrimental {
					n++
				}
			}
			return sqlstore.TracingFile{Data: []byte("file of " + r0(rs)), Format: "csv", Schema: "test/v1", Count: len(rs), Flagged: n}, nil
		}
		size, _ := db.LogSize(ctx)
		e, data, err := db.ExportTracing(ctx, sc["ru-reg"], "", render)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(rs []person.Record) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		if want := []string{recs[0].ID, recs[1].ID}; !slices.Equal(ids(got), want) {
			t.Errorf("exported %v, want RU's held records %v", ids(got), want)
		}
		if !got[1].Fields.Detrimental || got[0].Fields.Health != "поранений" {
			t.Errorf("the flagged civilian or the sealed health is not exported: %+v", got)
		}
		sum := sha256.Sum256(data)
		if e.Party != "RU" || e.Count != 2 || e.Flagged != 1 || e.SHA256 != hex.EncodeToString(sum[:]) || e.Size != len(data) ||
			e.Format != "csv" || e.Schema != "test/v1" || e.By != "ru-reg" || !e.Exported.Equal(gotAt) || e.Seq == 0 {
			t.Errorf("logged %+v", e)
		}
		if after, _ := db.LogSize(ctx); after != size+1 {
			t.Errorf("the log grew by %d leaves, want 1", after-size)
		}
		// The mediator's operator exports RU's register too, without the
		// sealed fields; UA's bureau, the auditor and officers may not.
		if _, _, err := db.ExportTracing(ctx, sc["op"], "RU", render); err != nil || len(got) != 2 || got[0].Fields.Health != "" {
			t.Errorf("the operator's export: %v, %+v", err, got)
		}
		for _, who := range []string{"ua-reg", "ua-appr", "aud", "ua-officer", "admin", "sys"} {
			if _, _, err := db.ExportTracing(ctx, sc[who], "RU", render); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s exported RU's register: %v", who, err)
			}
			if _, err := db.TracingExports(ctx, sc[who], "RU"); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s listed RU's exports: %v", who, err)
			}
		}
		if _, _, err := db.ExportTracing(ctx, sc["op"], "", render); !errs.Is(errs.Invalid, err) || errs.Fields(err)[0].Field != "party" {
			t.Errorf("the operator naming no party: %v, want Invalid at party", err)
		}
		if _, _, err := db.ExportTracing(ctx, sc["aud"], "", render); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the auditor naming no party: %v, want Forbidden", err)
		}
		if _, _, err := db.ExportTracing(ctx, sc["op"], "XX", render); !errs.Is(errs.Invalid, err) {
			t.Errorf("an unknown party: %v, want Invalid", err)
		}
		list, err := db.TracingExports(ctx, sc["ru-reg"], "RU")
		if err != nil || len(list) != 2 || list[1].SHA256 != e.SHA256 || list[1].Count != 2 || list[1].By != "ru-reg" || list[0].By != "op" {
			t.Errorf("RU's exports: %+v, %v", list, err)
		}
		if l, err := db.TracingExports(ctx, sc["ua-reg"], ""); err != nil || len(l) != 0 {
			t.Errorf("UA's own exports: %+v, %v", l, err)
		}
		_, vkey, _ := audit.GenerateKey("handover.test/log")
		keys, _ := audit.NewKeys("handover.test/log", vkey)
		res, err := db.AuditLog(ctx, keys)
		if err != nil || !res.OK() {
			t.Fatalf("the audit after the exports: %v\n%s", err, res.Summary())
		}
	})
}

func r0(rs []person.Record) string {
	if len(rs) == 0 {
		return ""
	}
	return rs[0].ID
}
