package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sheet"
)

const importUsage = `
Usage: handover import FILE --kind held|sought [--party P] [--category C] [--sheet NAME]
       [--mapping FILE] [--encoding cp1251] [--dry-run] [--duplicates skip|keep]

Imports a list kept as a spreadsheet (XLSX, or CSV in UTF-8 or Windows-1251
with ',', ';' or tab) into a register of your party. The header row is found
under any title rows; headers are read in Ukrainian, Russian or English
(Прізвище, ПІБ, Дата народження, В/ч, Звання, Особистий номер, …); columns
it does not know are kept in the notes. A mapping file (TOML) overrides the
headers; see docs/design/sheets.md.

All or nothing: if any row has a problem, nothing is imported and every
problem is printed with its sheet, row, column, value and reason (exit
status 2). Rows that are the same person as a record already in the
register, or as an earlier row, are skipped (--duplicates keep keeps them);
rows of this same file imported before are always skipped, so importing a
file twice changes nothing. --dry-run checks and reports, storing nothing.

Example:
  handover import полонені.xlsx --kind held --category military --dry-run
`

func runImport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("import", importUsage)
	srv := m.addServerFlags(fs)
	var in client.ImportRequest
	fs.StringVar(&in.Party, "party", "", "owning party (your own when omitted)")
	fs.StringVar(&in.Kind, "kind", "", "register: held or sought (required)")
	fs.StringVar(&in.Category, "category", "", "category of rows without one: military, civilian, seriously_wounded_sick")
	fs.StringVar(&in.Sheet, "sheet", "", "XLSX sheet to read (the first when omitted)")
	fs.StringVar(&in.Encoding, "encoding", "", "CSV encoding: utf-8, cp1251, koi8-r, koi8-u (detected when omitted)")
	fs.StringVar(&in.Duplicates, "duplicates", "skip", "rows that are the same person as another: skip or keep")
	mapping := fs.String("mapping", "", "TOML file mapping columns to fields")
	fs.BoolVar(&in.DryRun, "dry-run", false, "check and report; store nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	allDups := fs.Bool("all-duplicates", false, "list every duplicate, not the first 20")
	c, pos, err := srv.parse(fs, args, 1, "name one file to import")
	if err != nil {
		return err
	}
	if in.Kind != "held" && in.Kind != "sought" {
		return usageError{"--kind held or --kind sought is required"}
	}
	if in.Duplicates != "skip" && in.Duplicates != "keep" {
		return usageError{"--duplicates is skip or keep"}
	}
	if *mapping != "" {
		b, err := os.ReadFile(*mapping)
		if err != nil {
			return errs.E("import", errs.Invalid, fmt.Sprintf("cannot read the mapping file %s", *mapping), err)
		}
		if _, err := sheet.ParseMapping(b); err != nil {
			return err
		}
		in.Mapping = b
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return errs.E("import", errs.Invalid, fmt.Sprintf("cannot open %s", path), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return errs.E("import", errs.Invalid, fmt.Sprintf("%s is not a file", path))
	}
	in.Name, in.File = filepath.Base(path), f
	p := m.newProgress(in.Name, st.Size())
	in.Progress = p.sent
	rep, err := c.Import(ctx, in)
	p.done()
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, rep)
	}
	printReport(m.Stdout, &rep, *allDups)
	return nil
}

