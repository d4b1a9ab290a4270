package match

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/handover-project/handover/internal/errs"
)

// Comparison names how a field's two values are compared and which levels
// the comparison has.
type Comparison string

// Comparisons. Levels are listed best first; "missing" (either value empty)
// is not a level: it carries weight 0.
const (
	// CompareName: exact, normalised, equivalent (same name across scripts or
	// Ukrainian/Russian forms), similar (Jaro–Winkler ≥ Thresholds[0]),
	// close (≥ Thresholds[1]), initial, swapped (given and surname
	// exchanged), different.
	CompareName Comparison = "name"
	// CompareDate: exact, partial (one side partial, known parts agree),
	// swapped (day and month), typo (one digit off or two transposed),
	// year (same year only), different.
	CompareDate Comparison = "date"
	// CompareCode (service numbers, postcodes, document numbers): exact
	// after homoglyph and separator folding, digits (same digits, letters
	// differ), typo (one edit), different.
	CompareCode Comparison = "code"
	// CompareUnit is CompareCode after dropping "в/ч", "military unit" and
	// similar prefixes.
	CompareUnit Comparison = "unit"
	// CompareText (places, addresses, ranks): exact, equivalent (same key
	// across scripts), similar (≥ Thresholds[0]), close (≥ Thresholds[1]),
	// different.
	CompareText Comparison = "text"
	// CompareExact: exact (after trimming and case folding), different.
	CompareExact Comparison = "exact"
)

// Levels returns the level names of c, best first.
func (c Comparison) Levels() []string {
	switch c {
	case CompareName:
		return []string{"exact", "normalised", "equivalent", "similar", "close", "initial", "swapped", "different"}
	case CompareDate:
		return []string{"exact", "partial", "swapped", "typo", "year", "different"}
	case CompareCode, CompareUnit:
		return []string{"exact", "digits", "typo", "different"}
	case CompareText:
		return []string{"exact", "equivalent", "similar", "close", "different"}
	case CompareExact:
		return []string{"exact", "different"}
	}
	return nil
}

// Field configures one compared field.
type Field struct {
	// Name is the field's name in explanations and in Record.Values order.
	Name string `toml:"name" json:"name"`
	// Column is the input column (header name); defaults to Name.
	Column string `toml:"column" json:"column,omitempty"`
	// Compare is the comparison.
	Compare Comparison `toml:"compare" json:"compare"`
	// Part is the name part for CompareName and CompareText: "surname",
	// "given", "patronymic", "place" or "" (plain text).
	Part string `toml:"part" json:"part,omitempty"`
	// TF turns on term-frequency adjustment: agreeing on a common value
	// counts for less than agreeing on a rare one.
	TF bool `toml:"tf" json:"tf,omitempty"`
	// Thresholds are the Jaro–Winkler thresholds of the "similar" and
	// "close" levels; default 0.92 and 0.80.
	Thresholds []float64 `toml:"thresholds" json:"thresholds,omitempty"`
}

// BlockRule is one blocking rule: two records are compared when they share
// a key built from all the terms of one rule. A term is "field:transform"
// where transform is one of key (name keys across scripts; the normalised
// value for non-name fields), exact, year, date (full dates only), digits,
// initial (first letter of the name's skeleton), or prefixN (first N
// characters of a name's skeleton or of another field's normalised value,
// N in 1..9). Unordered rules sort
// their term keys before hashing (at most four terms), so that a rule on
// surname and given name also catches the two exchanged.
type BlockRule struct {
	Name      string   `toml:"name" json:"name"`
	On        []string `toml:"on" json:"on"`
	Unordered bool     `toml:"unordered" json:"unordered,omitempty"`
}

// Label is a reviewer's decision on a pair, used to refine the model.
type Label struct {
	LeftID  string `toml:"left_id" json:"left_id"`
	RightID string `toml:"right_id" json:"right_id"`
	Match   bool   `toml:"match" json:"match"`
}

