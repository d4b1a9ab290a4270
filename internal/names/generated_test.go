package names

import (
	"encoding/csv"
	"math/rand"
	"strings"
	"testing"
)

// The generated tests build names from the embedded dictionary, write them
// in every scheme with this package's own romanisers, and check that
// CompareFull matches the renderings and keeps namesakes apart. They
// measure recall across schemes, not accuracy on real data.

func TestGeneratedTwoParts(t *testing.T) {
	b, _ := dataFS.ReadFile("data/ua2ru.csv")
	rows, _ := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	var sur [][2]string
	for _, r := range rows[1:] {
		u := r[0]
		if strings.HasSuffix(u, "ович") || strings.HasSuffix(u, "івна") || strings.HasSuffix(u, "евич") {
			continue
		}
		if lookup().givenSexOf(string(appendSkeleton(nil, Normalize(u), readCommon))) != 0 {
			continue
		}
		if strings.HasSuffix(u, "а") || strings.HasSuffix(u, "я") {
			continue
		}
		sur = append(sur, [2]string{r[0], r[1]})
	}
	var giv [][]string
	eachLine("data/given.txt", func(f []string) {
		if f[0] == "M" && len(f) >= 3 {
			giv = append(giv, f[1:])
		}
	})
	rng := rand.New(rand.NewSource(1))
	fails, n := 0, 0
	for i := 0; i < 400; i++ {
		s := sur[rng.Intn(len(sur))]
		g := giv[rng.Intn(len(giv))]
		ua := s[0] + " " + g[0]
		ru := s[1] + " " + g[1]
		forms := []string{ua, ru, RomanizeUkrainian(ua), RomanizeRussian(ru, ICAO), RomanizeRussian(ru, BGNPCGN), strings.ToUpper(RomanizeRussian(ru, ICAO)), RomanizeRussian(ru, GOST779B)}
		for _, f := range forms[1:] {
			n++
			c := CompareFull(ua, f)
			if !c.Match {
				fails++
				t.Logf("miss: %q / %q: %.3f", ua, f, c.Score)
			}
		}
	}
	t.Logf("misses: %d of %d", fails, n)
	if fails*100 > n {
		t.Errorf("misses: got %d of %d, want at most 1%%", fails, n)
	}
	// Namesakes: one surname, other given names.
	fp := 0
	for i := 0; i < 2000; i++ {
		s := sur[rng.Intn(len(sur))]
		g1, g2 := giv[rng.Intn(len(giv))], giv[rng.Intn(len(giv))]
		if Equivalent(Given, g1[0], g2[0]) {
			continue // two spellings of one name (Гнат, Ігнат)
		}
		a := s[0] + " " + g1[0]
		bb := RomanizeRussian(s[1]+" "+g2[1], ICAO)
		if c := CompareFull(a, bb); c.Match {
			fp++
			t.Logf("false match: %q / %q: %.3f", a, bb, c.Score)
		}
	}
	if fp > 20 {
		t.Errorf("false matches: got %d of 2000, want at most 1%%", fp)
	}
}

func TestGeneratedThreeParts(t *testing.T) {
	b, _ := dataFS.ReadFile("data/ua2ru.csv")
	rows, _ := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	var sur, pat, fpat [][2]string
	for _, r := range rows[1:] {
		u := r[0]
		switch {
		case strings.HasSuffix(u, "ович") || strings.HasSuffix(u, "евич"):
			pat = append(pat, [2]string{r[0], r[1]})
		case strings.HasSuffix(u, "івна") || strings.HasSuffix(u, "ївна"):
			fpat = append(fpat, [2]string{r[0], r[1]})
		case strings.HasSuffix(u, "ський") || strings.HasSuffix(u, "енко") || strings.HasSuffix(u, "ов") || strings.HasSuffix(u, "ук"):
			sur = append(sur, [2]string{r[0], r[1]})
		}
	}
	var giv, fgiv [][]string
	eachLine("data/given.txt", func(f []string) {
		if len(f) >= 3 {
			if f[0] == "M" {
				giv = append(giv, f[1:])
			} else {
				fgiv = append(fgiv, f[1:])
			}
		}
	})
	fem := func(s string, ru bool) string {
		switch {
		case strings.HasSuffix(s, "ський"):
			return strings.TrimSuffix(s, "ський") + "ська"
		case strings.HasSuffix(s, "ский"):
			return strings.TrimSuffix(s, "ский") + "ская"
		case strings.HasSuffix(s, "ов"):
			return s + "а"
		}
		return s
	}
	rng := rand.New(rand.NewSource(2))
	fails, n := 0, 0
	for i := 0; i < 300; i++ {
		s := sur[rng.Intn(len(sur))]
		var ua, ru string
		if i%2 == 0 {
			g, p := giv[rng.Intn(len(giv))], pat[rng.Intn(len(pat))]
			ua, ru = s[0]+" "+g[0]+" "+p[0], s[1]+" "+g[1]+" "+p[1]
		} else {
			g, p := fgiv[rng.Intn(len(fgiv))], fpat[rng.Intn(len(fpat))]
			ua, ru = fem(s[0], false)+" "+g[0]+" "+p[0], fem(s[1], true)+" "+g[1]+" "+p[1]
		}
		uaw := strings.Fields(ua)
		forms := []string{ru, RomanizeUkrainian(ua), RomanizeRussian(ru, ICAO), RomanizeRussian(ru, BGNPCGN), RomanizeRussian(ru, GOST779B),
			RomanizeUkrainian(uaw[1] + " " + uaw[0]), strings.ToUpper(RomanizeRussian(strings.Join(strings.Fields(ru)[:2], " "), ICAO)),
			uaw[1] + " " + uaw[2] + " " + uaw[0]}
		for _, f := range forms {
			n++
			if c := CompareFull(ua, f); !c.Match {
				fails++
				t.Logf("miss: %q / %q: %.3f", ua, f, c.Score)
			}
		}
	}
	if fails*100 > n {
		t.Errorf("misses: got %d of %d, want at most 1%%", fails, n)
	}
}

