package web_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// TestMatchingReview runs matching through the API on a small population
// with planted pairs: the same man written in Ukrainian and in Russian
// forms is found; two namesakes born in different years in different towns
// stay apart; decisions survive a re-run; a confirmed match reaches the
// seeking party only once disclosed, and leaves its view when undone.
func TestMatchingReview(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		uaReg, _ := db.UserByLogin(ctx, "ua-reg")
		ruReg, _ := db.UserByLogin(ctx, "ru-reg")
		gen := synth.New(synth.Config{Seed: 7, Ref: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
		add := func(scope sqlstore.User, party string, fs []person.Fields) []person.Record {
			t.Helper()
			nrs := make([]sqlstore.NewRecord, len(fs))
			for i, f := range fs {
				nrs[i] = sqlstore.NewRecord{Party: party, Fields: f}
			}
			recs, err := db.CreateRecords(ctx, scope.Scope(), nrs)
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		add(uaReg, "UA", gen.Records("UA", person.Sought, 300))
		add(ruReg, "RU", gen.Records("RU", person.Held, 300))
		sought := add(uaReg, "UA", []person.Fields{
			{Kind: person.Sought, Category: person.Military, Surname: "Ковальчук", GivenNames: "Олександр", Patronymic: "Миколайович",
				BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}, BirthPlace: "Житомир", ServiceNumber: "А-123456", Unit: "в/ч А0224"},
			{Kind: person.Sought, Category: person.Military, Surname: "Гнатюк", GivenNames: "Сергій", Patronymic: "Петрович",
				BirthDate: person.Date{Year: 1990, Month: 3, Day: 2}, BirthPlace: "Київ"},
		})
		held := add(ruReg, "RU", []person.Fields{
			{Kind: person.Held, Category: person.Military, Surname: "Ковальчук", GivenNames: "Александр", Patronymic: "Николаевич",
				BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}, BirthPlace: "Житомир", ServiceNumber: "A123456"},
			{Kind: person.Held, Category: person.Military, Surname: "Гнатюк", GivenNames: "Сергей", Patronymic: "Петрович",
				BirthDate: person.Date{Year: 1984, Month: 11, Day: 17}, BirthPlace: "Харьков"},
		})
		st, b := e.do("op", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "UA", "held_party": "RU"})
		if st != 201 {
			t.Fatalf("run: %d %s", st, b)
		}
		var run sqlstore.MatchRun
		json.Unmarshal(b, &run)
		candidates := func(runID int64) map[[2]string]sqlstore.Candidate {
			t.Helper()
			st, b := e.do("op", "GET", "/api/v1/matching/runs/"+itoa(runID)+"/candidates?limit=1000", nil)
			if st != 200 {
				t.Fatalf("candidates: %d %s", st, b)
			}
			var out struct{ Candidates []sqlstore.Candidate }
			json.Unmarshal(b, &out)
			m := map[[2]string]sqlstore.Candidate{}
			for _, c := range out.Candidates {
				m[[2]string{c.SoughtID, c.HeldID}] = c
			}
			return m
		}
		cs := candidates(run.ID)
		kov := [2]string{sought[0].ID, held[0].ID}
		c, ok := cs[kov]
		if !ok || c.Score < 0.9 || len(c.Explanation.Fields) == 0 {
			t.Fatalf("Ковальчук Олександр ↔ Ковальчук Александр not found as a strong candidate: %+v (run %+v)", c, run)
		}
		if c, ok := cs[[2]string{sought[1].ID, held[1].ID}]; ok {
			t.Errorf("namesakes born in different years in different towns paired: %+v", c)
		}
		// Disclosure needs a confirmation first.
		pair := map[string]string{"sought_id": kov[0], "held_id": kov[1]}
		if st, b := e.do("op", "POST", "/api/v1/matching/disclosures", pair); st != 409 {
			t.Fatalf("disclose before confirming: %d %s", st, b)
		}
		if st, b := e.do("op", "POST", "/api/v1/matching/decisions", map[string]string{"sought_id": kov[0], "held_id": kov[1], "decision": "confirm"}); st != 400 {
			t.Fatalf("decision without a reason: %d %s", st, b)
		}
		if st, b := e.do("op", "POST", "/api/v1/matching/decisions", map[string]string{"sought_id": kov[0], "held_id": kov[1], "decision": "confirm", "reason": "same service number, same birth date"}); st != 201 {
			t.Fatalf("confirm: %d %s", st, b)
		}
		if st, b := e.do("op", "POST", "/api/v1/matching/decisions", map[string]string{"sought_id": kov[0], "held_id": kov[1], "decision": "confirm", "reason": "again"}); st != 409 {
			t.Fatalf("confirm twice: %d %s", st, b)
		}
		// Re-running keeps the decision.
		st, b = e.do("op", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "UA", "held_party": "RU"})
		if st != 201 {
			t.Fatalf("second run: %d %s", st, b)
		}
		var run2 sqlstore.MatchRun
		json.Unmarshal(b, &run2)
		if got := candidates(run2.ID)[kov]; got.Status != sqlstore.MatchConfirmed || got.DecidedBy != "op" {
			t.Fatalf("decision lost on re-run: %+v", got)
		}
		// The seeking party sees nothing until disclosure, then the match.
		matches := func(login string) []sqlstore.DisclosedMatch {
			t.Helper()
			st, b := e.do(login, "GET", "/api/v1/matches", nil)
			if st != 200 {
				t.Fatalf("matches as %s: %d %s", login, st, b)
			}
			var out struct{ Matches []sqlstore.DisclosedMatch }
			json.Unmarshal(b, &out)
			return out.Matches
		}
		if got := matches("ua-reg"); len(got) != 0 {
			t.Fatalf("undisclosed match visible: %+v", got)
		}
		if st, b := e.do("op", "POST", "/api/v1/matching/disclosures", pair); st != 204 {
			t.Fatalf("disclose: %d %s", st, b)
		}
		got := matches("ua-reg")
		if len(got) != 1 || got[0].Held.GivenNames != "Александр" || got[0].HeldParty != "RU" || got[0].Held.Health != "" {
			t.Fatalf("UA's view: %+v", got)
		}
		if got := matches("ru-reg"); len(got) != 0 {
			t.Fatalf("RU sees UA's sought match: %+v", got)
		}
		// Undo: back to candidate, gone from UA's view; the history stays.
		if st, b := e.do("op", "POST", "/api/v1/matching/decisions", map[string]string{"sought_id": kov[0], "held_id": kov[1], "decision": "undo", "reason": "wrong unit"}); st != 201 {
			t.Fatalf("undo: %d %s", st, b)
		}
		if got := matches("ua-reg"); len(got) != 0 {
			t.Fatalf("undone match still visible: %+v", got)
		}
		if got := candidates(run2.ID)[kov]; got.Status != sqlstore.MatchCandidate {
			t.Fatalf("after undo: %+v", got)
		}
		// A registrar cannot run or review matching.
		if st, _ := e.do("ua-reg", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "UA", "held_party": "RU"}); st != 403 {
			t.Errorf("registrar runs matching: %d", st)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
