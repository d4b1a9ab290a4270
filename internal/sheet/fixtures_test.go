package sheet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet/internal/fixture"
)

func readFixture(t *testing.T, name string, opt Options) *File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if opt.Kind == "" {
		opt.Kind = person.Held
	}
	opt.Now = testNow
	f, err := Read(context.Background(), name, data, opt)
	if err != nil {
		t.Fatalf("Read(context.Background(), %s): %v", name, err)
	}
	return f
}

func TestUKTitleXLSX(t *testing.T) {
	f := readFixture(t, "uk-title.xlsx", Options{})
	r := f.Report
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %+v", r.Problems)
	}
	if r.Sheet != "Полонені" || r.HeaderRow != 4 || r.Rows != 20 || len(f.Rows) != 20 {
		t.Fatalf("sheet %q header row %d rows %d read %d; want Полонені, 4, 20, 20", r.Sheet, r.HeaderRow, r.Rows, len(f.Rows))
	}
	want := map[string]string{"A": "", "B": "surname", "C": "given_names", "D": "patronymic", "E": "birth_date", "F": "rank", "G": "service_number", "H": "unit", "I": "category", "J": "capture_date", "K": "capture_place", "L": ""}
	for _, c := range r.Columns {
		if c.Field != want[c.Letter] {
			t.Errorf("column %s (%s) read as %q, want %q", c.Letter, c.Header, c.Field, want[c.Letter])
		}
	}
	if r.Columns[0].By != "ignored" || r.Columns[11].By != "note" {
		t.Errorf("running number %s, call sign %s; want ignored, note", r.Columns[0].By, r.Columns[11].By)
	}
	notes := 0
	for _, row := range f.Rows {
		if strings.HasPrefix(row.Fields.Notes, "Позивний: «Сокіл»") {
			notes++
		}
		if row.Fields.Category != person.Military && row.Fields.Category != person.Civilian && row.Fields.Category != person.SeriouslyWoundedSick {
			t.Errorf("row %d category %q", row.Row, row.Fields.Category)
		}
	}
	if notes == 0 {
		t.Error("the call-sign column was not kept in the notes")
	}
	// The second sheet by name; a missing sheet is named in the error.
	data, _ := os.ReadFile("testdata/uk-title.xlsx")
	if _, err := Read(context.Background(), "uk-title.xlsx", data, Options{Kind: person.Held, Sheet: "примітки", Now: testNow}); err == nil || !strings.Contains(err.Error(), "no header") {
		t.Errorf("second sheet: got %v, want no header", err)
	}
	if _, err := Read(context.Background(), "uk-title.xlsx", data, Options{Kind: person.Held, Sheet: "Лист9", Now: testNow}); err == nil || !strings.Contains(err.Error(), `"Полонені"`) {
		t.Errorf("missing sheet: got %v", err)
	}
}

func TestRUCP1251CSV(t *testing.T) {
	f := readFixture(t, "ru-cp1251.csv", Options{})
	r := f.Report
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %+v", r.Problems)
	}
	if r.Encoding != "windows-1251" || r.Separator != ";" || len(f.Rows) != 20 {
		t.Fatalf("encoding %q separator %q rows %d", r.Encoding, r.Separator, len(f.Rows))
	}
	for _, row := range f.Rows {
		if !strings.ContainsAny(row.Fields.Surname, "аеиоуяюыэі") {
			t.Errorf("row %d surname %q: Cyrillic lost", row.Row, row.Fields.Surname)
		}
	}
	// Named explicitly, the same; named wrongly, a clear error.
	data, _ := os.ReadFile("testdata/ru-cp1251.csv")
	if _, err := Read(context.Background(), "ru.csv", data, Options{Kind: person.Held, Encoding: "utf-8", Now: testNow}); err == nil || !strings.Contains(err.Error(), "cp1251") {
		t.Errorf("as utf-8: got %v", err)
	}
	g, err := Read(context.Background(), "ru.csv", data, Options{Kind: person.Held, Encoding: "cp1251", Now: testNow})
	if err != nil || len(g.Rows) != 20 {
		t.Errorf("as cp1251: %v", err)
	}
}

func TestPIBCSV(t *testing.T) {
	data, _ := os.ReadFile("testdata/pib.csv")
	// No category column and none given: every row says so.
	f, err := Read(context.Background(), "pib.csv", data, Options{Kind: person.Sought, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Report.Problems) != len(fixture.PIBNames) || f.Report.Problems[0].Field != "category" {
		t.Fatalf("without a category: %+v", f.Report.Problems)
	}
	f = readFixture(t, "pib.csv", Options{Kind: person.Sought, Category: person.Military})
	if len(f.Report.Problems) > 0 {
		t.Fatalf("problems: %+v", f.Report.Problems)
	}
	want := [][3]string{
		{"Шевченко", "Тарас", "Григорович"}, {"Шевченко", "Т.", "Г."}, {"Шевченко", "Т.", "Г."}, {"КОВАЛЬЧУК", "Олександр", "Миколайович"},
		{"Бондаренко-Лисенко", "Марʼяна", "Іванівна"}, {"Мельник", "Олег", "Вікторович"}, {"Ткаченко", "Д’мітро", ""}, {"Кравчук", "Ірина", ""},
	}
	for i, row := range f.Rows {
		got := [3]string{row.Fields.Surname, row.Fields.GivenNames, row.Fields.Patronymic}
		if got != want[i] {
			t.Errorf("%q split as %q, want %q", fixture.PIBNames[i], got, want[i])
		}
	}
}

func TestFiveErrors(t *testing.T) {
	f := readFixture(t, "five-errors.xlsx", Options{})
	r := f.Report
	if len(r.Problems) != len(fixture.FiveErrors) {
		t.Fatalf("got %d problems, want %d: %+v", len(r.Problems), len(fixture.FiveErrors), r.Problems)
	}
	for i, want := range fixture.FiveErrors {
		p := r.Problems[i]
		if p.Row != want.Row || !strings.HasPrefix(p.Column, want.Column+" ") || p.Code != want.Code || p.Sheet != "Sheet1" || p.Reason == "" {
			t.Errorf("problem %d: got %+v, want row %d column %s code %s", i, p, want.Row, want.Column, want.Code)
		}
	}
	if r.Rows != 30 || len(f.Rows) != 25 {
		t.Errorf("rows %d, clean rows %d; want 30, 25", r.Rows, len(f.Rows))
	}
	err := f.Err()
	if err == nil || !strings.Contains(err.Error(), "sheet Sheet1, row 5, column E (Дата народження)") {
		t.Errorf("Err() = %v", err)
	}
}
