package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
)

// The negotiation and the agreement (issue 6, docs/design/agreement.md):
// exchanges, list versions and answers, evidence, the view, and the
// agreement document. Every command but 'sign' and 'agreement verify' works
// through the server; those two run offline on the signer's or the
// checker's own machine.

// ---- input files ----------------------------------------------------------

// dateOnly matches a calendar date that a JSON time field of the API wants
// as an RFC 3339 instant.
var dateOnly = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// normalizeDates rewrites, in a decoded JSON value, every string that is a
// bare date (YYYY-MM-DD) under a key that holds a time in the API's types
// to midnight UTC, so that terms, plans and evidence may be written by hand
// with plain dates.
func normalizeDates(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "reference", "captured_by", "date", "start", "end", "from", "to":
				if s, ok := e.(string); ok && dateOnly.MatchString(s) {
					x[k] = s + "T00:00:00Z"
					continue
				}
			}
			x[k] = normalizeDates(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeDates(e)
		}
	}
	return v
}

// readInput reads a file named on the command line ("-" for standard input).
func readInput(m *Main, op, path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(m.Stdin)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "cannot read standard input", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read %s", path), err)
	}
	return b, nil
}

// decodeStrict decodes JSON data into v with bare dates allowed, refusing
// unknown fields.
func decodeStrict(op, name string, data []byte, v any) error {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s is not JSON: %v", name, err))
	}
	b, _ := json.Marshal(normalizeDates(raw))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%s: %v", name, err))
	}
	return nil
}

func readJSONFile(m *Main, op, path string, v any) error {
	b, err := readInput(m, op, path)
	if err != nil {
		return err
	}
	return decodeStrict(op, path, b, v)
}

// isJSON reports whether a table file is JSON rather than CSV.
func isJSON(path string, data []byte) bool {
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// readCSV reads a CSV file with a header, checking that the header has the
// required columns and nothing outside allowed. It returns the rows as maps
// by column name, and for each row its line number.
func readCSV(op, path string, data []byte, required, optional []string) ([]map[string]string, []int, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s: %v", path, err))
	}
	if len(rows) == 0 {
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s is empty: it needs a header line %s", path, strings.Join(required, ",")))
	}
	header := rows[0]
	cols := map[string]int{}
	var bad []errs.FieldError
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(required, h) && !slices.Contains(optional, h) {
			bad = append(bad, errs.FieldError{Field: "header", Message: fmt.Sprintf("unknown column %q: the columns are %s", h, strings.Join(append(slices.Clone(required), optional...), ","))})
			continue
		}
		cols[h] = i
	}
	for _, h := range required {
		if _, ok := cols[h]; !ok {
			bad = append(bad, errs.FieldError{Field: "header", Message: fmt.Sprintf("column %q is missing", h)})
		}
	}
	if bad != nil {
		return nil, nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s: the first line must be a header (%s)", path, strings.Join(required, ",")), bad)
	}
	var out []map[string]string
	var lines []int
	for i, row := range rows[1:] {
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		m := map[string]string{}
		for h, c := range cols {
			if c < len(row) {
				m[h] = strings.TrimSpace(row[c])
			}
		}
		out = append(out, m)
		lines = append(lines, i+2)
	}
	return out, lines, nil
}

// readItems reads a list's persons: CSV with a header
// record_id,category[,held_record_id,stage,reason], or JSON (an array of
// items, or an object with "items").
func readItems(m *Main, op, path string) ([]exchange.Item, error) {
	data, err := readInput(m, op, path)
	if err != nil {
		return nil, err
	}
	if isJSON(path, data) {
		var items []exchange.Item
		if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
			var obj struct {
				Items []exchange.Item `json:"items"`
			}
			err = decodeStrict(op, path, data, &obj)
			items = obj.Items
		} else {
			err = decodeStrict(op, path, data, &items)
		}
		return items, err
	}
	rows, lines, err := readCSV(op, path, data, []string{"record_id", "category"}, []string{"held_record_id", "stage", "reason"})
	if err != nil {
		return nil, err
	}
	var bad []errs.FieldError
	items := make([]exchange.Item, 0, len(rows))
	for i, r := range rows {
		it := exchange.Item{RecordID: r["record_id"], Category: person.Category(r["category"]), HeldRecordID: r["held_record_id"], Reason: r["reason"]}
		if s := r["stage"]; s != "" && s != "-" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				bad = append(bad, errs.FieldError{Field: "stage", Where: fmt.Sprintf("line %d", lines[i]), Message: fmt.Sprintf("%q is not a stage number", s)})
			}
			it.Stage = n
		}
		items = append(items, it)
	}
	if bad != nil {
		return nil, errs.E(op, errs.Invalid, path+": bad rows", bad)
	}
	return items, nil
}

// readRemovals reads the reasons for persons dropped since the last
// version: CSV record_id,reason or a JSON array of {record_id, reason}.
func readRemovals(m *Main, op, path string) ([]exchange.Removal, error) {
	data, err := readInput(m, op, path)
	if err != nil {
		return nil, err
	}
	var out []exchange.Removal
	if isJSON(path, data) {
		err := decodeStrict(op, path, data, &out)
		return out, err
	}
	rows, _, err := readCSV(op, path, data, []string{"record_id", "reason"}, nil)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out = append(out, exchange.Removal{RecordID: r["record_id"], Reason: r["reason"]})
	}
	return out, nil
}

