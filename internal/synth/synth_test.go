package synth

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
)

var ref = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type register struct {
	owner string
	kind  person.Kind
}

var registers = []register{{"UA", person.Sought}, {"UA", person.Held}, {"RU", person.Sought}, {"RU", person.Held}}

func (r register) String() string { return r.owner + "/" + string(r.kind) }

// size is the number of records per register in the statistical tests.
func size(t testing.TB) int {
	if testing.Short() {
		return 4000
	}
	return 20000
}

func TestRecordsValidate(t *testing.T) {
	seeds := []uint64{1, 42, 1 << 40}
	if testing.Short() {
		seeds = seeds[:1]
	}
	n := size(t)
	configs := []Config{
		// A reference date days into the war, with Latin spellings on every
		// record: the edge of the date ranges and every romanisation path.
		{Seed: 2, Ref: time.Date(2022, 3, 10, 0, 0, 0, 0, time.UTC), LatinShare: 1},
		{Seed: 3}, // zero Ref: the default
	}
	for _, seed := range seeds {
		configs = append(configs, Config{Seed: seed, Ref: ref})
	}
	for _, cfg := range configs {
		g := New(cfg)
		if cfg.Ref.IsZero() {
			cfg.Ref = defaultRef
		}
		for _, reg := range registers {
			t.Run(fmt.Sprintf("seed=%d/ref=%s/%s", cfg.Seed, cfg.Ref.Format("2006-01-02"), reg), func(t *testing.T) {
				bad := 0
				for i, f := range g.Records(reg.owner, reg.kind, n) {
					if f.Kind != reg.kind {
						t.Fatalf("record %d: kind %q, want %q", i, f.Kind, reg.kind)
					}
					// The generator writes normalised text: Normalize
					// changes nothing.
					before := f
					before.LatinNames = append([]string(nil), f.LatinNames...)
					f.Normalize()
					if err := f.Validate(cfg.Ref); err != nil {
						if bad++; bad <= 5 {
							t.Errorf("record %d: %v\n%+v", i, err, f)
						}
						continue
					}
					if !reflect.DeepEqual(before, f) {
						if bad++; bad <= 5 {
							t.Errorf("record %d changed on Normalize:\n got %+v\nwant %+v", i, before, f)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%d of %d records invalid", bad, n)
				}
			})
		}
	}
}

func TestDeterministic(t *testing.T) {
	gen := func(seed uint64) [][]person.Fields {
		g := New(Config{Seed: seed, Ref: ref})
		var out [][]person.Fields
		for _, reg := range registers {
			out = append(out, g.Records(reg.owner, reg.kind, 2000))
		}
		return out
	}
	a, b := gen(7), gen(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different records")
	}
	c := gen(8)
	if reflect.DeepEqual(a[0][:10], c[0][:10]) {
		t.Fatal("different seeds gave the same records")
	}
	// Ref sets "today", not the clock: the wall-clock time of day of Ref
	// does not matter.
	d := New(Config{Seed: 7, Ref: ref.Add(5 * time.Hour)})
	if got := d.Records("UA", person.Sought, 2000); !reflect.DeepEqual(got, a[0]) {
		t.Fatal("the time of day of Ref changed the records")
	}
}

// stats counts what the distribution tests look at.
type stats struct {
	n                                         int
	cat                                       map[person.Category]int
	status                                    map[person.Status]int
	female, yearOnly, monthOnly, noBirth, lat int
	fullNameOnly, unidentified, caps          int
}

func collect(fs []person.Fields) stats {
	s := stats{n: len(fs), cat: map[person.Category]int{}, status: map[person.Status]int{}}
	for _, f := range fs {
		s.cat[f.Category]++
		s.status[f.Status]++
		if f.Sex == person.Female {
			s.female++
		}
		switch f.BirthDate.Precision() {
		case "year":
			s.yearOnly++
		case "month":
			s.monthOnly++
		case "":
			s.noBirth++
		}
		if len(f.LatinNames) > 0 {
			s.lat++
		}
		if f.FullName != "" && f.Surname == "" {
			s.fullNameOnly++
		}
		if f.IdentityNotEstablished {
			s.unidentified++
		}
		if f.Surname != "" && f.Surname == strings.ToUpper(f.Surname) {
			s.caps++
		}
	}
	return s
}

func (s stats) share(k int) float64 { return float64(k) / float64(s.n) }

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if got < want-tol || got > want+tol {
		t.Errorf("%s: share %.3f, want %.3f ± %.3f", what, got, want, tol)
	}
}

func TestDistribution(t *testing.T) {
	g := New(Config{Seed: 3, Ref: ref})
	n := size(t)
	tol := 0.015
	if testing.Short() {
		tol = 0.03
	}
	for _, reg := range registers {
		t.Run(reg.String(), func(t *testing.T) {
			s := collect(g.Records(reg.owner, reg.kind, n))
			within(t, "military", s.share(s.cat[person.Military]), 0.85, tol)
			within(t, "civilian", s.share(s.cat[person.Civilian]), 0.10, tol)
			within(t, "seriously wounded or sick", s.share(s.cat[person.SeriouslyWoundedSick]), 0.05, tol)
			within(t, "women", s.share(s.female), 0.05, tol)
			within(t, "year-only birth dates", s.share(s.yearOnly), 0.15, tol)
			within(t, "year-month birth dates", s.share(s.monthOnly), 0.05, tol)
			within(t, "unknown birth dates", s.share(s.noBirth), 0.02, tol)
			within(t, "Latin spellings", s.share(s.lat), DefaultLatinShare, tol)
			within(t, "full name only", s.share(s.fullNameOnly), 0.03, tol)
			if reg.kind == person.Held {
				if s.share(s.status[person.StatusPOW]) < 0.75 {
					t.Errorf("pow share %.3f, want most", s.share(s.status[person.StatusPOW]))
				}
				if s.unidentified == 0 {
					t.Error("no record with the identity not established")
				}
			} else if s.share(s.status[person.StatusPOW]) < 0.5 {
				t.Errorf("pow share %.3f, want most", s.share(s.status[person.StatusPOW]))
			}
			if s.caps == 0 {
				t.Error("no surname in capitals")
			}
		})
	}
}

func TestLookalikes(t *testing.T) {
	g := New(Config{Seed: 19, Ref: ref})
	n := size(t)
	flagged := 0
	for _, reg := range registers {
		for _, f := range g.Records(reg.owner, reg.kind, n) {
			if len(f.Check()) > 0 {
				flagged++
			}
		}
	}
	if share := float64(flagged) / float64(4*n); share == 0 || share > 0.01 {
		t.Errorf("%.4f of records have mixed-script names, want a few", share)
	}
}

func TestLatinShare(t *testing.T) {
	for _, tc := range []struct {
		share, want float64
	}{{-1, 0}, {0.5, 0.5}, {1, 1}} {
		g := New(Config{Seed: 5, Ref: ref, LatinShare: tc.share})
		fs := g.Records("RU", person.Held, 4000)
		named, lat := 0, 0
		for _, f := range fs {
			if f.Surname == "" && f.FullName == "" {
				continue
			}
			named++
			if len(f.LatinNames) > 0 {
				lat++
			}
			for _, l := range f.LatinNames {
				if strings.ContainsFunc(l, func(r rune) bool { return r > 0x7f }) {
					t.Errorf("Latin spelling %q has non-ASCII letters", l)
				}
			}
		}
		within(t, fmt.Sprintf("LatinShare %v", tc.share), float64(lat)/float64(named), tc.want, 0.03)
	}
}

// TestHeldByRussiaUsesRussianForms checks that Ukrainians in the Russian
// held register are mostly written under Russian forms of their given names
// and patronymics, while Ukraine's own register of them uses Ukrainian ones.
func TestHeldByRussiaUsesRussianForms(t *testing.T) {
	uaGiven, ruGiven := map[string]bool{}, map[string]bool{}
	for _, m := range maleNames {
		if m.ua != m.ru {
			uaGiven[m.ua], ruGiven[m.ru] = true, true
			uaGiven[m.uaPatM], ruGiven[m.ruPatM] = true, true
		}
	}
	for _, f := range femaleNames {
		if f.ua != f.ru {
			uaGiven[f.ua], ruGiven[f.ru] = true, true
		}
	}
	// A Russian form that is also some Ukrainian name (Анна, from Ганна)
	// tells nothing.
	for _, m := range maleNames {
		delete(ruGiven, m.ua)
		delete(ruGiven, m.uaPatM)
		delete(uaGiven, m.ru)
		delete(uaGiven, m.ruPatM)
	}
	for _, f := range femaleNames {
		delete(ruGiven, f.ua)
		delete(uaGiven, f.ru)
	}
	count := func(fs []person.Fields) (ua, ru int) {
		for _, f := range fs {
			for _, s := range []string{f.GivenNames, noYo(f.Patronymic)} {
				s = strings.NewReplacer("’", "'", "ʼ", "'").Replace(s)
				switch {
				case uaGiven[s]:
					ua++
				case ruGiven[s] || ruGiven[strings.ReplaceAll(s, "е", "ё")]:
					ru++
				}
			}
		}
		return ua, ru
	}
	g := New(Config{Seed: 11, Ref: ref})
	n := size(t)
	ua, ru := count(g.Records("RU", person.Held, n))
	if share := float64(ru) / float64(ua+ru); share < 0.7 {
		t.Errorf("RU held: Russian forms in %.2f of distinguishable names, want at least 0.7", share)
	}
	ua, ru = count(g.Records("UA", person.Sought, n))
	if ru > 0 {
		t.Errorf("UA sought: %d Russian forms among %d names, want none", ru, ua+ru)
	}
	// Russians held by Ukraine: mostly Russian forms, some Ukrainianised.
	ua, ru = count(g.Records("UA", person.Held, n))
	if share := float64(ua) / float64(ua+ru); share < 0.03 || share > 0.3 {
		t.Errorf("UA held: Ukrainian forms in %.2f of distinguishable names, want a few", share)
	}
}

func TestHardCases(t *testing.T) {
	g := New(Config{Seed: 13, Ref: ref})
	n := size(t)
	for _, reg := range registers {
		t.Run(reg.String(), func(t *testing.T) {
			fs := g.Records(reg.owner, reg.kind, n)
			namesakes, brothers := 0, 0
			byName := map[string][]person.Fields{}
			byFamily := map[string][]person.Fields{}
			for _, f := range fs {
				if f.Surname == "" || f.Patronymic == "" || f.BirthDate.IsZero() || strings.HasSuffix(f.GivenNames, ".") {
					continue
				}
				k := fmt.Sprintf("%s|%s|%d", strings.ToLower(f.Surname), f.GivenNames, f.BirthDate.Year)
				for _, o := range byName[k] {
					if o.Patronymic != f.Patronymic {
						namesakes++
					}
				}
				byName[k] = append(byName[k], f)
				if f.BirthPlace == "" {
					continue
				}
				k = strings.ToLower(f.Surname) + "|" + f.Patronymic + "|" + strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(f.BirthPlace, "м. "), "г. "))
				for _, o := range byFamily[k] {
					if o.GivenNames != f.GivenNames {
						brothers++
					}
				}
				byFamily[k] = append(byFamily[k], f)
			}
			if namesakes < n/500 {
				t.Errorf("%d namesakes in %d records, want at least %d", namesakes, n, n/500)
			}
			if brothers < n/500 {
				t.Errorf("%d brothers in %d records, want at least %d", brothers, n, n/500)
			}
		})
	}
}

