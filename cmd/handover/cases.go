package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Tracing casework (docs/design/tracing.md): a bureau's cases through the
// API. Dates are read as everywhere (person.ReadDate: 16.01.2026,
// 2026-01-16); a step's date defaults to today.

const caseListUsage = `
Usage: handover case list [--state open|closed] [--assignee LOGIN] [--overdue] [--server URL --token TOKEN]

Your bureau's tracing cases (the mediator's tracing agency: those shared
with it), overdue first, each with the person, the state and what is due.

Example:
  handover case list --state open --overdue
`

const caseShowUsage = `
Usage: handover case show CASE [--json] [--server URL --token TOKEN]

One case: the person and their trace status, every step (enquiries,
contacts, tasks, notices, closing), and what is due.

Example:
  handover case show case-7k2…
`

const caseOpenUsage = `
Usage: handover case open RECORD [--name NAME --relationship REL [--reach TEXT] [--consent] [--date DATE] [--note TEXT]] [--server URL --token TOKEN]

Open a case on one of your party's sought records, with the first
enquiry when --name is given. Relationships: parent, spouse, child,
sibling, relative, unit, other.

Example:
  handover case open r0k3… --name 'Гуцул Марія' --relationship parent --reach '+380 67 555 01 02' --consent --date 30.11.2026
`

const caseEnquiryUsage = `
Usage: handover case enquiry CASE --name NAME --relationship REL [--reach TEXT] [--consent] [--date DATE] [--note TEXT]

Add an enquiry to a case: who asked, how they stand to the person, how to
reach them (sealed at rest), whether they consent to share it with the
mediator's tracing agency.

Example:
  handover case enquiry case-7k2… --name 'Гуцул Іван' --relationship parent --date 01.12.2026
`

const caseContactUsage = `
Usage: handover case contact CASE --mode call|letter|visit|message --with WHOM [--said TEXT] [--date DATE]

Record a contact with the family; what was said is sealed at rest.

Example:
  handover case contact case-7k2… --mode call --with мати --said 'Чекає новин'
`

const caseTaskUsage = `
Usage: handover case task CASE (--text TEXT --assignee LOGIN [--due DATE] | --done N)

Set a task for a registrar or approver of your bureau, or mark task N
(its step number, as 'case show' prints it) done.

Example:
  handover case task case-7k2… --text 'Запит до частини' --assignee ua-registrar --due 10.12.2026
  handover case task case-7k2… --done 4
`

const caseNotifyUsage = `
Usage: handover case notify CASE --news capture|return|death|remains --how call|letter|visit|message [--by WHO] [--date DATE]

Record that the family was told: of a capture, a return, a death or
remains identified; by whom (default: you) and how.

Example:
  handover case notify case-7k2… --news return --how call
`

const caseCloseUsage = `
Usage: handover case close CASE (--reason returned|died|remains_identified|withdrawn|merged [--into CASE] [--note TEXT] | --reopen TEXT | --share | --unshare)

Close a case with its reason (merged: into another case of your bureau),
reopen a closed case with a reason, or share it with the mediator's
tracing agency (and stop sharing). Your own bureau's cases only.

Example:
  handover case close case-7k2… --reason returned
  handover case close case-7k2… --reopen 'нові відомості від родини'
`

const caseImportUsage = `
Usage: handover case import FILE [--sheet NAME] [--encoding ENC]

Import your bureau's existing enquiries from XLSX or CSV: a header row
with the record id and the enquirer (record, enquirer, relationship,
reach, consent, date, note; in Ukrainian, Russian or English). Each
enquiry opens the person's case or joins the open one; a file with a bad
row imports nothing and every problem is printed with its row.

Example:
  handover case import enquiries.xlsx
`

const caseExportUsage = `
Usage: handover case export [--format csv|xlsx|json] [--lang uk|ru|en] [--state open|closed] [--out FILE]

Export the worklist: one row per case (without the enquirers' contact
details), or every case whole as JSON.

Example:
  handover case export --format xlsx --out cases.xlsx
`

// enquiryFlags are the flags of an enquiry.
type enquiryFlags struct {
	name, rel, reach, date, note *string
	consent                      *bool
}