// readAnswers reads answers: CSV record_id,answer,reason[,rule,blocker] or
// JSON (an array, or an object with "answers").
func readAnswers(m *Main, op, path string) ([]exchange.Response, error) {
	data, err := readInput(m, op, path)
	if err != nil {
		return nil, err
	}
	var out []exchange.Response
	if isJSON(path, data) {
		if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
			var obj struct {
				Answers []exchange.Response `json:"answers"`
			}
			err = decodeStrict(op, path, data, &obj)
			out = obj.Answers
		} else {
			err = decodeStrict(op, path, data, &out)
		}
	} else {
		var rows []map[string]string
		rows, _, err = readCSV(op, path, data, []string{"record_id", "answer", "reason"}, []string{"rule", "blocker"})
		for _, r := range rows {
			out = append(out, exchange.Response{RecordID: r["record_id"], Answer: exchange.Answer(r["answer"]), Reason: r["reason"], Rule: r["rule"], Blocker: exchange.Blocker(r["blocker"])})
		}
	}
	if err != nil {
		return nil, err
	}
	var bad []errs.FieldError
	for i, a := range out {
		if !a.Answer.Valid() {
			bad = append(bad, errs.FieldError{Field: "answer", Where: fmt.Sprintf("answer %d", i+1), Message: fmt.Sprintf("%q is not an answer: use one of %s", a.Answer, answerList())})
		}
	}
	if len(out) == 0 {
		return nil, errs.E(op, errs.Invalid, path+" holds no answers")
	}
	if bad != nil {
		return nil, errs.E(op, errs.Invalid, path+": bad answers", bad)
	}
	return out, nil
}

func answerList() string {
	s := make([]string, len(exchange.Answers))
	for i, a := range exchange.Answers {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func parseKind(op, s string) (exchange.ListKind, error) {
	k := exchange.ListKind(s)
	if !k.Valid() {
		return "", errs.E(op, errs.Invalid, fmt.Sprintf("list kind %q: use offer or request", s))
	}
	return k, nil
}

// ---- exchanges ------------------------------------------------------------

const exchangeOpenUsage = `
Usage: handover exchange open --name NAME --parties A,B --crossing POINT [--crossing POINT…] --terms FILE [--from DATE --to DATE] [--quiet]

Opens an exchange between two parties (mediator's operator). The terms are a
JSON file (the API's Terms object; dates may be written YYYY-MM-DD):

  {"kind": "numeric", "total": 50, "reference": "2025-05-16",
   "rules": [{"id": "mil", "category": "military", "min_age": 18},
             {"id": "civ", "category": "civilian", "count": 10}],
   "conditions": [{"id": "third-country", "text": "civilians may stay in a third country"}]}

kind is numeric (N for N: total, and count per category), category
("all_for_all" rules, floor and ceiling) or parts: parts of their own kind
in one exchange, each with its own parity, such as 246 for 246 beside the
seriously wounded returned regardless of number (GC III Art. 109(1)):

  {"kind": "parts", "parts": [
     {"id": "pow", "kind": "numeric", "total": 246, "rules": [{"id": "mil", "category": "military"}]},
     {"id": "wounded", "kind": "category", "rules": [{"id": "sws", "category": "seriously_wounded_sick", "all_for_all": true}]}]}

Civilians and convicted persons always need recorded consent. --quiet
prints only the new exchange's id.

Example:
  handover exchange open --name "16 May: 1000 for 1000" --parties UA,RU \
      --crossing "Belarus–Ukraine border" --terms terms.json --from 2025-05-23 --to 2025-05-25
`

func runExchangeOpen(ctx context.Context, m *Main, args []string) error {
	const op = "exchange open"
	fs := m.newFlagSet(op, exchangeOpenUsage)
	srv := m.addServerFlags(fs)
	name := fs.String("name", "", "name of the exchange")
	parties := fs.String("parties", "", "the two parties' codes, `A,B`")
	var crossings multiFlag
	fs.Var(&crossings, "crossing", "a crossing point (repeatable)")
	termsFile := fs.String("terms", "", "terms `file` (JSON)")
	from := fs.String("from", "", "expected first day, YYYY-MM-DD")
	to := fs.String("to", "", "expected last day, YYYY-MM-DD")
	quiet := fs.Bool("quiet", false, "print only the new exchange's id")
	asJSON := fs.Bool("json", false, "print the exchange as JSON")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	ps := strings.Split(*parties, ",")
	switch {
	case *name == "":
		return usageError{"--name is required"}
	case len(ps) != 2 || strings.TrimSpace(ps[0]) == "" || strings.TrimSpace(ps[1]) == "":
		return usageError{"--parties names the two parties, e.g. UA,RU"}
	case len(crossings) == 0:
		return usageError{"--crossing is required (at least one crossing point)"}
	case *termsFile == "":
		return usageError{"--terms is required"}
	}
	ex := exchange.Exchange{Name: *name, Parties: [2]string{strings.TrimSpace(ps[0]), strings.TrimSpace(ps[1])}, Crossings: crossings}
	if err := readJSONFile(m, op, *termsFile, &ex.Terms); err != nil {
		return err
	}
	for _, d := range []struct {
		flag, v string
		t       *time.Time
	}{{"from", *from, &ex.From}, {"to", *to, &ex.To}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("--%s %q is not a date YYYY-MM-DD", d.flag, d.v))
		}
		*d.t = t
	}
	out, err := c.OpenExchange(ctx, ex)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		return printJSON(m.Stdout, out)
	case *quiet:
		fmt.Fprintln(m.Stdout, out.ID)
	default:
		fmt.Fprintf(m.Stdout, "exchange %s opened: %q between %s and %s, %s\n", out.ID, out.Name, out.Parties[0], out.Parties[1], termsText(&out.Terms))
	}
	return nil
}

// termsText is the terms in one line: "numeric total=50 (civilian=10)";
// parts terms give each part so: "parts: pow numeric total=246 (…); …".
func termsText(t *exchange.Terms) string {
	if t.Kind == exchange.PartsTerms {
		var parts []string
		for _, p := range t.Parts {
			parts = append(parts, p.ID+" "+termsText(&exchange.Terms{Kind: p.Kind, Total: p.Total, Floor: p.Floor, Ceiling: p.Ceiling, Rules: p.Rules}))
		}
		return "parts: " + strings.Join(parts, "; ")
	}
	s := string(t.Kind)
	if t.Total > 0 {
		s += fmt.Sprintf(" total=%d", t.Total)
	}
	if t.Floor > 0 {
		s += fmt.Sprintf(" floor=%d", t.Floor)
	}
	if t.Ceiling > 0 {
		s += fmt.Sprintf(" ceiling=%d", t.Ceiling)
	}
	var cats []string
	for _, r := range t.Rules {
		switch {
		case r.Count > 0:
			cats = append(cats, fmt.Sprintf("%s=%d", r.Category, r.Count))
		case r.AllForAll:
			cats = append(cats, fmt.Sprintf("%s=all", r.Category))
		}
	}
	if len(cats) > 0 {
		s += " (" + strings.Join(cats, " ") + ")"
	}
	return s
}

