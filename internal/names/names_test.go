package names

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"case and spaces", "  ШЕВЧЕНКО   Тарас\tГригорович ", "шевченко тарас григорович"},
		{"apostrophes", "Мар'яна Мар’яна Марʼяна Мар`яна", "маряна маряна маряна маряна"},
		{"dashes", "Петренко – Коваль", "петренко-коваль"},
		{"a quote between a dash and a space", "Петренко -' Коваль", "петренко-коваль"},
		{"latin a in cyrillic", "Ковaльчук", "ковальчук"},
		{"cyrillic o in latin", "Kovаlchuk", "kovalchuk"},
		{"yo", "Артём Ёлкин", "артем елкин"},
		{"decomposed й", "Андрии\u0306", "андрий"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestScriptAndHomoglyphs(t *testing.T) {
	tests := []struct {
		in     string
		script ScriptKind
		homo   bool
	}{
		{"Шевченко", ScriptCyrillic, false},
		{"Shevchenko", ScriptLatin, false},
		{"Шевченко Shevchenko", ScriptMixed, false},
		{"Шeвчeнко", ScriptMixed, true},
		{"123", ScriptNone, false},
		{"Σωκράτης", ScriptOther, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Script(tc.in); got != tc.script {
				t.Errorf("Script: got %v, want %v", got, tc.script)
			}
			if got := HasHomoglyphs(tc.in); got != tc.homo {
				t.Errorf("HasHomoglyphs: got %v, want %v", got, tc.homo)
			}
		})
	}
}