func TestEventFields(t *testing.T) {
	g := New(Config{Seed: 17, Ref: ref})
	for _, reg := range registers {
		for i, f := range g.Records(reg.owner, reg.kind, 5000) {
			if reg.kind == person.Held {
				if !f.DisappearanceDate.IsZero() || f.DisappearanceCircumstances != "" {
					t.Fatalf("%s record %d has a disappearance", reg, i)
				}
				if d := f.CaptureDate; !d.IsZero() && d.Year < 2022 {
					t.Fatalf("%s record %d captured in %s", reg, i, d)
				}
			} else if f.DisappearanceCircumstances == "" {
				t.Fatalf("%s record %d has no circumstances", reg, i)
			}
			if f.IdentityNotEstablished && f.DistinguishingMarks == "" {
				t.Fatalf("%s record %d: identity not established and no marks", reg, i)
			}
			if f.Category == person.Civilian && (f.Rank != "" || f.ServiceNumber != "") {
				t.Fatalf("%s record %d: a civilian with a rank or number", reg, i)
			}
			if age, ok := f.BirthDate.AgeAt(ref); ok && (age < 17 || age > 90) {
				t.Fatalf("%s record %d: age %d", reg, i, age)
			}
		}
	}
}

func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		owner string
		kind  person.Kind
	}{{"PL", person.Held}, {"UA", person.Remains}, {"", person.Sought}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Record(%q, %q) did not panic", tc.owner, tc.kind)
				}
			}()
			New(Config{}).Record(tc.owner, tc.kind)
		}()
	}
}

func BenchmarkRecords(b *testing.B) {
	for _, reg := range registers {
		b.Run(reg.String(), func(b *testing.B) {
			g := New(Config{Seed: 1, Ref: ref})
			b.ReportAllocs()
			for b.Loop() {
				g.Record(reg.owner, reg.kind)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func ExampleGenerator_Record() {
	g := New(Config{Seed: 1, Ref: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	for _, owner := range []string{"UA", "RU"} {
		f := g.Record(owner, person.Held)
		fmt.Printf("%s holds %s, %s, born %s\n", owner, f.DisplayName(), f.Category, f.BirthDate)
	}
	// Output:
	// UA holds Волков Федір Михайлович, military, born 1982
	// RU holds Ткачук Виталий Александрович, military, born 1991-11-03
}
