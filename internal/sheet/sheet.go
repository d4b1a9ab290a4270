package sheet

import (
	"fmt"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Problem codes. They are stable (a UI translates by code) and append-only.
const (
	CodeFileTooLarge      = "file_too_large"      // the file is larger than Limits.MaxFileBytes
	CodeTooManyRows       = "too_many_rows"       // more rows than Limits.MaxRows
	CodeCellTooLong       = "cell_too_long"       // a cell longer than Limits.MaxCellChars
	CodeUnzipTooLarge     = "unzip_too_large"     // an XLSX that unpacks to more than Limits.MaxUnzipBytes
	CodeNotSpreadsheet    = "not_a_spreadsheet"   // neither XLSX nor text CSV (or an old .xls)
	CodeEncoding          = "encoding_unknown"    // not UTF-8 and not recognisably Windows-1251
	CodeSheetNotFound     = "sheet_not_found"     // no sheet of the name asked for
	CodeNoHeader          = "no_header"           // no row of known column headers
	CodeNoName            = "no_name_column"      // no column holds a name
	CodeMapping           = "mapping_invalid"     // the mapping file is wrong
	CodeCSV               = "csv_malformed"       // the CSV cannot be read at a line
	CodeDateFormat        = "date_format"         // not a date form we read
	CodeDateAmbiguous     = "date_ambiguous"      // could be read two ways (month/day order)
	CodeDateTwoDigitYear  = "date_two_digit_year" // the century is not written
	CodeDateImpossible    = "date_impossible"     // a day or month that does not exist
	CodeValueUnknown      = "value_unknown"       // not a category, status, sex or yes/no we know
	CodeInvalidField      = "field_invalid"       // the record's validation refused the field
	CodeDuplicateInFile   = "duplicate_in_file"   // same person as an earlier row of the file
	CodeDuplicateRegister = "duplicate_in_register"
	CodeAlreadyImported   = "already_imported" // this file's row is already in the register
	CodeRowTooLarge       = "row_too_large"    // an XLSX row with more cells or bytes than any register's row
	CodeTimeLimit         = "time_limit"       // reading or importing took longer than Limits.MaxDuration
)

// Limits protect the server from files that would exhaust it. A zero field
// takes its default. Inside an XLSX workbook, guard.go adds bounds of its
// own (a text, a tag, a row, the shared strings).
type Limits struct {
	MaxFileBytes     int64 // size of the uploaded file
	MaxRows          int   // rows read from the sheet, title and header rows included
	MaxCellChars     int   // characters in one cell
	MaxUnzipBytes    int64 // total unpacked size of an XLSX, counted as it unpacks
	MaxUnzipXMLBytes int64 // unpacked worksheet or shared strings kept in memory; more is read from a temporary file
	// MaxDuration bounds one import: Read stops at it, and a caller that
	// stores the rows bounds the whole import with it. The default, four
	// minutes, ends an import before the server's five-minute write
	// timeout would cut its answer.
	MaxDuration time.Duration
}

// DefaultLimits are generous for a register (200,000 rows) and small for a
// server.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 64 << 20, MaxRows: 200_000, MaxCellChars: person.MaxTextLen, MaxUnzipBytes: 512 << 20, MaxUnzipXMLBytes: 16 << 20,
		MaxDuration: 4 * time.Minute}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = d.MaxCellChars
	}
	if l.MaxUnzipBytes <= 0 {
		l.MaxUnzipBytes = d.MaxUnzipBytes
	}
	if l.MaxUnzipXMLBytes <= 0 {
		l.MaxUnzipXMLBytes = min(d.MaxUnzipXMLBytes, l.MaxUnzipBytes)
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = d.MaxDuration
	}
	return l
}

// Options tell Read what the file is for and how to read it.
type Options struct {
	Kind     person.Kind     // the register the rows go to (required)
	Category person.Category // category of rows whose category cell is empty or absent
	Sheet    string          // XLSX sheet name; the first sheet when empty
	Encoding string          // CSV encoding: "" to detect, "utf-8", "cp1251" (windows-1251), "koi8-r", "koi8-u"
	Mapping  *Mapping        // overrides header detection when set
	Limits   Limits
	Now      time.Time      // dates may not lie after it; time.Now() when zero
	Progress func(rows int) // called every 10,000 rows read, when set, from a goroutine of the reader
}

