package sheet

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/errs"
)

// EnquiryRow is one enquiry of a file of a bureau's existing enquiries
// (docs/design/tracing.md): about which sought record, and the enquiry.
type EnquiryRow struct {
	Row     int
	Record  string
	Enquiry casework.Enquiry
}

// enquiryColumns are the headers of a file of enquiries, folded as
// normHeader folds them, in Ukrainian, Russian and English.
var enquiryColumns = map[string][]string{
	"record":       {"record", "record id", "id", "id запису", "ід запису", "запис", "id записи", "запись"},
	"name":         {"enquirer", "name", "enquirer name", "заявник", "піб заявника", "хто звернувся", "заявитель", "фио заявителя", "кто обратился"},
	"relationship": {"relationship", "ступінь спорідненості", "ким доводиться", "спорідненість", "родство", "степень родства", "кем приходится"},
	"reach":        {"reach", "contact", "how to reach", "контакти", "контакт", "телефон", "контакты", "как связаться", "як зв язатися"},
	"consent":      {"consent", "згода", "згода на передачу контактів", "согласие", "согласие на передачу контактов"},
	"date":         {"date", "дата", "дата звернення", "дата обращения"},
	"note":         {"note", "notes", "примітка", "примітки", "примечание", "примечания"},
}

// relationshipWords are the words a relationship is written with.
var relationshipWords = map[string]casework.Relationship{
	"мати": casework.RelParent, "батько": casework.RelParent, "мать": casework.RelParent, "отец": casework.RelParent,
	"mother": casework.RelParent, "father": casework.RelParent,
	"дружина": casework.RelSpouse, "чоловік": casework.RelSpouse, "жена": casework.RelSpouse, "муж": casework.RelSpouse,
	"wife": casework.RelSpouse, "husband": casework.RelSpouse,
	"син": casework.RelChild, "донька": casework.RelChild, "дочка": casework.RelChild, "сын": casework.RelChild, "дочь": casework.RelChild,
	"son": casework.RelChild, "daughter": casework.RelChild,
	"брат": casework.RelSibling, "сестра": casework.RelSibling, "brother": casework.RelSibling, "sister": casework.RelSibling,
	"родич": casework.RelRelative, "родичка": casework.RelRelative, "родственник": casework.RelRelative, "родственница": casework.RelRelative,
	"бабуся": casework.RelRelative, "дідусь": casework.RelRelative, "бабушка": casework.RelRelative, "дедушка": casework.RelRelative,
	"тітка": casework.RelRelative, "дядько": casework.RelRelative, "тетя": casework.RelRelative, "дядя": casework.RelRelative,
	"частина": casework.RelUnit, "військова частина": casework.RelUnit, "в/ч": casework.RelUnit, "часть": casework.RelUnit,
	"воинская часть": casework.RelUnit,
	"інше":           casework.RelOther, "другое": casework.RelOther, "інший": casework.RelOther, "другой": casework.RelOther,
}

// yesNo reads a consent cell; ok is false for a word it does not know.
func yesNo(s string) (v, ok bool) {
	switch normValue(s) {
	case "так", "да", "yes", "y", "true", "1", "+", "є", "есть":
		return true, true
	case "", "ні", "нет", "no", "n", "false", "0", "-", "немає", "нема":
		return false, true
	}
	return false, false
}

