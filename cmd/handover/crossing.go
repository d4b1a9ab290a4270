package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// The crossing's commands (docs/design/crossing.md): stages, handover
// events, the officer's lookup, printed lists, reports, trace and remains,
// all through the server.

// parseStage parses a stage command's flags and its two arguments, the
// exchange and the stage number, and returns a client of the server.
func (sf *serverFlags) parseStage(fs *flag.FlagSet, args []string) (*client.Client, string, int, error) {
	c, pos, err := sf.parse(fs, args, 2, "name the exchange and the stage number")
	if err != nil {
		return nil, "", 0, err
	}
	n, err := stageNumber(pos[1])
	return c, pos[0], n, err
}

// stageNumber reads a stage number argument.
func stageNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, usageError{fmt.Sprintf("stage %q: a number from 1", s)}
	}
	return n, nil
}

const stageOpenUsage = `
Usage: handover stage open EXCHANGE N [--server URL --token TOKEN]

Opens stage N of the exchange's latest agreement, which must be signed by
both parties and the mediator (mediator's operator). The stage is pinned to
that agreement version; the officers' lookup index is built.

Example:
  handover stage open ex-0123456789abcdef 1
`

func runStageOpen(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage open", stageOpenUsage)
	srv := m.addServerFlags(fs)
	c, ex, n, err := srv.parseStage(fs, args)
	if err != nil {
		return err
	}
	v, err := c.OpenStage(ctx, ex, n)
	if err != nil {
		return err
	}
	printStage(m.Stdout, v)
	return nil
}

const stageShowUsage = `
Usage: handover stage show EXCHANGE N [--json] [--server URL --token TOKEN]

Shows a stage: its state, window and agreement, and per releasing side the
counts planned, handed over, refused, not presented, substituted, unlisted
and left to balance; whether it may close and why not; the reserves that
can balance refusals and no-shows; and the flagged persons.

Example:
  handover stage show ex-0123456789abcdef 1
`

func runStageShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage show", stageShowUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, ex, n, err := srv.parseStage(fs, args)
	if err != nil {
		return err
	}
	v, err := c.Stage(ctx, ex, n)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, v)
	}
	printStage(m.Stdout, v)
	return nil
}

