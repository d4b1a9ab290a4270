package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/report"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The capture card (GC III Art. 70, Annex IV B) and the death notification
// (Art. 120, Annex IV D) of a held person, printed from his record and
// custody timeline in uk, ru, en or fr, with a second language of labels
// (the Annex's card is printed in the holding power's language and in
// French).
func (s *API) registerAnnexRoutes() {
	s.add("GET", "/api/v1/records/{id}/capture-card.pdf", access.CustodyRead, "A held person's capture card (GC III Art. 70) as a PDF in the layout of Annex IV B, from his record and custody timeline: lang=uk|ru|en|fr, and second=fr (or another) for a bilingual card; event=N prints the card of his capture_card_sent event N as it was sent (its date, the camp then).", s.handleCaptureCard)
	s.add("GET", "/api/v1/records/{id}/death-notice.pdf", access.CustodyRead, "A held person's death notification (GC III Art. 120) as a PDF in the layout of Annex IV D, from his record and the death recorded in his custody timeline: lang=uk|ru|en|fr, second=fr (or another); event=N the notification of his death_notified event N (its date).", s.handleDeathNotice)
}

// docLangs reads lang (default: the visitor's or the request's language)
// and second (default none) of a printed document.
func docLangs(r *http.Request) (string, string, error) {
	q := r.URL.Query()
	lang, second := q.Get("lang"), q.Get("second")
	var bad []errs.FieldError
	if lang == "" {
		l, err := reportLang(r)
		if err != nil {
			return "", "", err
		}
		lang = l
	} else if !locale.ValidDoc(lang) {
		bad = append(bad, errs.FieldError{Field: "lang", Message: "use uk, ru, en or fr", Code: "document_lang", Args: []string{lang}})
	}
	if second != "" && !locale.ValidDoc(second) {
		bad = append(bad, errs.FieldError{Field: "second", Message: "use uk, ru, en or fr", Code: "document_lang", Args: []string{second}})
	}
	if len(bad) > 0 {
		return "", "", errs.E("web.document", errs.Invalid, "bad document language", bad)
	}
	return lang, second, nil
}

