package main

import (
	"context"
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
)

// The neutral's interview of a listed person (docs/design/law.md; GC III
// Art. 118) through the API: the mediator's operator records one; anyone
// who reads the exchange lists them as they may see them.

const interviewRecordUsage = `
Usage: handover interview record EXCHANGE RECORD --outcome wishes_return|refuses|not_interviewed --at TIME --place P --interviewer NAME --organisation ORG [--reason R] [--notes N] [--withhold --withhold-reason R | --lift-withhold] [--server URL --token TOKEN]

Record the neutral's private interview of a held person listed in the
exchange (the mediator's operator). TIME is YYYY-MM-DDTHH:MM (UTC) or a
date. A person who refuses is not offered for handover nor frozen in an
agreement until a newer interview says otherwise (GC III Art. 109(3)).
--withhold: he asks that his information be withheld from his own side;
his record is flagged at his own request; --lift-withhold: he no longer
asks it, and a newer interview lifts the flag. The parties see the outcome,
the organisation and the time, never the interviewer or the notes.

Example:
  handover interview record ex-4f… r0k3… --outcome wishes_return --at 2025-05-20T10:30 --place 'колонія №1' --interviewer 'J. Delegate' --organisation ICRC
`

const interviewListUsage = `
Usage: handover interview list EXCHANGE [--json] [--server URL --token TOKEN]

The held persons listed in the exchange with the neutral's latest
interview of each: the outcome, who verified it and when, and a refusal
at the crossing against it. The mediator's operator also sees every
interview whole, with the notes.

Example:
  handover interview list ex-4f…
`

func runInterviewRecord(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("interview record", interviewRecordUsage)
	srv := m.addServerFlags(fs)
	outcome := fs.String("outcome", "", "wishes_return, refuses or not_interviewed")
	at := fs.String("at", "", "when: YYYY-MM-DDTHH:MM (UTC) or YYYY-MM-DD")
	place := fs.String("place", "", "where")
	interviewer := fs.String("interviewer", "", "who interviewed him")
	org := fs.String("organisation", "", "the organisation the parties see as having verified")
	reason := fs.String("reason", "", "why he could not be interviewed")
	notes := fs.String("notes", "", "the interviewer's notes (never shown to the parties)")
	withhold := fs.Bool("withhold", false, "he asks that his information be withheld from his own side")
	withholdReason := fs.String("withhold-reason", "", "why he asks")
	lift := fs.Bool("lift-withhold", false, "he no longer asks that his information be withheld")
	c, pos, err := srv.parse(fs, args, 2, "give the exchange's and the record's ids")
	if err != nil {
		return err
	}
	iv := exchange.Interview{RecordID: pos[1], Outcome: exchange.InterviewOutcome(*outcome), Place: *place, Interviewer: *interviewer,
		Organisation: *org, Reason: *reason, Notes: *notes, Withhold: *withhold, WithholdReason: *withholdReason, LiftWithhold: *lift}
	if *at != "" {
		for _, layout := range []string{"2006-01-02T15:04", time.RFC3339, "2006-01-02"} {
			if iv.At, err = time.ParseInLocation(layout, *at, time.UTC); err == nil {
				break
			}
		}
		if err != nil {
			return errs.E("interview record", errs.Invalid, fmt.Sprintf("--at %q: use YYYY-MM-DDTHH:MM (UTC) or YYYY-MM-DD", *at))
		}
	}
	out, err := c.RecordInterview(ctx, pos[0], iv)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "interview %s of %s: %s, verified by %s on %s\n", out.ID, out.RecordID, out.Outcome, out.Organisation, out.At.UTC().Format(time.DateOnly))
	return nil
}

func runInterviewList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("interview list", interviewListUsage)
	srv := m.addServerFlags(fs)
	asJSON := fs.Bool("json", false, "print the list as JSON")
	c, pos, err := srv.parse(fs, args, 1, "give the exchange's id")
	if err != nil {
		return err
	}
	v, err := c.Interviews(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, v)
	}
	if len(v.Persons) == 0 {
		fmt.Fprintln(m.Stdout, "no held person is listed in the exchange")
	}
	for _, p := range v.Persons {
		line := p.RecordID + "  " + p.Party
		if p.Name != "" {
			line += "  " + p.Name
		}
		if l := p.Latest; l != nil {
			line += fmt.Sprintf("  %s, verified by %s on %s", l.Outcome, l.Organisation, l.At.UTC().Format(time.DateOnly))
		} else {
			line += "  not interviewed yet"
		}
		if p.CrossingRefused != nil {
			line += "  refused at the crossing on " + p.CrossingRefused.UTC().Format(time.DateOnly)
		}
		fmt.Fprintln(m.Stdout, line)
		for _, iv := range p.Interviews {
			fmt.Fprintf(m.Stdout, "    %s  %s at %s by %s (%s)", iv.At.UTC().Format("2006-01-02 15:04"), iv.Outcome, iv.Place, iv.Interviewer, iv.Organisation)
			if iv.Reason != "" {
				fmt.Fprintf(m.Stdout, "; %s", iv.Reason)
			}
			if iv.Withhold {
				fmt.Fprintf(m.Stdout, "; asks to be withheld: %s", iv.WithholdReason)
			}
			if iv.LiftWithhold {
				fmt.Fprint(m.Stdout, "; no longer asks to be withheld")
			}
			if iv.Notes != "" {
				fmt.Fprintf(m.Stdout, "; notes: %s", iv.Notes)
			}
			fmt.Fprintln(m.Stdout)
		}
	}
	return nil
}