func printStage(w io.Writer, v api.StageView) {
	fmt.Fprintf(w, "stage %d of %s: %s at %s (agreement version %d, %.16s…)\n", v.Stage, v.Exchange, v.State, v.Crossing, v.AgreementVersion, v.AgreementHash)
	r := v.Report
	for _, side := range sortedKeys(r.Sides) {
		t := r.Sides[side].Total
		fmt.Fprintf(w, "  %s releases: planned %d, handed over %d, refused %d, not presented %d, substituted %d, unlisted %d, outstanding %d, left %d, reserves left %d\n",
			side, t.Planned, t.HandedOver, t.Refused, t.NotPresented, t.Substituted, t.Unlisted, t.Outstanding, t.Left, t.ReservesLeft)
	}
	fmt.Fprintf(w, "  parity: %v; may close: %v\n", r.Parity, r.MayClose)
	for _, b := range r.Blockers {
		fmt.Fprintf(w, "  blocker: %s\n", b)
	}
	for _, s := range r.Balance {
		fmt.Fprintf(w, "  balance: %s may send reserve %s in place of %s (%s)\n", s.Side, s.Reserve, s.Replaces, s.Category)
	}
	for _, f := range r.Flags {
		fmt.Fprintf(w, "  flag: %s %s %s (event %s): %s\n", f.Side, f.Kind, cmp.Or(f.Code, string(f.Amendment)), f.Event, f.Reason)
	}
	if r.Discrepancy != "" {
		fmt.Fprintf(w, "  discrepancy: %s\n", r.Discrepancy)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

const stageRecordUsage = `
Usage: handover stage record EXCHANGE N --file QUEUE [--receiver LOGIN --observer LOGIN --method M --health H --verified-by ID] [--server URL --token TOKEN]

Records handover events (checkpoint officer, or the mediator's observer),
as a laptop at the crossing sends its queue after a dropped connection:
in order, each answered applied, duplicate (already recorded: sending the
same file again is safe) or refused with the reason. A refusal does not
stop the queue; the exit status is 1 if any event was refused.

An officer records only what its own party does: the releasing side's
officer its releases (released, refused, not_presented, substituted_by,
refusal_withdrawn), the receiving side's officer its receipts (received,
identity_mismatch, disputed), the mediator's observer (an officer without
a party) what it saw (observed_handover, observed_refusal); any party may
retract its own record (retracted, with the subject event and a reason).
A person counts once both sides' records agree (and the observer's, when
the agreement says the stage is observed).

QUEUE is a JSON array of events (the API's Event objects), or a CSV file
with a header and the columns id,type,side,record_id and optionally
reserve,category,reason,subject,objection,at. For a CSV, the flags fill
in: the receiving side's officer (--receiver) on releases, the mediator's
observer (--observer) on releases, refusals, unlisted persons and
receipts, the identity check (--method, --verified-by: by default the
officer's account) and the health on receipts. --receiver and --observer
name checkpoint officers' accounts, by login or as user:ID.
Types: released, received, refused, not_presented, substituted_by,
identity_mismatch, disputed, observed_handover, observed_refusal,
unlisted_person_presented, refusal_withdrawn, retracted,
amendment_accepted, amendment_rejected.

Example:
  printf 'id,type,side,record_id\nev-1,released,UA,r0123\nev-2,refused,UA,r0456\n' > q.csv
  handover stage record ex-0123456789abcdef 1 --file q.csv --receiver ru-officer --observer mediator-officer
`

func runStageRecord(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage record", stageRecordUsage)
	srv := m.addServerFlags(fs)
	file := fs.String("file", "", "the queue: a JSON array of events or a CSV `file`")
	verifiedBy := fs.String("verified-by", "", "who checked the identity (CSV receipts; default: your account)")
	receiver := fs.String("receiver", "", "the receiving side's officer: a `login` or user:ID (CSV releases)")
	observer := fs.String("observer", "", "the mediator's observer: a `login` or user:ID (CSV releases, refusals, unlisted persons, receipts)")
	method := fs.String("method", "document", "identity check: document, service_number, photo or interview (CSV receipts)")
	health := fs.String("health", "good", "health at the receipt (CSV receipts)")
	c, ex, n, err := srv.parseStage(fs, args)
	if err != nil {
		return err
	}
	if *file == "" {
		return usageError{"give the queue with --file"}
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return errs.E("stage record", errs.Invalid, fmt.Sprintf("cannot read %s", *file), err)
	}
	var events []crossing.Event
	if strings.HasPrefix(strings.TrimSpace(string(data)), "[") {
		if err := json.Unmarshal(data, &events); err != nil {
			return errs.E("stage record", errs.Invalid, fmt.Sprintf("%s is not a JSON array of events", *file), err)
		}
	} else {
		events, err = eventsCSV(data, crossing.Event{Check: crossing.IdentityCheck{Method: crossing.CheckMethod(*method), VerifiedBy: *verifiedBy},
			Receiver: *receiver, Observer: *observer, Health: crossing.Health(*health)})
		if err != nil {
			return err
		}
	}
	res, err := c.RecordEvents(ctx, ex, n, events)
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, r := range res.Results {
		count[r.Status]++
		if r.Status == "refused" {
			fmt.Fprintf(m.Stdout, "%s refused (%s): %s\n", r.ID, r.Kind, r.Message)
			for _, f := range r.Fields {
				fmt.Fprintf(m.Stdout, "  %s: %s\n", f.Field, f.Message)
			}
		}
	}
	fmt.Fprintf(m.Stdout, "%d applied, %d duplicate, %d refused\n", count["applied"], count["duplicate"], count["refused"])
	printStage(m.Stdout, res.Stage)
	if count["refused"] > 0 {
		return errs.Errorf("stage record", errs.Conflict, "%d event(s) refused", count["refused"])
	}
	return nil
}

// eventsCSV reads a queue from CSV; each event takes from tmpl what its
// type carries: a release the receiver and the observer, a refusal or an
// unlisted person the observer, a receipt the check, the health and the
// observer.
func eventsCSV(data []byte, tmpl crossing.Event) ([]crossing.Event, error) {
	const op = "stage record"
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the queue is not CSV", err)
	}
	if len(rows) < 2 {
		return nil, errs.E(op, errs.Invalid, "the queue has no events")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"id", "type", "side"} {
		if _, ok := col[need]; !ok {
			return nil, errs.E(op, errs.Invalid, "the CSV queue needs the columns id,type,side,record_id")
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []crossing.Event
	for ln, row := range rows[1:] {
		e := crossing.Event{ID: get(row, "id"), Type: crossing.EventType(get(row, "type")), Side: get(row, "side"), RecordID: get(row, "record_id"),
			Reserve: get(row, "reserve"), Category: person.Category(get(row, "category")), Reason: get(row, "reason"),
			Subject: get(row, "subject"), Objection: get(row, "objection")}
		if at := get(row, "at"); at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, fmt.Sprintf("line %d: at %q is not an RFC 3339 time", ln+2, at))
			}
			e.At = t
		}
		switch e.Type {
		case crossing.Released, crossing.SubstitutedBy:
			e.Receiver, e.Observer = tmpl.Receiver, tmpl.Observer
		case crossing.Refused, crossing.RefusalWithdrawn, crossing.UnlistedPresented:
			e.Observer = tmpl.Observer
		case crossing.Received:
			e.Check, e.Health, e.Observer = tmpl.Check, tmpl.Health, tmpl.Observer
		}
		out = append(out, e)
	}
	return out, nil
}

