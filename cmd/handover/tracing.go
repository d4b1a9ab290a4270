package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/handover-project/handover/internal/errs"
)

const tracingExportUsage = `
Usage: handover tracing export [--party CODE] [--format csv|xlsx|json] --out FILE

Export your bureau's held register for the Central Tracing Agency
(GC III Arts. 122–123): every held record, those withheld from the other
party as detrimental to transmit included and marked so (GC IV
Art. 137(2)). The mediator's operator names the party. The server logs
each export with the file's SHA-256; the command prints it, with the
count, and checks it against the server's log entry.

The JSON document's schema is handover/tracing-export/v1
(docs/design/tracing.md).

Example:
  handover tracing export --format xlsx --out tracing-UA.xlsx
`

const tracingListUsage = `
Usage: handover tracing list [--party CODE] [--json]

The logged exports of a party's held register for the Central Tracing
Agency, newest first: when, who, format, count, flagged, SHA-256.

Example:
  handover tracing list
`

func runTracingExport(ctx context.Context, m *Main, args []string) error {
	const op = "handover tracing export"
	fs := m.newFlagSet("tracing export", tracingExportUsage)
	srv := m.addServerFlags(fs)
	party := fs.String("party", "", "the party whose held register to export (default: your own)")
	format := fs.String("format", "csv", "csv, xlsx or json")
	out := fs.String("out", "", "write to this file")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	if *out == "" {
		return errs.E(op, errs.Invalid, "name the file to write: --out FILE")
	}
	b, err := c.TracingExport(ctx, *party, *format)
	if err != nil {
		return err
	}
	if err := writeOut(m, *out, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	list, err := c.TracingExports(ctx, *party)
	if err != nil {
		return err
	}
	for _, e := range list.Exports {
		if e.SHA256 == hash {
			fmt.Fprintf(m.Stdout, "%s: %d records of %s (%d withheld from the other party), export %d logged\nSHA-256 %s\n", *out, e.Count, e.Party, e.Flagged, e.Seq, hash)
			return nil
		}
	}
	return errs.E(op, errs.Internal, fmt.Sprintf("%s written, but the server's log has no export with its SHA-256 %s", *out, hash))
}

func runTracingList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("tracing list", tracingListUsage)
	srv := m.addServerFlags(fs)
	party := fs.String("party", "", "the party (default: your own)")
	asJSON := fs.Bool("json", false, "print as JSON")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	list, err := c.TracingExports(ctx, *party)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, list)
	}
	if len(list.Exports) == 0 {
		fmt.Fprintln(m.Stdout, "no exports")
	}
	for _, e := range list.Exports {
		fmt.Fprintf(m.Stdout, "%d  %s  %s  %s  %d records, %d flagged  %s\n", e.Seq, e.At.Format("2006-01-02 15:04"), e.By, e.Format, e.Count, e.Flagged, e.SHA256)
	}
	return nil
}

const custodyNotificationsUsage = `
Usage: handover custody notifications [--since DATE] [--format csv|xlsx|json] --out FILE

Export every capture card (GC III Art. 70, Annex IV B) and death
notification (Art. 120, Annex IV D) your bureau sent on or after DATE,
for the persons' own state and the Central Agency (Arts. 122–123): one
row per notification with the person's identity fields, where he was
held, and the death's date, place, cause and grave. The JSON document's
schema is handover/custody-notifications/v1 (docs/design/tracing.md).
The mediator's operator exports every party's.

Example:
  handover custody notifications --since 01.05.2025 --format xlsx --out notifications.xlsx
`

func runCustodyNotifications(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("custody notifications", custodyNotificationsUsage)
	srv := m.addServerFlags(fs)
	since := fs.String("since", "", "the first date: 2025-05-23 or 23.05.2025 (default: every notification)")
	format := fs.String("format", "csv", "csv, xlsx or json")
	out := fs.String("out", "", "write to this file")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	if *out == "" {
		return errs.E("handover custody notifications", errs.Invalid, "name the file to write: --out FILE")
	}
	b, err := c.CustodyNotificationsFile(ctx, *since, *format)
	if err != nil {
		return err
	}
	return writeOut(m, *out, func(w io.Writer) error { _, err := w.Write(b); return err })
}
