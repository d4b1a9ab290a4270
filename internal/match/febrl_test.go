package match

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// readCSV reads a test CSV into records for cfg: header names and values
// trimmed, columns found by name.
func readCSV(t testing.TB, path string, cfg Config) []Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []Record
	for _, row := range rows[1:] {
		rec := Record{ID: get(row, cfg.ID), Values: make([]string, len(cfg.Fields)), FullName: get(row, cfg.FullName)}
		for i, fd := range cfg.Fields {
			rec.Values[i] = get(row, fd.Column)
		}
		out = append(out, rec)
	}
	return out
}

func loadConfig(t testing.TB, path string) Config {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// f1 scores pairs against truth (left id → right id).
func f1(pairs []Pair, truth map[string]string) (prec, rec, f float64) {
	tp := 0
	for _, p := range pairs {
		if truth[p.LeftID] == p.RightID {
			tp++
		}
	}
	if len(pairs) == 0 || len(truth) == 0 {
		return 0, 0, 0
	}
	prec = float64(tp) / float64(len(pairs))
	rec = float64(tp) / float64(len(truth))
	if tp == 0 {
		return prec, rec, 0
	}
	return prec, rec, 2 * prec * rec / (prec + rec)
}

func febrlTruth(left, right []Record) map[string]string {
	ids := map[string]bool{}
	for _, r := range right {
		ids[r.ID] = true
	}
	truth := map[string]string{}
	for _, l := range left {
		dup := strings.Replace(l.ID, "-org", "-dup-0", 1)
		if ids[dup] {
			truth[l.ID] = dup
		}
	}
	return truth
}

func TestFEBRL4(t *testing.T) {
	cfg := loadConfig(t, "../../examples/link/febrl4.toml")
	left := readCSV(t, "testdata/febrl/dataset4a.csv", cfg)
	right := readCSV(t, "testdata/febrl/dataset4b.csv", cfg)
	res, err := Link(left, right, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	truth := febrlTruth(left, right)
	p, r, f := f1(res.Pairs, truth)
	lost := lostByBlocking(t, left, right, cfg, truth)
	t.Logf("FEBRL 4a/4b: %d pairs, precision %.4f recall %.4f F1 %.4f; candidates %d %v, true pairs lost by blocking %d, EM %d iterations",
		len(res.Pairs), p, r, f, res.Stats.Candidates, res.Stats.RulePairs, lost, res.Model.Iterations)
	if f < 0.99 {
		t.Errorf("F1 = %.4f, want ≥ 0.99", f)
	}
}

// lostByBlocking counts true pairs that no blocking rule brought together.
func lostByBlocking(t testing.TB, left, right []Record, cfg Config, truth map[string]string) int {
	t.Helper()
	cfg.Threshold = 0
	res, err := Link(left, right, cfg, Options{Candidates: true})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, p := range res.Pairs {
		if truth[p.LeftID] == p.RightID {
			found++
		}
	}
	return len(truth) - found
}
