package names

import (
	"testing"
	"unicode/utf8"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Шевченко Т.Г.", "Мар’яна  –  Коваль", "Kovаlchuk", "\xff\xfe", "ё̈", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Errorf("Normalize(%q) = %q: not valid UTF-8", s, n)
		}
		if n2 := Normalize(n); utf8.ValidString(s) && n2 != n {
			t.Errorf("Normalize is not idempotent: %q → %q → %q", s, n, n2)
		}
		for _, k := range Keys(AnyPart, s) {
			if k == "" {
				t.Errorf("Keys(%q) has an empty key", s)
			}
		}
		RomanizeUkrainian(s)
		RomanizeRussian(s, BGNPCGN)
		Latin(s)
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Шевченко Т.Г.", "Kovalchuk, Oleksandr", "Т. Г. Шевченко", ",,,", "- - -", "A.B.C.D.E.F.G.H", "a b c d e f g h i j"} {
		f.Add(s, "Тарас Шевченко")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		Parse(a)
		c := CompareFull(a, b)
		if c.Score < 0 || c.Score > 1 {
			t.Errorf("CompareFull(%q, %q): score %v out of 0..1", a, b, c.Score)
		}
		if s := Similarity(AnyPart, a, b); s < 0 || s > 1 {
			t.Errorf("Similarity(%q, %q) = %v out of 0..1", a, b, s)
		}
	})
}
