package ui

// The UI's languages are internal/locale's: the messages as embedded data
// files in uk, ru and en, CLDR plurals, numbers, dates and collation. This
// file picks a visitor's language and puts the domain's refusals into it.

import (
	"net/http"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// uiLangs are the UI's languages, in the order the switch shows them.
var uiLangs = locale.Langs

// RequestLang picks the language of a visitor without a stored choice: the
// language cookie, then Accept-Language, then English.
func RequestLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && locale.Valid(c.Value) {
		return c.Value
	}
	return locale.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// refusalText says why the domain or the store refused, in the user's
// language (locale.Refusal).
func refusalText(c chrome, err error) string { return locale.Refusal(c.lang(), err) }

// formMessage is a form's overall message for a refusal: "see the
// messages next to the fields" when it has field errors (each shown next to
// its field), else the refusal itself, both in the user's language.
func formMessage(c chrome, err error) string {
	if len(errs.Fields(err)) > 0 {
		return c.T("form.invalid")
	}
	return refusalText(c, err)
}

// fieldMessage is a field error in the user's language: its code's
// message with its arguments, else the English message it carries.
func fieldMessage(c chrome, fe errs.FieldError) string { return locale.Field(c.lang(), fe) }

// changedFields names the identity fields of a hold reason or a Changed
// list in the user's language.
func (c chrome) changedFields(fields []string) string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		key := "field." + f
		if f == "undisclosed" {
			key = "stage.undisclosed"
		}
		out = append(out, c.T(key))
	}
	return strings.Join(out, ", ")
}

// Problem is a coded problem of the domain (a parity blocker, a field
// error) in the user's language: locale.Field.
func (c chrome) Problem(fe errs.FieldError) string { return locale.Field(c.lang(), fe) }

// sourceKeys are the record sources the program itself writes, by their
// stored (English) text; a file name or a client's source is shown as it
// is.
var sourceKeys = map[string]string{
	"entered by hand":       "source.hand",
	"entered by hand (web)": "source.hand_web",
	"correction":            "source.correction",
}

// Source is a record's source in the user's language.
func (c chrome) Source(s string) string {
	if k, ok := sourceKeys[s]; ok {
		return c.T(k)
	}
	return s
}

// Warning is a record's warning in the user's language, by its code.
func (c chrome) Warning(w person.Warning) string {
	return locale.Field(c.lang(), errs.FieldError{Field: w.Field, Message: w.Message, Code: w.Code, Args: w.Args})
}

// Signer is who signs an agreement in the user's language: a party by its
// code, the mediator in words.
func (c chrome) Signer(role string) string {
	if role == access.Mediator {
		return c.T("keys.mediator")
	}
	return role
}

// Violation is why a person fails the terms, in the user's language: the
// violation's code and, when it has one, its detail (ages, dates, the
// witness).
func (c chrome) Violation(v exchange.Violation) string {
	s := c.T("violation." + string(v.Code))
	if d, ok := locale.Problem(c.lang(), v.Detail, v.Args); ok {
		s += ": " + d
	}
	return s
}