// sharesKey reports whether two key lists have a key in common.
func sharesKey(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// TestGroups holds DOMAIN.md's test: each group resolves to one candidate:
// every pair shares a blocking key and is equivalent.
func TestGroups(t *testing.T) {
	groups := []struct {
		part  Part
		names []string
	}{
		{Given, []string{"Григорій", "Hryhorii", "Grigoriy", "Grigory", "Григорий", "Grigorii", "Gregory"}},
		{Surname, []string{"Згурський", "Zghurskyi", "Zgurskiy", "Zgurskii", "Згурский", "Zgurskij", "Zgursky"}},
		{Surname, []string{"Згурська", "Згурский", "Zgurskaya", "Zghurska"}},
		{Surname, []string{"Ковальова", "Ковальов", "Kovalyova", "Kovalov"}},
		{Surname, []string{"Ільїна", "Ильин", "Ilyina", "Ilin"}},
		{Surname, []string{"Шевченко", "Shevchenko", "Schewtschenko", "Ševčenko"}},
		{Given, []string{"Олександр", "Александр", "Oleksandr", "Aleksandr", "Alexander", "Olexandr"}},
		{Given, []string{"Микола", "Николай", "Mykola", "Nikolai", "Nikolay", "Nicholas"}},
		{Given, []string{"Юрій", "Юрий", "Yurii", "Yuriy", "Iurii", "Jurij"}},
		{Given, []string{"Євген", "Евгений", "Yevhen", "Evgeniy", "Yevgeny", "Eugene"}},
		{Patronymic, []string{"Миколайович", "Николаевич", "Mykolaiovych", "Nikolaevich"}},
		{Given, []string{"Наталія", "Наталья", "Nataliia", "Natalya", "Natalia"}},
	}
	for _, g := range groups {
		for i, a := range g.names {
			for _, b := range g.names[i+1:] {
				t.Run(a+"/"+b, func(t *testing.T) {
					ka, kb := Keys(g.part, a), Keys(g.part, b)
					if !sharesKey(ka, kb) {
						t.Errorf("Keys: got %v and %v, want a shared key", ka, kb)
					}
					if s := Similarity(g.part, a, b); s < similarFloor {
						t.Errorf("Similarity: got %v, want >= %v", s, similarFloor)
					}
				})
			}
		}
	}
}

func TestKeysShape(t *testing.T) {
	for _, n := range []string{"Григорій", "Оксана Марія", "Петренко-Коваль", "Alexander", "Ия", "Т."} {
		t.Run(n, func(t *testing.T) {
			keys := Keys(Given, n)
			if len(keys) < 1 || len(keys) > 4 {
				t.Errorf("got %d keys %v, want 1 to 4", len(keys), keys)
			}
			for _, k := range keys {
				if len(k) == 0 || len(k) > maxKeyLen {
					t.Errorf("key %q: got length %d, want 1..%d", k, len(k), maxKeyLen)
				}
				for i := 0; i < len(k); i++ {
					if k[i] >= 0x80 {
						t.Errorf("key %q is not ASCII", k)
					}
				}
			}
		})
	}
	if got := Keys(Given, "  "); len(got) != 0 {
		t.Errorf("Keys of blank: got %v, want none", got)
	}
}

func TestSimilarityAndEquivalent(t *testing.T) {
	tests := []struct {
		part   Part
		a, b   string
		lo, hi float64
		equiv  bool
	}{
		{Given, "Олександр", "Alexander", 1, 1, true},
		{Given, "Сергій", "Степан", 0, 0.6, false},
		{Given, "Олександр", "Олександра", 0, 0.6, false},
		{Surname, "Петров", "Петренко", 0, 0.8, false},
		{Surname, "Ковальчук", "Kovalchyk", 0.85, 0.99, false},
		{Surname, "Ковальова", "Ковальов", 0.9, 0.9, false},
		{Given, "Т", "Тарас", 0.9, 0.9, false},
		{Given, "Ю.", "Yurii", 0.9, 0.9, false},
		{Given, "О.", "Aleksandr", 0.9, 0.9, false},
		{Given, "П.", "Тарас", 0, 0, false},
		{Given, "Yu.", "Юрій", 0.9, 0.9, false},
		{Patronymic, "Миколайович", "Миколайвич", 0.85, 0.95, false},
		{Patronymic, "Радіонович", "Ларіонович", 0, 0.8, false},
		{Given, "Zh.", "Жанна", 0.9, 0.9, false},
		{Given, "", "Тарас", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			s := Similarity(tc.part, tc.a, tc.b)
			if s < tc.lo || s > tc.hi {
				t.Errorf("Similarity: got %v, want in [%v, %v]", s, tc.lo, tc.hi)
			}
			if s2 := Similarity(tc.part, tc.b, tc.a); s2 != s {
				t.Errorf("Similarity is not symmetric: got %v and %v", s, s2)
			}
			if s3, _ := ComparePrepared(Prepare(tc.part, tc.a), Prepare(tc.part, tc.b)); s3 != s {
				t.Errorf("ComparePrepared: got %v, want %v as Similarity", s3, s)
			}
			if got := Equivalent(tc.part, tc.a, tc.b); got != tc.equiv {
				t.Errorf("Equivalent: got %v, want %v", got, tc.equiv)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want FullName
	}{
		{"Шевченко Т.Г.", FullName{Surname: "Шевченко", Given: "Т.", Patronymic: "Г.", Initials: true}},
		{"Т. Г. Шевченко", FullName{Surname: "Шевченко", Given: "Т.", Patronymic: "Г.", Initials: true}},
		{"Шевченко Тарас Григорович", FullName{Surname: "Шевченко", Given: "Тарас", Patronymic: "Григорович"}},
		{"Тарас Григорович Шевченко", FullName{Surname: "Шевченко", Given: "Тарас", Patronymic: "Григорович"}},
		{"KOVALCHUK Oleksandr", FullName{Surname: "KOVALCHUK", Given: "Oleksandr"}},
		{"Oleksandr KOVALCHUK", FullName{Surname: "KOVALCHUK", Given: "Oleksandr"}},
		{"Kovalchuk, Oleksandr", FullName{Surname: "Kovalchuk", Given: "Oleksandr"}},
		{"Kovalchuk,  Oleksandr Mykolaiovych", FullName{Surname: "Kovalchuk", Given: "Oleksandr", Patronymic: "Mykolaiovych"}},
		{"Oleksandr Kovalchuk", FullName{Surname: "Kovalchuk", Given: "Oleksandr"}},
		{"Ковальчук Олександр", FullName{Surname: "Ковальчук", Given: "Олександр"}},
		{"Олександр Ковальчук", FullName{Surname: "Ковальчук", Given: "Олександр"}},
		{"Петрович Іван Степанович", FullName{Surname: "Петрович", Given: "Іван", Patronymic: "Степанович"}},
		{"Іванова Марія Петрівна", FullName{Surname: "Іванова", Given: "Марія", Patronymic: "Петрівна"}},
		{"Aleksandr Nikolaevich Kovalchuk", FullName{Surname: "Kovalchuk", Given: "Aleksandr", Patronymic: "Nikolaevich"}},
		{"Ковальчук", FullName{Surname: "Ковальчук"}},
		{"O.Kovalenko", FullName{Surname: "Kovalenko", Given: "O.", Initials: true}},
		{"Tymoshenko Yu.V.", FullName{Surname: "Tymoshenko", Given: "Yu.", Patronymic: "V.", Initials: true}},
		{"Шевченко ТГ", FullName{Surname: "Шевченко", Given: "Т.", Patronymic: "Г.", Initials: true}},
		{"ІВАНОВ ІІ", FullName{Surname: "ІВАНОВ", Given: "І.", Patronymic: "І.", Initials: true}},
		{"ЛИ Ян", FullName{Surname: "ЛИ", Given: "Ян"}},
		{"", FullName{}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Parse(tc.in); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCompareFull(t *testing.T) {
	same := []string{
		"Олександр Миколайович Ковальчук",
		"Александр Николаевич Ковальчук",
		"KOVALCHUK ALEKSANDR",
		"Kovalchuk Oleksandr",
		"Ковальчук О.М.",
		"Kowalczuk, Aleksander",
	}
	for i, a := range same {
		for _, b := range same[i+1:] {
			t.Run(a+"/"+b, func(t *testing.T) {
				c := CompareFull(a, b)
				if !c.Match {
					t.Errorf("got %+v, want a match", c)
				}
			})
		}
	}
	different := [][2]string{
		{"Ковальчук Сергій", "Ковальчук Степан"},
		{"Ковальчук Олександр Миколайович", "Ковальчук Олександр Петрович"},
		{"Ковальчук", "Ковальчук Олександр"},
		{"Олександр Ковальчук", "Олександр Петренко"},
		{"Aleksandr Ivanov", "Aleksandra Ivanova"},
		{"Петров Иван", "Петренко Иван"},
		{"Шевченко Т.Г.", "Шевченко Петро Іванович"},
		{"Шевченко Т.Г.", "Шевченко"},
		{"Шевченко Т.Г.", "Olena Shevchenko"},
	}
	for _, p := range different {
		t.Run(p[0]+"/"+p[1], func(t *testing.T) {
			if c := CompareFull(p[0], p[1]); c.Match {
				t.Errorf("got %+v, want no match", c)
			}
		})
	}
}

func TestCompareFullExplains(t *testing.T) {
	c := CompareFull("Ковальчук Олександр Миколайович", "Kovalchuk Oleksandr")
	want := []PartComparison{
		{Part: Surname, A: "Ковальчук", B: "Kovalchuk", Level: "equivalent", Score: 1},
		{Part: Given, A: "Олександр", B: "Oleksandr", Level: "equivalent", Score: 1},
		{Part: Patronymic, A: "Миколайович", Level: "missing"},
	}
	if len(c.Parts) != len(want) {
		t.Fatalf("got %+v, want %+v", c.Parts, want)
	}
	for i := range want {
		if c.Parts[i] != want[i] {
			t.Errorf("part %d: got %+v, want %+v", i, c.Parts[i], want[i])
		}
	}
	if c.Swapped {
		t.Errorf("Swapped: got true, want false")
	}
	if c := CompareFull("Oleksandr Kovalchuk", "Ковальчук Олександр"); !c.Match || c.Score != 1 {
		t.Errorf("reordered: got %+v, want score 1", c)
	}
}

// TestGoldenVariants compares every Latin spelling of one name from
// names-translator's golden file with its Cyrillic forms.
func TestGoldenVariants(t *testing.T) {
	for _, file := range []string{"golden_chaplinsky.json", "golden_chaplinsky_dicts.json"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var variants []string
		if err := json.Unmarshal(b, &variants); err != nil {
			t.Fatal(err)
		}
		for _, v := range variants {
			t.Run(file+"/"+v, func(t *testing.T) {
				for _, ref := range []string{"Чаплинський Дмитро Олександрович", "Chaplynskyi Dmytro"} {
					if c := CompareFull(ref, v); !c.Match {
						t.Errorf("against %q: got %+v, want a match", ref, c)
					}
				}
			})
		}
	}
}

func TestCompareFullOtherScripts(t *testing.T) {
	tests := []struct {
		a, b  string
		match bool
	}{
		{"Σωκράτης Παππάς", "Sokratis Pappas", true},
		{"მიხეილ სააკაშვილი", "Mikheil Saakashvili", true},
		{"Նիկոլ Փաշինյան", "Nikol Pashinyan", true},
		{"محمد بن سلمان", "Mohammed bin Salman", true},
		{"صدام حسين", "Saddam Hussein", true},
		{"بشار الأسد", "Bashar al-Assad", true},
		{"محمد بن سلمان", "Ahmed bin Salman", false},
		{"בנימין נתניהו", "Benjamin Netanyahu", true},
		{"בנימין נתניהו", "Benny Gantz", false},
		{"José García", "Jose Garcia", true},
		{"Müller Hans", "Hans Mueller", true},
		{"Dr. John Smith", "Smith, John", true},
		{"John Smith", "Jane Smith", false},
		{"Abdulrahman Al-Sheikh", "Abdul Rahman Al Sheikh", true},
		{"Kim Jong Un", "Kim Jong Il", false},
		{strings.Repeat("Ковальчукович", 9) + " Іван Петро", strings.Repeat("Kovalchukovych", 9) + "a Ivan Petro", true},
		{"김정은", "Kim Jong Un", true},
		{"김정은", "Kim Jong Il", false},
		{"김 정은", "Kim Jong-un", true},
		{"박근혜", "Park Geun-hye", true},
		{"이명박", "Lee Myung-bak", true},
		{"문재인", "Moon Jae-in", true},
		{"문재인", "Park Geun-hye", false},
		{"Vladimir Poutine", "Владимир Путин", true},
		{"Fédor Chaliapine", "Фёдор Шаляпин", true},
		{"Igor Setchine", "Игорь Иванович Сечин", true},
		{"Nikita Chruschtschow", "Никита Хрущёв", true},
		{"Michail Chodorkowski", "Михаил Ходорковский", true},
		{"Mixail Xodorkovskij", "Михаил Ходорковский", true},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			if c := CompareFull(tc.a, tc.b); c.Match != tc.match {
				t.Errorf("got %+v, want match %v", c, tc.match)
			}
		})
	}
}

func TestEditMeasures(t *testing.T) {
	lev := []struct {
		a, b string
		want int
	}{
		{"kitten", "sitting", 3}, {"", "abc", 3}, {"abc", "abc", 0}, {"flaw", "lawn", 2},
		{"kovalQuk", "kovalenko", 3}, {"a", "", 1}, {"ivan", "ivna", 1}, {"ca", "abc", 3},
		{strings.Repeat("ab", 40), strings.Repeat("ba", 40), 2},
	}
	for _, tc := range lev {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			if got := levenshtein(tc.a, tc.b); got != tc.want {
				t.Errorf("levenshtein: got %d, want %d", got, tc.want)
			}
		})
	}
	if !typoLike(strings.Repeat("ab", 40), strings.Repeat("ab", 40)+"c") {
		t.Errorf("typoLike of long words: got false, want true")
	}
	jw := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961}, {"dwayne", "duane", 0.840}, {"dixon", "dicksonx", 0.813}, {"abc", "xyz", 0},
	}
	for _, tc := range jw {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			if got := round3(jaroWinkler(tc.a, tc.b)); got != tc.want {
				t.Errorf("jaroWinkler: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGivenNamesAcrossSchemes checks every given name of data/given.txt:
// its Ukrainian and Russian forms, each written by KMU 55, ICAO, BGN/PCGN
// and GOST 7.79 B, are similar to one another and share a blocking key.
func TestGivenNamesAcrossSchemes(t *testing.T) {
	eachLine("data/given.txt", func(f []string) {
		var all []string
		for _, c := range f[1:] {
			all = append(all, c, RomanizeUkrainian(c), RomanizeRussian(c, ICAO), RomanizeRussian(c, BGNPCGN), RomanizeRussian(c, GOST779B))
		}
		for i, a := range all {
			for _, b := range all[i+1:] {
				if s := Similarity(Given, a, b); s < similarFloor {
					t.Errorf("Similarity(%q, %q): got %.3f, want >= %v", a, b, s, similarFloor)
				}
				if ka, kb := Keys(Given, a), Keys(Given, b); !sharesKey(ka, kb) {
					t.Errorf("Keys(%q), Keys(%q): got %v and %v, want a shared key", a, b, ka, kb)
				}
			}
		}
	})
}
