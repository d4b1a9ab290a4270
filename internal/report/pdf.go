package report

import (
	_ "embed"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"

	"github.com/handover-project/handover/internal/errs"
)

// dejaVuSans is DejaVu Sans (Bitstream Vera licence, fonts/LICENSE): the
// font every list is printed in, embedded so that Cyrillic prints the same
// on every machine.
//
//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

const fontName = "DejaVu"

// ListPDF writes side's printed list of a stage: a header with the
// exchange, stage, crossing and window; a numbered table of the persons
// (then the reserves); the agreement version and hash and "page x of y" on
// every page; and a signature block for the releasing side's officer, the
// receiving side's officer and the mediator's observer on the last page.
func ListPDF(w io.Writer, l List) error {
	const op = "report.ListPDF"
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("Stage %d, %s → %s", l.Stage, l.Side, l.Receiver), true)
	pdf.SetCreator("handover", true)
	pdf.SetCreationDate(l.Printed)
	pdf.SetModificationDate(l.Printed)
	pdf.AddUTF8FontFromBytes(fontName, "", dejaVuSans)
	pdf.AliasNbPages("{nb}")
	pdf.SetMargins(12, 14, 12)
	pdf.SetAutoPageBreak(true, 20)
	hash := l.AgreementHash
	pdf.SetHeaderFunc(func() {
		pdf.SetFont(fontName, "", 6.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 3.5, fmt.Sprintf("Exchange %s · agreement version %d", l.Exchange, l.AgreementVersion), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 3.5, "SHA-256 "+hash, "", 1, "L", false, 0, "")
		for _, a := range l.Amendments {
			pdf.CellFormat(0, 3.5, "Persons as frozen by amendment: agreement version "+a, "", 1, "L", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(1)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(fontName, "", 6.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("Stage %d · %s → %s · agreement %s", l.Stage, l.Side, l.Receiver, hash), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pdf.SetFont(fontName, "", 14)
	title := fmt.Sprintf("Stage %d: persons released by %s to %s", l.Stage, l.Side, l.Receiver)
	pdf.MultiCell(0, 7, title, "", "L", false)
	pdf.SetFont(fontName, "", 9)
	if l.ExchangeName != "" {
		pdf.MultiCell(0, 5, l.ExchangeName, "", "L", false)
	}
	when := ""
	if !l.Window.Start.IsZero() {
		when = l.Window.Start.UTC().Format("2006-01-02 15:04") + " – " + l.Window.End.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	pdf.MultiCell(0, 5, fmt.Sprintf("Crossing point: %s    Window: %s", l.Crossing, when), "", "L", false)
	main, reserves := 0, 0
	for _, r := range l.Rows {
		if r.Reserve {
			reserves++
		} else {
			main++
		}
	}
	pdf.MultiCell(0, 5, fmt.Sprintf("%d persons on the list, %d on the reserve list. Printed %s.", main, reserves, l.Printed.UTC().Format("2006-01-02 15:04 UTC")), "", "L", false)
	pdf.Ln(2)

	cols := []struct {
		head  string
		width float64
	}{{"No.", 10}, {"Name", 62}, {"Born", 20}, {"Category", 20}, {"Service no.", 24}, {"Outcome", 22}, {"Check", 28}}
	header := func(label string) {
		pdf.SetFont(fontName, "", 10)
		pdf.CellFormat(0, 6, label, "", 1, "L", false, 0, "")
		pdf.SetFont(fontName, "", 8)
		pdf.SetFillColor(230, 230, 230)
		for _, c := range cols {
			pdf.CellFormat(c.width, 6, c.head, "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
	}
	row := func(n int, r ListRow) {
		if pdf.GetY() > 270 {
			pdf.AddPage()
			header("(continued)")
		}
		outcome := r.Outcome
		if outcome == "outstanding" || outcome == "reserve" {
			outcome = ""
		}
		name, born, number := r.Name, r.BirthDate, r.ServiceNumber
		if r.Withheld {
			// The printed list is a paper both sides' officers sign: a
			// withheld person is on it by record id only, whoever prints it.
			name, born, number = "withheld: "+r.RecordID, "", ""
		}
		if r.Corrected {
			name = "* " + name
		}
		vals := []string{fmt.Sprint(n), name, born, r.Category, number, outcome, ""}
		for i, c := range cols {
			pdf.CellFormat(c.width, 6, fit(pdf, vals[i], c.width-1.5), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	header("List")
	n := 0
	for _, r := range l.Rows {
		if !r.Reserve {
			n++
			row(n, r)
		}
	}
	if reserves > 0 {
		pdf.Ln(3)
		header("Reserve list")
		n = 0
		for _, r := range l.Rows {
			if r.Reserve {
				n++
				row(n, r)
			}
		}
	}
	// What the officers must know about the rows: persons corrected after
	// signing, persons withheld.
	corrected, withheld := 0, 0
	for _, r := range l.Rows {
		if r.Corrected {
			corrected++
		}
		if r.Withheld {
			withheld++
		}
	}
	pdf.SetFont(fontName, "", 8)
	if corrected > 0 {
		pdf.Ln(2)
		pdf.MultiCell(0, 4, fmt.Sprintf("* %d record(s) corrected after signing: printed as signed; such a person does not count toward parity until an amendment of the agreement is signed, or a reserve crosses in their place.", corrected), "", "L", false)
	}
	if withheld > 0 {
		pdf.Ln(2)
		pdf.MultiCell(0, 4, fmt.Sprintf("%d person(s) withheld by %s (transmission detrimental, GC III Art. 123): only the record id is printed, for both sides; %s's officer checks them against %s's own list, with the mediator's observer.", withheld, l.Side, l.Side, l.Side), "", "L", false)
	}
	// The signature block, kept whole on one page.
	if pdf.GetY() > 230 {
		pdf.AddPage()
	}
	pdf.Ln(6)
	pdf.SetFont(fontName, "", 9)
	pdf.MultiCell(0, 5, fmt.Sprintf("Handed over: ____ of %d listed, ____ from the reserve. Refused: ____. Not presented: ____.", main), "", "L", false)
	pdf.Ln(4)
	for _, who := range []string{"Releasing side (" + l.Side + ") officer", "Receiving side (" + l.Receiver + ") officer", "Mediator's observer"} {
		pdf.CellFormat(62, 5, who, "", 0, "L", false, 0, "")
		pdf.CellFormat(62, 5, "Name: ______________________", "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, "Signature: ______________", "", 1, "L", false, 0, "")
		pdf.Ln(5)
	}
	if err := pdf.Output(w); err != nil {
		return errs.E(op, errs.Internal, "cannot render the list", err)
	}
	return nil
}

// fit shortens s with an ellipsis until it fits in width mm.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