const stageCloseUsage = `
Usage: handover stage close EXCHANGE N [--discrepancy REASON] [--server URL --token TOKEN]

Closes a stage (mediator's operator): moves it to closing, then closed.
Without parity the close is refused with the blockers, unless
--discrepancy gives the reason, which is recorded as the stage's
discrepancy.

Example:
  handover stage close ex-0123456789abcdef 1
  handover stage close ex-0123456789abcdef 2 --discrepancy 'RU presented 2 fewer; the rest follows in stage 3'
`

func runStageClose(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage close", stageCloseUsage)
	srv := m.addServerFlags(fs)
	reason := fs.String("discrepancy", "", "close without parity, recording this discrepancy")
	c, ex, n, err := srv.parseStage(fs, args)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	res, err := c.Transition(ctx, ex, n,
		crossing.Event{ID: fmt.Sprintf("stage-%d-closing-%d", n, now.UnixNano()), Type: crossing.StageClosing, At: now},
		crossing.Event{ID: fmt.Sprintf("stage-%d-closed-%d", n, now.UnixNano()), Type: crossing.StageClosed, At: now, Reason: *reason})
	if err != nil {
		return err
	}
	for _, r := range res.Results {
		if r.Status == "refused" {
			fmt.Fprintf(m.Stdout, "%s refused: %s\n", r.ID, r.Message)
		}
	}
	printStage(m.Stdout, res.Stage)
	if res.Stage.State != crossing.Closed.String() {
		return errs.E("stage close", errs.Conflict, "the stage did not close")
	}
	return nil
}

const stageLookupUsage = `
Usage: handover stage lookup EXCHANGE N QUERY [--server URL --token TOKEN]

Finds persons of a stage, best first: by service number (in either
script: А-123456 finds A-123456), by record id, or by name in any script
(Коваленко Олександр, Kovalenko Oleksandr, Коваленко Александр).

Example:
  handover stage lookup ex-0123456789abcdef 1 'Kovalenko Oleksandr'
`

func runStageLookup(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage lookup", stageLookupUsage)
	srv := m.addServerFlags(fs)
	c, pos, err := srv.parse(fs, args, 3, "name the exchange, the stage number and the query")
	if err != nil {
		return err
	}
	n, err := stageNumber(pos[1])
	if err != nil {
		return err
	}
	hits, err := c.Lookup(ctx, pos[0], n, pos[2])
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		fmt.Fprintln(m.Stdout, "nobody found")
	}
	for _, h := range hits {
		fmt.Fprintf(m.Stdout, "%s  %s  %s  born %s  %s  %s  releases %s  %s (%s %.2f)%s\n", h.RecordID, h.Name(), h.Category, h.BirthDate, h.Rank, h.ServiceNumber, h.Side, h.Outcome, h.Why, h.Score, personMarks(h.StagePerson))
	}
	return nil
}

