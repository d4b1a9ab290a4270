package sheet

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSource streams the rows of one worksheet with excelize's Rows
// iterator, reading raw cell values (a date cell gives its serial).
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
	err  error
	name string
}

// openXLSX opens a workbook that guardXLSX has passed. excelize unpacks a
// worksheet or the shared strings larger than MaxUnzipXMLBytes into tmp,
// every other part into memory.
func openXLSX(name string, data []byte, sheet string, lim Limits, tmp string) (*xlsxSource, string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: min(lim.MaxUnzipXMLBytes, lim.MaxUnzipBytes), TmpDir: tmp,
	})
	if err != nil {
		if f != nil {
			f.Close() // excelize may have unpacked parts to tmp already
		}
		if errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) || strings.Contains(err.Error(), "unzip size") {
			return nil, "", fileError(name, CodeUnzipTooLarge, "the workbook unpacks to more than %d bytes", lim.MaxUnzipBytes)
		}
		return nil, "", fileError(name, CodeNotSpreadsheet, "the file is not a readable XLSX workbook")
	}
	list := f.GetSheetList()
	if len(list) == 0 {
		f.Close()
		return nil, "", fileError(name, CodeSheetNotFound, "the workbook has no sheets")
	}
	if sheet == "" {
		sheet = list[0]
	} else {
		found := ""
		for _, s := range list {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				found = s
			}
		}
		if found == "" {
			f.Close()
			return nil, "", fileError(name, CodeSheetNotFound, "no sheet %q: the workbook has %s", sheet, strings.Join(quoteAll(list), ", "))
		}
		sheet = found
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		if strings.Contains(err.Error(), "size") {
			return nil, "", fileError(name, CodeUnzipTooLarge, "sheet %s unpacks to more than the limit", sheet)
		}
		return nil, "", fileError(name, CodeNotSpreadsheet, "sheet %s cannot be read", sheet)
	}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil && *p.Date1904 {
		// Date serials would read four years off: refuse rather than guess.
		rows.Close()
		f.Close()
		return nil, "", fileError(name, CodeNotSpreadsheet, "the workbook uses the 1904 date system (old Excel for Mac): save it with the 1900 date system or as CSV")
	}
	return &xlsxSource{f: f, rows: rows, name: name}, sheet, nil
}

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strconv.Quote(s)
	}
	return out
}

func (x *xlsxSource) Next() (int, []string, bool) {
	if x.err != nil || !x.rows.Next() {
		if x.err == nil && x.rows.Error() != nil {
			x.err = fileError(x.name, CodeNotSpreadsheet, "the sheet cannot be read after row %d", x.n)
		}
		return 0, nil, false
	}
	x.n++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		x.err = fileError(x.name, CodeNotSpreadsheet, "row %d cannot be read", x.n)
		return 0, nil, false
	}
	return x.n, cells, true
}

func (x *xlsxSource) Err() error { return x.err }

func (x *xlsxSource) Close() error {
	x.rows.Close()
	return x.f.Close()
}
