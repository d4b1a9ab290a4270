package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// must decodes a 2xx answer into out, or fails with the body.
func (e *env) must(login, method, path string, body, out any, want int) {
	e.t.Helper()
	st, b := e.do(login, method, path, body)
	if st != want {
		e.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, login, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// registerSigner makes a note key pair and registers its public half for role.
func registerSigner(t *testing.T, db *sqlstore.DB, name, party string) note.Signer {
	t.Helper()
	skey, _, err := audit.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	sqltest.ActivateKey(t, db, skey, party, sqlstore.KeySigner)
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMay16Exchange replays the shape of the 16 May 2025 exchange through
// the API on generated records: 1,000 for 1,000 with 120 civilians per side;
// two list versions with rejections (one for a pending prosecution),
// queries and a civilian without consent caught; stages of 390 (270
// military + 120 civilians), 307 and 303 per side; an agreement signed by
// both parties' approvers and the mediator and verified offline; and the
// refusals: a wrong key, a registrar signing, a stale version, a party
// answering its own list.
func TestMay16Exchange(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ua := registerSigner(t, db, "ua-approver-key", "UA")
		ru := registerSigner(t, db, "ru-approver-key", "RU")
		med := registerSigner(t, db, "mediator-key", "")
		var witnesses []string // private witness keys of UA's and RU's bureaus and the mediator
		for _, w := range []struct{ name, party string }{{"ua-bureau", "UA"}, {"ru-bureau", "RU"}, {"mediator-witness", ""}} {
			sk, _, err := audit.GenerateKey(w.name)
			if err != nil {
				t.Fatal(err)
			}
			sqltest.ActivateKey(t, db, sk, w.party, sqlstore.KeyWitness)
			witnesses = append(witnesses, sk)
		}
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ru-appr", Role: "party_approver", Party: "RU", Password: "a long enough password", Argon2: cheap}); err != nil {
			t.Fatal(err)
		}
		e.tokens["ru-appr"] = mintToken(t, db, "ru-appr")

		// Each side holds 884 soldiers and 122 civilians of the other side.
		const mil, civ = 884, 122
		reg := map[string]string{"UA": "ua-reg", "RU": "ru-reg"}
		held := map[string][]string{}
		for _, p := range []string{"UA", "RU"} {
			var recs []map[string]any
			for i := range mil + civ {
				r := map[string]any{"kind": "held", "category": "military", "status": "pow", "surname": fmt.Sprintf("Особа%s%d", p, i),
					"birth_date": fmt.Sprintf("%d-%02d-%02d", 1975+i%30, 1+i%12, 1+i%28), "capture_date": "2023-02-11"}
				if i >= mil {
					r["category"], r["status"] = "civilian", "detained_civilian"
				}
				recs = append(recs, r)
			}
			for start := 0; start < len(recs); start += 1000 {
				var out struct{ Records []struct{ ID string } }
				e.must(reg[p], "POST", "/api/v1/records/batch", map[string]any{"records": recs[start:min(start+1000, len(recs))]}, &out, 201)
				for _, r := range out.Records {
					held[p] = append(held[p], r.ID)
				}
			}
			// Consent of every civilian but the first.
			for _, id := range held[p][mil+1:] {
				e.must(reg[p], "POST", "/api/v1/records/"+id+"/evidence", map[string]any{"consent": []any{
					map[string]any{"kind": "given", "date": "2025-05-01T00:00:00Z", "witness": "ICRC delegate"}}}, nil, 204)
			}
		}

		var ex exchange.Exchange
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{
			"name": "Istanbul, 16 May 2025: 1,000 for 1,000", "parties": []string{"UA", "RU"}, "crossings": []string{"Belarus–Ukraine border"},
			"terms": map[string]any{"kind": "numeric", "total": 1000, "rules": []any{
				map[string]any{"id": "mil", "category": "military"},
				map[string]any{"id": "civ", "category": "civilian", "count": 120}}},
		}, &ex, 201)

		// Version 1: each side offers everyone it holds.
		items := func(ids []string, from, to int, cat string) []any {
			var out []any
			for _, id := range ids[from:to] {
				out = append(out, map[string]any{"record_id": id, "category": cat})
			}
			return out
		}
		for _, p := range []string{"UA", "RU"} {
			its := append(items(held[p], 0, mil, "military"), items(held[p], mil, mil+civ, "civilian")...)
			e.must(reg[p], "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": its, "reason": "first list"}, nil, 201)
		}
		// A party may not answer its own list.
		if st, b := e.do("ua-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/UA/offer/answers", map[string]any{"version": 1,
			"answers": []any{map[string]any{"record_id": held["UA"][0], "answer": "accept", "reason": "mine"}}}); st != 403 {
			t.Fatalf("answering one's own list: %d %s", st, b)
		}
		// Each side answers the other's: accepts most; rejects four
		// soldiers (one for a pending prosecution), queries two, finds the
		// civilian without consent ineligible and rejects another civilian.
		other := map[string]string{"UA": "RU", "RU": "UA"}
		for _, p := range []string{"UA", "RU"} {
			ids := held[other[p]]
			var answers []any
			for i, id := range ids {
				a := map[string]any{"record_id": id, "answer": "accept", "reason": "verified"}
				switch {
				case i == 0:
					a["answer"], a["reason"], a["blocker"] = "reject", "criminal case pending", "pending_prosecution"
				case i < 4:
					a["answer"], a["reason"] = "reject", "not on our records"
				case i < 6:
					a["answer"], a["reason"] = "query", "which unit?"
				case i == mil:
					a["answer"], a["reason"], a["rule"] = "ineligible", "no consent recorded", "civ"
				case i == mil+1:
					a["answer"], a["reason"] = "reject", "not a civilian"
				}
				answers = append(answers, a)
			}
			e.must(reg[p], "POST", "/api/v1/exchanges/"+ex.ID+"/lists/"+other[p]+"/offer/answers", map[string]any{"version": 1, "answers": answers}, nil, 201)
		}
		var view exchange.View
		e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &view, 200)
		if view.Ready || len(view.Blocking) == 0 {
			t.Fatalf("view after version 1 is ready: %+v", view.Blocking)
		}
		violation := false
		for _, b := range view.Blocking {
			for _, v := range b.Violations {
				if b.RecordID == held[b.Party][mil] && v.Code == exchange.VNoConsent {
					violation = true
				}
			}
		}
		if !violation {
			t.Errorf("the civilian without consent is not flagged: %+v", view.Blocking)
		}

		// Version 2 strikes the rejected and the ineligible, with reasons.
		for _, p := range []string{"UA", "RU"} {
			ids := held[p]
			var removed []any
			for _, i := range []int{0, 1, 2, 3, mil, mil + 1} {
				removed = append(removed, map[string]any{"record_id": ids[i], "reason": "struck at the other side's request"})
			}
			its := append(items(ids, 4, mil, "military"), items(ids, mil+2, mil+civ, "civilian")...)
			var sub sqlstore.SubmittedList
			e.must(reg[p], "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": its, "removed": removed, "reason": "struck 6"}, &sub, 201)
			if sub.List.Version != 2 || len(sub.Diff.Removed) != 6 || len(sub.Diff.Added) != 0 {
				t.Fatalf("version 2 diff: %d removed, %d added", len(sub.Diff.Removed), len(sub.Diff.Added))
			}
		}
		// The queries are answered on version 2.
		for _, p := range []string{"UA", "RU"} {
			var answers []any
			for _, id := range held[other[p]][4:6] {
				answers = append(answers, map[string]any{"record_id": id, "answer": "accept", "reason": "unit confirmed"})
			}
			e.must(reg[p], "POST", "/api/v1/exchanges/"+ex.ID+"/lists/"+other[p]+"/offer/answers", map[string]any{"version": 2, "answers": answers}, nil, 201)
		}
		// The other party sees the list as disclosed, with the diff.
		var lv sqlstore.ListView
		e.must("ru-reg", "GET", "/api/v1/exchanges/"+ex.ID+"/lists/UA/offer", nil, &lv, 200)
		if lv.Version != 2 || len(lv.Items) != 1000 || lv.Items[0].Person == nil || lv.Items[0].Answer == nil || lv.Items[0].Person.Health != "" {
			t.Fatalf("RU's view of UA's list: version %d, %d items, first %+v", lv.Version, len(lv.Items), lv.Items[0])
		}
		e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &view, 200)
		if !view.Ready {
			t.Fatalf("view after version 2 not ready: blocking %+v shortfalls %+v", view.Blocking, view.Shortfalls)
		}

		// Stages 390 (270 + 120), 307, 303 per side.
		plan := exchange.StagePlan{}
		cuts := []struct{ mil, civ int }{{270, 120}, {307, 0}, {303, 0}}
		soldiers := map[string][]string{"UA": held["UA"][4:mil], "RU": held["RU"][4:mil]}
		civilians := map[string][]string{"UA": held["UA"][mil+2:], "RU": held["RU"][mil+2:]}
		for n, c := range cuts {
			st := exchange.Stage{Number: n + 1, Start: time.Date(2025, 5, 23+n, 8, 0, 0, 0, time.UTC), End: time.Date(2025, 5, 23+n, 20, 0, 0, 0, time.UTC), Crossing: "Belarus–Ukraine border"}
			for _, p := range []string{"UA", "RU"} {
				side := exchange.StageSide{Party: p, Planned: exchange.Counts{"military": c.mil}}
				side.Persons = append(side.Persons, soldiers[p][:c.mil]...)
				soldiers[p] = soldiers[p][c.mil:]
				if c.civ > 0 {
					side.Planned["civilian"] = c.civ
					side.Persons = append(side.Persons, civilians[p][:c.civ]...)
					civilians[p] = civilians[p][c.civ:]
				}
				st.Sides = append(st.Sides, side)
			}
			plan.Stages = append(plan.Stages, st)
		}
		var ag sqlstore.AgreementStatus
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
		if ag.Version != 1 || ag.State != "open" || len(ag.Missing) != 3 || strings.Contains(ag.Document, "Особа") {
			t.Fatalf("frozen agreement: version %d state %s missing %v (names in clear: %v)", ag.Version, ag.State, ag.Missing, strings.Contains(ag.Document, "Особа"))
		}
		doc := []byte(ag.Document)
		sign := func(s note.Signer) string {
			line, err := exchange.Sign(doc, s)
			if err != nil {
				t.Fatal(err)
			}
			return line
		}
		// Refusals: a registrar signing, an approver with the other
		// party's key.
		if st, b := e.do("ua-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(ua)}); st != 403 {
			t.Fatalf("registrar signing: %d %s", st, b)
		}
		if st, b := e.do("ua-appr", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(ru)}); st != 403 {
			t.Fatalf("UA approver with RU's key: %d %s", st, b)
		}
		e.must("ua-appr", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(ua)}, nil, 201)
		e.must("ru-appr", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(ru)}, nil, 201)
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(med)}, &ag, 201)
		if ag.State != "signed" || len(ag.Missing) != 0 {
			t.Fatalf("after three signatures: %s, missing %v", ag.State, ag.Missing)
		}
		// Signed, but not final until a checkpoint over the signatures is
		// cosigned by every witness (log.md §7).
		if ag.Final || len(ag.FinalMissing) != 3 {
			t.Fatalf("final before any cosignature: %v, missing %v", ag.Final, ag.FinalMissing)
		}
		var cp []byte
		if st, b := e.do("op", "POST", "/api/v1/log/checkpoint", nil); st != 200 {
			t.Fatalf("checkpoint: %d %s", st, b)
		} else {
			cp = b
		}
		cpc, err := audit.PeekCheckpoint(cp)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range witnesses {
			c, err := audit.NewCosigner(w)
			if err != nil {
				t.Fatal(err)
			}
			line := c.Sign(cpc.Marshal(), time.Now())
			if err := db.AddCosignature(ctx, cpc.Size, line); err != nil {
				t.Fatal(err)
			}
			e.must("ua-reg", "GET", "/api/v1/exchanges/"+ex.ID+"/agreement", nil, &ag, 200)
			if ag.Final != (i == len(witnesses)-1) {
				t.Fatalf("after %d cosignatures: final %v, missing %v", i+1, ag.Final, ag.FinalMissing)
			}
		}
		// Offline verification, as a party does it with its own key list.
		st, text := e.do("ua-reg", "GET", "/api/v1/exchanges/"+ex.ID+"/agreement?format=text", nil)
		if st != http.StatusOK {
			t.Fatalf("agreement text: %d", st)
		}
		keys := []exchange.SignerKey{{Role: "UA", VKey: vkeyOf(t, db, "ua-approver-key")}, {Role: "RU", VKey: vkeyOf(t, db, "ru-approver-key")}, {Role: exchange.Mediator, VKey: vkeyOf(t, db, "mediator-key")}}
		v, err := exchange.Verify(text, keys, nil)
		if err != nil {
			t.Fatalf("offline verification: %v", err)
		}
		if n := len(v.Agreement.Plan.Stages); n != 3 {
			t.Fatalf("stages in the signed document: %d", n)
		}
		// Any change is a new version: signatures over version 1 are stale.
		e.must("op", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement", map[string]any{"plan": plan}, &ag, 201)
		if ag.Version != 2 || ag.State != "open" {
			t.Fatalf("refreeze: version %d state %s", ag.Version, ag.State)
		}
		if st, b := e.do("ru-appr", "POST", "/api/v1/exchanges/"+ex.ID+"/agreement/signatures", map[string]any{"version": 1, "line": sign(ru)}); st != 409 {
			t.Fatalf("signing a stale version: %d %s", st, b)
		}
		var old sqlstore.AgreementStatus
		e.must("ua-reg", "GET", "/api/v1/exchanges/"+ex.ID+"/agreement?version=1", nil, &old, 200)
		if old.State != "superseded" {
			t.Errorf("version 1 after version 2: %s", old.State)
		}
	})
}

