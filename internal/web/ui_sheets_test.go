package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// pageUpload posts the import form as multipart with a session cookie.
func (e *env) pageUpload(cookie string, fields map[string]string, name string, file []byte) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	st := resp.StatusCode
	if st == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		st = http.StatusUnauthorized
	}
	return st, string(b)
}

var (
	uploadIDRE = regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`)
	uploadSHA  = regexp.MustCompile(`name="sha256" value="([0-9a-f]+)"`)
	errorsCSV  = regexp.MustCompile(`href="/import/([0-9a-f]+)/errors.csv"`)
)

// uiImportID uploads file into target's register as the holder of cookie
// and returns the preview's upload id ("" when refused): the confirm
// form's, or the error list's when the file has errors.
func (e *env) uiImportID(cookie, target string, file []byte) (id, sha string) {
	e.t.Helper()
	_, body := e.pageUpload(cookie, map[string]string{"party": target, "kind": "held"}, "matrix.csv", file)
	if m := uploadIDRE.FindStringSubmatch(body); m != nil {
		id = m[1]
	} else if m := errorsCSV.FindStringSubmatch(body); m != nil {
		id = m[1]
	}
	if m := uploadSHA.FindStringSubmatch(body); m != nil {
		sha = m[1]
	}
	return id, sha
}

// get fetches a page or file with a session cookie, returning the headers.
func (e *env) get(cookie, path string) (int, []byte, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// registerNames returns the display names in a register, as its owner's
// registrar reads them.
func registerNames(t *testing.T, db *sqlstore.DB, login, party string, kind person.Kind) []string {
	t.Helper()
	u, err := db.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.Records(context.Background(), u.Scope(), sqlstore.RecordFilter{Party: party, Kind: kind, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range page.Records {
		out = append(out, r.DisplayName())
	}
	return out
}

// TestPagesImportExport: a registrar uploads a CSV with two bad rows, sees
// both errors in Ukrainian with their rows, cannot confirm it, uploads the
// fixed file, confirms it and finds the records in the register; exports
// the register as CSV and XLSX; the other party's registrar can neither
// import into nor export it.
func TestPagesImportExport(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ua := e.session("ua-reg")
		if st, _, _ := e.page(ua, "POST", "/lang", url.Values{"lang": {"uk"}, "next": {"/import"}}); st != http.StatusSeeOther {
			t.Fatalf("language: %d", st)
		}
		st, body, _ := e.page(ua, "GET", "/import", nil)
		if st != 200 || !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, "Імпорт списку") {
			t.Fatalf("import form: %d\n%s", st, body)
		}

		// A file with two bad rows: both errors, in Ukrainian, by row.
		bad := readTestdata(t, "import-errors.csv")
		st, body = e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held", "encoding": "auto", "duplicates": "skip"}, "список.csv", bad)
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("upload with errors: %d\n%s", st, body)
		}
		errRows := regexp.MustCompile(`(?s)<tr>\s*<td>CSV</td><td class="num">(\d+)</td><td>([^<]*)</td><td><code>([^<]*)</code></td>\s*<td>([^<]*)`).FindAllStringSubmatch(body, -1)
		if len(errRows) != 2 {
			t.Fatalf("want 2 error rows, got %d:\n%s", len(errRows), body)
		}
		want := [][3]string{{"4", "31.02.1991", "Такої дати не існує"}, {"6", "генерал", "Не категорія"}}
		for i, w := range want {
			got := errRows[i]
			if got[1] != w[0] || got[3] != w[1] || !strings.HasPrefix(got[4], w[2]) {
				t.Errorf("error %d: row %s column %s value %q: %q; want row %s, value %q, %q…", i, got[1], got[2], got[3], got[4], w[0], w[1], w[2])
			}
		}
		if !strings.Contains(body, "У цьому файлі є помилки") || strings.Contains(body, `id="confirm-import"`) {
			t.Errorf("a preview with errors must say so and offer no confirmation")
		}
		id := errorsCSV.FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no link to the error list")
		}
		// The whole error list as CSV, in Ukrainian.
		st, b, h := e.get(ua, "/import/"+id[1]+"/errors.csv")
		_, params, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
		if st != 200 || params["filename"] != "список-errors.csv" || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("errors.csv: %d %v %q", st, h, b)
		}
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil || len(recs) != 3 || recs[0][1] != "Рядок" || recs[1][1] != "4" || recs[1][6] != "date_impossible" || recs[2][1] != "6" || !strings.HasPrefix(recs[2][5], "Не категорія") {
			t.Fatalf("errors.csv: %v %q", err, recs)
		}
		// Confirming the file with errors is refused; nothing is stored.
		st, body, _ = e.page(ua, "POST", "/import/confirm", url.Values{"upload": {id[1]}, "sha256": {sha256hex(bad)}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "У цьому файлі є помилки") {
			t.Fatalf("confirm with errors: %d\n%s", st, body)
		}
		if n := registerNames(t, db, "ua-reg", "UA", person.Held); len(n) != 0 {
			t.Fatalf("the register holds %v after a refused import", n)
		}

		// The fixed file: a preview of four new records, then the import.
		fixed := readTestdata(t, "import-fixed.csv")
		st, body = e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held"}, "список.csv", fixed)
		if st != 200 || !strings.Contains(body, `id="confirm-import"`) || !strings.Contains(body, "Бондаренко Іван Петрович") || !strings.Contains(body, "28.02.1991") {
			t.Fatalf("preview of the fixed file: %d\n%s", st, body)
		}
		if got := regexp.MustCompile(`id="count-new">(\d+)<`).FindStringSubmatch(body); got == nil || got[1] != "4" {
			t.Errorf("new records in the preview: %v", got)
		}
		upID, sha := uploadIDRE.FindStringSubmatch(body)[1], uploadSHA.FindStringSubmatch(body)[1]
		if sha != sha256hex(fixed) {
			t.Errorf("the preview carries sha %s, the file is %s", sha, sha256hex(fixed))
		}
		// Nothing stored by the preview.
		if n := registerNames(t, db, "ua-reg", "UA", person.Held); len(n) != 0 {
			t.Fatalf("the preview stored %v", n)
		}
		// Another session of the same user, the other party's registrar and
		// a different file's hash cannot confirm it.
		if st, _, _ := e.page(e.session("ua-reg"), "POST", "/import/confirm", url.Values{"upload": {upID}, "sha256": {sha}}); st != http.StatusNotFound {
			t.Errorf("confirm from another session: %d", st)
		}
		if st, _, _ := e.page(e.session("ru-reg"), "POST", "/import/confirm", url.Values{"upload": {upID}, "sha256": {sha}}); st != http.StatusNotFound {
			t.Errorf("confirm by ru-reg: %d", st)
		}
		if st, _, _ := e.page(ua, "POST", "/import/confirm", url.Values{"upload": {upID}, "sha256": {sha256hex(bad)}}); st != http.StatusConflict {
			t.Errorf("confirm with another file's hash: %d", st)
		}
		st, body, _ = e.page(ua, "POST", "/import/confirm", url.Values{"upload": {upID}, "sha256": {sha}})
		if st != 200 || !strings.Contains(body, `id="import-done"`) || !strings.Contains(body, `href="/records?party=UA&amp;kind=held"`) {
			t.Fatalf("confirm: %d\n%s", st, body)
		}
		names := registerNames(t, db, "ua-reg", "UA", person.Held)
		if len(names) != 4 || !strings.Contains(strings.Join(names, "|"), "Коваль Олег Іванович") {
			t.Fatalf("register after the import: %v", names)
		}
		// The upload is gone once imported; the same file again has nothing new.
		if st, _, _ := e.page(ua, "POST", "/import/confirm", url.Values{"upload": {upID}, "sha256": {sha}}); st != http.StatusNotFound {
			t.Errorf("second confirm: %d", st)
		}
		st, body = e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held"}, "знову.csv", fixed)
		if st != 200 || !strings.Contains(body, `id="nothing-new"`) || strings.Contains(body, `id="confirm-import"`) {
			t.Errorf("the same file again: %d\n%s", st, body)
		}
		// Another file with the same four persons and one more: the
		// duplicates are skipped, or kept when asked.
		more := append(append([]byte(nil), fixed...), []byte("Ткаченко;Юрій;Іванович;01.01.1985;військовий;А-100005\r\n")...)
		for _, tc := range []struct{ dups, count, want string }{{"skip", "count-skipped", "4"}, {"keep", "count-kept", "4"}} {
			st, body = e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held", "duplicates": tc.dups}, "більше.csv", more)
			got := regexp.MustCompile(`id="` + tc.count + `">(\d+)<`).FindStringSubmatch(body)
			if st != 200 || got == nil || got[1] != tc.want || !strings.Contains(body, `<a href="/records/`) {
				t.Errorf("duplicates=%s: %d, %s = %v", tc.dups, st, tc.count, got)
			}
		}
		// The register page lists them.
		if _, body, _ := e.page(ua, "GET", "/records?party=UA&kind=held", nil); !strings.Contains(body, "Шевчук Андрій Олегович") {
			t.Errorf("the register page does not show the imported records")
		}

		// Export as CSV and XLSX with Ukrainian headers.
		st, b, h = e.get(ua, "/export/file?party=UA&kind=held&format=csv&lang=uk")
		_, params, _ = mime.ParseMediaType(h.Get("Content-Disposition"))
		if st != 200 || !regexp.MustCompile(`^handover-UA-held-\d{8}\.csv$`).MatchString(params["filename"]) {
			t.Fatalf("export csv: %d %v", st, h)
		}
		cr = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		cr.Comma = ';'
		recs, err = cr.ReadAll()
		if err != nil || len(recs) != 2+4 || !strings.Contains(string(b), "Прізвище") || !strings.Contains(string(b), "Мельник") {
			t.Fatalf("export csv: %v %d rows\n%s", err, len(recs), b)
		}
		st, b, h = e.get(ua, "/export/file?party=UA&kind=held&format=xlsx&lang=en&category=military")
		if st != 200 || !strings.HasSuffix(h.Get("Content-Disposition"), `.xlsx"`) && !strings.HasSuffix(h.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export xlsx: %d %v", st, h)
		}
		xf, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := xf.GetRows("List")
		if err != nil || len(rows) != 2+4 || rows[0][0] != "Surname" {
			t.Fatalf("export xlsx: %v %q", err, rows)
		}
		found := false
		for _, r := range rows {
			found = found || (len(r) > 1 && r[0] == "Шевчук" && r[1] == "Андрій")
		}
		if !found {
			t.Errorf("export xlsx lacks Шевчук Андрій: %q", rows)
		}
		// A bad choice shows the form again with the error by its field.
		st, body, _ = e.page(ua, "GET", "/export/file?party=UA&kind=held&format=pdf&lang=uk", nil)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-format"`) {
			t.Errorf("export with a bad format: %d\n%s", st, body)
		}
		st, body, _ = e.page(ua, "GET", "/export", nil)
		if st != 200 || !strings.Contains(body, `<option value="uk" selected>`) || !strings.Contains(body, `href="/import"`) {
			t.Errorf("export form: %d\n%s", st, body)
		}

		// The other party's registrar: no import into UA's registers, no
		// export of them, and only RU on the export form.
		ru := e.session("ru-reg")
		if st, _ := e.pageUpload(ru, map[string]string{"party": "UA", "kind": "held"}, "x.csv", fixed); st != http.StatusForbidden {
			t.Errorf("ru-reg imports into UA: %d", st)
		}
		if st, _, _ := e.get(ru, "/export/file?party=UA&kind=held&format=csv&lang=ru"); st != http.StatusForbidden {
			t.Errorf("ru-reg exports UA: %d", st)
		}
		if st, _, _ := e.get(ru, "/import/"+id[1]+"/errors.csv"); st != http.StatusNotFound {
			t.Errorf("ru-reg reads ua-reg's error list: %d", st)
		}
		st, body, _ = e.page(ru, "GET", "/export", nil)
		if st != 200 || !strings.Contains(body, `<option value="RU" selected>`) || strings.Contains(body, `value="UA"`) {
			t.Errorf("ru-reg's export form: %d\n%s", st, body)
		}
		// An auditor may export, not import; the navigation leads to the export.
		aud := e.session("aud")
		if st, _, _ := e.page(aud, "GET", "/import", nil); st != http.StatusForbidden {
			t.Errorf("auditor opens the import form: %d", st)
		}
		if st, body, _ := e.page(aud, "GET", "/", nil); st != 200 || !strings.Contains(body, `href="/export"`) || strings.Contains(body, `href="/import"`) {
			t.Errorf("auditor's navigation: %d", st)
		}
		if st, _, _ := e.get(aud, "/export/file?party=UA&kind=held&format=json&lang=en"); st != 200 {
			t.Errorf("auditor exports UA: %d", st)
		}
	})
}

