package sheet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
)

// rowSource streams the rows of one sheet: the 1-based row number and the
// cells' text (raw values for XLSX: a date cell gives its serial).
type rowSource interface {
	Next() (row int, cells []string, ok bool)
	Err() error
	Close() error
}

// headerScan is how many rows from the top may hold titles above the header.
const headerScan = 30

// Read parses a whole file: XLSX (by content) or CSV. It returns an
// errs.Invalid error when the file as a whole cannot be read (too large,
// unknown encoding, no header row…); otherwise a File whose Report lists
// every problem of every row. Rows holds the rows without problems; the
// caller stores nothing unless Report.Problems is empty. Read never panics
// on any input.
//
// Read stops, with an error that says so, when ctx is done (the client
// has left) or after Limits.MaxDuration. An XLSX workbook is first read
// through guardXLSX, which refuses it at the first of its bounds before
// anything is parsed; what excelize spills to disk goes to a temporary
// directory of this call, removed when it returns, however it returns.
func Read(ctx context.Context, name string, data []byte, opt Options) (f *File, err error) {
	defer func() {
		if v := recover(); v != nil {
			f, err = nil, errs.E("sheet.Read", errs.Invalid, fmt.Sprintf("%s cannot be read as a spreadsheet", filepath.Base(name)), fmt.Errorf("panic: %v", v))
		}
	}()
	name = filepath.Base(name)
	lim := opt.Limits.withDefaults()
	opt.Limits = lim
	ctx, cancel := context.WithTimeout(ctx, lim.MaxDuration)
	defer cancel()
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if !opt.Kind.Valid() {
		return nil, errs.E("sheet.Read", errs.Invalid, "name the register: held or sought", errs.FieldError{Field: "kind", Message: fmt.Sprintf("%q is not a register: use held or sought", opt.Kind)})
	}
	if opt.Category != "" && !opt.Category.Valid() {
		return nil, errs.E("sheet.Read", errs.Invalid, fmt.Sprintf("%q is not a category", opt.Category), errs.FieldError{Field: "category", Message: "not a category"})
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, fileError(name, CodeFileTooLarge, "the file is %d bytes, more than the limit of %d bytes", len(data), lim.MaxFileBytes)
	}
	if len(data) == 0 {
		return nil, fileError(name, CodeNotSpreadsheet, "the file is empty")
	}
	sum := sha256.Sum256(data)
	rep := Report{File: name, SHA256: hex.EncodeToString(sum[:]), Problems: []Problem{}, Duplicates: []Duplicate{}}
	sheetName := opt.Sheet
	if sheetName == "" && opt.Mapping != nil {
		sheetName = opt.Mapping.Sheet
	}
	src, done, err := openSource(ctx, name, data, sheetName, opt.Encoding, lim, &rep)
	if err != nil {
		return nil, err
	}
	defer done()
	r := &reader{ctx: ctx, opt: opt, rep: &rep, src: src, name: name}
	return r.read()
}

// openSource opens the rows of a workbook's sheet (XLSX, guarded against
// bombs first) or of a CSV file, noting the format, sheet, encoding and
// separator in rep. done closes the source and removes what the workbook
// spilled to disk.
func openSource(ctx context.Context, name string, data []byte, sheetName, enc string, lim Limits, rep *Report) (rowSource, func(), error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		rep.Format = "xlsx"
		if _, err := guardXLSX(ctx, name, data, lim); err != nil {
			return nil, nil, err
		}
		tmp, err := os.MkdirTemp("", "handover-xlsx-")
		if err != nil {
			return nil, nil, errs.E("sheet.Read", errs.Internal, "no temporary directory for the workbook", err)
		}
		xs, sh, err := openXLSX(name, data, sheetName, lim, tmp)
		if err != nil {
			os.RemoveAll(tmp)
			return nil, nil, err
		}
		rep.Sheet = sh
		return xs, func() { xs.Close(); os.RemoveAll(tmp) }, nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, nil, fileError(name, CodeNotSpreadsheet, "this is an old Excel 97–2003 (.xls) workbook: save it as .xlsx or CSV and import that")
	}
	rep.Format, rep.Sheet = "csv", "CSV"
	cs, err := openCSV(name, data, enc)
	if err != nil {
		return nil, nil, err
	}
	rep.Encoding, rep.Separator = cs.encoding, cs.sepName()
	return cs, func() { cs.Close() }, nil
}