const exchangeListUsage = `
Usage: handover exchange list [--json]

Lists the exchanges you may see (the mediator and auditors: all; a party:
those it is a party to), oldest first.

Example:
  handover exchange list
`

func runExchangeList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("exchange list", exchangeListUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	exs, err := c.Exchanges(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, exs)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPARTIES\tTERMS\tNAME")
	for _, ex := range exs {
		fmt.Fprintf(tw, "%s\t%s–%s\t%s\t%s\n", ex.ID, ex.Parties[0], ex.Parties[1], termsText(&ex.Terms), ex.Name)
	}
	return tw.Flush()
}

const exchangeShowUsage = `
Usage: handover exchange show ID [--json]

Shows an exchange as opened: its parties, crossing points, terms, rules and
conditions, in the lines the agreement document uses for them
(docs/design/agreement.md), and the state of its agreement if one was
frozen.

Example:
  handover exchange show ex-k3v9…
`

func runExchangeShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("exchange show", exchangeShowUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, pos, err := srv.parse(fs, args, 1, "name one exchange ID")
	if err != nil {
		return err
	}
	ex, err := c.Exchange(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, ex)
	}
	text := string(ex.Canonical())
	text = strings.TrimPrefix(text, "handover/exchange/v1\n")
	fmt.Fprint(m.Stdout, text)
	st, err := c.Agreement(ctx, ex.ID, 0)
	switch {
	case errs.KindOf(err) == errs.NotFound:
		fmt.Fprintln(m.Stdout, "agreement: none frozen yet")
	case err != nil:
		return err
	default:
		fmt.Fprintf(m.Stdout, "agreement: version %d, %s%s\n", st.Version, st.State, signedText(st))
	}
	return nil
}

func signedText(st api.AgreementStatus) string {
	var roles []string
	for _, s := range st.Signed {
		roles = append(roles, s.Role)
	}
	s := "; signed by " + logList(roles)
	if len(st.Missing) > 0 {
		s += "; missing " + strings.Join(st.Missing, ", ")
	}
	return s
}

const exchangeViewUsage = `
Usage: handover exchange view ID [--json]

The view of a negotiation: for each side and category, the persons
offered, accepted (what the side releases), open (unanswered or queried),
declined, the requests and their answers, eligibility violations, and the
target the terms set; then every item that blocks agreement, every count
that falls short of the terms, and the eligible persons left off an
all-for-all list. "ready" means an agreement can be frozen.

Example:
  handover exchange view ex-k3v9…
`

func runExchangeView(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("exchange view", exchangeViewUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	c, pos, err := srv.parse(fs, args, 1, "name one exchange ID")
	if err != nil {
		return err
	}
	v, err := c.ExchangeView(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, v)
	}
	printView(m.Stdout, &v)
	return nil
}

func printView(w io.Writer, v *exchange.View) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PARTY\tCATEGORY\tTARGET\tOFFERED\tACCEPTED\tOPEN\tDECLINED\tVIOLATIONS\tREQUESTED\tREQ.ACCEPTED\tREQ.OPEN\t")
	row := func(party string, cv *exchange.CategoryView, name string) {
		target := "-"
		switch {
		case cv.AllForAll:
			target = "all"
		case cv.Target > 0:
			target = strconv.Itoa(cv.Target)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", party, name, target, cv.Offered, cv.Accepted, cv.Open, cv.Declined, cv.Violations, cv.Requested, cv.RequestsAccepted, cv.RequestsOpen)
	}
	for _, s := range v.Sides {
		for i := range s.Categories {
			row(s.Party, &s.Categories[i], string(s.Categories[i].Category))
		}
		row(s.Party, &s.Total, "total")
	}
	tw.Flush()
	for _, s := range v.Sides {
		fmt.Fprintf(w, "%s: offer list version %d, request list version %d\n", s.Party, s.OfferVersion, s.RequestVersion)
	}
	if len(v.Blocking) == 0 {
		fmt.Fprintln(w, "blockers: none")
	} else {
		fmt.Fprintf(w, "blockers: %d\n", len(v.Blocking))
		for _, b := range v.Blocking {
			line := fmt.Sprintf("  %s %s %s (%s): %s", b.Party, b.Kind, b.RecordID, b.Category, b.Why)
			if b.Answer != "" {
				line += " — " + string(b.Answer)
				if b.Reason != "" {
					line += ": " + b.Reason
				}
			}
			if b.Blocker != "" {
				line += " [" + string(b.Blocker) + "]"
			}
			fmt.Fprintln(w, line)
			for _, vi := range b.Violations {
				fmt.Fprintf(w, "      %s\n", vi)
			}
		}
	}
	if len(v.Shortfalls) == 0 {
		fmt.Fprintln(w, "shortfalls: none")
	} else {
		fmt.Fprintf(w, "shortfalls: %d\n", len(v.Shortfalls))
		for _, s := range v.Shortfalls {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	for _, s := range v.Sides {
		for _, cv := range s.Categories {
			if n := len(cv.Outstanding); n > 0 {
				ids := strings.Join(cv.Outstanding[:min(n, 20)], " ")
				if n > 20 {
					ids += fmt.Sprintf(" … and %d more (--json lists all)", n-20)
				}
				fmt.Fprintf(w, "outstanding: %s holds %d eligible %s not on its offer list: %s\n", s.Party, n, cv.Category, ids)
			}
		}
	}
	if v.Ready {
		fmt.Fprintln(w, "ready: yes, an agreement can be frozen")
	} else {
		fmt.Fprintln(w, "ready: no")
	}
}

// ---- lists ----------------------------------------------------------------

const listSubmitUsage = `
Usage: handover list submit EXCHANGE --kind offer|request --items FILE [--removed FILE] --reason TEXT

Submits the next version of your party's list in an exchange: an offer
lists persons your party releases (from its held register), a request
persons it asks the other side to release (from its sought register). The
whole list is sent each time; from version 2 on every person dropped needs
a reason (--removed) and every person changed a reason in its row.

--items is CSV with a header, record_id,category[,held_record_id,stage,reason],
or JSON (an array of {"record_id","category","held_record_id","stage","reason"}).
--removed is CSV record_id,reason or a JSON array of {"record_id","reason"}.

Example:
  handover list submit ex-k3v9… --kind offer --items offer-v2.csv \
      --removed struck.csv --reason "struck 2 at RU's request"
`

func runListSubmit(ctx context.Context, m *Main, args []string) error {
	const op = "list submit"
	fs := m.newFlagSet(op, listSubmitUsage)
	srv := m.addServerFlags(fs)
	kindFlag := fs.String("kind", "", "offer or request")
	itemsFile := fs.String("items", "", "the persons of the list, CSV or JSON `file`")
	removedFile := fs.String("removed", "", "reasons for persons dropped since the last version, CSV or JSON `file`")
	reason := fs.String("reason", "", "why this version (required: the list version's rule, said by the server)")
	asJSON := fs.Bool("json", false, "print the submitted version and its diff as JSON")
	c, pos, err := srv.parse(fs, args, 1, "name one EXCHANGE")
	if err != nil {
		return err
	}
	if *kindFlag == "" || *itemsFile == "" {
		return usageError{"--kind and --items are required"}
	}
	kind, err := parseKind(op, *kindFlag)
	if err != nil {
		return err
	}
	items, err := readItems(m, op, *itemsFile)
	if err != nil {
		return err
	}
	var removed []exchange.Removal
	if *removedFile != "" {
		if removed, err = readRemovals(m, op, *removedFile); err != nil {
			return err
		}
	}
	out, err := c.SubmitList(ctx, pos[0], kind, items, removed, *reason)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, out)
	}
	l := out.List
	fmt.Fprintf(m.Stdout, "%s %s list version %d submitted: %d persons (%d added, %d removed, %d changed)\n",
		l.Party, l.Kind, l.Version, len(l.Items), len(out.Diff.Added), len(out.Diff.Removed), len(out.Diff.Changed))
	if l.Version > 1 {
		printDiff(m.Stdout, &out.Diff)
	}
	return nil
}

