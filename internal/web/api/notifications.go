package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/custody"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
)

// NotificationsSchema names the version of the notifications export's
// JSON document (docs/design/tracing.md, "The notifications export").
const NotificationsSchema = "handover/custody-notifications/v1"

// notificationColumns are the columns of the notifications export, in
// order: one row per capture card (Annex IV B) or death notification
// (Annex IV D) sent.
var notificationColumns = []string{"notice", "date", "sent_to", "record_id", "event", "party", "surname", "given_names", "patronymic",
	"birth_date", "birth_place", "rank", "service_number", "power", "mother_maiden_name", "family_address", "captured_on",
	"capture_place", "place", "death_date", "death_place", "cause", "grave", "recorded_by", "recorded_at", "detrimental", "detrimental_basis"}

// notificationRow is one notification as the export has it: every value
// text, dates ISO.
func notificationRow(n sqlstore.CustodyNotification) map[string]string {
	f := &n.Record.Fields
	notice := "capture_card"
	if n.Event.Kind == custody.DeathNotified {
		notice = "death_notification"
	}
	var to []string
	for _, r := range n.Event.SentTo {
		to = append(to, string(r))
	}
	row := map[string]string{"notice": notice, "date": n.Event.Date.String(), "sent_to": strings.Join(to, "; "), "record_id": n.Record.ID,
		"event": strconv.Itoa(n.Event.N), "party": n.Record.Party, "surname": f.Surname, "given_names": f.GivenNames, "patronymic": f.Patronymic,
		"birth_date": f.BirthDate.String(), "birth_place": f.BirthPlace, "rank": f.Rank, "service_number": f.ServiceNumber,
		"power": f.Power, "mother_maiden_name": f.MotherMaidenName, "family_address": f.NextOfKin,
		"captured_on": f.CaptureDate.String(), "capture_place": f.CapturePlace, "place": n.Timeline.Place,
		"recorded_by": n.Event.By, "recorded_at": n.Event.At.UTC().Format("2006-01-02T15:04:05Z07:00"),
		"detrimental": strconv.FormatBool(f.Detrimental), "detrimental_basis": string(f.DetrimentalBasis)}
	if f.Surname == "" && f.GivenNames == "" {
		row["surname"] = f.FullName
	}
	if c := n.Timeline.Capture; c != nil {
		row["captured_on"], row["capture_place"] = c.Date.String(), c.Place
	}
	if d := n.Timeline.Death; d != nil {
		row["death_date"], row["death_place"], row["cause"], row["grave"] = d.Date.String(), d.Place, d.Cause, d.Grave
	}
	return row
}

// writeNotifications writes the notifications export in format: CSV
// (UTF-8 with a BOM, comma-separated, the header the column codes) or
// XLSX (sheet "notifications"), or JSON: the document of schema
// NotificationsSchema, its rows objects of the same columns.
func writeNotifications(w http.ResponseWriter, format string, since person.Date, list []sqlstore.CustodyNotification) error {
	const op = "web.notificationsExport"
	rows := make([][]string, len(list))
	objs := make([]map[string]string, len(list))
	for i, n := range list {
		objs[i] = notificationRow(n)
		rows[i] = make([]string, len(notificationColumns))
		for j, c := range notificationColumns {
			rows[i][j] = objs[i][c]
		}
	}
	var b bytes.Buffer
	switch format {
	case "csv", "xlsx":
		if err := sheet.WriteTable(&b, format, "en", "notifications", notificationColumns, rows); err != nil {
			return errs.E(op, errs.Internal, err)
		}
	case "json":
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		e.SetIndent("", " ")
		doc := struct {
			Schema        string              `json:"schema"`
			Since         string              `json:"since"`
			Count         int                 `json:"count"`
			Notifications []map[string]string `json:"notifications"`
		}{NotificationsSchema, since.String(), len(objs), objs}
		if err := e.Encode(doc); err != nil {
			return errs.E(op, errs.Internal, err)
		}
	default:
		return errs.E(op, errs.Invalid, fmt.Sprintf("%q is not a format of the notifications export: use csv, xlsx or json", format),
			errs.FieldError{Field: "format", Message: "use csv, xlsx or json", Code: "notifications_format", Args: []string{format}})
	}
	ctype, ext := sheet.ContentType(format)
	name := "notifications"
	if !since.IsZero() {
		name += "-since-" + since.String()
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ext}))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b.Bytes())
	return err
}
