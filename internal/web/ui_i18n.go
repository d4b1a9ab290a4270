package web

// The UI's three languages. Messages live in one small catalog in Go (a key
// with its English, Ukrainian and Russian text), plural forms follow the
// CLDR cardinal rules for uk, ru and en (one/few/many/other), numbers are
// formatted by golang.org/x/text/message and names sorted by
// golang.org/x/text/collate. A hand-made catalog rather than
// golang.org/x/text/message/catalog or go-i18n: three languages, a few
// hundred strings, and a test that every key has every language are
// simpler to keep true than a generated catalog and extraction tooling.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/handover-project/handover/internal/person"
)

// uiLangs are the UI's languages, in the order the switch shows them.
var uiLangs = []string{"uk", "ru", "en"}

var langTags = map[string]language.Tag{"uk": language.Ukrainian, "ru": language.Russian, "en": language.English}

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Ukrainian, language.Russian})

// requestLang picks the language of a visitor without a stored choice: the
// language cookie, then Accept-Language, then English.
func requestLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(uiLangs, c.Value) {
		return c.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return "en"
	}
	_, i, _ := langMatcher.Match(tags...)
	return []string{"en", "uk", "ru"}[i]
}

// msg is one message in English, Ukrainian and Russian.
type msg struct{ en, uk, ru string }

func (m msg) in(lang string) string {
	switch lang {
	case "uk":
		return m.uk
	case "ru":
		return m.ru
	}
	return m.en
}

// translate returns key's message in lang, formatted with args. An unknown
// key shows as itself, so that a missing message is visible, not blank.
func translate(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m.in(lang)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// pluralForm returns the CLDR cardinal plural category of an integer n:
// "one", "few", "many" or "other".
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case "uk", "ru":
		switch m10, m100 := n%10, n%100; {
		case m10 == 1 && m100 != 11:
			return "one"
		case m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14):
			return "few"
		default:
			return "many"
		}
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// plural says "n things": the number in the language's format and the
// noun's plural form. English has one/other, Ukrainian and Russian
// one/few/many.
func plural(lang, key string, n int) string {
	forms, ok := plurals[key]
	if !ok {
		return fmt.Sprintf("%d %s", n, key)
	}
	var f [3]string
	switch lang {
	case "uk":
		f = forms.uk
	case "ru":
		f = forms.ru
	default:
		f = forms.en
	}
	var word string
	switch pluralForm(lang, n) {
	case "one":
		word = f[0]
	case "few":
		word = f[1]
	default:
		word = f[2]
	}
	return formatNumber(lang, n) + " " + word
}

// pluralMsg holds a noun's forms: English [one, other, other]; Ukrainian
// and Russian [one, few, many].
type pluralMsg struct{ en, uk, ru [3]string }

var printers sync.Map // lang → *message.Printer

func printer(lang string) *message.Printer {
	if p, ok := printers.Load(lang); ok {
		return p.(*message.Printer)
	}
	tag, ok := langTags[lang]
	if !ok {
		tag = language.English
	}
	p := message.NewPrinter(tag)
	printers.Store(lang, p)
	return p
}

// formatNumber formats an integer or float with the language's grouping
// and decimal separators.
func formatNumber(lang string, n any) string {
	switch v := n.(type) {
	case float64:
		return printer(lang).Sprint(number.Decimal(v, number.MaxFractionDigits(2)))
	default:
		return printer(lang).Sprint(number.Decimal(v))
	}
}

// formatDate formats a time as people of the language write it (UTC, which
// the page says).
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	switch lang {
	case "uk", "ru":
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

func formatDay(lang string, d person.Date) string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	}
	t := time.Date(d.Year, time.Month(d.Month), max(d.Day, 1), 0, 0, 0, 0, time.UTC)
	switch {
	case lang == "uk" || lang == "ru":
		if d.Day == 0 {
			return t.Format("01.2006")
		}
		return t.Format("02.01.2006")
	case d.Day == 0:
		return t.Format("Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

// sortNames sorts items by key with the collation of the language:
// Ukrainian order for uk (є after е, і and ї after и, ґ after г), Russian
// for ru, and the root order otherwise, never byte order.
func sortNames[T any](lang string, items []T, key func(T) string) {
	tag := langTags[lang]
	if lang == "en" || lang == "" {
		tag = language.Ukrainian // names are mostly Cyrillic: sort them as Ukrainian
	}
	c := collate.New(tag, collate.IgnoreCase)
	var buf collate.Buffer
	keys := make(map[int][]byte, len(items))
	idx := make([]int, len(items))
	for i, it := range items {
		idx[i] = i
		keys[i] = append([]byte(nil), c.KeyFromString(&buf, key(it))...)
		buf.Reset()
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(string(keys[a]), string(keys[b])) })
	out := make([]T, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	copy(items, out)
}
