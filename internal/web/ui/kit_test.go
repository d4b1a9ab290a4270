package ui

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

var update = flag.Bool("update", false, "rewrite the offline keys fixture from the Go functions")

// keysFixture is internal/web/ui/testdata/offline/keys.json: inputs with the
// keys the server computes for them. TestOfflineKeysFixture checks it
// against the Go functions; TestBrowserOfflineKeys runs the same cases
// through the browser's port (static/fold.js).
type keysFixture struct {
	About   string      `json:"about"`
	Codes   []codeCase  `json:"codes"`
	Queries []queryCase `json:"queries"`
}

type codeCase struct {
	In   string `json:"in"`
	Fold string `json:"fold"`
}

type queryCase struct {
	In     string       `json:"in"`
	Tokens []queryToken `json:"tokens"`
}

type queryToken struct {
	Word  string   `json:"word"`
	Forms []string `json:"forms"`
	Code  string   `json:"code"`
}

const keysFixturePath = "testdata/offline/keys.json"

// Inputs of the fixture: Ukrainian and Russian names in Cyrillic and in
// every Latin scheme, typed half-way, with apostrophes, dashes, stray
// Latin letters, digits for letters, marks; names of other scripts the
// skeleton reads; service numbers in both alphabets.
var fixtureCodes = []string{
	"Р-123456", "P-123456", "р 123 456", "А-123 456", "a123456", "A-123456", "Ж-1", "ZH 1", "zh-1", "ЩЮ-77/3",
	"Ё-12", "Їжак 5", "ВСУ№ 0012", "ΑΒ-12", "№ 4512-ЯЬ", "  ", "", "Ґ-0", "x/ы-9", "ǅ-9",
}

var fixtureQueries = []string{
	"Григорій", "Hryhorii", "Grigoriy", "Grigory", "Згурський", "Zghurskyi", "Zgurskiy", "Олександр", "Oleksandr", "Olexandr",
	"Александр", "Aleksandr", "Петренко Іван", "Petrenko Ivan", "Ковальчук", "Kovalchuk", "Kovalc", "Koval'chuk", "Мар’яна", "Mar'yana",
	"Пeтренко", "Петренко-Коваль", "ШЕВЧЕНКО", "Shevchenko", "Schewtschenko", "Szewczenko", "Хрущёв", "Chruschtschow", "Khrushchev",
	"Путин", "Poutine", "Михаил", "Mixail", "Mikhail", "Юлія", "Yuliia", "Julia", "Альона", "Alona", "Alyona", "Jomo Kenyatta",
	"Hugo", "Juan Jiménez", "García", "Сергій Миколайович", "Serhii Mykolaiovych", "Mykolajovych", "Andrij", "Бхандари", "Кхадка",
	"Khadka", "Тсой", "Цой", "Tsoi", "ДЖАБАРОВ", "Dzhabarov", "Ж-RU00000", "Р-123456 Петренко", "Петренко, Іван.", "«Іван»",
	"П3тренко", "0лег", "გიორგი", "Αλέξανδρος", "Արամ", "محمد", "김민준", "Ёлкин", "Iōannēs", "Nguyễn", "Хасан", "Hassan",
	"Sasha", "Саша", "Дмитрий", "Dmytro", "d'Artagnan", "O’Brien", "Іваненко-Петренко", "Ivanenko Petrenko", "ПЕТРЕНКО",
}

func fixtureTokens(text string) []queryToken {
	var out []queryToken
	seen := map[string]bool{}
	for _, w := range strings.Split(names.Normalize(text), " ") {
		w = strings.Trim(w, `,;:.!?()[]{}"«»„“”`)
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		tk := queryToken{Word: w, Forms: names.TypedForms(w)}
		if tk.Forms == nil {
			tk.Forms = []string{}
		}
		if serviceLikeWord(w) {
			tk.Code = person.FoldCode(w)
		}
		out = append(out, tk)
	}
	if out == nil {
		out = []queryToken{}
	}
	return out
}

func serviceLikeWord(w string) bool {
	digit := false
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r) || r == '-' || r == '/':
		default:
			return false
		}
	}
	return digit
}

func buildKeysFixture() keysFixture {
	f := keysFixture{About: "Search keys of the officer's offline kit: person.FoldCode (codes) and names.Normalize + names.TypedForms per word (queries), " +
		"as the Go functions compute them. Regenerate with: go test ./internal/web/ -run TestOfflineKeysFixture -update"}
	for _, in := range fixtureCodes {
		f.Codes = append(f.Codes, codeCase{In: in, Fold: person.FoldCode(in)})
	}
	for _, in := range fixtureQueries {
		f.Queries = append(f.Queries, queryCase{In: in, Tokens: fixtureTokens(in)})
	}
	return f
}

// TestOfflineKeysFixture: the shared fixture says what the Go functions
// compute (the browser test checks the port against the same file).
func TestOfflineKeysFixture(t *testing.T) {
	want := buildKeysFixture()
	b, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.FromSlash(keysFixturePath), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.FromSlash(keysFixturePath))
	if err != nil {
		t.Fatal(err)
	}
	var got keysFixture
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Codes) != len(want.Codes) || len(got.Queries) != len(want.Queries) {
		t.Fatalf("the fixture has %d codes and %d queries, the Go functions %d and %d: run with -update", len(got.Codes), len(got.Queries), len(want.Codes), len(want.Queries))
	}
	for i, c := range got.Codes {
		if fold := person.FoldCode(c.In); fold != c.Fold {
			t.Errorf("FoldCode(%q) = %q, the fixture says %q", c.In, fold, c.Fold)
		}
		_ = i
	}
	for _, q := range got.Queries {
		if toks := fixtureTokens(q.In); !slices.EqualFunc(toks, q.Tokens, func(a, b queryToken) bool {
			return a.Word == b.Word && a.Code == b.Code && slices.Equal(a.Forms, b.Forms)
		}) {
			t.Errorf("tokens of %q: Go %+v, the fixture %+v", q.In, toks, q.Tokens)
		}
	}
}

// TestKitTerms: a person is filed under the forms of every name word,
// those of its dictionary group, each part of a double name and the
// folded service number with its digits; a query's typed forms reach them
// across scripts.
func TestKitTerms(t *testing.T) {
	words, codes := kitTerms(sqlstore.StagePerson{Surname: "Згурський-Петренко", GivenNames: "Олександр", Patronymic: "Григорович", ServiceNumber: "Р-123456"})
	if !slices.Equal(codes, []string{"P123456", "123456"}) {
		t.Errorf("codes %q", codes)
	}
	for _, q := range []string{"Zghurskyi", "Zgurskiy", "Petrenko", "Aleksandr", "Olexandr", "Hryhorovych"} {
		found := false
		for _, f := range names.TypedForms(names.Normalize(q)) {
			for _, w := range words {
				if strings.HasPrefix(w, f) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%q finds none of %q", q, words)
		}
	}
	for _, q := range []string{"Kovalenko", "Ivan"} {
		for _, f := range names.TypedForms(names.Normalize(q)) {
			for _, w := range words {
				if strings.HasPrefix(w, f) {
					t.Errorf("%q finds %q", q, w)
				}
			}
		}
	}
}
