package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"

	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// TestLookupNamesakesBothSides looks up a name borne by a person each side
// releases: every officer sees both, whichever side he stands on.
func TestLookupNamesakesBothSides(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, db, 20, true)
		ua, ru := f.held["UA"][3], f.held["RU"][3]
		fl := f.fields[ua]
		if g := f.fields[ru]; g.Surname != fl.Surname || g.GivenNames != "Олександр" || fl.GivenNames != "Олександр" {
			t.Fatalf("fixture: %s %s and %s %s are not namesakes", fl.Surname, fl.GivenNames, g.Surname, g.GivenNames)
		}
		// RU writes its person in Russian: the same name, another form.
		g := f.fields[ru]
		g.GivenNames = "Александр"
		if _, err := db.CorrectRecord(ctx, f.scopes["ru-reg"], ru, 1, g, "Russian form"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"ua-officer", "ru-officer", "med-officer", "op"} {
			for _, q := range []string{fl.Surname, fl.Surname + " " + fl.GivenNames, fl.Surname + " Александр", names.Latin(fl.Surname + " " + fl.GivenNames)} {
				hits, err := db.Lookup(ctx, f.scopes[login], f.ex, 1, q, 20)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]bool{}
				for _, h := range hits {
					got[h.RecordID] = true
				}
				if !got[ua] || !got[ru] {
					t.Errorf("%s looks up %q: %d hits, UA's namesake %v, RU's %v", login, q, len(hits), got[ua], got[ru])
				}
			}
		}
	})
}

// searchIDs returns the ids a register search finds, in the order given.
func searchIDs(t *testing.T, db *sqlstore.DB, s access.Scope, f sqlstore.RecordFilter) []string {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 1000
	}
	p, err := db.Records(context.Background(), s, f)
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	ids := []string{}
	for _, r := range p.Records {
		ids = append(ids, r.ID)
	}
	return ids
}

func sameIDs(got []string, want ...string) bool {
	return strings.Join(sortedStrings(got), " ") == strings.Join(sortedStrings(want), " ")
}

// TestSearchAcrossScripts searches a register by words in any script: a
// Latin word finds a name entered only in Cyrillic, a Russian form finds
// the Ukrainian one, a word typed half-way finds the name it begins, and
// every word of the query must be found.
func TestSearchAcrossScripts(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		mk := func(surname, given, patronymic, sn, unit string, latin ...string) string {
			f := held(surname)
			f.GivenNames, f.Patronymic, f.ServiceNumber, f.Unit, f.LatinNames = given, patronymic, sn, unit, latin
			r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		petrenkoO := mk("Петренко", "Олександр", "Іванович", "А-123456", "в/ч А0501")
		petrenkoA := mk("Петренко", "Андрій", "Петрович", "Б-654321", "")
		kovalchuk := mk("Ковальчук", "Сергій", "", "", "", "Kovalchuk Serhii")
		aleksandr := mk("Петров", "Александр", "Иванович", "", "")
		dartagnan := mk("Д'Артаньян", "Шарль", "", "", "")
		tests := []struct {
			q    string
			want []string
		}{
			{"Petrenko", []string{petrenkoO, petrenkoA}},
			{"ПЕТРЕНКО", []string{petrenkoO, petrenkoA}},
			{"Петр", []string{petrenkoO, petrenkoA, aleksandr}},
			{"petr", []string{petrenkoO, petrenkoA, aleksandr}},
			{"Петров", []string{aleksandr, petrenkoA}}, // Петров, Петрович
			{"etrenko", nil}, // a prefix of a word, not any part of it
			{"Oleksandr", []string{petrenkoO, aleksandr}},
			{"Александр", []string{petrenkoO, aleksandr}},
			{"Олександр", []string{petrenkoO, aleksandr}},
			{"Alexander", []string{petrenkoO, aleksandr}},
			{"Ivanovych", []string{petrenkoO, aleksandr}},
			{"Petrenko Oleksandr", []string{petrenkoO}},
			{"oleksandr   PETRENKO", []string{petrenkoO}},
			{"Петренко, Олександр", []string{petrenkoO}},
			{"«Petrenko» (Oleksandr)", []string{petrenkoO}},
			{"Petrenko Serhii", nil},
			{"Ковальчук", []string{kovalchuk}},
			{"Kovalchuk", []string{kovalchuk}},
			{"Kovalc", []string{kovalchuk}},
			{"Kowalczuk", []string{kovalchuk}},
			{"Serhiy", []string{kovalchuk}},
			{"Сергей", []string{kovalchuk}},
			{"д’артаньян", []string{dartagnan}},
			{"Dartanian", []string{dartagnan}},
			{"А-123456", []string{petrenkoO}},
			{"A-123456", []string{petrenkoO}},
			{"a123", []string{petrenkoO}},
			{"654321", []string{petrenkoA}},
			{"в/ч", []string{petrenkoO}},
			{"zzzz-no-such-name", nil},
			{"100%", nil},
			{"_", nil},
		}
		for _, tc := range tests {
			if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: tc.q}); !sameIDs(got, tc.want...) {
				t.Errorf("search %q: got %v, want %v", tc.q, got, tc.want)
			}
		}
	})
}