// Config configures linkage. The zero value is not usable: start from
// DefaultConfig or ParseConfig.
type Config struct {
	// ID is the input column holding record ids (default "id").
	ID string `toml:"id" json:"id"`
	// FullName is the input column that may hold a whole name instead of
	// the separate name fields (default "full_name").
	FullName string `toml:"full_name" json:"full_name"`
	// Fields are the compared fields; Record.Values follow their order.
	Fields []Field `toml:"field" json:"fields"`
	// Blocks are the blocking rules (union).
	Blocks []BlockRule `toml:"block" json:"blocks"`
	// Swap names two name fields (usually surname and given name) that
	// clerks sometimes exchange; a pair whose values agree crosswise gets
	// the "swapped" level on both.
	Swap []string `toml:"swap" json:"swap,omitempty"`
	// Apart lists sets of fields that, when every one of them is known on
	// both sides and disagrees outright (level "different"), keep a pair
	// apart whatever its score: two men with the same name born in
	// different years in different towns are two men.
	Apart [][]string `toml:"apart" json:"apart,omitempty"`
	// Threshold is the least score (match probability) of a reported pair.
	Threshold float64 `toml:"threshold" json:"threshold"`
	// MaxBlock is the largest number of records sharing one blocking key
	// on the right side that is still compared; larger blocks are skipped
	// for that rule and counted in Stats.SkippedKeys (other rules still
	// apply). Default 500.
	MaxBlock int `toml:"max_block" json:"max_block"`
	// Iterations bounds EM (default 40).
	Iterations int `toml:"iterations" json:"iterations"`
	// Workers is the number of goroutines (default: all cores).
	Workers int `toml:"workers" json:"workers,omitempty"`
	// Labels refine m and u when reviewers have decided some pairs.
	Labels []Label `toml:"label" json:"labels,omitempty"`
}

// DefaultThreshold is the default least match probability of a reported pair.
const DefaultThreshold = 0.5

// DefaultConfig returns the configuration for handover's person columns:
// id, surname, given_name, patronymic, birth_date, birth_place,
// service_number, unit, rank (and full_name).
func DefaultConfig() Config {
	c := Config{
		ID:       "id",
		FullName: "full_name",
		Fields: []Field{
			{Name: "surname", Compare: CompareName, Part: "surname", TF: true},
			{Name: "given_name", Compare: CompareName, Part: "given", TF: true},
			{Name: "patronymic", Compare: CompareName, Part: "patronymic", TF: true},
			{Name: "birth_date", Compare: CompareDate},
			{Name: "birth_place", Compare: CompareText, Part: "place"},
			{Name: "service_number", Compare: CompareCode},
			{Name: "unit", Compare: CompareUnit},
			{Name: "rank", Compare: CompareText},
		},
		Blocks: []BlockRule{
			{Name: "names", On: []string{"surname:key", "given_name:key"}, Unordered: true},
			{Name: "surname_date", On: []string{"surname:key", "birth_date:date"}},
			{Name: "surname_patronymic_year", On: []string{"surname:key", "patronymic:key", "birth_date:year"}},
			{Name: "given_date", On: []string{"given_name:key", "birth_date:date"}},
			{Name: "given_patronymic_year", On: []string{"given_name:key", "patronymic:key", "birth_date:year", "surname:initial"}},
			{Name: "service_number", On: []string{"service_number:digits"}},
			{Name: "date_initials", On: []string{"birth_date:date", "surname:initial", "given_name:initial"}, Unordered: true},
			{Name: "unit_surname", On: []string{"unit:exact", "surname:key"}},
			{Name: "unit_given_initial", On: []string{"unit:exact", "given_name:key", "surname:initial"}},
		},
		Swap:       []string{"surname", "given_name"},
		Apart:      [][]string{{"birth_date", "birth_place"}, {"birth_date", "service_number"}},
		Threshold:  DefaultThreshold,
		MaxBlock:   500,
		Iterations: 40,
	}
	if err := c.Validate(); err != nil {
		panic("match: invalid default config: " + err.Error())
	}
	return c
}

