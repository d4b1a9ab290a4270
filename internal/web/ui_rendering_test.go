package web_test

import (
	"context"
	"database/sql"
	"html"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// eachRawDB is sqltest.EachDB with a second, raw connection to the same
// database, for tests that change it behind the store.
func eachRawDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB, raw *sql.DB, dialect string)) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: dsn, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			raw, err := sql.Open(map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[dialect], dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close() })
			fn(t, db, raw, dialect)
		})
	}
}

// swapCommitment changes the database behind the store: record other
// takes the commitment of victim's versions, and victim gets another. A
// rendering by commitment then shows other where the document holds
// victim.
func swapCommitment(t *testing.T, raw *sql.DB, dialect, victim, other string) {
	t.Helper()
	ctx := context.Background()
	if dialect == "postgres" {
		if _, err := raw.ExecContext(ctx, `ALTER TABLE record_versions DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
	} else {
		rows, err := raw.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'record_versions'`)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			if _, err := raw.ExecContext(ctx, `DROP TRIGGER `+n); err != nil {
				t.Fatal(err)
			}
		}
	}
	var c string
	q := func(s string) string {
		if dialect == "postgres" {
			s = strings.Replace(s, "?", "$1", 1)
			s = strings.Replace(s, "?", "$2", 1)
		}
		return s
	}
	if err := raw.QueryRowContext(ctx, q(`SELECT v.commitment FROM record_versions v JOIN records r ON r.seq = v.record_seq WHERE r.id = ? ORDER BY v.version DESC LIMIT 1`), victim).Scan(&c); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, q(`UPDATE record_versions SET commitment = ? WHERE record_seq = (SELECT seq FROM records WHERE id = ?)`), "00"+c[2:], victim); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, q(`UPDATE record_versions SET commitment = ? WHERE record_seq = (SELECT seq FROM records WHERE id = ?)`), c, other); err != nil {
		t.Fatal(err)
	}
}

