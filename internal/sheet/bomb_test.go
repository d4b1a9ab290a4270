package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// xlsxPart is one part of a workbook built by a test: its name and what
// writes its content, or raw bytes with a header of the test's own.
type xlsxPart struct {
	name  string
	write func(w io.Writer)
	raw   *zip.FileHeader // written as is with rawData: a header that may lie
	data  []byte
}

// bombXLSX builds a workbook whose sheets are written by sheets (one
// part xl/worksheets/sheetN.xml each), with the parts extra besides, all
// compressed as they stream: a part of hundreds of MiB is a few hundred
// KiB of file.
func bombXLSX(t testing.TB, sheets []func(w io.Writer), extra ...xlsxPart) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	put := func(p xlsxPart) {
		if p.raw != nil {
			w, err := z.CreateRaw(p.raw)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(p.data)
			return
		}
		w, err := z.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		p.write(w)
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	var types, list, rels strings.Builder
	for i := range sheets {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&list, `<sheet name="Лист%d" sheetId="%d" r:id="rId%d"/>`, i+1, i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	put(xlsxPart{name: "[Content_Types].xml", write: text(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types.String() + `</Types>`)})
	put(xlsxPart{name: "_rels/.rels", write: text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)})
	put(xlsxPart{name: "xl/workbook.xml", write: text(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`)})
	put(xlsxPart{name: "xl/_rels/workbook.xml.rels", write: text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`)})
	for i, s := range sheets {
		put(xlsxPart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), write: s})
	}
	for _, p := range extra {
		put(p)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
	`<row r="1"><c t="inlineStr"><is><t>Прізвище</t></is></c><c t="inlineStr"><is><t>Категорія</t></is></c></row>`

// sheetOf writes a worksheet: the header row, then body, then the end.
func sheetOf(body func(w io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, sheetHead)
		body(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}

// repeat writes s until n bytes are written.
func repeat(w io.Writer, s string, n int) {
	chunk := []byte(strings.Repeat(s, max(1, (64<<10)/len(s))))
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
}

// personRows writes n rows of a valid person each.
func personRows(n int) func(io.Writer) {
	return func(w io.Writer) {
		for i := range n {
			fmt.Fprintf(w, `<row r="%d"><c t="inlineStr"><is><t>Ковальчук</t></is></c><c t="inlineStr"><is><t>military</t></is></c></row>`, i+2)
		}
	}
}

// emptyTempDir points the temporary directory at a fresh one and returns
// a check that nothing was left in it.
func emptyTempDir(t *testing.T) func(what string) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return func(what string) {
		t.Helper()
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			t.Errorf("%s left %s in the temporary directory", what, e.Name())
		}
	}
}