// TestPagesImportFileRefused: a file refused as a whole (not a
// spreadsheet, no header, a wrong mapping) comes back as the form with the
// reason next to the file field, in the user's language.
func TestPagesImportFileRefused(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ua := e.session("ua-reg")
	e.page(ua, "POST", "/lang", url.Values{"lang": {"ru"}})
	for _, tc := range []struct {
		name   string
		file   []byte
		fields map[string]string
		field  string
		want   string
	}{
		{"empty.csv", nil, nil, "file", "Выберите файл"},
		{"old.xls", []byte("\xD0\xCF\x11\xE0 old workbook"), nil, "file", "Это не книга XLSX"},
		{"noheader.csv", []byte("a;b;c\n1;2;3\n"), nil, "file", "не найдено строки заголовков"},
		{"list.csv", readTestdata(t, "import-fixed.csv"), map[string]string{"kind": "neither"}, "kind", "Выберите реестр"},
	} {
		f := map[string]string{"party": "UA", "kind": "held"}
		for k, v := range tc.fields {
			f[k] = v
		}
		st, body := e.pageUpload(ua, f, tc.name, tc.file)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-`+tc.field+`"`) || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want the field %s to say %q\n%s", tc.name, st, tc.field, tc.want, body)
		}
	}
	// A broken mapping file is shown at the mapping field.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", "held")
	fw, _ := mw.CreateFormFile("file", "l.csv")
	fw.Write(readTestdata(t, "import-fixed.csv"))
	mp, _ := mw.CreateFormFile("mapping", "m.toml")
	mp.Write([]byte("[columns]\n\"Хто\" = \"nickname\"\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: ua})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !bytes.Contains(b, []byte(`id="e-mapping"`)) || !bytes.Contains(b, []byte("Файл соответствия содержит ошибки")) {
		t.Errorf("bad mapping: %d\n%s", resp.StatusCode, b)
	}
}

