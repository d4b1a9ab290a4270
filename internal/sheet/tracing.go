package sheet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TracingSchema names the version of the tracing-agency export's JSON
// document (docs/design/tracing.md, "The tracing-agency export"). A
// change that a reader of version 1 would misread is a new version.
const TracingSchema = "handover/tracing-export/v1"

// TracingFormats are the formats of the tracing-agency export.
var TracingFormats = []string{"csv", "xlsx", "json"}

// Tracing is a bureau's export of the persons it holds for the Central
// Tracing Agency (GC III Arts. 122–123; GC IV Art. 137(2) and
// Art. 140): every held record, those marked detrimental to transmit to
// the other party included and marked as such, since information
// withheld from the other party is still not withheld from the Agency.
type Tracing struct {
	Schema   string       `json:"schema"`
	Party    string       `json:"party"`
	Exported time.Time    `json:"exported_at"`
	Count    int          `json:"count"`
	Flagged  int          `json:"flagged"`
	Records  []TracingRow `json:"records"`
}

// TracingRow is one held person as exported: every value a string, empty
// when the record has none, dates in ISO form (1994-03-09, 1994-03 or
// 1994), marks "true" or "false".
type TracingRow struct {
	RecordID               string `json:"record_id"`
	Version                string `json:"version"`
	Category               string `json:"category"`
	Status                 string `json:"status"`
	Surname                string `json:"surname"`
	GivenNames             string `json:"given_names"`
	Patronymic             string `json:"patronymic"`
	FullName               string `json:"full_name"`
	Latin                  string `json:"latin"`
	LatinNames             string `json:"latin_names"`
	Sex                    string `json:"sex"`
	BirthDate              string `json:"birth_date"`
	BirthPlace             string `json:"birth_place"`
	Rank                   string `json:"rank"`
	ServiceNumber          string `json:"service_number"`
	Unit                   string `json:"unit"`
	Power                  string `json:"power"`
	Citizenship            string `json:"citizenship"`
	MotherMaidenName       string `json:"mother_maiden_name"`
	CaptureDate            string `json:"capture_date"`
	CapturePlace           string `json:"capture_place"`
	IdentityNotEstablished string `json:"identity_not_established"`
	DistinguishingMarks    string `json:"distinguishing_marks"`
	Health                 string `json:"health"`
	NextOfKin              string `json:"next_of_kin"`
	Detrimental            string `json:"detrimental"`
	// DetrimentalBasis and DetrimentalReason say on what ground and why
	// the record is withheld from the other party: gc4_art137_2 (a
	// civilian, GC IV Art. 137(2)) or own_request (a prisoner's own
	// request in the neutral's interview).
	DetrimentalBasis  string `json:"detrimental_basis"`
	DetrimentalReason string `json:"detrimental_reason"`
}

// tracingColumns are the export's columns in order, by the JSON key that
// heads them in CSV and XLSX.
var tracingColumns = []struct {
	code string
	ptr  func(*TracingRow) *string
}{
	{"record_id", func(r *TracingRow) *string { return &r.RecordID }},
	{"version", func(r *TracingRow) *string { return &r.Version }},
	{"category", func(r *TracingRow) *string { return &r.Category }},
	{"status", func(r *TracingRow) *string { return &r.Status }},
	{"surname", func(r *TracingRow) *string { return &r.Surname }},
	{"given_names", func(r *TracingRow) *string { return &r.GivenNames }},
	{"patronymic", func(r *TracingRow) *string { return &r.Patronymic }},
	{"full_name", func(r *TracingRow) *string { return &r.FullName }},
	{"latin", func(r *TracingRow) *string { return &r.Latin }},
	{"latin_names", func(r *TracingRow) *string { return &r.LatinNames }},
	{"sex", func(r *TracingRow) *string { return &r.Sex }},
	{"birth_date", func(r *TracingRow) *string { return &r.BirthDate }},
	{"birth_place", func(r *TracingRow) *string { return &r.BirthPlace }},
	{"rank", func(r *TracingRow) *string { return &r.Rank }},
	{"service_number", func(r *TracingRow) *string { return &r.ServiceNumber }},
	{"unit", func(r *TracingRow) *string { return &r.Unit }},
	{"power", func(r *TracingRow) *string { return &r.Power }},
	{"citizenship", func(r *TracingRow) *string { return &r.Citizenship }},
	{"mother_maiden_name", func(r *TracingRow) *string { return &r.MotherMaidenName }},
	{"capture_date", func(r *TracingRow) *string { return &r.CaptureDate }},
	{"capture_place", func(r *TracingRow) *string { return &r.CapturePlace }},
	{"identity_not_established", func(r *TracingRow) *string { return &r.IdentityNotEstablished }},
	{"distinguishing_marks", func(r *TracingRow) *string { return &r.DistinguishingMarks }},
	{"health", func(r *TracingRow) *string { return &r.Health }},
	{"next_of_kin", func(r *TracingRow) *string { return &r.NextOfKin }},
	{"detrimental", func(r *TracingRow) *string { return &r.Detrimental }},
	{"detrimental_basis", func(r *TracingRow) *string { return &r.DetrimentalBasis }},
	{"detrimental_reason", func(r *TracingRow) *string { return &r.DetrimentalReason }},
}

