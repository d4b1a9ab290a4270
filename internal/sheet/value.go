package sheet

import (
	"fmt"
	"strings"

	"github.com/handover-project/handover/internal/person"
)

// cellProblem is why a cell could not be read.
type cellProblem struct {
	Code   string
	Reason string
}

// setField reads s into the field of column c of f. An empty s leaves the
// field as it is.
func setField(f *person.Fields, c *column, s string) *cellProblem {
	s = unneutralise(strings.TrimSpace(s))
	if s == "" {
		return nil
	}
	switch c.Kind {
	case textValue, longText:
		p := textPtr(f, c.Field)
		if p == nil {
			return &cellProblem{CodeInvalidField, "not a text field"}
		}
		*p = s
	case latinValue:
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '|' }) {
			if part = strings.TrimSpace(part); part != "" {
				f.LatinNames = append(f.LatinNames, part)
			}
		}
	case dateValue:
		d, err := ParseDate(s)
		if err != nil {
			code := CodeDateFormat
			if de, ok := err.(*DateError); ok {
				code = de.Code
			}
			return &cellProblem{code, err.Error()}
		}
		*datePtr(f, c.Field) = d
	case boolValue:
		switch lookupWord(boolWords, s) {
		case "true":
			*boolPtr(f, c.Field) = true
		case "false":
			*boolPtr(f, c.Field) = false
		default:
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not yes or no (так/ні, да/нет, yes/no)", s)}
		}
	case categoryValue:
		code := lookupWord(categoryWords, s)
		if code == "" {
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not a category: use військовий, цивільний, тяжкопоранений або тяжкохворий (or military, civilian, seriously wounded or sick)", s)}
		}
		f.Category = person.Category(code)
	case statusValue:
		code := lookupWord(statusWords, s)
		if code == "" {
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not a legal status: use e.g. військовополонений, засуджений, зник безвісти (or prisoner of war, convicted, missing)", s)}
		}
		f.Status = person.Status(code)
	case sexValue:
		code := lookupWord(sexWords, s)
		if code == "" {
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not a sex: use ч/ж, м/ж or male/female", s)}
		}
		f.Sex = person.Sex(code)
	case nameLanguageValue:
		code := lookupWord(nameLanguageWords, s)
		if code == "" {
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not a name language: use українська/російська (or uk, ru)", s)}
		}
		f.NameLanguage = code
	case withholdBasisValue:
		code := lookupWord(withholdWords, s)
		if code == "" {
			return &cellProblem{CodeValueUnknown, fmt.Sprintf("%q is not a basis of withholding: use ЖК IV ст. 137(2) (or GC IV Art. 137(2), for a civilian)", s)}
		}
		f.DetrimentalBasis = person.WithholdBasis(code)
	}
	return nil
}

// cellText renders field c of f as a cell's text in lang (dates in ISO
// form; the writer turns full dates into real dates where it can).
func cellText(f *person.Fields, c *column, lang string) string {
	switch c.Kind {
	case textValue, longText:
		return *textPtr(f, c.Field)
	case latinValue:
		return strings.Join(f.LatinNames, "; ")
	case dateValue:
		return datePtr(f, c.Field).String()
	case boolValue:
		if *boolPtr(f, c.Field) {
			return wordFor(boolWords, "true", lang)
		}
		return ""
	case categoryValue:
		if f.Category == "" {
			return ""
		}
		return wordFor(categoryWords, string(f.Category), lang)
	case statusValue:
		if f.Status == "" {
			return ""
		}
		return wordFor(statusWords, string(f.Status), lang)
	case sexValue:
		if f.Sex == "" {
			return ""
		}
		return wordFor(sexWords, string(f.Sex), lang)
	case nameLanguageValue:
		if f.NameLanguage == "" {
			return ""
		}
		return wordFor(nameLanguageWords, f.NameLanguage, lang)
	case withholdBasisValue:
		if f.DetrimentalBasis == "" {
			return ""
		}
		return wordFor(withholdWords, string(f.DetrimentalBasis), lang)
	}
	return ""
}

func textPtr(f *person.Fields, field string) *string {
	switch field {
	case "surname":
		return &f.Surname
	case "given_names":
		return &f.GivenNames
	case "patronymic":
		return &f.Patronymic
	case "full_name":
		return &f.FullName
	case "birth_place":
		return &f.BirthPlace
	case "rank":
		return &f.Rank
	case "service_number":
		return &f.ServiceNumber
	case "unit":
		return &f.Unit
	case "power":
		return &f.Power
	case "citizenship":
		return &f.Citizenship
	case "mother_maiden_name":
		return &f.MotherMaidenName
	case "capture_place":
		return &f.CapturePlace
	case "disappearance_circumstances":
		return &f.DisappearanceCircumstances
	case "distinguishing_marks":
		return &f.DistinguishingMarks
	case "notes":
		return &f.Notes
	case "detrimental_reason":
		return &f.DetrimentalReason
	case "health":
		return &f.Health
	case "next_of_kin":
		return &f.NextOfKin
	}
	return nil
}

func datePtr(f *person.Fields, field string) *person.Date {
	switch field {
	case "capture_date":
		return &f.CaptureDate
	case "disappearance_date":
		return &f.DisappearanceDate
	}
	return &f.BirthDate
}

func boolPtr(f *person.Fields, field string) *bool {
	if field == "detrimental" {
		return &f.Detrimental
	}
	return &f.IdentityNotEstablished
}

// Neutralise makes a cell safe from formula injection: a value that starts
// with = + - @, a tab or a carriage return (or with an apostrophe, so that
// the rule can be undone exactly) gets a leading apostrophe. The reader
// takes it off again.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + s
	}
	return s
}

// unneutralise undoes Neutralise.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r', '\'':
			return s[1:]
		}
	}
	return s
}
