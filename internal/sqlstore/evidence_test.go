package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

func TestEvidenceReadBack(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Ковальчук")})
		if err != nil {
			t.Fatal(err)
		}
		// None recorded yet: the zero evidence, not an error.
		got, err := db.Evidence(ctx, sc["ua-reg"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exchange.Evidence{}) {
			t.Errorf("before any evidence: %+v", got)
		}
		day := func(s string) time.Time {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		first := exchange.Evidence{
			Commission: &exchange.Commission{Decision: exchange.DecisionA, Tier: 2, Date: day("2026-03-01")},
			Consent: []exchange.Consent{
				{Kind: exchange.ConsentGiven, Date: day("2026-03-02"), Witness: "ICRC delegate"},
				{Kind: exchange.ConsentWithdrawn, Date: day("2026-03-09"), Witness: "ICRC delegate", Note: "wants to stay"},
			},
			Blocker: exchange.ServingSentence,
		}
		if err := db.SetEvidence(ctx, sc["ua-reg"], r.ID, first); err != nil {
			t.Fatal(err)
		}
		second := first
		second.Blocker = exchange.BlockerNone
		second.Consent = append(append([]exchange.Consent{}, first.Consent...), exchange.Consent{Kind: exchange.ConsentGiven, Date: day("2026-04-01"), Witness: "ICRC delegate"})
		if err := db.SetEvidence(ctx, sc["ua-reg"], r.ID, second); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"ua-reg", "ua-appr"} {
			got, err := db.Evidence(ctx, sc[who], r.ID)
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if !reflect.DeepEqual(got, second) {
				t.Errorf("%s reads %+v, want the latest %+v", who, got, second)
			}
		}
		// Another party does not even see the record; the mediator reads the
		// record but not the evidence; roles without the registers see nothing.
		if _, err := db.Evidence(ctx, sc["ru-reg"], r.ID); !errs.Is(errs.NotFound, err) {
			t.Errorf("other party: %v, want NotFound", err)
		}
		if _, err := db.Evidence(ctx, sc["op"], r.ID); !errs.Is(errs.Forbidden, err) {
			t.Errorf("mediator: %v, want Forbidden", err)
		}
		for _, who := range []string{"admin", "ua-officer"} {
			if _, err := db.Evidence(ctx, sc[who], r.ID); err == nil {
				t.Errorf("%s reads the evidence", who)
			}
		}
		if _, err := db.Evidence(ctx, sc["ua-reg"], "no-such-record"); !errs.Is(errs.NotFound, err) {
			t.Errorf("unknown record: %v, want NotFound", err)
		}
	})
}