// uiMatrixImport calls the import routes for the access matrix: the upload
// of a one-person list into target's held register, the confirmation of
// such an upload, and the error list of a file with an error, each in one
// fresh session of login. A refused upload leaves no upload id: the
// confirmation and the error list then name none and get 404.
func (e *env) uiMatrixImport(login, key, target string) (int, []byte) {
	e.t.Helper()
	// Not the API matrix's person: the API's import may have stored them,
	// and a duplicate leaves nothing to confirm.
	good := []byte("Прізвище;Ім'я;Дата народження;Категорія\r\nІнтерфейс;Марко;1990;військовий\r\n")
	bad := []byte("Прізвище;Ім'я;Дата народження;Категорія\r\nІнтерфейс;Марко;31.02.1990;військовий\r\n")
	cookie := e.session(login)
	switch key {
	case "POST /import":
		st, body := e.pageUpload(cookie, map[string]string{"party": target, "kind": "held"}, "matrix.csv", good)
		return st, []byte(body)
	case "POST /import/confirm":
		id, sha := e.uiImportID(cookie, target, good)
		st, body, _ := e.page(cookie, "POST", "/import/confirm", url.Values{"upload": {id}, "sha256": {sha}})
		return st, []byte(body)
	}
	id, _ := e.uiImportID(cookie, target, bad)
	if id == "" {
		id = "none"
	}
	st, body, _ := e.get(cookie, "/import/"+id+"/errors.csv")
	return st, body
}