func itemText(it *exchange.Item) string {
	s := string(it.Category)
	if it.Stage > 0 {
		s += fmt.Sprintf(" stage %d", it.Stage)
	}
	if it.HeldRecordID != "" {
		s += " held as " + it.HeldRecordID
	}
	return s
}

func printDiff(w io.Writer, d *exchange.ListDiff) {
	if d.From == 0 {
		fmt.Fprintf(w, "version %d is the first: %d persons added\n", d.To, len(d.Added))
		return
	}
	if d.Empty() {
		fmt.Fprintf(w, "no change from version %d to %d\n", d.From, d.To)
		return
	}
	fmt.Fprintf(w, "changes from version %d to %d:\n", d.From, d.To)
	why := func(r string) string {
		if r == "" {
			return ""
		}
		return ": " + r
	}
	for _, c := range d.Added {
		fmt.Fprintf(w, "  + %s (%s)%s\n", c.RecordID, itemText(c.After), why(c.Reason))
	}
	for _, c := range d.Removed {
		fmt.Fprintf(w, "  - %s (%s)%s\n", c.RecordID, itemText(c.Before), why(c.Reason))
	}
	for _, c := range d.Changed {
		fmt.Fprintf(w, "  ~ %s (%s → %s)%s\n", c.RecordID, itemText(c.Before), itemText(c.After), why(c.Reason))
	}
}

const listShowUsage = `
Usage: handover list show EXCHANGE PARTY KIND [--version N] [--json]

Shows a version of a party's offer or request list (default: the current
one): each person with the identity the exchange discloses and the answer
that counts now, then what changed from the version before (added,
removed, changed) and why.

Example:
  handover list show ex-k3v9… UA offer --version 2
`

func runListShow(ctx context.Context, m *Main, args []string) error {
	const op = "list show"
	fs := m.newFlagSet(op, listShowUsage)
	srv := m.addServerFlags(fs)
	version := fs.Int("version", 0, "the version (default: the current one)")
	asJSON := fs.Bool("json", false, "print JSON")
	c, pos, err := srv.parse(fs, args, 3, "name EXCHANGE PARTY KIND (offer or request)")
	if err != nil {
		return err
	}
	if *version < 0 {
		return usageError{"--version is a number from 1"}
	}
	kind, err := parseKind(op, pos[2])
	if err != nil {
		return err
	}
	lv, err := c.List(ctx, pos[0], pos[1], kind, *version)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, lv)
	}
	fmt.Fprintf(m.Stdout, "%s %s list of %s, version %d of %d (%s)", lv.Party, lv.Kind, lv.Exchange, lv.Version, lv.Latest, lv.State)
	if lv.Reason != "" {
		fmt.Fprintf(m.Stdout, ": %s", lv.Reason)
	}
	fmt.Fprintln(m.Stdout)
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORD\tCATEGORY\tSTAGE\tNAME\tBORN\tANSWER\tBY\tREASON")
	counts := map[exchange.Answer]int{}
	for _, it := range lv.Items {
		name, born := "-", "-"
		switch {
		case it.Withheld:
			name = "(withheld)"
		case it.Person != nil:
			name, born = dash(it.Person.DisplayName()), dash(it.Person.BirthDate.String())
		}
		stage := "-"
		if it.Stage > 0 {
			stage = strconv.Itoa(it.Stage)
		}
		ans, by, reason := "-", "-", "-"
		if it.Answer != nil {
			ans, by, reason = string(it.Answer.Answer), it.Answer.Party, dash(it.Answer.Reason)
			if it.Answer.Rule != "" {
				reason += " (rule " + it.Answer.Rule + ")"
			}
			if it.Answer.ListVersion != lv.Version {
				ans += fmt.Sprintf(" (v%d)", it.Answer.ListVersion)
			}
			counts[it.Answer.Answer]++
		} else {
			counts[""]++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.RecordID, it.Category, stage, name, born, ans, by, reason)
	}
	tw.Flush()
	var parts []string
	for _, a := range exchange.Answers {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", a, counts[a]))
		}
	}
	if counts[""] > 0 {
		parts = append(parts, fmt.Sprintf("unanswered=%d", counts[""]))
	}
	fmt.Fprintf(m.Stdout, "%d persons: %s\n", len(lv.Items), logList(parts))
	printDiff(m.Stdout, &lv.Diff)
	return nil
}

