// Package locale is the user interface's languages: the messages of
// Ukrainian, Russian and English as embedded data files (messages/uk.json,
// ru.json, en.json: a key with its text, and counted nouns with their CLDR
// plural forms), read once at start; plural categories by the CLDR rules
// (golang.org/x/text/feature/plural), numbers with the language's grouping,
// dates in one format per language, names in the language's collation, and
// the domain's field errors (errs.FieldError codes) in the user's language.
//
// A message is a fmt format: its verbs (%s, %d, %[2]s) take the arguments
// the caller gives. A key missing from the catalog shows as itself, so
// that a missing message is visible rather than blank; the tests make sure
// none is missing: every key is in every language with the same
// arguments, every plural has the forms its language needs, and every
// code the domain emits has a message.
package locale

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/handover-project/handover/internal/errs"
)

// Langs are the user interface's languages, in the order a language
// switch shows them.
var Langs = []string{"uk", "ru", "en"}

// Default is the language of a visitor who states none we have.
const Default = "en"

var tags = map[string]language.Tag{"uk": language.Ukrainian, "ru": language.Russian, "en": language.English}

// Valid reports whether lang is one of Langs.
func Valid(lang string) bool { return slices.Contains(Langs, lang) }

func tag(lang string) language.Tag {
	if t, ok := tags[lang]; ok {
		return t
	}
	return language.English
}

//go:embed messages/*.json documents/*.json
var files embed.FS

// file is one language's data file.
type file struct {
	// Messages maps a key to its text, a fmt format.
	Messages map[string]string `json:"messages"`
	// Plurals maps a counted noun to its forms by CLDR plural category
	// ("one", "few", "many", "other").
	Plurals map[string]map[string]string `json:"plurals"`
}

type catalog struct {
	langs map[string]file
	err   error
}

// load reads the data files once. A broken embedded file is a build
// mistake that TestCatalog reports; at run time it leaves every message
// showing as its key.
var load = sync.OnceValue(func() catalog {
	c := catalog{langs: map[string]file{}}
	for _, lang := range Langs {
		b, err := files.ReadFile("messages/" + lang + ".json")
		if err != nil {
			c.err = fmt.Errorf("locale: %w", err)
			return c
		}
		var f file
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(&f); err != nil {
			c.err = fmt.Errorf("locale: messages/%s.json: %w", lang, err)
			return c
		}
		c.langs[lang] = f
	}
	return c
})

// Err reports a data file that could not be read; nil when all were.
func Err() error { return load().err }

func messages(lang string) map[string]string {
	c := load()
	if f, ok := c.langs[lang]; ok {
		return f.Messages
	}
	return c.langs[Default].Messages
}

// Has reports whether key is a message of the catalog.
func Has(key string) bool {
	_, ok := load().langs[Default].Messages[key]
	return ok
}

// HasPlural reports whether noun is a counted noun of the catalog.
func HasPlural(noun string) bool {
	_, ok := load().langs[Default].Plurals[noun]
	return ok
}

