package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/names"
)

const namesCompareUsage = `
Usage: handover names compare "NAME 1" "NAME 2" [--threshold T]

Compare two full names written in any script (Ukrainian or Russian
Cyrillic, any Latin spelling), in any order, with or without patronymic,
with initials. Prints the score (0..1), the decision at the threshold and,
per part, the two values, how they agree (exact, equivalent, similar,
initial, missing, different) and the part's score.

Example:
  handover names compare "Олександр Миколайович Ковальчук" "KOVALCHUK ALEKSANDR"
`

const namesScoreUsage = `
Usage: handover names score [--threshold T] < PAIRS.csv > SCORED.csv

Read CSV on standard input with a header row that names the columns name1
and name2 (other columns are passed through in order) and write it to
standard output with two columns appended: score (0..1) and match (true or
false at the threshold). Input is UTF-8, with or without a byte order mark.

Example:
  printf 'name1,name2\nШевченко Т.Г.,Taras Shevchenko\n' | handover names score
`

func thresholdFlag(m *Main, name, usage string) (*float64, func([]string) ([]string, error)) {
	fs := m.newFlagSet(name, usage)
	th := fs.Float64("threshold", names.DefaultThreshold, "score at or above which two names match (0..1)")
	return th, func(args []string) ([]string, error) {
		pos, err := parseFlags(fs, args)
		if err != nil {
			return nil, err
		}
		if *th < 0 || *th > 1 {
			return nil, usageError{fmt.Sprintf("--threshold %v: want a number from 0 to 1", *th)}
		}
		return pos, nil
	}
}

func runNamesCompare(_ context.Context, m *Main, args []string) error {
	th, parse := thresholdFlag(m, "names compare", namesCompareUsage)
	pos, err := parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{fmt.Sprintf("want two names, got %d arguments", len(pos))}
	}
	for i, p := range pos {
		if !utf8.ValidString(p) || strings.TrimSpace(p) == "" {
			return errs.E("names compare", errs.Invalid, fmt.Sprintf("name %d is empty or not valid UTF-8", i+1))
		}
	}
	c := names.CompareFull(pos[0], pos[1])
	fmt.Fprintf(m.Stdout, "score  %.3f\n", c.Score)
	fmt.Fprintf(m.Stdout, "match  %v (threshold %g)\n", c.Score >= *th, *th)
	if c.Swapped {
		fmt.Fprintln(m.Stdout, "note   surname and given name are in different places in the two names")
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\npart\tname 1\tname 2\tlevel\tscore")
	for _, p := range c.Parts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3f\n", p.Part, dash(p.A), dash(p.B), p.Level, p.Score)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runNamesScore(_ context.Context, m *Main, args []string) error {
	const op = "names score"
	th, parse := thresholdFlag(m, op, namesScoreUsage)
	pos, err := parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("unexpected argument %q: the pairs are read from standard input", pos[0])}
	}
	br := bufio.NewReader(m.Stdin)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1 // counted below, to say which row is short
	r.ReuseRecord = true
	// A quote inside an unquoted name (Ivan "Vanya" Petrov) is read as
	// written; a row that then has the wrong number of fields is still
	// an error.
	r.LazyQuotes = true
	header, err := r.Read()
	if err == io.EOF {
		return errs.E(op, errs.Invalid, "no input: want CSV with a header row naming name1 and name2",
			errs.FieldError{Field: "header", Message: "missing", Where: "row 1"})
	}
	if err != nil {
		return csvError(op, err)
	}
	header = append([]string(nil), header...)
	c1, c2 := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "name1":
			c1 = i
		case "name2":
			c2 = i
		}
	}
	var missing []errs.FieldError
	if c1 < 0 {
		missing = append(missing, errs.FieldError{Field: "name1", Message: "column missing from the header", Where: "row 1"})
	}
	if c2 < 0 {
		missing = append(missing, errs.FieldError{Field: "name2", Message: "column missing from the header", Where: "row 1"})
	}
	if missing != nil {
		return errs.E(op, errs.Invalid, "the header must name the columns name1 and name2", missing)
	}
	// Output is held until every row has been read, so a bad row leaves
	// no partial result behind.
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.Write(append(header, "score", "match")); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(op, err)
		}
		if len(rec) != len(header) {
			return errs.E(op, errs.Invalid, fmt.Sprintf("row %d has %d fields, the header has %d", row, len(rec), len(header)),
				errs.FieldError{Field: "row", Message: fmt.Sprintf("want %d fields, got %d", len(header), len(rec)), Where: fmt.Sprintf("row %d", row)})
		}
		for _, col := range []int{c1, c2} {
			if !utf8.ValidString(rec[col]) {
				return errs.E(op, errs.Invalid, fmt.Sprintf("row %d, column %s is not valid UTF-8", row, header[col]),
					errs.FieldError{Field: header[col], Message: "not valid UTF-8", Where: fmt.Sprintf("row %d", row)})
			}
		}
		c := names.CompareFull(rec[c1], rec[c2])
		rec = append(rec, strconv.FormatFloat(c.Score, 'f', 3, 64), strconv.FormatBool(c.Score >= *th))
		if err := w.Write(rec); err != nil {
			return errs.E(op, errs.Internal, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	if _, err := out.WriteTo(m.Stdout); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	return nil
}

// csvError turns a CSV syntax error into an Invalid error that says where.
func csvError(op string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		where := fmt.Sprintf("line %d, column %d", pe.Line, pe.Column)
		return errs.E(op, errs.Invalid, fmt.Sprintf("bad CSV at %s: %v", where, pe.Err),
			errs.FieldError{Field: "csv", Message: pe.Err.Error(), Where: where}, err)
	}
	return errs.E(op, errs.Invalid, "cannot read the input as CSV", err)
}
