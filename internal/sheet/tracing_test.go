package sheet_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
)

// TestTracingRoundTrip: the tracing-agency export in CSV, XLSX and JSON
// reads back to the same rows, the civilian marked detrimental among them
// and marked so, values that look like formulas or dates kept as written.
func TestTracingRoundTrip(t *testing.T) {
	at := time.Date(2026, 5, 23, 9, 14, 0, 0, time.UTC)
	recs := []person.Record{
		{ID: "r1", Version: 2, Party: "RU", Fields: person.Fields{Kind: person.Held, Category: person.Military, Surname: "Шевченко", GivenNames: "Тарас",
			Patronymic: "Григорович", BirthDate: person.Date{Year: 1994, Month: 3, Day: 9}, ServiceNumber: "=1+2", Rank: "-солдат",
			LatinNames: []string{"Shevchenko Taras", "Ševčenko"}, CaptureDate: person.Date{Year: 2025, Month: 2}, Health: "поранений,\nзагоюється",
			NextOfKin: "мати; Київ", Power: "Україна"}},
		{ID: "r2", Version: 1, Party: "RU", Fields: person.Fields{Kind: person.Held, Category: person.Civilian, Surname: "Щиглюченко", GivenNames: "Петро",
			BirthDate: person.Date{Year: 1961}, Detrimental: true, DetrimentalBasis: person.WithholdCivilian,
			DetrimentalReason: "=the family would be in danger", Unit: "0042", DistinguishingMarks: "'шрам"}},
		{ID: "s1", Version: 1, Party: "RU", Fields: person.Fields{Kind: person.Sought, Category: person.Military, Surname: "Шуканий"}},
	}
	doc := sheet.TracingOf("RU", at, recs)
	if doc.Count != 2 || doc.Flagged != 1 || doc.Schema != "handover/tracing-export/v1" {
		t.Fatalf("count %d, flagged %d, schema %q; want 2, 1 and the v1 schema", doc.Count, doc.Flagged, doc.Schema)
	}
	if r := doc.Records[1]; r.RecordID != "r2" || r.Detrimental != "true" || r.Category != "civilian" || r.BirthDate != "1961" ||
		r.DetrimentalBasis != "gc4_art137_2" || r.DetrimentalReason != "=the family would be in danger" {
		t.Fatalf("the flagged civilian exported as %+v", r)
	}
	if r := doc.Records[0]; r.Latin == "" || r.LatinNames != "Shevchenko Taras; Ševčenko" || r.CaptureDate != "2025-02" || r.Detrimental != "false" {
		t.Fatalf("the soldier exported as %+v", r)
	}
	for _, format := range sheet.TracingFormats {
		var b bytes.Buffer
		if err := sheet.WriteTracing(&b, format, doc); err != nil {
			t.Fatal(format, err)
		}
		got, err := sheet.ReadTracing(format, b.Bytes())
		if err != nil {
			t.Fatal(format, err)
		}
		if !reflect.DeepEqual(got, doc.Records) {
			t.Errorf("%s: read back\n%+v\nwant\n%+v", format, got, doc.Records)
		}
		switch format {
		case "csv":
			if !bytes.HasPrefix(b.Bytes(), []byte("\ufeffrecord_id,version,category,")) || !strings.Contains(b.String(), "'=1+2") {
				t.Errorf("csv: no BOM and header, or a formula not neutralised:\n%.300s", b.String())
			}
		case "json":
			var raw map[string]any
			if err := json.Unmarshal(b.Bytes(), &raw); err != nil || raw["schema"] != sheet.TracingSchema || raw["party"] != "RU" ||
				raw["count"] != 2.0 || raw["flagged"] != 1.0 || raw["exported_at"] != "2026-05-23T09:14:00Z" {
				t.Errorf("json document: %v %v", raw, err)
			}
		}
	}
	// An empty export is a header (an empty list in JSON) and reads back
	// to no rows.
	for _, format := range sheet.TracingFormats {
		var b bytes.Buffer
		if err := sheet.WriteTracing(&b, format, sheet.TracingOf("UA", at, nil)); err != nil {
			t.Fatal(err)
		}
		if got, err := sheet.ReadTracing(format, b.Bytes()); err != nil || len(got) != 0 {
			t.Errorf("%s: empty export read as %v, %v", format, got, err)
		}
	}
	// What is not an export is refused, saying why.
	for _, tc := range []struct{ format, data string }{
		{"csv", "\ufeffname,born\r\nA,1990\r\n"}, {"json", `{"schema":"other/v9","records":[]}`}, {"xlsx", "not a workbook"}, {"pdf", ""},
	} {
		if _, err := sheet.ReadTracing(tc.format, []byte(tc.data)); !errs.Is(errs.Invalid, err) {
			t.Errorf("%s %q: %v, want Invalid", tc.format, tc.data, err)
		}
	}
	if err := sheet.WriteTracing(&bytes.Buffer{}, "pdf", doc); !errs.Is(errs.Invalid, err) {
		t.Errorf("pdf: %v, want Invalid", err)
	}
}
