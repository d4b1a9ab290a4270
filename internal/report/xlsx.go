package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// countHeads are the count columns of every report table, in order.
var countHeads = []string{"planned", "handed over", "refused", "not presented", "substituted", "unlisted", "flagged", "identity mismatch", "outstanding", "left to balance", "reserves left", "held back (record corrected after signing)", "one side only", "records disagree"}

// XLSX writes an exchange report as a workbook: "Stages" (one line per
// stage, side and category, and the side's total), "Exchange" (the totals
// per side and category over all stages), "Parts" (each part's parity per
// stage and side, when the terms have parts) and "Discrepancies".
func XLSX(w io.Writer, x Exchange) error {
	const op = "report.XLSX"
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
	if err := f.SetSheetName("Sheet1", "Stages"); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	cols := []any{"stage", "state", "parity", "side", "category"}
	for _, h := range countHeads {
		cols = append(cols, h)
	}
	head("Stages", cols...)
	row := 2
	for _, st := range x.Stages {
		for _, side := range sortedSides(st.Sides) {
			sr := st.Sides[side]
			for _, c := range sortedCats(sr.ByCategory) {
				put("Stages", row, append([]any{st.Stage, st.State, st.Parity, side, string(c)}, countRow(sr.ByCategory[c])...)...)
				row++
			}
			put("Stages", row, append([]any{st.Stage, st.State, st.Parity, side, "total"}, countRow(sr.Total)...)...)
			row++
		}
	}
	if _, err := f.NewSheet("Exchange"); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	head("Exchange", append([]any{"side", "category"}, cols[5:]...)...)
	row = 2
	for _, side := range sortedSides(x.Total) {
		for _, c := range sortedCats(x.ByCategory[side]) {
			put("Exchange", row, append([]any{side, string(c)}, countRow(x.ByCategory[side][c])...)...)
			row++
		}
		put("Exchange", row, append([]any{side, "total"}, countRow(x.Total[side])...)...)
		row++
	}
	put("Exchange", row+1, "agreement", fmt.Sprintf("%s v%d", x.Exchange, x.AgreementVersion), x.AgreementHash)
	if len(x.Parts) > 0 {
		// Parity per part of the terms, stage by stage.
		if _, err := f.NewSheet("Parts"); err != nil {
			return errs.E(op, errs.Internal, err)
		}
		head("Parts", append([]any{"stage", "part", "rule", "parity", "side"}, cols[5:]...)...)
		row = 2
		for _, st := range x.Stages {
			for _, p := range st.Parts {
				for _, side := range sortedSides(p.Sides) {
					put("Parts", row, append([]any{st.Stage, p.ID, p.Rule, p.Parity, side}, countRow(p.Sides[side])...)...)
					row++
				}
			}
		}
	}
	if _, err := f.NewSheet("Discrepancies"); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	head("Discrepancies", "stage", "side", "kind", "record", "text")
	for i, d := range x.Discrepancies {
		put("Discrepancies", i+2, d.Stage, d.Side, d.Kind, d.RecordID, d.Text)
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
