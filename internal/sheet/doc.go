// Package sheet reads and writes the lists registrars keep: XLSX workbooks
// and CSV files, one row per person, with headers in Ukrainian, Russian or
// English as people write them. It is an adapter between files and
// person.Fields: it knows spreadsheets, encodings and date forms, and
// nothing of storage or HTTP.
//
// Reading is all or nothing by design (DESIGN.md §4.7): Read parses a whole
// file into rows and a Report that lists every problem with its sheet, row,
// column, value, reason and a stable code. A caller stores the rows only
// when the report has no problems, in one transaction. Plan marks rows that
// duplicate each other, the existing register, or an earlier import of the
// same file (by provenance: the file's SHA-256, sheet and row).
//
// Writing (NewWriter) produces XLSX, CSV (UTF-8 with BOM) or JSON whose
// headers and HXL hashtags the reader understands again, so that export
// followed by import gives the same records.
//
// See docs/design/sheets.md for the header vocabulary, the date forms, the
// mapping file, the limits and the problem codes.
package sheet
