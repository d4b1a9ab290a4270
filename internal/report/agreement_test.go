package report_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/report"
)

func sampleAgreement(lang string, n int) report.AgreementPrint {
	a := report.AgreementPrint{Exchange: "ex-1", ExchangeName: "Стамбул, 16 травня 2025", Version: 2, Hash: strings.Repeat("cd", 32),
		Printed: time.Date(2025, 5, 22, 18, 0, 0, 0, time.UTC), Counts: []string{"UA: військовий 60", "RU: військовий 60"},
		T: func(key string, args ...any) string { return locale.T(lang, key, args...) }}
	for _, side := range []string{"UA", "RU"} {
		g := report.AgreementGroup{Title: locale.T(lang, "agreement.stagen", side, 1)}
		for i := range n {
			g.Rows = append(g.Rows, report.AgreementRow{Name: fmt.Sprintf("Шевченко Тарас Григорович %s%d", side, i), Latin: fmt.Sprintf("Shevchenko Taras Hryhorovych %s%d", side, i),
				BirthDate: "09.03.1994", Category: "військовий", ServiceNumber: "АА-123456", RecordID: fmt.Sprintf("r%s%04d", side, i), Commitment: strings.Repeat("0f", 32),
				Withheld: side == "RU" && i == 3})
		}
		a.Groups = append(a.Groups, g)
	}
	return a
}

// TestAgreementPDF: the print of an agreement's persons in Ukrainian: the
// headers, names, record ids and commitments, the check's result, and the
// document hash and page number on every page.
func TestAgreementPDF(t *testing.T) {
	var b bytes.Buffer
	a := sampleAgreement("uk", 60)
	if err := report.AgreementPDF(&b, a); err != nil {
		t.Fatal(err)
	}
	pdf := b.Bytes()
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1))
	if pages < 3 {
		t.Errorf("%d pages for 120 persons, want 3 or more", pages)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI: .ci/run installs it")
		}
		t.Skip("pdftotext not installed")
	}
	f := t.TempDir() + "/agreement.pdf"
	os.WriteFile(f, pdf, 0o644)
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for i, p := range strings.Split(text, "\f")[:pages] {
		if !strings.Contains(p, fmt.Sprintf("Сторінка %d з %d", i+1, pages)) || !strings.Contains(p, "SHA-256 "+a.Hash) {
			t.Errorf("page %d lacks its number or the document hash:\n%s", i+1, p)
		}
	}
	for _, want := range []string{"Угода про обмін ex-1, версія 2: особи", "Звірено з документом", "Ім’я", "Латиницею", "Дата народження", "Особистий номер",
		"UA · етап 1", "Шевченко Тарас Григорович UA0", "Shevchenko Taras Hryhorovych RU59", "rUA0000", strings.Repeat("0f", 32), "09.03.1994"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text has no %q", want)
		}
	}
	if regexp.MustCompile(`RU3\s`).MatchString(text) || !strings.Contains(text, "rRU0003") {
		t.Error("the withheld person's name is printed, or its record id is not")
	}
	// A failed check is printed, with its problems.
	a.Problems = []string{locale.T("uk", "problem.rendering_extra", "rX", "UA")}
	b.Reset()
	if err := report.AgreementPDF(&b, a); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, b.Bytes(), 0o644)
	out, _ = exec.Command(tool, "-layout", f, "-").Output()
	if s := string(out); !strings.Contains(s, "НЕ ПРОЙШЛА") || !strings.Contains(s, "Запис rX (сторона UA) показано") || strings.Contains(s, "Звірено з документом") {
		t.Errorf("the failed check is not printed:\n%.600s", s)
	}
}