// personMarks says what an officer must know of a person beyond the
// name: withheld by the releasing party, or corrected after signing (held
// back until an amendment).
func personMarks(p api.StagePerson) string {
	var out string
	if p.Withheld {
		out += "  [withheld: transmission detrimental]"
	}
	if p.CorrectedAfterSigning {
		out += "  [record corrected after signing"
		if len(p.Changed) > 0 {
			out += ": " + strings.Join(p.Changed, ", ")
		}
		out += "; shown as signed, does not count until an amendment]"
	}
	return out
}

const stageListUsage = `
Usage: handover stage list EXCHANGE N --side PARTY [--ids | --pdf FILE [--lang uk|ru|en] | --json] [--server URL --token TOKEN]

Shows the persons a party releases in a stage, then its reserves, with
the outcome so far. --pdf writes the printed list for the crossing (the
agreement hash and page x of y on every page, a signature block), in the
language --lang gives (default: env HANDOVER_LANG, else English); --ids
prints the record ids only.

Example:
  handover stage list ex-0123456789abcdef 1 --side RU --pdf stage-1-RU.pdf --lang uk
`

func runStageList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("stage list", stageListUsage)
	srv := m.addServerFlags(fs)
	side := fs.String("side", "", "the releasing party")
	ids := fs.Bool("ids", false, "print record ids only")
	pdf := fs.String("pdf", "", "write the printed list to `file`")
	lang := fs.String("lang", "", "the `language` of the printed list: uk, ru or en (default: env HANDOVER_LANG, else en)")
	asJSON := fs.Bool("json", false, "print JSON")
	c, ex, n, err := srv.parseStage(fs, args)
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = m.Getenv("HANDOVER_LANG")
	}
	if *lang != "" && !locale.Valid(*lang) {
		return usageError{"--lang is uk, ru or en"}
	}
	if *side == "" {
		return usageError{"give the releasing party with --side"}
	}
	if *pdf != "" {
		b, err := c.StageListPDF(ctx, ex, n, *side, *lang)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*pdf, b, 0o600); err != nil {
			return errs.E("stage list", errs.Internal, fmt.Sprintf("cannot write %s", *pdf), err)
		}
		fmt.Fprintf(m.Stdout, "printed list written to %s (%d bytes)\n", *pdf, len(b))
		return nil
	}
	l, err := c.StageList(ctx, ex, n, *side)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, l)
	}
	for i, p := range l.Persons {
		if *ids {
			if !p.Reserve {
				fmt.Fprintln(m.Stdout, p.RecordID)
			}
			continue
		}
		mark := ""
		if p.Reserve {
			mark = " (reserve)"
		}
		fmt.Fprintf(m.Stdout, "%3d  %s  %s  %s  born %s  %s  %s%s%s\n", i+1, p.RecordID, p.Name(), p.Category, p.BirthDate, p.ServiceNumber, p.Outcome, mark, personMarks(p.StagePerson))
	}
	return nil
}

const exchangeReportUsage = `
Usage: handover exchange report EXCHANGE [--stage N] [--xlsx FILE [--lang uk|ru|en] | --json] [--server URL --token TOKEN]

The exchange report over its stages: per side and category the counts
planned, handed over, refused, not presented, substituted and unlisted,
and the discrepancies (stages closed without parity, flagged persons).
--stage gives one stage's report; --xlsx writes it as a workbook, with
sheet names, headers, states, categories and kinds in the language
--lang gives (default: env HANDOVER_LANG, else English).

Example:
  handover exchange report ex-0123456789abcdef --xlsx report.xlsx --lang uk
`

