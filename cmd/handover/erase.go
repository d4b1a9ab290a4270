package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const eraseUsage = `
Usage: handover erase --record ID --reason TEXT --by LOGIN [--dir DIR | --db DSN]
       handover erase --record ID --reason TEXT [--server URL --token TOKEN]

Erases a record's personal fields for a data-protection request
(docs/operations.md, "Answering a data-protection request"): in every
version the fields, the sealed health and next of kin, the commitment
nonce, the source's reference and the correction reasons are erased, and
its search keys deleted. Each version keeps its row and its leaf; a
tombstone says who erased it, when and why, with its own leaf
(record.erased). 'handover log audit' still passes and counts the record
as erased.

--by is the login of the approver of the record's party who decided the
request (only a party's approver may erase its own records); --reason is
the request's reference, never personal data. Refused: a record named in a
list, its answers, a stage, a match, evidence, a tracing case or a custody
timeline (documents signed or committed to with the names).

Without --by, through the server (POST /api/v1/records/{id}/erase): the
token is the approver's own, minted after the second factor.

Examples:
  handover erase --dir /var/lib/handover --record r0k3m9q2x7 --reason "DP-2026-0042" --by ua-approver
  handover erase --record r0k3m9q2x7 --reason "DP-2026-0042" --server https://handover.example --token "$TOKEN"
`

func runErase(ctx context.Context, m *Main, args []string) error {
	const op = "erase"
	fs := m.newFlagSet(op, eraseUsage)
	sf := m.addStoreFlags(fs)
	id := fs.String("record", "", "the record to erase")
	reason := fs.String("reason", "", "the request's reference (no personal data)")
	by := fs.String("by", "", "login of the approver of the record's party who decided it (on the database)")
	srv := m.addServerFlags(fs)
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	switch {
	case *id == "":
		return usageError{"--record is required"}
	case *reason == "":
		return usageError{"--reason is required: the request's reference"}
	case *by == "" && srv.server == "":
		return usageError{"give --by LOGIN (the approver who decided, on the database) or --server URL (as the approver, with your token)"}
	}
	if *by == "" {
		c, err := srv.client()
		if err != nil {
			return err
		}
		e, err := c.EraseRecord(ctx, *id, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "record %s erased: %d versions, by %s at %s, reason %q\n", *id, e.Versions, e.By, e.At.Format(time.RFC3339), e.Reason)
		return nil
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByLogin(ctx, *by)
	if err != nil {
		return err
	}
	if !u.DisabledAt.IsZero() {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("user %s is disabled", u.Login))
	}
	if u.Role != access.PartyApprover {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("user %s is a %s: only an approver of the record's party erases its records", u.Login, u.Role))
	}
	// On the data directory the approver's decision is carried out by
	// whoever runs the command: the second factor is the server's gate.
	s := u.Scope()
	s.MFA = true
	e, err := db.EraseRecord(ctx, s, *id, *reason)
	if err != nil {
		return err
	}
	if err := db.Scrub(ctx); err != nil {
		fmt.Fprintf(m.Stderr, "warning: the erasure stands, but the database did not give back the freed space: %v\n", err)
	}
	fmt.Fprintf(m.Stdout, "record %s erased: %d versions, by %s at %s, reason %q\n", *id, e.Versions, e.By, e.At.Format(time.RFC3339), e.Reason)
	return nil
}

const retentionRunUsage = `
Usage: handover retention run --after DURATION [--party CODE] [--dry-run] [--json] [--dir DIR | --db DSN]

Applies the deployment's retention rule (docs/operations.md, "Retention"):
a record is erased DURATION after the last stage of its party's exchanges
closed, when every exchange of its party has all its stages closed or
cancelled by then, the record was last written before then, the person is
not held (a prisoner of war, an internee, a detained civilian or a convict
is kept: GC III Art. 122, GC IV Art. 136), it has no priority flags, and it
is named in no list, answer, stage, match, evidence, tracing case or
custody timeline. Each erasure is logged (record.erased, actor "system",
the rule as the reason); 'handover log audit' passes afterwards.

DURATION is in days (90d) or a Go duration (2160h). With --dry-run the
records due are listed and nothing is erased: run it first.

Example:
  handover retention run --dir /var/lib/handover --after 365d --dry-run
`

func runRetentionRun(ctx context.Context, m *Main, args []string) error {
	const op = "retention run"
	fs := m.newFlagSet(op, retentionRunUsage)
	sf := m.addStoreFlags(fs)
	after := fs.String("after", "", "how long after the last stage closed (e.g. 365d)")
	party := fs.String("party", "", "only this party's records")
	dry := fs.Bool("dry-run", false, "list what is due; erase nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	d, err := parseDays(*after)
	if err != nil {
		return usageError{fmt.Sprintf("--after %q: %v", *after, err)}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.ApplyRetention(ctx, sqlstore.RetentionRule{After: d, Party: *party}, time.Now(), *dry)
	if err != nil {
		return err
	}
	erased := 0
	for _, it := range rep.Items {
		if it.Erased {
			erased++
		}
	}
	if erased > 0 {
		if err := db.Scrub(ctx); err != nil {
			fmt.Fprintf(m.Stderr, "warning: the erasures stand, but the database did not give back the freed space: %v\n", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	kept := map[string]int{}
	for _, it := range rep.Items {
		switch {
		case it.Erased:
			fmt.Fprintf(m.Stdout, "erased %s (%s)\n", it.Record, it.Party)
		case it.Due:
			fmt.Fprintf(m.Stdout, "due %s (%s)\n", it.Record, it.Party)
		default:
			kept[it.Kept]++
		}
	}
	var ks []string
	for k, n := range kept {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(ks)
	verb := "erased"
	if *dry {
		verb = "due (dry run: nothing erased)"
	}
	fmt.Fprintf(m.Stdout, "retention %s: cutoff %s, parties with every exchange closed by then: %s; %d %s; kept: %s\n",
		fmtDuration(d), rep.Cutoff.Format(time.RFC3339), orNone(strings.Join(rep.Parties, ", ")), rep.Due(), verb, orNone(strings.Join(ks, ", ")))
	return nil
}

// parseDays reads a duration in days ("90d") or as Go writes one.
func parseDays(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("required, e.g. 365d")
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("a whole number of days, at least 1")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("a positive duration: days (365d) or hours (8760h)")
	}
	return d, nil
}

func fmtDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