// TestPagesAgreementPersons: the agreement page shows an approver, in
// Ukrainian, the persons of the document by name, in Latin, with birth
// date, service number, record id and commitment, checked against the
// document; it searches, sorts and pages on the server; the API gives the
// same rendering; the printed copy (PDF) carries the Ukrainian headers,
// the names and the hash on every page. A database changed behind the
// store renders a person the document does not hold: the page, the API
// and the PDF say the check failed.
func TestPagesAgreementPersons(t *testing.T) {
	eachRawDB(t, func(t *testing.T, db *sqlstore.DB, raw *sql.DB, dialect string) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "ua-appr")
		appr := e.ukSession("ua-appr")
		var st sqlstore.AgreementStatus
		e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement", nil, &st, 200)
		code, body, _ := e.page(appr, "GET", "/exchanges/"+id+"/agreement", nil)
		body = html.UnescapeString(body)
		if code != 200 {
			t.Fatalf("agreement page: %d", code)
		}
		for _, want := range []string{"Особи за угодою", "Звірено з документом", "ПетренкоUA0 Іван", "ПетренкоRU2 Іван", "PetrenkoRU2 Ivan", "02.01.1990", "Ж-RU00001",
			held["RU"][1], st.Hash, "Сторона RU передає: військовий 3", `id="doc-text"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the agreement page has no %q", want)
			}
		}
		// The commitment of each person is beside the name.
		var persons struct {
			Checked bool
			Hash    string
			Persons []struct {
				RecordID   string `json:"record_id"`
				Commitment string
				Surname    string
				Latin      string
			}
		}
		e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement/persons", nil, &persons, 200)
		if !persons.Checked || len(persons.Persons) != 6 || persons.Hash != st.Hash {
			t.Fatalf("the API's rendering: %+v", persons)
		}
		for _, p := range persons.Persons {
			if !strings.Contains(st.Document, "  1 military "+p.RecordID+" "+p.Commitment+"\n") && !strings.Contains(st.Document, "  - military "+p.RecordID+" "+p.Commitment+"\n") {
				t.Errorf("%s %s is not a person line of the document", p.RecordID, p.Commitment)
			}
			if !strings.Contains(body, p.Commitment) {
				t.Errorf("the page does not show the commitment of %s", p.RecordID)
			}
		}
		// Search, the reserve, sorting.
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"/agreement?q=petrenkoru1", nil)
		if !strings.Contains(body, "ПетренкоRU1") || strings.Contains(body, "ПетренкоRU0") || strings.Contains(body, "ПетренкоUA1") {
			t.Error("a search in Latin does not find exactly the person")
		}
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"/agreement?stage=-1&party=UA", nil)
		if !strings.Contains(body, "ПетренкоUA2") || strings.Contains(body, "ПетренкоUA0") {
			t.Error("UA's reserve is not what is shown")
		}
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"/agreement?sort=name&desc=1", nil)
		if i, j := strings.Index(body, "ПетренкоUA2"), strings.Index(body, "ПетренкоRU0"); i < 0 || j < 0 || i > j {
			t.Error("not sorted by name, descending")
		}
		// The list pages: the same persons by name, in Latin, with birth
		// date and service number, counted, searched and sorted.
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"?list=RU/offer&q=petrenkoru1", nil)
		ru := section(body, `id="list-RU-offer"`)
		if table := ru[strings.Index(ru, "<table"):]; !strings.Contains(table, "ПетренкоRU1 Іван") || strings.Contains(table, "ПетренкоRU0") || !strings.Contains(ru, "PetrenkoRU1 Ivan") || !strings.Contains(ru, "Ж-RU00001") ||
			!strings.Contains(ru, "Особи за категоріями: військовий 3") {
			t.Errorf("RU's offer list searched: %s", ru)
		}
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"?list=UA/offer&sort=record", nil)
		ua := section(body, `id="list-UA-offer"`)
		ua = ua[strings.Index(ua, "<table"):]
		ids := slices.Sorted(slices.Values(held["UA"]))
		if i, j, k := strings.Index(ua, ">"+ids[0]+"<"), strings.Index(ua, ">"+ids[1]+"<"), strings.Index(ua, ">"+ids[2]+"<"); i < 0 || j < i || k < j {
			t.Errorf("UA's offer list by record id: %v at %d %d %d", ids, i, j, k)
		}
		// The printed copy.
		pdf := e.pdf(appr, "/exchanges/"+id+"/agreement/pdf?lang=uk")
		for _, want := range []string{"Угода про обмін " + id + ", версія 1: особи", "Звірено з документом", "Ім’я · Латиницею", "ПетренкоRU2 Іван", "PetrenkoRU2 Ivan", "RU · резервний список", held["UA"][0]} {
			if pdf != "" && !strings.Contains(pdf, want) {
				t.Errorf("the PDF has no %q", want)
			}
		}
		for i, p := range strings.Split(strings.TrimRight(pdf, "\f\n"), "\f") {
			if !strings.Contains(p, "SHA-256 "+st.Hash) {
				t.Errorf("page %d of the PDF has no document hash", i+1)
			}
		}
		if code, _ := e.do("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement/pdf?lang=de", nil); code != 400 {
			t.Errorf("?lang=de: %d", code)
		}
		// The database changed behind the store: the check fails, visibly.
		var extra struct{ Records []struct{ ID string } }
		e.must("ua-reg", "POST", "/api/v1/records/batch", map[string]any{"records": []any{map[string]any{"kind": "held", "category": "military", "status": "pow",
			"surname": "Підставний", "given_names": "Петро", "service_number": "Ж-999999"}}}, &extra, 201)
		swapCommitment(t, raw, dialect, held["UA"][0], extra.Records[0].ID)
		_, body, _ = e.page(appr, "GET", "/exchanges/"+id+"/agreement", nil)
		body = html.UnescapeString(body)
		for _, want := range []string{`class="check-failed" id="rendering-check" role="alert"`, "Звірка з документом НЕ ПРОЙШЛА", "Підставний Петро",
			"Запис " + held["UA"][0] + " (сторона UA) є в документі, але його не показано.", "Запис " + extra.Records[0].ID + " (сторона UA) показано"} {
			if !strings.Contains(body, want) {
				t.Errorf("after the change the page has no %q", want)
			}
		}
		if strings.Contains(body, "Звірено з документом") {
			t.Error("after the change the page still says the rendering was checked")
		}
		e.must("ua-appr", "GET", "/api/v1/exchanges/"+id+"/agreement/persons", nil, &persons, 200)
		if persons.Checked {
			t.Error("after the change the API says checked")
		}
		if pdf := e.pdf(appr, "/exchanges/"+id+"/agreement/pdf"); pdf != "" && !strings.Contains(pdf, "НЕ ПРОЙШЛА") {
			t.Error("after the change the PDF does not say the check failed")
		}
		// The log's audit finds the change too (the env's audit after the
		// test would fail on it): closed, so that it does not run.
		db.Close()
	})
}

// pdf fetches a PDF page and returns its text by pdftotext ("" when
// pdftotext is not installed, outside CI).
func (e *env) pdf(cookie, path string) string {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		e.t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			e.t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		return ""
	}
	f := e.t.TempDir() + "/a.pdf"
	out, _ := os.Create(f)
	if _, err := out.ReadFrom(resp.Body); err != nil {
		e.t.Fatal(err)
	}
	out.Close()
	text, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		e.t.Fatal(err)
	}
	return string(text)
}