// manyRows is a CSV of n persons; every row's birth date is impossible
// when bad.
func manyRows(n int, bad bool) []byte {
	var b bytes.Buffer
	b.WriteString("Прізвище;Ім'я;По батькові;Дата народження;Категорія;Особистий номер\r\n")
	day := "28"
	if bad {
		day = "31"
	}
	for i := range n {
		fmt.Fprintf(&b, "Прізвище%d;Іван;Петрович;%s.02.19%02d;військовий;Б-%06d\r\n", i, day, 50+i%40, i)
	}
	return b.Bytes()
}

// TestPagesImportManyErrors: a file with 10,000 bad rows shows the count
// and the first 100 errors; the CSV download has all 10,000.
func TestPagesImportManyErrors(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ua := e.session("ua-reg")
	st, body := e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held"}, "big.csv", manyRows(10_000, true))
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("upload: %d", st)
	}
	if n := strings.Count(body, `<td>CSV</td><td class="num">`); n != 100 {
		t.Errorf("%d errors on the page, want the first 100", n)
	}
	if !strings.Contains(body, "The first 100 of 10,000 errors are shown.") || !strings.Contains(body, `id="count-errors" class="bad">10,000`) {
		t.Errorf("the page does not give the count")
	}
	t.Logf("preview page with 10,000 errors: %d bytes", len(body))
	id := errorsCSV.FindStringSubmatch(body)
	st, b, _ := e.get(ua, "/import/"+id[1]+"/errors.csv")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if st != 200 || err != nil || len(recs) != 1+10_000 || recs[10_000][1] != "10001" {
		t.Fatalf("errors.csv: %d %v, %d lines", st, err, len(recs))
	}
}

