// Package person defines the record a party's bureau keeps of one person it
// holds or seeks: the identity fields of GC III Arts. 17 and 122, category,
// custody and disappearance details, sensitive fields, and provenance. It
// validates records and says, field by field, what is wrong. It knows nothing
// of storage or transport.
package person

import (
	"strings"
	"time"
)

// Kind says which register a record belongs to.
type Kind string

// Kinds of record. Remains is reserved for the repatriation of remains.
const (
	Held    Kind = "held"    // a person the owning party holds (captured from the other side)
	Sought  Kind = "sought"  // the owning party's own person reported captured or missing
	Remains Kind = "remains" // reserved: remains handled in a later flow
)

// Valid reports whether k is a kind a register accepts today.
func (k Kind) Valid() bool { return k == Held || k == Sought }

// Category is the exchange category of a person.
type Category string

// Categories. More may be added; never reorder or rename.
const (
	Military             Category = "military"
	Civilian             Category = "civilian"
	SeriouslyWoundedSick Category = "seriously_wounded_sick" // GC III Art. 110
	RemainsCategory      Category = "remains"
)

// Categories lists the categories in display order.
var Categories = []Category{Military, Civilian, SeriouslyWoundedSick, RemainsCategory}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Status is the legal status of a person (GC III Art. 4 vs GC IV).
type Status string

// Statuses.
const (
	StatusUnknown          Status = ""
	StatusPOW              Status = "pow"
	StatusCivilianInternee Status = "civilian_internee"
	StatusDetainedCivilian Status = "detained_civilian"
	StatusConvicted        Status = "convicted"
	StatusDeceased         Status = "deceased"
	StatusMissing          Status = "missing"
)

// Statuses lists the legal statuses a record may carry.
var Statuses = []Status{StatusPOW, StatusCivilianInternee, StatusDetainedCivilian, StatusConvicted, StatusDeceased, StatusMissing}

// Valid reports whether s is empty or a known status.
func (s Status) Valid() bool {
	if s == StatusUnknown {
		return true
	}
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// Sex as recorded; empty when unknown.
type Sex string

// Sexes.
const (
	SexUnknown Sex = ""
	Male       Sex = "male"
	Female     Sex = "female"
)

// Fields are the facts a bureau records about a person: what a registrar
// enters and corrects. A correction replaces the whole Fields value with a
// new version; nothing is edited in place.
type Fields struct {
	Kind     Kind     `json:"kind"`
	Category Category `json:"category"`
	Status   Status   `json:"status,omitempty"`

	// Names as entered (after NFC), in whatever script. FullName is used when
	// the source gives the name as one string and it could not be split.
	Surname    string   `json:"surname,omitempty"`
	GivenNames string   `json:"given_names,omitempty"`
	Patronymic string   `json:"patronymic,omitempty"`
	FullName   string   `json:"full_name,omitempty"`
	LatinNames []string `json:"latin_names,omitempty"` // other known Latin spellings (passport, other side's lists)
	// NameLanguage, "uk" or "ru" when given, says which language the
	// Cyrillic names are in and so which system writes them in Latin
	// (Record.Latin); empty, the record's other fields decide.
	NameLanguage string `json:"name_language,omitempty"`

	Sex              Sex    `json:"sex,omitempty"`
	BirthDate        Date   `json:"birth_date"`
	BirthPlace       string `json:"birth_place,omitempty"`
	Rank             string `json:"rank,omitempty"`
	ServiceNumber    string `json:"service_number,omitempty"`
	Unit             string `json:"unit,omitempty"`
	Power            string `json:"power,omitempty"` // the power the person depends on (GC III Art. 17)
	Citizenship      string `json:"citizenship,omitempty"`
	MotherMaidenName string `json:"mother_maiden_name,omitempty"`

	// Held: capture. Sought: disappearance.
	CaptureDate                Date   `json:"capture_date"`
	CapturePlace               string `json:"capture_place,omitempty"`
	DisappearanceDate          Date   `json:"disappearance_date"`
	DisappearanceCircumstances string `json:"disappearance_circumstances,omitempty"`

	IdentityNotEstablished bool   `json:"identity_not_established,omitempty"`
	DistinguishingMarks    string `json:"distinguishing_marks,omitempty"`
	// Detrimental marks the record "transmission detrimental": never
	// disclosed to the other party or to families. It carries its legal
	// basis and a reason (withhold.go): GC IV Art. 137(2) for a civilian,
	// set by the bureau; for a prisoner of war only his own request in the
	// neutral's interview (GC III Arts. 118, 122(3)).
	Detrimental       bool          `json:"detrimental,omitempty"`
	DetrimentalBasis  WithholdBasis `json:"detrimental_basis,omitempty"`
	DetrimentalReason string        `json:"detrimental_reason,omitempty"`
	Notes             string        `json:"notes,omitempty"`

	// Sensitive fields: encrypted at rest, shown only to the owning bureau.
	Health    string `json:"health,omitempty"`
	NextOfKin string `json:"next_of_kin,omitempty"`
}

// Provenance says where a record version came from.
type Provenance struct {
	Source    string    `json:"source"`               // "entered by hand", a file name, a list
	SourceRef string    `json:"source_ref,omitempty"` // e.g. file SHA-256, sheet and row
	EnteredBy string    `json:"entered_by"`           // login of the user
	EnteredAt time.Time `json:"entered_at"`
	Reason    string    `json:"reason,omitempty"` // why a correction was made
}

// Record is one version of a party's record of one person. ID is stable
// across versions; Version counts from 1.
type Record struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Party   string `json:"party"`
	Fields
	Provenance Provenance `json:"provenance"`
	// Warnings are problems that do not stop a record being stored but that a
	// person should look at (e.g. Latin look-alike letters in a Cyrillic name).
	Warnings []Warning `json:"warnings,omitempty"`
	// Erased says, of a record erased for a data-protection request or by
	// a retention rule, who erased it, when and why: its fields are gone
	// from every version (docs/design/security.md §9).
	Erased *Erasure `json:"erased,omitempty"`
}

// Erasure is the tombstone of an erased record: who erased it (a login,
// or "system" for a retention rule), when, why (a request's reference or
// the rule, never personal data) and how many versions it had.
type Erasure struct {
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason"`
	Versions int       `json:"versions"`
}

// Warning is a non-blocking remark on one field.
type Warning struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Args are the values the message quotes, for a user interface that
	// says the code in the user's language ("problem.<code>").
	Args []string `json:"args,omitempty"`
}

// DisplayName returns the name as one string: surname, given names,
// patronymic, or the full name.
func (f *Fields) DisplayName() string {
	if f.Surname == "" && f.GivenNames == "" && f.Patronymic == "" {
		return f.FullName
	}
	s := f.Surname
	for _, p := range []string{f.GivenNames, f.Patronymic} {
		if p != "" {
			if s != "" {
				s += " "
			}
			s += p
		}
	}
	return s
}

// Fold case-folds s for a plain search: lower case, ё as е, every apostrophe
// form dropped. The matching engine has richer keys; this is the simple one.
func Fold(s string) string {
	return folder.Replace(strings.ToLower(s))
}

var folder = strings.NewReplacer("ё", "е", "'", "", "’", "", "ʼ", "", "`", "", "‘", "")