// TestSearchFollowsCorrection: a corrected name is found by its new
// spelling only.
func TestSearchFollowsCorrection(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Шевчук")})
		if err != nil {
			t.Fatal(err)
		}
		f := r.Fields
		f.Surname = "Мельник"
		f.ServiceNumber = "В-777000"
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 1, f, "surname misread"); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{
			"Шевчук": nil, "Shevchuk": nil, "А-123456": nil,
			"Мельник": {r.ID}, "Melnyk": {r.ID}, "В-777000": {r.ID}, "Олександр": {r.ID},
		} {
			if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: q}); !sameIDs(got, want...) {
				t.Errorf("after the correction, search %q: got %v, want %v", q, got, want)
			}
		}
	})
}

// TestSearchImportAndPaging imports a list in one batch, as a file import
// does, and pages through a search in creation order with the filters
// applied.
func TestSearchImportAndPaging(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		var nrs []sqlstore.NewRecord
		for i := range 300 {
			f := held([]string{"Бондаренко", "Бондар", "Ткаченко"}[i%3])
			if i%4 == 0 {
				f.Category = person.Civilian
			}
			nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f, Source: "list.xlsx", Ref: fmt.Sprintf("row %d", i+2)})
		}
		recs, err := db.CreateRecords(ctx, sc["ua-reg"], nrs)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, r := range recs {
			if i%3 != 2 {
				want = append(want, r.ID) // Бондаренко and Бондар
			}
		}
		var got []string
		cursor := ""
		pages := 0
		for {
			p, err := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{Text: "bondar", Cursor: cursor, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range p.Records {
				got = append(got, r.ID)
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || pages != 4 {
			t.Errorf("paged %d of %d records in creation order in %d pages, want 4 pages", len(got), len(want), pages)
		}
		civ := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Bondarenko", Category: person.Civilian})
		n := 0
		for i := range recs {
			if i%3 == 0 && i%4 == 0 {
				n++
			}
		}
		if len(civ) != n {
			t.Errorf("civilian Bondarenko: %d, want %d", len(civ), n)
		}
		if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Bondarenko", Status: person.StatusPOW}); len(got) != 0 {
			t.Errorf("a status no record has: %d found", len(got))
		}
	})
}