// BenchmarkImportPreview measures the whole upload handler (multipart,
// read and check, the register's index, the preview page) for 10,000
// rows, clean and all bad, on SQLite with an empty register. It prints
// figures and fails on nothing:
//
//	go test -run '^$' -bench ImportPreview -benchtime 10x ./internal/web
func BenchmarkImportPreview(b *testing.B) {
	ctx := context.Background()
	db := sqltest.Open(b, "sqlite")
	if _, err := db.CreateParty(ctx, "UA", "Ukraine"); err != nil {
		b.Fatal(err)
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
	if err != nil {
		b.Fatal(err)
	}
	srv := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	cookie, err := db.CreateSession(ctx, u.ID, true)
	if err != nil {
		b.Fatal(err)
	}
	for _, bad := range []bool{false, true} {
		name := "clean"
		if bad {
			name = "errors"
		}
		file := manyRows(10_000, bad)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("kind", "held")
		fw, _ := mw.CreateFormFile("file", "big.csv")
		fw.Write(file)
		mw.Close()
		b.Run(name+"-10000", func(b *testing.B) {
			var size int
			for b.Loop() {
				req := httptest.NewRequest("POST", "/import", bytes.NewReader(buf.Bytes()))
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
				rec := httptest.NewRecorder()
				srv.Handler().ServeHTTP(rec, req)
				if rec.Code != 200 && rec.Code != http.StatusUnprocessableEntity {
					b.Fatalf("status %d", rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size)/1024, "page-KiB")
		})
	}
}

// TestPagesImportRecordChecksTranslated: a problem found by the record's
// own checks (field_invalid) is shown in the user's language from its
// code, not in English.
func TestPagesImportRecordChecksTranslated(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ua := e.session("ua-reg")
	e.page(ua, "POST", "/lang", url.Values{"lang": {"uk"}})
	file := []byte("Прізвище;Ім'я;Дата народження;Категорія\nКоваль;Олег;2090;військовий\n;Іван;1990;військовий\n")
	st, body := e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held"}, "d.csv", file)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("upload: %d", st)
	}
	for _, want := range []string{"2090 — дата в майбутньому.", "Обов’язкове, якщо не вказано повного імені"} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview does not say %q", want)
		}
	}
	if strings.Contains(body, "is in the future") || strings.Contains(body, `lang="en"`) && strings.Contains(body, "required (or a full name") {
		t.Errorf("the preview shows the English reason")
	}
}
