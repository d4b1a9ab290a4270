package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/custody"
)

// The custody timeline and GC III Art. 122 notifications
// (docs/design/law.md) through the API: record an event, show a person's
// timeline, list the bureau's notifications overdue.

const custodyAddUsage = `
Usage: handover custody add RECORD --kind KIND [--date DATE] [--place P] [--unit U] [--from P --to P] [--sent-to own_state,central_agency] [--cause C] [--grave G] [--reason R] [--note N] [--server URL --token TOKEN]

Record one custody event of a record of your party. Kinds, on a held
record: captured (--place, --unit), capture_card_sent (--sent-to;
GC III Art. 70, Annex IV B), interned (--place), transferred (--from,
--to), hospitalised (--place), escaped, died (--place, --cause, --grave;
Arts. 120–121), death_notified (--sent-to); on a sought record:
confirmed_missing (--reason). The date defaults to today.

Example:
  handover custody add r0k3… --kind interned --place 'Табір №9' --date 03.03.2025
  handover custody add r0k3… --kind capture_card_sent --sent-to central_agency,own_state
`

const custodyShowUsage = `
Usage: handover custody show RECORD [--json] [--server URL --token TOKEN]

A person's custody timeline: every event, where he is now, and the
notifications overdue.

Example:
  handover custody show r0k3…
`

const custodyOverdueUsage = `
Usage: handover custody overdue [--party P] [--server URL --token TOKEN]

Your bureau's persons with a notification overdue: no capture card
within a week of arrival at a place of internment, a transfer or a
hospital (GC III Art. 70), or no death notification within a week of a
death; the most overdue first. The mediator's operator: every party's,
or --party's.

Example:
  handover custody overdue
`

func runCustodyAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("custody add", custodyAddUsage)
	srv := m.addServerFlags(fs)
	kind := fs.String("kind", "", "the event: captured, capture_card_sent, interned, transferred, hospitalised, escaped, died, death_notified, confirmed_missing")
	date := fs.String("date", "", "when (default today)")
	place := fs.String("place", "", "the place of capture, internment, hospital or death")
	unit := fs.String("unit", "", "the capturing unit")
	from := fs.String("from", "", "a transfer's place from")
	to := fs.String("to", "", "a transfer's place to")
	sentTo := fs.String("sent-to", "", "own_state and/or central_agency, comma-separated")
	cause := fs.String("cause", "", "the cause of death")
	grave := fs.String("grave", "", "the grave's location")
	reason := fs.String("reason", "", "why a sought person is confirmed missing")
	note := fs.String("note", "", "a note")
	c, pos, err := srv.parse(fs, args, 1, "give the record's id")
	if err != nil {
		return err
	}
	d, err := stepDate("--date", *date)
	if err != nil {
		return err
	}
	e := custody.Event{Kind: custody.Kind(*kind), Date: d, Place: *place, Unit: *unit, From: *from, To: *to, Cause: *cause, Grave: *grave, Reason: *reason, Note: *note}
	for _, r := range strings.Split(*sentTo, ",") {
		if r = strings.TrimSpace(r); r != "" {
			e.SentTo = append(e.SentTo, custody.Recipient(r))
		}
	}
	v, err := c.AddCustody(ctx, pos[0], e)
	if err != nil {
		return err
	}
	last := v.Timeline.Events[len(v.Timeline.Events)-1]
	fmt.Fprintf(m.Stdout, "%s event %d: %s on %s\n", v.Record.ID, last.N, last.Kind, last.Date)
	return nil
}

func runCustodyShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("custody show", custodyShowUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print the timeline as JSON")
	c, pos, err := srv.parse(fs, args, 1, "give the record's id")
	if err != nil {
		return err
	}
	v, err := c.Custody(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, v)
	}
	printCustody(m.Stdout, v)
	return nil
}

func printCustody(w io.Writer, v api.Custody) {
	tl := v.Timeline
	fmt.Fprintf(w, "%s  %s  born %s  (%s, %s)\n", v.Record.ID, v.Record.DisplayName(), v.Record.BirthDate, v.Record.Party, v.Record.Kind)
	switch {
	case tl.Death != nil:
		fmt.Fprintf(w, "died on %s at %s: %s; grave: %s\n", tl.Death.Date, tl.Death.Place, tl.Death.Cause, tl.Death.Grave)
	case tl.Missing != nil:
		fmt.Fprintf(w, "confirmed missing since %s: %s\n", tl.Missing.Date, tl.Missing.Reason)
	case tl.Escaped:
		fmt.Fprintln(w, "escaped")
	case tl.Place != "":
		fmt.Fprintf(w, "held at %s since %s\n", tl.Place, tl.Since)
	case len(tl.Events) == 0:
		fmt.Fprintln(w, "no custody events")
	}
	for _, e := range tl.Events {
		fmt.Fprintf(w, "  %d  %s  %s: %s  (%s)\n", e.N, e.Date, e.Kind, eventText(e), e.By)
	}
	for _, it := range v.Overdue {
		fmt.Fprintf(w, "OVERDUE %s for %s at %s on %s: due %s, %d days overdue\n", it.Notice, it.Kind, it.Place, it.Date, it.Due, it.Days)
	}
}

func eventText(e custody.Event) string {
	var parts []string
	add := func(label, s string) {
		if s != "" {
			parts = append(parts, label+s)
		}
	}
	add("", e.Place)
	add("unit ", e.Unit)
	if e.From != "" || e.To != "" {
		parts = append(parts, e.From+" → "+e.To)
	}
	if len(e.SentTo) > 0 {
		to := make([]string, len(e.SentTo))
		for i, r := range e.SentTo {
			to[i] = string(r)
		}
		parts = append(parts, "to "+strings.Join(to, ", "))
	}
	add("cause ", e.Cause)
	add("grave ", e.Grave)
	add("", e.Reason)
	add("", e.Note)
	return strings.Join(parts, "; ")
}

func runCustodyOverdue(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("custody overdue", custodyOverdueUsage)
	srv := m.addServerFlags(fs)
	party := fs.String("party", "", "the mediator's operator: one party")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	list, err := c.CustodyOverdue(ctx, *party)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(m.Stdout, "no notification overdue")
	}
	for _, p := range list {
		for _, it := range p.Items {
			fmt.Fprintf(m.Stdout, "%s  %s  %s: %s for %s at %s on %s, due %s, %d days overdue\n", p.RecordID, p.Name, p.Party, it.Notice, it.Kind, it.Place, it.Date, it.Due, it.Days)
		}
	}
	return nil
}
