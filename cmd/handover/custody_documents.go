package main

import (
	"context"
	"io"

	"github.com/handover-project/handover/internal/errs"
)

// The custody family's documents: the capture card and death notification
// as PDFs (GC III Annex IV B and D), and the export of the notifications
// sent (docs/design/tracing.md).

const custodyNotificationsUsage = `
Usage: handover custody notifications [--since DATE] [--for own_state|central_agency] [--format csv|xlsx|json] --out FILE

Export every capture card (GC III Art. 70, Annex IV B) and death
notification (Art. 120, Annex IV D) your bureau sent on or after DATE,
for the persons' own state and the Central Agency (Arts. 122–123): one
row per notification with the person's identity fields, where he was
held, and the death's date, place, cause and grave. The JSON document's
schema is handover/custody-notifications/v1 (docs/design/tracing.md).
Each row marks a record withheld from the person's own side
(detrimental, detrimental_basis). --for own_state keeps the notices sent
to the person's own state and leaves out every withheld record (GC IV
Art. 137(2); his own request); --for central_agency keeps those sent to
the Central Agency, withheld ones included. The mediator's operator
exports every party's.

Example:
  handover custody notifications --since 01.05.2025 --format xlsx --out notifications.xlsx
  handover custody notifications --for own_state --format csv --out own-state.csv
`

func runCustodyNotifications(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("custody notifications", custodyNotificationsUsage)
	srv := m.addServerFlags(fs)
	since := fs.String("since", "", "the first date: 2025-05-23 or 23.05.2025 (default: every notification)")
	format := fs.String("format", "csv", "csv, xlsx or json")
	to := fs.String("for", "", "own_state or central_agency: only the notices sent to it (for the own state, no withheld record)")
	out := fs.String("out", "", "write to this file")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	if *out == "" {
		return errs.E("handover custody notifications", errs.Invalid, "name the file to write: --out FILE")
	}
	b, err := c.CustodyNotificationsFile(ctx, *since, *to, *format)
	if err != nil {
		return err
	}
	return writeOut(m, *out, func(w io.Writer) error { _, err := w.Write(b); return err })
}

const custodyCardUsage = `
Usage: handover custody card ID [--lang uk|ru|en|fr] [--second fr] [--event N] --out FILE

Print a held person's capture card (GC III Art. 70) as a PDF in the
layout of Annex IV B, from his record and custody timeline: in --lang,
with every label again in --second (the Annex's card is printed in the
holding power's language and in French). --event N prints the card of
his capture_card_sent event N again as it was sent (its date, the camp
then; the notifications export names each card's event).

Example:
  handover custody card r0k3m9x2q7w8v4n5p --lang uk --second fr --out card.pdf
`

const custodyDeathNoticeUsage = `
Usage: handover custody death-notice ID [--lang uk|ru|en|fr] [--second fr] --out FILE

Print a held person's death notification (GC III Art. 120) as a PDF in
the layout of Annex IV D, from his record and the death recorded in his
custody timeline.

Example:
  handover custody death-notice r0k3m9x2q7w8v4n5p --lang uk --second fr --out death.pdf
`

func runCustodyCard(ctx context.Context, m *Main, args []string) error {
	return runCustodyDocument(ctx, m, args, "custody card", custodyCardUsage, true)
}

func runCustodyDeathNotice(ctx context.Context, m *Main, args []string) error {
	return runCustodyDocument(ctx, m, args, "custody death-notice", custodyDeathNoticeUsage, false)
}

func runCustodyDocument(ctx context.Context, m *Main, args []string, name, usage string, card bool) error {
	fs := m.newFlagSet(name, usage)
	srv := m.addServerFlags(fs)
	lang := fs.String("lang", "uk", "uk, ru, en or fr")
	second := fs.String("second", "", "a second language of the labels: fr, or uk, ru, en")
	event := fs.Int("event", 0, "the number of the capture_card_sent (death_notified) event to print again as sent")
	out := fs.String("out", "", "write to this file")
	c, pos, err := srv.parse(fs, args, 1, "give a record id")
	if err != nil {
		return err
	}
	if *out == "" {
		return errs.E("handover "+name, errs.Invalid, "name the file to write: --out FILE")
	}
	get := c.DeathNoticePDF
	if card {
		get = c.CaptureCardPDF
	}
	b, err := get(ctx, pos[0], *lang, *second, *event)
	if err != nil {
		return err
	}
	return writeOut(m, *out, func(w io.Writer) error { _, err := w.Write(b); return err })
}