// Stopped is the refusal of an import that its context ended (err is the
// context's error): past Limits.MaxDuration, a refusal with CodeTimeLimit
// that says to split the file; otherwise the client has left.
func Stopped(name string, lim Limits, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fileError(name, CodeTimeLimit, "the import took longer than the limit of %s: split the file", lim.MaxDuration)
	}
	return errs.E("sheet.Read", errs.Invalid, name+": the import was stopped before the end of the file", err)
}

type reader struct {
	ctx  context.Context
	opt  Options
	rep  *Report
	src  rowSource
	name string
	cols []colPlan
	// rows read so far, for the row limit
	seen int
	out  []Row
	// splitName: the file has a full-name column and no surname column
	splitName bool
	colOf     colIndex
}

// colIndex holds, per field of columns, the 0-based file column a row's
// value came from, plus one (0: none); reused from row to row.
type colIndex []int

var fieldNumber = func() map[string]int {
	m := map[string]int{}
	for i, c := range columns {
		m[c.Field] = i
	}
	return m
}()

func (c colIndex) reset() { clear(c) }

func (c colIndex) set(field string, col int) {
	if n, ok := fieldNumber[field]; ok {
		c[n] = col + 1
	}
}

func (c colIndex) get(field string) (int, bool) {
	n, ok := fieldNumber[field]
	if !ok || c[n] == 0 {
		return 0, false
	}
	return c[n] - 1, true
}

// colPlan is what one column of the file becomes.
type colPlan struct {
	letter, header string
	col            *column // nil: a note or ignored
	note           bool
}

type bufRow struct {
	n     int
	cells []string
}

func (r *reader) next() (int, []string, bool, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, nil, false, Stopped(r.name, r.opt.Limits, err)
	}
	n, cells, ok := r.src.Next()
	if !ok {
		return 0, nil, false, r.src.Err()
	}
	r.seen++
	if r.seen > r.opt.Limits.MaxRows {
		return 0, nil, false, fileError(r.name, CodeTooManyRows, "the sheet has more than %d rows: split the file or raise the limit", r.opt.Limits.MaxRows)
	}
	if r.opt.Progress != nil && r.seen%10000 == 0 {
		r.opt.Progress(r.seen)
	}
	return n, cells, true, nil
}

func (r *reader) read() (*File, error) {
	// Buffer the top of the sheet to find the header (and HXL) rows.
	var top []bufRow
	for len(top) < headerScan {
		n, cells, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		top = append(top, bufRow{n, append([]string(nil), cells...)})
	}
	hdr, hxl, err := r.findHeader(top)
	if err != nil {
		return nil, err
	}
	r.rep.HeaderRow = top[hdr].n
	var hxlCells []string
	start := hdr + 1
	if hxl >= 0 {
		r.rep.HXLRow = top[hxl].n
		hxlCells = top[hxl].cells
		start = hxl + 1
	}
	if err := r.planColumns(top[hdr].cells, hxlCells, top[start:]); err != nil {
		return nil, err
	}
	for _, b := range top[start:] {
		r.row(b.n, b.cells)
	}
	// The rest of the sheet: one goroutine reads and unpacks rows (for
	// XLSX, most of the work is excelize's XML decoding) while this one
	// checks them, in batches.
	batches := make(chan rowBatch, 4)
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait() // the source is closed only when the reader is done with it
	defer close(done)
	wg.Go(func() { r.produce(batches, done) })
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		for _, row := range b.rows {
			r.row(row.n, row.cells)
		}
	}
	r.rep.Persons = len(r.out)
	return &File{Report: *r.rep, Rows: r.out}, nil
}