func runExchangeReport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("exchange report", exchangeReportUsage)
	srv := m.addServerFlags(fs)
	xlsx := fs.String("xlsx", "", "write the report as a workbook to `file`")
	asJSON := fs.Bool("json", false, "print JSON")
	stage := fs.Int("stage", 0, "the report of this stage only")
	lang := fs.String("lang", "", "the `language` of the workbook: uk, ru or en (default: env HANDOVER_LANG, else en)")
	c, pos, err := srv.parse(fs, args, 1, "name one exchange ID")
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = m.Getenv("HANDOVER_LANG")
	}
	if *lang != "" && !locale.Valid(*lang) {
		return usageError{"--lang is uk, ru or en"}
	}
	if *xlsx != "" {
		b, err := c.ReportXLSX(ctx, pos[0], *stage, *lang)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*xlsx, b, 0o600); err != nil {
			return errs.E("exchange report", errs.Internal, fmt.Sprintf("cannot write %s", *xlsx), err)
		}
		fmt.Fprintf(m.Stdout, "report written to %s\n", *xlsx)
		return nil
	}
	rep, err := c.Report(ctx, pos[0], *stage)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, rep)
	}
	for _, st := range rep.Stages {
		s := st.Summary
		fmt.Fprintf(m.Stdout, "stage %d %s: planned %d, handed over %s, refused %d, not presented %d, substituted %d, unlisted %d, parity %v\n",
			st.Stage, st.State, s.Planned, countsText(s.HandedOver), s.Refused, s.NotPresented, s.Substituted, s.Unlisted, s.Parity)
	}
	for _, side := range sortedKeys(rep.Total) {
		t := rep.Total[side]
		fmt.Fprintf(m.Stdout, "total %s: planned %d, handed over %d, refused %d, not presented %d, substituted %d, unlisted %d\n", side, t.Planned, t.HandedOver, t.Refused, t.NotPresented, t.Substituted, t.Unlisted)
	}
	for _, d := range rep.Discrepancies {
		fmt.Fprintf(m.Stdout, "discrepancy: stage %d %s %s %s\n", d.Stage, d.Side, d.Kind, d.Text)
	}
	return nil
}

func countsText(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

const traceUsage = `
Usage: handover trace (RECORD | --name NAME [--birth-date DATE] | --since DATE [--csv]) [--server URL --token TOKEN]

The trace status of your party's sought persons (a party's bureau): where
each stands — reported, confirmed captive, listed, agreed, in stage N,
returned, refused, identified — with its history. Give a record id, or a
name in any script with an optional birth date (1990, 1990-05 or
1990-05-17), or --since DATE to export every status change since then
(for notifying families; --csv for CSV).

Example:
  handover trace --name 'Kovalenko Oleksandr' --birth-date 1990
  handover trace --since 2025-05-23 --csv > changes.csv
`

func runTrace(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("trace", traceUsage)
	srv := m.addServerFlags(fs)
	name := fs.String("name", "", "find by name, in any script")
	birth := fs.String("birth-date", "", "with --name: the birth date or its start")
	since := fs.String("since", "", "export the status changes since this date")
	asCSV := fs.Bool("csv", false, "with --since: print CSV")
	c, pos, err := srv.parse(fs, args, -1, "")
	if err != nil {
		return err
	}
	switch {
	case *since != "":
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return usageError{"--since takes a date: 2025-05-23"}
		}
		if *asCSV {
			b, err := c.TraceChangesCSV(ctx, t)
			if err != nil {
				return err
			}
			_, err = m.Stdout.Write(b)
			return err
		}
		changes, err := c.TraceChanges(ctx, t)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			fmt.Fprintf(m.Stdout, "%s  %s  %s  %s\n", ch.At.UTC().Format(time.RFC3339), ch.RecordID, ch.Status, ch.Name)
		}
		return nil
	case *name != "":
		found, err := c.TraceSearch(ctx, *name, *birth)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			fmt.Fprintln(m.Stdout, "nobody found")
		}
		for _, t := range found {
			printTrace(m.Stdout, t)
		}
		return nil
	case len(pos) == 1:
		t, err := c.Trace(ctx, pos[0])
		if err != nil {
			return err
		}
		printTrace(m.Stdout, t)
		return nil
	}
	return usageError{"give a record id, --name NAME or --since DATE"}
}

func printTrace(w io.Writer, t api.TraceResult) {
	fmt.Fprintf(w, "%s  %s  born %s: %s since %s\n", t.RecordID, t.Name, t.BirthDate, t.Trace.Status, t.Trace.Since.UTC().Format(time.RFC3339))
	for _, h := range t.Trace.History {
		stage := ""
		if h.Stage.Stage > 0 {
			stage = fmt.Sprintf(" (stage %d of %s)", h.Stage.Stage, h.Stage.Exchange)
		} else if h.Stage.Exchange != "" {
			stage = " (" + h.Stage.Exchange + ")"
		}
		fmt.Fprintf(w, "  %s  %s%s\n", h.At.UTC().Format(time.RFC3339), h.Status, stage)
	}
}
