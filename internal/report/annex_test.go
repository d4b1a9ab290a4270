package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/report"
)

// pdfText is the text pdftotext extracts from a PDF, its white space
// folded to single spaces, and the number of pages.
func pdfText(t *testing.T, pdf []byte) (string, int) {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI: .ci/run installs it")
		}
		t.Skip("pdftotext not installed")
	}
	f := t.TempDir() + "/doc.pdf"
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Count(strings.TrimRight(string(out), "\f"), "\f") + 1
	return strings.Join(strings.Fields(string(out)), " "), pages
}

var printed = time.Date(2026, 5, 23, 9, 14, 0, 0, time.UTC)

func sampleCard(lang, second string) report.CaptureCard {
	return report.CaptureCard{Lang: lang, Second: second, RecordID: "r-held-17", Power: "Україна", Surname: "Шевченко",
		GivenNames: "Тарас Григорович", FatherName: "Григорій", MotherMaidenName: "Бойко", BirthDate: "1994-03-09",
		BirthPlace: "Моринці, Черкаська обл.", Rank: "солдат", ServiceNumber: "АА-123456", FamilyAddress: "Київ, вул. Хрещатик 1",
		CapturedOn: "2025-02-11", Health: "slightly_wounded", PrisonerNumber: "P-0042", Camp: "Табір 3", Date: "2025-02-15", Printed: printed}
}

// TestCaptureCardPDF: the capture card (GC III Annex IV B) holds its
// numbered fields' labels in Ukrainian and, printed bilingual, in French,
// with the person's values and dates in the language's form; alone in
// French, Russian or English, the labels of that language.
func TestCaptureCardPDF(t *testing.T) {
	var b bytes.Buffer
	if err := report.CaptureCardPDF(&b, sampleCard("uk", "fr")); err != nil {
		t.Fatal(err)
	}
	text, pages := pdfText(t, b.Bytes())
	if pages != 2 {
		t.Errorf("%d pages, want 2 (the front and the reverse)", pages)
	}
	for _, want := range []string{
		// Ukrainian labels, the Annex's fields 1 to 14.
		"КАРТКА ПРО ВЗЯТТЯ В ПОЛОН ВІЙСЬКОВОПОЛОНЕНОГО", "Держава, від якої залежить військовополонений", "Прізвище", "Імена (повністю)", "Ім’я батька",
		"Дівоче прізвище матері", "Дата народження", "Місце народження", "Військове звання", "Особистий номер", "Адреса родини",
		"Взятий у полон", "Стан здоров’я", "Моя теперішня адреса", "Підпис",
		// French labels of the same fields.
		"CARTE DE CAPTURE DE PRISONNIER DE GUERRE", "Puissance dont le prisonnier dépend", "Nom", "Prénoms (en toutes lettres)", "Prénom du père",
		"Nom de jeune fille de la mère", "Date de naissance", "Lieu de naissance", "Grade", "Numéro matricule", "Adresse de la famille",
		"État de santé", "Mon adresse actuelle", "Signature", "Agence centrale", "Biffer ce qui ne convient pas",
		// The person's values.
		"Україна", "Шевченко", "Тарас Григорович", "Григорій", "Бойко", "09.03.1994", "Моринці, Черкаська обл.", "солдат", "АА-123456",
		"Київ, вул. Хрещатик 1", "Взятий у полон: 11.02.2025", "☒ Легко поранений", "☐ Тяжко поранений", "P-0042", "Табір 3", "15.02.2025",
		"ст. 70 і додаток IV B", "r-held-17",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the card has no %q", want)
		}
	}
	for _, tc := range []struct{ lang, title, field, born string }{
		{"fr", "CARTE DE CAPTURE DE PRISONNIER DE GUERRE", "Puissance dont le prisonnier dépend", "09/03/1994"},
		{"ru", "КАРТОЧКА О ВЗЯТИИ В ПЛЕН ВОЕННОПЛЕННОГО", "Держава, от которой зависит военнопленный", "09.03.1994"},
		{"en", "CAPTURE CARD FOR PRISONER OF WAR", "Power on which the prisoner depends", "9 Mar 1994"},
	} {
		b.Reset()
		if err := report.CaptureCardPDF(&b, sampleCard(tc.lang, "")); err != nil {
			t.Fatal(err)
		}
		text, _ := pdfText(t, b.Bytes())
		for _, want := range []string{tc.title, tc.field, tc.born, "Шевченко"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the card has no %q", tc.lang, want)
			}
		}
		if tc.lang != "uk" && strings.Contains(text, "Прізвище") {
			t.Errorf("%s: a Ukrainian label on a card with no second language", tc.lang)
		}
	}
}