// rowBatch is a run of rows read ahead, or the error that ended reading.
type rowBatch struct {
	rows []bufRow
	err  error
}

// produce reads the remaining rows into batches until the sheet ends, an
// error (sent as the last batch), or done is closed. A panic inside the
// spreadsheet library becomes an error, not a crash.
func (r *reader) produce(out chan<- rowBatch, done <-chan struct{}) {
	defer close(out)
	send := func(b rowBatch) bool {
		select {
		case out <- b:
			return true
		case <-done:
			return false
		}
	}
	defer func() {
		if v := recover(); v != nil {
			send(rowBatch{err: errs.E("sheet.Read", errs.Invalid, fmt.Sprintf("%s cannot be read as a spreadsheet", r.name), fmt.Errorf("panic: %v", v))})
		}
	}()
	// A batch ends at size rows or batchBytes of cells, so that the rows
	// read ahead are bounded in memory as well as in number.
	const size, batchBytes = 512, 4 << 20
	batch := make([]bufRow, 0, size)
	held := 0
	for {
		n, cells, ok, err := r.next()
		if err != nil {
			send(rowBatch{err: err})
			return
		}
		if !ok {
			if err := r.src.Err(); err != nil {
				send(rowBatch{err: err})
				return
			}
			if len(batch) > 0 {
				send(rowBatch{rows: batch})
			}
			return
		}
		batch = append(batch, bufRow{n, cells})
		for _, c := range cells {
			held += len(c) + 16
		}
		if len(batch) == size || held >= batchBytes {
			if !send(rowBatch{rows: batch}) {
				return
			}
			batch, held = make([]bufRow, 0, size), 0
		}
	}
}

// findHeader picks the header row (and the HXL row under it, or -1) among
// the top rows: the mapping's header_row, else the row above a hashtag row,
// else the row with the most known headers.
func (r *reader) findHeader(top []bufRow) (int, int, error) {
	if len(top) == 0 {
		return 0, 0, fileError(r.name, CodeNoHeader, "sheet %s is empty", r.rep.Sheet)
	}
	if m := r.opt.Mapping; m != nil && m.HeaderRow > 0 {
		for i, b := range top {
			if b.n == m.HeaderRow {
				hxl := -1
				if i+1 < len(top) && isHXLRow(top[i+1].cells) {
					hxl = i + 1
				}
				return i, hxl, nil
			}
		}
		return 0, 0, fileError(r.name, CodeNoHeader, "the mapping names header row %d, which is not among the first %d rows of sheet %s", m.HeaderRow, headerScan, r.rep.Sheet)
	}
	for i, b := range top {
		if isHXLRow(b.cells) {
			if i > 0 && !isEmptyRow(top[i-1].cells) {
				return i - 1, i, nil
			}
			return i, i, nil
		}
	}
	best, bestN := -1, 0
	for i, b := range top {
		n := 0
		for _, c := range b.cells {
			if f := r.mappedHeader(c); f != "" && f != "-" {
				n++
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return 0, 0, fileError(r.name, CodeNoHeader, "no header row in the first %d rows of sheet %s: name the columns (e.g. Прізвище, Ім'я, Дата народження) or give a mapping file", headerScan, r.rep.Sheet)
	}
	return best, -1, nil
}

// mappedHeader is the field a header names by the mapping or the vocabulary.
func (r *reader) mappedHeader(h string) string {
	k := normHeader(h)
	if k == "" {
		return ""
	}
	if m := r.opt.Mapping; m != nil {
		if v, ok := m.Columns[k]; ok {
			return v
		}
	}
	return headerIndex[k]
}

func isHXLRow(cells []string) bool {
	tags, other := 0, 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		switch {
		case c == "":
		case strings.HasPrefix(c, "#") && len(c) > 1 && c[1] != ' ':
			tags++
		default:
			other++
		}
	}
	return tags >= 2 && tags >= other
}

func isEmptyRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// hxlField returns the field of a HXL hashtag with attributes, choosing the
// most specific match (#person+name+latin over #person+name).
func hxlField(tag string) string {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), " ", ""))
	parts := strings.Split(tag, "+")
	have := map[string]bool{}
	for _, a := range parts[1:] {
		have[a] = true
	}
	best, bestN := "", -1
	for _, c := range columns {
		sp := strings.Split(c.HXL, "+")
		if sp[0] != parts[0] {
			continue
		}
		ok := true
		for _, a := range sp[1:] {
			if !have[a] {
				ok = false
			}
		}
		if ok && len(sp) > bestN {
			best, bestN = c.Field, len(sp)
		}
	}
	return best
}

