package exchange

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func TestStagePlanValidate(t *testing.T) {
	w := newWorld(t, 1000)
	w.round1(t)
	w.round2(t)
	agreed := Agreed(&w.ex, w.currentLists(), w.history)
	for _, tc := range []struct {
		name string
		mod  func(*StagePlan)
		want string // a fragment of one field error
	}{
		{"a person in two stages", func(p *StagePlan) {
			p.Stages[1].Sides[0].Persons = append(p.Stages[1].Sides[0].Persons, p.Stages[0].Sides[0].Persons[0])
			p.Stages[1].Sides[0].Planned[person.Civilian] = 1
		}, "is already in stages[0]"},
		{"a person on the reserve and in a stage", func(p *StagePlan) {
			p.Reserve[0].Persons = append(p.Reserve[0].Persons, p.Stages[2].Sides[0].Persons[0])
		}, "is already in stages[2]"},
		{"an agreed person left out", func(p *StagePlan) { p.Reserve[1].Persons = p.Reserve[1].Persons[1:] }, "in no stage and not on the reserve list"},
		{"a person not agreed", func(p *StagePlan) { p.Reserve[0].Persons = append(p.Reserve[0].Persons, hid("UA", 1)) }, "not on UA's agreed list"},
		{"the other side's person", func(p *StagePlan) { p.Reserve[0].Persons = append(p.Reserve[0].Persons, p.Reserve[1].Persons[0]) }, "is on RU's list, not UA's"},
		{"planned counts that do not match", func(p *StagePlan) { p.Stages[0].Sides[1].Planned[person.Military] = 271 }, "planned civilian=120 military=271 but the persons make civilian=120 military=270"},
		{"unequal stage sizes under N for N", func(p *StagePlan) {
			// RU moves one soldier from stage 3 to stage 2: its totals still
			// make 1,000, but the stages no longer pair up.
			sd2, sd3 := &p.Stages[1].Sides[1], &p.Stages[2].Sides[1]
			sd2.Persons, sd3.Persons = append(sd2.Persons, sd3.Persons[0]), sd3.Persons[1:]
			sd2.Planned[person.Military]++
			sd3.Planned[person.Military]--
		}, "N for N: UA releases military=307 but RU releases military=308"},
		{"stages out of order", func(p *StagePlan) { p.Stages[1].Number = 5 }, "stages are numbered"},
		{"no window", func(p *StagePlan) { p.Stages[0].End = p.Stages[0].Start.AddDate(0, 0, -1) }, "is before start"},
		{"a stage without its end", func(p *StagePlan) { p.Stages[0].End = time.Time{} }, "stages[0].end: a stage needs a window"},
		{"an unknown crossing", func(p *StagePlan) { p.Stages[2].Crossing = "Sumy" }, "not a crossing point"},
		{"sides in the wrong order", func(p *StagePlan) { s := p.Stages[0].Sides; s[0], s[1] = s[1], s[0] }, "must have one side for UA, then one for RU"},
		{"totals short of the terms", func(p *StagePlan) {
			for i := range p.Stages[2].Sides {
				sd := &p.Stages[2].Sides[i]
				p.Reserve[i].Persons = append(p.Reserve[i].Persons, sd.Persons[0])
				sd.Persons = sd.Persons[1:]
				sd.Planned[person.Military]--
			}
		}, "releases 999 in its stages; the terms say 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := w.plan(agreed)
			noErr(t, plan.Validate(&w.ex, agreed))
			tc.mod(&plan)
			err := plan.Validate(&w.ex, agreed)
			wantKind(t, err, errs.Invalid)
			var msgs []string
			for _, f := range errs.Fields(err) {
				msgs = append(msgs, f.Field+": "+f.Message)
			}
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tc.want) }) {
				t.Errorf("errors %q: want one containing %q", msgs, tc.want)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	c := Counts{person.Military: 270, person.Civilian: 120, person.SeriouslyWoundedSick: 0}
	if c.String() != "civilian=120 military=270" || c.Total() != 390 {
		t.Errorf("%s, %d", c, c.Total())
	}
	if (Counts{}).String() != "-" {
		t.Error("empty counts")
	}
}