// ReadEnquiries reads a file of enquiries (XLSX or CSV, through the same
// sources and bounds as Read; dates through ParseDate) with a header row
// naming at least the record and the enquirer. It returns every row, or
// an errs.Invalid error whose field errors name each problem's row and
// column: the caller stores nothing then.
func ReadEnquiries(ctx context.Context, name string, data []byte, opt Options) ([]EnquiryRow, error) {
	const op = "sheet.ReadEnquiries"
	name = filepath.Base(name)
	lim := opt.Limits.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.MaxDuration)
	defer cancel()
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, fileError(name, CodeFileTooLarge, "the file is %d bytes, more than the limit of %d bytes", len(data), lim.MaxFileBytes)
	}
	if len(data) == 0 {
		return nil, fileError(name, CodeNotSpreadsheet, "the file is empty")
	}
	var rep Report
	src, done, err := openSource(ctx, name, data, opt.Sheet, opt.Encoding, lim, &rep)
	if err != nil {
		return nil, err
	}
	defer done()
	cols := map[string]int{}
	var out []EnquiryRow
	var bad []errs.FieldError
	where := func(row int) string { return fmt.Sprintf("%s, row %d", name, row) }
	for rows := 0; ; rows++ {
		if err := ctx.Err(); err != nil {
			return nil, Stopped(name, lim, err)
		}
		n, cells, ok := src.Next()
		if !ok {
			break
		}
		if rows >= lim.MaxRows {
			return nil, fileError(name, CodeTooManyRows, "more than %d rows", lim.MaxRows)
		}
		if len(cols) == 0 {
			if rows < headerScan {
				cols = enquiryHeader(cells)
			}
			continue
		}
		cell := func(col string) string {
			if i, ok := cols[col]; ok && i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		for _, c := range cells {
			if len([]rune(c)) > lim.MaxCellChars {
				return nil, fileError(name, CodeCellTooLong, "row %d: a cell longer than %d characters", n, lim.MaxCellChars)
			}
		}
		r := EnquiryRow{Row: n, Record: cell("record"), Enquiry: casework.Enquiry{Name: cell("name"), Reach: cell("reach"), Note: cell("note"),
			Source: where(n)}}
		if r.Record == "" {
			bad = append(bad, errs.FieldError{Field: "record", Where: where(n), Message: "required", Code: "required"})
		}
		if v := cell("relationship"); v != "" {
			rel, ok := relationshipWords[normValue(v)]
			if !ok && casework.Relationship(normValue(v)).Valid() {
				rel, ok = casework.Relationship(normValue(v)), true
			}
			if !ok {
				bad = append(bad, errs.FieldError{Field: "relationship", Where: where(n), Message: fmt.Sprintf("%q is not a relationship", v), Args: []string{v}, Code: "case_bad_relationship"})
			}
			r.Enquiry.Relationship = rel
		} else {
			r.Enquiry.Relationship = casework.RelOther
		}
		consent, ok := yesNo(cell("consent"))
		if !ok {
			bad = append(bad, errs.FieldError{Field: "consent", Where: where(n), Message: fmt.Sprintf("%q is not yes or no", cell("consent")), Args: []string{cell("consent")}, Code: "case_bad_consent"})
		}
		r.Enquiry.Consent = consent
		if d, err := ParseDate(cell("date")); err != nil {
			bad = append(bad, errs.FieldError{Field: "date", Where: where(n), Message: err.Error(), Args: []string{cell("date")}, Code: dateCode(err)})
		} else {
			r.Enquiry.Date = d
		}
		out = append(out, r)
	}
	if err := src.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fileError(name, CodeNoHeader, "no header row naming the record and the enquirer (record, enquirer, relationship, reach, consent, date, note)")
	}
	if len(bad) > 0 {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s: %d problems: nothing was imported", name, len(bad)), bad)
	}
	return out, nil
}

// enquiryHeader returns the columns of a header row of enquiries, or nil
// when the row does not name both the record and the enquirer.
func enquiryHeader(cells []string) map[string]int {
	cols := map[string]int{}
	for i, c := range cells {
		h := normHeader(c)
		for col, names := range enquiryColumns {
			for _, n := range names {
				if h == n {
					if _, dup := cols[col]; !dup {
						cols[col] = i
					}
				}
			}
		}
	}
	if _, ok := cols["record"]; !ok {
		return map[string]int{}
	}
	if _, ok := cols["name"]; !ok {
		return map[string]int{}
	}
	return cols
}

// dateCode is the problem code of a date ParseDate refused.
func dateCode(err error) string {
	if de, ok := err.(*DateError); ok {
		return de.Code
	}
	return CodeDateFormat
}
