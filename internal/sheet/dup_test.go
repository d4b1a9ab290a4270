package sheet_test

import (
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
)

// namesake is a row of Гуцул Павло Володимирович born 16.01.1987, with the
// service number, unit and rank given.
func namesake(row int, sn, unit, rank string) sheet.Row {
	return sheet.Row{Sheet: "Аркуш1", Row: row, Ref: "ref " + strings.Repeat("x", row), Fields: person.Fields{
		Kind: person.Held, Category: person.Military, Surname: "Гуцул", GivenNames: "Павло", Patronymic: "Володимирович",
		BirthDate: person.Date{Year: 1987, Month: 1, Day: 16}, ServiceNumber: sn, Unit: unit, Rank: rank}}
}

// TestPlanNamesakes: the same name and birth date with a different
// service number, unit or rank are two people and both are kept; the same
// name, birth date and service number is a duplicate, skipped and listed,
// and the report names both rows.
func TestPlanNamesakes(t *testing.T) {
	cases := []struct {
		name string
		a, b sheet.Row
		dup  bool
	}{
		{"different service numbers", namesake(2, "ЖТ-004474", "", ""), namesake(3, "ЖТ-006451", "", ""), false},
		{"different units", namesake(2, "", "А0000", ""), namesake(3, "", "А1234", ""), false},
		{"different ranks", namesake(2, "", "", "солдат"), namesake(3, "", "", "сержант"), false},
		{"same service number", namesake(2, "ЖТ-004474", "А0000", "солдат"), namesake(3, "жт 004474", "А0000", "солдат"), true},
		{"same name and birth date, nothing else known", namesake(2, "", "", ""), namesake(3, "", "", ""), true},
		{"one row without a service number", namesake(2, "ЖТ-004474", "", ""), namesake(3, "", "", ""), true},
		{"same service number, birth year only", namesake(2, "ЖТ-004474", "", ""), func() sheet.Row {
			r := namesake(3, "ЖТ-004474", "", "")
			r.Fields.BirthDate = person.Date{Year: 1987}
			return r
		}(), true},
		{"same service number, other birth date", namesake(2, "ЖТ-004474", "", ""), func() sheet.Row {
			r := namesake(3, "ЖТ-004474", "", "")
			r.Fields.Surname, r.Fields.BirthDate = "Бондаренко", person.Date{Year: 1990, Month: 5, Day: 2}
			return r
		}(), false},
	}
	for _, tc := range cases {
		for _, keep := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				f := &sheet.File{Rows: []sheet.Row{tc.a, tc.b}}
				rows := f.Plan(nil, keep)
				if !tc.dup {
					if len(rows) != 2 || len(f.Report.Duplicates) != 0 || f.Report.Skipped != 0 {
						t.Fatalf("kept %d rows, duplicates %+v, want both kept and none listed", len(rows), f.Report.Duplicates)
					}
					return
				}
				if len(f.Report.Duplicates) != 1 {
					t.Fatalf("duplicates %+v, want one", f.Report.Duplicates)
				}
				d := f.Report.Duplicates[0]
				if d.Row != 3 || d.Code != sheet.CodeDuplicateInFile || d.Of != "row 2" || d.OfRow != 2 {
					t.Errorf("duplicate %+v, want row 3 of row 2", d)
				}
				for _, s := range []string{d.Person, d.OfPerson} {
					if !strings.Contains(s, "Гуцул Павло Володимирович") || !strings.Contains(s, "1987") {
						t.Errorf("duplicate names %q, want the name and birth date of each row", s)
					}
				}
				if keep {
					if len(rows) != 2 || f.Report.Skipped != 0 || d.Action != "keep" {
						t.Errorf("keep: %d rows, %d skipped, action %s", len(rows), f.Report.Skipped, d.Action)
					}
				} else if len(rows) != 1 || f.Report.Skipped != 1 || rows[0].Row != 2 || d.Action != "skip" {
					t.Errorf("skip: rows %v, %d skipped, action %s", rows, f.Report.Skipped, d.Action)
				}
			})
		}
	}
}

// TestPlanNamesakeInRegister: a row whose namesake is in the register with
// another service number is a new person; with the same one, a duplicate
// naming the record.
func TestPlanNamesakeInRegister(t *testing.T) {
	ix := sheet.NewIndex()
	old := namesake(0, "ЖТ-004474", "", "")
	ix.Add("rec-1", &old.Fields, "")
	f := &sheet.File{Rows: []sheet.Row{namesake(2, "ЖТ-006451", "", ""), namesake(3, "ЖТ-004474", "", "")}}
	rows := f.Plan(ix, false)
	if len(rows) != 1 || rows[0].Row != 2 {
		t.Fatalf("rows %v, want row 2 only", rows)
	}
	d := f.Report.Duplicates
	if len(d) != 1 || d[0].Row != 3 || d[0].Code != sheet.CodeDuplicateRegister || d[0].Of != "rec-1" ||
		!strings.Contains(d[0].OfPerson, "ЖТ-004474") || !strings.Contains(d[0].Person, "ЖТ-004474") {
		t.Errorf("duplicates %+v, want row 3 of rec-1, both described", d)
	}
}
