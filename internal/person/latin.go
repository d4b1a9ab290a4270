package person

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/handover-project/handover/internal/names"
)

// LatinSystem names the system that wrote a record's names in Latin.
type LatinSystem string

// The systems: each party's own, as its documents write its people.
const (
	// LatinKMU55 is Ukraine's national system, Cabinet of Ministers of
	// Ukraine resolution No. 55 of 27 January 2010 (Hutsul Pavlo
	// Volodymyrovych): Ukrainian passports and the Ukrainian registers.
	LatinKMU55 LatinSystem = "kmu-55-2010"
	// LatinICAO is ICAO Doc 9303, Russia's passport system since 2013
	// (Gutsul, Iuliia, Podieiachev).
	LatinICAO LatinSystem = "icao-9303"
)

// Name languages: the language a record's Cyrillic names are written in.
const (
	NameUkrainian = "uk"
	NameRussian   = "ru"
)

// partyLanguage is the language of each party's people, and otherParty
// the party whose people a party holds: in the exchanges handover carries
// a party holds the other side's people.
var (
	partyLanguage = map[string]string{"UA": NameUkrainian, "RU": NameRussian}
	otherParty    = map[string]string{"UA": "RU", "RU": "UA"}
)

// LatinForm is a record's name in Latin: the text, the system that wrote
// it (empty when the name is already Latin), the language the name was
// read as, and what decided it: "name_language" (the explicit field),
// "citizenship", "power", "party" (whose person the record is) or
// "letters" (nothing else known: і, ї, є, ґ read as Ukrainian).
type LatinForm struct {
	Text     string      `json:"latin,omitempty"`
	System   LatinSystem `json:"latin_system,omitempty"`
	Language string      `json:"-"`
	By       string      `json:"-"`
}

// Latin returns the record's name in Latin, written by the system of the
// language the record's names are in, decided from the record: the name
// language when given, else the citizenship, else the power the person
// depends on, else whose person it is (a party's own sought person is its
// national; a held person or remains are the other party's), and only
// when none of these tells, the letters of the name.
func (r *Record) Latin() LatinForm { return LatinOf(r.Party, &r.Fields) }

// LatinOf is Record.Latin for the fields of a record of party.
func LatinOf(party string, f *Fields) LatinForm {
	name := f.DisplayName()
	if name == "" || !hasCyrillic(name) {
		return LatinForm{Text: name}
	}
	lang, by := NameLanguageOf(party, f)
	if lang == NameUkrainian {
		return LatinForm{Text: names.RomanizeUkrainian(name), System: LatinKMU55, Language: lang, By: by}
	}
	return LatinForm{Text: names.RomanizeRussian(name, names.ICAO), System: LatinICAO, Language: lang, By: by}
}

// NameLanguageOf decides the language of a record's names, as Latin does,
// and says what decided it.
func NameLanguageOf(party string, f *Fields) (lang, by string) {
	if f.NameLanguage == NameUkrainian || f.NameLanguage == NameRussian {
		return f.NameLanguage, "name_language"
	}
	if l := countryLanguage(f.Citizenship); l != "" {
		return l, "citizenship"
	}
	if l := countryLanguage(f.Power); l != "" {
		return l, "power"
	}
	switch f.Kind {
	case Sought:
		if l := partyLanguage[party]; l != "" {
			return l, "party"
		}
	case Held, Remains:
		if l := partyLanguage[otherParty[party]]; l != "" {
			return l, "party"
		}
	}
	if strings.ContainsAny(strings.ToLower(f.DisplayName()), "іїєґ") {
		return NameUkrainian, "letters"
	}
	return NameRussian, "letters"
}

// countryLanguage reads a citizenship or power as written in the registers
// (UA, UKR, Україна, Украина, Ukraine, громадянин України; RU, RUS, РФ,
// Росія, Россия, Российская Федерация, Russia) as the language of its
// people; "" for anything else.
func countryLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return ""
	case "ua", "ukr", "ук", "укр":
		return NameUkrainian
	case "ru", "rus", "рф", "rf":
		return NameRussian
	}
	for _, stem := range []string{"україн", "украин", "ukrain"} {
		if strings.Contains(s, stem) {
			return NameUkrainian
		}
	}
	for _, stem := range []string{"росі", "росси", "російськ", "русс", "russia", "russian"} {
		if strings.Contains(s, stem) {
			return NameRussian
		}
	}
	return ""
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// MarshalJSON writes the record with its Latin form and the system that
// wrote it (latin, latin_system), so that every reader of the API sees
// which system produced the Latin. They are derived, never read back.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	return json.Marshal(struct {
		plain
		LatinForm
	}{plain(r), r.Latin()})
}
