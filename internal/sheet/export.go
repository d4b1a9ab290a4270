package sheet

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Formats a Writer writes.
var Formats = []string{"xlsx", "csv", "json"}

// Languages of the headers a Writer writes.
var Languages = []string{"uk", "ru", "en"}

// ContentType returns the media type and file extension of a format.
func ContentType(format string) (string, string) {
	switch format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	case "csv":
		return "text/csv; charset=utf-8", ".csv"
	}
	return "application/json; charset=utf-8", ".json"
}

// CheckExport reports an errs.Invalid error for an unknown format or
// language.
func CheckExport(format, lang string) error {
	var bad []errs.FieldError
	if !contains(Formats, format) {
		bad = append(bad, errs.FieldError{Field: "format", Message: fmt.Sprintf("%q is not a format: use xlsx, csv or json", format)})
	}
	if !contains(Languages, lang) {
		bad = append(bad, errs.FieldError{Field: "lang", Message: fmt.Sprintf("%q is not a language: use uk, ru or en", lang)})
	}
	if len(bad) > 0 {
		return errs.E("sheet.Export", errs.Invalid, "bad export options", bad)
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// Header returns the header of a field's column in lang ("uk", "ru", "en").
func Header(field, lang string) string {
	c := fieldColumn(field)
	if c == nil {
		return field
	}
	switch lang {
	case "uk":
		return c.UK[0]
	case "ru":
		return c.RU[0]
	}
	return c.EN[0]
}

// Writer writes records to a file in one format: XLSX (a header row in the
// chosen language, a HXL row, frozen panes, full dates as dates), CSV (UTF-8
// with BOM; ';' for uk and ru as Excel there expects, ',' for en) or JSON
// (an array of records). Every text cell is neutralised against formula
// injection. Call Close to finish the file.
type Writer struct {
	format, lang string
	w            io.Writer
	n            int
	// xlsx
	f         *excelize.File
	sw        *excelize.StreamWriter
	dateStyle int
	// csv
	cw *csv.Writer
	// json
	jenc *json.Encoder
}

// sheetName is the exported sheet's name per language.
var sheetName = map[string]string{"uk": "Список", "ru": "Список", "en": "List"}

// NewWriter starts a file of format (xlsx, csv, json) with headers in lang
// (uk, ru, en) on w.
func NewWriter(w io.Writer, format, lang string) (*Writer, error) {
	if err := CheckExport(format, lang); err != nil {
		return nil, err
	}
	wr := &Writer{format: format, lang: lang, w: w}
	headers := make([]string, len(columns))
	tags := make([]string, len(columns))
	for i, c := range columns {
		headers[i] = Header(c.Field, lang)
		tags[i] = c.HXL
	}
	switch format {
	case "xlsx":
		f := excelize.NewFile()
		name := sheetName[lang]
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		numFmt := "dd.mm.yyyy"
		if lang == "en" {
			numFmt = "yyyy-mm-dd"
		}
		wr.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
		if err != nil {
			return nil, err
		}
		bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
		if err != nil {
			return nil, err
		}
		grey, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
		if err != nil {
			return nil, err
		}
		for i, c := range columns {
			if err := sw.SetColWidth(i+1, i+1, colWidth(c, headers[i])); err != nil {
				return nil, err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		row := make([]any, len(columns))
		for i := range headers {
			row[i] = excelize.Cell{StyleID: bold, Value: headers[i]}
		}
		if err := sw.SetRow("A1", row); err != nil {
			return nil, err
		}
		for i := range tags {
			row[i] = excelize.Cell{StyleID: grey, Value: tags[i]}
		}
		if err := sw.SetRow("A2", row); err != nil {
			return nil, err
		}
		wr.f, wr.sw = f, sw
	case "csv":
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
		wr.cw = csv.NewWriter(w)
		if lang != "en" {
			wr.cw.Comma = ';'
		}
		wr.cw.UseCRLF = true
		if err := wr.cw.Write(headers); err != nil {
			return nil, err
		}
		if err := wr.cw.Write(tags); err != nil {
			return nil, err
		}
	case "json":
		if _, err := io.WriteString(w, "[\n"); err != nil {
			return nil, err
		}
		wr.jenc = json.NewEncoder(w)
		wr.jenc.SetEscapeHTML(false)
	}
	return wr, nil
}

// colWidth is a sensible width for a column: wide for names and text,
// narrow for dates and flags, never narrower than the header.
func colWidth(c column, header string) float64 {
	w := 16.0
	switch c.Kind {
	case dateValue:
		w = 12
	case boolValue, sexValue, nameLanguageValue, withholdBasisValue:
		w = 10
	case longText:
		w = 36
	case latinValue:
		w = 28
	}
	if c.Field == "full_name" {
		w = 32
	}
	if h := float64(utf8.RuneCountInString(header)) + 2; h > w {
		w = min(h, 40)
	}
	return w
}

// Write adds one record.
func (wr *Writer) Write(r *person.Record) error {
	wr.n++
	switch wr.format {
	case "json":
		if wr.n > 1 {
			if _, err := io.WriteString(wr.w, ","); err != nil {
				return err
			}
		}
		return wr.jenc.Encode(r)
	case "csv":
		rec := make([]string, len(columns))
		for i := range columns {
			c := &columns[i]
			if c.Kind == dateValue {
				rec[i] = wr.csvDate(*datePtr(&r.Fields, c.Field))
				continue
			}
			rec[i] = Neutralise(cellText(&r.Fields, c, wr.lang))
		}
		return wr.cw.Write(rec)
	}
	row := make([]any, len(columns))
	for i := range columns {
		c := &columns[i]
		if c.Kind == dateValue {
			d := *datePtr(&r.Fields, c.Field)
			if d.Precision() == "day" {
				row[i] = excelize.Cell{StyleID: wr.dateStyle, Value: time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)}
			} else {
				row[i] = d.String()
			}
			continue
		}
		row[i] = Neutralise(cellText(&r.Fields, c, wr.lang))
	}
	cell, err := excelize.CoordinatesToCellName(1, wr.n+2)
	if err != nil {
		return err
	}
	return wr.sw.SetRow(cell, row)
}

// csvDate writes a full date day first for uk and ru (as Excel there
// shows it) and in ISO form for en; a partial date in ISO form.
func (wr *Writer) csvDate(d person.Date) string {
	if d.Precision() == "day" && wr.lang != "en" {
		return fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year)
	}
	return d.String()
}

// Close finishes the file and writes what is still buffered.
func (wr *Writer) Close() error {
	switch wr.format {
	case "json":
		_, err := io.WriteString(wr.w, "]\n")
		return err
	case "csv":
		wr.cw.Flush()
		return wr.cw.Error()
	}
	defer wr.f.Close()
	if err := wr.sw.Flush(); err != nil {
		return err
	}
	_, err := wr.f.WriteTo(wr.w)
	return err
}
