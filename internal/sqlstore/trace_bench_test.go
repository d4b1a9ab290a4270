package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// BenchmarkTrace20k is a family's question about one sought person in a
// database that holds 20,000 match decisions about others: the trace
// reads the decisions of the person's own pairs, not every decision.
//
//	go test -run '^$' -bench Trace20k ./internal/sqlstore
func BenchmarkTrace20k(b *testing.B) {
	ctx := context.Background()
	db := sqltest.Open(b, "sqlite")
	for _, p := range []string{"UA", "RU"} {
		if _, err := db.CreateParty(ctx, p, p); err != nil {
			b.Fatal(err)
		}
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
	if err != nil {
		b.Fatal(err)
	}
	recs, err := db.CreateRecords(ctx, u.Scope(), []sqlstore.NewRecord{{Party: "UA", Fields: person.Fields{Kind: person.Sought, Category: person.Military,
		Status: person.StatusMissing, Surname: "Коваленко", GivenNames: "Олександр", BirthDate: person.Date{Year: 1990}}}})
	if err != nil {
		b.Fatal(err)
	}
	const n, batch = 20_000, 500
	for start := 0; start < n; start += batch {
		var q strings.Builder
		q.WriteString(`INSERT INTO match_decisions (sought_id, held_id, decision, reason, decided_by, decided_at) VALUES `)
		var args []any
		for i := start; i < start+batch; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, 'confirmed', 'r', 'op', '2025-05-01T10:00:00.000000Z')")
			args = append(args, fmt.Sprintf("r-other-%d", i), fmt.Sprintf("h-other-%d", i))
		}
		if err := db.RawExec(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.Trace(ctx, u.Scope(), recs[0].ID); err != nil {
			b.Fatal(err)
		}
	}
}
