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

	"github.com/xuri/excelize/v2"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/report"
)

func sampleList(n int) report.List {
	l := report.List{Exchange: "ex-1", ExchangeName: "Стамбул, 16 травня 2025", Stage: 1, Side: "RU", Receiver: "UA", Crossing: "Belarus–Ukraine border",
		Window:           crossing.Window{Start: time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC), End: time.Date(2025, 5, 23, 20, 0, 0, 0, time.UTC)},
		AgreementVersion: 1, AgreementHash: strings.Repeat("ab", 32), Printed: time.Date(2025, 5, 22, 18, 0, 0, 0, time.UTC)}
	for i := range n {
		l.Rows = append(l.Rows, report.ListRow{RecordID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Коваленко Олександр Петрович %d", i), BirthDate: "1990-05-17",
			Category: "military", ServiceNumber: "АА-123456", Reserve: i >= n-3, Outcome: "outstanding"})
	}
	return l
}

// TestListPDF checks the structure of a printed list: the page count, the
// embedded font, the hash and "page x of y" on every page; and, when
// poppler's pdftotext is installed, the Cyrillic text as a reader sees it.
func TestListPDF(t *testing.T) {
	var b bytes.Buffer
	if err := report.ListPDF(&b, sampleList(120)); err != nil {
		t.Fatal(err)
	}
	pdf := b.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1))
	if pages < 3 {
		t.Errorf("%d pages for 120 persons, want 3 or more", pages)
	}
	for _, want := range []string{"/FontFile2", "/BaseFont /utf8dejavu"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("the PDF has no %s: the font is not embedded", want)
		}
	}
	if os.Getenv("HANDOVER_PDF_OUT") != "" {
		os.WriteFile(os.Getenv("HANDOVER_PDF_OUT"), pdf, 0o644)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI: .ci/run installs it")
		}
		t.Log("pdftotext not installed: text not checked")
		return
	}
	f := t.TempDir() + "/list.pdf"
	os.WriteFile(f, pdf, 0o644)
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	perPage := strings.Split(text, "\f")
	for i, p := range perPage[:pages] {
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, pages)) || !strings.Contains(p, strings.Repeat("ab", 32)) {
			t.Errorf("page %d lacks its number or the agreement hash", i+1)
		}
	}
	for _, want := range []string{"Коваленко Олександр Петрович 0", "АА-123456", "Mediator's observer", "Reserve list"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text has no %q", want)
		}
	}
}

// TestListPDFUkrainian: the printed list in Ukrainian has Ukrainian
// headers, categories and outcomes in words (no raw handed_over), dates in
// the Ukrainian form, and "Сторінка x з y" on every page.
func TestListPDFUkrainian(t *testing.T) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI: .ci/run installs it")
		}
		t.Skip("pdftotext not installed")
	}
	l := sampleList(40)
	l.Lang = "uk"
	l.Rows[0].Outcome, l.Rows[1].Outcome, l.Rows[2].Category = "handed_over", "refused", "seriously_wounded_sick"
	l.Rows[3].Withheld = true
	var b bytes.Buffer
	if err := report.ListPDF(&b, l); err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/list.pdf"
	os.WriteFile(f, b.Bytes(), 0o644)
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Етап 1: особи, яких RU звільняє й передає стороні UA", "Пункт пропуску: Belarus–Ukraine border", "23.05.2025 08:00",
		"Прізвище, ім’я, по батькові", "Дата нар.", "Категорія", "Особистий №", "Результат", "Перевірка", "Резервний список",
		"Коваленко Олександр Петрович 0", "17.05.1990", "військовий", "передано", "відмова", "приховано: r3",
		"Спостерігач посередника", "Офіцер сторони, що звільняє (RU)", "Сторінка 1 з ", "Надруковано 22.05.2025 18:00 UTC"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Ukrainian list has no %q", want)
		}
	}
	for _, raw := range []string{"handed_over", "military", "Reserve list", "Page ", "1990-05-17"} {
		if strings.Contains(text, raw) {
			t.Errorf("the Ukrainian list shows %q", raw)
		}
	}
}