const listAnswerUsage = `
Usage: handover list answer EXCHANGE PARTY KIND --version N --answers FILE

Answers persons of the other party's list, version N (it must be the
current one: a newer version makes answers to the old one stale). Each
answer is accept, reject, query, not_held, not_found, refuses_exchange or
ineligible (naming the rule), with a reason; a reject or ineligible may name
a release blocker (pending_prosecution, serving_sentence). All or none are
recorded. A party never answers its own list.

--answers is CSV with a header record_id,answer,reason[,rule,blocker], or
JSON (an array of {"record_id","answer","reason","rule","blocker"}).

Example:
  handover list answer ex-k3v9… RU offer --version 1 --answers answers.csv
`

func runListAnswer(ctx context.Context, m *Main, args []string) error {
	const op = "list answer"
	fs := m.newFlagSet(op, listAnswerUsage)
	srv := m.addServerFlags(fs)
	version := fs.Int("version", 0, "the list version answered (required)")
	answersFile := fs.String("answers", "", "answers, CSV or JSON `file`")
	c, pos, err := srv.parse(fs, args, 3, "name EXCHANGE PARTY KIND (offer or request)")
	if err != nil {
		return err
	}
	if *version < 1 {
		return usageError{"--version N is required: the version you answer"}
	}
	if *answersFile == "" {
		return usageError{"--answers is required"}
	}
	kind, err := parseKind(op, pos[2])
	if err != nil {
		return err
	}
	answers, err := readAnswers(m, op, *answersFile)
	if err != nil {
		return err
	}
	out, err := c.Respond(ctx, pos[0], pos[1], kind, *version, answers)
	if err != nil {
		return err
	}
	counts := map[exchange.Answer]int{}
	for _, r := range out {
		counts[r.Answer]++
	}
	var parts []string
	for _, a := range exchange.Answers {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", a, counts[a]))
		}
	}
	fmt.Fprintf(m.Stdout, "%d answers recorded on %s's %s list version %d: %s\n", len(out), pos[1], kind, *version, strings.Join(parts, " "))
	return nil
}

const evidenceGetUsage = `
Usage: handover evidence get RECORD

Prints the current eligibility evidence of one of your party's records as
JSON (empty when none was recorded). 'evidence set' replaces the whole
evidence, so start from this: edit it and set it again, and no earlier
consent event or commission decision is lost.

Example:
  handover evidence get r7p2… > evidence.json
  handover evidence set r7p2… --json evidence.json
`

func runEvidenceGet(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("evidence get", evidenceGetUsage)
	srv := m.addServerFlags(fs)
	c, pos, err := srv.parse(fs, args, 1, "name one RECORD")
	if err != nil {
		return err
	}
	ev, err := c.Evidence(ctx, pos[0])
	if err != nil {
		return err
	}
	return printJSON(m.Stdout, ev)
}

const evidenceSetUsage = `
Usage: handover evidence set RECORD --json FILE

Records eligibility evidence on one of your party's held records (its
registrar): a medical commission decision (GC III Art. 112), consent
events (given, withdrawn, refused; with date and witness) and a release
blocker (pending_prosecution, serving_sentence). The latest evidence
counts; earlier entries stay. Dates may be written YYYY-MM-DD. The file
replaces the whole evidence: start from 'handover evidence get RECORD'.

  {"commission": {"decision": "A", "tier": 1, "date": "2025-04-30"},
   "consent": [{"kind": "given", "date": "2025-05-02", "witness": "ICRC delegate"}]}

Example:
  handover evidence set r7p2… --json evidence.json
`

func runEvidenceSet(ctx context.Context, m *Main, args []string) error {
	const op = "evidence set"
	fs := m.newFlagSet(op, evidenceSetUsage)
	srv := m.addServerFlags(fs)
	file := fs.String("json", "", "the evidence, a JSON `file` ('-' for standard input)")
	c, pos, err := srv.parse(fs, args, 1, "name one RECORD")
	if err != nil {
		return err
	}
	if *file == "" {
		return usageError{"--json FILE is required"}
	}
	var ev exchange.Evidence
	if err := readJSONFile(m, op, *file, &ev); err != nil {
		return err
	}
	// Checked here first so that a bad file is said without a round trip;
	// the server checks it again at its own clock.
	if err := ev.Validate(time.Now().UTC()); err != nil {
		return err
	}
	if err := c.SetEvidence(ctx, pos[0], ev); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "evidence recorded on %s\n", pos[0])
	return nil
}

// ---- the agreement --------------------------------------------------------

const agreementFreezeUsage = `
Usage: handover agreement freeze EXCHANGE --plan FILE

Freezes the agreed lists (each side's offers the other side accepted) with
a stage plan into the next version of the agreement document (mediator's
operator). The negotiation must be ready ('handover exchange view'). A new
version supersedes the last one: its signatures no longer count.

The plan is JSON (dates may be RFC 3339 instants or YYYY-MM-DD):

  {"stages": [{"number": 1, "start": "2025-05-23T08:00:00Z", "end": "2025-05-23T18:00:00Z",
               "crossing": "Belarus–Ukraine border",
               "sides": [{"party": "UA", "planned": {"military": 2}, "persons": ["r1…", "r2…"]},
                         {"party": "RU", "planned": {"military": 2}, "persons": ["r7…", "r8…"]}]}],
   "reserve": [{"party": "UA", "persons": ["r3…"]}]}

Example:
  handover agreement freeze ex-k3v9… --plan plan.json
`

func runAgreementFreeze(ctx context.Context, m *Main, args []string) error {
	const op = "agreement freeze"
	fs := m.newFlagSet(op, agreementFreezeUsage)
	srv := m.addServerFlags(fs)
	planFile := fs.String("plan", "", "the stage plan, a JSON `file`")
	c, pos, err := srv.parse(fs, args, 1, "name one EXCHANGE")
	if err != nil {
		return err
	}
	if *planFile == "" {
		return usageError{"--plan is required"}
	}
	var plan exchange.StagePlan
	if err := readJSONFile(m, op, *planFile, &plan); err != nil {
		return err
	}
	st, err := c.FreezeAgreement(ctx, pos[0], plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "agreement version %d of %s frozen (%s), sha256 %s\n", st.Version, st.Exchange, st.State, st.Hash)
	fmt.Fprintf(m.Stderr, "Each approver and the mediator: 'handover agreement get %s --version %d --out FILE', then 'handover sign' offline and 'handover agreement sign'.\n", st.Exchange, st.Version)
	return nil
}

