package web_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// cellBomb is a workbook of a few hundred KiB whose one cell unpacks to
// size bytes.
func cellBomb(t *testing.T, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	} {
		w, _ := z.Create(p[0])
		io.WriteString(w, p[1])
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>Прізвище</t></is></c></row><row r="2"><c t="inlineStr"><is><t>`)
	chunk := []byte(strings.Repeat("Ковальчук", 8000))
	for n := 0; n < size; n += len(chunk) {
		w.Write(chunk)
	}
	io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
	z.Close()
	return b.Bytes()
}

// TestImportBomb: a workbook that unpacks to far more than it weighs is
// refused through the API and the import page with a clear error that
// names the file and the part, and leaves no temporary file.
func TestImportBomb(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	bomb := cellBomb(t, 64<<20)
	st, b := e.upload("ua-reg", importForm("UA", "held"), "bomb.xlsx", bomb)
	var ae apiError
	json.Unmarshal(b, &ae)
	if st != 400 || ae.Error.Kind != "invalid" || len(ae.Error.Fields) != 1 || ae.Error.Fields[0].Where != "bomb.xlsx" ||
		!strings.Contains(ae.Error.Fields[0].Message, "xl/worksheets/sheet1.xml") || !strings.Contains(ae.Error.Fields[0].Message, sheet.CodeCellTooLong) {
		t.Errorf("API: %d %s, want 400 naming bomb.xlsx, the part and %s", st, b, sheet.CodeCellTooLong)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "held")
	fw, _ := mw.CreateFormFile("file", "bomb.xlsx")
	fw.Write(bomb)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: e.session("ua-reg")})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "The cell is longer than allowed.") {
		t.Errorf("page: %d, want 422 with the refusal translated", resp.StatusCode)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("the refused imports left %d files in the temporary directory", len(ents))
	}
	if n := countRecords(t, e, "ua-reg", "kind=held"); n != 0 {
		t.Errorf("%d records stored from a bomb", n)
	}
}

// TestImportTimeLimit: an import past the time limit is refused as such
// (400, time_limit, "split the file"), not as a server error, and stores
// nothing.
func TestImportTimeLimit(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	e.srv.SetSheetLimits(sheet.Limits{MaxDuration: time.Nanosecond})
	st, b := e.upload("ua-reg", importForm("UA", "held"), "slow.csv", matrixCSV)
	if st != 400 || !strings.Contains(string(b), "["+sheet.CodeTimeLimit+"]") || !strings.Contains(string(b), "split the file") {
		t.Errorf("past the time limit: %d %s", st, b)
	}
	if n := countRecords(t, e, "ua-reg", "kind=held"); n != 0 {
		t.Errorf("%d records stored past the time limit", n)
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the time limit was logged as an internal error: %s", e.logs)
	}
}

// TestImportStopsWhenTheClientLeaves: a client that goes away once it has
// sent a large file stops the import: the handler ends without storing,
// and answers as a refusal, not as a server error.
func TestImportStopsWhenTheClientLeaves(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	var mu sync.Mutex
	status := 0
	finished := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, r)
		mu.Lock()
		status = rec.Code
		mu.Unlock()
		close(finished)
	}))
	defer ts.Close()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "held")
	fw, _ := mw.CreateFormFile("file", "large.csv")
	io.WriteString(fw, "Прізвище,Ім'я,Категорія\n")
	for range 100_000 {
		io.WriteString(fw, "Ковальчук,Олександр,military\n")
	}
	mw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/v1/imports", &leaveAtEOF{r: &body, leave: cancel})
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens["ua-reg"])
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the request was answered (%d) before the client left", resp.StatusCode)
	}
	select {
	case <-finished:
	case <-time.After(2 * time.Minute):
		t.Fatal("the import went on for two minutes after the client left")
	}
	mu.Lock()
	defer mu.Unlock()
	if status != 400 {
		t.Errorf("the handler answered %d, want the refusal 400 of a stopped import", status)
	}
	if n := countRecords(t, e, "ua-reg", "kind=held"); n != 0 {
		t.Errorf("%d records stored after the client left", n)
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("a client leaving was logged as an internal error: %s", e.logs)
	}
}

// leaveAtEOF is a request body whose client leaves as it sends the last
// byte.
type leaveAtEOF struct {
	r     io.Reader
	leave func()
}

func (l *leaveAtEOF) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err == io.EOF {
		l.leave()
	}
	return n, err
}