// Report is what a reader found in a file: how it was read, every problem,
// and, after Plan, the duplicates and what became of them.
type Report struct {
	File      string       `json:"file"`
	SHA256    string       `json:"sha256"`
	Format    string       `json:"format"`              // "xlsx" or "csv"
	Encoding  string       `json:"encoding,omitempty"`  // CSV: "utf-8", "utf-8 bom", "windows-1251", …
	Separator string       `json:"separator,omitempty"` // CSV: ",", ";" or "tab"
	Sheet     string       `json:"sheet"`
	HeaderRow int          `json:"header_row"`
	HXLRow    int          `json:"hxl_row,omitempty"`
	Columns   []ColumnInfo `json:"columns"`
	Rows      int          `json:"rows"`    // data rows that are not empty
	Persons   int          `json:"persons"` // rows read without problems
	Problems  []Problem    `json:"problems"`

	Duplicates []Duplicate `json:"duplicates"`
	Skipped    int         `json:"skipped"`
	DryRun     bool        `json:"dry_run"`
	Imported   int         `json:"imported"`
}

// ColumnInfo says what a column of the file was read as. By is "header",
// "hxl", "mapping", "note" (kept in the notes as "header: value") or
// "ignored" (a running number, or empty).
type ColumnInfo struct {
	Letter string `json:"letter"`
	Header string `json:"header"`
	Field  string `json:"field,omitempty"`
	By     string `json:"by"`
}

// Problem is one thing wrong with the file, at a sheet, row and column.
// Reason is English, safe to show; Code is stable for translation.
type Problem struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"` // letter and header: D (Дата народження)
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	// Detail and Args, for field_invalid, are the record check's own
	// problem code (a key of person.Problems) and the values its message
	// quotes, so that a user interface can translate the reason too.
	Detail string   `json:"detail,omitempty"`
	Args   []string `json:"args,omitempty"`
}

// Where renders the place of a problem: "sheet S, row R, column C".
func (p Problem) Where() string {
	var parts []string
	if p.Sheet != "" {
		parts = append(parts, "sheet "+p.Sheet)
	}
	if p.Row > 0 {
		parts = append(parts, fmt.Sprintf("row %d", p.Row))
	}
	if p.Column != "" {
		parts = append(parts, "column "+p.Column)
	}
	return strings.Join(parts, ", ")
}

// FieldError renders the problem as the API's field error: the reason,
// the value and the code in brackets.
func (p Problem) FieldError() errs.FieldError {
	msg := p.Reason
	if p.Value != "" && !strings.Contains(msg, p.Value) {
		msg = fmt.Sprintf("%s (value %q)", msg, p.Value)
	}
	field := p.Field
	if field == "" {
		field = "file"
	}
	return errs.FieldError{Field: field, Message: msg + " [" + p.Code + "]", Where: p.Where()}
}

// Duplicate is a row that is the same person as another row of the file,
// a record in the register, or a row of this file imported before.
type Duplicate struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`
	Code   string `json:"code"` // duplicate_in_file, duplicate_in_register, already_imported
	Of     string `json:"of"`   // "row 12" or a record id
	OfRow  int    `json:"of_row,omitempty"`
	Action string `json:"action"` // "skip" or "keep"
	// Person and OfPerson describe the two: name, birth date, service
	// number, unit and rank as read, so that whoever decides sees both.
	Person   string `json:"person"`
	OfPerson string `json:"of_person"`
}

// Row is one person read from a file, with its provenance reference.
type Row struct {
	Sheet  string
	Row    int
	Fields person.Fields
	Ref    string // "sha256:<hex> sheet <name> row <n>"
}

// File is a read file: its report and its rows (only the rows without
// problems; a caller stores nothing while Report.Problems is not empty).
type File struct {
	Report Report
	Rows   []Row
}

// Err returns nil when the report has no problems, else an errs.Invalid
// error with one field error per problem (Where = sheet, row, column).
func (f *File) Err() error {
	if len(f.Report.Problems) == 0 {
		return nil
	}
	fes := make([]errs.FieldError, len(f.Report.Problems))
	for i, p := range f.Report.Problems {
		fes[i] = p.FieldError()
	}
	return errs.E("sheet.Read", errs.Invalid, fmt.Sprintf("%s: %d problem(s) in %d row(s); nothing was imported", f.Report.File, len(f.Report.Problems), f.problemRows()), fes)
}

func (f *File) problemRows() int {
	seen := map[int]bool{}
	for _, p := range f.Report.Problems {
		seen[p.Row] = true
	}
	return len(seen)
}

// fileError is a refusal of the whole file.
func fileError(name, code, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return errs.E("sheet.Read", errs.Invalid, name+": "+msg, errs.FieldError{Field: "file", Message: msg + " [" + code + "]", Where: name})
}

// Ref is the provenance reference of a row: the file's SHA-256, the sheet
// and the row. A row whose Ref is already in the register is a re-import.
func Ref(sha string, sheet string, row int) string {
	return fmt.Sprintf("sha256:%s sheet %s row %d", sha, sheet, row)
}

// colLetter returns the spreadsheet letter of a 0-based column index.
func colLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
