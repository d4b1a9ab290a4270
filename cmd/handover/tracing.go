package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sheet"
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

const tracingVerifyUsage = `
Usage: handover tracing verify FILE [--party CODE]

Check a file exported for the Central Tracing Agency against the
server's log of exports: its SHA-256 must be that of a logged export,
which is printed (when, by whom, the count). A file changed by a single
byte, or never exported, fails.

Example:
  handover tracing verify tracing-UA.xlsx
`

func runTracingVerify(ctx context.Context, m *Main, args []string) error {
	const op = "handover tracing verify"
	fs := m.newFlagSet("tracing verify", tracingVerifyUsage)
	srv := m.addServerFlags(fs)
	party := fs.String("party", "", "the party whose exports to check against (default: your own)")
	c, pos, err := srv.parse(fs, args, 1, "give the exported file")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read %s", pos[0]), err)
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	list, err := c.TracingExports(ctx, *party)
	if err != nil {
		return err
	}
	for _, e := range list.Exports {
		if e.SHA256 == hash {
			fmt.Fprintf(m.Stdout, "%s is export %d of %s: %s by %s, %s, %d records (%d flagged)\nSHA-256 %s\n", pos[0], e.Seq, e.Party,
				e.At.Format("2006-01-02 15:04:05 UTC"), e.By, e.Format, e.Count, e.Flagged, hash)
			return nil
		}
	}
	// Say what the file is, so that the officer knows whether it was
	// changed after the export or is no export at all.
	what := "it does not read as a tracing export"
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(pos[0])), ".")
	if rows, rerr := sheet.ReadTracing(format, b); rerr == nil {
		n := fmt.Sprintf("%d records", len(rows))
		if len(rows) == 1 {
			n = "1 record"
		}
		what = "it reads as a tracing export of " + n + ", so it was changed after it was exported or was exported by another server"
	} else {
		what += ": " + errs.Message(rerr)
	}
	return errs.E(op, errs.NotFound, fmt.Sprintf("%s (SHA-256 %s) is no logged export of %s; %s", pos[0], hash, list.Party, what))
}
