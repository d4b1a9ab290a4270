package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

type serverFlags struct {
	server, token string
	getenv        func(string) string
}

// addServerFlags binds --server and --token. The token's default is read
// from HANDOVER_TOKEN only when the client is made, after parsing: a
// secret is never a flag's default, which --help and the usage printed
// after a mistyped flag would show.
func (m *Main) addServerFlags(fs *flag.FlagSet) *serverFlags {
	sf := &serverFlags{getenv: m.Getenv}
	fs.StringVar(&sf.server, "server", m.Getenv("HANDOVER_SERVER"), "server URL (env HANDOVER_SERVER)")
	fs.StringVar(&sf.token, "token", "", "API token (default: env HANDOVER_TOKEN)")
	return sf
}

func (sf *serverFlags) client() (*client.Client, error) {
	if sf.token == "" && sf.getenv != nil {
		sf.token = sf.getenv("HANDOVER_TOKEN")
	}
	return client.New(sf.server, sf.token)
}

// parse parses a data command's flags, checks that exactly n positional
// arguments were given (saying want otherwise), and returns a client of
// the server with the positional arguments. n < 0 accepts any number.
func (sf *serverFlags) parse(fs *flag.FlagSet, args []string, n int, want string) (*client.Client, []string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if n >= 0 && len(pos) != n {
		if want == "" {
			want = "no arguments expected"
		}
		return nil, nil, usageError{want}
	}
	c, err := sf.client()
	return c, pos, err
}

const recordAddUsage = `
Usage: handover record add --kind held|sought --category CATEGORY --surname NAME [field flags] [--server URL --token TOKEN]
       handover record add --json FILE|- [--server URL --token TOKEN]

Adds a record to a register of your party. Dates may be partial: 1998,
1998-05 or 1998-05-23. With --json the record is read as a JSON object with
the API's field names (see /api/v1/openapi.json).

Example:
  handover record add --kind held --category military --surname Ковальчук \
      --given-names Олександр --patronymic Миколайович --birth-date 1998-05 \
      --service-number А-123456 --unit "в/ч А0224" --rank солдат
`

// fieldFlags binds one flag per plain text field of a record.
func fieldFlags(fs *flag.FlagSet) map[string]*string {
	names := []string{"party", "kind", "category", "status", "surname", "given-names", "patronymic", "full-name", "name-language", "sex",
		"birth-date", "birth-place", "rank", "service-number", "unit", "power", "citizenship", "mother-maiden-name",
		"capture-date", "capture-place", "disappearance-date", "disappearance-circumstances", "distinguishing-marks",
		"notes", "health", "next-of-kin", "source"}
	out := map[string]*string{}
	for _, n := range names {
		out[n] = fs.String(n, "", strings.ReplaceAll(n, "-", " "))
	}
	return out
}

// recordFromFlags builds a record from field flags through the same JSON
// decoding as the API, so that names and date formats are checked alike.
func recordFromFlags(vals map[string]*string, latin multiFlag) (api.RecordInput, error) {
	obj := map[string]any{}
	var bad []errs.FieldError
	for n, v := range vals {
		if *v == "" {
			continue
		}
		field := strings.ReplaceAll(n, "-", "_")
		obj[field] = *v
		if strings.HasSuffix(field, "_date") {
			// The one date parser, as the API and the pages read dates.
			if _, err := person.ReadDate(*v); err != nil {
				bad = append(bad, errs.FieldError{Field: field, Message: err.Error()})
			}
		}
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b errs.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return api.RecordInput{}, errs.E("record", errs.Invalid, "the record has invalid dates; nothing was stored", bad)
	}
	if len(latin) > 0 {
		obj["latin_names"] = []string(latin)
	}
	b, _ := json.Marshal(obj)
	var in api.RecordInput
	if err := json.Unmarshal(b, &in); err != nil {
		return in, errs.E("record", errs.Invalid, err.Error())
	}
	return in, nil
}

func readJSONArg(m *Main, name string, v any) error {
	var r io.Reader
	if name == "-" {
		r = m.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return errs.E("record", errs.Invalid, fmt.Sprintf("cannot open %s", name), err)
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E("record", errs.Invalid, fmt.Sprintf("%s: %v", name, err))
	}
	return nil
}

func runRecordAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("record add", recordAddUsage)
	srv := m.addServerFlags(fs)
	vals := fieldFlags(fs)
	var latin multiFlag
	fs.Var(&latin, "latin-name", "another Latin spelling of the name (repeatable)")
	jsonFile := fs.String("json", "", "read the record from a JSON file ('-' for standard input)")
	asJSON := fs.Bool("print-json", false, "print the created record as JSON")
	quiet := fs.Bool("quiet", false, "print only the new record's id")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	var in api.RecordInput
	if *jsonFile != "" {
		err = readJSONArg(m, *jsonFile, &in)
	} else {
		in, err = recordFromFlags(vals, latin)
	}
	if err != nil {
		return err
	}
	rec, err := c.CreateRecord(ctx, in)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, rec)
	}
	if *quiet {
		fmt.Fprintln(m.Stdout, rec.ID)
		return nil
	}
	fmt.Fprintf(m.Stdout, "record %s created (version 1, %s %s of %s)\n", rec.ID, rec.Kind, rec.Category, rec.Party)
	for _, w := range rec.Warnings {
		fmt.Fprintf(m.Stderr, "warning: %s: %s\n", w.Field, w.Message)
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

const recordListUsage = `
Usage: handover record list [--kind held|sought] [--category C] [--status S] [--party P] [--q TEXT] [--limit N] [--all] [--json] [--lang uk|ru|en]

Lists the records you may read, oldest first. --q searches names in any
script, Latin spellings, service numbers and units (case-insensitive).
--all follows every page; otherwise the next page's cursor is printed.
Birth dates are written as in the language (--lang, or env HANDOVER_LANG;
uk by default): 23.05.1998 and 05.1998 in Ukrainian and Russian, 23 May
1998 in English.

Example:
  handover record list --kind sought --q ковальчук
`

func runRecordList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("record list", recordListUsage)
	srv := m.addServerFlags(fs)
	var f client.Filter
	fs.StringVar(&f.Kind, "kind", "", "held or sought")
	fs.StringVar(&f.Category, "category", "", "category")
	fs.StringVar(&f.Status, "status", "", "legal status")
	fs.StringVar(&f.Party, "party", "", "owning party")
	fs.StringVar(&f.Text, "q", "", "text to search for")
	fs.StringVar(&f.Cursor, "cursor", "", "continue from this cursor")
	fs.IntVar(&f.Limit, "limit", 100, "records per page (1–1000)")
	all := fs.Bool("all", false, "follow every page")
	asJSON := fs.Bool("json", false, "print one JSON record per line")
	lang := fs.String("lang", "", "dates as written in uk, ru or en (default: env HANDOVER_LANG, else uk)")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = m.Getenv("HANDOVER_LANG")
	}
	if *lang == "" {
		*lang = "uk"
	}
	if !locale.Valid(*lang) {
		return usageError{"--lang takes uk, ru or en"}
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tV\tPARTY\tKIND\tCATEGORY\tNAME\tBORN\tSERVICE NO\tUNIT")
	}
	n := 0
	for {
		p, err := c.Records(ctx, f)
		if err != nil {
			return err
		}
		for _, r := range p.Records {
			n++
			if *asJSON {
				b, _ := json.Marshal(r)
				fmt.Fprintln(m.Stdout, string(b))
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Version, r.Party, r.Kind, r.Category,
				dash(r.DisplayName()), dash(locale.Day(*lang, r.BirthDate.Year, r.BirthDate.Month, r.BirthDate.Day)), dash(r.ServiceNumber), dash(r.Unit))
		}
		if p.Next == "" {
			break
		}
		if !*all {
			tw.Flush()
			fmt.Fprintf(m.Stderr, "more: --cursor %s (or --all)\n", p.Next)
			return nil
		}
		f.Cursor = p.Next
	}
	if !*asJSON {
		tw.Flush()
		fmt.Fprintf(m.Stderr, "%d records\n", n)
	}
	return nil
}

const recordShowUsage = `
Usage: handover record show ID [--json]

Shows the current version of a record: every field that is set, its
provenance and any warnings.

Example:
  handover record show r0k3m9x2q7w8v4n5p
`

func runRecordShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("record show", recordShowUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, pos, err := srv.parse(fs, args, 1, "name one record ID")
	if err != nil {
		return err
	}
	r, err := c.Record(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, r)
	}
	printRecord(m.Stdout, r)
	return nil
}