func addEnquiryFlags(fs *flag.FlagSet) enquiryFlags {
	return enquiryFlags{
		name:    fs.String("name", "", "who asked"),
		rel:     fs.String("relationship", "", "parent, spouse, child, sibling, relative, unit or other"),
		reach:   fs.String("reach", "", "how to reach them (sealed)"),
		date:    fs.String("date", "", "when they asked (default today)"),
		note:    fs.String("note", "", "what they asked, in a line"),
		consent: fs.Bool("consent", false, "they consent to share their contact with the mediator's tracing agency"),
	}
}

func (e enquiryFlags) enquiry() (*casework.Enquiry, error) {
	d, err := stepDate("--date", *e.date)
	if err != nil {
		return nil, err
	}
	return &casework.Enquiry{Name: *e.name, Relationship: casework.Relationship(*e.rel), Reach: *e.reach, Consent: *e.consent, Date: d, Note: *e.note}, nil
}

// stepDate reads a step's date with the one date parser; empty is today.
func stepDate(flagName, s string) (person.Date, error) {
	if strings.TrimSpace(s) == "" {
		return casework.Today(time.Now()), nil
	}
	d, err := person.ReadDate(s)
	if err != nil {
		return d, errs.E("handover case", errs.Invalid, fmt.Sprintf("%s: %v", flagName, err))
	}
	return d, nil
}

func runCaseList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("case list", caseListUsage)
	srv := m.addServerFlags(fs)
	state := fs.String("state", "", "open or closed")
	assignee := fs.String("assignee", "", "cases with an open task of this login")
	overdue := fs.Bool("overdue", false, "only cases with something overdue")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	list, err := c.Cases(ctx, client.CaseFilter{State: *state, Assignee: *assignee, Overdue: *overdue})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(m.Stdout, "no cases")
	}
	for _, cs := range list {
		due := "nothing due"
		if len(cs.Due) > 0 {
			due = dueText(cs.Due[0])
		}
		shared := ""
		if cs.Shared {
			shared = " shared"
		}
		fmt.Fprintf(m.Stdout, "%s  %s  %s  %s%s  %s\n", cs.ID, cs.Record, cs.Person.Name, cs.State, shared, due)
	}
	return nil
}

func dueText(d casework.Due) string {
	what := "task " + fmt.Sprint(d.Task) + " (" + d.Assignee + "): " + d.Text
	if d.News != "" {
		what = "notify the family: " + string(d.News)
	}
	when := ""
	if !d.Date.IsZero() {
		when = " by " + d.Date.String()
	}
	if d.Overdue {
		return "OVERDUE " + what + when
	}
	return what + when
}

func runCaseShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("case show", caseShowUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print the case as JSON")
	c, pos, err := srv.parse(fs, args, 1, "give a case id")
	if err != nil {
		return err
	}
	cs, err := c.Case(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, cs)
	}
	printCase(m.Stdout, cs)
	return nil
}

func printCase(w io.Writer, cs api.Case) {
	shared := ""
	if cs.Shared {
		shared = ", shared with the mediator's tracing agency"
	}
	fmt.Fprintf(w, "case %s of %s: %s%s\n", cs.ID, cs.Party, cs.State, shared)
	fmt.Fprintf(w, "person %s  %s  born %s\n", cs.Record, cs.Person.Name, cs.Person.BirthDate)
	if cs.Trace != nil {
		fmt.Fprintf(w, "trace: %s since %s\n", cs.Trace.Status, cs.Trace.Since.UTC().Format(time.RFC3339))
	}
	for _, st := range cs.Steps {
		fmt.Fprintf(w, "  %d  %s  %s  %s: %s\n", st.N, st.At.UTC().Format("2006-01-02 15:04"), st.By, st.Kind, stepText(st))
	}
	for _, d := range cs.Due {
		fmt.Fprintf(w, "due: %s\n", dueText(d))
	}
}

