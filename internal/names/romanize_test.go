package names

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestRomanizeUkrainianOfficialExamples checks every example of the
// resolution's table (testdata/translit_examples.tsv, uk-KMU-55-2010 rows).
func TestRomanizeUkrainianOfficialExamples(t *testing.T) {
	rows := readExamples(t, "uk-KMU-55-2010")
	if len(rows) < 70 {
		t.Fatalf("got %d examples, want the full table", len(rows))
	}
	for _, r := range rows {
		t.Run(r[0], func(t *testing.T) {
			if got := RomanizeUkrainian(r[0]); got != r[1] {
				t.Errorf("RomanizeUkrainian(%q): got %q, want %q", r[0], got, r[1])
			}
		})
	}
}

func TestRomanizeUkrainianCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Згурський", "Zghurskyi"},
		{"ЗГУРСЬКИЙ", "ZGHURSKYI"},
		{"Щербухи", "Shcherbukhy"},
		{"Євген Їжакевич", "Yevhen Yizhakevych"},
		{"Юрій", "Yurii"},
		{"Григорій Сковорода", "Hryhorii Skovoroda"},
		{"Мар’яна", "Mariana"},
		{"Ковальчук, Олександр", "Kovalchuk, Oleksandr"},
		{"Shevchenko", "Shevchenko"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := RomanizeUkrainian(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// iuliiaSamples reads the samples of an iuliia schema file.
func iuliiaSamples(t *testing.T, file string) [][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Samples [][]string `json:"samples"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	if len(schema.Samples) == 0 {
		t.Fatalf("%s has no samples", file)
	}
	return schema.Samples
}

func TestRomanizeRussianSamples(t *testing.T) {
	for _, tc := range []struct {
		file   string
		scheme RussianScheme
	}{
		{"icao_doc_9303.json", ICAO},
		{"gost_779_alt.json", GOST779B},
		{"bgn_pcgn.json", BGNPCGN},
	} {
		for _, s := range iuliiaSamples(t, tc.file) {
			t.Run(tc.scheme.String()+"/"+s[0], func(t *testing.T) {
				// iuliia writes BGN/PCGN's ë as the Cyrillic ё (U+0451);
				// the scheme's letter is the Latin ë (U+00EB).
				want := strings.ReplaceAll(s[1], "ё", "ë")
				if got := RomanizeRussian(s[0], tc.scheme); got != want {
					t.Errorf("RomanizeRussian(%q, %v): got %q, want %q", s[0], tc.scheme, got, want)
				}
			})
		}
	}
}

// TestRomanizeRussianUnverifiedExamples checks the ru-* rows of
// translit_examples.tsv that agree with the iuliia schemas (the README
// marks their source unverified; GOST A is not implemented).
func TestRomanizeRussianUnverifiedExamples(t *testing.T) {
	schemes := map[string]RussianScheme{"ru-ICAO-9303": ICAO, "ru-GOST-7.79-2000-B": GOST779B}
	for sys, scheme := range schemes {
		for _, r := range readExamples(t, sys) {
			t.Run(sys+"/"+r[0], func(t *testing.T) {
				if got := RomanizeRussian(r[0], scheme); got != r[1] {
					t.Errorf("got %q, want %q", got, r[1])
				}
			})
		}
	}
}

func TestLatin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Григорій Згурський", "Hryhorii Zghurskyi"},
		{"Григорий Згурский", "Grigorii Zgurskii"},
		{"Ковальчук", "Kovalchuk"},
		{"Hryhorii", "Hryhorii"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Latin(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func readExamples(t *testing.T, system string) [][2]string {
	t.Helper()
	f, err := os.Open("testdata/translit_examples.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 3 && cols[2] == system {
			out = append(out, [2]string{cols[0], cols[1]})
		}
	}
	return out
}
