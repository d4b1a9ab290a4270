package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// matrixCSV is a one-person list for the access matrix.
var matrixCSV = []byte("Прізвище;Ім'я;Дата народження;Категорія\r\nМатриця;Олександр;05.1998;військовий\r\n")

func importForm(party, kind string, extra ...string) map[string]string {
	m := map[string]string{"party": party, "kind": kind}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// upload posts a multipart import as login and returns status and body.
func (e *env) upload(login string, form map[string]string, name string, file []byte) (int, []byte) {
	e.t.Helper()
	return e.uploadTo("/api/v1/imports", login, form, name, file)
}

// uploadTo posts a multipart file to path as login.
func (e *env) uploadTo(path, login string, form map[string]string, name string, file []byte) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range form {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[login])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func fixtureFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../sheet/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type apiError struct {
	Error struct {
		Kind, Message string
		Fields        []struct{ Field, Message, Where string }
	}
}

func countRecords(t *testing.T, e *env, login, query string) int {
	t.Helper()
	st, b := e.do(login, "GET", "/api/v1/records?limit=1000&"+query, nil)
	var page sqlstore.RecordPage
	if st != 200 || json.Unmarshal(b, &page) != nil {
		t.Fatalf("list: %d %s", st, b)
	}
	return len(page.Records)
}

func TestImportAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		// A file with errors: 400, every bad row with sheet, row and column; nothing stored.
		st, b := e.upload("ua-reg", importForm("UA", "held"), "five-errors.xlsx", fixtureFile(t, "five-errors.xlsx"))
		var eb apiError
		json.Unmarshal(b, &eb)
		if st != 400 || eb.Error.Kind != "invalid" || len(eb.Error.Fields) != 5 {
			t.Fatalf("five errors: %d %s", st, b)
		}
		if f := eb.Error.Fields[0]; f.Where != "sheet Sheet1, row 5, column E (Дата народження)" || f.Field != "birth_date" || !strings.Contains(f.Message, "[date_impossible]") {
			t.Errorf("first problem: %+v", f)
		}
		if n := countRecords(t, e, "ua-reg", "party=UA"); n != 0 {
			t.Fatalf("a refused import stored %d records", n)
		}
		// Dry run: the report, nothing stored.
		st, b = e.upload("ua-reg", importForm("UA", "held", "dry_run", "true"), "uk-title.xlsx", fixtureFile(t, "uk-title.xlsx"))
		var rep sheet.Report
		json.Unmarshal(b, &rep)
		if st != 200 || !rep.DryRun || rep.Persons != 20 || rep.Imported != 0 || countRecords(t, e, "ua-reg", "party=UA") != 0 {
			t.Fatalf("dry run: %d %s", st, b)
		}
		// Import, then the same file again: nothing new.
		st, b = e.upload("ua-reg", importForm("UA", "held"), "uk-title.xlsx", fixtureFile(t, "uk-title.xlsx"))
		json.Unmarshal(b, &rep)
		if st != 200 || rep.Imported != 20 {
			t.Fatalf("import: %d %s", st, b)
		}
		st, b = e.upload("ua-reg", importForm("UA", "held", "duplicates", "keep"), "renamed.xlsx", fixtureFile(t, "uk-title.xlsx"))
		rep = sheet.Report{}
		json.Unmarshal(b, &rep)
		if st != 200 || rep.Imported != 0 || len(rep.Duplicates) != 20 || rep.Duplicates[0].Code != sheet.CodeAlreadyImported {
			t.Fatalf("re-import: %d %s", st, b)
		}
		if n := countRecords(t, e, "ua-reg", "party=UA"); n != 20 {
			t.Fatalf("after re-import %d records, want 20", n)
		}
		// Provenance: file name, SHA-256, sheet and row.
		_, b = e.do("ua-reg", "GET", "/api/v1/records?limit=1", nil)
		if !strings.Contains(string(b), `"source":"uk-title.xlsx"`) || !strings.Contains(string(b), `"source_ref":"sha256:`+rep.SHA256+` sheet Полонені row 5"`) {
			t.Errorf("provenance: %s", b)
		}
		// A record corrected since (its name changed) is still recognised
		// as coming from this file.
		_, b = e.do("ua-reg", "GET", "/api/v1/records?limit=1", nil)
		var page sqlstore.RecordPage
		json.Unmarshal(b, &page)
		corr := map[string]any{"base_version": 1, "reason": "typo", "kind": "held", "category": "military", "surname": "Виправлений", "given_names": "Новий"}
		if st, b := e.do("ua-reg", "PUT", "/api/v1/records/"+page.Records[0].ID, corr); st != 200 {
			t.Fatalf("correct: %d %s", st, b)
		}
		st, b = e.upload("ua-reg", importForm("UA", "held"), "uk-title.xlsx", fixtureFile(t, "uk-title.xlsx"))
		rep = sheet.Report{}
		json.Unmarshal(b, &rep)
		if st != 200 || rep.Imported != 0 || rep.Duplicates[0].Code != sheet.CodeAlreadyImported {
			t.Fatalf("re-import after a correction: %d %s", st, b)
		}
		// The other party's registrar may not import into UA's register.
		if st, b := e.upload("ru-reg", importForm("UA", "held"), "x.csv", matrixCSV); st != 403 {
			t.Errorf("ru-reg into UA: %d %s", st, b)
		}
	})
}