// TestDeathNoticePDF: the death notification (GC III Annex IV D) holds its
// questions in Ukrainian and French with the person's answers.
func TestDeathNoticePDF(t *testing.T) {
	n := report.DeathNotice{Lang: "uk", Second: "fr", RecordID: "r-held-17", Authority: "Національне інформаційне бюро",
		Power: "Україна", Surname: "Шевченко", GivenNames: "Тарас Григорович", FatherName: "Григорій", BirthDate: "1994-03-09",
		BirthPlace: "Моринці", DeathDate: "2025-06-01", DeathPlace: "шпиталь № 2, Ростов", Rank: "солдат", ServiceNumber: "АА-123456",
		IdentityDisc: "АА-123456 О(I) Rh+", FamilyAddress: "Київ, вул. Хрещатик 1", CapturedOn: "2025-02-11", CapturePlace: "Покровськ",
		Cause: "серцева недостатність", Burial: "кладовище Ростова", Grave: "так, ділянка 4, могила 12", Effects: "годинник, лист",
		EffectsAgency: "МКЧХ", Account: "лікар Іваненко", Date: "2025-06-03", Printed: printed}
	var b bytes.Buffer
	if err := report.DeathNoticePDF(&b, n); err != nil {
		t.Fatal(err)
	}
	text, pages := pdfText(t, b.Bytes())
	if pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	for _, want := range []string{
		"ПОВІДОМЛЕННЯ ПРО СМЕРТЬ", "AVIS DE DÉCÈS", "Держава, від якої залежав військовополонений", "Puissance dont le prisonnier dépendait",
		"Прізвище та імена", "Nom et prénoms", "Ім’я батька", "Prénom du père", "Місце і дата народження", "Lieu et date de naissance",
		"Місце і дата смерті", "Lieu et date du décès", "особистому знаку", "plaque d’identité", "Адреса найближчих родичів",
		"Де і коли взятий у полон", "Причина та обставини смерті", "Cause et circonstances de la mort", "Місце поховання", "Lieu de sépulture",
		"Чи позначена могила", "La tombe est-elle marquée", "Підписи та адреси двох свідків", "deux témoins",
		"Національне інформаційне бюро", "Шевченко Тарас Григорович", "Моринці, 09.03.1994", "шпиталь № 2, Ростов, 01.06.2025",
		"солдат · АА-123456 · АА-123456 О(I) Rh+", "Покровськ, 11.02.2025", "серцева недостатність", "кладовище Ростова",
		"так, ділянка 4, могила 12", "годинник, лист", "МКЧХ", "лікар Іваненко", "03.06.2025", "ст. 120 і додаток IV D", "r-held-17",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice has no %q", want)
		}
	}
	// Each language alone: its labels, none of another's.
	for _, lang := range locale.DocLangs {
		n.Lang, n.Second = lang, ""
		b.Reset()
		if err := report.DeathNoticePDF(&b, n); err != nil {
			t.Fatal(err)
		}
		text, _ := pdfText(t, b.Bytes())
		if !strings.Contains(text, strings.Join(strings.Fields(locale.Doc(lang, "death.f09")), " ")) {
			t.Errorf("%s: no %q", lang, locale.Doc(lang, "death.f09"))
		}
		if lang != "fr" && strings.Contains(text, "Lieu de sépulture") {
			t.Errorf("%s: a French label with no second language", lang)
		}
	}
	// The PDF names its title in the document's information.
	if !regexp.MustCompile(`/Title`).Match(b.Bytes()) {
		t.Error("no title in the document's information")
	}
}
