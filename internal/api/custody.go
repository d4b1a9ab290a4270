package api

import (
	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/person"
)

// Custody is GET and POST /api/v1/records/{id}/custody: a person's custody
// timeline (docs/design/law.md, "The custody timeline"): the record, the
// events folded (where he is, since when, the capture, the death, the
// notifications sent) and the notifications overdue today.
type Custody struct {
	Record   person.Record    `json:"record"`
	Timeline custody.Timeline `json:"timeline"`
	Overdue  []custody.Item   `json:"overdue"`
}

// CustodyOverdue is one person of GET /api/v1/custody/overdue: a bureau's
// person with a capture card or death notification overdue (GC III Arts.
// 70, 120).
type CustodyOverdue struct {
	RecordID  string         `json:"record_id"`
	Party     string         `json:"party"`
	Name      string         `json:"name"`
	BirthDate person.Date    `json:"birth_date"`
	Place     string         `json:"place,omitempty"`
	Items     []custody.Item `json:"items"`
}

// CustodyOverdueList is GET /api/v1/custody/overdue.
type CustodyOverdueList struct {
	Persons []CustodyOverdue `json:"persons"`
}

// CustodyNotification is one capture card or death notification sent, as
// GET /api/v1/custody/notifications lists them: the event, the person's
// record (the identity fields of Annex IV) and his timeline up to the
// event.
type CustodyNotification struct {
	Record   person.Record    `json:"record"`
	Event    custody.Event    `json:"event"`
	Timeline custody.Timeline `json:"timeline"`
}

// CustodyNotifications is GET /api/v1/custody/notifications.
type CustodyNotifications struct {
	Since         person.Date           `json:"since"`
	Notifications []CustodyNotification `json:"notifications"`
}
