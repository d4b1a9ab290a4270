package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The custody timeline and GC III Art. 122 notifications
// (docs/design/law.md): a person's custody events with the form that adds
// one, and the bureau's page of notifications overdue (no capture card
// within a week of arrival at a place of internment, Art. 70). The store
// decides who reads and writes, per record.

func (s *UI) registerUICustodyRoutes() {
	s.page("GET", "/custody", access.CustodyRead, "The bureau's notifications overdue: persons with no capture card within a week of arrival at a place of internment, or no death notification.", s.handleCustodyOverduePage)
	s.page("GET", "/records/{id}/custody", access.CustodyRead, "A person's custody timeline, with the form to record an event.", s.handleCustodyPage)
	s.page("POST", "/records/{id}/custody", access.CustodyWrite, "Record a custody event of one of the bureau's records.", s.handleCustodyForm)
	s.page("GET", "/records/{id}/capture-card.pdf", access.CustodyRead, "A held person's capture card (GC III Art. 70, Annex IV B) as a PDF, in ?lang= with ?second= labels.", s.handleCaptureCardPDF)
	s.page("GET", "/records/{id}/death-notice.pdf", access.CustodyRead, "A held person's death notification (GC III Art. 120, Annex IV D) as a PDF, in ?lang= with ?second= labels.", s.handleDeathNoticePDF)
}

// handleCaptureCardPDF and handleDeathNoticePDF print through the API's
// handlers: the same decision, the same document.
func (s *UI) handleCaptureCardPDF(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.files.CaptureCard(w, r, sc)
}

func (s *UI) handleDeathNoticePDF(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.files.DeathNotice(w, r, sc)
}

// DocLinks are the printed documents' language choices the custody page
// offers: each language with French beside it (the Annex's card is
// printed in the holding power's language and French), and French alone.
func (v custodyView) DocLinks() []docLink {
	return []docLink{{"uk", "fr"}, {"ru", "fr"}, {"en", "fr"}, {"fr", ""}}
}

// Held reports whether the page is of a held person: his capture card and
// death notification print.
func (v custodyView) Held() bool { return v.V.Record.Kind == person.Held }

// docLink is one language choice of a printed document, named on the
// page in the page's language (custody.doclang.<lang>).
type docLink struct{ Lang, Second string }

type custodyOverdueView struct {
	chrome
	Persons []sqlstore.CustodyOverdue
}

func (s *UI) handleCustodyOverduePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	list, err := s.db.CustodyOverdueList(r.Context(), sc, r.URL.Query().Get("party"), s.db.Now().UTC())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "custody.html", custodyOverdueView{chrome: s.chromeFor(r, "custody.title"), Persons: list})
	return nil
}

type custodyView struct {
	chrome
	V          sqlstore.CustodyView
	Kinds      []custody.Kind
	Recipients []custody.Recipient
	MayWrite   bool
	// Posted is the form as typed, after a refused form.
	Posted url.Values
}

// Val is a field of the form as typed (after a refused form).
func (v custodyView) Val(name string) string { return v.Posted.Get(name) }

// Sent reports whether the form shows recipient r checked.
func (v custodyView) Sent(r custody.Recipient) bool {
	for _, x := range v.Posted["sent_to"] {
		if x == string(r) {
			return true
		}
	}
	return false
}

func (s *UI) custodyPage(r *http.Request, sc access.Scope) (custodyView, error) {
	cv, err := s.db.Custody(r.Context(), sc, r.PathValue("id"), s.db.Now().UTC())
	if err != nil {
		return custodyView{}, err
	}
	v := custodyView{chrome: s.chromeFor(r, "custody.person"), V: cv, Recipients: custody.Recipients,
		MayWrite: access.Decide(sc, access.CustodyWrite, access.Resource{Party: cv.Record.Party}) == nil}
	for _, k := range custody.Kinds {
		if k.Register() == cv.Record.Kind {
			v.Kinds = append(v.Kinds, k)
		}
	}
	v.Title = v.T("custody.personof", cv.Record.DisplayName())
	return v, nil
}

func (s *UI) handleCustodyPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.custodyPage(r, sc)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") == "event" {
		v.Flash = v.T("custody.saved")
	}
	s.render(w, r, http.StatusOK, "custody_person.html", v)
	return nil
}

// parseCustodyEvent reads a posted event: the date with the one date
// parser; what an event must be is the domain's (custody.Event.Validate,
// in the store).
func parseCustodyEvent(f url.Values) (custody.Event, []errs.FieldError) {
	get := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	e := custody.Event{Kind: custody.Kind(get("kind")), Place: get("place"), Unit: get("unit"), From: get("from"), To: get("to"),
		Cause: get("cause"), Grave: get("grave"), Reason: get("reason"), Note: get("note")}
	for _, r := range f["sent_to"] {
		e.SentTo = append(e.SentTo, custody.Recipient(r))
	}
	var bad []errs.FieldError
	if s := get("date"); s != "" {
		d, err := person.ReadDate(s)
		if err != nil {
			code := person.DateFormat
			if de, ok := err.(*person.DateError); ok {
				code = de.Code
			}
			fe := errs.FieldError{Field: "date", Message: err.Error(), Args: []string{s}}
			fe.Code = code // one of person's date codes
			bad = append(bad, fe)
		}
		e.Date = d
	}
	return e, bad
}

func (s *UI) handleCustodyForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.custody", 1<<16); err != nil {
		return err
	}
	id := r.PathValue("id")
	e, bad := parseCustodyEvent(r.PostForm)
	var err error
	if len(bad) > 0 {
		err = errs.E("web.custody", errs.Invalid, "the event has problems", bad)
	} else if _, err = s.db.RecordCustody(r.Context(), sc, id, e); err == nil {
		s.redirect(w, r, "/records/"+url.PathEscape(id)+"/custody?done=event#events")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.custodyPage(r, sc)
	if verr != nil {
		return verr
	}
	v.Posted = r.PostForm
	v.Fields, v.Message = formRefused(v.chrome, err)
	s.render(w, r, http.StatusUnprocessableEntity, "custody_person.html", v)
	return nil
}

// custodyInput is one input of the event form.
type custodyInput struct{ Name, Label, Value, Err string }

// In is the input name of the form, labelled by key.
func (v custodyView) In(name, key string) custodyInput {
	return custodyInput{Name: name, Label: v.T(key), Value: v.Val(name), Err: v.Err(name)}
}
