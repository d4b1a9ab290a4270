package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// pdfWords is the text pdftotext extracts from a PDF, white space folded.
func pdfWords(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed")
	}
	f := t.TempDir() + "/doc.pdf"
	os.WriteFile(f, pdf, 0o644)
	out, err := exec.Command(tool, f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (%.100q)", err, pdf)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestAnnexPDFsAPI: UA's bureau prints the capture card (GC III Annex IV B)
// and, once his death is recorded, the death notification (Annex IV D) of
// a prisoner it holds, in Ukrainian with French labels, from his record
// and custody timeline; the custody page links them; RU may print
// neither; a sought record, a notice without a death and a language of
// none of the documents are refused with their codes.
func TestAnnexPDFsAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		h, s := custodyPerson(t, e)
		path := "/api/v1/records/" + h
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "captured", "date": "01.03.2025", "place": "Вовчанськ", "unit": "3 ОШБр"}, nil, 200)
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "interned", "date": "2025-03-03", "place": "Табір №9"}, nil, 200)
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "capture_card_sent", "date": "2025-03-05", "sent_to": []string{"central_agency"}}, nil, 200)
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "transferred", "date": "2025-03-20", "from": "Табір №9", "to": "Табір №1"}, nil, 200)

		st, b := e.do("ua-reg", "GET", path+"/capture-card.pdf?lang=uk&second=fr", nil)
		if st != 200 || !strings.HasPrefix(string(b), "%PDF") {
			t.Fatalf("capture card: %d %.200s", st, b)
		}
		text := pdfWords(t, b)
		for _, want := range []string{"КАРТКА ПРО ВЗЯТТЯ В ПОЛОН ВІЙСЬКОВОПОЛОНЕНОГО", "CARTE DE CAPTURE DE PRISONNIER DE GUERRE",
			"Прізвище", "Nom", "Імена (повністю)", "Prénoms (en toutes lettres)", "Дата народження", "Date de naissance",
			"Особистий номер", "Numéro matricule", "Взятий у полон: 01.03.2025", "Прибув з: Табір №9", "Назва табору: Табір №1",
			"Петров", "Іван", "02.04.1990", "R-1", h} {
			if !strings.Contains(text, want) {
				t.Errorf("the capture card has no %q", want)
			}
		}
		// The card sent on 5 March, printed again as it was: from Табір №9,
		// dated that day.
		st, b = e.do("ua-reg", "GET", path+"/capture-card.pdf?lang=en&event=3", nil)
		if text := pdfWords(t, b); st != 200 || !strings.Contains(text, "Name of camp: Табір №9") || !strings.Contains(text, "5 Mar 2025") || strings.Contains(text, "Табір №1") {
			t.Errorf("the card of event 3 (%d):\n%s", st, text)
		}
		// No card since the transfer: the overdue list offers to print it.
		if st, page, _ := e.get(e.sessionUK("ua-reg"), "/custody"); st != 200 || !strings.Contains(string(page), `href="/records/`+h+`/capture-card.pdf?lang=uk&second=fr"`) {
			t.Errorf("the overdue list (%d) does not offer the card:\n%s", st, page)
		}
		if st, b := e.do("ua-reg", "GET", path+"/capture-card.pdf?event=1", nil); st != 400 || !strings.Contains(string(b), "document_event") {
			t.Errorf("the card of a capture event: %d %s", st, b)
		}
		if st, b := e.do("ua-reg", "GET", path+"/death-notice.pdf?lang=uk", nil); st != 409 || !strings.Contains(string(b), "document_no_death") {
			t.Errorf("a death notice before the death: %d %s", st, b)
		}
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "died", "date": "2025-04-20", "place": "Табір №1", "cause": "серцева недостатність", "grave": "кладовище Табору №1, ряд 2"}, nil, 200)
		e.must("ua-reg", "POST", path+"/custody", map[string]any{"kind": "death_notified", "date": "2025-04-22", "sent_to": []string{"central_agency", "own_state"}}, nil, 200)
		st, b = e.do("ua-appr", "GET", path+"/death-notice.pdf?lang=uk&second=fr", nil)
		if st != 200 {
			t.Fatalf("death notice: %d %s", st, b)
		}
		text = pdfWords(t, b)
		for _, want := range []string{"ПОВІДОМЛЕННЯ ПРО СМЕРТЬ", "AVIS DE DÉCÈS", "Ukraine", "Місце і дата смерті", "Lieu et date du décès",
			"Причина та обставини смерті", "Cause et circonstances de la mort", "Місце поховання", "Lieu de sépulture",
			"Петров Іван", "Табір №1, 20.04.2025", "серцева недостатність", "кладовище Табору №1, ряд 2", "Вовчанськ, 01.03.2025", "22.04.2025"} {
			if !strings.Contains(text, want) {
				t.Errorf("the death notice has no %q", want)
			}
		}
		// French alone, for the Central Agency.
		if st, b := e.do("op", "GET", path+"/death-notice.pdf?lang=fr", nil); st != 200 || !strings.Contains(pdfWords(t, b), "20/04/2025") {
			t.Errorf("the operator's notice in French: %d", st)
		}

		// The custody page links both.
		st, page, _ := e.get(e.sessionUK("ua-reg"), "/records/"+h+"/custody")
		if p := string(page); st != 200 || !strings.Contains(p, `href="/records/`+h+`/capture-card.pdf?lang=uk&second=fr"`) ||
			!strings.Contains(p, `href="/records/`+h+`/death-notice.pdf?lang=fr"`) {
			t.Errorf("the custody page (%d) lacks the documents:\n%s", st, p)
		}
		if st, b, _ := e.get(e.sessionUK("ua-reg"), "/records/"+h+"/capture-card.pdf?lang=ru&second=fr"); st != 200 || !strings.Contains(pdfWords(t, b), "КАРТОЧКА О ВЗЯТИИ В ПЛЕН") {
			t.Errorf("the page's capture card: %d", st)
		}

		for _, tc := range []struct {
			login, path string
			status      int
			code        string
		}{
			{"ru-reg", path + "/capture-card.pdf?lang=uk", 404, ""},
			{"ru-reg", path + "/death-notice.pdf?lang=uk", 404, ""},
			{"aud", path + "/capture-card.pdf", 404, ""},
			{"ru-reg", "/api/v1/records/" + s + "/capture-card.pdf?lang=ru", 400, "document_not_held"},
			{"ua-reg", path + "/capture-card.pdf?lang=de", 400, "document_lang"},
			{"ua-reg", path + "/capture-card.pdf?lang=uk&second=pl", 400, "document_lang"},
		} {
			if st, b := e.do(tc.login, "GET", tc.path, nil); st != tc.status || !strings.Contains(string(b), tc.code) {
				t.Errorf("%s %s: %d %s, want %d %s", tc.login, tc.path, st, b, tc.status, tc.code)
			}
		}
	})
}

