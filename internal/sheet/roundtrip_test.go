package sheet

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/synth"
)

var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// awkward are values that break naive spreadsheets: apostrophes of every
// kind, hyphenated surnames, empty optional fields, partial dates, formula
// look-alikes, several lines of notes.
func awkward() []person.Fields {
	return []person.Fields{
		{Kind: person.Held, Category: person.Military, Surname: "Вʼюн", GivenNames: "Мар'ян", Patronymic: "Пилипович", BirthDate: person.Date{Year: 1990}},
		{Kind: person.Held, Category: person.Military, Surname: "Дʼячук-Сорока", GivenNames: "Ілля", BirthDate: person.Date{Year: 1987, Month: 3}, ServiceNumber: "А-123456"},
		{Kind: person.Held, Category: person.Civilian, Surname: "Сем’янів", GivenNames: "Олена", Sex: person.Female, BirthDate: person.Date{Year: 1975, Month: 12, Day: 31},
			Notes: "=HYPERLINK(\"http://x\")\nдругий рядок", Status: person.StatusDetainedCivilian, BirthPlace: "Бахмут",
			Detrimental: true, DetrimentalBasis: person.WithholdCivilian, DetrimentalReason: "родина під загрозою;\nдругий рядок"},
		{Kind: person.Held, Category: person.SeriouslyWoundedSick, Surname: "Ковальчук", GivenNames: "Олександр", Patronymic: "Миколайович", Rank: "-", Unit: "в/ч А0224",
			LatinNames: []string{"Kovalchuk Oleksandr", "Kovalchuk Aleksandr"}, Status: person.StatusPOW, Health: "+ поранення", NextOfKin: "@мати", CaptureDate: person.Date{Year: 2023, Month: 5, Day: 2}},
		{Kind: person.Held, Category: person.Military, IdentityNotEstablished: true, DistinguishingMarks: "татуювання на лівому передпліччі"},
		{Kind: person.Held, Category: person.Military, FullName: "Шевченко Т.Г.", BirthDate: person.Date{Year: 1994, Month: 3, Day: 9}, Citizenship: "Україна", Power: "Україна"},
	}
}

func TestRoundTrip(t *testing.T) {
	g := synth.New(synth.Config{Seed: 7, Ref: testNow})
	recs := append(awkward(), g.Records("UA", person.Held, 400)...)
	for i := range recs {
		recs[i].Normalize()
		if err := recs[i].Validate(testNow); err != nil {
			t.Fatalf("fixture record %d invalid: %v", i, err)
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		for _, lang := range Languages {
			t.Run(format+"-"+lang, func(t *testing.T) {
				var buf bytes.Buffer
				w, err := NewWriter(&buf, format, lang)
				if err != nil {
					t.Fatal(err)
				}
				for i := range recs {
					if err := w.Write(&person.Record{Fields: recs[i]}); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				f, err := Read(context.Background(), "export."+format, buf.Bytes(), Options{Kind: person.Held, Now: testNow})
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Report.Problems) > 0 {
					t.Fatalf("problems: %+v", f.Report.Problems[:min(5, len(f.Report.Problems))])
				}
				if len(f.Rows) != len(recs) {
					t.Fatalf("read %d rows, want %d", len(f.Rows), len(recs))
				}
				for i, row := range f.Rows {
					if !reflect.DeepEqual(row.Fields, recs[i]) {
						t.Errorf("record %d:\n got %s\nwant %s", i, show(row.Fields), show(recs[i]))
					}
				}
				if f.Report.HXLRow != 2 || f.Report.HeaderRow != 1 {
					t.Errorf("header row %d, HXL row %d; want 1 and 2", f.Report.HeaderRow, f.Report.HXLRow)
				}
			})
		}
	}
}

func show(f person.Fields) string { return fmt.Sprintf("%+v", f) }