func vkeyOf(t *testing.T, db *sqlstore.DB, name string) string {
	t.Helper()
	ks, err := db.LogKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Name == name {
			return k.VKey
		}
	}
	t.Fatalf("no key %s", name)
	return ""
}

// TestCategoryTermsView runs the 2 June 2025 shape through the API: all
// for all of soldiers aged 18–25 at the reference date and of the
// seriously wounded and sick with a commission decision A, at least 1,000
// in all. The view lists the eligible persons a side did not offer, flags
// a 17-year-old and a year-only birth date that cannot be decided, accepts
// an 18th birthday on the reference date, and reports the floor unmet.
func TestCategoryTermsView(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	ref := "2025-06-02"
	type p struct {
		birth, cat string
		decision   string
		offer      bool
	}
	people := []p{
		{"2007-06-02", "military", "", true},  // 18 on the reference date: eligible
		{"2007-06-03", "military", "", true},  // 17: flagged
		{"2007", "military", "", true},        // year only: undecidable
		{"2000-01-15", "military", "", true},  // 25
		{"2001-03-01", "military", "", false}, // 24, not offered: outstanding
		{"2003-09-09", "military", "", false}, // 21, not offered: outstanding
		{"1990-01-01", "military", "", false}, // 35: not eligible, not outstanding
		{"1980-05-05", "seriously_wounded_sick", "A", true},
		{"1975-05-05", "seriously_wounded_sick", "A", false}, // outstanding
		{"1970-05-05", "seriously_wounded_sick", "", false},  // no commission: not eligible
	}
	ids := make([]string, len(people))
	for i, x := range people {
		var r struct{ ID string }
		e.must("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "held", "category": x.cat, "surname": fmt.Sprintf("Військовий%d", i), "birth_date": x.birth, "status": "pow"}, &r, 201)
		ids[i] = r.ID
		if x.decision != "" {
			e.must("ua-reg", "POST", "/api/v1/records/"+r.ID+"/evidence", map[string]any{"commission": map[string]any{"decision": x.decision, "date": "2025-05-20T00:00:00Z"}}, nil, 204)
		}
	}
	var ex exchange.Exchange
	e.must("op", "POST", "/api/v1/exchanges", map[string]any{
		"name": "Istanbul, 2 June 2025: all for all", "parties": []string{"UA", "RU"}, "crossings": []string{"Belarus–Ukraine border"},
		"terms": map[string]any{"kind": "category", "floor": 1000, "reference": ref + "T00:00:00Z", "rules": []any{
			map[string]any{"id": "young-18-25", "category": "military", "all_for_all": true, "min_age": 18, "max_age": 25},
			map[string]any{"id": "swsick", "category": "seriously_wounded_sick", "all_for_all": true}}},
	}, &ex, 201)
	var items []any
	for i, x := range people {
		if x.offer {
			items = append(items, map[string]any{"record_id": ids[i], "category": x.cat})
		}
	}
	e.must("ua-reg", "POST", "/api/v1/exchanges/"+ex.ID+"/lists/offer", map[string]any{"items": items, "reason": "first list"}, nil, 201)
	var view exchange.View
	e.must("op", "GET", "/api/v1/exchanges/"+ex.ID+"/view", nil, &view, 200)
	if view.Ready {
		t.Fatal("view ready with outstanding persons and an unmet floor")
	}
	outstanding := map[string]bool{}
	for _, s := range view.Sides {
		if s.Party != "UA" {
			continue
		}
		for _, c := range s.Categories {
			for _, id := range c.Outstanding {
				outstanding[id] = true
			}
		}
	}
	for i, want := range []bool{false, false, false, false, true, true, false, false, true, false} {
		if outstanding[ids[i]] != want {
			t.Errorf("person %d (%s, %s): outstanding %v, want %v", i, people[i].birth, people[i].cat, outstanding[ids[i]], want)
		}
	}
	codes := map[string][]exchange.ViolationCode{}
	for _, b := range view.Blocking {
		for _, v := range b.Violations {
			codes[b.RecordID] = append(codes[b.RecordID], v.Code)
		}
	}
	if len(codes[ids[0]]) != 0 {
		t.Errorf("18 on the reference date flagged: %v", codes[ids[0]])
	}
	if !slices.Contains(codes[ids[1]], exchange.VAgeBelow) {
		t.Errorf("the 17-year-old: %v", codes[ids[1]])
	}
	if !slices.Contains(codes[ids[2]], exchange.VAgeUndecidable) {
		t.Errorf("the year-only birth date: %v", codes[ids[2]])
	}
	floor := false
	for _, s := range view.Shortfalls {
		if s.Party == "UA" && s.Category == "" && strings.Contains(s.Want, "1000") {
			floor = true
		}
	}
	if !floor {
		t.Errorf("the floor of 1,000 is not reported: %+v", view.Shortfalls)
	}
}