// printRecord prints the fields that are set, one per line, in a fixed order.
func printRecord(w io.Writer, r person.Record) {
	fmt.Fprintf(w, "record %s version %d (%s, %s register)\n", r.ID, r.Version, r.Party, r.Kind)
	b, _ := json.Marshal(r.Fields)
	var obj map[string]any
	json.Unmarshal(b, &obj)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	order := map[string]int{"kind": 0, "category": 1, "status": 2, "surname": 3, "given_names": 4, "patronymic": 5, "full_name": 6, "latin_names": 7, "sex": 8, "birth_date": 9, "birth_place": 10, "rank": 11, "service_number": 12, "unit": 13}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range keys {
		v := obj[k]
		if v == "" || v == false || v == nil || k == "kind" {
			continue
		}
		if l, ok := v.([]any); ok {
			parts := make([]string, len(l))
			for i, x := range l {
				parts[i] = fmt.Sprint(x)
			}
			v = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "  %s\t%v\n", strings.ReplaceAll(k, "_", " "), v)
	}
	p := r.Provenance
	fmt.Fprintf(tw, "  entered\t%s by %s from %s%s\n", p.EnteredAt.Format(time.RFC3339), p.EnteredBy, p.Source, refSuffix(p.SourceRef))
	if p.Reason != "" {
		fmt.Fprintf(tw, "  reason\t%s\n", p.Reason)
	}
	if e := r.Erased; e != nil {
		fmt.Fprintf(tw, "  erased\t%s by %s: %s (its fields are gone from its %d versions)\n", e.At.Format(time.RFC3339), e.By, e.Reason, e.Versions)
	}
	tw.Flush()
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s: %s\n", wn.Field, wn.Message)
	}
}

func refSuffix(ref string) string {
	if ref == "" {
		return ""
	}
	return " (" + ref + ")"
}

const recordHistoryUsage = `
Usage: handover record history ID [--json]

Shows every version of a record, oldest first, with who made it, when and why.

Example:
  handover record history r0k3m9x2q7w8v4n5p
`

func runRecordHistory(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("record history", recordHistoryUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, pos, err := srv.parse(fs, args, 1, "name one record ID")
	if err != nil {
		return err
	}
	h, err := c.History(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, h)
	}
	for i, r := range h {
		if i > 0 {
			fmt.Fprintln(m.Stdout)
		}
		printRecord(m.Stdout, r)
	}
	return nil
}

const recordCorrectUsage = `
Usage: handover record correct ID --base-version N --reason TEXT --set FIELD=VALUE [--set ...]

Corrects a record: the server makes version N+1 from version N with the
fields changed. If someone corrected it meanwhile the correction is refused
(read it again). Field names are the API's (surname, given_names,
birth_date, ...); an empty VALUE clears the field.

Example:
  handover record correct r0k3m9x2q7w8v4n5p --base-version 1 --reason "typo" --set given_names=Олексій
`

func runRecordCorrect(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("record correct", recordCorrectUsage)
	srv := m.addServerFlags(fs)
	base := fs.Int("base-version", 0, "the version you are correcting")
	reason := fs.String("reason", "", "why")
	var sets multiFlag
	fs.Var(&sets, "set", "FIELD=VALUE (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *base < 1 || len(sets) == 0 {
		return usageError{"name one record ID, --base-version and at least one --set"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	cur, err := c.Record(ctx, pos[0])
	if err != nil {
		return err
	}
	b, _ := json.Marshal(cur.Fields)
	var obj map[string]any
	json.Unmarshal(b, &obj)
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return usageError{fmt.Sprintf("--set %q: use FIELD=VALUE", s)}
		}
		if _, known := obj[k]; !known && !knownField(k) {
			return errs.E("record correct", errs.Invalid, fmt.Sprintf("unknown field %q", k))
		}
		obj[k] = v
	}
	b, _ = json.Marshal(obj)
	var f person.Fields
	if err := json.Unmarshal(b, &f); err != nil {
		return errs.E("record correct", errs.Invalid, err.Error())
	}
	r, err := c.Correct(ctx, pos[0], *base, *reason, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "record %s corrected: version %d\n", r.ID, r.Version)
	return nil
}

func knownField(k string) bool {
	b, _ := json.Marshal(person.Fields{LatinNames: []string{""}, Status: "x", Sex: "x"})
	var obj map[string]any
	json.Unmarshal(b, &obj)
	_, ok := obj[k]
	if !ok {
		switch k {
		case "surname", "given_names", "patronymic", "full_name", "birth_place", "rank", "service_number", "unit", "power",
			"citizenship", "mother_maiden_name", "capture_place", "disappearance_circumstances", "distinguishing_marks",
			"notes", "health", "next_of_kin", "identity_not_established", "detrimental", "detrimental_basis", "detrimental_reason":
			ok = true
		}
	}
	return ok
}
