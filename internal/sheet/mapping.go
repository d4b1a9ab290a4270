package sheet

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/handover-project/handover/internal/person"
)

// Mapping overrides header detection for files whose headers the reader
// does not know, or reads wrongly. It is written in TOML:
//
//	sheet = "Лист2"       # optional: the sheet to read
//	header_row = 3        # optional: the row holding the headers
//
//	[columns]             # header text as in the file → field, "note" or "ignore"
//	"Прізвище, ім'я" = "full_name"
//	"Позивний" = "note"
//
//	[letters]             # column letter → field, "note" or "ignore"
//	F = "birth_date"
//
//	[defaults]            # value for a field whose cell is empty or that has no column
//	category = "military"
//	power = "Україна"
//
// Field names are the API's JSON names (surname, given_names, birth_date…).
type Mapping struct {
	Sheet     string            `toml:"sheet"`
	HeaderRow int               `toml:"header_row"`
	Columns   map[string]string `toml:"columns"`
	Letters   map[string]string `toml:"letters"`
	Defaults  map[string]string `toml:"defaults"`
}

var letterRE = regexp.MustCompile(`^[A-Z]{1,3}$`)

// ParseMapping reads a mapping file and checks every name in it.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	md, err := toml.Decode(string(data), &m)
	if err != nil {
		return nil, fileError("mapping", CodeMapping, "the mapping file is not valid TOML: %v", err)
	}
	var bad []string
	for _, k := range md.Undecoded() {
		bad = append(bad, fmt.Sprintf("unknown key %q", k.String()))
	}
	if m.HeaderRow < 0 {
		bad = append(bad, "header_row must be a row number from 1")
	}
	check := func(table, k, v string) {
		if v == "note" || v == "ignore" {
			return
		}
		if fieldColumn(v) == nil {
			bad = append(bad, fmt.Sprintf("[%s] %q = %q: %q is not a field (use e.g. surname, birth_date, note or ignore)", table, k, v, v))
		}
	}
	for k, v := range m.Columns {
		check("columns", k, v)
	}
	cols := map[string]string{}
	for k, v := range m.Columns {
		cols[normHeader(k)] = v
	}
	m.Columns = cols
	letters := map[string]string{}
	for k, v := range m.Letters {
		if !letterRE.MatchString(strings.ToUpper(k)) {
			bad = append(bad, fmt.Sprintf("[letters] %q is not a column letter", k))
		}
		check("letters", k, v)
		letters[strings.ToUpper(k)] = v
	}
	m.Letters = letters
	for k, v := range m.Defaults {
		c := fieldColumn(k)
		if c == nil {
			bad = append(bad, fmt.Sprintf("[defaults] %q is not a field", k))
			continue
		}
		var scratch person.Fields
		if p := setField(&scratch, c, v); p != nil {
			bad = append(bad, fmt.Sprintf("[defaults] %s: %s", k, p.Reason))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fileError("mapping", CodeMapping, "the mapping file is wrong: %s", strings.Join(bad, "; "))
	}
	return &m, nil
}