func TestGeneratedNamesakes(t *testing.T) {
	b, _ := dataFS.ReadFile("data/ua2ru.csv")
	rows, _ := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	var sur, pat [][2]string
	for _, r := range rows[1:] {
		u := r[0]
		switch {
		case strings.HasSuffix(u, "ович") || strings.HasSuffix(u, "евич"):
			pat = append(pat, [2]string{r[0], r[1]})
		case strings.HasSuffix(u, "ський") || strings.HasSuffix(u, "енко") || strings.HasSuffix(u, "ов") || strings.HasSuffix(u, "ук"):
			sur = append(sur, [2]string{r[0], r[1]})
		}
	}
	var giv [][]string
	eachLine("data/given.txt", func(f []string) {
		if len(f) >= 3 && f[0] == "M" {
			giv = append(giv, f[1:])
		}
	})
	rng := rand.New(rand.NewSource(3))
	fp := [3]int{}
	for i := 0; i < 3000; i++ {
		s, s2 := sur[rng.Intn(len(sur))], sur[rng.Intn(len(sur))]
		g, g2 := giv[rng.Intn(len(giv))], giv[rng.Intn(len(giv))]
		p, p2 := pat[rng.Intn(len(pat))], pat[rng.Intn(len(pat))]
		k := i % 3
		var a, bb string
		switch k {
		case 0:
			if p[0] == p2[0] {
				continue
			}
			a, bb = s[0]+" "+g[0]+" "+p[0], RomanizeRussian(s[1]+" "+g[1]+" "+p2[1], ICAO)
		case 1:
			if s[0] == s2[0] {
				continue
			}
			a, bb = s[0]+" "+g[0]+" "+p[0], RomanizeRussian(s2[1]+" "+g[1]+" "+p[1], ICAO)
		case 2:
			if g[0] == g2[0] {
				continue
			}
			a, bb = s[0]+" "+g[0]+" "+p[0], RomanizeUkrainian(s[0]+" "+g2[0]+" "+p[0])
		}
		if c := CompareFull(a, bb); c.Match {
			fp[k]++
			t.Logf("false match (%d): %q / %q: %.3f", k, a, bb, c.Score)
		}
	}
	for k, n := range fp {
		if n > 10 {
			t.Errorf("false matches of kind %d (other patronymic, surname, given): got %d of ~1000, want at most 1%%", k, n)
		}
	}
}