func TestXLSX(t *testing.T) {
	sides := map[string]crossing.SideReport{
		"UA": {ByCategory: map[person.Category]crossing.Counts{person.Military: {Planned: 2, HandedOver: 2}}, Total: crossing.Counts{Planned: 2, HandedOver: 2}},
		"RU": {ByCategory: map[person.Category]crossing.Counts{person.Military: {Planned: 2, HandedOver: 1, Refused: 1, Disputed: 1}}, Total: crossing.Counts{Planned: 2, HandedOver: 1, Refused: 1, Disputed: 1}},
	}
	st := report.Stage{Stage: 1, State: "closed", Sides: sides, Discrepancy: "one refusal not balanced",
		Flags: []crossing.Flag{{Side: "RU", Kind: "unlisted", Event: "e9", Category: person.Civilian, Reason: "not on the agreement"},
			{Side: "RU", Kind: "disagreement", Code: crossing.ReceivedButRefused, RecordID: "r2", Event: "e7", Category: person.Military, Reason: "the records disagree"}}}
	x := report.Build("ex-1", 1, "hash", []report.Stage{st})
	if x.Total["RU"].Refused != 1 || x.Total["RU"].Disputed != 1 || len(x.Discrepancies) != 3 || x.Discrepancies[2].Code != crossing.ReceivedButRefused {
		t.Fatalf("report: %+v", x)
	}
	var b bytes.Buffer
	if err := report.XLSX(&b, x, "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Stages")
	if len(rows) != 5 || rows[0][5] != "planned" || rows[1][1] != "closed" || rows[1][4] != "military" {
		t.Fatalf("Stages sheet: %v", rows)
	}
	d, _ := f.GetRows("Discrepancies")
	if len(d) != 4 || d[1][2] != "closed without parity" || d[3][2] != "disagreement" {
		t.Fatalf("Discrepancies sheet: %v", d)
	}

	// In Ukrainian: sheet names, headers, states, categories and kinds in
	// words; the counts stay numbers.
	b.Reset()
	if err := report.XLSX(&b, x, "uk"); err != nil {
		t.Fatal(err)
	}
	if f, err = excelize.OpenReader(&b); err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); strings.Join(got, "|") != "Етапи|Обмін|Розбіжності" {
		t.Errorf("uk sheets %v", got)
	}
	rows, _ = f.GetRows("Етапи")
	if len(rows) != 5 {
		t.Fatalf("uk Stages sheet: %v", rows)
	}
	for i, want := range []string{"етап", "стан", "паритет", "сторона", "категорія", "заплановано", "передано", "відмови"} {
		if rows[0][i] != want {
			t.Errorf("uk header %d = %q, want %q", i, rows[0][i], want)
		}
	}
	if rows[1][1] != "закрито" || rows[1][4] != "військовий" || rows[2][4] != "усього" || rows[1][5] != "2" {
		t.Errorf("uk rows %v", rows[1:3])
	}
	d, _ = f.GetRows("Розбіжності")
	if len(d) != 4 || d[1][2] != "закрито без паритету" || d[2][2] != "немає в угоді" || d[3][2] != "розбіжність" {
		t.Errorf("uk Discrepancies sheet: %v", d)
	}
	for _, r := range append(rows, d...) {
		for _, c := range r {
			if strings.Contains(c, "_") {
				t.Errorf("uk cell %q is a raw code", c)
			}
		}
	}
}

// TestXLSXParts: a stage of the 19 April 2025 shape reports each part's
// parity (246 for 246 N for N, the wounded 31 and 15 without numeric
// parity) on a "Parts" sheet, and the exchange report sums the parts.
func TestXLSXParts(t *testing.T) {
	parts := []crossing.PartReport{
		{ID: "pow", Rule: "n_for_n", Categories: []person.Category{person.Military}, Parity: true,
			Sides: map[string]crossing.Counts{"UA": {Planned: 246, HandedOver: 246}, "RU": {Planned: 246, HandedOver: 246}}},
		{ID: "wounded", Rule: "all_for_all", Categories: []person.Category{person.SeriouslyWoundedSick}, Parity: false, Blockers: []string{"RU seriously_wounded_sick: 1 left to balance"},
			Sides: map[string]crossing.Counts{"UA": {Planned: 31, HandedOver: 31}, "RU": {Planned: 15, HandedOver: 14, NotPresented: 1}}},
	}
	st := report.StageOf("BY-UA", crossing.Report{Stage: 1, State: "open", Parts: parts}, crossing.StageSummary{Stage: 1})
	x := report.Build("ex-2025-04-19", 1, "hash", []report.Stage{st})
	if len(x.Parts) != 2 || x.Parts[1].ID != "wounded" || x.Parts[1].Sides["UA"].HandedOver != 31 || x.Parts[1].Sides["RU"].HandedOver != 14 {
		t.Fatalf("exchange parts: %+v", x.Parts)
	}
	var b bytes.Buffer
	if err := report.XLSX(&b, x, "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Parts")
	if err != nil {
		t.Fatal(err)
	}
	all := "all for all, regardless of number (GC III Art. 109(1))"
	want := [][]string{{"1", "pow", "N for N", "TRUE", "RU", "246", "246"}, {"1", "pow", "N for N", "TRUE", "UA", "246", "246"},
		{"1", "wounded", all, "FALSE", "RU", "15", "14"}, {"1", "wounded", all, "FALSE", "UA", "31", "31"}}
	if len(rows) != 5 {
		t.Fatalf("Parts sheet: %v", rows)
	}
	for i, w := range want {
		if got := rows[i+1][:7]; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("Parts row %d: %v, want %v", i+1, got, w)
		}
	}
}