// T returns key's message in lang, formatted with args. An unknown key
// shows as itself.
func T(lang, key string, args ...any) string {
	s, ok := messages(lang)[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Category returns the CLDR cardinal plural category of the integer n in
// lang: "one" or "other" in English; "one", "few" or "many" in Ukrainian
// and Russian (1 and 21 запис; 2–4 and 22 записи; 5–20 and 11–14 записів).
func Category(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	// The operands of an integer: i = n, no visible fraction digits.
	switch plural.Cardinal.MatchPlural(tag(lang), n, 0, 0, 0, 0) {
	case plural.One:
		return "one"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// Plural says "n things": the number in the language's format and the
// noun's form for n. An unknown noun shows as "n noun".
func Plural(lang, noun string, n int) string {
	f := load().langs[lang]
	if !Valid(lang) {
		f = load().langs[Default]
		lang = Default
	}
	if !HasPlural(noun) {
		return fmt.Sprintf("%d %s", n, noun)
	}
	forms := f.Plurals[noun] // every language has every noun (a test holds it)
	word, ok := forms[Category(lang, n)]
	if !ok {
		word = forms["other"]
	}
	return Number(lang, n) + " " + word
}

var printers sync.Map // lang → *message.Printer

func printer(lang string) *message.Printer {
	if p, ok := printers.Load(lang); ok {
		return p.(*message.Printer)
	}
	p := message.NewPrinter(tag(lang))
	printers.Store(lang, p)
	return p
}

// Number formats an integer or a float (at most two decimals) with the
// language's grouping and decimal separators: 100,000 in English,
// 100 000 (a no-break space) in Ukrainian and Russian.
func Number(lang string, n any) string {
	switch v := n.(type) {
	case float64:
		return printer(lang).Sprint(number.Decimal(v, number.MaxFractionDigits(2)))
	default:
		return printer(lang).Sprint(number.Decimal(v))
	}
}

// The one date format of each language: DD.MM.YYYY in Ukrainian and
// Russian, "2 Jan 2006" in English; a time follows as 15:04 (UTC, which
// the pages say).
const (
	dayDots  = "02.01.2006"
	dayWords = "2 Jan 2006"
)

// DateTime formats an instant as people of the language write it, in
// UTC; the zero time is "—".
func DateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	if lang == "uk" || lang == "ru" {
		return t.Format(dayDots + " 15:04")
	}
	return t.Format(dayWords + " 15:04")
}

// Day formats a calendar date that may be partial: a year (month 0), a
// month (day 0) or a whole day, in the language's date format. Year 0 is
// the empty string.
func Day(lang string, year, month, day int) string {
	switch {
	case year == 0:
		return ""
	case month == 0:
		return fmt.Sprintf("%04d", year)
	}
	t := time.Date(year, time.Month(month), max(day, 1), 0, 0, 0, 0, time.UTC)
	switch {
	case lang == "uk" || lang == "ru":
		if day == 0 {
			return t.Format("01.2006")
		}
		return t.Format(dayDots)
	case day == 0:
		return t.Format("Jan 2006")
	}
	return t.Format(dayWords)
}

// Sort sorts items by key with the collation of lang: Ukrainian order for
// uk (є after е, і and ї after и, ґ after г), Russian for ru, and
// Ukrainian for English too, since the names are mostly Cyrillic; never
// byte order. The sort is stable.
func Sort[T any](lang string, items []T, key func(T) string) {
	tg := tag(lang)
	if lang != "uk" && lang != "ru" {
		tg = language.Ukrainian
	}
	c := collate.New(tg, collate.IgnoreCase)
	var buf collate.Buffer
	keys := make([]string, len(items))
	idx := make([]int, len(items))
	for i, it := range items {
		idx[i] = i
		keys[i] = string(c.KeyFromString(&buf, key(it)))
		buf.Reset()
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	out := make([]T, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	copy(items, out)
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Ukrainian, language.Russian})

// FromAcceptLanguage picks the language of an HTTP Accept-Language header:
// the best of ours it asks for, or Default.
func FromAcceptLanguage(header string) string {
	ts, _, _ := language.ParseAcceptLanguage(header)
	if len(ts) == 0 {
		return Default
	}
	_, i, _ := matcher.Match(ts...)
	return []string{"en", "uk", "ru"}[i]
}

// argKeys are, for a code whose arguments include a value of the domain
// (a stage state, an event type, an outcome, a category, a role…), the
// key prefix that puts each argument, by position, into the language; ""
// leaves an argument as it is (a name, a number, an id). An argument
// without a message under its prefix shows as it is.
var argKeys = map[string][]string{
	"not_allowed_in_state":      {"", "stage.", "act."},
	"stage_over":                {"", "stage."},
	"stage_not_open":            {"", "stage."},
	"already_recorded":          {"", "act."},
	"no_refusal":                {"", "outcome."},
	"reserve_category":          {"", "value.", "", "value."},
	"not_retractable":           {"", "act."},
	"required_for":              {"act."},
	"release_by_releasing_side": {"", "act."},
	"receipt_by_receiving_side": {"", "act."},
	"observation_by_mediator":   {"", "act."},
	"key_not_active":            {"", "keys.state_"},
	"key_not_proposed":          {"", "keys.state_"},
	"role_needs_party":          {"role."},
	"role_no_party":             {"role."},
	"totp_not_needed":           {"role."},
	"not_category":              {"value."},
	"confirmation_method":       {"idmethod."},
	"identification_transition": {"", "idstatus.", "idstatus."},
	"kind_change":               {"value.", "value."},
	"list_superseded":           {"", "", "list."},
	"list_not_submitted":        {"", "", "list."},
	"not_on_list":               {"", "", "", "list."},
	"category_mismatch":         {"", "", "value."},
	"parity_outstanding":        {"", "value."},
	"parity_pending":            {"", "value."},
	"parity_disputed":           {"", "value."},
	"parity_left":               {"", "value."},
	"parity_left_of":            {"", "value."},
	"parity_no_reserves":        {"", "value."},
	"no_list_version":           {"", "list."},
	"no_list":                   {"", "list."},
	"no_list_version_of":        {"", "", "list."},
	"forbidden_role":            {"role."},
	"forbidden_mfa":             {"role."},
	"party_not_mediator":        {"keys."},
	// "@day": a date (2006-01-02, 2006-01 or 2006) in the language's form.
	"eligibility_no_birth_date":   {"@day"},
	"eligibility_age_below":       {"", "@day"},
	"eligibility_age_above":       {"", "@day"},
	"eligibility_no_capture_date": {"@day"},
	"eligibility_captured_after":  {"@day", "@day"},
	"eligibility_refused_on":      {"@day"},
	"eligibility_withdrawn_on":    {"@day"},
}

// isoDay says a date written 2006-01-02, 2006-01 or 2006 in lang's form;
// anything else as it is.
func isoDay(lang, s string) string {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			d := t.Day()
			m := int(t.Month())
			switch layout {
			case "2006-01":
				d = 0
			case "2006":
				d, m = 0, 0
			}
			return Day(lang, t.Year(), m, d)
		}
	}
	return s
}

// Problem is the message "problem.<code>" in lang with args, each put
// into the language as argKeys says; ok is false when the catalog has no
// such message.
func Problem(lang, code string, args []string) (string, bool) {
	if code == "" || !Has("problem."+code) {
		return "", false
	}
	prefixes := argKeys[code]
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		switch {
		case i >= len(prefixes) || prefixes[i] == "":
		case prefixes[i] == "@day":
			out[i] = isoDay(lang, a)
		case Has(prefixes[i] + a):
			out[i] = T(lang, prefixes[i]+a)
		}
	}
	return T(lang, "problem."+code, out...), true
}

// Field is a field error in lang: the message of "problem.<code>" with the
// error's arguments when the catalog has it, else the English message the
// error carries (an error without a code has no other text).
func Field(lang string, fe errs.FieldError) string {
	if s, ok := Problem(lang, fe.Code, fe.Args); ok {
		return s
	}
	return fe.Message
}

// Refusal says why the domain or the store refused err, in lang: each of
// its field errors through Field, joined by spaces; or, when it has none,
// its own message by its code (errs.Coded); or, without a code, its
// message in English.
func Refusal(lang string, err error) string {
	fes := errs.Fields(err)
	if len(fes) == 0 {
		if code, args := errs.CodeOf(err); code != "" {
			if s, ok := Problem(lang, code, args); ok {
				return s
			}
		}
		return errs.Message(err)
	}
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = Field(lang, fe)
	}
	return strings.Join(parts, " ")
}
