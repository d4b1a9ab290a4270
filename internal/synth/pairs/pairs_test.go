package pairs

import (
	"bytes"
	"strings"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	a := Generate(Options{N: 300, Seed: 9})
	b := Generate(Options{N: 300, Seed: 9})
	var wa, wb bytes.Buffer
	WriteCSV(&wa, a.Right)
	WriteCSV(&wb, b.Right)
	if wa.String() != wb.String() {
		t.Fatal("the same seed gave different lists")
	}
	c := Generate(Options{N: 300, Seed: 10})
	var wc bytes.Buffer
	WriteCSV(&wc, c.Right)
	if wa.String() == wc.String() {
		t.Fatal("different seeds gave the same lists")
	}
}

func TestGenerateShape(t *testing.T) {
	s := Generate(Options{N: 2000, Seed: 1})
	if len(s.Left) != 2000 {
		t.Fatalf("%d left rows, want 2000", len(s.Left))
	}
	if n := len(s.Truth); n < 1200 || n > 1600 {
		t.Errorf("%d true pairs, want about 70%% of 2000", n)
	}
	ids := map[string]bool{}
	for _, r := range s.Right {
		if ids[r.ID] {
			t.Fatalf("duplicate right id %s", r.ID)
		}
		ids[r.ID] = true
	}
	var latin, russian, full int
	for _, r := range s.Right {
		name := r.Surname + r.FullName
		switch {
		case r.FullName != "":
			full++
		}
		if strings.ContainsAny(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			latin++
		}
		if strings.ContainsAny(name, "ыэъЫЭЪё") || strings.Contains(name, "ий") {
			russian++
		}
	}
	if latin < 400 || russian < 100 || full < 400 {
		t.Errorf("latin %d, russian %d, full-name %d rows: the right list should mix them", latin, russian, full)
	}
}

func TestTransliteration(t *testing.T) {
	tests := []struct {
		sc   scheme
		in   string
		want string
	}{
		{ukrainianNational, "Згурський", "Zghurskyi"},
		{ukrainianNational, "Юрій", "Yurii"},
		{ukrainianNational, "Олександр", "Oleksandr"},
		{icao, "Александр", "Aleksandr"},
		{icao, "Юрьевич", "Iurevich"},
		{bgn, "Евгений", "Yevgeniy"},
	}
	for _, tc := range tests {
		if got := tc.sc.render(tc.in, false); got != tc.want {
			t.Errorf("render(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
