package match

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

func testRecord(cfg Config, id string, kv ...string) Record {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return NewRecord(cfg, id, m)
}

// levelsOf compares two records and returns the level names by field.
func levelsOf(t *testing.T, cfg Config, a, b Record) map[string]string {
	t.Helper()
	c := newComparer(&cfg)
	nf := findNameFields(&cfg)
	pa := prepareRecord(&cfg, &nf, c.slot, c.nNames, &a, nil)
	pb := prepareRecord(&cfg, &nf, c.slot, c.nNames, &b, nil)
	out := make([]uint8, len(cfg.Fields))
	c.compare(&a, &b, &pa, &pb, out, newSimCache())
	got := map[string]string{}
	for i, f := range cfg.Fields {
		if out[i] == missing {
			got[f.Name] = "missing"
		} else {
			got[f.Name] = f.Compare.Levels()[out[i]]
		}
	}
	return got
}

func TestComparisonLevels(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name  string
		a, b  []string
		field string
		want  string
	}{
		{"name exact", []string{"surname", "Ковальчук"}, []string{"surname", "Ковальчук"}, "surname", "exact"},
		{"name case", []string{"surname", "Ковальчук"}, []string{"surname", "КОВАЛЬЧУК"}, "surname", "normalised"},
		{"name latin", []string{"surname", "Ковальчук"}, []string{"surname", "KOVALCHUK"}, "surname", "equivalent"},
		{"given ua ru", []string{"given_name", "Олександр"}, []string{"given_name", "Александр"}, "given_name", "equivalent"},
		{"patronymic ua ru", []string{"patronymic", "Миколайович"}, []string{"patronymic", "Николаевич"}, "patronymic", "equivalent"},
		{"surname -ський", []string{"surname", "Вишневський"}, []string{"surname", "Вишневский"}, "surname", "equivalent"},
		{"initial", []string{"given_name", "Олександр"}, []string{"given_name", "О."}, "given_name", "initial"},
		{"name missing", []string{"surname", "Коваль"}, []string{"surname", ""}, "surname", "missing"},
		{"name different", []string{"surname", "Коваль"}, []string{"surname", "Петренко"}, "surname", "different"},
		{"swapped", []string{"surname", "Ковальчук", "given_name", "Олександр"}, []string{"surname", "Oleksandr", "given_name", "Kovalchuk"}, "surname", "swapped"},
		{"swapped across forms", []string{"surname", "Ковальчук", "given_name", "Олександр"}, []string{"surname", "Aleksandr", "given_name", "KOVALCHUK"}, "given_name", "swapped"},
		{"swapped across forms and a typo", []string{"surname", "Казимирчук", "given_name", "Олександр"}, []string{"surname", "Александр", "given_name", "Казмиирчук"}, "surname", "swapped"},
		{"date exact", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "12.05.1998"}, "birth_date", "exact"},
		{"date partial", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "1998"}, "birth_date", "partial"},
		{"date month", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "05.1998"}, "birth_date", "partial"},
		{"date swapped", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "1998-12-05"}, "birth_date", "swapped"},
		{"date typo", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "1998-05-13"}, "birth_date", "typo"},
		{"date year", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "1998-09-30"}, "birth_date", "year"},
		{"date different", []string{"birth_date", "1998-05-12"}, []string{"birth_date", "1979-11-02"}, "birth_date", "different"},
		{"date partial typo", []string{"birth_date", "1991-09"}, []string{"birth_date", "04.09.1995"}, "birth_date", "typo"},
		{"date year typo", []string{"birth_date", "1991-09-04"}, []string{"birth_date", "04/09/6991"}, "birth_date", "typo"},
		{"date month typo", []string{"birth_date", "1983-08-02"}, []string{"birth_date", "02.68.1983"}, "birth_date", "typo"},
		{"code homoglyph", []string{"service_number", "А-123456"}, []string{"service_number", "A123456"}, "service_number", "exact"},
		{"code digits", []string{"service_number", "А-123456"}, []string{"service_number", "123 456"}, "service_number", "digits"},
		{"code typo", []string{"service_number", "А123456"}, []string{"service_number", "А123457"}, "service_number", "typo"},
		{"unit prefix", []string{"unit", "в/ч А0224"}, []string{"unit", "A0224"}, "unit", "exact"},
		{"place cross-script", []string{"birth_place", "Харків"}, []string{"birth_place", "Харьков"}, "birth_place", "equivalent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := levelsOf(t, cfg, testRecord(cfg, "a", tc.a...), testRecord(cfg, "b", tc.b...))[tc.field]
			if got != tc.want {
				t.Errorf("%s level = %s, want %s", tc.field, got, tc.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want date
		ok   bool
	}{
		{"1998-05-12", date{1998, 5, 12}, true},
		{"12.05.1998", date{1998, 5, 12}, true},
		{"12/05/1998", date{1998, 5, 12}, true},
		{"19980512", date{1998, 5, 12}, true},
		{"1998", date{1998, 0, 0}, true},
		{"1998-05", date{1998, 5, 0}, true},
		{"05.1998", date{1998, 5, 0}, true},
		{"1998-05-12T00:00:00", date{1998, 5, 12}, true},
		{"12.13.1998", date{1998, 13, 12}, true}, // kept: a typo or a US date
		{"04/09/6991", date{6991, 9, 4}, true},
		{"00.05.1998", date{1998, 5, 0}, true}, // day unknown
		{"soon", date{}, false},
		{"", date{}, false},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestApart is the domain rule: two men with the same name born in
// different years in different towns are never linked, even when nothing
// else is there to choose.
func TestApart(t *testing.T) {
	cfg := DefaultConfig()
	left := []Record{
		testRecord(cfg, "a1", "surname", "Шевченко", "given_name", "Сергій", "patronymic", "Петрович", "birth_date", "1990-03-01", "birth_place", "Київ"),
		testRecord(cfg, "a2", "surname", "Ковальчук", "given_name", "Олександр", "patronymic", "Миколайович", "birth_date", "1998-05-12", "birth_place", "Харків"),
	}
	right := []Record{
		testRecord(cfg, "b1", "surname", "Шевченко", "given_name", "Сергей", "patronymic", "Петрович", "birth_date", "1979-11-02", "birth_place", "Одесса"),
		testRecord(cfg, "b2", "surname", "KOVALCHUK", "given_name", "ALEKSANDR", "birth_date", "12.05.1998", "birth_place", "Kharkov"),
	}
	res, err := Link(left, right, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Pairs {
		if p.LeftID == "a1" {
			t.Errorf("namesakes of different years and towns linked: %v\n%s", p, p.Explanation)
		}
	}
	if len(res.Pairs) != 1 || res.Pairs[0].RightID != "b2" {
		t.Errorf("pairs = %+v, want a2–b2 only", res.Pairs)
	}
}

func TestExplanation(t *testing.T) {
	cfg := DefaultConfig()
	left := []Record{testRecord(cfg, "a", "surname", "Ковальчук", "given_name", "Олександр", "birth_date", "1998-05-12", "service_number", "А-123456")}
	right := []Record{{ID: "b", Values: make([]string, len(cfg.Fields)), FullName: "KOVALCHUK Oleksandr"}}
	right[0].Values[cfg.Index("birth_date")] = "1998"
	right[0].Values[cfg.Index("service_number")] = "A123456"
	res, err := Link(left, right, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 1 {
		t.Fatalf("pairs = %v", res.Pairs)
	}
	x := res.Pairs[0].Explanation
	sum := x.Prior
	for _, f := range x.Fields {
		sum += f.Weight
	}
	if d := sum - x.Total; d > 1e-9 || d < -1e-9 {
		t.Errorf("prior + field weights = %v, total %v", sum, x.Total)
	}
	levels := map[string]string{}
	for _, f := range x.Fields {
		levels[f.Field] = f.Level
	}
	if levels["surname"] != "equivalent" || levels["birth_date"] != "partial" || levels["service_number"] != "exact" || levels["patronymic"] != "missing" {
		t.Errorf("levels = %v", levels)
	}
	if x.Fields[0].Right != "KOVALCHUK" {
		t.Errorf("surname right value = %q, want the part parsed from the full name", x.Fields[0].Right)
	}
	b, err := json.Marshal(res.Pairs[0])
	if err != nil || !strings.Contains(string(b), `"level":"equivalent"`) {
		t.Errorf("JSON %s, %v", b, err)
	}
	if !strings.Contains(x.String(), "probability") {
		t.Errorf("String() = %q", x.String())
	}
}

func TestDedupe(t *testing.T) {
	cfg := DefaultConfig()
	recs := []Record{
		testRecord(cfg, "1", "surname", "Бондаренко", "given_name", "Андрій", "patronymic", "Іванович", "birth_date", "1985-02-03", "birth_place", "Полтава"),
		testRecord(cfg, "2", "surname", "Шевчук", "given_name", "Іван", "birth_date", "1977-07-07"),
		testRecord(cfg, "3", "surname", "Бондаренко", "given_name", "Андрей", "patronymic", "Иванович", "birth_date", "03.02.1985", "birth_place", "Полтава"),
		testRecord(cfg, "4", "surname", "Бондаренко", "given_name", "Петро", "patronymic", "Іванович", "birth_date", "1981-10-10", "birth_place", "Полтава"), // a brother
	}
	res, err := Dedupe(recs, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Clusters
	if c[0] != c[2] || c[0] == c[1] || c[0] == c[3] {
		t.Errorf("clusters = %v, want records 1 and 3 together, 2 and 4 apart", c)
	}
}

func TestLabelsRefine(t *testing.T) {
	cfg := DefaultConfig()
	left := []Record{testRecord(cfg, "a", "surname", "Коваль", "given_name", "Іван", "birth_date", "1990")}
	right := []Record{testRecord(cfg, "b", "surname", "Koval", "given_name", "Ivan", "birth_date", "1990-01-01")}
	cfg.Labels = []Label{{LeftID: "a", RightID: "b", Match: true}}
	if _, err := Link(left, right, cfg, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestParseConfig(t *testing.T) {
	good := "id = \"rec_id\"\nthreshold = 0.8\n"
	cfg, err := ParseConfig([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ID != "rec_id" || cfg.Threshold != 0.8 || len(cfg.Fields) != 8 {
		t.Errorf("config = %+v", cfg)
	}
	for _, bad := range []string{
		"thresold = 1",
		"[[field]]\nname = \"x\"\ncompare = \"magic\"\n",
		"[[field]]\nname = \"x\"\ncompare = \"name\"\n[[block]]\non = [\"y:key\"]\n",
		"[[field]]\nname = \"x\"\ncompare = \"name\"\n[[block]]\non = [\"x:year\"]\n",
		"threshold = 2",
		"= broken",
	} {
		if _, err := ParseConfig([]byte(bad)); !errs.Is(errs.Invalid, err) {
			t.Errorf("ParseConfig(%q) = %v, want an Invalid error", bad, err)
		}
	}
}

// TestAssignOneToOne checks that the one-to-one assignment does not drop a
// record whose only partner went to a record that had another: greedy by
// weight would keep L0–R0 alone; L0–R1 with L1–R0 keeps both.
func TestAssignOneToOne(t *testing.T) {
	scored := []Pair{
		{Left: 0, Right: 0, Weight: 10},
		{Left: 1, Right: 0, Weight: 9},
		{Left: 0, Right: 1, Weight: 8.5},
		{Left: 2, Right: 2, Weight: 5},
	}
	got := map[[2]int]bool{}
	for _, p := range assign(scored) {
		got[[2]int{p.Left, p.Right}] = true
	}
	want := map[[2]int]bool{{0, 1}: true, {1, 0}: true, {2, 2}: true}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestTFAdjustRareValue checks that agreeing on a value seen once in a
// long list counts as much as its rarity says: the bound of the
// adjustment must not grow tighter than the lists' own (log2 of the mean
// frequency times the number of values), or rare names lose evidence as
// lists grow.
func TestTFAdjustRareValue(t *testing.T) {
	w := &weights{tf: []bool{true}, comp: []Comparison{CompareName}, tfMean: []float64{2e-4}}
	rare := &fval{s: "x", tf: 5e-7} // one value in two million
	got := w.tfAdjust(0, nameExact, rare, rare)
	if want := math.Log2(2e-4 / 5e-7); math.Abs(got-want) > 1e-3 {
		t.Errorf("tfAdjust of a value seen once in 2,000,000: got %.2f bits, want %.2f", got, want)
	}
	common := &fval{s: "y", tf: 0.5}
	if got := w.tfAdjust(0, nameExact, common, common); got != -maxTFAdjust {
		t.Errorf("tfAdjust of a value half the list has: got %.2f bits, want %.2f", got, -maxTFAdjust)
	}
}

// TestStagesComplete: every stage a run reports is one of Stages, so a
// caller that names the stages (the runs page) has a name for each.
func TestStagesComplete(t *testing.T) {
	cfg := DefaultConfig()
	left := []Record{
		testRecord(cfg, "a1", "surname", "Шевченко", "given_name", "Сергій", "birth_date", "1990-03-01"),
		testRecord(cfg, "a2", "surname", "Ковальчук", "given_name", "Олександр", "birth_date", "1998-05-12"),
	}
	right := []Record{
		testRecord(cfg, "b1", "surname", "Шевченко", "given_name", "Сергей", "birth_date", "1990-03-01"),
		testRecord(cfg, "b2", "surname", "KOVALCHUK", "given_name", "ALEKSANDR", "birth_date", "12.05.1998"),
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	if _, err := Link(left, right, cfg, Options{Progress: func(stage string, _, _ int) {
		mu.Lock()
		seen[stage] = true
		mu.Unlock()
	}}); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 4 {
		t.Errorf("a run reported only the stages %v", seen)
	}
	for s := range seen {
		if !slices.Contains(Stages, s) {
			t.Errorf("a run reported the stage %q, not in Stages %v", s, Stages)
		}
	}
}
