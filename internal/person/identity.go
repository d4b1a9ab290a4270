package person

import "strings"

// identityFields are the fields that say who a person is: the identity
// fields of GC III Arts. 17 and 122 (names in every form, sex, date and
// place of birth, rank, service number, unit, the power depended on,
// citizenship, mother's maiden name), the marks that identify a body, and
// what decides which register, category and status the person is in. A
// change of any of them changes whom a record stands for; a change of the
// others (custody, notes, health, next of kin, the transmission flag) does
// not. Each entry is the JSON name of the field and its value as compared.
var identityFields = []struct {
	name string
	get  func(*Fields) any
}{
	{"kind", func(f *Fields) any { return f.Kind }},
	{"category", func(f *Fields) any { return f.Category }},
	{"status", func(f *Fields) any { return f.Status }},
	{"surname", func(f *Fields) any { return f.Surname }},
	{"given_names", func(f *Fields) any { return f.GivenNames }},
	{"patronymic", func(f *Fields) any { return f.Patronymic }},
	{"full_name", func(f *Fields) any { return f.FullName }},
	{"latin_names", func(f *Fields) any { return latinKey(f.LatinNames) }},
	{"sex", func(f *Fields) any { return f.Sex }},
	{"birth_date", func(f *Fields) any { return f.BirthDate }},
	{"birth_place", func(f *Fields) any { return f.BirthPlace }},
	{"rank", func(f *Fields) any { return f.Rank }},
	{"service_number", func(f *Fields) any { return f.ServiceNumber }},
	{"unit", func(f *Fields) any { return f.Unit }},
	{"power", func(f *Fields) any { return f.Power }},
	{"citizenship", func(f *Fields) any { return f.Citizenship }},
	{"mother_maiden_name", func(f *Fields) any { return f.MotherMaidenName }},
	{"identity_not_established", func(f *Fields) any { return f.IdentityNotEstablished }},
	{"distinguishing_marks", func(f *Fields) any { return f.DistinguishingMarks }},
}

// latinKey is the list of Latin spellings as one comparable value.
func latinKey(l []string) string { return strings.Join(l, "\x00") }

// IdentityChanges returns the JSON names of the identity fields that
// differ between two versions of a record, in a fixed order; nil when the
// later version still stands for the same person (only custody, notes,
// sensitive fields or the transmission flag changed). A person frozen in a
// signed agreement whose record has identity changes no longer is the
// person the parties signed for (docs/design/agreement.md, "What was
// signed is what crosses").
func IdentityChanges(before, after *Fields) []string {
	var out []string
	for _, f := range identityFields {
		if f.get(before) != f.get(after) {
			out = append(out, f.name)
		}
	}
	return out
}