// TracingHeader is the header row of the CSV and XLSX export.
func TracingHeader() []string {
	out := make([]string, len(tracingColumns))
	for i, c := range tracingColumns {
		out[i] = c.code
	}
	return out
}

// TracingOf builds party's export at a time from its held records, in
// their order; a record of another kind is left out.
func TracingOf(party string, at time.Time, recs []person.Record) Tracing {
	t := Tracing{Schema: TracingSchema, Party: party, Exported: at.UTC(), Records: []TracingRow{}}
	for i := range recs {
		r := &recs[i]
		if r.Kind != person.Held {
			continue
		}
		f := &r.Fields
		t.Records = append(t.Records, TracingRow{
			RecordID: r.ID, Version: strconv.Itoa(r.Version), Category: string(f.Category), Status: string(f.Status),
			Surname: f.Surname, GivenNames: f.GivenNames, Patronymic: f.Patronymic, FullName: f.FullName,
			Latin: r.Latin().Text, LatinNames: strings.Join(f.LatinNames, "; "), Sex: string(f.Sex),
			BirthDate: f.BirthDate.String(), BirthPlace: f.BirthPlace, Rank: f.Rank, ServiceNumber: f.ServiceNumber, Unit: f.Unit,
			Power: f.Power, Citizenship: f.Citizenship, MotherMaidenName: f.MotherMaidenName,
			CaptureDate: f.CaptureDate.String(), CapturePlace: f.CapturePlace,
			IdentityNotEstablished: strconv.FormatBool(f.IdentityNotEstablished), DistinguishingMarks: f.DistinguishingMarks,
			Health: f.Health, NextOfKin: f.NextOfKin, Detrimental: strconv.FormatBool(f.Detrimental),
			DetrimentalBasis: string(f.DetrimentalBasis), DetrimentalReason: f.DetrimentalReason,
		})
		if f.Detrimental {
			t.Flagged++
		}
	}
	t.Count = len(t.Records)
	return t
}

// WriteTracing writes the export in format: CSV (UTF-8 with a BOM, comma
// separated, CRLF, the header the column codes), XLSX (one sheet
// "tracing", the header the column codes, every value text) or JSON (the
// Tracing document). Text cells of CSV and XLSX are neutralised against
// formula injection; ReadTracing undoes it.
func WriteTracing(w io.Writer, format string, t Tracing) error {
	const op = "sheet.WriteTracing"
	rows := make([][]string, len(t.Records))
	for i := range t.Records {
		row := make([]string, len(tracingColumns))
		for j, c := range tracingColumns {
			row[j] = Neutralise(*c.ptr(&t.Records[i]))
		}
		rows[i] = row
	}
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		e.SetIndent("", " ")
		if t.Records == nil {
			t.Records = []TracingRow{}
		}
		return e.Encode(t)
	case "csv":
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(TracingHeader()); err != nil {
			return err
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		return cw.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		const name = "tracing"
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": every cell is text, so no value becomes a number or a date
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		for i, r := range append([][]string{TracingHeader()}, rows...) {
			cells := make([]any, len(r))
			for j, v := range r {
				cells[j] = excelize.Cell{StyleID: text, Value: v}
			}
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		_, err = f.WriteTo(w)
		return err
	}
	return errs.E(op, errs.Invalid, fmt.Sprintf("%q is not a format of the tracing export: use csv, xlsx or json", format),
		errs.FieldError{Field: "format", Message: "use csv, xlsx or json", Code: "tracing_format", Args: []string{format}})
}

// ReadTracing reads the rows of an export written by WriteTracing, so that
// a bureau or the Agency can check a file it holds: the header must be the
// export's, and every row as long as it.
func ReadTracing(format string, data []byte) ([]TracingRow, error) {
	const op = "sheet.ReadTracing"
	bad := func(msg string) error { return errs.E(op, errs.Invalid, msg) }
	var table [][]string
	switch format {
	case "json":
		var t Tracing
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if err := d.Decode(&t); err != nil {
			return nil, bad("not a tracing export: " + err.Error())
		}
		if t.Schema != TracingSchema {
			return nil, bad(fmt.Sprintf("schema %q, want %q", t.Schema, TracingSchema))
		}
		return t.Records, nil
	case "csv":
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
		var err error
		if table, err = r.ReadAll(); err != nil {
			return nil, bad("not a CSV file: " + err.Error())
		}
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, bad("not an XLSX file: " + err.Error())
		}
		defer f.Close()
		if table, err = f.GetRows("tracing"); err != nil {
			return nil, bad("no sheet \"tracing\": " + err.Error())
		}
	default:
		return nil, bad(fmt.Sprintf("%q is not a format of the tracing export: use csv, xlsx or json", format))
	}
	if len(table) == 0 || !slices.Equal(table[0], TracingHeader()) {
		return nil, bad("the first row is not the tracing export's header")
	}
	rows := []TracingRow{}
	for i, cells := range table[1:] {
		if len(cells) > len(tracingColumns) {
			return nil, bad(fmt.Sprintf("row %d has %d cells, the header %d", i+2, len(cells), len(tracingColumns)))
		}
		var row TracingRow
		for j, v := range cells {
			*tracingColumns[j].ptr(&row) = unneutralise(v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