func TestImportDuplicatesAndLimits(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	if st, b := e.do("ua-reg", "POST", "/api/v1/records", heldBody("", "Ковальчук")); st != 201 {
		t.Fatal(st, string(b))
	}
	// Same service number as the record; and twice the same person in the file.
	file := []byte("Прізвище,Ім'я,Дата народження,Особистий номер,Категорія\nКовальчук,Олександр,1998,А 123456,military\nБондар,Іван,1990,,military\nБОНДАР,Іван,1990,,military\n")
	st, b := e.upload("ua-reg", importForm("UA", "held"), "d.csv", file)
	var rep sheet.Report
	json.Unmarshal(b, &rep)
	if st != 200 || rep.Imported != 1 || rep.Skipped != 2 || len(rep.Duplicates) != 2 ||
		rep.Duplicates[0].Code != sheet.CodeDuplicateRegister || rep.Duplicates[1].Code != sheet.CodeDuplicateInFile || rep.Duplicates[1].Of != "row 3" {
		t.Fatalf("skip: %d %s", st, b)
	}
	file2 := bytes.Replace(file, []byte("1990"), []byte("1991"), 2)
	st, b = e.upload("ua-reg", importForm("UA", "held", "duplicates", "keep"), "d2.csv", file2)
	json.Unmarshal(b, &rep)
	if st != 200 || rep.Imported != 3 {
		t.Fatalf("keep: %d %s", st, b)
	}
	// Limits: each refusal a clear invalid error.
	e.srv.SetSheetLimits(sheet.Limits{MaxFileBytes: 100})
	st, b = e.upload("ua-reg", importForm("UA", "held"), "d.csv", file)
	if st != 400 || !strings.Contains(string(b), "file_too_large") {
		t.Errorf("big file: %d %s", st, b)
	}
	e.srv.SetSheetLimits(sheet.Limits{MaxRows: 2})
	st, b = e.upload("ua-reg", importForm("UA", "held"), "d.csv", file)
	if st != 400 || !strings.Contains(string(b), "more than 2 rows") {
		t.Errorf("rows: %d %s", st, b)
	}
	e.srv.SetSheetLimits(sheet.Limits{})
	for _, tc := range []struct{ name, ctype, body, want string }{
		{"not multipart", "application/json", `{}`, "multipart"},
		{"no file", "", "", "required: the XLSX or CSV file"},
		{"bad duplicates", "", "duplicates=maybe", "use skip or keep"},
	} {
		if tc.ctype != "" {
			st, b = e.do("ua-reg", "POST", "/api/v1/imports", tc.body)
		} else {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("kind", "held")
			if k, v, ok := strings.Cut(tc.body, "="); ok {
				mw.WriteField(k, v)
				fw, _ := mw.CreateFormFile("file", "x.csv")
				fw.Write(matrixCSV)
			}
			mw.Close()
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/imports", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+e.tokens["ua-reg"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			st = resp.StatusCode
		}
		if st != 400 || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s", tc.name, st, b)
		}
	}
}

func TestExportAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		for _, s := range []string{"=Формула", "Ковальчук", "Сем’янів"} {
			if st, b := e.do("ua-reg", "POST", "/api/v1/records", heldBody("", s)); st != 201 {
				t.Fatal(st, string(b))
			}
		}
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/exports?party=UA&kind=held&format=csv&lang=uk", nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["ua-reg"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "handover-UA-held-") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		if !bytes.HasPrefix(body, []byte("\ufeffПрізвище;")) {
			t.Errorf("no BOM or uk header: %q", body[:min(40, len(body))])
		}
		cr := csv.NewReader(bytes.NewReader(body))
		cr.Comma = ';'
		rows, err := cr.ReadAll()
		if err != nil || len(rows) != 5 || rows[2][0] != "'=Формула" || rows[4][0] != "Сем’янів" {
			t.Errorf("csv rows: %v %q", err, rows)
		}
		// The exported file imports again as the same people: all duplicates.
		st, b := e.upload("ua-reg", importForm("UA", "held"), "export.csv", body)
		var rep sheet.Report
		json.Unmarshal(b, &rep)
		if st != 200 || rep.Imported != 0 || rep.Skipped != 3 || rep.Persons != 3 {
			t.Errorf("re-import of export: %d %s", st, b)
		}
		for _, f := range []string{"xlsx", "json"} {
			st, b := e.do("ua-reg", "GET", "/api/v1/exports?format="+f, nil)
			if st != 200 || len(b) < 100 {
				t.Errorf("%s: %d %d bytes", f, st, len(b))
			}
		}
		if st, b := e.do("ru-reg", "GET", "/api/v1/exports?party=UA", nil); st != 403 {
			t.Errorf("ru-reg exports UA: %d %s", st, b)
		}
		if st, b := e.do("ru-reg", "GET", "/api/v1/exports?format=pdf&lang=de", nil); st != 400 || !strings.Contains(string(b), "format") || !strings.Contains(string(b), "lang") {
			t.Errorf("bad format: %d %s", st, b)
		}
		// ru-reg exports only what it may read: none of UA's.
		st, b = e.do("ru-reg", "GET", "/api/v1/exports?format=json", nil)
		if st != 200 || strings.Contains(string(b), "Ковальчук") {
			t.Errorf("ru-reg export leaks UA records: %d %s", st, b)
		}
	})
}