func stepText(st casework.Step) string {
	switch {
	case st.Enquiry != nil:
		e := st.Enquiry
		consent := "no consent to share the contact"
		if e.Consent {
			consent = "consents to share the contact"
		}
		return fmt.Sprintf("%s (%s), %s, reach %q, %s; %s", e.Name, e.Relationship, e.Date, e.Reach, consent, e.Note)
	case st.Contact != nil:
		return fmt.Sprintf("%s with %s on %s: %s", st.Contact.Mode, st.Contact.With, st.Contact.Date, st.Contact.Said)
	case st.Task != nil:
		return fmt.Sprintf("%s, for %s, due %s", st.Task.Text, st.Task.Assignee, st.Task.Due)
	case st.Done != nil:
		return fmt.Sprintf("task %d done", st.Done.Task)
	case st.Notice != nil:
		return fmt.Sprintf("of %s, by %s, %s, on %s", st.Notice.News, st.Notice.By, st.Notice.How, st.Notice.Date)
	case st.Sharing != nil:
		if st.Sharing.Shared {
			return "shared with the mediator's tracing agency"
		}
		return "no longer shared"
	case st.Closing != nil:
		s := string(st.Closing.Reason)
		if st.Closing.Into != "" {
			s += " into " + st.Closing.Into
		}
		return strings.TrimSpace(s + " " + st.Closing.Note)
	case st.Reopen != nil:
		return st.Reopen.Reason
	}
	return ""
}

func runCaseOpen(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("case open", caseOpenUsage)
	srv := m.addServerFlags(fs)
	ef := addEnquiryFlags(fs)
	c, pos, err := srv.parse(fs, args, 1, "give the sought record's id")
	if err != nil {
		return err
	}
	var e *casework.Enquiry
	if *ef.name != "" {
		if e, err = ef.enquiry(); err != nil {
			return err
		}
	}
	cs, err := c.OpenCase(ctx, pos[0], e)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "opened case %s on %s (%s)\n", cs.ID, cs.Record, cs.Person.Name)
	return nil
}

// addStep parses a step command's flags and sends the step build makes.
func addStep(ctx context.Context, m *Main, name, usage string, args []string, flags func(*flag.FlagSet) func() (api.CaseStepRequest, error)) error {
	fs := m.newFlagSet(name, usage)
	srv := m.addServerFlags(fs)
	build := flags(fs)
	c, pos, err := srv.parse(fs, args, 1, "give a case id")
	if err != nil {
		return err
	}
	st, err := build()
	if err != nil {
		return err
	}
	cs, err := c.AddCaseStep(ctx, pos[0], st)
	if err != nil {
		return err
	}
	last := cs.Steps[len(cs.Steps)-1]
	fmt.Fprintf(m.Stdout, "case %s step %d: %s (%s)\n", cs.ID, last.N, last.Kind, cs.State)
	return nil
}

func runCaseEnquiry(ctx context.Context, m *Main, args []string) error {
	return addStep(ctx, m, "case enquiry", caseEnquiryUsage, args, func(fs *flag.FlagSet) func() (api.CaseStepRequest, error) {
		ef := addEnquiryFlags(fs)
		return func() (api.CaseStepRequest, error) {
			e, err := ef.enquiry()
			return api.CaseStepRequest{Kind: casework.KindEnquiry, Enquiry: e}, err
		}
	})
}

func runCaseContact(ctx context.Context, m *Main, args []string) error {
	return addStep(ctx, m, "case contact", caseContactUsage, args, func(fs *flag.FlagSet) func() (api.CaseStepRequest, error) {
		mode := fs.String("mode", "", "call, letter, visit or message")
		with := fs.String("with", "", "whom the bureau spoke with")
		said := fs.String("said", "", "what was said (sealed)")
		date := fs.String("date", "", "when (default today)")
		return func() (api.CaseStepRequest, error) {
			d, err := stepDate("--date", *date)
			return api.CaseStepRequest{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.Mode(*mode), With: *with, Said: *said, Date: d}}, err
		}
	})
}

func runCaseTask(ctx context.Context, m *Main, args []string) error {
	return addStep(ctx, m, "case task", caseTaskUsage, args, func(fs *flag.FlagSet) func() (api.CaseStepRequest, error) {
		text := fs.String("text", "", "what to do")
		assignee := fs.String("assignee", "", "the login of a registrar or approver of your bureau")
		due := fs.String("due", "", "due by this date")
		done := fs.Int("done", 0, "mark task N (its step number) done")
		return func() (api.CaseStepRequest, error) {
			if *done > 0 {
				return api.CaseStepRequest{Kind: casework.KindTaskDone, Done: &casework.TaskDone{Task: *done}}, nil
			}
			var d person.Date
			if *due != "" {
				var err error
				if d, err = stepDate("--due", *due); err != nil {
					return api.CaseStepRequest{}, err
				}
			}
			return api.CaseStepRequest{Kind: casework.KindTask, Task: &casework.Task{Text: *text, Assignee: *assignee, Due: d}}, nil
		}
	})
}

