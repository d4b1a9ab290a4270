package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestTracingExportAPI: RU's bureau holds a soldier and a civilian it
// withholds as detrimental to transmit (GC IV Art. 137(2)). Its export
// for the Central Tracing Agency, in CSV, XLSX and JSON, holds both, the
// civilian marked detrimental, and reads back to the same rows; each
// export is a bureau.exported leaf with the file's SHA-256, listed with
// its count, and the audit passes (env.audit). UA may not export RU's
// register, nor list its exports, and no route of the server shows the
// civilian to UA's users.
func TestTracingExportAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ru := heldBodies("RU", 2)
		ru[1]["category"], ru[1]["status"], ru[1]["detrimental"] = "civilian", "detained_civilian", true
		ru[1]["detrimental_basis"], ru[1]["detrimental_reason"] = "gc4_art137_2", "the family would be in danger"
		ru[1]["surname"], ru[1]["service_number"] = canaryA, canaryANumber
		ids := make([]string, len(ru))
		for i, b := range ru {
			var rec struct{ ID string }
			e.must("ru-reg", "POST", "/api/v1/records", b, &rec, 201)
			ids[i] = rec.ID
		}
		e.must("ua-reg", "POST", "/api/v1/records", heldBody("", "Український"), nil, 201)

		var want []sheet.TracingRow
		for _, format := range sheet.TracingFormats {
			size, _ := db.LogSize(ctx)
			st, data := e.do("ru-reg", "GET", "/api/v1/tracing-export?format="+format, nil)
			if st != 200 {
				t.Fatalf("%s: %d %s", format, st, data)
			}
			rows, err := sheet.ReadTracing(format, data)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if len(rows) != 2 || rows[0].RecordID != ids[0] || rows[1].RecordID != ids[1] || rows[1].Surname != canaryA ||
				rows[1].Detrimental != "true" || rows[1].Category != "civilian" || rows[0].Detrimental != "false" ||
				rows[1].DetrimentalBasis != "gc4_art137_2" || rows[1].DetrimentalReason != "the family would be in danger" || rows[0].DetrimentalBasis != "" {
				t.Fatalf("%s: exported %+v", format, rows)
			}
			if want == nil {
				want = rows
			} else if !slices.Equal(rows, want) {
				t.Errorf("%s reads back to\n%+v\nnot the rows of csv\n%+v", format, rows, want)
			}
			// One leaf, bureau.exported, about RU's exports.
			if after, _ := db.LogSize(ctx); after != size+1 {
				t.Fatalf("%s: the log grew by %d leaves, want 1", format, after-size)
			}
			raw, err := db.Leaf(ctx, size)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := audit.DecodeLeaf(raw)
			if err != nil || leaf.Type != "bureau.exported" || leaf.Subject != "tracing-export:RU" {
				t.Errorf("%s: leaf %s, %v", format, raw, err)
			}
			var list api.TracingExports
			e.must("ru-reg", "GET", "/api/v1/tracing-exports", nil, &list, 200)
			sum := sha256.Sum256(data)
			if x := list.Exports[0]; x.SHA256 != hex.EncodeToString(sum[:]) || x.Format != format || x.Count != 2 || x.Flagged != 1 ||
				x.Size != len(data) || x.By != "ru-reg" || x.Schema != sheet.TracingSchema {
				t.Errorf("%s: logged %+v", format, x)
			}
			if format == "json" {
				// The document's keys are those openapi.json documents.
				var doc struct {
					Schema  string           `json:"schema"`
					Records []map[string]any `json:"records"`
				}
				json.Unmarshal(data, &doc)
				var spec struct {
					Components struct {
						Schemas map[string]struct {
							Properties struct {
								Records struct {
									Items struct {
										Required []string `json:"required"`
									} `json:"items"`
								} `json:"records"`
							} `json:"properties"`
						} `json:"schemas"`
					} `json:"components"`
				}
				_, b := e.do("", "GET", "/api/v1/openapi.json", nil)
				json.Unmarshal(b, &spec)
				keys := slices.Sorted(func(yield func(string) bool) {
					for k := range doc.Records[0] {
						if !yield(k) {
							return
						}
					}
				})
				documented := slices.Sorted(slices.Values(spec.Components.Schemas["TracingExportDocument"].Properties.Records.Items.Required))
				if doc.Schema != "handover/tracing-export/v1" || !slices.Equal(keys, documented) {
					t.Errorf("schema %q, keys %v; openapi.json documents %v", doc.Schema, keys, documented)
				}
			}
		}
		var list api.TracingExports
		e.must("op", "GET", "/api/v1/tracing-exports?party=RU", nil, &list, 200)
		if len(list.Exports) != 3 || list.Exports[0].Format != "json" || list.Exports[2].Format != "csv" {
			t.Errorf("RU's exports, newest first: %+v", list.Exports)
		}
		// The mediator's operator exports RU's register, sealed fields
		// left out; an unknown format is refused, saying so.
		if st, b := e.do("op", "GET", "/api/v1/tracing-export?party=RU&format=csv", nil); st != 200 || !strings.Contains(string(b), canaryA) {
			t.Errorf("the operator's export: %d %.200s", st, b)
		}
		if st, b := e.do("ru-reg", "GET", "/api/v1/tracing-export?format=pdf", nil); st != 400 || !strings.Contains(string(b), "tracing_format") {
			t.Errorf("format pdf: %d %s", st, b)
		}
		// UA's bureau may neither export RU's register nor see its exports;
		// its own export holds none of RU's persons.
		for _, path := range []string{"/api/v1/tracing-export?party=RU&format=csv", "/api/v1/tracing-exports?party=RU"} {
			if st, b := e.do("ua-reg", "GET", path, nil); st != 403 {
				t.Errorf("UA: %s: %d %s", path, st, b)
			}
		}
		if st, b := e.do("ua-reg", "GET", "/api/v1/tracing-export?format=csv", nil); st != 200 || strings.Contains(string(b), canaryA) || !strings.Contains(string(b), "Український") {
			t.Errorf("UA's own export: %d %s", st, b)
		}
		// The bureau's export page offers the download and lists the
		// exports; the link downloads the same file, logged once more.
		ruSession := e.sessionUK("ru-reg")
		st, page, _ := e.get(ruSession, "/export")
		if p := string(page); st != 200 || !strings.Contains(p, `href="/tracing-export/file?party=RU&format=xlsx"`) ||
			!strings.Contains(p, "Для Центрального агентства з розшуку") || !strings.Contains(p, list.Exports[0].SHA256) {
			t.Errorf("RU's export page (%d) lacks the tracing export or its log:\n%s", st, p)
		}
		st, file, h := e.get(ruSession, "/tracing-export/file?party=RU&format=csv")
		if rows, err := sheet.ReadTracing("csv", file); st != 200 || err != nil || len(rows) != 2 || !strings.Contains(h.Get("Content-Disposition"), "tracing-RU-") {
			t.Errorf("the page's download: %d %v %v %s", st, err, h, file)
		}
		st, page, _ = e.get(e.sessionUK("ua-reg"), "/export")
		if p := string(page); st != 200 || strings.Contains(p, "party=RU&format") || !strings.Contains(p, "party=UA&format=csv") {
			t.Errorf("UA's export page (%d) offers RU's register, or not its own:\n%s", st, p)
		}

		// No route shows the withheld civilian to UA's users.
		c := &crawler{e: e, values: map[string][]string{
			"id": {ids[0], ids[1], "999999"}, "n": {"1"}, "party": {"RU", "UA"}, "kind": {"offer", "request"}, "login": {"ru-reg"},
			"name": {"no-such-key"}, "size": {"1"}, "path": {"app.css"},
		}, variants: []string{"", "?format=csv&party=RU", "?format=xlsx&party=RU&kind=held", "?format=json&party=RU",
			"?q=" + canaryA + "&party=RU&kind=held"}}
		for _, login := range []string{"ua-reg", "ua-appr"} {
			if ok := c.crawl(t, login); ok < 40 {
				t.Errorf("as %s only %d responses were 200: is the crawler reaching the data?", login, ok)
			}
		}
	})
}