const agreementGetUsage = `
Usage: handover agreement get EXCHANGE [--version N] [--out FILE]

Downloads a version of the agreement document (default: the latest) as
the server keeps it: the canonical text and, after a blank line, the
signatures so far. Sign it offline with 'handover sign'; check it offline
with 'handover agreement verify'. The state (open, signed, superseded) and
the missing signers are printed on standard error. Without --out the
document is printed.

Example:
  handover agreement get ex-k3v9… --version 1 --out agreement-v1.txt
`

func runAgreementGet(ctx context.Context, m *Main, args []string) error {
	const op = "agreement get"
	fs := m.newFlagSet(op, agreementGetUsage)
	srv := m.addServerFlags(fs)
	version := fs.Int("version", 0, "the version (default: the latest)")
	out := fs.String("out", "", "write the document to this `file` (default: print it)")
	c, pos, err := srv.parse(fs, args, 1, "name one EXCHANGE")
	if err != nil {
		return err
	}
	if *version < 0 {
		return usageError{"--version is a number from 1"}
	}
	st, err := c.Agreement(ctx, pos[0], *version)
	if err != nil {
		return err
	}
	doc, err := c.AgreementText(ctx, pos[0], st.Version)
	if err != nil {
		return err
	}
	if *out == "" {
		if _, err := m.Stdout.Write(doc); err != nil {
			return err
		}
	} else if err := writeFileAtomic(*out, doc, 0o600); err != nil {
		return errs.E(op, errs.Invalid, "cannot write "+*out, err)
	}
	where := ""
	if *out != "" {
		where = " written to " + *out
	}
	fmt.Fprintf(m.Stderr, "agreement %s version %d of %d%s: %s%s\n", st.Exchange, st.Version, st.Latest, where, st.State, signedText(st))
	return nil
}

const agreementPDFUsage = `
Usage: handover agreement pdf EXCHANGE [--version N] [--lang uk|ru|en] --out FILE

The language is --lang's (default: env HANDOVER_LANG, else Ukrainian).

Writes the printed copy of a version of the agreement (default: the
latest) for approvers who read it on paper before they sign: the persons
of the document as people (names as registered and in Latin, birth date,
category, service number) per side and stage and on the reserve, each
with the record id and commitment the document holds, the check of the
printed persons against the document, and the document hash (SHA-256 of
its text) on every page. Compare that hash with the one 'handover
agreement get' and the signing page show. Persons the other party
withholds are printed by record id only.

Example:
  handover agreement pdf ex-k3v9… --lang uk --out agreement-v1-uk.pdf
`

func runAgreementPDF(ctx context.Context, m *Main, args []string) error {
	const op = "agreement pdf"
	fs := m.newFlagSet(op, agreementPDFUsage)
	srv := m.addServerFlags(fs)
	version := fs.Int("version", 0, "the version (default: the latest)")
	lang := fs.String("lang", "", "the `language` of the print: uk, ru or en (default: env HANDOVER_LANG, else uk)")
	out := fs.String("out", "", "write the PDF to this `file`")
	c, pos, err := srv.parse(fs, args, 1, "name one EXCHANGE")
	if err != nil {
		return err
	}
	if *version < 0 {
		return usageError{"--version is a number from 1"}
	}
	if *lang == "" {
		*lang = m.Getenv("HANDOVER_LANG")
	}
	if *lang == "" {
		*lang = "uk"
	}
	if !locale.Valid(*lang) {
		return usageError{"--lang is uk, ru or en"}
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	b, err := c.AgreementPDF(ctx, pos[0], *version, *lang)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, b, 0o600); err != nil {
		return errs.E(op, errs.Invalid, "cannot write "+*out, err)
	}
	fmt.Fprintf(m.Stdout, "the agreement's persons printed to %s (%d bytes)\n", *out, len(b))
	return nil
}

const signUsage = `
Usage: handover sign --key FILE AGREEMENT [--out SIG]

Signs an agreement document OFFLINE, on the approver's (or the mediator's)
own machine, with the private key 'handover keygen' made there and the
administrator registered for the signer's role ('handover key register'
with --party for a party's approver, without for the mediator). The whole
document is signed, both sides' lists included; signatures already on it
are ignored. Read the document before signing it.

It prints (or writes to --out) one signature line, "— NAME BASE64". Upload
it with 'handover agreement sign', or hand it to whoever uploads it. The
private key never leaves this machine.

Exit status: 0 when signed, 2 when the key or the document is unreadable or
malformed.

Example:
  handover sign --key ~/.handover/UA-approver-1.key agreement-v1.txt --out ua.sig
`

func runSign(ctx context.Context, m *Main, args []string) error {
	const op = "sign"
	fs := m.newFlagSet(op, signUsage)
	keyFile := fs.String("key", "", "the private key `file` made by 'handover keygen'")
	out := fs.String("out", "", "write the signature line to this `file` (default: print it)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one AGREEMENT file"}
	}
	if *keyFile == "" {
		return usageError{"--key is required"}
	}
	kb, err := os.ReadFile(*keyFile)
	if err != nil {
		return errs.E(op, errs.Invalid, "cannot read the key "+*keyFile, err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(kb)))
	if err != nil {
		return errs.E(op, errs.Invalid, *keyFile+" is not a private key made by 'handover keygen'")
	}
	doc, err := readInput(m, op, pos[0])
	if err != nil {
		return err
	}
	text := agreementText(doc)
	a, err := exchange.ParseAgreement(text)
	if err != nil {
		return errs.E(op, errs.Invalid, pos[0]+" is not an agreement document: "+errs.Message(err), err)
	}
	line, err := exchange.Sign(doc, signer)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "signed %s version %d (sha256 %s) as %s\n", a.Exchange.ID, a.Version, exchange.Hash(text), signer.Name())
	if *out == "" {
		_, err := io.WriteString(m.Stdout, line)
		return err
	}
	if err := writeFileAtomic(*out, []byte(line), 0o600); err != nil {
		return errs.E(op, errs.Invalid, "cannot write "+*out, err)
	}
	fmt.Fprintf(m.Stderr, "signature written to %s\n", *out)
	return nil
}