// planColumns decides what each column is: mapping by letter, mapping by
// header, HXL hashtag, known header; otherwise a note. A second column for
// a field already taken is kept as a note.
func (r *reader) planColumns(header, hxl []string, data []bufRow) error {
	width := len(header)
	if len(hxl) > width {
		width = len(hxl)
	}
	for _, b := range data {
		width = max(width, len(b.cells))
	}
	taken := map[string]string{}
	var m *Mapping
	if r.opt.Mapping != nil {
		m = r.opt.Mapping
	}
	for i := 0; i < width; i++ {
		cp := colPlan{letter: colLetter(i)}
		if i < len(header) {
			cp.header = strings.TrimSpace(header[i])
		}
		field, by := "", ""
		if m != nil {
			if v, ok := m.Letters[cp.letter]; ok {
				field, by = v, "mapping"
			} else if v, ok := m.Columns[normHeader(cp.header)]; ok && cp.header != "" {
				field, by = v, "mapping"
			}
		}
		if by == "" && i < len(hxl) && strings.HasPrefix(strings.TrimSpace(hxl[i]), "#") {
			if f := hxlField(hxl[i]); f != "" {
				field, by = f, "hxl"
			}
		}
		if by == "" && cp.header == "#" {
			field, by = "-", "header"
		}
		if by == "" {
			if f := headerIndex[normHeader(cp.header)]; f != "" {
				field, by = f, "header"
			}
		}
		info := ColumnInfo{Letter: cp.letter, Header: cp.header}
		switch {
		case field == "ignore" || field == "-":
			info.By = "ignored"
		case field == "note" || field == "":
			cp.note = true
			info.By = "note"
			if cp.header == "" {
				cp.header = "column " + cp.letter
			}
		default:
			if prev, dup := taken[field]; dup {
				cp.note = true
				info.By = "note"
				info.Field = ""
				info.Header = cp.header + " (second " + field + " column; the first is " + prev + ")"
				if cp.header == "" {
					cp.header = "column " + cp.letter
				}
			} else {
				taken[field] = cp.letter
				cp.col = fieldColumn(field)
				info.Field, info.By = field, by
			}
		}
		r.cols = append(r.cols, cp)
		r.rep.Columns = append(r.rep.Columns, info)
	}
	_, hasSurname := taken["surname"]
	_, hasFull := taken["full_name"]
	_, hasMarks := taken["distinguishing_marks"]
	if !hasSurname && !hasFull && !hasMarks {
		return fileError(r.name, CodeNoName, "no column holds a name (Прізвище/Фамилия/Surname or ПІБ/ФИО/Full name) in header row %d of sheet %s", r.rep.HeaderRow, r.rep.Sheet)
	}
	r.splitName = hasFull && !hasSurname
	return nil
}