// TestNotificationsExportAPI: the capture cards and death notifications
// UA's bureau sent since a date export as CSV, XLSX and JSON (schema
// handover/custody-notifications/v1), one row per notification with the
// person's identity fields and the death's details, the same rows in
// each format; a notification before the date is left out; RU's export
// holds none of UA's; a format of none is refused with its code.
func TestNotificationsExportAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		h, _ := custodyPerson(t, e)
		path := "/api/v1/records/" + h + "/custody"
		for _, ev := range []map[string]any{
			{"kind": "captured", "date": "01.03.2025", "place": "Вовчанськ"},
			{"kind": "interned", "date": "2025-03-03", "place": "Табір №9"},
			{"kind": "capture_card_sent", "date": "2025-03-05", "sent_to": []string{"central_agency"}},
			{"kind": "capture_card_sent", "date": "2025-03-12", "sent_to": []string{"own_state", "central_agency"}},
			{"kind": "died", "date": "2025-04-20", "place": "Табір №9", "cause": "серцева недостатність", "grave": "ряд 2"},
			{"kind": "death_notified", "date": "2025-04-22", "sent_to": []string{"own_state", "central_agency"}},
		} {
			e.must("ua-reg", "POST", path, ev, nil, 200)
		}
		var want [][]string
		for _, format := range []string{"csv", "xlsx", "json"} {
			st, b := e.do("ua-reg", "GET", "/api/v1/custody/notifications?since=2025-03-10&format="+format, nil)
			if st != 200 {
				t.Fatalf("%s: %d %s", format, st, b)
			}
			var table [][]string
			switch format {
			case "csv":
				r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
				table, _ = r.ReadAll()
			case "xlsx":
				f, err := excelize.OpenReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				table, _ = f.GetRows("notifications")
			case "json":
				var doc struct {
					Schema        string              `json:"schema"`
					Since         string              `json:"since"`
					Count         int                 `json:"count"`
					Notifications []map[string]string `json:"notifications"`
				}
				if err := json.Unmarshal(b, &doc); err != nil || doc.Schema != "handover/custody-notifications/v1" || doc.Since != "2025-03-10" || doc.Count != 2 {
					t.Fatalf("json: %v %+v", err, doc)
				}
				table = [][]string{want[0]}
				for _, n := range doc.Notifications {
					var row []string
					for _, c := range want[0] {
						row = append(row, n[c])
					}
					table = append(table, row)
				}
			}
			for i := range table {
				for len(table[i]) < len(table[0]) {
					table[i] = append(table[i], "") // XLSX drops a row's empty cells at its end
				}
			}
			if want == nil {
				want = table
				if len(table) != 3 || table[0][0] != "notice" {
					t.Fatalf("csv: %v", table)
				}
				col := func(row []string, name string) string { return row[slices.Index(table[0], name)] }
				card, death := table[1], table[2]
				if col(card, "notice") != "capture_card" || col(card, "date") != "2025-03-12" || col(card, "sent_to") != "own_state; central_agency" ||
					col(card, "record_id") != h || col(card, "surname") != "Петров" || col(card, "service_number") != "R-1" ||
					col(card, "captured_on") != "2025-03-01" || col(card, "capture_place") != "Вовчанськ" || col(card, "place") != "Табір №9" ||
					col(card, "birth_date") != "1990-04-02" || col(card, "recorded_by") != "ua-reg" || col(card, "event") != "4" {
					t.Errorf("the capture card's row: %v", card)
				}
				if col(death, "notice") != "death_notification" || col(death, "death_date") != "2025-04-20" || col(death, "cause") != "серцева недостатність" ||
					col(death, "grave") != "ряд 2" || col(death, "death_place") != "Табір №9" {
					t.Errorf("the death notification's row: %v", death)
				}
			} else if !slices.EqualFunc(table, want, slices.Equal) {
				t.Errorf("%s: rows\n%v\nwant those of csv\n%v", format, table, want)
			}
		}
		if st, b := e.do("ru-reg", "GET", "/api/v1/custody/notifications?format=csv", nil); st != 200 || strings.Contains(string(b), h) {
			t.Errorf("RU's export: %d %s", st, b)
		}
		if st, b := e.do("ua-reg", "GET", "/api/v1/custody/notifications?format=pdf", nil); st != 400 || !strings.Contains(string(b), "notifications_format") {
			t.Errorf("format pdf: %d %s", st, b)
		}
	})
}