// TestXLSXBombs: workbooks that unpack to far more than they weigh, or
// that hold what a streaming reader keeps whole in memory, are refused as
// a whole (errs.Invalid, naming the file and the part) before they are
// read, and leave nothing in the temporary directory. The 0.9 MB
// file unpacked to 900 MiB and ran the server to 12 GB.
func TestXLSXBombs(t *testing.T) {
	noTemp := emptyTempDir(t)
	small := Limits{MaxUnzipBytes: 8 << 20, MaxUnzipXMLBytes: 1 << 20, MaxRows: 1000}
	lying := bytes.Repeat([]byte("<row><c><v>1</v></c></row>"), 400_000) // 10 MiB
	var compressed bytes.Buffer
	fw, _ := flate.NewWriter(&compressed, flate.BestSpeed)
	fw.Write(lying)
	fw.Close()
	for _, tc := range []struct {
		name   string
		data   []byte
		lim    Limits
		code   string
		says   string
		before int64 // at most this many bytes unpacked before the refusal
	}{
		{"one cell of 32 MiB", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row r="2"><c t="inlineStr"><is><t>`)
			repeat(w, "Ковальчук", 32<<20)
			io.WriteString(w, `</t></is></c></row>`)
		})}), Limits{}, CodeCellTooLong, "xl/worksheets/sheet1.xml", 1 << 20},
		{"a tag of 32 MiB", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row r="2" x="`)
			repeat(w, "a", 32<<20)
			io.WriteString(w, `"/>`)
		})}), Limits{}, CodeCellTooLong, "row 2", 1 << 20},
		{"a row of a million cells", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row>`)
			repeat(w, `<c><v>1</v></c>`, 15<<20)
			io.WriteString(w, `</row>`)
		})}), Limits{}, CodeRowTooLarge, "16384 cells", 1 << 20},
		{"a row of 16 MiB", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row r="2">`)
			repeat(w, `<c r="A2" t="inlineStr"><is><t>`+strings.Repeat("я", 3000)+`</t></is></c>`, 16<<20)
			io.WriteString(w, `</row>`)
		})}), Limits{}, CodeRowTooLarge, "row 2", 9 << 20},
		{"a comment of 32 MiB", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<!-- `)
			repeat(w, "<a->-", 32<<20) // '<' that would split it, and near-ends
			io.WriteString(w, ` -->`)
		})}), Limits{}, CodeCellTooLong, "xl/worksheets/sheet1.xml", 1 << 20},
		{"a CDATA section of 32 MiB", bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row r="2"><c t="inlineStr"><is><t><![CDATA[`)
			repeat(w, "<a]]", 32<<20)
			io.WriteString(w, `]]></t></is></c></row>`)
		})}), Limits{}, CodeCellTooLong, "row 2", 1 << 20},
		{"a document type", bombXLSX(t, []func(io.Writer){func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet/>`)
		}}), Limits{}, CodeNotSpreadsheet, "document type", 1 << 20},
		{"rows beyond the unpacked limit", bombXLSX(t, []func(io.Writer){sheetOf(personRows(200_000))}), small, CodeUnzipTooLarge, "8388608 bytes", 0},
		{"many shared strings", bombXLSX(t, []func(io.Writer){sheetOf(personRows(10))}, xlsxPart{name: "xl/sharedStrings.xml", write: func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			repeat(w, `<si><t>a</t></si>`, 4<<20)
			io.WriteString(w, `</sst>`)
		}}), small, CodeUnzipTooLarge, "shared strings", 1 << 20},
		{"a styles part of 48 MiB", bombXLSX(t, []func(io.Writer){sheetOf(personRows(10))}, xlsxPart{name: "xl/styles.xml", write: func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
			repeat(w, `<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>`, 48<<20)
			io.WriteString(w, `</cellXfs></styleSheet>`)
		}}), Limits{}, CodeUnzipTooLarge, "xl/styles.xml", 0},
		{"a part that unpacks to more than it declares", bombXLSX(t, []func(io.Writer){sheetOf(personRows(10))}, xlsxPart{
			raw: &zip.FileHeader{Name: "xl/worksheets/sheet2.xml", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(lying),
				CompressedSize64: uint64(compressed.Len()), UncompressedSize64: 1024},
			data: compressed.Bytes()}), Limits{}, CodeNotSpreadsheet, "xl/worksheets/sheet2.xml", 128 << 10},
		{"a second sheet past the limit after a first one spilled to disk", bombXLSX(t, []func(io.Writer){
			sheetOf(personRows(30_000)), sheetOf(personRows(60_000))}), Limits{MaxUnzipBytes: 6 << 20, MaxUnzipXMLBytes: 1 << 20}, CodeUnzipTooLarge, "6291456 bytes", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim.withDefaults()
			if tc.before > 0 {
				n, err := guardXLSX(context.Background(), "bomb.xlsx", tc.data, lim)
				if err == nil {
					t.Fatalf("the guard let %d bytes through", n)
				}
				if n > tc.before {
					t.Errorf("the guard unpacked %d bytes before refusing, want at most %d", n, tc.before)
				}
			}
			f, err := Read(context.Background(), "bomb.xlsx", tc.data, Options{Kind: person.Held, Now: testNow, Limits: tc.lim})
			if err == nil {
				t.Fatalf("read a %d-byte bomb: %d rows, %d problems", len(tc.data), f.Report.Rows, len(f.Report.Problems))
			}
			fes := errs.Fields(err)
			if !errs.Is(errs.Invalid, err) || len(fes) != 1 || fes[0].Where != "bomb.xlsx" || !strings.Contains(fes[0].Message, "["+tc.code+"]") {
				t.Fatalf("got %v %+v, want an invalid error on bomb.xlsx with code %s", err, fes, tc.code)
			}
			if !strings.Contains(fes[0].Message, tc.says) {
				t.Errorf("%q does not say where: %q", fes[0].Message, tc.says)
			}
			noTemp(tc.name)
		})
	}
}

// TestXLSXWithinBounds: a workbook near the bounds, with a sheet large
// enough to spill to a temporary file, is read whole, and leaves nothing
// behind.
func TestXLSXWithinBounds(t *testing.T) {
	noTemp := emptyTempDir(t)
	data := bombXLSX(t, []func(io.Writer){sheetOf(func(w io.Writer) {
		personRows(20_000)(w)
		fmt.Fprintf(w, `<row r="20002"><c t="inlineStr"><is><t>%s</t></is></c><c t="inlineStr"><is><t>military</t></is></c></row>`, strings.Repeat("Ґ", 30)+strings.Repeat(" ", 4000))
	})}, xlsxPart{name: "xl/sharedStrings.xml", write: func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!-- a comment --><si><t>x</t></si></sst>`)
	}})
	f, err := Read(context.Background(), "big.xlsx", data, Options{Kind: person.Held, Now: testNow, Limits: Limits{MaxUnzipXMLBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Report.Persons != 20_001 || len(f.Report.Problems) != 0 {
		t.Errorf("read %d persons, %d problems, want 20001 and none: %+v", f.Report.Persons, len(f.Report.Problems), f.Report.Problems[:min(3, len(f.Report.Problems))])
	}
	noTemp("a read")
}

// countdownCtx is a context that is done after n calls of Err: a test of
// where the work checks for cancellation that does not race the clock.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestCancelStopsTheWork: a client who leaves, or the time limit, stops
// the unpacking of a workbook and the reading of its rows, and nothing is
// left behind.
func TestCancelStopsTheWork(t *testing.T) {
	noTemp := emptyTempDir(t)
	data := bombXLSX(t, []func(io.Writer){sheetOf(personRows(100_000))})

	// The guard checks between chunks of 64 KiB.
	ctx := &countdownCtx{Context: context.Background()}
	ctx.n.Store(10)
	n, err := guardXLSX(ctx, "big.xlsx", data, Limits{}.withDefaults())
	if err == nil || n > 12*(64<<10) {
		t.Errorf("cancelled after 10 checks: %v after %d bytes, want a refusal within 12 chunks", err, n)
	}

	// The rows: cancelled at the first progress report (10,000 rows), the
	// reading stops within a batch, and Read says it was stopped.
	for _, format := range []string{"xlsx", "csv"} {
		in := data
		if format == "csv" {
			in = []byte("Прізвище,Категорія\n" + strings.Repeat("Ковальчук,military\n", 100_000))
		}
		ctx, cancel := context.WithCancel(context.Background())
		var reports atomic.Int64
		var at atomic.Int64
		_, err := Read(ctx, "big."+format, in, Options{Kind: person.Held, Now: testNow, Progress: func(rows int) {
			if reports.Add(1) == 1 {
				at.Store(int64(rows))
				cancel()
			}
		}})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "stopped") {
			t.Errorf("%s: cancelled at row %d: got %v, want the read stopped", format, at.Load(), err)
		}
		if reports.Load() > 1 {
			t.Errorf("%s: the reading went on after the cancel: %d progress reports", format, reports.Load())
		}
	}

	// The time limit: an import past it is refused as too slow.
	_, err = Read(context.Background(), "big.xlsx", data, Options{Kind: person.Held, Now: testNow, Limits: Limits{MaxDuration: 1}})
	if fes := errs.Fields(err); !errs.Is(errs.Invalid, err) || len(fes) != 1 || !strings.Contains(fes[0].Message, "["+CodeTimeLimit+"]") {
		t.Errorf("past the time limit: %v, want %s", err, CodeTimeLimit)
	}
	noTemp("a cancelled read")
}

// TestXMLScan: the scanner's verdict does not depend on where the chunks
// of a part end, it finds the ends of comments, CDATA sections and
// processing instructions that nearly end twice, and it counts rows and
// cells under any namespace prefix.
func TestXMLScan(t *testing.T) {
	row := func(prefix string, cells int) string {
		return "<" + prefix + "row r=\"2\">" + strings.Repeat("<"+prefix+"c><"+prefix+"v>1</"+prefix+"v></"+prefix+"c>", cells) + "</" + prefix + "row>"
	}
	long := strings.Repeat("я", maxTokenBytes/2+1)
	for _, tc := range []struct {
		name, xml string
		sheet     bool
		code      string // "" for none
	}{
		{"comment that nearly ends", `<a><!-- x -- > -> --x ---><b/>`, true, ""},
		{"CDATA that nearly ends", `<t><![CDATA[ <x> ]] ] ]]]></t>`, true, ""},
		{"processing instruction", `<?xml version="1.0"?><?pi a > b ??><a/>`, true, ""},
		{"a row at the cell limit", row("", maxRowCells), true, ""},
		{"a row past the cell limit", row("", maxRowCells+1), true, CodeRowTooLarge},
		{"a prefixed row past the cell limit", row("x:", maxRowCells+1), true, CodeRowTooLarge},
		{"cells outside a row", strings.Repeat("<c/>", maxRowCells+1), true, ""},
		{"a text of the limit", "<t>" + strings.Repeat("a", maxTokenBytes-3) + "</t>", true, ""},
		{"a text past the limit", "<t>" + long + "</t>", true, CodeCellTooLong},
		{"a comment past the limit", "<!--" + strings.Repeat("<-", maxTokenBytes/2) + "-->", true, CodeCellTooLong},
		{"a DOCTYPE", `<!DOCTYPE x><a/>`, true, CodeNotSpreadsheet},
		{"shared strings at their limit", strings.Repeat("<si><t>a</t></si>", 100), false, ""},
		{"shared strings past their limit", strings.Repeat("<x:si><x:t>a</x:t></x:si>", 101), false, CodeUnzipTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{1, 2, 3, 7, 64, 4096, len(tc.xml)} {
				s := &xmlScan{file: "f.xlsx", part: "p.xml", sheet: tc.sheet, maxStrings: 100}
				var err error
				for i := 0; i < len(tc.xml) && err == nil; i += size {
					err = s.scan([]byte(tc.xml[i:min(i+size, len(tc.xml))]))
				}
				got := ""
				if err != nil {
					_, got = SplitCode(errs.Fields(err)[0].Message)
				}
				if got != tc.code {
					t.Fatalf("in chunks of %d: got %q (%v), want %q", size, got, err, tc.code)
				}
				if tc.code == "" && (s.term != "" || s.naming) {
					t.Fatalf("in chunks of %d: the scan ended inside a construct (term %q, naming %v)", size, s.term, s.naming)
				}
			}
		})
	}
}

