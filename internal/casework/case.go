package casework

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Relationship is how an enquirer stands to the sought person.
type Relationship string

// Relationships of an enquirer.
const (
	RelParent   Relationship = "parent"
	RelSpouse   Relationship = "spouse"
	RelChild    Relationship = "child"
	RelSibling  Relationship = "sibling"
	RelRelative Relationship = "relative" // another relative
	RelUnit     Relationship = "unit"     // the person's unit or employer
	RelOther    Relationship = "other"
)

// Relationships lists every relationship, for forms and validation.
var Relationships = []Relationship{RelParent, RelSpouse, RelChild, RelSibling, RelRelative, RelUnit, RelOther}

// Valid reports whether r is one of Relationships.
func (r Relationship) Valid() bool {
	for _, x := range Relationships {
		if r == x {
			return true
		}
	}
	return false
}

// Mode is how a contact was made, or how a family was notified.
type Mode string

// Modes of a contact.
const (
	ModeCall    Mode = "call"
	ModeLetter  Mode = "letter"
	ModeVisit   Mode = "visit"
	ModeMessage Mode = "message"
)

// Modes lists every mode.
var Modes = []Mode{ModeCall, ModeLetter, ModeVisit, ModeMessage}

// News is what a family was notified of.
type News string

// News a family is notified of.
const (
	NewsCapture News = "capture" // the person is held by the other side
	NewsReturn  News = "return"  // the person came home
	NewsDeath   News = "death"   // the person died
	NewsRemains News = "remains" // remains were identified as the person
)

// AllNews lists every kind of news.
var AllNews = []News{NewsCapture, NewsReturn, NewsDeath, NewsRemains}

// CloseReason is why a case closed.
type CloseReason string

// Reasons to close a case.
const (
	CloseReturned  CloseReason = "returned"           // the person came home
	CloseDied      CloseReason = "died"               // the person died
	CloseRemains   CloseReason = "remains_identified" // remains were identified as the person
	CloseWithdrawn CloseReason = "withdrawn"          // the family withdrew the enquiry
	CloseMerged    CloseReason = "merged"             // the case was merged into another about the same person
)

// CloseReasons lists every reason to close.
var CloseReasons = []CloseReason{CloseReturned, CloseDied, CloseRemains, CloseWithdrawn, CloseMerged}

// Enquiry is a family member's (or a unit's) request to trace the person.
// Name and Reach are sealed at rest.
type Enquiry struct {
	Name         string       `json:"name"`             // who asked (sealed)
	Relationship Relationship `json:"relationship"`     // how they stand to the person
	Reach        string       `json:"reach,omitempty"`  // how to reach them: telephone, address, e-mail (sealed)
	Consent      bool         `json:"consent"`          // they agree that their contact be shared with the mediator's tracing agency
	Date         person.Date  `json:"date"`             // when they asked
	Note         string       `json:"note,omitempty"`   // what they asked, in a line (not sealed: no contact details here)
	Source       string       `json:"source,omitempty"` // where an imported enquiry came from (file and row)
}

// Contact is one contact with the family: a call, a letter, a visit or a
// message. Said is sealed at rest.
type Contact struct {
	Mode Mode        `json:"mode"`
	Date person.Date `json:"date"`
	With string      `json:"with"`           // whom the bureau spoke with
	Said string      `json:"said,omitempty"` // what was said (sealed)
}

// Task is something to do on the case. Its number is the step that set it.
type Task struct {
	Text     string      `json:"text"`
	Assignee string      `json:"assignee"`     // the login of a user of the bureau
	Due      person.Date `json:"due,omitzero"` // a full date, or none
}

// TaskDone marks task number Task (the step that set it) done.
type TaskDone struct {
	Task int `json:"task"`
}

// Notice is the step "family notified": of what, by whom, how, when.
type Notice struct {
	News News        `json:"news"`
	By   string      `json:"by"`  // who notified the family
	How  Mode        `json:"how"` // by call, letter, visit or message
	Date person.Date `json:"date"`
}