// TestSearchScoped: the term table never lets another party's register,
// or a register the scope may not read, through.
func TestSearchScoped(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ids := map[string]string{}
		for _, p := range []string{"UA", "RU"} {
			for _, k := range []person.Kind{person.Held, person.Sought} {
				f := held("Петренко")
				f.Kind = k
				if k == person.Sought {
					f.Status = person.StatusMissing
				}
				r, err := db.CreateRecord(ctx, sc[strings.ToLower(p)+"-reg"], sqlstore.NewRecord{Party: p, Fields: f})
				if err != nil {
					t.Fatal(err)
				}
				ids[p+string(k)] = r.ID
			}
		}
		if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Petrenko"}); !sameIDs(got, ids["UAheld"], ids["UAsought"]) {
			t.Errorf("UA's registrar finds %v", got)
		}
		if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Petrenko", Kind: person.Sought}); !sameIDs(got, ids["UAsought"]) {
			t.Errorf("UA's registrar in the sought register finds %v", got)
		}
		if got := searchIDs(t, db, sc["ru-reg"], sqlstore.RecordFilter{Text: "Петренко", Party: "RU", Kind: person.Held}); !sameIDs(got, ids["RUheld"]) {
			t.Errorf("RU's registrar in its held register finds %v", got)
		}
		if _, err := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{Text: "Petrenko", Party: "RU"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("UA searches RU's register: got %v, want forbidden", err)
		}
		if _, err := db.Records(ctx, sc["ua-officer"], sqlstore.RecordFilter{Text: "Petrenko"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("an officer searches the registers: got %v, want forbidden", err)
		}
		var all []string
		for _, id := range ids {
			all = append(all, id)
		}
		if got := searchIDs(t, db, sc["op"], sqlstore.RecordFilter{Text: "Petrenko"}); !sameIDs(got, all...) {
			t.Errorf("the mediator finds %v", got)
		}
	})
}

// TestSearchKeysRebuiltAtOpen: a database whose search keys are missing
// (written before migration 0012, or by an older derivation) gets them
// back when it is opened.
func TestSearchKeysRebuiltAtOpen(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			sc := fixture(t, db)
			r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Лисенко")})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{`DELETE FROM record_terms`, `DELETE FROM record_terms_state`} {
				if err := db.RawExec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Lysenko"}); len(got) != 0 {
				t.Fatalf("without its keys the record is still found: the search does not use them")
			}
			db.Close()
			if db, err = sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key}); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := searchIDs(t, db, sc["ua-reg"], sqlstore.RecordFilter{Text: "Lysenko"}); !sameIDs(got, r.ID) {
				t.Errorf("after reopening: %v, want %s", got, r.ID)
			}
		})
	}
}

// TestTraceSearchByTerms finds a bureau's sought persons by name in any
// script and birth date through the search keys, never another party's,
// and follows a correction.
func TestTraceSearchByTerms(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		mk := func(p, surname, given string, year int) string {
			f := held(surname)
			f.Kind, f.Status, f.GivenNames, f.BirthDate = person.Sought, person.StatusMissing, given, person.Date{}
			if year > 0 {
				f.BirthDate = person.Date{Year: year, Month: 3}
			}
			r, err := db.CreateRecord(ctx, sc[strings.ToLower(p)+"-reg"], sqlstore.NewRecord{Party: p, Fields: f})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		o := mk("UA", "Петренко", "Олександр", 1990)
		a := mk("UA", "Петренко", "Андрій", 1985)
		k := mk("UA", "Коваленко", "Олександр", 1990)
		mk("RU", "Петренко", "Александр", 1990)
		mk("UA", "Петренко", "Олександр", 0) // no birth date: never found by one
		hs := func(name, birth string) []string {
			t.Helper()
			hits, err := db.TraceSearch(ctx, sc["ua-reg"], name, birth, 20)
			if err != nil {
				t.Fatalf("trace search %q %q: %v", name, birth, err)
			}
			ids := []string{}
			for _, h := range hits {
				if h.Party != "UA" || h.Kind != person.Sought {
					t.Errorf("trace search %q: a %s %s record", name, h.Party, h.Kind)
				}
				ids = append(ids, h.RecordID)
			}
			return ids
		}
		if got := hs("Petrenko Oleksandr", "1990"); !sameIDs(got, o) {
			t.Errorf("Petrenko Oleksandr 1990: %v, want %s", got, o)
		}
		if got := hs("Петренко Александр", "1990-03"); !sameIDs(got, o) {
			t.Errorf("the Russian form: %v, want %s", got, o)
		}
		if got := hs("Петренко", "1985"); !sameIDs(got, a) {
			t.Errorf("Петренко 1985: %v, want %s", got, a)
		}
		if got := hs("Petrenko", "1991"); len(got) != 0 {
			t.Errorf("a wrong year finds %v", got)
		}
		if got := hs("Коваленко Oleksandr", ""); len(got) == 0 || got[0] != k {
			t.Errorf("Коваленко Oleksandr: %v, want %s first", got, k)
		}
		if got := hs("Zzzzyx", ""); len(got) != 0 {
			t.Errorf("no such name finds %v", got)
		}
		r, err := db.Record(ctx, sc["ua-reg"], a)
		if err != nil {
			t.Fatal(err)
		}
		r.Surname = "Бондар"
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], a, 1, r.Fields, "misread"); err != nil {
			t.Fatal(err)
		}
		if got := hs("Петренко", "1985"); len(got) != 0 {
			t.Errorf("the old surname still finds %v", got)
		}
		if got := hs("Bondar Andrii", "1985"); !sameIDs(got, a) {
			t.Errorf("the new surname: %v, want %s", got, a)
		}
		if _, err := db.TraceSearch(ctx, sc["op"], "Петренко", "", 20); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the mediator: got %v, want forbidden", err)
		}
	})
}

