package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/term"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/synth/pairs"
)

const linkUsage = `
Usage: handover link LEFT RIGHT --out PAIRS.csv [--threshold T] [--config FILE] [--explain]

Link two lists of persons (CSV or XLSX) and write the candidate pairs: each
left record to at most one right record and the reverse, one row per pair
whose score is at least the threshold, best first. Nothing is merged: the
pairs are candidates for a person to confirm or reject.

Input columns (header row; any column but id may be absent or empty):
  id,surname,given_name,patronymic,birth_date,birth_place,service_number,unit,rank
full_name may stand instead of surname, given_name and patronymic. CSV is
UTF-8 (with or without BOM) or Windows-1251, separated by ',', ';' or tab;
XLSX is read from its first sheet. Dates in any form a register writes
(16.01.1987, 01.1987, 1987-01-16, an Excel date). A register file as
'handover import' reads it (no id column; ФИО, Прізвище, Дата народження…
headers) is read by the same sheet reader, and its ids are its row numbers.
--config describes other column sets and comparisons (docs/design/linkage.md).

Output columns: left_id,right_id,score. score is the match probability in
0..1 under the model fitted to these two lists (Fellegi–Sunter, m and u
estimated by EM); the default threshold is 0.5. --explain adds weight, prior
and, per field, <field>_level and <field>_weight (weights in bits).

Example:
  handover link sought.csv held.xlsx --out pairs.csv --explain
  handover link dataset4a.csv dataset4b.csv --config examples/link/febrl4.toml --out pairs.csv
`

const dedupeUsage = `
Usage: handover dedupe FILE --out CLUSTERS.csv [--threshold T] [--config FILE]

Find records of one list that are the same person. Writes every record as
id,cluster_id,score: records with the same cluster_id are candidates for one
person (cluster_id is the id of the cluster's first record); score is the
best match probability linking the record to another member, 0 when it is
alone. Input columns as for 'handover link'.

Example:
  handover dedupe register.csv --out clusters.csv
`

const genPairsUsage = `
Usage: handover gen pairs --n N --out-left L.csv --out-right R.csv --truth T.csv [--seed S] [--world SHARE]

Generate a realistic two-sided test set: a left list of N persons sought,
written in Ukrainian Cyrillic, and a right list of persons held, written in
Russian forms or Latin spellings (several schemes), with typos, dropped
patronymics, swapped names, full names in one cell, partial and mistyped
dates, reformatted service and unit numbers, and hard negatives (namesakes,
brothers). T.csv lists the true pairs as left_id,right_id. --world SHARE
makes that share of the persons come from other peoples (the Caucasus,
Central Asia, Buryatia and Tuva, Azerbaijan, Georgia, Armenia, Nepal, Sri
Lanka, Latin America, Africa, North Korea), written in Cyrillic, in several
Latin spellings and in their own scripts.

Example:
  handover gen pairs --n 10000 --out-left sought.csv --out-right held.csv --truth truth.csv --seed 7
`

func runLink(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("link", linkUsage)
	out := fs.String("out", "", "output CSV `file` of pairs (required; - for standard output)")
	threshold := fs.Float64("threshold", -1, "least match probability of a reported pair, 0..1 (default 0.5 or the config's)")
	configFile := fs.String("config", "", "TOML `file` describing columns, comparisons and blocking")
	explain := fs.Bool("explain", false, "add per-field explanation columns")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{"need two input files, LEFT and RIGHT"}
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	cfg, err := loadLinkConfig(*configFile, *threshold)
	if err != nil {
		return err
	}
	limitLinkMemory(m)
	start := time.Now()
	p := m.linkProgress()
	p.report("read", 0, 2)
	// The two files are read at the same time, one per core.
	var right []match.Record
	var rerr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		right, rerr = readLinkTable(pos[1], cfg)
	}()
	left, err := readLinkTable(pos[0], cfg)
	<-done
	if err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	res, err := match.Link(left, right, cfg, match.Options{Progress: p.report, NoExplanations: !*explain})
	p.done()
	if err != nil {
		return err
	}
	if err := writeOutput(m, *out, func(w io.Writer) error { return writePairs(w, cfg, res.Pairs, *explain) }); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "linked %d × %d records: %d candidate pairs compared, %d at or above %.2f, %d pairs written (%.1fs)\n",
		len(left), len(right), res.Stats.Candidates, res.Stats.AboveThreshold, cfg.Threshold, len(res.Pairs), time.Since(start).Seconds())
	return nil
}