// ParseConfig reads a TOML configuration. Settings it leaves out take their
// values from DefaultConfig; if it lists fields, its fields and blocking
// rules replace the default ones entirely.
func ParseConfig(data []byte) (Config, error) {
	const op = "match.ParseConfig"
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return Config{}, errs.E(op, errs.Invalid, "config: "+err.Error())
	}
	if und := md.Undecoded(); len(und) > 0 {
		return Config{}, errs.E(op, errs.Invalid, fmt.Sprintf("config: unknown setting %q", und[0].String()))
	}
	d := DefaultConfig()
	if len(c.Fields) == 0 {
		c.Fields, c.Blocks = d.Fields, d.Blocks
		if c.Swap == nil {
			c.Swap = d.Swap
		}
		if c.Apart == nil {
			c.Apart = d.Apart
		}
	}
	if c.ID == "" {
		c.ID = d.ID
	}
	if c.FullName == "" {
		c.FullName = d.FullName
	}
	if !md.IsDefined("threshold") {
		c.Threshold = d.Threshold
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks c and fills defaults for zero settings.
func (c *Config) Validate() error {
	const op = "match.Config"
	bad := func(format string, args ...any) error {
		return errs.E(op, errs.Invalid, "config: "+fmt.Sprintf(format, args...))
	}
	if len(c.Fields) == 0 {
		return bad("no fields")
	}
	if len(c.Fields) > 15 {
		return bad("at most 15 fields, got %d", len(c.Fields))
	}
	seen := map[string]bool{}
	for i := range c.Fields {
		f := &c.Fields[i]
		if f.Name == "" {
			return bad("field %d has no name", i+1)
		}
		if seen[f.Name] {
			return bad("field %q listed twice", f.Name)
		}
		seen[f.Name] = true
		if f.Column == "" {
			f.Column = f.Name
		}
		if f.Compare.Levels() == nil {
			return bad("field %q: unknown comparison %q (want name, date, code, unit, text or exact)", f.Name, f.Compare)
		}
		switch f.Part {
		case "", "surname", "given", "patronymic", "place":
		default:
			return bad("field %q: unknown part %q (want surname, given, patronymic or place)", f.Name, f.Part)
		}
		if len(f.Thresholds) == 0 {
			f.Thresholds = []float64{0.92, 0.80}
		}
		if len(f.Thresholds) != 2 || f.Thresholds[0] < f.Thresholds[1] {
			return bad("field %q: thresholds must be two numbers, the first the larger", f.Name)
		}
	}
	if len(c.Blocks) == 0 {
		return bad("no blocking rules")
	}
	for _, b := range c.Blocks {
		if len(b.On) == 0 {
			return bad("blocking rule %q has no terms", b.Name)
		}
		for _, t := range b.On {
			if _, _, err := c.parseTerm(t); err != nil {
				return bad("blocking rule %q: %v", b.Name, err)
			}
		}
	}
	if len(c.Swap) != 0 {
		if len(c.Swap) != 2 {
			return bad("swap must name two fields")
		}
		for _, s := range c.Swap {
			i := c.index(s)
			if i < 0 || c.Fields[i].Compare != CompareName {
				return bad("swap: %q is not a name field", s)
			}
		}
	}
	for _, a := range c.Apart {
		if len(a) == 0 {
			return bad("apart: empty field list")
		}
		for _, name := range a {
			if c.index(name) < 0 {
				return bad("apart: no field %q", name)
			}
		}
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		return bad("threshold must be in 0..1")
	}
	if c.MaxBlock <= 0 {
		c.MaxBlock = 500
	}
	if c.Iterations <= 0 {
		c.Iterations = 40
	}
	return nil
}

// index returns the position of field name, or -1.
func (c *Config) index(name string) int {
	for i, f := range c.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Index returns the position of the named field in Fields (and so in
// Record.Values), or -1.
func (c Config) Index(name string) int { return c.index(name) }

type transform uint8

const (
	tKey transform = iota
	tExact
	tYear
	tDate
	tDigits
	tInitial
	tPrefix // + n
)

func (c *Config) parseTerm(t string) (field int, tr transform, err error) {
	name, how, ok := strings.Cut(t, ":")
	if !ok {
		how = "key"
	}
	field = c.index(name)
	if field < 0 {
		return 0, 0, fmt.Errorf("term %q: no field %q", t, name)
	}
	switch how {
	case "key":
		tr = tKey
	case "exact":
		tr = tExact
	case "year":
		tr = tYear
	case "date":
		tr = tDate
	case "digits":
		tr = tDigits
	case "initial":
		tr = tInitial
	default:
		if len(how) == 7 && strings.HasPrefix(how, "prefix") && how[6] >= '1' && how[6] <= '9' {
			return field, tPrefix + transform(how[6]-'0'), nil
		}
		return 0, 0, fmt.Errorf("term %q: unknown transform %q", t, how)
	}
	if (tr == tYear || tr == tDate) && c.Fields[field].Compare != CompareDate {
		return 0, 0, fmt.Errorf("term %q: %s needs a date field", t, how)
	}
	return field, tr, nil
}