// agreementText returns the text of a (maybe signed) agreement file: all
// before the first blank line.
func agreementText(doc []byte) []byte {
	if i := bytes.Index(doc, []byte("\n\n")); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

const agreementSignUsage = `
Usage: handover agreement sign EXCHANGE --version N --signature SIG

Uploads a signature line made offline with 'handover sign' on version N of
the agreement. The server checks it against the registered keys: an
approver signs for its own party with a key registered for that party, the
mediator's operator for the mediator. A registrar, a key of the other
party, an unregistered key, a signature over another text, or a version
that a newer one superseded are refused. The last required signature puts
the agreement in effect.

Example:
  handover agreement sign ex-k3v9… --version 1 --signature ua.sig
`

func runAgreementSign(ctx context.Context, m *Main, args []string) error {
	const op = "agreement sign"
	fs := m.newFlagSet(op, agreementSignUsage)
	srv := m.addServerFlags(fs)
	version := fs.Int("version", 0, "the version signed (required)")
	sigFile := fs.String("signature", "", "the signature line's `file`, as 'handover sign' wrote it")
	c, pos, err := srv.parse(fs, args, 1, "name one EXCHANGE")
	if err != nil {
		return err
	}
	if *version < 1 {
		return usageError{"--version N is required: the version the signature is over"}
	}
	if *sigFile == "" {
		return usageError{"--signature is required"}
	}
	b, err := readInput(m, op, *sigFile)
	if err != nil {
		return err
	}
	line := strings.TrimSpace(string(b))
	if line == "" || strings.Contains(line, "\n") {
		return errs.E(op, errs.Invalid, *sigFile+" must hold one signature line, as 'handover sign' writes it")
	}
	st, err := c.SignAgreement(ctx, pos[0], *version, line)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "signature accepted on %s version %d: %s%s\n", st.Exchange, st.Version, st.State, signedText(st))
	return nil
}

const agreementVerifyUsage = `
Usage: handover agreement verify FILE --keys KEYS|ROLE=PUBFILE [--keys …] [--server-keys [--server URL --token TOKEN]]

Checks a signed agreement OFFLINE, as exchange.Verify does
(docs/design/agreement.md §6): the text parses and holds (canonical form,
counts and checksums, terms and stage plan), and every signature line is
by a trusted key for a role of the agreement, valid over this exact text.
It first lists the keys it trusts, each with its fingerprint and where it
came from, then prints the exchange, version, previous version's hash, the
document's SHA-256, who signed for which role with which key, and which
roles are missing.

The trusted keys come from --keys, repeatable:
  --keys KEYS           a signer keys file, one key a line:
                        "<role> <verifier key> [comment]", the role a party's
                        code (UA, RU) or "mediator"; blank lines and #
                        comments are skipped ('handover agreement keys'
                        writes one);
  --keys ROLE=PUBFILE   one public key for ROLE: a file holding the verifier
                        key as 'handover keygen' printed it (a .pub file the
                        parties exchanged themselves, read out and checked
                        by fingerprint).
and, with --server-keys, the signer keys in effect on the server (each
shown with who proposed and who confirmed it): what the server says,
which proves less than keys you exchanged yourselves.

Exit status: 0 when both parties and the mediator signed validly, 1 when a
signature is missing or refused, 2 when a file is unreadable or malformed.

Example:
  handover agreement verify agreement-v1.txt --keys signers.txt
  handover agreement verify agreement-v1.txt --keys UA=ua-approver.pub --keys RU=ru-approver.pub --keys mediator=mediator.pub
`

// trustedKey is a signer key agreement verify trusts, and where from.
type trustedKey struct {
	exchange.SignerKey
	from []string
}

// trustedKeys gathers the keys of --keys and --server-keys, in the order
// given, each once with every source that named it.
func trustedKeys(ctx context.Context, op string, specs []string, srv *serverFlags, fromServer bool) ([]*trustedKey, error) {
	var out []*trustedKey
	add := func(k exchange.SignerKey, from string) {
		for _, t := range out {
			if t.Role == k.Role && t.VKey == k.VKey {
				t.from = append(t.from, from)
				return
			}
		}
		out = append(out, &trustedKey{SignerKey: k, from: []string{from}})
	}
	for _, spec := range specs {
		if role, file, ok := strings.Cut(spec, "="); ok {
			if role == "" || strings.ContainsAny(role, " \t") {
				return nil, usageError{fmt.Sprintf("--keys %q: use ROLE=FILE, the role a party's code or mediator", spec)}
			}
			vkey, err := readVKey(file)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, fmt.Sprintf("--keys %s: %s", spec, errs.Message(err)), err)
			}
			add(exchange.SignerKey{Role: role, VKey: vkey}, file)
			continue
		}
		kb, err := os.ReadFile(spec)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "cannot read the keys file "+spec, err)
		}
		keys, err := exchange.ParseSignerKeys(kb)
		if err != nil {
			return nil, errs.E(op, errs.Invalid, spec+": "+errs.Message(err), err)
		}
		lines := signerKeyLines(kb)
		for i, k := range keys {
			add(k, fmt.Sprintf("%s line %d", spec, lines[i]))
		}
	}
	if fromServer {
		c, err := srv.client()
		if err != nil {
			return nil, err
		}
		k, err := c.LogKeys(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range k.Signers {
			role := s.Party
			if role == "" {
				role = exchange.Mediator
			}
			from := "server " + c.BaseURL
			if s.ConfirmedBy != "" {
				from += fmt.Sprintf(" (proposed by %s, confirmed by %s)", s.RegisteredBy, s.ConfirmedBy)
			} else {
				from += fmt.Sprintf(" (registered by %s)", s.RegisteredBy)
			}
			add(exchange.SignerKey{Role: role, VKey: s.VKey}, from)
		}
	}
	return out, nil
}