// row reads one data row into a record or problems.
func (r *reader) row(n int, cells []string) {
	if isEmptyRow(cells) {
		return
	}
	r.rep.Rows++
	var f person.Fields
	f.Kind = r.opt.Kind
	var notes []string
	var probs []Problem
	if r.colOf == nil {
		r.colOf = make(colIndex, len(columns))
	}
	colOf := r.colOf
	colOf.reset()
	lim := r.opt.Limits.MaxCellChars
	for i, cp := range r.cols {
		if i >= len(cells) {
			break
		}
		v := strings.TrimSpace(cells[i])
		if v == "" {
			continue
		}
		if len(v) > lim && utf8.RuneCountInString(v) > lim {
			probs = append(probs, r.problem(n, i, cp, v, CodeCellTooLong, fmt.Sprintf("the cell has %d characters, more than the limit of %d", utf8.RuneCountInString(v), lim)))
			continue
		}
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		if cp.note {
			notes = append(notes, cp.header+": "+unneutralise(v))
			continue
		}
		if cp.col == nil {
			continue
		}
		colOf.set(cp.col.Field, i)
		if p := setField(&f, cp.col, v); p != nil {
			probs = append(probs, r.problem(n, i, cp, v, p.Code, p.Reason))
		}
	}
	if m := r.opt.Mapping; m != nil {
		for k, v := range m.Defaults {
			c := fieldColumn(k)
			if _, set := colOf.get(k); !set && c != nil && cellText(&f, c, "en") == "" {
				setField(&f, c, v)
			}
		}
	}
	if f.Category == "" && r.opt.Category != "" {
		f.Category = r.opt.Category
	}
	if len(notes) > 0 {
		all := strings.Join(notes, "\n")
		if f.Notes != "" {
			all = f.Notes + "\n" + all
		}
		f.Notes = all
	}
	if r.splitName && f.FullName != "" {
		if p := names.Parse(f.FullName); p.Surname != "" {
			f.Surname, f.GivenNames, f.Patronymic = p.Surname, p.Given, p.Patronymic
			f.FullName = ""
			full, _ := colOf.get("full_name")
			colOf.set("surname", full)
			colOf.set("given_names", full)
			colOf.set("patronymic", full)
		}
	}
	f.Normalize()
	{
		reported := map[string]bool{}
		for _, p := range probs {
			reported[p.Field] = true
		}
		err := f.Validate(r.opt.Now)
		if err == nil {
			// An import makes new records: a withholding at the person's
			// own request comes only from the neutral's interview (GC III
			// Arts. 118, 122(3)), never from a file.
			err = person.CheckWithholdWrite(nil, &f)
		}
		if err != nil {
			for _, fe := range errs.Fields(err) {
				if reported[fe.Field] {
					continue
				}
				i, ok := colOf.get(fe.Field)
				if !ok && (fe.Field == "surname" || fe.Field == "distinguishing_marks") {
					i, ok = r.firstColumn("surname", "full_name")
				}
				if !ok {
					i, ok = r.firstColumn(fe.Field)
				}
				p := Problem{Sheet: r.rep.Sheet, Row: n, Field: fe.Field, Code: CodeInvalidField, Reason: fe.Message, Detail: fe.Code, Args: fe.Args}
				if ok {
					p.Column = r.columnName(i)
					if i < len(cells) {
						p.Value = clip(strings.TrimSpace(cells[i]))
					}
				}
				probs = append(probs, p)
			}
		}
	}
	if len(probs) > 0 {
		r.rep.Problems = append(r.rep.Problems, probs...)
		return
	}
	r.out = append(r.out, Row{Sheet: r.rep.Sheet, Row: n, Fields: f, Ref: Ref(r.rep.SHA256, r.rep.Sheet, n)})
}

func (r *reader) firstColumn(fields ...string) (int, bool) {
	for _, want := range fields {
		for i, cp := range r.cols {
			if cp.col != nil && cp.col.Field == want {
				return i, true
			}
		}
	}
	return 0, false
}

func (r *reader) columnName(i int) string {
	cp := r.cols[i]
	if cp.header == "" || cp.header == "column "+cp.letter {
		return cp.letter
	}
	return cp.letter + " (" + cp.header + ")"
}

func (r *reader) problem(n, i int, cp colPlan, v, code, reason string) Problem {
	p := Problem{Sheet: r.rep.Sheet, Row: n, Column: r.columnName(i), Value: clip(v), Code: code, Reason: reason}
	if cp.col != nil {
		p.Field = cp.col.Field
	}
	return p
}

// clip shortens a value for a report.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:77]) + "…"
}
