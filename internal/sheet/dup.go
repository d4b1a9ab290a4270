package sheet

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
)

// IdentityKeys returns the keys under which two records are the same
// person for an import: the folded surname, given names, patronymic and
// birth date (when the surname, given name and birth date are known), the
// folded full name and birth date for an unsplit name, and the service
// number with its spaces and dashes dropped. Folding is person.Fold plus
// Latin look-alike letters read as Cyrillic in Cyrillic names.
func IdentityKeys(f *person.Fields) []string {
	var keys []string
	sur, given, patr := f.Surname, f.GivenNames, f.Patronymic
	if sur == "" && f.FullName != "" {
		p := names.Parse(f.FullName)
		sur, given, patr = p.Surname, p.Given, p.Patronymic
	}
	if sur != "" && given != "" && !f.BirthDate.IsZero() {
		keys = append(keys, "n:"+foldName(sur)+"|"+foldName(given)+"|"+foldName(patr)+"|"+f.BirthDate.String())
	}
	if sn := person.FoldCode(f.ServiceNumber); len(sn) >= 3 {
		keys = append(keys, "s:"+sn)
	}
	return keys
}

// homoglyphs maps Latin look-alike letters to Cyrillic ones.
var homoglyphs = strings.NewReplacer("a", "а", "e", "е", "o", "о", "p", "р", "c", "с", "x", "х", "y", "у", "i", "і", "k", "к", "m", "м", "t", "т", "h", "н", "b", "в")

func foldName(s string) string {
	s = person.Fold(s)
	cyr := false
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			cyr = true
			break
		}
	}
	if cyr {
		s = homoglyphs.Replace(s)
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }), "-")
}

// distinct is what tells two people with the same identity key apart: a
// service number, unit, rank or birth date that both give and that
// differ. Namesakes with the same birth date are common (twins, common
// names, a day typed as 01.01), and a row dropped as a duplicate is a
// person missing from an exchange, so any such difference keeps both.
type distinct struct {
	sn, unit, rank, birth string
	who                   string // the person as a duplicate report shows them
}

func distinctOf(f *person.Fields) distinct {
	return distinct{sn: person.FoldCode(f.ServiceNumber), unit: person.FoldCode(f.Unit), rank: foldName(f.Rank),
		birth: f.BirthDate.String(), who: Describe(f)}
}

// differs reports whether a and b are certainly two people.
func (a distinct) differs(b distinct) bool {
	ne := func(x, y string) bool { return x != "" && y != "" && x != y }
	// A partial birth date (1998, 1998-05) agrees with every date inside it.
	birth := a.birth != "" && b.birth != "" && !strings.HasPrefix(a.birth, b.birth) && !strings.HasPrefix(b.birth, a.birth)
	return ne(a.sn, b.sn) || ne(a.unit, b.unit) || ne(a.rank, b.rank) || birth
}

// Describe renders a record as a duplicate report names it: the name,
// the birth date as dd.mm.yyyy, and the service number, unit and rank
// when given.
func Describe(f *person.Fields) string {
	name := f.FullName
	if f.Surname != "" {
		name = strings.Join(strings.Fields(f.Surname+" "+f.GivenNames+" "+f.Patronymic), " ")
	}
	parts := []string{name}
	if !f.BirthDate.IsZero() {
		parts = append(parts, dayFirst(f.BirthDate))
	}
	for _, v := range []string{f.ServiceNumber, f.Unit, f.Rank} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

// Index holds the identity keys and provenance references of a register's
// existing records, to find the rows of a file that are already there.
type Index struct {
	keys map[string][]indexed // key → records
	refs map[string]string    // source ref → record id
}

type indexed struct {
	id string
	distinct
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{keys: map[string][]indexed{}, refs: map[string]string{}} }

// Add indexes one existing record.
func (ix *Index) Add(id string, f *person.Fields, sourceRef string) {
	d := distinctOf(f)
	for _, k := range IdentityKeys(f) {
		ix.keys[k] = append(ix.keys[k], indexed{id: id, distinct: d})
	}
	if sourceRef != "" {
		ix.refs[sourceRef] = id
	}
}

// seenRow is an earlier row of the file kept under a key.
type seenRow struct {
	row int
	distinct
}

// Plan decides which rows to store. A row whose provenance reference is
// already in the register (the same row of the same file, by SHA-256) is
// always skipped: importing a file twice creates nothing the second time.
// A row that is the same person as a record of the register or an earlier
// row of the file is skipped, or kept when keep is true: the same person
// means the same identity key (IdentityKeys) and no service number, unit,
// rank or birth date that both give and that differ. Every such row is
// listed in Report.Duplicates, with both persons described. ix may be nil
// for a file on its own.
// Plan filters f.Rows in place (no copy of 100,000 records): afterwards
// f.Rows holds the rows to store, which it also returns.
func (f *File) Plan(ix *Index, keep bool) []Row {
	if ix == nil {
		ix = NewIndex()
	}
	action := "skip"
	if keep {
		action = "keep"
	}
	seen := map[string][]seenRow{}
	out := f.Rows[:0]
	f.Report.Duplicates = f.Report.Duplicates[:0]
	f.Report.Skipped = 0
	for _, row := range f.Rows {
		d := Duplicate{Sheet: row.Sheet, Row: row.Row}
		keys := IdentityKeys(&row.Fields)
		me := distinctOf(&row.Fields)
		if id, ok := ix.refs[row.Ref]; ok {
			d.Code, d.Of, d.Action = CodeAlreadyImported, id, "skip"
		} else {
		find:
			for _, k := range keys {
				for _, rec := range ix.keys[k] {
					if !me.differs(rec.distinct) {
						d.Code, d.Of, d.Action, d.OfPerson = CodeDuplicateRegister, rec.id, action, rec.who
						break find
					}
				}
				for _, prev := range seen[k] {
					if !me.differs(prev.distinct) {
						d.Code, d.Of, d.OfRow, d.Action, d.OfPerson = CodeDuplicateInFile, fmt.Sprintf("row %d", prev.row), prev.row, action, prev.who
						break find
					}
				}
			}
		}
		if d.Code != "" {
			d.Person = me.who
			f.Report.Duplicates = append(f.Report.Duplicates, d)
			if d.Action == "skip" {
				f.Report.Skipped++
				continue
			}
		}
		for _, k := range keys {
			seen[k] = append(seen[k], seenRow{row: row.Row, distinct: me})
		}
		out = append(out, row)
	}
	clear(f.Rows[len(out):])
	f.Rows = out
	return out
}

// dayFirst writes a full date as dd.mm.yyyy, as the registers write it,
// and a partial one in ISO form.
func dayFirst(d person.Date) string {
	if d.Precision() == "day" {
		return fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year)
	}
	return d.String()
}