// TestTraceSearchSameAsScan compares the trace search through the search
// keys with the search it replaced (the lookup index of every sought record
// of the party) over a synthetic register: the same persons in the same
// order, for names in Cyrillic and Latin, whole or in part, with and
// without a birth date.
func TestTraceSearchSameAsScan(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		gen := synth.New(synth.Config{Seed: 7, Ref: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), LatinShare: 0.3})
		var nrs []sqlstore.NewRecord
		for _, f := range gen.Records("UA", person.Sought, 2000) {
			nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f})
		}
		recs, err := db.CreateRecords(ctx, sc["ua-reg"], nrs)
		if err != nil {
			t.Fatal(err)
		}
		checked, found := 0, 0
		for i := 0; i < len(recs); i += 199 {
			f := recs[i].Fields
			name := strings.TrimSpace(f.Surname + " " + f.GivenNames)
			if name == "" {
				name = f.FullName
			}
			birth := ""
			if s := f.BirthDate.String(); len(s) >= 4 {
				birth = s[:4]
			}
			for _, q := range [][2]string{
				{name, ""}, {name, birth}, {names.Latin(name), ""}, {names.Latin(f.Surname), birth},
				{f.Surname, ""}, {f.GivenNames + " " + f.Patronymic, ""}, {names.Latin(f.FullName), ""}, {"Qwyzx " + f.GivenNames, ""},
			} {
				if strings.TrimSpace(q[0]) == "" {
					continue
				}
				want, err := db.TraceSearchIDs(ctx, "UA", q[0], q[1], 20, true)
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.TraceSearchIDs(ctx, "UA", q[0], q[1], 20, false)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("trace search %q %q: by the keys %v, by the scan %v", q[0], q[1], got, want)
				}
				checked++
				if len(want) > 0 {
					found++
				}
			}
		}
		t.Logf("%d searches agree, %d of them finding someone", checked, found)
		if found < checked/2 {
			t.Errorf("only %d of %d searches found anyone: the comparison says little", found, checked)
		}
	})
}

