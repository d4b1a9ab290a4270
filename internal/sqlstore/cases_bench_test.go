package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// BenchmarkCaseWorklist is a bureau's worklist (/cases) over 1,000 open
// cases, each opened from an enquiry with a contact and a task: every
// case folded, its sealed fields opened, its person's trace derived and
// what is due computed. BenchmarkCaseStep is one step written: the log's
// lock, the case read and folded, the leaf and the row.
//
//	go test -run '^$' -bench 'Case(Worklist|Step)' -benchtime 10x ./internal/sqlstore
func BenchmarkCaseWorklist(b *testing.B) {
	db, sc, _ := caseBench(b, 1000)
	today := person.Date{Year: 2026, Month: 12, Day: 7}
	b.ResetTimer()
	for b.Loop() {
		list, err := db.Cases(context.Background(), sc, casework.Filter{State: casework.Open}, today)
		if err != nil || len(list) != 1000 {
			b.Fatalf("%d cases, %v", len(list), err)
		}
	}
}

func BenchmarkCaseStep(b *testing.B) {
	db, sc, ids := caseBench(b, 100)
	step := casework.Step{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeCall, Date: person.Date{Year: 2026, Month: 12, Day: 1}, With: "мати", Said: "Чекає новин"}}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := db.AddCaseStep(context.Background(), sc, ids[i%len(ids)], step); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func caseBench(b *testing.B, n int) (*sqlstore.DB, access.Scope, []string) {
	b.Helper()
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
	sc := u.Scope()
	var nrs []sqlstore.NewRecord
	for i := range n {
		nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Sought, Category: person.Military, Status: person.StatusMissing,
			Surname: fmt.Sprintf("Коваленко%d", i), GivenNames: "Олександр", BirthDate: person.Date{Year: 1990}}})
	}
	recs, err := db.CreateRecords(ctx, sc, nrs)
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i, r := range recs {
		c, err := db.OpenCase(ctx, sc, r.ID, &casework.Enquiry{Name: "Коваленко Ганна", Relationship: casework.RelParent, Reach: "+380 67 000 00 00",
			Date: person.Date{Year: 2026, Month: 11, Day: 1}})
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range []casework.Step{
			{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeCall, Date: person.Date{Year: 2026, Month: 11, Day: 2}, With: "мати", Said: "Чекає"}},
			{Kind: casework.KindTask, Task: &casework.Task{Text: "Передзвонити", Assignee: "ua-reg", Due: person.Date{Year: 2026, Month: 12, Day: 1 + i%28}}},
		} {
			if _, err := db.AddCaseStep(ctx, sc, c.ID, st); err != nil {
				b.Fatal(err)
			}
		}
		ids = append(ids, c.ID)
	}
	return db, sc, ids
}