// TestDictionaryAcrossSchemes writes every row of data/ua2ru.csv (names of
// all parts) by KMU 55, ICAO, BGN/PCGN and GOST 7.79 B and checks that the
// Ukrainian form is similar to, and shares a key with, each rendering and
// the Russian form.
func TestDictionaryAcrossSchemes(t *testing.T) {
	b, err := dataFS.ReadFile("data/ua2ru.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	bad, n := 0, 0
	for _, r := range rows[1:] {
		uk, ru := r[0], r[1]
		for _, a := range []string{ru, RomanizeUkrainian(uk), RomanizeRussian(ru, ICAO), RomanizeRussian(ru, BGNPCGN), RomanizeRussian(ru, GOST779B)} {
			n++
			s := Similarity(Surname, uk, a)
			ka, kb := Keys(Surname, uk), Keys(Surname, a)
			if s < similarFloor || !sharesKey(ka, kb) {
				bad++
				t.Logf("%q / %q: similarity %.3f, keys %v and %v", uk, a, s, ka, kb)
			}
		}
	}
	t.Logf("%d of %d renderings not similar or without a shared key", bad, n)
	if bad*1000 > n {
		t.Errorf("got %d of %d renderings apart, want at most 0.1%%", bad, n)
	}
}

// typo makes one typing error in w.
func typo(rng *rand.Rand, w string) string {
	r := []rune(w)
	if len(r) < 4 {
		return w
	}
	i := 1 + rng.Intn(len(r)-2)
	switch rng.Intn(4) {
	case 0:
		return string(append(r[:i:i], r[i+1:]...))
	case 1:
		return string(append(append(r[:i:i], r[i]), r[i:]...))
	case 2:
		r[i], r[i+1] = r[i+1], r[i]
		return string(r)
	default:
		r[i] = 'a' + rune(rng.Intn(26))
		if r[0] > 0x400 {
			r[i] = 'а' + rune(rng.Intn(32))
		}
		return string(r)
	}
}

// TestGeneratedTypos makes one typing error (a dropped, doubled, swapped or
// wrong letter) in one word of an ICAO rendering and checks that most such
// names still match the Ukrainian original.
func TestGeneratedTypos(t *testing.T) {
	b, _ := dataFS.ReadFile("data/ua2ru.csv")
	rows, _ := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	var sur, pat [][2]string
	for _, r := range rows[1:] {
		u := r[0]
		switch {
		case strings.HasSuffix(u, "ович") || strings.HasSuffix(u, "евич"):
			pat = append(pat, [2]string{r[0], r[1]})
		case strings.HasSuffix(u, "ський") || strings.HasSuffix(u, "енко") || strings.HasSuffix(u, "ов") || strings.HasSuffix(u, "ук"):
			sur = append(sur, [2]string{r[0], r[1]})
		}
	}
	var giv [][]string
	eachLine("data/given.txt", func(f []string) {
		if len(f) >= 3 && f[0] == "M" {
			giv = append(giv, f[1:])
		}
	})
	rng := rand.New(rand.NewSource(5))
	miss, n := 0, 0
	for i := 0; i < 1000; i++ {
		s, g, p := sur[rng.Intn(len(sur))], giv[rng.Intn(len(giv))], pat[rng.Intn(len(pat))]
		a := s[0] + " " + g[0] + " " + p[0]
		words := strings.Fields(RomanizeRussian(s[1]+" "+g[1]+" "+p[1], ICAO))
		k := rng.Intn(3)
		words[k] = typo(rng, words[k])
		bb := strings.Join(words, " ")
		n++
		if c := CompareFull(a, bb); !c.Match {
			miss++
			t.Logf("miss: %q / %q: %.3f", a, bb, c.Score)
		}
	}
	t.Logf("misses: %d of %d", miss, n)
	if miss*10 > n {
		t.Errorf("misses: got %d of %d, want at most 10%%", miss, n)
	}
}

// TestGeneratedParse parses names built from the dictionary in nine
// orders and spellings and checks the parts.
func TestGeneratedParse(t *testing.T) {
	b, _ := dataFS.ReadFile("data/ua2ru.csv")
	rows, _ := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	var sur, pat [][2]string
	for _, r := range rows[1:] {
		u := r[0]
		switch {
		case strings.HasSuffix(u, "ович") || strings.HasSuffix(u, "евич"):
			pat = append(pat, [2]string{r[0], r[1]})
		case !strings.HasSuffix(u, "а") && !strings.HasSuffix(u, "івна") && lookup().givenSexOf(string(appendSkeleton(nil, Normalize(u), readCommon))) == 0:
			sur = append(sur, [2]string{r[0], r[1]})
		}
	}
	var giv [][]string
	eachLine("data/given.txt", func(f []string) {
		if len(f) >= 3 && f[0] == "M" {
			giv = append(giv, f[1:])
		}
	})
	rng := rand.New(rand.NewSource(9))
	bad, n := 0, 0
	for i := 0; i < 500; i++ {
		s, g, p := sur[rng.Intn(len(sur))], giv[rng.Intn(len(giv))], pat[rng.Intn(len(pat))]
		lat := func(x string) string { return RomanizeRussian(x, ICAO) }
		cases := []struct{ in, s, g, p string }{
			{s[0] + " " + g[0] + " " + p[0], s[0], g[0], p[0]},
			{g[0] + " " + p[0] + " " + s[0], s[0], g[0], p[0]},
			{lat(g[1]) + " " + lat(s[1]), lat(s[1]), lat(g[1]), ""},
			{lat(s[1]) + " " + lat(g[1]), lat(s[1]), lat(g[1]), ""},
			{strings.ToUpper(lat(s[1])) + " " + lat(g[1]), strings.ToUpper(lat(s[1])), lat(g[1]), ""},
			{s[0] + " " + g[0], s[0], g[0], ""},
			{g[0] + " " + s[0], s[0], g[0], ""},
			{strings.ToUpper(s[0] + " " + g[0] + " " + p[0]), strings.ToUpper(s[0]), strings.ToUpper(g[0]), strings.ToUpper(p[0])},
			{lat(g[1]) + " " + lat(p[1]) + " " + lat(s[1]), lat(s[1]), lat(g[1]), lat(p[1])},
		}
		for _, c := range cases {
			n++
			got := Parse(c.in)
			if got.Surname != c.s || got.Given != c.g || got.Patronymic != c.p {
				bad++
				t.Logf("Parse(%q): got %+v", c.in, got)
			}
		}
	}
	if bad*100 > n {
		t.Errorf("got %d of %d parsed wrongly, want at most 1%%", bad, n)
	}
}