// custodyHeld reads a held person's custody view for a printed document.
// With ?event=N, N one of his events of kind sent (a capture card or a
// death notification sent), the timeline is as it stood at that event and
// the event is returned: the document is printed again as it was sent.
func (s *API) custodyHeld(r *http.Request, sc access.Scope, sent custody.Kind) (sqlstore.CustodyView, *custody.Event, error) {
	v, err := s.db.Custody(r.Context(), sc, r.PathValue("id"), s.db.Now().UTC())
	if err != nil {
		return v, nil, err
	}
	if v.Record.Kind != person.Held {
		const msg = "a capture card and a death notification are of a held person"
		return v, nil, errs.E("web.document", errs.Invalid, msg, errs.FieldError{Field: "id", Message: msg, Code: "document_not_held", Args: []string{v.Record.ID}})
	}
	q := r.URL.Query().Get("event")
	if q == "" {
		return v, nil, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > len(v.Timeline.Events) || v.Timeline.Events[n-1].Kind != sent {
		msg := fmt.Sprintf("event %s of %s is not a %s event", q, v.Record.ID, sent)
		return v, nil, errs.E("web.document", errs.Invalid, msg, errs.FieldError{Field: "event", Message: msg, Code: "document_event", Args: []string{q, string(sent)}})
	}
	e := v.Timeline.Events[n-1]
	tl, err := custody.Fold(v.Timeline.Events[:n])
	if err != nil {
		return v, nil, errs.E("web.document", errs.Internal, err)
	}
	v.Timeline = tl
	return v, &e, nil
}

// CaptureCardOf is the capture card of a held person as his record and
// timeline give it: captured on the capture's date, or coming from the
// place of his latest transfer; his present camp; the state of health of
// the Annex for a seriously wounded or sick person (Art. 110), else the
// record's own words.
func CaptureCardOf(v sqlstore.CustodyView, lang, second string) report.CaptureCard {
	f := &v.Record.Fields
	c := report.CaptureCard{Lang: lang, Second: second, RecordID: v.Record.ID, Power: f.Power, Surname: f.Surname, GivenNames: f.GivenNames,
		FatherName: f.Patronymic, MotherMaidenName: f.MotherMaidenName, BirthDate: f.BirthDate.String(), BirthPlace: f.BirthPlace,
		Rank: f.Rank, ServiceNumber: f.ServiceNumber, FamilyAddress: f.NextOfKin, CapturedOn: f.CaptureDate.String(), Health: f.Health,
		Camp: v.Timeline.Place}
	if f.Surname == "" && f.GivenNames == "" {
		c.Surname = f.FullName
	}
	if t := v.Timeline.Capture; t != nil {
		c.CapturedOn = t.Date.String()
	}
	for _, e := range v.Timeline.Events {
		if e.Kind == custody.Transferred && e.To == v.Timeline.Place {
			c.ComingFrom = e.From
		}
	}
	if f.Category == person.SeriouslyWoundedSick {
		c.Health = "seriously_wounded"
	}
	return c
}

// DeathNoticeOf is the death notification of a held person whose death
// is recorded: the authority is his holding party's bureau, the date the
// latest notification sent (or none).
func DeathNoticeOf(v sqlstore.CustodyView, authority, lang, second string) report.DeathNotice {
	f := &v.Record.Fields
	n := report.DeathNotice{Lang: lang, Second: second, RecordID: v.Record.ID, Authority: authority, Power: f.Power, Surname: f.Surname,
		GivenNames: f.GivenNames, FatherName: f.Patronymic, BirthDate: f.BirthDate.String(), BirthPlace: f.BirthPlace, Rank: f.Rank,
		ServiceNumber: f.ServiceNumber, FamilyAddress: f.NextOfKin, CapturedOn: f.CaptureDate.String(), CapturePlace: f.CapturePlace}
	if f.Surname == "" && f.GivenNames == "" {
		n.Surname = f.FullName
	}
	if t := v.Timeline.Capture; t != nil {
		n.CapturedOn, n.CapturePlace = t.Date.String(), t.Place
	}
	if d := v.Timeline.Death; d != nil {
		n.DeathDate, n.DeathPlace, n.Cause, n.Burial = d.Date.String(), d.Place, d.Cause, d.Grave
	}
	if k := len(v.Timeline.DeathNotices); k > 0 {
		n.Date = v.Timeline.DeathNotices[k-1].Date.String()
	}
	return n
}

func (s *API) handleCaptureCard(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, second, err := docLangs(r)
	if err != nil {
		return err
	}
	v, sent, err := s.custodyHeld(r, sc, custody.CaptureCardSent)
	if err != nil {
		return err
	}
	c := CaptureCardOf(v, lang, second)
	c.Printed = s.db.Now()
	if sent != nil {
		c.Date = sent.Date.String()
	}
	var b bytes.Buffer
	if err := report.CaptureCardPDF(&b, c); err != nil {
		return err
	}
	return writePDF(w, fmt.Sprintf("capture-card-%s-%s.pdf", v.Record.ID, lang), b.Bytes())
}

func (s *API) handleDeathNotice(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, second, err := docLangs(r)
	if err != nil {
		return err
	}
	v, _, err := s.custodyHeld(r, sc, custody.DeathNotified)
	if err != nil {
		return err
	}
	if v.Timeline.Death == nil {
		return errs.E("web.document", errs.Conflict, fmt.Sprintf("no death of %s is recorded", v.Record.ID), errs.Coded{Code: "document_no_death", Args: []string{v.Record.ID}})
	}
	authority := v.Record.Party
	if ps, err := s.db.Parties(r.Context()); err == nil {
		for _, p := range ps {
			if p.Code == v.Record.Party && strings.TrimSpace(p.Name) != "" {
				authority = p.Name
			}
		}
	}
	n := DeathNoticeOf(v, authority, lang, second)
	n.Printed = s.db.Now()
	var b bytes.Buffer
	if err := report.DeathNoticePDF(&b, n); err != nil {
		return err
	}
	return writePDF(w, fmt.Sprintf("death-notice-%s-%s.pdf", v.Record.ID, lang), b.Bytes())
}

func writePDF(w http.ResponseWriter, name string, b []byte) error {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b)
	return err
}
