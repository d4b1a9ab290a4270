package report

import (
	_ "embed"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// dejaVuSans is DejaVu Sans (Bitstream Vera licence, fonts/LICENSE): the
// font every list is printed in, embedded so that Cyrillic prints the same
// on every machine.
//
//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

const fontName = "DejaVu"

// ListPDF writes side's printed list of a stage in the language l.Lang
// (English when it is none of locale.Langs): a header with the exchange,
// stage, crossing and window; a numbered table of the persons (then the
// reserves), categories and outcomes in words, dates in the language's
// form; the agreement version and hash and "page x of y" on every page;
// and a signature block for the releasing side's officer, the receiving
// side's officer and the mediator's observer on the last page.
func ListPDF(w io.Writer, l List) error {
	const op = "report.ListPDF"
	lang := l.Lang
	if !locale.Valid(lang) {
		lang = "en"
	}
	tr := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(tr("pdf.title", l.Stage, l.Side, l.Receiver), true)
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
		pdf.CellFormat(0, 3.5, tr("pdf.header", l.Exchange, l.AgreementVersion), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 3.5, "SHA-256 "+hash, "", 1, "L", false, 0, "")
		for _, a := range l.Amendments {
			pdf.CellFormat(0, 3.5, tr("pdf.amendment", a), "", 1, "L", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(1)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(fontName, "", 6.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, tr("pdf.footer", l.Stage, l.Side, l.Receiver, hash), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 4, tr("pdf.page", pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pdf.SetFont(fontName, "", 14)
	title := tr("pdf.heading", l.Stage, l.Side, l.Receiver)
	pdf.MultiCell(0, 7, title, "", "L", false)
	pdf.SetFont(fontName, "", 9)
	if l.ExchangeName != "" {
		pdf.MultiCell(0, 5, l.ExchangeName, "", "L", false)
	}
	when := ""
	if !l.Window.Start.IsZero() {
		when = locale.DateTime(lang, l.Window.Start) + " – " + locale.DateTime(lang, l.Window.End) + " UTC"
	}
	pdf.MultiCell(0, 5, tr("pdf.where", l.Crossing, when), "", "L", false)
	main, reserves := 0, 0
	for _, r := range l.Rows {
		if r.Reserve {
			reserves++
		} else {
			main++
		}
	}
	pdf.MultiCell(0, 5, tr("pdf.counts", main, reserves, locale.DateTime(lang, l.Printed)+" UTC"), "", "L", false)
	pdf.Ln(2)

	cols := []struct {
		head  string
		width float64
	}{{tr("pdf.col.no"), 10}, {tr("pdf.col.name"), 62}, {tr("pdf.col.born"), 20}, {tr("pdf.col.category"), 20}, {tr("pdf.col.service"), 24}, {tr("pdf.col.outcome"), 22}, {tr("pdf.col.check"), 28}}
	header := func(label string) {
		pdf.SetFont(fontName, "", 10)
		pdf.CellFormat(0, 6, label, "", 1, "L", false, 0, "")
		pdf.SetFont(fontName, "", 8)
		pdf.SetFillColor(230, 230, 230)
		for _, c := range cols {
			pdf.CellFormat(c.width, 6, fit(pdf, c.head, c.width-1.5), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
	}
	row := func(n int, r ListRow) {
		if pdf.GetY() > 270 {
			pdf.AddPage()
			header(tr("pdf.continued"))
		}
		outcome := ""
		if r.Outcome != "" && r.Outcome != "outstanding" && r.Outcome != "reserve" {
			outcome = word(lang, "outcome.", r.Outcome)
		}
		name, born, number := r.Name, day(lang, r.BirthDate), r.ServiceNumber
		if r.Withheld {
			// The printed list is a paper both sides' officers sign: a
			// withheld person is on it by record id only, whoever prints it.
			name, born, number = tr("pdf.withheld", r.RecordID), "", ""
		}
		if r.Corrected {
			name = "* " + name
		}
		vals := []string{fmt.Sprint(n), name, born, word(lang, "value.", r.Category), number, outcome, ""}
		for i, c := range cols {
			pdf.CellFormat(c.width, 6, fit(pdf, vals[i], c.width-1.5), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	header(tr("pdf.list"))
	n := 0
	for _, r := range l.Rows {
		if !r.Reserve {
			n++
			row(n, r)
		}
	}
	if reserves > 0 {
		pdf.Ln(3)
		header(tr("pdf.reserves"))
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
		pdf.MultiCell(0, 4, tr("pdf.corrected", corrected), "", "L", false)
	}
	if withheld > 0 {
		pdf.Ln(2)
		pdf.MultiCell(0, 4, tr("pdf.withheldnote", withheld, l.Side), "", "L", false)
	}
	// The signature block, kept whole on one page.
	if pdf.GetY() > 230 {
		pdf.AddPage()
	}
	pdf.Ln(6)
	pdf.SetFont(fontName, "", 9)
	pdf.MultiCell(0, 5, tr("pdf.tally", main), "", "L", false)
	pdf.Ln(4)
	for _, who := range []string{tr("pdf.sign.releasing", l.Side), tr("pdf.sign.receiving", l.Receiver), tr("pdf.sign.observer")} {
		pdf.CellFormat(62, 5, fit(pdf, who, 60), "", 0, "L", false, 0, "")
		pdf.CellFormat(62, 5, tr("pdf.sign.name"), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, tr("pdf.sign.signature"), "", 1, "L", false, 0, "")
		pdf.Ln(5)
	}
	if err := pdf.Output(w); err != nil {
		return errs.E(op, errs.Internal, "cannot render the list", err)
	}
	return nil
}

// word is a code of the domain (a category, an outcome) in lang, by its
// message under prefix; a code without one prints as it is.
func word(lang, prefix, code string) string {
	if code == "" || !locale.Has(prefix+code) {
		return code
	}
	return locale.T(lang, prefix+code)
}

// day is a date of a record (1990-05-17, 1990-05 or 1990) in lang's form;
// anything else prints as it is.
func day(lang, s string) string {
	d, err := person.ParseDate(s)
	if err != nil || d.IsZero() {
		return s
	}
	return locale.Day(lang, d.Year, d.Month, d.Day)
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
