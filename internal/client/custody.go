package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/custody"
)

// Custody returns a person's custody timeline and the notifications
// overdue today (GET /api/v1/records/{id}/custody).
func (c *Client) Custody(ctx context.Context, record string) (api.Custody, error) {
	var out api.Custody
	err := c.Do(ctx, "GET", "/api/v1/records/"+url.PathEscape(record)+"/custody", nil, &out)
	return out, err
}

// AddCustody records one custody event of a record of the caller's party
// and returns the timeline with it.
func (c *Client) AddCustody(ctx context.Context, record string, e custody.Event) (api.Custody, error) {
	var out api.Custody
	err := c.Do(ctx, "POST", "/api/v1/records/"+url.PathEscape(record)+"/custody", e, &out)
	return out, err
}

// CustodyOverdue returns the bureau's persons with a notification overdue
// (for the mediator's operator: of party, or of every party when "").
func (c *Client) CustodyOverdue(ctx context.Context, party string) ([]api.CustodyOverdue, error) {
	var out api.CustodyOverdueList
	path := "/api/v1/custody/overdue"
	if party != "" {
		path += "?party=" + url.QueryEscape(party)
	}
	err := c.Do(ctx, "GET", path, nil, &out)
	return out.Persons, err
}

// CustodyNotifications returns the capture cards and death notifications
// sent on or after since (a date, "" for all).
func (c *Client) CustodyNotifications(ctx context.Context, since string) (api.CustodyNotifications, error) {
	var out api.CustodyNotifications
	path := "/api/v1/custody/notifications"
	if since != "" {
		path += "?since=" + url.QueryEscape(since)
	}
	err := c.Do(ctx, "GET", path, nil, &out)
	return out, err
}

// CustodyNotificationsFile returns the capture cards and death
// notifications sent on or after since ("" for all) exported in format
// (csv, xlsx or json: the document of schema
// handover/custody-notifications/v1), for the persons' own state and the
// Central Agency; to ("" for every recipient) keeps the notices sent to
// own_state (no withheld record among them) or central_agency.
func (c *Client) CustodyNotificationsFile(ctx context.Context, since, to, format string) ([]byte, error) {
	q := url.Values{"format": {format}}
	if since != "" {
		q.Set("since", since)
	}
	if to != "" {
		q.Set("for", to)
	}
	return c.raw(ctx, "GET", "/api/v1/custody/notifications?"+q.Encode())
}

// CaptureCardPDF returns a held person's capture card (GC III Annex IV B)
// as a PDF in lang, with second's labels beside ("" for none); event, when
// not 0, is one of his capture_card_sent events: the card as it was sent.
func (c *Client) CaptureCardPDF(ctx context.Context, id, lang, second string, event int) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/records/"+url.PathEscape(id)+"/capture-card.pdf?"+docQuery(lang, second, event))
}

// DeathNoticePDF returns a held person's death notification (GC III
// Annex IV D) as a PDF in lang, with second's labels beside ("" for none).
func (c *Client) DeathNoticePDF(ctx context.Context, id, lang, second string, event int) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/records/"+url.PathEscape(id)+"/death-notice.pdf?"+docQuery(lang, second, event))
}

func docQuery(lang, second string, event int) string {
	q := url.Values{}
	if event != 0 {
		q.Set("event", strconv.Itoa(event))
	}
	if lang != "" {
		q.Set("lang", lang)
	}
	if second != "" {
		q.Set("second", second)
	}
	return q.Encode()
}
