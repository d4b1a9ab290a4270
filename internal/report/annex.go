package report

import (
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// CardHealth are the states of health of the capture card's field 11, in
// the Annex's order (GC III Annex IV B: "(a) Good health — (b) Not
// wounded — (c) Recovered — (d) Convalescent — (e) Sick — (f) Slightly
// wounded — (g) Seriously wounded"; the prisoner strikes out what does
// not apply).
var CardHealth = []string{"good_health", "not_wounded", "recovered", "convalescent", "sick", "slightly_wounded", "seriously_wounded"}

// CaptureCard is what the capture card of a prisoner of war holds (GC III
// Art. 70: within a week of capture, of arrival in a camp, and of every
// transfer or hospitalisation, the prisoner may write it to his family
// and to the Central Prisoners of War Agency, Art. 123). Values are
// printed as given, dates (record dates: 1990-05-17, 1990-05 or 1990) in
// the language's form.
type CaptureCard struct {
	// Lang is the language the card is printed in (locale.DocLangs; any
	// other prints English); Second, when set and another of DocLangs,
	// prints each label again below in that language: the Annex's card
	// is printed in the holding power's language and in French.
	Lang, Second string
	// RecordID is the holding party's record the card is of, printed in
	// the footer.
	RecordID string

	Power            string // 1. the power on which the prisoner depends
	Surname          string // 2. name
	GivenNames       string // 3. first names, in full
	FatherName       string // 4. first name of father
	MotherMaidenName string // after 4: not one of the Annex's fields; registers hold it and it tells namesakes apart
	BirthDate        string // 5.
	BirthPlace       string // 6.
	Rank             string // 7.
	ServiceNumber    string // 8.
	FamilyAddress    string // 9. address of the family
	CapturedOn       string // 10. taken prisoner on (a date), or
	ComingFrom       string // 10. coming from (camp, hospital)
	Health           string // 11. one of CardHealth, or none; anything else prints as it is
	PrisonerNumber   string // 12. my present address: prisoner number
	Camp             string // 12. name of the camp
	Date             string // 13. the card's date
	// Printed is when the card was made, in the footer.
	Printed time.Time
}

// DeathNotice is the death notification of a prisoner of war (GC III
// Art. 120 and Annex IV D), which the bureau forwards to the Central
// Agency (Art. 122). Dates are record dates; every other value prints as
// given.
type DeathNotice struct {
	// Lang and Second as for CaptureCard.
	Lang, Second string
	RecordID     string

	Authority     string // the responsible authority, above the form
	Power         string // the power on which the prisoner depended
	Surname       string
	GivenNames    string
	FatherName    string
	BirthDate     string
	BirthPlace    string
	DeathDate     string
	DeathPlace    string
	Rank          string
	ServiceNumber string
	IdentityDisc  string // what the identity disc says, when not the rank and number alone
	FamilyAddress string // the next of kin's address
	CapturedOn    string // when taken prisoner (a date)
	CapturePlace  string // where taken prisoner
	Cause         string // cause and circumstances of death
	Burial        string // place of burial
	Grave         string // is the grave marked, can the relatives find it (Art. 120(4)–(6))
	Effects       string // personal effects kept or forwarded (Art. 122(9))
	EffectsAgency string // through what agency they are forwarded
	Account       string // a short account by a person who cared for the deceased
	Date          string // the notification's date, beside the authority's seal
	Printed       time.Time
}

// annexDoc is what the two renderers share: an A-format page in DejaVu
// Sans, labels in one or two languages, dates in the language's form.
type annexDoc struct {
	pdf          *fpdf.Fpdf
	lang, second string
}

func newAnnexDoc(orientation, size, lang, second string, printed time.Time, title string) *annexDoc {
	if !locale.ValidDoc(lang) {
		lang = "en"
	}
	if second == lang || !locale.ValidDoc(second) {
		second = ""
	}
	pdf := fpdf.New(orientation, "mm", size, "")
	pdf.SetCreator("handover", true)
	pdf.SetCreationDate(printed)
	pdf.SetModificationDate(printed)
	pdf.AddUTF8FontFromBytes(fontName, "", dejaVuSans)
	pdf.SetMargins(10, 9, 10)
	pdf.SetAutoPageBreak(false, 0)
	d := &annexDoc{pdf: pdf, lang: lang, second: second}
	pdf.SetTitle(d.both(title, " / "), true)
	return d
}

// label is key in the document's language.
func (d *annexDoc) label(key string, args ...any) string { return locale.Doc(d.lang, key, args...) }

// both is key in the language and, when there is one, the second
// language, joined by sep.
func (d *annexDoc) both(key, sep string) string {
	s := d.label(key)
	if d.second != "" {
		s += sep + locale.Doc(d.second, key)
	}
	return s
}

// date is a record date in the document's language: dots in Ukrainian and
// Russian, slashes in French, words in English; anything else as it is.
func (d *annexDoc) date(s string) string {
	if d.lang != "fr" {
		return day(d.lang, s)
	}
	t, err := person.ParseDate(s)
	switch {
	case err != nil || t.IsZero():
		return s
	case t.Month == 0:
		return time.Date(t.Year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")
	case t.Day == 0:
		return time.Date(t.Year, time.Month(t.Month), 1, 0, 0, 0, 0, time.UTC).Format("01/2006")
	}
	return time.Date(t.Year, time.Month(t.Month), t.Day, 0, 0, 0, 0, time.UTC).Format("02/01/2006")
}

// row prints one numbered field: its number and label at the left (the
// second language's label below it, smaller and grey), its value at the
// right above a rule, and returns the row's height.
func (d *annexDoc) row(num, key, value string, labelW, size float64) {
	pdf := d.pdf
	left, _, right, _ := pdf.GetMargins()
	pageW, _ := pdf.GetPageSize()
	valueW := pageW - left - right - labelW - 8
	x, y := left, pdf.GetY()
	lh := size * 0.45
	pdf.SetFont(fontName, "", size)
	lines := pdf.SplitText(d.label(key), labelW)
	var second []string
	if d.second != "" {
		pdf.SetFont(fontName, "", size-1)
		second = pdf.SplitText(locale.Doc(d.second, key), labelW)
	}
	pdf.SetFont(fontName, "", size+0.5)
	values := pdf.SplitText(value, valueW)
	if value == "" {
		values = []string{""}
	}
	h := max(float64(len(lines))*lh+float64(len(second))*(lh-0.4), float64(len(values))*(lh+0.4)) + 1.2

	pdf.SetFont(fontName, "", size)
	pdf.SetXY(x, y)
	pdf.CellFormat(8, lh, num, "", 0, "L", false, 0, "")
	for i, s := range lines {
		pdf.SetXY(x+8, y+float64(i)*lh)
		pdf.CellFormat(labelW, lh, s, "", 0, "L", false, 0, "")
	}
	if len(second) > 0 {
		pdf.SetFont(fontName, "", size-1)
		pdf.SetTextColor(90, 90, 90)
		for i, s := range second {
			pdf.SetXY(x+8, y+float64(len(lines))*lh+float64(i)*(lh-0.4))
			pdf.CellFormat(labelW, lh-0.4, s, "", 0, "L", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.SetFont(fontName, "", size+0.5)
	vx := x + 8 + labelW
	for i, s := range values {
		pdf.SetXY(vx, y+float64(i)*(lh+0.4))
		pdf.CellFormat(valueW, lh+0.4, s, "", 0, "L", false, 0, "")
	}
	pdf.SetDrawColor(150, 150, 150)
	pdf.Line(vx, y+h-0.6, vx+valueW, y+h-0.6)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetXY(x, y+h)
}

// footer prints the law, the record and when it was printed at the foot
// of the page.
func (d *annexDoc) footer(lawKey, recordID string, printed time.Time) {
	pdf := d.pdf
	_, pageH := pdf.GetPageSize()
	pdf.SetXY(10, pageH-9)
	pdf.SetFont(fontName, "", 6)
	pdf.SetTextColor(90, 90, 90)
	when := locale.DateTime("en", printed) + " UTC"
	if d.lang == "uk" || d.lang == "ru" {
		when = locale.DateTime(d.lang, printed) + " UTC"
	}
	pdf.CellFormat(0, 3, d.both(lawKey, " / ")+" · "+d.label("doc.printed", recordID, when), "", 0, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

func (d *annexDoc) output(op string, w io.Writer) error {
	if err := d.pdf.Output(w); err != nil {
		return errs.E(op, errs.Internal, "cannot render the document", err)
	}
	return nil
}

// join joins the non-empty values with sep.
func join(sep string, values ...string) string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return strings.Join(out, sep)
}

// CaptureCardPDF writes the capture card in the layout of GC III Annex
// IV B, on two A6-like pages (A5 landscape): the front, addressed to the
// Central Prisoners of War Agency, and the reverse with the numbered
// fields 1 to 14. A state of health is marked (☒) among the seven the
// Annex lists, the others left open (☐) as struck out.
func CaptureCardPDF(w io.Writer, c CaptureCard) error {
	const op = "report.CaptureCardPDF"
	d := newAnnexDoc("L", "A5", c.Lang, c.Second, c.Printed, "card.title")
	pdf := d.pdf

	// The front.
	pdf.AddPage()
	pdf.SetFont(fontName, "", 10)
	pdf.MultiCell(95, 5, strings.ToUpper(d.both("card.mail", "\n")), "", "L", false)
	pdf.SetFont(fontName, "", 8)
	pdf.MultiCell(95, 4, d.both("card.free", " / "), "", "L", false)
	pdf.Ln(6)
	pdf.SetFont(fontName, "", 13)
	pdf.MultiCell(0, 6.5, strings.ToUpper(d.label("card.title")), "", "C", false)
	if d.second != "" {
		pdf.SetFont(fontName, "", 10)
		pdf.MultiCell(0, 5, strings.ToUpper(locale.Doc(d.second, "card.title")), "", "C", false)
	}
	pdf.Ln(4)
	pdf.SetFont(fontName, "", 7)
	pdf.MultiCell(95, 3.4, d.label("card.important"), "1", "L", false)
	if d.second != "" {
		pdf.Ln(1)
		pdf.SetTextColor(90, 90, 90)
		pdf.MultiCell(95, 3.2, locale.Doc(d.second, "card.important"), "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.SetXY(115, 80)
	pdf.SetFont(fontName, "", 9)
	pdf.MultiCell(85, 4.5, strings.ReplaceAll(d.label("card.agency"), ", ", "\n"), "", "L", false)
	if d.second != "" {
		pdf.SetX(115)
		pdf.SetFont(fontName, "", 7)
		pdf.SetTextColor(90, 90, 90)
		pdf.MultiCell(85, 3.5, locale.Doc(d.second, "card.agency"), "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	d.footer("card.law", c.RecordID, c.Printed)

	// The reverse: the numbered fields.
	pdf.AddPage()
	pdf.SetFont(fontName, "", 7)
	pdf.CellFormat(0, 4, d.both("card.block", " / "), "", 1, "L", false, 0, "")
	pdf.Ln(0.5)
	const lw, size = 62.0, 7.0
	d.row("1.", "card.f01", c.Power, lw, size)
	d.row("2.", "card.f02", c.Surname, lw, size)
	d.row("3.", "card.f03", c.GivenNames, lw, size)
	d.row("4.", "card.f04", c.FatherName, lw, size)
	if c.MotherMaidenName != "" {
		d.row("", "card.f04a", c.MotherMaidenName, lw, size)
	}
	d.row("5.", "card.f05", d.date(c.BirthDate), lw, size)
	d.row("6.", "card.f06", c.BirthPlace, lw, size)
	d.row("7.", "card.f07", c.Rank, lw, size)
	d.row("8.", "card.f08", c.ServiceNumber, lw, size)
	d.row("9.", "card.f09", c.FamilyAddress, lw, size)
	d.row("*10.", "card.f10", join(" · ", labelled(d.label("card.f10.captured"), d.date(c.CapturedOn)), labelled(d.label("card.f10.from"), c.ComingFrom)), lw, size)
	var health []string
	known := false
	for _, h := range CardHealth {
		mark := "☐"
		if h == c.Health {
			mark, known = "☒", true
		}
		health = append(health, mark+" "+d.label("card.health."+h))
	}
	if c.Health != "" && !known {
		health = append(health, "☒ "+c.Health)
	}
	d.row("*11.", "card.f11", strings.Join(health, "  "), lw, size)
	d.row("12.", "card.f12", join(" · ", labelled(d.label("card.f12.number"), c.PrisonerNumber), labelled(d.label("card.f12.camp"), c.Camp)), lw, size)
	d.row("13.", "card.f13", d.date(c.Date), lw, size)
	d.row("14.", "card.f14", "", lw, size)
	pdf.Ln(1)
	pdf.SetFont(fontName, "", 6.5)
	pdf.MultiCell(0, 3, d.both("card.strike", " / "), "", "L", false)
	d.footer("card.law", c.RecordID, c.Printed)
	return d.output(op, w)
}

// labelled is "label: value", or nothing for no value.
func labelled(label, value string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	return label + ": " + value
}

// DeathNoticePDF writes the death notification in the layout of GC III
// Annex IV D on one A4 page: the responsible authority, the fourteen
// questions with their answers, the authority's date, seal and signature,
// and two witnesses.
func DeathNoticePDF(w io.Writer, n DeathNotice) error {
	const op = "report.DeathNoticePDF"
	d := newAnnexDoc("P", "A4", n.Lang, n.Second, n.Printed, "death.title")
	pdf := d.pdf
	pdf.SetMargins(14, 14, 14)
	pdf.AddPage()
	pdf.SetFont(fontName, "", 16)
	pdf.MultiCell(0, 8, strings.ToUpper(d.label("death.title")), "", "C", false)
	if d.second != "" {
		pdf.SetFont(fontName, "", 11)
		pdf.MultiCell(0, 6, strings.ToUpper(locale.Doc(d.second, "death.title")), "", "C", false)
	}
	pdf.Ln(3)
	pdf.SetFont(fontName, "", 11)
	pdf.MultiCell(0, 6, n.Authority, "B", "C", false)
	pdf.SetFont(fontName, "", 7)
	pdf.MultiCell(0, 3.5, d.both("death.authority", " / "), "", "C", false)
	pdf.Ln(4)
	const lw, size = 78.0, 8.5
	d.row("1.", "death.f01", n.Power, lw, size)
	d.row("2.", "death.f02", join(" ", n.Surname, n.GivenNames), lw, size)
	d.row("3.", "death.f03", n.FatherName, lw, size)
	d.row("4.", "death.f04", join(", ", n.BirthPlace, d.date(n.BirthDate)), lw, size)
	d.row("5.", "death.f05", join(", ", n.DeathPlace, d.date(n.DeathDate)), lw, size)
	d.row("6.", "death.f06", join(" · ", n.Rank, n.ServiceNumber, n.IdentityDisc), lw, size)
	d.row("7.", "death.f07", n.FamilyAddress, lw, size)
	d.row("8.", "death.f08", join(", ", n.CapturePlace, d.date(n.CapturedOn)), lw, size)
	d.row("9.", "death.f09", n.Cause, lw, size)
	d.row("10.", "death.f10", n.Burial, lw, size)
	d.row("11.", "death.f11", n.Grave, lw, size)
	d.row("12.", "death.f12", n.Effects, lw, size)
	d.row("13.", "death.f13", n.EffectsAgency, lw, size)
	d.row("14.", "death.f14", n.Account, lw, size)
	pdf.Ln(8)
	y := pdf.GetY()
	pdf.SetFont(fontName, "", 9)
	pdf.SetXY(14, y)
	pdf.CellFormat(80, 5, d.date(n.Date), "B", 0, "L", false, 0, "")
	pdf.SetXY(110, y)
	pdf.CellFormat(86, 5, "", "B", 0, "L", false, 0, "")
	pdf.SetXY(14, y+6)
	pdf.SetFont(fontName, "", 7)
	pdf.MultiCell(80, 3.5, d.both("death.sign", "\n"), "", "L", false)
	pdf.SetXY(110, y+6)
	pdf.MultiCell(86, 3.5, d.both("death.witnesses", "\n"), "", "L", false)
	pdf.SetXY(110, y+16)
	pdf.CellFormat(86, 5, "1.", "B", 2, "L", false, 0, "")
	pdf.Ln(3)
	pdf.SetX(110)
	pdf.CellFormat(86, 5, "2.", "B", 1, "L", false, 0, "")
	d.footer("death.law", n.RecordID, n.Printed)
	return d.output(op, w)
}
