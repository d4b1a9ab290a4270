package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestAgreementPersons: every reader sees the agreement's persons as
// people, checked against the document; a party's user sees nothing of
// the other party's withheld record but where the document puts it; a
// database changed behind the store renders a person the document does
// not hold, and the check says so.
func TestAgreementPersons(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 3, true)
		byID := func(r sqlstore.AgreementRendering, id string) (sqlstore.AgreementPerson, bool) {
			i := slices.IndexFunc(r.Persons, func(p sqlstore.AgreementPerson) bool { return p.RecordID == id })
			if i < 0 {
				return sqlstore.AgreementPerson{}, false
			}
			return r.Persons[i], true
		}
		for _, login := range []string{"ua-appr", "ru-appr", "op", "aud", "ua-reg"} {
			r, err := db.AgreementPersons(ctx, f.scopes[login], f.ex, 0)
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			if len(r.Persons) != 10 || r.Hash == "" {
				t.Fatalf("%s: %d persons, hash %q", login, len(r.Persons), r.Hash)
			}
			if probs := exchange.CheckRendering(r.Agreement, r.Rendered()); len(probs) != 0 {
				t.Errorf("%s: a true rendering fails the check: %v", login, probs)
			}
			for _, p := range []string{"UA", "RU"} {
				for i, id := range append(slices.Clone(f.held[p]), f.res[p]...) {
					got, ok := byID(r, id)
					want := f.fields[id]
					stage := 1
					if i >= 3 {
						stage = 0
					}
					if !ok || got.Surname != want.Surname || got.ServiceNumber != want.ServiceNumber || got.BirthDate != want.BirthDate ||
						got.Party != p || got.Stage != stage || got.Category != person.Military || got.Latin == "" || got.Withheld {
						t.Errorf("%s: %s shown as %+v", login, id, got)
					}
				}
			}
		}
		// Marked for every reader; withheld from the other party only.
		target := f.held["RU"][1]
		f.markDetrimental(t, target, "ru-reg", "")
		for login, withheld := range map[string]bool{"ua-appr": true, "ua-reg": true, "ru-appr": false, "op": false} {
			r, err := db.AgreementPersons(ctx, f.scopes[login], f.ex, 1)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := byID(r, target)
			if !got.Withheld || (got.Surname == "") != withheld || (got.ServiceNumber == "") != withheld || (got.Latin == "") != withheld ||
				got.BirthDate.IsZero() != withheld || got.Commitment.IsZero() || got.Stage != 1 {
				t.Errorf("%s: the withheld person shown as %+v", login, got)
			}
			if probs := exchange.CheckRendering(r.Agreement, r.Rendered()); len(probs) != 0 {
				t.Errorf("%s: %v", login, probs)
			}
			pg := r.Query(sqlstore.RenderingQuery{Search: f.fields[target].ServiceNumber})
			if found := slices.ContainsFunc(pg.Persons, func(p sqlstore.AgreementPerson) bool { return p.RecordID == target }); found == withheld {
				t.Errorf("%s: search by the withheld person's number: found %v", login, found)
			}
		}
		// The database changed behind the store: another record takes
		// the commitment the document holds for one of UA's persons.
		r, err := db.AgreementPersons(ctx, f.scopes["op"], f.ex, 0)
		if err != nil {
			t.Fatal(err)
		}
		victim := f.held["UA"][0]
		vp, _ := byID(r, victim)
		extra, err := db.CreateRecords(ctx, f.scopes["ua-reg"], []sqlstore.NewRecord{{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
			Status: person.StatusPOW, Surname: "Підставний", GivenNames: "Іван", ServiceNumber: "А-999999"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DropGuards(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, `UPDATE record_versions SET commitment = ? WHERE record_seq = (SELECT seq FROM records WHERE id = ?)`, "00"+vp.Commitment.String()[2:], victim); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, `UPDATE record_versions SET commitment = ? WHERE record_seq = (SELECT seq FROM records WHERE id = ?)`, vp.Commitment.String(), extra[0].ID); err != nil {
			t.Fatal(err)
		}
		r, err = db.AgreementPersons(ctx, f.scopes["ua-appr"], f.ex, 0)
		if err != nil {
			t.Fatal(err)
		}
		shown, ok := byID(r, extra[0].ID)
		if !ok || shown.Surname != "Підставний" || !shown.Unverified {
			t.Errorf("the record under the victim's commitment is shown as %+v", shown)
		}
		probs := exchange.CheckRendering(r.Agreement, r.Rendered())
		var codes []string
		for _, p := range probs {
			codes = append(codes, p.Code+" "+p.Args[0])
		}
		if want := []string{exchange.RenderingMissing + " " + victim, exchange.RenderingExtra + " " + extra[0].ID}; !slices.Equal(codes, want) {
			t.Errorf("problems %v, want %v", codes, want)
		}
	})
}

