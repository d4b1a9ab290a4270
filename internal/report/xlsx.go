package report

import (
	"io"
	"sort"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// countHeads are the count columns of every report table, in order, as
// the keys of their headers ("xlsx.col.<head>").
var countHeads = []string{"planned", "handed_over", "refused", "not_presented", "substituted", "unlisted", "flagged", "mismatch", "outstanding", "left", "reserves_left", "held", "pending", "disputed"}

// XLSX writes an exchange report as a workbook in lang (English when it
// is none of locale.Langs): "Stages" (one line per stage, side and
// category, and the side's total), "Exchange" (the totals per side and
// category over all stages), "Parts" (each part's parity per stage and
// side, when the terms have parts) and "Discrepancies"; sheet names,
// headers, stage states, categories, rules and kinds in words of the
// language, counts as numbers.
func XLSX(w io.Writer, x Exchange, lang string) error {
	const op = "report.XLSX"
	if !locale.Valid(lang) {
		lang = "en"
	}
	tr := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	sheetStages, sheetExchange, sheetParts, sheetDisc := tr("xlsx.sheet.stages"), tr("xlsx.sheet.exchange"), tr("xlsx.sheet.parts"), tr("xlsx.sheet.discrepancies")
	cat := func(c person.Category) string { return word(lang, "value.", string(c)) }
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	put := func(sheet string, row int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		f.SetSheetRow(sheet, cell, &vals)
	}
	head := func(sheet string, vals ...any) {
		put(sheet, 1, vals...)
		end, _ := excelize.CoordinatesToCellName(len(vals), 1)
		f.SetCellStyle(sheet, "A1", end, bold)
		f.SetPanes(sheet, &excelize.Panes{Freeze: true, Split: false, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if err := f.SetSheetName("Sheet1", sheetStages); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	cols := []any{tr("xlsx.col.stage"), tr("xlsx.col.state"), tr("xlsx.col.parity"), tr("xlsx.col.side"), tr("xlsx.col.category")}
	for _, h := range countHeads {
		cols = append(cols, tr("xlsx.col."+h))
	}
	total := tr("xlsx.total")
	head(sheetStages, cols...)
	row := 2
	for _, st := range x.Stages {
		state := word(lang, "stage.", st.State)
		for _, side := range sortedSides(st.Sides) {
			sr := st.Sides[side]
			for _, c := range sortedCats(sr.ByCategory) {
				put(sheetStages, row, append([]any{st.Stage, state, st.Parity, side, cat(c)}, countRow(sr.ByCategory[c])...)...)
				row++
			}
			put(sheetStages, row, append([]any{st.Stage, state, st.Parity, side, total}, countRow(sr.Total)...)...)
			row++
		}
	}
	if _, err := f.NewSheet(sheetExchange); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	head(sheetExchange, append([]any{tr("xlsx.col.side"), tr("xlsx.col.category")}, cols[5:]...)...)
	row = 2
	for _, side := range sortedSides(x.Total) {
		for _, c := range sortedCats(x.ByCategory[side]) {
			put(sheetExchange, row, append([]any{side, cat(c)}, countRow(x.ByCategory[side][c])...)...)
			row++
		}
		put(sheetExchange, row, append([]any{side, total}, countRow(x.Total[side])...)...)
		row++
	}
	put(sheetExchange, row+1, tr("xlsx.agreement"), tr("xlsx.version", x.Exchange, x.AgreementVersion), x.AgreementHash)
	if len(x.Parts) > 0 {
		// Parity per part of the terms, stage by stage.
		if _, err := f.NewSheet(sheetParts); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		head(sheetParts, append([]any{tr("xlsx.col.stage"), tr("xlsx.col.part"), tr("xlsx.col.rule"), tr("xlsx.col.parity"), tr("xlsx.col.side")}, cols[5:]...)...)
		row = 2
		for _, st := range x.Stages {
			for _, p := range st.Parts {
				for _, side := range sortedSides(p.Sides) {
					put(sheetParts, row, append([]any{st.Stage, p.ID, word(lang, "parity.rule.", p.Rule), p.Parity, side}, countRow(p.Sides[side])...)...)
					row++
				}
			}
		}
	}
	if _, err := f.NewSheet(sheetDisc); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	head(sheetDisc, tr("xlsx.col.stage"), tr("xlsx.col.side"), tr("xlsx.col.kind"), tr("xlsx.col.record"), tr("xlsx.col.text"))
	for i, d := range x.Discrepancies {
		put(sheetDisc, i+2, d.Stage, d.Side, word(lang, "flag.", d.Kind), d.RecordID, d.Text)
	}
	if _, err := f.WriteTo(w); err != nil {
		return errs.E(op, errs.Internal, "cannot write the workbook", err)
	}
	return nil
}

func countRow(c crossing.Counts) []any {
	return []any{c.Planned, c.HandedOver, c.Refused, c.NotPresented, c.Substituted, c.Unlisted, c.Flagged, c.Mismatch, c.Outstanding, c.Left, c.ReservesLeft, c.Held, c.Pending, c.Disputed}
}

func sortedSides[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedCats[V any](m map[person.Category]V) []person.Category {
	out := make([]person.Category, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
