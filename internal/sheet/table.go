package sheet

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteTable writes a plain table (a header row and text rows) as XLSX
// (one sheet named sheetName, the header bold and frozen) or CSV (UTF-8
// with BOM; ';' for uk and ru, ',' for en), every cell neutralised
// against formula injection: the export of what is not a register, such
// as a bureau's tracing cases.
func WriteTable(w io.Writer, format, lang, sheetName string, header []string, rows [][]string) error {
	switch format {
	case "csv":
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if lang != "en" {
			cw.Comma = ';'
		}
		cw.UseCRLF = true
		for _, r := range append([][]string{header}, rows...) {
			out := make([]string, len(r))
			for i, c := range r {
				out[i] = Neutralise(c)
			}
			if err := cw.Write(out); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", sheetName); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheetName)
		if err != nil {
			return err
		}
		bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		for i, r := range append([][]string{header}, rows...) {
			row := make([]any, len(r))
			for j, c := range r {
				if i == 0 {
					row[j] = excelize.Cell{StyleID: bold, Value: c}
				} else {
					row[j] = Neutralise(c)
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		_, err = f.WriteTo(w)
		return err
	}
	return fmt.Errorf("sheet: no table format %q (xlsx or csv)", format)
}