func printReport(w io.Writer, rep *sheet.Report, all bool) {
	how := rep.Format
	if rep.Encoding != "" {
		how += ", " + rep.Encoding
	}
	if rep.Separator != "" {
		how += ", separator " + rep.Separator
	}
	fmt.Fprintf(w, "%s (%s): sheet %s, header row %d", rep.File, how, rep.Sheet, rep.HeaderRow)
	if rep.HXLRow > 0 {
		fmt.Fprintf(w, ", HXL row %d", rep.HXLRow)
	}
	fmt.Fprintf(w, "; %d rows, %d persons\n", rep.Rows, rep.Persons)
	for _, c := range rep.Columns {
		switch {
		case c.Field != "":
			fmt.Fprintf(w, "  column %s %q → %s (%s)\n", c.Letter, c.Header, c.Field, c.By)
		case c.By == "note":
			fmt.Fprintf(w, "  column %s %q → notes\n", c.Letter, c.Header)
		}
	}
	const shown = 20
	for i, d := range rep.Duplicates {
		if i == shown && !all {
			fmt.Fprintf(w, "… and %d more duplicates (--all-duplicates or --json lists them all)\n", len(rep.Duplicates)-shown)
			break
		}
		fmt.Fprintf(w, "duplicate: sheet %s, row %d (%s): %s of %s", d.Sheet, d.Row, d.Person, strings.ReplaceAll(d.Code, "_", " "), d.Of)
		if d.OfPerson != "" {
			fmt.Fprintf(w, " (%s)", d.OfPerson)
		}
		fmt.Fprintf(w, " (%s)\n", d.Action)
	}
	if rep.DryRun {
		fmt.Fprintf(w, "dry run: %d records would be imported, %d duplicates skipped; nothing was stored\n", rep.Persons-rep.Skipped, rep.Skipped)
		return
	}
	fmt.Fprintf(w, "imported %d records, %d duplicates skipped\n", rep.Imported, rep.Skipped)
}

// progress shows an upload on a terminal as a bar; elsewhere, for large
// files, as plain log lines.
type progress struct {
	w     io.Writer
	name  string
	total int64
	tty   bool
	log   bool
	start time.Time
}

func (m *Main) newProgress(name string, total int64) *progress {
	p := &progress{w: m.Stderr, name: name, total: total, start: time.Now()}
	if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	} else if total >= 1<<20 {
		p.log = true
		fmt.Fprintf(p.w, "uploading %s (%d bytes)\n", name, total)
	}
	return p
}

func (p *progress) sent(n int64) {
	if !p.tty || p.total <= 0 {
		return
	}
	frac := min(1, float64(n)/float64(p.total))
	const width = 30
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(" ", width-int(frac*width))
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%% %.1f/%.1f MB", p.name, bar, 100*frac, float64(n)/1e6, float64(p.total)/1e6)
	if n >= p.total {
		fmt.Fprint(p.w, " — the server is checking every row…")
	}
}

func (p *progress) done() {
	switch {
	case p.tty:
		fmt.Fprint(p.w, "\r\033[K")
	case p.log:
		fmt.Fprintf(p.w, "uploaded and checked %s in %.1f s\n", p.name, time.Since(p.start).Seconds())
	}
}

const exportUsage = `
Usage: handover export --out FILE [--format xlsx|csv|json] [--lang uk|ru|en]
       [--party P] [--kind held|sought] [--category C] [--status S]

Exports the records you may read. XLSX has the header in the chosen
language with a HXL hashtag row under it, a frozen header and full dates as
dates; CSV is UTF-8 with a BOM (';'-separated for uk and ru, as Excel there
expects); JSON is an array of records. The format defaults to the --out
file's extension. Text that a spreadsheet would run as a formula (= + - @)
is written with a leading apostrophe. The file is written whole or not at
all.

Example:
  handover export --party UA --kind held --format xlsx --lang uk --out утримувані.xlsx
`

func runExport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("export", exportUsage)
	srv := m.addServerFlags(fs)
	var in client.ExportRequest
	fs.StringVar(&in.Party, "party", "", "owning party")
	fs.StringVar(&in.Kind, "kind", "", "held or sought")
	fs.StringVar(&in.Category, "category", "", "category")
	fs.StringVar(&in.Status, "status", "", "legal status")
	fs.StringVar(&in.Format, "format", "", "xlsx, csv or json (from --out's extension when omitted)")
	fs.StringVar(&in.Lang, "lang", "uk", "header language: uk, ru or en")
	out := fs.String("out", "", "file to write (required)")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out FILE is required"}
	}
	if in.Format == "" {
		in.Format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if err := sheet.CheckExport(in.Format, in.Lang); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return errs.E("export", errs.Invalid, fmt.Sprintf("cannot write in %s", filepath.Dir(*out)), err)
	}
	defer os.Remove(tmp.Name())
	n, err := c.Export(ctx, in, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return errs.E("export", errs.Internal, fmt.Sprintf("cannot write %s", *out), err)
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%s, %d bytes)\n", *out, in.Format, n)
	return nil
}