func runDedupe(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("dedupe", dedupeUsage)
	out := fs.String("out", "", "output CSV `file` of clusters (required; - for standard output)")
	threshold := fs.Float64("threshold", -1, "least match probability joining two records, 0..1 (default 0.5 or the config's)")
	configFile := fs.String("config", "", "TOML `file` describing columns, comparisons and blocking")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"need one input file"}
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	cfg, err := loadLinkConfig(*configFile, *threshold)
	if err != nil {
		return err
	}
	limitLinkMemory(m)
	p := m.linkProgress()
	p.report("read", 0, 1)
	recs, err := readLinkTable(pos[0], cfg)
	if err != nil {
		return err
	}
	res, err := match.Dedupe(recs, cfg, match.Options{Progress: p.report, NoExplanations: true})
	p.done()
	if err != nil {
		return err
	}
	best := make([]float64, len(recs))
	for _, pr := range res.Pairs {
		best[pr.Left] = max(best[pr.Left], pr.Score)
		best[pr.Right] = max(best[pr.Right], pr.Score)
	}
	err = writeOutput(m, *out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "cluster_id", "score"})
		for i, r := range recs {
			cw.Write([]string{r.ID, recs[res.Clusters[i]].ID, strconv.FormatFloat(best[i], 'f', 4, 64)})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	clusters := 0
	for i, c := range res.Clusters {
		if c == i {
			clusters++
		}
	}
	fmt.Fprintf(m.Stderr, "deduplicated %d records: %d candidate pairs compared, %d clusters\n", len(recs), res.Stats.Candidates, clusters)
	return nil
}

func runGenPairs(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("gen pairs", genPairsUsage)
	n := fs.Int("n", 1000, "number of persons on the left (sought) list")
	outL := fs.String("out-left", "", "left list CSV `file` (required)")
	outR := fs.String("out-right", "", "right list CSV `file` (required)")
	truth := fs.String("truth", "", "true pairs CSV `file` (required)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same lists")
	world := fs.Float64("world", 0, "share of persons of other peoples (Caucasus, Central Asia, Nepal, Korea…), 0..1")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{"unexpected argument " + strconv.Quote(pos[0])}
	}
	if *outL == "" || *outR == "" || *truth == "" {
		return usageError{"--out-left, --out-right and --truth are required"}
	}
	if *n <= 0 || *n > 10_000_000 {
		return usageError{"--n must be in 1..10000000"}
	}
	if *world < 0 || *world > 1 {
		return usageError{"--world must be in 0..1"}
	}
	set := pairs.Generate(pairs.Options{N: *n, Seed: *seed, World: *world})
	if err := writeOutput(m, *outL, func(w io.Writer) error { return pairs.WriteCSV(w, set.Left) }); err != nil {
		return err
	}
	if err := writeOutput(m, *outR, func(w io.Writer) error { return pairs.WriteCSV(w, set.Right) }); err != nil {
		return err
	}
	if err := writeOutput(m, *truth, func(w io.Writer) error { return pairs.WriteTruth(w, set.Truth) }); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "generated %d left, %d right records, %d true pairs\n", len(set.Left), len(set.Right), len(set.Truth))
	return nil
}