func runCaseNotify(ctx context.Context, m *Main, args []string) error {
	return addStep(ctx, m, "case notify", caseNotifyUsage, args, func(fs *flag.FlagSet) func() (api.CaseStepRequest, error) {
		news := fs.String("news", "", "capture, return, death or remains")
		how := fs.String("how", "", "call, letter, visit or message")
		by := fs.String("by", "", "who notified the family (default: you)")
		date := fs.String("date", "", "when (default today)")
		return func() (api.CaseStepRequest, error) {
			d, err := stepDate("--date", *date)
			return api.CaseStepRequest{Kind: casework.KindNotified, Notice: &casework.Notice{News: casework.News(*news), How: casework.Mode(*how), By: *by, Date: d}}, err
		}
	})
}

func runCaseClose(ctx context.Context, m *Main, args []string) error {
	return addStep(ctx, m, "case close", caseCloseUsage, args, func(fs *flag.FlagSet) func() (api.CaseStepRequest, error) {
		reason := fs.String("reason", "", "returned, died, remains_identified, withdrawn or merged")
		into := fs.String("into", "", "with --reason merged: the case it went into")
		note := fs.String("note", "", "a note")
		reopen := fs.String("reopen", "", "reopen a closed case, with this reason")
		share := fs.Bool("share", false, "share the case with the mediator's tracing agency")
		unshare := fs.Bool("unshare", false, "stop sharing it")
		return func() (api.CaseStepRequest, error) {
			switch {
			case *reopen != "":
				return api.CaseStepRequest{Kind: casework.KindReopened, Reopen: &casework.Reopening{Reason: *reopen}}, nil
			case *share || *unshare:
				return api.CaseStepRequest{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: *share}}, nil
			}
			return api.CaseStepRequest{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseReason(*reason), Into: *into, Note: *note}}, nil
		}
	})
}

func runCaseImport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("case import", caseImportUsage)
	srv := m.addServerFlags(fs)
	sheetName := fs.String("sheet", "", "the workbook's sheet (default: the first)")
	enc := fs.String("encoding", "", "a CSV's encoding: utf-8 or windows-1251 (default: detected)")
	c, pos, err := srv.parse(fs, args, 1, "give the file")
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return errs.E("handover case import", errs.Invalid, fmt.Sprintf("cannot read %s", pos[0]), err)
	}
	defer f.Close()
	res, err := c.ImportEnquiries(ctx, filepath.Base(pos[0]), f, *sheetName, *enc)
	if err != nil {
		for _, fe := range errs.Fields(err) {
			fmt.Fprintf(m.Stdout, "%s: %s: %s\n", fe.Where, fe.Field, fe.Message)
		}
		return err
	}
	fmt.Fprintf(m.Stdout, "cases opened: %d, enquiries added to open cases: %d\n", res.Opened, res.Added)
	return nil
}

func runCaseExport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("case export", caseExportUsage)
	srv := m.addServerFlags(fs)
	format := fs.String("format", "csv", "csv, xlsx or json")
	lang := fs.String("lang", "uk", "uk, ru or en")
	state := fs.String("state", "", "open or closed")
	out := fs.String("out", "", "write to this file (default: standard output)")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	filter := client.CaseFilter{State: *state}
	var b []byte
	if *format == "json" {
		list, err := c.Cases(ctx, filter)
		if err != nil {
			return err
		}
		return writeOut(m, *out, func(w io.Writer) error { return printJSON(w, api.Cases{Cases: list}) })
	}
	if b, err = c.CasesFile(ctx, filter, *format, *lang); err != nil {
		return err
	}
	return writeOut(m, *out, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// writeOut writes to a new private file, or to standard output.
func writeOut(m *Main, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(m.Stdout)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return errs.E("handover case export", errs.Invalid, fmt.Sprintf("cannot write %s", path), err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "written to %s\n", path)
	return nil
}
