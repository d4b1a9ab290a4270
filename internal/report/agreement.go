package report

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/handover-project/handover/internal/errs"
)

// AgreementPrint is an agreement's persons as people, for approvers who
// read and sign on paper first: the same rendering as the agreement page,
// in the reader's language. Every text comes translated: T translates a
// message key of internal/locale (the caller binds the language), the
// group titles, categories and dates come as they are printed.
type AgreementPrint struct {
	Exchange     string
	ExchangeName string
	Version      int
	// Hash is the SHA-256 of the document text, as the page shows it: it
	// is printed on every page.
	Hash    string
	Printed time.Time
	// Problems are the departures of the rendering from the document
	// (exchange.CheckRendering), translated; none: the rendering was
	// checked and is true to the document.
	Problems []string
	// Counts are the persons per party and category, printed as given
	// ("UA: військовий 270, цивільний 120").
	Counts []string
	Groups []AgreementGroup
	T      func(key string, args ...any) string
}

// AgreementGroup is one table of the print: a side's persons of one stage,
// or its reserve.
type AgreementGroup struct {
	Title string
	Rows  []AgreementRow
}

// AgreementRow is one person as printed. A withheld person has only the
// record id and commitment.
type AgreementRow struct {
	Name, Latin, BirthDate, Category, Rank, ServiceNumber string
	RecordID, Commitment                                  string
	Withheld                                              bool
}

// AgreementPDF writes the print: on every page the exchange, the version
// and the document's SHA-256, and "page x of y"; then the result of the
// check against the document, the counts, and a table per group, each row
// with the record id and commitment the document holds under the name.
func AgreementPDF(w io.Writer, a AgreementPrint) error {
	const op = "report.AgreementPDF"
	T := a.T
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(T("agreement.pdf.title", a.Exchange, a.Version), true)
	pdf.SetCreator("handover", true)
	pdf.SetCreationDate(a.Printed)
	pdf.SetModificationDate(a.Printed)
	pdf.AddUTF8FontFromBytes(fontName, "", dejaVuSans)
	pdf.AliasNbPages("{nb}")
	pdf.SetMargins(12, 14, 12)
	pdf.SetAutoPageBreak(true, 20)
	gray := func() { pdf.SetTextColor(90, 90, 90) }
	black := func() { pdf.SetTextColor(0, 0, 0) }
	pdf.SetHeaderFunc(func() {
		pdf.SetFont(fontName, "", 6.5)
		gray()
		pdf.CellFormat(0, 3.5, T("agreement.pdf.head", a.Exchange, a.Version), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 3.5, "SHA-256 "+a.Hash, "", 1, "L", false, 0, "")
		black()
		pdf.Ln(1)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(fontName, "", 6.5)
		gray()
		pdf.CellFormat(0, 4, T("agreement.pdf.page", pdf.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
		black()
	})
	pdf.AddPage()
	pdf.SetFont(fontName, "", 14)
	pdf.MultiCell(0, 7, T("agreement.pdf.title", a.Exchange, a.Version), "", "L", false)
	pdf.SetFont(fontName, "", 9)
	if a.ExchangeName != "" {
		pdf.MultiCell(0, 5, a.ExchangeName, "", "L", false)
	}
	pdf.MultiCell(0, 5, T("agreement.hash")+" "+a.Hash, "", "L", false)
	pdf.MultiCell(0, 5, T("agreement.pdf.printed", a.Printed.UTC().Format("2006-01-02 15:04 UTC")), "", "L", false)
	pdf.Ln(1)
	if len(a.Problems) == 0 {
		pdf.SetTextColor(0, 100, 0)
		pdf.MultiCell(0, 5, T("agreement.checked"), "", "L", false)
	} else {
		pdf.SetTextColor(170, 0, 0)
		pdf.MultiCell(0, 5, T("agreement.checkfailed"), "", "L", false)
		for _, p := range a.Problems {
			pdf.MultiCell(0, 4.5, "• "+p, "", "L", false)
		}
	}
	black()
	pdf.Ln(1)
	for _, c := range a.Counts {
		pdf.MultiCell(0, 5, c, "", "L", false)
	}
	pdf.Ln(2)
	cols := []struct {
		head  string
		width float64
	}{{"№", 8}, {T("field.name") + " · " + T("agreement.latin"), 88}, {T("field.birth_date"), 26}, {T("field.category"), 26}, {T("field.service_number"), 38}}
	header := func(title string) {
		pdf.SetFont(fontName, "", 10)
		pdf.CellFormat(0, 6, title, "", 1, "L", false, 0, "")
		pdf.SetFont(fontName, "", 7)
		pdf.SetFillColor(230, 230, 230)
		for _, c := range cols {
			pdf.CellFormat(c.width, 5.5, fit(pdf, c.head, c.width-1.5), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
	}
	rest := 0.0
	for _, c := range cols[1:] {
		rest += c.width
	}
	for _, g := range a.Groups {
		if pdf.GetY() > 250 {
			pdf.AddPage()
		}
		header(g.Title)
		for i, r := range g.Rows {
			if pdf.GetY() > 262 {
				pdf.AddPage()
				header(g.Title + " " + T("agreement.pdf.continued"))
			}
			name, latin, born, number := r.Name, r.Latin, r.BirthDate, r.ServiceNumber
			if r.Rank != "" {
				number = r.Rank + " " + number
			}
			if r.Withheld {
				name, latin, born, number = T("list.withheld"), "", "", ""
			}
			// The name as registered; under it the Latin form, then the
			// record id and commitment the document holds: what a reader
			// compares with the signed text.
			pdf.SetFont(fontName, "", 8.5)
			vals := []string{fmt.Sprint(i + 1), name, born, r.Category, number}
			for j, c := range cols {
				pdf.CellFormat(c.width, 5, fit(pdf, vals[j], c.width-1.5), "LTR", 0, "L", false, 0, "")
			}
			pdf.Ln(-1)
			pdf.SetFont(fontName, "", 8)
			pdf.CellFormat(cols[0].width, 4, "", "LR", 0, "L", false, 0, "")
			pdf.CellFormat(rest, 4, fit(pdf, latin, rest-1.5), "LR", 1, "L", false, 0, "")
			pdf.SetFont(fontName, "", 6)
			gray()
			pdf.CellFormat(cols[0].width, 3.5, "", "LBR", 0, "L", false, 0, "")
			pdf.CellFormat(rest, 3.5, r.RecordID+"  "+r.Commitment, "LBR", 1, "L", false, 0, "")
			black()
		}
		pdf.Ln(3)
	}
	if err := pdf.Output(w); err != nil {
		return errs.E(op, errs.Internal, "cannot render the agreement", err)
	}
	return nil
}
