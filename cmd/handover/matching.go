package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/handover-project/handover/internal/errs"
)

const matchRunUsage = `
Usage: handover match run --sought PARTY --held PARTY [--threshold P]

Runs the linkage engine over one party's sought register and the other
party's held register and stores every candidate pair above the threshold
(a match probability) with its explanation. Decisions already taken stay.

Example:
  handover match run --sought UA --held RU
`

func runMatchRun(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match run", matchRunUsage)
	srv := m.addServerFlags(fs)
	sought := fs.String("sought", "", "party whose sought register is matched")
	held := fs.String("held", "", "party whose held register is matched")
	threshold := fs.Float64("threshold", 0, "least match probability of a candidate (default: the engine's)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *sought == "" || *held == "" {
		return usageError{"--sought and --held are required"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	run, err := c.RunMatching(ctx, *sought, *held, *threshold)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "run %d: %s sought × %s held: %d candidates at threshold %.2f\n", run.ID, run.SoughtParty, run.HeldParty, run.Candidates, run.Threshold)
	return nil
}

func runMatchRuns(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match runs", "Usage: handover match runs")
	srv := m.addServerFlags(fs)
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	runs, err := c.MatchRuns(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSOUGHT\tHELD\tCANDIDATES\tTHRESHOLD\tBY\tAT")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%.2f\t%s\t%s\n", r.ID, r.SoughtParty, r.HeldParty, r.Candidates, r.Threshold, r.StartedBy, r.StartedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

const matchCandidatesUsage = `
Usage: handover match candidates RUN [--status candidate|confirmed|rejected] [--limit N] [--offset N] [--explain]

Lists a run's candidate pairs, best first, with the decision on each.
--explain adds each field's comparison level and weight.

Example:
  handover match candidates 3 --status candidate --explain
`

func runMatchCandidates(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match candidates", matchCandidatesUsage)
	srv := m.addServerFlags(fs)
	status := fs.String("status", "", "only pairs in this state")
	limit := fs.Int("limit", 50, "pairs to show (1–1000)")
	offset := fs.Int("offset", 0, "skip this many")
	explain := fs.Bool("explain", false, "show each field's level and weight")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one RUN"}
	}
	run, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return errs.E("match candidates", errs.Invalid, fmt.Sprintf("run %q is not a number", pos[0]))
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	cs, err := c.Candidates(ctx, run, *status, *limit, *offset)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOUGHT\tHELD\tSCORE\tWEIGHT\tSTATUS\tREASON")
	for _, p := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.1f\t%s\t%s\n", p.SoughtID, p.HeldID, p.Score, p.Weight, p.Status, dash(p.Reason))
		if *explain {
			for _, f := range p.Explanation.Fields {
				fmt.Fprintf(tw, "  %s\t%s | %s\t%s\t%+.1f\t\t\n", f.Field, dash(f.Left), dash(f.Right), f.Level, f.Weight)
			}
		}
	}
	return tw.Flush()
}

const matchDecideUsage = `
Usage: handover match decide SOUGHT_ID HELD_ID --confirm|--reject|--undo --reason TEXT

Records a decision on a candidate pair. A reason is required; every decision
is kept with who and when and written to the log. Records are never merged.

Example:
  handover match decide r0k3… r7p2… --confirm --reason "same service number and birth date"
`

func runMatchDecide(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match decide", matchDecideUsage)
	srv := m.addServerFlags(fs)
	confirm := fs.Bool("confirm", false, "the two records are the same person")
	reject := fs.Bool("reject", false, "the two records are different persons")
	undo := fs.Bool("undo", false, "withdraw the last decision")
	reason := fs.String("reason", "", "why (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	n := 0
	decision := ""
	for d, set := range map[string]bool{"confirm": *confirm, "reject": *reject, "undo": *undo} {
		if set {
			n++
			decision = d
		}
	}
	if len(pos) != 2 || n != 1 {
		return usageError{"name SOUGHT_ID and HELD_ID and exactly one of --confirm, --reject, --undo"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	p, err := c.DecideMatch(ctx, pos[0], pos[1], decision, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s / %s: %s\n", p.SoughtID, p.HeldID, p.Status)
	return nil
}

func runMatchDisclose(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match disclose", "Usage: handover match disclose SOUGHT_ID HELD_ID")
	srv := m.addServerFlags(fs)
	c, pos, err := srv.parse(fs, args, 2, "name SOUGHT_ID and HELD_ID")
	if err != nil {
		return err
	}
	if err := c.DiscloseMatch(ctx, pos[0], pos[1]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s / %s disclosed to the seeking party\n", pos[0], pos[1])
	return nil
}

func runMatchList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("match list", "Usage: handover match list")
	srv := m.addServerFlags(fs)
	c, _, err := srv.parse(fs, args, 0, "")
	if err != nil {
		return err
	}
	ms, err := c.Matches(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOUGHT\tHELD BY\tHELD AS\tBORN\tSCORE\tDISCLOSED")
	for _, x := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3f\t%s\n", x.SoughtID, x.HeldParty, dash(x.Held.DisplayName()), dash(x.Held.BirthDate.String()), x.Score, x.DisclosedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}
