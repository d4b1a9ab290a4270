package api

import (
	"net/http"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The custody timeline and GC III Art. 122 notifications
// (docs/design/law.md): a person's custody events, a bureau's
// notifications overdue, and the notifications sent since a date.
func (s *API) registerCustodyRoutes() {
	s.add("GET", "/api/v1/records/{id}/custody", access.CustodyRead, "A person's custody timeline: the events (captured, capture_card_sent, interned, transferred, hospitalised, escaped, died, death_notified; confirmed_missing for a sought person) folded, and the notifications overdue today.", s.handleCustody)
	s.add("POST", "/api/v1/records/{id}/custody", access.CustodyWrite, "Record one custody event of a record of the caller's party; logged (custody.recorded).", s.handleCustodyAdd)
	s.add("GET", "/api/v1/custody/overdue", access.CustodyRead, "The bureau's persons with a capture card overdue (none within a week of arrival at a place of internment, GC III Art. 70) or a death notification overdue, the most overdue first.", s.handleCustodyOverdue)
	s.add("GET", "/api/v1/custody/notifications", access.CustodyRead, "Every capture card and death notification sent since a date, with the person's record and timeline up to it (Annex IV B and D); format=csv|xlsx|json exports them for the person's own state and the Central Agency, one row per notification, a withheld record marked (the JSON document of schema handover/custody-notifications/v1); for=own_state|central_agency keeps those sent to that recipient, for the own state none of a withheld record (GC IV Art. 137(2)).", s.handleCustodyNotifications)
}

func apiCustody(v sqlstore.CustodyView) api.Custody {
	return api.Custody{Record: v.Record, Timeline: v.Timeline, Overdue: v.Overdue}
}

func (s *API) handleCustody(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.db.Custody(r.Context(), sc, r.PathValue("id"), s.db.Now().UTC())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiCustody(v))
	return nil
}

func (s *API) handleCustodyAdd(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var e custody.Event
	if err := httpx.DecodeJSON(r, &e); err != nil {
		return err
	}
	if _, err := s.db.RecordCustody(r.Context(), sc, r.PathValue("id"), e); err != nil {
		return err
	}
	v, err := s.db.Custody(r.Context(), sc, r.PathValue("id"), s.db.Now().UTC())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiCustody(v))
	return nil
}

func (s *API) handleCustodyOverdue(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	list, err := s.db.CustodyOverdueList(r.Context(), sc, r.URL.Query().Get("party"), s.db.Now().UTC())
	if err != nil {
		return err
	}
	out := api.CustodyOverdueList{Persons: each(list, func(o sqlstore.CustodyOverdue) api.CustodyOverdue { return api.CustodyOverdue(o) })}
	if out.Persons == nil {
		out.Persons = []api.CustodyOverdue{}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *API) handleCustodyNotifications(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var since person.Date
	if v := r.URL.Query().Get("since"); v != "" {
		d, err := person.ReadDate(v)
		if err != nil || d.Precision() != "day" {
			return errs.E("web.custody", errs.Invalid, errs.FieldError{Field: "since", Message: "a full date: 2025-05-23 or 23.05.2025", Code: "custody_date_day", Args: []string{v}})
		}
		since = d
	}
	list, err := s.db.CustodyNotifications(r.Context(), sc, sinceTime(since), custody.Recipient(r.URL.Query().Get("for")))
	if err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		// The export to the person's own state and the Central Agency
		// (docs/design/tracing.md, "The notifications export").
		return writeNotifications(w, format, since, list)
	}
	out := api.CustodyNotifications{Since: since, Notifications: each(list, func(n sqlstore.CustodyNotification) api.CustodyNotification { return api.CustodyNotification(n) })}
	if out.Notifications == nil {
		out.Notifications = []api.CustodyNotification{}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// sinceTime is the first instant of a date, or the zero time for none.
func sinceTime(d person.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}
