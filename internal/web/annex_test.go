package web_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

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