// Sharing says whether the mediator's tracing agency may read and work the
// case.
type Sharing struct {
	Shared bool `json:"shared"`
}

// Closing is why the case closed; Into names the case a merged case went
// into.
type Closing struct {
	Reason CloseReason `json:"reason"`
	Into   string      `json:"into,omitempty"`
	Note   string      `json:"note,omitempty"`
}

// Reopening is why a closed case was opened again.
type Reopening struct {
	Reason string `json:"reason"`
}

// Step is one entry of a case: exactly the field of its Kind is set. N,
// By and At are the store's: the step's place in the case (from 1), the
// login that wrote it and when.
type Step struct {
	Kind    Kind       `json:"kind"`
	N       int        `json:"n"`
	By      string     `json:"by"`
	At      time.Time  `json:"at"`
	Enquiry *Enquiry   `json:"enquiry,omitempty"`
	Contact *Contact   `json:"contact,omitempty"`
	Task    *Task      `json:"task,omitempty"`
	Done    *TaskDone  `json:"done,omitempty"`
	Notice  *Notice    `json:"notice,omitempty"`
	Sharing *Sharing   `json:"sharing,omitempty"`
	Closing *Closing   `json:"closing,omitempty"`
	Reopen  *Reopening `json:"reopen,omitempty"`
}

// Sealed are the fields of a step that are sealed at rest: the enquirer's
// name and how to reach them, and what was said in a contact.
type Sealed struct {
	Name  string `json:"name,omitempty"`
	Reach string `json:"reach,omitempty"`
	Said  string `json:"said,omitempty"`
}

// IsZero reports whether nothing is sealed.
func (s Sealed) IsZero() bool { return s == Sealed{} }

// Split returns the step without its sealed fields, and those fields.
func (s Step) Split() (Step, Sealed) {
	var sealed Sealed
	if s.Enquiry != nil {
		e := *s.Enquiry
		sealed.Name, sealed.Reach = e.Name, e.Reach
		e.Name, e.Reach = "", ""
		s.Enquiry = &e
	}
	if s.Contact != nil {
		c := *s.Contact
		sealed.Said = c.Said
		c.Said = ""
		s.Contact = &c
	}
	return s, sealed
}

// Join puts the sealed fields back into a step Split took them from.
func (s Step) Join(sealed Sealed) Step {
	if s.Enquiry != nil {
		e := *s.Enquiry
		e.Name, e.Reach = sealed.Name, sealed.Reach
		s.Enquiry = &e
	}
	if s.Contact != nil {
		c := *s.Contact
		c.Said = sealed.Said
		s.Contact = &c
	}
	return s
}

// Limits of the free text of a step, in characters.
const (
	MaxLine = 200  // a name, a relationship, whom, who, a task
	MaxText = 4000 // how to reach, what was said, a note, a reason
)

