package ui

import (
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// eventField is how the officer's screen names a field of a handover
// event that the stage refused: its label, and the control of the screen's
// settings that holds it ("" when the person's card holds it).
type eventField struct{ label, control string }

// eventFields are the fields of crossing.Event by the names the domain
// gives them in a FieldError.
var eventFields = map[string]eventField{
	"observer":          {"stage.observer", "observer"},
	"receiver":          {"stage.receiver", "receiver"},
	"check.method":      {"stage.method", "method"},
	"check.verified_by": {"event.field.verified_by", ""},
	"health":            {"stage.health", ""},
	"reserve":           {"stage.reservepick", ""},
	"reason":            {"event.field.reason", ""},
	"objection":         {"event.field.objection", ""},
	"record_id":         {"event.field.record_id", ""},
	"side":              {"event.field.side", ""},
	"category":          {"field.category", ""},
	"subject":           {"event.field.subject", ""},
	"point":             {"event.field.point", ""},
	"id":                {"event.field.id", ""},
	"type":              {"event.field.type", ""},
	"party":             {"event.field.party", ""},
}

// eventFieldMessage is what the stage says of one field of an event, in
// the user's language; "required for <event type>" is "Required.", the
// event's type being the officer's own click.
func eventFieldMessage(c chrome, fe errs.FieldError) string {
	if fe.Code == "required_for" || fe.Code == "required" {
		return c.T("problem.required")
	}
	return fieldMessage(c, fe)
}

// eventRefusal says what the stage refused in an event, for an officer to
// act on: each bad field by its label in the user's language with what is
// wrong ("Mediator's observer: Required."), each once, never an event type
// or an error code; and the settings controls to mark, with their message.
func eventRefusal(c chrome, err error) (text string, controls map[string]string) {
	fes := errs.Fields(err)
	if len(fes) == 0 {
		return refusalText(c, err), nil
	}
	var parts []string
	seen := map[string]bool{}
	for _, fe := range fes {
		msg := eventFieldMessage(c, fe)
		part := msg
		f, ok := eventFields[fe.Field]
		if ok {
			part = c.T(f.label) + ": " + msg
			if f.control != "" {
				if controls == nil {
					controls = map[string]string{}
				}
				if controls[f.control] == "" {
					controls[f.control] = msg
				}
			}
		}
		if !seen[part] {
			seen[part] = true
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, " "), controls
}