// signerKeyLines returns the line number of each key line of a signer keys
// file, in order.
func signerKeyLines(data []byte) []int {
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			out = append(out, i+1)
		}
	}
	return out
}

func runAgreementVerify(ctx context.Context, m *Main, args []string) error {
	const op = "agreement verify"
	fs := m.newFlagSet(op, agreementVerifyUsage)
	var specs multiFlag
	fs.Var(&specs, "keys", "a signer keys `file`, or ROLE=FILE for one public key (repeatable)")
	fromServer := fs.Bool("server-keys", false, "also trust the signer keys in effect on the server (--server, --token)")
	srv := m.addServerFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one agreement FILE"}
	}
	if len(specs) == 0 && !*fromServer {
		return usageError{"--keys is required (or --server-keys): the keys you trust"}
	}
	trusted, err := trustedKeys(ctx, op, specs, srv, *fromServer)
	if err != nil {
		return err
	}
	var keys []exchange.SignerKey
	fmt.Fprintf(m.Stdout, "trusted keys (%d):\n", len(trusted))
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	for _, k := range trusted {
		fp, err := audit.Fingerprint(k.VKey)
		if err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s: not a verifier key", strings.Join(k.from, ", ")), err)
		}
		fmt.Fprintf(tw, "  %s\t%s\tfingerprint %s\tfrom %s\n", k.Role, audit.KeyName(k.VKey), fp, strings.Join(k.from, "; "))
		keys = append(keys, k.SignerKey)
	}
	tw.Flush()
	doc, err := readInput(m, op, pos[0])
	if err != nil {
		return err
	}
	w := m.Stdout
	header := func(a *exchange.Agreement, hash audit.Digest) {
		prev := "none"
		if a.Version > 1 {
			prev = "sha256:" + a.Previous.String()
		}
		fmt.Fprintf(w, "exchange %s %q, version %d\n  previous: %s\n  sha256:   %s\n", a.Exchange.ID, a.Exchange.Name, a.Version, prev, hash)
		for _, s := range a.Sides {
			fmt.Fprintf(w, "  %s releases %d (reserve %d)\n", s.Party, len(s.Persons), len(s.Reserve))
		}
	}
	v, err := exchange.Verify(doc, keys, nil)
	if v == nil {
		if err == nil {
			err = errs.E(op, errs.Internal, "verification returned nothing")
		}
		// A refused signature refuses the document; say which document.
		if k := errs.KindOf(err); k != errs.Invalid {
			text := agreementText(doc)
			if a, perr := exchange.ParseAgreement(text); perr == nil {
				header(a, exchange.Hash(text))
				fmt.Fprintf(w, "  REFUSED: %s\n", errs.Message(err))
			}
		}
		return err
	}
	header(v.Agreement, v.Hash)
	for _, s := range v.Signatures {
		fmt.Fprintf(w, "  signed for %s by %s\n", s.Role, s.KeyName)
	}
	if len(v.Missing) > 0 {
		fmt.Fprintf(w, "  missing: %s\n", strings.Join(v.Missing, ", "))
	}
	if err != nil {
		return err
	}
	var roles []string
	for _, s := range v.Signatures {
		roles = append(roles, s.Role)
	}
	fmt.Fprintf(w, "OK: signed by %s: the agreement is in effect\n", strings.Join(roles, ", "))
	return nil
}

const agreementKeysUsage = `
Usage: handover agreement keys [--server URL --token TOKEN] [--out FILE]

Writes a signer keys file for 'handover agreement verify' from the keys
registered on the server: a key registered for a party signs for that
party, one registered without a party for the mediator. Each line is
"<role> <verifier key> fingerprint …", the fingerprint computed here.
Check every fingerprint with the key's owner over another channel (phone,
in person) before you trust the file, and keep it. Without --out the file
is printed.

Example:
  handover agreement keys --server https://handover.example.org --out signers.txt
`

func runAgreementKeys(ctx context.Context, m *Main, args []string) error {
	const op = "agreement keys"
	fs := m.newFlagSet(op, agreementKeysUsage)
	srv := m.addServerFlags(fs)
	out := fs.String("out", "", "write the file here (default: print it)")
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	k, err := c.LogKeys(ctx)
	if err != nil {
		return err
	}
	data, err := signerKeysFile(k.Signers, c.BaseURL, time.Now())
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := m.Stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(*out, data, 0o600); err != nil {
		return errs.E(op, errs.Invalid, "cannot write "+*out, err)
	}
	fmt.Fprintf(m.Stderr, "%d signer keys written to %s: check their fingerprints out of band.\n", len(k.Signers), *out)
	return nil
}

// signerKeysFile renders registered keys as a signer keys file
// (exchange.ParseSignerKeys), fingerprints computed here.
func signerKeysFile(ks []api.Key, from string, now time.Time) ([]byte, error) {
	const op = "agreement keys"
	var b strings.Builder
	fmt.Fprintf(&b, "# Agreement signer keys, fetched from %s on %s.\n", from, now.UTC().Format(time.RFC3339))
	b.WriteString("# One key a line: <role> <verifier key> [comment]; the role is a party's code or mediator.\n")
	b.WriteString("# Check every fingerprint with the key's owner over another channel before trusting this file.\n")
	for _, k := range ks {
		fp, err := audit.Fingerprint(k.VKey)
		if err != nil {
			return nil, errs.E(op, errs.Internal, fmt.Sprintf("the server sent %s, which is not a verifier key", k.Name), err)
		}
		if k.Fingerprint != "" && k.Fingerprint != fp {
			return nil, errs.E(op, errs.Conflict, fmt.Sprintf("the server states fingerprint %s for %s, but the key's fingerprint is %s", k.Fingerprint, k.Name, fp))
		}
		role := k.Party
		if role == "" {
			role = exchange.Mediator
		}
		fmt.Fprintf(&b, "%s %s fingerprint %s\n", role, k.VKey, fp)
	}
	out := []byte(b.String())
	if _, err := exchange.ParseSignerKeys(out); err != nil {
		return nil, errs.E(op, errs.Internal, "the server's keys do not make a signer keys file", err)
	}
	return out, nil
}
