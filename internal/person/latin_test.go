package person_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
)

// TestLatinKMU55Examples: every example of the KMU 55/2010 table, as the
// surname of a Ukrainian record (UA's own sought person), is written in
// Latin by that system and the record names the system — also the names
// without і, ї, є or ґ, which a guess from the letters would get wrong.
func TestLatinKMU55Examples(t *testing.T) {
	f, err := os.Open("testdata/kmu55.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n, plain := 0, 0
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 3 || col[2] != "uk-KMU-55-2010" {
			t.Fatalf("bad line %q", sc.Text())
		}
		n++
		if !strings.ContainsAny(col[0], "іїєґ") {
			plain++
		}
		rec := person.Record{Party: "UA", Fields: person.Fields{Kind: person.Sought, Surname: col[0]}}
		got := rec.Latin()
		if got.Text != col[1] || got.System != person.LatinKMU55 {
			t.Errorf("%s: got %q by %s, want %q by %s", col[0], got.Text, got.System, col[1], person.LatinKMU55)
		}
	}
	if n < 70 || plain < 30 {
		t.Fatalf("read %d examples (%d without і, ї, є, ґ), want the whole table", n, plain)
	}
}

// TestLatinICAOExamples: every sample of the ICAO Doc 9303 schema, as the
// name of a Russian record (RU's own sought person), is written in Latin
// by the passport system.
func TestLatinICAOExamples(t *testing.T) {
	b, err := os.ReadFile("testdata/icao_doc_9303.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Samples [][]string `json:"samples"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	if len(schema.Samples) < 5 {
		t.Fatalf("%d samples", len(schema.Samples))
	}
	for _, s := range schema.Samples {
		rec := person.Record{Party: "RU", Fields: person.Fields{Kind: person.Sought, FullName: s[0]}}
		if got := rec.Latin(); got.Text != s[1] || got.System != person.LatinICAO {
			t.Errorf("%s: got %q by %s, want %q by %s", s[0], got.Text, got.System, s[1], person.LatinICAO)
		}
	}
}

// TestLatinDecidedFromTheRecord: the system follows the record — an
// explicit name language, then citizenship, then the power depended on,
// then whose person the record is (a party's own sought person, or the
// other party's person it holds) — never the presence of four letters.
func TestLatinDecidedFromTheRecord(t *testing.T) {
	hutsul := person.Fields{Surname: "Гуцул", GivenNames: "Павло", Patronymic: "Володимирович"}
	bondarenko := person.Fields{Surname: "Бондаренко", GivenNames: "Василь", Patronymic: "Васильович"}
	with := func(f person.Fields, change func(*person.Fields)) person.Fields { change(&f); return f }
	cases := []struct {
		name   string
		party  string
		f      person.Fields
		want   string
		system person.LatinSystem
		by     string
	}{
		{"UA's own sought person", "UA", with(hutsul, func(f *person.Fields) { f.Kind = person.Sought }), "Hutsul Pavlo Volodymyrovych", person.LatinKMU55, "party"},
		{"UA's sought, no і/ї/є/ґ", "UA", with(bondarenko, func(f *person.Fields) { f.Kind = person.Sought }), "Bondarenko Vasyl Vasylovych", person.LatinKMU55, "party"},
		{"held by RU: a Ukrainian", "RU", with(bondarenko, func(f *person.Fields) { f.Kind = person.Held }), "Bondarenko Vasyl Vasylovych", person.LatinKMU55, "party"},
		{"held by UA: a Russian", "UA", person.Fields{Kind: person.Held, Surname: "Щукин", GivenNames: "Виктор"}, "Shchukin Viktor", person.LatinICAO, "party"},
		{"RU's own sought person", "RU", person.Fields{Kind: person.Sought, Surname: "Подъячев", GivenNames: "Юлия"}, "Podieiachev Iuliia", person.LatinICAO, "party"},
		{"held by UA, Ukrainian citizen", "UA", with(hutsul, func(f *person.Fields) { f.Kind, f.Citizenship = person.Held, "Україна" }), "Hutsul Pavlo Volodymyrovych", person.LatinKMU55, "citizenship"},
		{"held by RU, Russian citizen", "RU", with(hutsul, func(f *person.Fields) { f.Kind, f.Citizenship = person.Held, "Российская Федерация" }), "Gutsul Pavlo Volodimirovich", person.LatinICAO, "citizenship"},
		{"power depended on", "RU", with(hutsul, func(f *person.Fields) { f.Kind, f.Power = person.Held, "RU" }), "Gutsul Pavlo Volodimirovich", person.LatinICAO, "power"},
		{"explicit name language wins", "UA", with(hutsul, func(f *person.Fields) { f.Kind, f.Citizenship, f.NameLanguage = person.Sought, "UA", "ru" }), "Gutsul Pavlo Volodimirovich", person.LatinICAO, "name_language"},
		{"nothing known: Ukrainian letters", "", with(hutsul, func(f *person.Fields) { f.Surname = "Гуцулів" }), "Hutsuliv Pavlo Volodymyrovych", person.LatinKMU55, "letters"},
		{"nothing known: Russian letters", "", person.Fields{Surname: "Съёмкин"}, "Sieemkin", person.LatinICAO, "letters"},
		{"a Latin name stays", "UA", person.Fields{Kind: person.Held, Surname: "Smith", GivenNames: "John"}, "Smith John", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := person.Record{Party: tc.party, Fields: tc.f}
			got := rec.Latin()
			if got.Text != tc.want || got.System != tc.system || got.By != tc.by {
				t.Errorf("got %q by %q (decided by %q), want %q by %q (%q)", got.Text, got.System, got.By, tc.want, tc.system, tc.by)
			}
		})
	}
}

// TestRecordJSONSaysTheSystem: a record as the API sends it carries its
// Latin form and the system that produced it.
func TestRecordJSONSaysTheSystem(t *testing.T) {
	rec := person.Record{ID: "r1", Party: "UA", Fields: person.Fields{Kind: person.Sought, Category: person.Military, Surname: "Гуцул", GivenNames: "Павло"}}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["latin"] != "Hutsul Pavlo" || m["latin_system"] != "kmu-55-2010" || m["surname"] != "Гуцул" || m["id"] != "r1" {
		t.Errorf("JSON %s", b)
	}
	var back person.Record
	if err := json.Unmarshal(b, &back); err != nil || back.Surname != "Гуцул" || back.ID != "r1" {
		t.Errorf("read back %+v, %v", back, err)
	}
}

// TestNameLanguageValidated: only uk and ru are name languages.
func TestNameLanguageValidated(t *testing.T) {
	f := person.Fields{Kind: person.Held, Category: person.Military, Surname: "Гуцул", NameLanguage: "pl"}
	if err := f.Validate(time.Date(2025, 5, 23, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "name_language") {
		t.Errorf("name_language pl: %v", err)
	}
	f.NameLanguage = "uk"
	if err := f.Validate(time.Date(2025, 5, 23, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("name_language uk: %v", err)
	}
}