// BenchmarkSearch100k searches a register of 100,000 records (one party's
// 50,000 held and 50,000 sought) by name terms: the register search by a
// common surname (the page of 100 fills), the same in Latin letters, a
// surname with a given name, a prefix of three letters, a service number
// and a name nobody has; and the trace search by a common surname, with a
// birth year, and by a full name in Latin letters. It prints the p50 and
// p99 and fails on nothing:
//
//	go test -run '^$' -bench Search100k -benchtime 50x ./internal/sqlstore
func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects() {
		db, s, recs := bigRegister(b, dialect)
		if dialect == "postgres" {
			// Autovacuum analyzes the tables after a bulk insert; the test
			// server may run without it, and without statistics the
			// planner scans a table for a list of keys.
			if err := db.RawExec(ctx, `ANALYZE`); err != nil {
				b.Fatal(err)
			}
		}
		count := map[string]int{}
		common := ""
		var some person.Record
		for _, r := range recs {
			if r.Surname == "" || r.GivenNames == "" || r.Kind != person.Sought {
				continue
			}
			count[r.Surname]++
			if count[r.Surname] > count[common] {
				common = r.Surname
			}
			if some.ID == "" && r.ServiceNumber != "" && r.BirthDate.Year > 0 && len(recs) > 0 {
				some = r
			}
		}
		b.Logf("%s: the commonest surname %s is borne by %d sought persons", dialect, common, count[common])
		year := fmt.Sprint(some.BirthDate.Year)
		for _, c := range []struct {
			name string
			f    sqlstore.RecordFilter
		}{
			{"register/common-surname", sqlstore.RecordFilter{Kind: person.Held, Text: common}},
			{"register/common-surname-latin", sqlstore.RecordFilter{Kind: person.Held, Text: names.Latin(common)}},
			{"register/surname-and-given", sqlstore.RecordFilter{Kind: person.Sought, Text: names.Latin(some.Surname + " " + some.GivenNames)}},
			{"register/prefix-3", sqlstore.RecordFilter{Kind: person.Held, Text: string([]rune(common)[:3])}},
			{"register/one-letter", sqlstore.RecordFilter{Kind: person.Held, Text: string([]rune(common)[:1])}},
			{"register/two-words-one-letter-each", sqlstore.RecordFilter{Kind: person.Held, Text: "о п"}},
			{"register/service-number", sqlstore.RecordFilter{Text: some.ServiceNumber}},
			{"register/no-match", sqlstore.RecordFilter{Kind: person.Held, Text: "zzzz-no-such-name"}},
		} {
			b.Run(dialect+"/"+c.name, func(b *testing.B) {
				var lat []time.Duration
				found := 0
				for b.Loop() {
					t0 := time.Now()
					p, err := db.Records(ctx, s, c.f)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					found = len(p.Records)
				}
				reportLatencies(b, lat)
				b.ReportMetric(float64(found), "records/page")
			})
		}
		for _, c := range []struct{ name, q, birth string }{
			{"trace/common-surname", common, ""},
			{"trace/common-surname-year", common, year},
			{"trace/full-name-latin", names.Latin(some.Surname + " " + some.GivenNames + " " + some.Patronymic), ""},
			{"trace/no-match", "Zzzzyx", ""},
		} {
			b.Run(dialect+"/"+c.name, func(b *testing.B) {
				var lat []time.Duration
				found := 0
				for b.Loop() {
					t0 := time.Now()
					hits, err := db.TraceSearch(ctx, s, c.q, c.birth, 20)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					found = len(hits)
				}
				reportLatencies(b, lat)
				b.ReportMetric(float64(found), "hits")
			})
		}
	}
}

// TestRecordTermsVersion pins the search terms of one record. Terms filed
// by another derivation than the one searching would miss records: when
// this test fails because the derivation changed on purpose, raise
// termsVersion in search.go (every store rebuilds its terms at the next
// open) and update the list and the version here.
func TestRecordTermsVersion(t *testing.T) {
	f := person.Fields{Kind: person.Sought, Surname: "Петренко-Коваль", GivenNames: "Олександр", Patronymic: "Іванович",
		LatinNames: []string{"Petrenko-Koval Oleksandr"}, BirthDate: person.Date{Year: 1990, Month: 5}, ServiceNumber: "Р-123456", Unit: "в/ч А0501"}
	want := []string{"w:petrenkokoval", "w:petrenko", "w:koval", "w:oleksandr", "w:ivanoviQ", "w:в/ч", "w:а0501", "n:P123456", "n:123456",
		"1:ptrnkv", "1:ptrnk", "1:kvl", "2:lksndr", "2:dksndr", "3:vnvQ", "b:1990-05"}
	got := sqlstore.RecordTerms(person.Sought, f)
	if strings.Join(got, " ") != strings.Join(want, " ") || sqlstore.TermsVersion != 6 {
		t.Errorf("the search terms changed (version %d):\n got %q\nwant %q\nraise termsVersion in search.go, then update this test", sqlstore.TermsVersion, got, want)
	}
	f.Kind = person.Held
	for _, term := range sqlstore.RecordTerms(person.Held, f) {
		if !strings.HasPrefix(term, "w:") && !strings.HasPrefix(term, "n:") {
			t.Errorf("a held record has the trace term %s", term)
		}
	}
}