// Validate checks a step's own fields before the store writes it: the
// field of its kind and no other, required values, known codes, lengths,
// no control characters, no dates after now. Every problem is a coded
// errs.FieldError; the error is Invalid.
func (s Step) Validate(now time.Time) error {
	v := &validator{now: now}
	set := 0
	for _, p := range []bool{s.Enquiry != nil, s.Contact != nil, s.Task != nil, s.Done != nil, s.Notice != nil, s.Sharing != nil, s.Closing != nil, s.Reopen != nil} {
		if p {
			set++
		}
	}
	want := map[Kind]bool{KindEnquiry: s.Enquiry != nil, KindContact: s.Contact != nil, KindTask: s.Task != nil, KindTaskDone: s.Done != nil,
		KindNotified: s.Notice != nil, KindShared: s.Sharing != nil, KindClosed: s.Closing != nil, KindReopened: s.Reopen != nil, KindOpened: set == 0}
	switch {
	case !s.Kind.Valid():
		v.add("kind", "case_bad_kind", "not a kind of step", string(s.Kind))
	case !want[s.Kind] || set > 1:
		v.add(string(s.Kind), "required", "required")
	}
	if e := s.Enquiry; e != nil {
		v.line("name", e.Name, true)
		oneOf(v, "relationship", string(e.Relationship), "case_bad_relationship", Relationships)
		v.text("reach", e.Reach, false)
		v.text("note", e.Note, false)
		v.text("source", e.Source, false)
		v.date("date", e.Date, true)
	}
	if c := s.Contact; c != nil {
		oneOf(v, "mode", string(c.Mode), "case_bad_mode", Modes)
		v.date("date", c.Date, true)
		v.line("with", c.With, true)
		v.text("said", c.Said, false)
	}
	if t := s.Task; t != nil {
		v.line("text", t.Text, true)
		v.line("assignee", t.Assignee, true)
		if !t.Due.IsZero() && t.Due.Precision() != "day" {
			v.add("due", "case_due_day", "a due date is a full date", t.Due.String())
		}
	}
	if d := s.Done; d != nil && d.Task < 1 {
		v.add("task", "required", "required")
	}
	if n := s.Notice; n != nil {
		oneOf(v, "news", string(n.News), "case_bad_news", AllNews)
		v.line("by", n.By, true)
		oneOf(v, "how", string(n.How), "case_bad_mode", Modes)
		v.date("date", n.Date, true)
	}
	if c := s.Closing; c != nil {
		oneOf(v, "reason", string(c.Reason), "case_bad_close_reason", CloseReasons)
		if c.Reason == CloseMerged {
			v.line("into", c.Into, true)
		} else if c.Into != "" {
			v.add("into", "case_into_merged", "only a merged case names the case it went into")
		}
		v.text("note", c.Note, false)
	}
	if r := s.Reopen; r != nil {
		v.text("reason", r.Reason, true)
	}
	if len(v.fields) > 0 {
		return errs.E("casework.Step.Validate", errs.Invalid, "the step has "+plural(len(v.fields), "problem"), v.fields)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

type validator struct {
	now    time.Time
	fields []errs.FieldError
}

// Codes are the problem codes of a step's fields that Validate gives
// (translated as problem.<code>); the state machine's are literals.
var Codes = []string{"case_bad_kind", "required", "case_bad_relationship", "case_bad_mode", "case_due_day", "case_bad_news",
	"case_bad_close_reason", "case_into_merged", "one_line_required", "control_char", "too_long", "future"}

func (v *validator) add(field, code, msg string, args ...string) {
	fe := errs.FieldError{Field: field, Message: msg, Args: args}
	fe.Code = code // one of Codes
	v.fields = append(v.fields, fe)
}

func (v *validator) line(field, s string, required bool) {
	if strings.ContainsAny(s, "\r\n") {
		v.add(field, "one_line_required", "one line without control characters")
		return
	}
	v.check(field, s, required, MaxLine)
}

func (v *validator) text(field, s string, required bool) { v.check(field, s, required, MaxText) }

func (v *validator) check(field, s string, required bool, limit int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.add(field, "required", "required")
	case !utf8.ValidString(s):
		v.add(field, "control_char", "not valid text", "1")
	case utf8.RuneCountInString(s) > limit:
		v.add(field, "too_long", fmt.Sprintf("too long: %d characters, at most %d", utf8.RuneCountInString(s), limit),
			strconv.Itoa(utf8.RuneCountInString(s)), strconv.Itoa(limit))
	default:
		for i, r := range []rune(s) {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				v.add(field, "control_char", "an invisible control character", strconv.Itoa(i+1))
				return
			}
		}
	}
}

func (v *validator) date(field string, d person.Date, required bool) {
	switch {
	case d.IsZero() && required:
		v.add(field, "required", "required")
	case d.After(v.now):
		v.add(field, "future", d.String()+" is in the future", d.String())
	}
}

func oneOf[T ~string](v *validator, field, got, code string, allowed []T) {
	for _, a := range allowed {
		if string(a) == got {
			return
		}
	}
	if got == "" {
		v.add(field, "required", "required")
		return
	}
	v.add(field, code, fmt.Sprintf("%q is not one of the choices", got), got)
}
