package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestBacklogAcrossRounds: UA requests K in rounds 1, 2 and 3 and RU
// answers "not held" each time; M is requested in round 1 only and struck
// in its second version. The backlog shows K with all three answers, and
// round 4's carry-over holds K and M with what they say, K first; once K is
// on round 4's request list he is carried no more.
func TestBacklogAcrossRounds(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		recs, err := db.CreateRecords(ctx, sc["ua-reg"], []sqlstore.NewRecord{
			{Party: "UA", Fields: soughtFields("Ковальчук")}, {Party: "UA", Fields: soughtFields("Мельник")}, {Party: "UA", Fields: held("Тримач")}})
		if err != nil {
			t.Fatal(err)
		}
		k, m, h := recs[0].ID, recs[1].ID, recs[2].ID
		var exs []string
		for r := 1; r <= 4; r++ {
			ex, err := db.OpenExchange(ctx, sc["op"], exchange.Exchange{Name: fmt.Sprintf("round %d", r), Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
				Terms: exchange.Terms{Kind: exchange.Numeric, Total: 10, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
			if err != nil {
				t.Fatal(err)
			}
			exs = append(exs, ex.ID)
		}
		items := func(ids ...string) []exchange.Item {
			var out []exchange.Item
			for _, id := range ids {
				out = append(out, exchange.Item{RecordID: id, Category: person.Military})
			}
			return out
		}
		for r := range 3 {
			ids := []string{k}
			if r == 0 {
				ids = append(ids, m)
			}
			if _, err := db.SubmitList(ctx, sc["ua-reg"], exs[r], exchange.Request, items(ids...), nil, "our people"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Respond(ctx, sc["ru-reg"], exs[r], "UA", exchange.Request, 1, []exchange.Response{{RecordID: k, Answer: exchange.NotHeld, Reason: fmt.Sprintf("not in our camps (round %d)", r+1)}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SubmitList(ctx, sc["ua-reg"], exs[0], exchange.Request, items(k), []exchange.Removal{{RecordID: m, Reason: "to the next round"}}, "second version"); err != nil {
			t.Fatal(err)
		}

		v, err := db.Backlog(ctx, sc["ua-appr"])
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Rounds) != 4 || v.Rounds[3].Exchange != exs[3] || v.Rounds[3].Name != "round 4" {
			t.Errorf("rounds %+v", v.Rounds)
		}
		if len(v.Persons) != 2 || v.Persons[0].RecordID != k || v.Persons[1].RecordID != m {
			t.Fatalf("persons %+v, want K then M", v.Persons)
		}
		got := v.Persons[0]
		if !slices.Equal(got.Rounds, []int{1, 2, 3}) || !slices.Equal(got.Answers, []backlog.Tally{{Answer: exchange.NotHeld, N: 3}}) || got.Name != "Ковальчук Олександр Миколайович" {
			t.Errorf("K: rounds %v answers %v name %q", got.Rounds, got.Answers, got.Name)
		}
		var reasons []string
		for _, e := range got.Events {
			if e.Kind == backlog.Answered {
				reasons = append(reasons, e.Reason)
				if e.At.IsZero() || e.Answer != exchange.NotHeld {
					t.Errorf("answer %+v", e)
				}
			}
		}
		if want := []string{"not in our camps (round 1)", "not in our camps (round 2)", "not in our camps (round 3)"}; !slices.Equal(reasons, want) {
			t.Errorf("K's answers %q, want %q", reasons, want)
		}
		if got.LastAnswer == nil || got.LastAnswer.Round != 3 {
			t.Errorf("K's last answer %+v", got.LastAnswer)
		}
		one, err := db.BacklogOf(ctx, sc["ua-reg"], k)
		if err != nil || len(one.Events) != len(got.Events) {
			t.Errorf("BacklogOf(K) = %d events, %v; want %d", len(one.Events), err, len(got.Events))
		}

		round, carried, err := db.CarryOver(ctx, sc["ua-reg"], exs[3])
		if err != nil {
			t.Fatal(err)
		}
		if round.Number != 4 || len(carried) != 2 || carried[0].Item.RecordID != k || carried[1].Item.RecordID != m {
			t.Fatalf("round %+v carried %+v, want K and M into round 4", round, carried)
		}
		if !slices.Equal(carried[0].Rounds, []int{1, 2, 3}) || carried[0].Answers[0].N != 3 || len(carried[1].Answers) != 0 {
			t.Errorf("carried %+v", carried)
		}
		if _, err := db.SubmitList(ctx, sc["ua-reg"], exs[3], exchange.Request, items(k), nil, "carried"); err != nil {
			t.Fatal(err)
		}
		if _, carried, err = db.CarryOver(ctx, sc["ua-reg"], exs[3]); err != nil || len(carried) != 1 || carried[0].Item.RecordID != m {
			t.Errorf("after K is listed: %+v, %v", carried, err)
		}

		// Who may read it: the bureau; not the other party, the mediator,
		// a held record.
		if _, err := db.Backlog(ctx, sc["op"]); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the mediator reads UA's backlog: %v", err)
		}
		if _, err := db.BacklogOf(ctx, sc["ru-reg"], k); !errs.Is(errs.NotFound, err) {
			t.Errorf("RU reads K's backlog: %v", err)
		}
		if _, err := db.BacklogOf(ctx, sc["ua-reg"], h); !errs.Is(errs.Invalid, err) {
			t.Errorf("a held record's backlog: %v", err)
		}
		if _, _, err := db.CarryOver(ctx, sc["op"], exs[3]); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the mediator's carry-over: %v", err)
		}
	})
}

// TestPriorityFlags: the seeking party's registrar and approver set flags
// on its sought persons, logged; the other party, the mediator and a
// checkpoint officer may not; a held record takes none; bad flags are
// named; the same flags again are a conflict; the latest stand.
func TestPriorityFlags(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		recs, err := db.CreateRecords(ctx, sc["ua-reg"], []sqlstore.NewRecord{{Party: "UA", Fields: soughtFields("Ковальчук")}, {Party: "UA", Fields: held("Тримач")}})
		if err != nil {
			t.Fatal(err)
		}
		k, h := recs[0].ID, recs[1].ID
		size, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := db.SetPriority(ctx, sc["ua-reg"], k, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded, backlog.HeldLongest}, Group: " Азовсталь "})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.Marks, []backlog.Mark{backlog.HeldLongest, backlog.Wounded}) || f.Group != "Азовсталь" {
			t.Errorf("stored %+v", f)
		}
		if after, _ := db.LogSize(ctx); after != size+1 {
			t.Errorf("log grew by %d leaves, want 1", after-size)
		}
		if _, err := db.SetPriority(ctx, sc["ua-appr"], k, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded, backlog.HeldLongest}, Group: "Азовсталь"}); !errs.Is(errs.Conflict, err) {
			t.Errorf("the same flags again: %v, want Conflict", err)
		}
		if _, err := db.SetPriority(ctx, sc["ua-appr"], k, backlog.Flags{Marks: []backlog.Mark{backlog.Woman}}); err != nil {
			t.Errorf("the approver: %v", err)
		}
		for _, who := range []string{"ru-reg", "op", "ua-officer", "aud"} {
			if _, err := db.SetPriority(ctx, sc[who], k, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}}); !errs.Is(errs.NotFound, err) && !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s set UA's flags: %v", who, err)
			}
		}
		if _, err := db.SetPriority(ctx, sc["ua-reg"], h, backlog.Flags{Marks: []backlog.Mark{backlog.Wounded}}); !errs.Is(errs.Invalid, err) || errs.Fields(err)[0].Code != "backlog_not_sought" {
			t.Errorf("flags on a held record: %v", err)
		}
		err = func() error {
			_, err := db.SetPriority(ctx, sc["ua-reg"], k, backlog.Flags{Marks: []backlog.Mark{"vip"}})
			return err
		}()
		if fe := errs.Fields(err); !errs.Is(errs.Invalid, err) || len(fe) != 1 || fe[0].Field != "marks[0]" || fe[0].Code != "priority_mark" {
			t.Errorf("an unknown mark: %v %+v", err, fe)
		}
		one, err := db.BacklogOf(ctx, sc["ua-reg"], k)
		if err != nil || !slices.Equal(one.Flags.Marks, []backlog.Mark{backlog.Woman}) || one.Flags.Group != "" || len(one.Rounds) != 0 {
			t.Errorf("K's backlog %+v, %v: want only the latest flags", one, err)
		}
		v, err := db.Backlog(ctx, sc["ua-reg"])
		if err != nil || len(v.Persons) != 1 || v.Persons[0].RecordID != k {
			t.Errorf("the backlog of a flagged, never requested person: %+v, %v", v.Persons, err)
		}
	})
}

func soughtFields(surname string) person.Fields {
	f := held(surname)
	f.Kind, f.Status = person.Sought, person.StatusMissing
	return f
}