// TestAgreementRenderingQuery: search, sort, pages and counts of a
// rendering.
func TestAgreementRenderingQuery(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	ctx := context.Background()
	f := newCrossing(t, db, 12, true)
	r, err := db.AgreementPersons(ctx, f.scopes["ua-appr"], f.ex, 0)
	if err != nil {
		t.Fatal(err)
	}
	all := r.Query(sqlstore.RenderingQuery{})
	if all.Total != 28 || all.Counts["UA"][person.Military] != 14 || all.Counts["RU"][person.Military] != 14 {
		t.Fatalf("total %d, counts %v", all.Total, all.Counts)
	}
	pg := r.Query(sqlstore.RenderingQuery{Party: "RU", Stage: -1})
	if pg.Total != 2 || pg.Persons[0].Stage != 0 || pg.Persons[0].Party != "RU" {
		t.Errorf("RU's reserve: %+v", pg)
	}
	pg = r.Query(sqlstore.RenderingQuery{Sort: "name", Size: 5, Page: 2})
	if pg.Pages != 6 || pg.Page != 2 || len(pg.Persons) != 5 {
		t.Errorf("page %d of %d, %d persons", pg.Page, pg.Pages, len(pg.Persons))
	}
	names := r.Query(sqlstore.RenderingQuery{Sort: "name"}).Persons
	if !slices.IsSortedFunc(names, func(a, b sqlstore.AgreementPerson) int { return compareFold(a.Name(), b.Name()) }) {
		t.Error("not sorted by name")
	}
	desc := r.Query(sqlstore.RenderingQuery{Sort: "name", Desc: true}).Persons
	if desc[0].Name() != names[len(names)-1].Name() {
		t.Error("not sorted by name, descending")
	}
	id := f.held["RU"][4]
	fl := f.fields[id]
	for _, q := range []string{fl.ServiceNumber, "P" + fl.ServiceNumber[len("Р"):], id} {
		pg := r.Query(sqlstore.RenderingQuery{Search: q})
		if !slices.ContainsFunc(pg.Persons, func(p sqlstore.AgreementPerson) bool { return p.RecordID == id }) {
			t.Errorf("%q does not find %s", q, id)
		}
	}
	for _, q := range []string{"коваленко", "Kovalenko"} {
		pg := r.Query(sqlstore.RenderingQuery{Search: q})
		if pg.Total == 0 || pg.Total == all.Total {
			t.Errorf("%q finds %d", q, pg.Total)
		}
		for _, p := range pg.Persons {
			if p.Surname != "Коваленко" {
				t.Errorf("%q finds %s", q, p.Name())
			}
		}
	}
}

func compareFold(a, b string) int {
	a, b = person.Fold(a), person.Fold(b)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestListedNames: the names of listed persons by record id, as List
// discloses them; nothing of a record no list of the exchange holds, and
// nothing of a withheld record to the other party.
func TestListedNames(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 2, false)
		target := f.held["RU"][0]
		f.markDetrimental(t, target, "ru-reg", "")
		outsider, err := db.CreateRecords(ctx, f.scopes["ru-reg"], []sqlstore.NewRecord{{Party: "RU", Fields: person.Fields{Kind: person.Held, Category: person.Military, Status: person.StatusPOW, Surname: "Сторонній"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{f.held["UA"][0], f.held["RU"][1], target, outsider[0].ID}
		for login, want := range map[string][]bool{"ua-reg": {true, true, false, false}, "ru-reg": {true, true, true, false}} {
			names, err := db.ListedNames(ctx, f.scopes[login], f.ex, ids)
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range ids {
				if _, ok := names[id]; ok != want[i] {
					t.Errorf("%s: %s named %v, want %v (%v)", login, id, ok, want[i], names)
				}
			}
			fl := f.fields[f.held["UA"][0]]
			if n := names[f.held["UA"][0]]; n != fl.DisplayName() {
				t.Errorf("%s: %q", login, n)
			}
		}
	})
}

// BenchmarkAgreementPersons1k renders an agreement of 1,000 persons a side
// (and two reserves each) for a party's approver: every record version
// found by its commitment, its commitment recomputed, the withheld marks
// read; then the page's query (a search and a sort) over the rendering.
//
//	go test -run '^$' -bench AgreementPersons1k -benchtime 10x ./internal/sqlstore/
func BenchmarkAgreementPersons1k(b *testing.B) {
	db := sqltest.Open(b, "sqlite")
	f := newCrossing(b, db, 1000, true)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		r, err := db.AgreementPersons(ctx, f.scopes["ua-appr"], f.ex, 0)
		if err != nil {
			b.Fatal(err)
		}
		if pg := r.Query(sqlstore.RenderingQuery{Search: "коваленко", Sort: "name", Size: 50}); pg.Total == 0 {
			b.Fatal("the search finds no one")
		}
	}
}