// heapPeak runs fn and returns the highest heap in use (HeapInuse plus
// StackInuse, runtime.MemStats) sampled every 10 ms meanwhile, in MB.
func heapPeak(fn func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return float64(peak.Load()) / (1 << 20)
}

// BenchmarkReadBombs reads, with the default limits, workbooks that
// unpack to hundreds of MiB from a few hundred KiB, as the did,
// and reports the peak heap while each is refused (peak-heap-MB), the
// bytes the guard unpacked before refusing (unpacked-MB) and the file's
// size (file-KB). Run: go test -run '^$' -bench ReadBombs -benchtime 1x ./internal/sheet/
func BenchmarkReadBombs(b *testing.B) {
	const big = 900 << 20
	for _, bc := range []struct {
		name  string
		sheet func(w io.Writer)
		extra []xlsxPart
	}{
		{"rows-900MiB", sheetOf(func(w io.Writer) {
			repeat(w, `<row><c t="inlineStr"><is><t>Ковальчук</t></is></c><c><v>1</v></c></row>`, big)
		}), nil},
		{"rows-500MiB", sheetOf(func(w io.Writer) {
			repeat(w, `<row><c t="inlineStr"><is><t>Ковальчук</t></is></c><c><v>1</v></c></row>`, 500<<20)
		}), nil},
		{"cell-500MiB", sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row><c t="inlineStr"><is><t>`)
			repeat(w, "Ковальчук", 500<<20)
			io.WriteString(w, `</t></is></c></row>`)
		}), nil},
		{"cells-500MiB", sheetOf(func(w io.Writer) {
			io.WriteString(w, `<row>`)
			repeat(w, `<c><v>1</v></c>`, 500<<20)
			io.WriteString(w, `</row>`)
		}), nil},
		{"shared-strings-500MiB", sheetOf(personRows(10)), []xlsxPart{{name: "xl/sharedStrings.xml", write: func(w io.Writer) {
			io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			repeat(w, `<si><t>a</t></si>`, 500<<20)
			io.WriteString(w, `</sst>`)
		}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := bombXLSX(b, []func(io.Writer){bc.sheet}, bc.extra...)
			for b.Loop() {
				var n int64
				mb := heapPeak(func() {
					n, _ = guardXLSX(context.Background(), "bomb.xlsx", data, Limits{}.withDefaults())
					if _, err := Read(context.Background(), "bomb.xlsx", data, Options{Kind: person.Held, Now: testNow}); err == nil {
						b.Fatal("a bomb was read")
					}
				})
				b.ReportMetric(mb, "peak-heap-MB")
				b.ReportMetric(float64(n)/(1<<20), "unpacked-MB")
				b.ReportMetric(float64(len(data))/(1<<10), "file-KB")
			}
		})
	}
}