// TestNotificationsExportWithheldAPI: a civilian UA's bureau withholds
// from his own side (GC IV Art. 137(2)): his capture card is refused as
// sent to his own state (400, custody_withheld_own_state), recorded as
// sent to the Central Agency; the export marks him (detrimental,
// detrimental_basis), for=central_agency keeps him, for=own_state leaves
// him out and keeps a record not withheld; a recipient of none is refused.
func TestNotificationsExportWithheldAPI(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		open, _ := custodyPerson(t, e)
		ua, _ := e.db.UserByLogin(context.Background(), "ua-reg")
		f := person.Fields{Kind: person.Held, Category: person.Civilian, Status: person.StatusDetainedCivilian, Surname: "Утаєний", GivenNames: "Петро",
			BirthDate: person.Date{Year: 1980, Month: 1, Day: 2}, Detrimental: true, DetrimentalBasis: person.WithholdCivilian, DetrimentalReason: "danger to family"}
		wr, err := e.db.CreateRecord(context.Background(), ua.Scope(), sqlstore.NewRecord{Party: "UA", Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		withheld := wr.ID
		for _, id := range []string{open, withheld} {
			for _, ev := range []map[string]any{
				{"kind": "captured", "date": "2025-03-01", "place": "Вовчанськ"},
				{"kind": "interned", "date": "2025-03-03", "place": "Табір №9"},
			} {
				e.must("ua-reg", "POST", "/api/v1/records/"+id+"/custody", ev, nil, 200)
			}
		}
		if st, b := e.do("ua-reg", "POST", "/api/v1/records/"+withheld+"/custody",
			map[string]any{"kind": "capture_card_sent", "date": "2025-03-05", "sent_to": []string{"own_state", "central_agency"}}); st != 400 || !strings.Contains(string(b), "custody_withheld_own_state") {
			t.Errorf("a withheld civilian's card to his own state: %d %s", st, b)
		}
		e.must("ua-reg", "POST", "/api/v1/records/"+withheld+"/custody", map[string]any{"kind": "capture_card_sent", "date": "2025-03-05", "sent_to": []string{"central_agency"}}, nil, 200)
		e.must("ua-reg", "POST", "/api/v1/records/"+open+"/custody", map[string]any{"kind": "capture_card_sent", "date": "2025-03-05", "sent_to": []string{"own_state", "central_agency"}}, nil, 200)
		rows := func(query string) map[string]map[string]string {
			t.Helper()
			st, b := e.do("ua-reg", "GET", "/api/v1/custody/notifications?format=csv"+query, nil)
			if st != 200 {
				t.Fatalf("%s: %d %s", query, st, b)
			}
			table, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
			if err != nil || len(table) == 0 {
				t.Fatalf("%s: %v %s", query, err, b)
			}
			out := map[string]map[string]string{}
			for _, r := range table[1:] {
				m := map[string]string{}
				for i, c := range table[0] {
					m[c] = r[i]
				}
				out[m["record_id"]] = m
			}
			return out
		}
		all := rows("")
		if w, o := all[withheld], all[open]; w["detrimental"] != "true" || w["detrimental_basis"] != "gc4_art137_2" || w["sent_to"] != "central_agency" ||
			o["detrimental"] != "false" || o["detrimental_basis"] != "" || len(all) != 2 {
			t.Errorf("the export: %v", all)
		}
		if ca := rows("&for=central_agency"); len(ca) != 2 || ca[withheld]["detrimental"] != "true" {
			t.Errorf("for the Central Agency: %v", ca)
		}
		if own := rows("&for=own_state"); len(own) != 1 || own[open] == nil {
			t.Errorf("for the own state: %v", own)
		}
		if st, b := e.do("ua-reg", "GET", "/api/v1/custody/notifications?for=press", nil); st != 400 || !strings.Contains(string(b), "custody_bad_recipient") {
			t.Errorf("for the press: %d %s", st, b)
		}
	})
}
