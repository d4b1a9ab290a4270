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

// Index holds the identity keys and provenance references of a register's
// existing records, to find the rows of a file that are already there.
type Index struct {
	keys map[string]string // key → record id
	refs map[string]string // source ref → record id
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{keys: map[string]string{}, refs: map[string]string{}} }

// Add indexes one existing record.
func (ix *Index) Add(id string, f *person.Fields, sourceRef string) {
	for _, k := range IdentityKeys(f) {
		if _, ok := ix.keys[k]; !ok {
			ix.keys[k] = id
		}
	}
	if sourceRef != "" {
		ix.refs[sourceRef] = id
	}
}

// Plan decides which rows to store. A row whose provenance reference is
// already in the register (the same row of the same file, by SHA-256) is
// always skipped: importing a file twice creates nothing the second time.
// A row that is the same person as a record of the register or an earlier
// row of the file is skipped, or kept when keep is true. Every such row is
// listed in Report.Duplicates. ix may be nil for a file on its own.
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
	seen := map[string]int{}
	out := f.Rows[:0]
	f.Report.Duplicates = f.Report.Duplicates[:0]
	f.Report.Skipped = 0
	for _, row := range f.Rows {
		d := Duplicate{Sheet: row.Sheet, Row: row.Row}
		keys := IdentityKeys(&row.Fields)
		if id, ok := ix.refs[row.Ref]; ok {
			d.Code, d.Of, d.Action = CodeAlreadyImported, id, "skip"
		} else {
			for _, k := range keys {
				if id, ok := ix.keys[k]; ok {
					d.Code, d.Of, d.Action = CodeDuplicateRegister, id, action
					break
				}
				if prev, ok := seen[k]; ok {
					d.Code, d.Of, d.Action = CodeDuplicateInFile, fmt.Sprintf("row %d", prev), action
					break
				}
			}
		}
		if d.Code != "" {
			f.Report.Duplicates = append(f.Report.Duplicates, d)
			if d.Action == "skip" {
				f.Report.Skipped++
				continue
			}
		}
		for _, k := range keys {
			if _, ok := seen[k]; !ok {
				seen[k] = row.Row
			}
		}
		out = append(out, row)
	}
	clear(f.Rows[len(out):])
	f.Rows = out
	return out
}