func loadLinkConfig(path string, threshold float64) (match.Config, error) {
	cfg := match.DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, errs.E("link", errs.Invalid, fmt.Sprintf("read config %s: %v", path, linkPathErr(err)))
		}
		cfg, err = match.ParseConfig(b)
		if err != nil {
			return cfg, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %s", path, errs.Message(err)))
		}
	}
	if threshold >= 0 {
		if threshold > 1 {
			return cfg, usageError{"--threshold must be in 0..1"}
		}
		cfg.Threshold = threshold
	}
	return cfg, nil
}

// linkPathErr strips the path an *os.PathError repeats.
func linkPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func writeOutput(m *Main, path string, fn func(io.Writer) error) error {
	if path == "-" {
		return fn(m.Stdout)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return errs.E("link", errs.Invalid, fmt.Sprintf("create %s: %v", path, linkPathErr(err)))
	}
	if err := f.Chmod(0o600); err != nil { // a file that existed keeps its mode otherwise
		f.Close()
		return errs.E("link", errs.Invalid, fmt.Sprintf("create %s: %v", path, linkPathErr(err)))
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := fn(bw); err != nil {
		f.Close()
		return errs.E("link", fmt.Errorf("write %s: %w", path, err))
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return errs.E("link", fmt.Errorf("write %s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		return errs.E("link", fmt.Errorf("write %s: %w", path, err))
	}
	return nil
}

func writePairs(w io.Writer, cfg match.Config, ps []match.Pair, explain bool) error {
	cw := csv.NewWriter(w)
	head := []string{"left_id", "right_id", "score"}
	if explain {
		head = append(head, "weight", "prior")
		for _, f := range cfg.Fields {
			head = append(head, f.Name+"_level", f.Name+"_weight")
		}
	}
	cw.Write(head)
	row := make([]string, 0, len(head))
	for _, p := range ps {
		row = append(row[:0], p.LeftID, p.RightID, strconv.FormatFloat(p.Score, 'f', 6, 64))
		if explain {
			x := p.Explanation
			row = append(row, linkWeight(p.Weight), linkWeight(x.Prior))
			for _, f := range x.Fields {
				row = append(row, f.Level, linkWeight(f.Weight))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func linkWeight(w float64) string { return strconv.FormatFloat(w, 'f', 2, 64) }

// linkProgress draws a one-line progress display on a terminal; elsewhere
// it logs one plain line as each stage starts, with the time since the
// start.
type linkProgress struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	stage string
}

func (m *Main) linkProgress() *linkProgress {
	p := &linkProgress{w: m.Stderr, start: time.Now()}
	if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *linkProgress) report(stage string, done, total int) {
	if !p.on {
		if stage != p.stage {
			p.stage = stage
			fmt.Fprintf(p.w, "%6.1fs %s\n", time.Since(p.start).Seconds(), stage)
		}
		return
	}
	now := time.Now()
	if stage == p.stage && now.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.stage, p.last = stage, now
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	fmt.Fprintf(p.w, "\r%-10s %5.1f%% (%d/%d)\x1b[K", stage, pct, done, total)
}

func (p *linkProgress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// readLinkTable reads a CSV or XLSX list into records for cfg, checking it
// whole: every structural problem is an errs.Invalid naming file, row and
// column.
func readLinkTable(path string, cfg match.Config) ([]match.Record, error) {
	recs, err := readLinkColumns(path, cfg)
	if errors.Is(err, errNoIDColumn) && isDefaultLinkConfig(cfg) {
		// A register as 'handover import' reads it (ФИО, Прізвище, Дата
		// народження…, no id column): read it with the same sheet reader.
		regs, rerr := readLinkRegister(path, cfg)
		if rerr == nil || !strings.Contains(rerr.Error(), "["+sheet.CodeNoHeader+"]") && !strings.Contains(rerr.Error(), "["+sheet.CodeNoName+"]") {
			return regs, rerr
		}
		// Neither the link columns nor a register's: say what link wants.
	}
	return recs, err
}

// readLinkColumns reads a table whose header names the configuration's
// columns. CSV text is decoded and its separator found as the sheet reader
// does it (UTF-8 with or without BOM, or Windows-1251; ';', ',' or tab).
func readLinkColumns(path string, cfg match.Config) ([]match.Record, error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return readLinkXLSX(path, cfg)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %v", path, linkPathErr(err)))
	}
	text, _, err := sheet.DecodeText(path, data, "")
	if err != nil {
		return nil, err
	}
	data = nil
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = sheet.DetectSeparator(string(text[:min(len(text), 64<<10)]))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	tr := newLinkTableReader(path, cfg)
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, tr.bad(pe.StartLine, pe.Column, "", pe.Err.Error())
			}
			return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %v", path, err))
		}
		line, _ := cr.FieldPos(0)
		if err := tr.row(line, row); err != nil {
			return nil, err
		}
	}
	return tr.finish()
}

// errNoIDColumn marks a header without the id column.
var errNoIDColumn = errors.New("no id column")

// isDefaultLinkConfig reports whether cfg reads handover's person columns.
func isDefaultLinkConfig(cfg match.Config) bool {
	d := match.DefaultConfig()
	if cfg.ID != d.ID || len(cfg.Fields) != len(d.Fields) {
		return false
	}
	for i := range cfg.Fields {
		if cfg.Fields[i].Column != d.Fields[i].Column {
			return false
		}
	}
	return true
}

// readLinkRegister reads a register file with internal/sheet, the reader
// of 'handover import': headers in Ukrainian, Russian or English, one name
// column (ФИО) or several, every date form. The ids are the file's row
// numbers. A file with problems is refused with every problem and its place.
func readLinkRegister(path string, cfg match.Config) ([]match.Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %v", path, linkPathErr(err)))
	}
	f, err := sheet.Read(context.Background(), filepath.Base(path), data, sheet.Options{Kind: person.Held, Category: person.Military,
		Limits: sheet.Limits{MaxFileBytes: 1 << 31, MaxRows: 5_000_000}})
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	get := map[string]func(*person.Fields) string{
		"surname": func(p *person.Fields) string { return p.Surname }, "given_name": func(p *person.Fields) string { return p.GivenNames },
		"patronymic": func(p *person.Fields) string { return p.Patronymic }, "birth_date": func(p *person.Fields) string { return p.BirthDate.String() },
		"birth_place": func(p *person.Fields) string { return p.BirthPlace }, "service_number": func(p *person.Fields) string { return p.ServiceNumber },
		"unit": func(p *person.Fields) string { return p.Unit }, "rank": func(p *person.Fields) string { return p.Rank },
	}
	recs := make([]match.Record, 0, len(f.Rows))
	for _, row := range f.Rows {
		rec := match.Record{ID: strconv.Itoa(row.Row), Values: make([]string, len(cfg.Fields)), FullName: row.Fields.FullName}
		for i, fd := range cfg.Fields {
			if g := get[fd.Column]; g != nil {
				rec.Values[i] = g(&row.Fields)
			}
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func readLinkXLSX(path string, cfg match.Config) ([]match.Record, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: not a readable XLSX file: %v", path, linkPathErr(err)))
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: the workbook has no sheets", path))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %v", path, err))
	}
	defer rows.Close()
	tr := newLinkTableReader(path, cfg)
	line := 0
	for rows.Next() {
		line++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, tr.bad(line, 0, "", err.Error())
		}
		if err := tr.row(line, cols); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: %v", path, err))
	}
	return tr.finish()
}

// linkTableReader turns rows (header first) into records.
type linkTableReader struct {
	path      string
	cfg       match.Config
	header    []string
	idCol     int
	fullCol   int
	cols      []int // per field, the column or -1
	dateField []bool
	recs      []match.Record
	seen      map[string]int
}

func newLinkTableReader(path string, cfg match.Config) *linkTableReader {
	t := &linkTableReader{path: path, cfg: cfg, seen: map[string]int{}}
	for _, f := range cfg.Fields {
		t.dateField = append(t.dateField, f.Compare == match.CompareDate)
	}
	return t
}

func (t *linkTableReader) bad(line, col int, field, msg string) error {
	where := fmt.Sprintf("%s: row %d", t.path, line)
	if col > 0 {
		where += fmt.Sprintf(", column %d", col)
	}
	if field != "" {
		where += fmt.Sprintf(" (%s)", field)
	}
	return errs.E("link", errs.Invalid, where+": "+msg)
}

func (t *linkTableReader) row(line int, row []string) error {
	if t.header == nil {
		if len(row) > 0 {
			row[0] = strings.TrimPrefix(row[0], "\ufeff")
		}
		t.header = make([]string, len(row))
		idx := map[string]int{}
		for i, h := range row {
			h = strings.ToLower(strings.TrimSpace(h))
			t.header[i] = h
			if h == "" {
				continue
			}
			if _, dup := idx[h]; dup {
				return t.bad(line, i+1, h, fmt.Sprintf("column %q appears twice in the header", h))
			}
			idx[h] = i
		}
		col := func(name string) int {
			if i, ok := idx[strings.ToLower(name)]; ok {
				return i
			}
			return -1
		}
		t.idCol = col(t.cfg.ID)
		if t.idCol < 0 {
			return fmt.Errorf("%w: %w", t.bad(line, 0, "", fmt.Sprintf("the header has no %q column (header: %s)", t.cfg.ID, strings.Join(t.header, ","))), errNoIDColumn)
		}
		t.fullCol = col(t.cfg.FullName)
		known := 0
		for _, f := range t.cfg.Fields {
			c := col(f.Column)
			t.cols = append(t.cols, c)
			if c >= 0 {
				known++
			}
		}
		if known == 0 && t.fullCol < 0 {
			return t.bad(line, 0, "", "the header names no column to compare")
		}
		return nil
	}
	if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
		return nil // blank line
	}
	if len(row) > len(t.header) {
		for _, v := range row[len(t.header):] {
			if strings.TrimSpace(v) != "" {
				return t.bad(line, len(t.header)+1, "", fmt.Sprintf("%d fields, but the header has %d columns", len(row), len(t.header)))
			}
		}
	}
	get := func(c int) string {
		if c >= 0 && c < len(row) {
			return strings.TrimSpace(row[c])
		}
		return ""
	}
	id := get(t.idCol)
	if id == "" {
		return t.bad(line, t.idCol+1, t.cfg.ID, "empty id")
	}
	if prev, dup := t.seen[id]; dup {
		return t.bad(line, t.idCol+1, t.cfg.ID, fmt.Sprintf("id %q already used in row %d", id, prev))
	}
	t.seen[id] = line
	rec := match.Record{ID: id, Values: make([]string, len(t.cols)), FullName: get(t.fullCol)}
	for i, c := range t.cols {
		v := get(c)
		if t.dateField[i] {
			// The one date parser: 16.01.1987, an Excel serial and
			// 1987-01-16 are one date; what it cannot read is compared
			// as written (a mistyped date still agrees in part).
			if d, err := sheet.ParseDate(v); err == nil {
				v = d.String()
			}
		}
		rec.Values[i] = v
	}
	t.recs = append(t.recs, rec)
	return nil
}

func (t *linkTableReader) finish() ([]match.Record, error) {
	if t.header == nil {
		return nil, errs.E("link", errs.Invalid, fmt.Sprintf("%s: empty file: no header row", t.path))
	}
	return t.recs, nil
}

// linkMemoryLimit is the soft memory limit of link and dedupe runs unless
// GOMEMLIMIT says otherwise: the garbage collector works harder near it
// instead of letting the heap double, which keeps a million-by-million run
// within 4 GB.
const linkMemoryLimit = 3 << 30

func limitLinkMemory(m *Main) {
	if m.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(linkMemoryLimit)
	}
}
