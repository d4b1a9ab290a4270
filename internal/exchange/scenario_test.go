package exchange

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// world is a numeric exchange in the shape of 16 May 2025, scaled by
// total: each side holds total-120+15 soldiers and 122 civilians
// (1,012 persons for total 1,000), offers them all in version 1, and the
// other side rejects five soldiers, queries three, finds one civilian
// without consent ineligible and records that another refuses.
type world struct {
	ex        Exchange
	persons   map[string]Person
	held      map[string][]Person
	lists     map[string]ListVersion // current version, by party/kind
	versions  []ListVersion          // every version submitted, in order
	history   []Response
	clock     time.Time
	mil, civ  int // soldiers and civilians each side offers in version 1
	civTarget int
}

func newWorld(tb testing.TB, total int) *world {
	tb.Helper()
	civ := total * 12 / 100
	w := &world{
		ex: Exchange{
			ID: "ex-2025-05-16", Name: "Istanbul, 16 May 2025: 1,000 for 1,000",
			Parties: [2]string{"UA", "RU"}, Crossings: []string{"Belarus–Ukraine border"},
			From: day(2025, 5, 23), To: day(2025, 5, 25),
			Terms: Terms{Kind: Numeric, Total: total, Rules: []Rule{
				{ID: "mil", Category: person.Military},
				{ID: "civ", Category: person.Civilian, Count: civ},
			}},
		},
		persons: map[string]Person{}, held: map[string][]Person{}, lists: map[string]ListVersion{},
		clock: time.Date(2025, 5, 17, 9, 0, 0, 0, time.UTC),
		mil:   total - civ + 10, civ: civ + 2, civTarget: civ,
	}
	noErr(tb, w.ex.Validate())
	for _, p := range w.ex.Parties {
		for i := 1; i <= w.mil+w.civ; i++ {
			ps := Person{RecordID: hid(p, i), Category: person.Military, Status: person.StatusPOW,
				BirthDate: mustDate(fmt.Sprintf("%d-%02d-%02d", 1975+i%30, 1+i%12, 1+i%28)), CaptureDate: mustDate("2023-02-11")}
			if i > w.mil {
				ps.Category, ps.Status = person.Civilian, person.StatusDetainedCivilian
				ps.Evidence = consented(day(2025, 5, 1))
			}
			if i == w.mil+1 {
				ps.Evidence = Evidence{} // no consent recorded
			}
			if i == w.mil+2 {
				ps.Evidence.Consent = append(ps.Evidence.Consent, Consent{Kind: ConsentRefused, Date: day(2025, 5, 10), Witness: "ICRC delegate"})
			}
			w.persons[ps.RecordID] = ps
			w.held[p] = append(w.held[p], ps)
		}
	}
	return w
}

func (w *world) tick() time.Time { w.clock = w.clock.Add(time.Minute); return w.clock }

// submit submits a draft of party's list of kind with items, after the
// current version, with removal reasons.
func (w *world) submit(tb testing.TB, party string, kind ListKind, items []Item, removed []Removal) ListVersion {
	tb.Helper()
	key := party + "/" + string(kind)
	var prev *ListVersion
	if l, ok := w.lists[key]; ok {
		prev = &l
	}
	d := NewDraft(w.ex.ID, party, kind, prev, items, "list")
	d.Removed = removed
	sub, sup, err := Submit(d, prev, w.tick(), "user:"+party+"-registrar")
	noErr(tb, err)
	if prev != nil && (sup == nil || sup.State != ListSuperseded) {
		tb.Fatalf("the previous version was not superseded: %+v", sup)
	}
	w.lists[key] = sub
	w.versions = append(w.versions, sub)
	return sub
}

func (w *world) answer(tb testing.TB, list ListVersion, id string, a Answer, reason string, mod ...func(*Response)) {
	tb.Helper()
	other, _ := w.ex.Other(list.Party)
	r := Response{RecordID: id, Party: other, Answer: a, Reason: reason, At: w.tick(), By: "user:" + other + "-approver"}
	for _, m := range mod {
		m(&r)
	}
	r, err := Respond(&w.ex, &list, r)
	noErr(tb, err)
	w.history = append(w.history, r)
}

func (w *world) offerItems(party string) []Item {
	var items []Item
	for _, p := range w.held[party] {
		items = append(items, Item{RecordID: p.RecordID, Category: p.Category})
	}
	return items
}

func (w *world) currentLists() []ListVersion {
	var out []ListVersion
	for _, k := range []string{"UA/offer", "UA/request", "RU/offer", "RU/request"} {
		if l, ok := w.lists[k]; ok {
			out = append(out, l)
		}
	}
	return out
}

func (w *world) view() *View {
	return NewView(&ViewInput{Exchange: &w.ex, Lists: w.currentLists(), Responses: w.history, Persons: w.persons, Held: w.held})
}

// round1 submits version 1 of both offers and UA's requests and answers
// them.
func (w *world) round1(tb testing.TB) {
	tb.Helper()
	for _, p := range w.ex.Parties {
		l := w.submit(tb, p, Offer, w.offerItems(p), nil)
		for i, it := range l.Items {
			n := i + 1
			switch {
			case n <= 5:
				w.answer(tb, l, it.RecordID, Reject, "not on our list of servicemen", func(r *Response) {
					if n == 1 {
						r.Blocker, r.Reason = PendingProsecution, "criminal case pending"
					}
				})
			case n <= 8:
				w.answer(tb, l, it.RecordID, Query, "rank and unit do not match our records")
			case n == w.mil+1:
				w.answer(tb, l, it.RecordID, Ineligible, "no recorded consent to be transferred", func(r *Response) { r.Rule = "civ" })
			case n == w.mil+2:
				w.answer(tb, l, it.RecordID, RefusesExchange, "declined before the ICRC delegate")
			default:
				w.answer(tb, l, it.RecordID, Accept, "confirmed")
			}
		}
	}
	req := w.submit(tb, "UA", Request, []Item{
		{RecordID: sid("UA", 1), Category: person.Military, HeldRecordID: hid("RU", 10)},
		{RecordID: sid("UA", 2), Category: person.Military},
		{RecordID: sid("UA", 3), Category: person.Civilian},
	}, nil)
	w.answer(tb, req, sid("UA", 1), Accept, "will be released")
	w.answer(tb, req, sid("UA", 2), NotHeld, "no such person in our custody")
}

// round2 strikes what was refused, keeps the queried soldiers, and answers
// the rest.
func (w *world) round2(tb testing.TB) {
	tb.Helper()
	for _, p := range w.ex.Parties {
		prev := w.lists[p+"/offer"]
		var items []Item
		var removed []Removal
		for i, it := range prev.Items {
			n := i + 1
			switch {
			case n <= 5:
				removed = append(removed, Removal{RecordID: it.RecordID, Reason: "rejected by the other side"})
			case n == w.mil+1:
				removed = append(removed, Removal{RecordID: it.RecordID, Reason: "no consent on file"})
			case n == w.mil+2:
				removed = append(removed, Removal{RecordID: it.RecordID, Reason: "refuses to be exchanged"})
			default:
				items = append(items, it)
			}
		}
		l := w.submit(tb, p, Offer, items, removed)
		for _, it := range l.Items[:3] {
			w.answer(tb, l, it.RecordID, Accept, "clarified: unit confirmed")
		}
	}
	w.answer(tb, w.lists["UA/request"], sid("UA", 3), Reject, "serving a sentence for a common crime", func(r *Response) { r.Blocker = ServingSentence })
}

// plan stages the agreed persons 390 (270 soldiers + 120 civilians), 307
// and 303 (for total 1,000; scaled otherwise), keeping the last soldiers
// on the reserve.
func (w *world) plan(agreed map[string][]Item) StagePlan {
	total := w.ex.Terms.Total
	s1mil := total*390/1000 - w.civTarget
	s2 := total * 307 / 1000
	s3 := total - s1mil - w.civTarget - s2
	plan := StagePlan{}
	for n, win := range []time.Time{day(2025, 5, 23), day(2025, 5, 24), day(2025, 5, 25)} {
		plan.Stages = append(plan.Stages, Stage{Number: n + 1, Start: win.Add(8 * time.Hour), End: win.Add(18 * time.Hour), Crossing: w.ex.Crossings[0]})
	}
	for _, p := range w.ex.Parties {
		var mil, civ []string
		for _, it := range agreed[p] {
			if it.Category == person.Civilian {
				civ = append(civ, it.RecordID)
			} else {
				mil = append(mil, it.RecordID)
			}
		}
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, StageSide{Party: p,
			Planned: Counts{person.Military: s1mil, person.Civilian: len(civ)}, Persons: append(slices.Clone(civ), mil[:s1mil]...)})
		plan.Stages[1].Sides = append(plan.Stages[1].Sides, StageSide{Party: p,
			Planned: Counts{person.Military: s2}, Persons: mil[s1mil : s1mil+s2]})
		plan.Stages[2].Sides = append(plan.Stages[2].Sides, StageSide{Party: p,
			Planned: Counts{person.Military: s3}, Persons: mil[s1mil+s2 : s1mil+s2+s3]})
		plan.Reserve = append(plan.Reserve, ReserveList{Party: p, Persons: mil[s1mil+s2+s3:]})
	}
	return plan
}

func (w *world) commitments(agreed map[string][]Item) map[string]audit.Digest {
	c := map[string]audit.Digest{}
	for _, items := range agreed {
		for _, it := range items {
			c[it.RecordID] = commitmentOf(it.RecordID)
		}
	}
	return c
}

func side(v *View, party string) *SideView {
	for i := range v.Sides {
		if v.Sides[i].Party == party {
			return &v.Sides[i]
		}
	}
	return nil
}

func catView(s *SideView, c person.Category) CategoryView {
	for _, cv := range s.Categories {
		if cv.Category == c {
			return cv
		}
	}
	return CategoryView{}
}

// TestMay16 replays the 16 May 2025 shape: 1,000 for 1,000 with 120
// civilians per side, two list versions with rejections and queries,
// eligibility violations caught, stages of 390 (270 + 120), 307 and 303,
// and an agreement signed by both parties and the mediator.
func TestMay16(t *testing.T) {
	w := newWorld(t, 1000)
	w.round1(t)

	v := w.view()
	ua := side(v, "UA")
	if ua.Total.Offered != 1012 || ua.Total.Accepted != 1002 || ua.Total.Open != 3 || ua.Total.Declined != 7 {
		t.Errorf("UA after round 1: %+v, want 1012 offered, 1002 accepted, 3 open, 7 declined", ua.Total)
	}
	if civ := catView(ua, person.Civilian); civ.Offered != 122 || civ.Accepted != 120 || civ.Violations != 2 || civ.Target != 120 {
		t.Errorf("UA civilians: %+v, want 122 offered, 120 accepted, 2 violations, target 120", civ)
	}
	if mil := catView(ua, person.Military); mil.Target != 880 {
		t.Errorf("UA military target %d, want 880 (1,000 less 120 civilians)", mil.Target)
	}
	if ua.Total.Requested != 3 || ua.Total.RequestsAccepted != 1 || ua.Total.RequestsOpen != 1 {
		t.Errorf("UA requests: %+v", ua.Total)
	}
	// The civilian without consent and the one who refuses are caught as
	// violations of the terms, whatever the other side answered.
	noConsent := hid("UA", w.mil+1)
	var found []ViolationCode
	why := map[BlockReason]int{}
	for _, b := range v.Blocking {
		why[b.Why]++
		if b.RecordID == noConsent || b.RecordID == hid("UA", w.mil+2) {
			found = append(found, codes(b.Violations)...)
		}
	}
	if !slices.Equal(found, []ViolationCode{VNoConsent, VRefused}) {
		t.Errorf("violations of the two civilians: %v, want no_consent, refused", found)
	}
	// Per side: 5 rejected + 2 civilians declined, 3 queries; UA's third
	// request is unanswered.
	if why[BlockDeclined] != 14 || why[BlockQuery] != 6 || why[BlockUnanswered] != 1 || len(v.Blocking) != 21 || v.Ready {
		t.Errorf("blocking after round 1: %v (%d items, ready %v)", why, len(v.Blocking), v.Ready)
	}

	w.round2(t)
	if prev := w.lists["UA/offer"]; prev.Version != 2 {
		t.Fatalf("UA offer at version %d, want 2", w.lists["UA/offer"].Version)
	}
	// Version 2 shows what was struck, and why.
	d := Diff(&w.versions[0], &w.versions[3])
	if w.versions[3].Party != "UA" || w.versions[3].Version != 2 || len(d.Removed) != 7 || len(d.Added) != 0 || len(d.Changed) != 0 ||
		d.Removed[0].RecordID != hid("UA", 1) || d.Removed[0].Reason != "rejected by the other side" {
		t.Errorf("diff of UA's offer, v1 → v2: %d added, %d removed (%+v), %d changed", len(d.Added), len(d.Removed), d.Removed[:1], len(d.Changed))
	}
	v = w.view()
	if len(v.Blocking) != 0 || len(v.Shortfalls) != 0 || !v.Ready {
		t.Fatalf("after round 2 the view is not ready: blocking %v, shortfalls %v", v.Blocking, v.Shortfalls)
	}
	ua = side(v, "UA")
	if ua.Total.Accepted != 1005 || ua.OfferVersion != 2 || ua.RequestVersion != 1 {
		t.Errorf("UA after round 2: %+v (offer v%d)", ua.Total, ua.OfferVersion)
	}
	// The history of a queried soldier: a query on version 1, an accept on
	// version 2.
	h := History(w.history, "UA", Offer, hid("UA", 6))
	if len(h) != 2 || h[0].Answer != Query || h[0].ListVersion != 1 || h[1].Answer != Accept || h[1].ListVersion != 2 {
		t.Errorf("history of %s: %+v", hid("UA", 6), h)
	}

	agreed := Agreed(&w.ex, w.currentLists(), w.history)
	if len(agreed["UA"]) != 1005 || len(agreed["RU"]) != 1005 {
		t.Fatalf("agreed %d and %d, want 1005 each", len(agreed["UA"]), len(agreed["RU"]))
	}
	plan := w.plan(agreed)
	noErr(t, plan.Validate(&w.ex, agreed))
	for i, want := range []int{390, 307, 303} {
		for _, sd := range plan.Stages[i].Sides {
			if len(sd.Persons) != want {
				t.Errorf("stage %d %s: %d persons, want %d", i+1, sd.Party, len(sd.Persons), want)
			}
		}
	}

	a, doc, err := Freeze(FreezeInput{Exchange: &w.ex, Agreed: agreed, Plan: plan, Commitments: w.commitments(agreed), Log: testCheckpoint()})
	noErr(t, err)
	for _, line := range []string{
		"stage 1 UA 390 civilian=120 military=270\n", "stage 2 RU 307 military=307\n", "stage 3 UA 303 military=303\n",
		"list UA 1000 civilian=120 military=880 sha256:", "reserve RU 5 military=5 sha256:",
	} {
		if !bytes.Contains(doc, []byte(line)) {
			t.Errorf("the document lacks %q", line)
		}
	}
	if a.Version != 1 || len(a.Sides[0].Persons) != 1000 || len(a.Sides[1].Reserve) != 5 {
		t.Errorf("agreement: version %d, %d persons, %d reserve", a.Version, len(a.Sides[0].Persons), len(a.Sides[1].Reserve))
	}
	if bytes.Contains(doc, []byte("user:")) {
		t.Error("the document names users")
	}

	uaS, uaK := testKey(t, "UA-approver-1", "")
	ruS, ruK := testKey(t, "RU-approver-1", "")
	meS, meK := testKey(t, "mediator-1", "")
	uaK.Role, ruK.Role, meK.Role = "UA", "RU", Mediator
	keys := []SignerKey{uaK, ruK, meK}
	signed := doc
	for i, rs := range []struct {
		role   string
		signer note.Signer
	}{{"UA", uaS}, {"RU", ruS}, {Mediator, meS}} {
		line, err := Sign(doc, rs.signer)
		noErr(t, err)
		if _, err := CheckSignature(signed, line, keys, rs.role); err != nil {
			t.Fatalf("signature of %s refused: %v", rs.role, err)
		}
		if i < 2 {
			if _, err := Verify(AddSignatures(signed, line), keys, nil); !errs.Is(errs.Conflict, err) {
				t.Fatalf("after %s's signature: got %v, want not in effect (conflict)", rs.role, err)
			}
		}
		signed = AddSignatures(signed, line)
	}
	ver, err := Verify(signed, keys, nil)
	noErr(t, err)
	if ver.State() != AgreementSigned || len(ver.Signatures) != 3 || ver.Hash != Hash(doc) {
		t.Errorf("verified: state %v, %d signatures", ver.State(), len(ver.Signatures))
	}
	if got := strings.Count(string(signed), "\n— "); got != 3 {
		t.Errorf("%d signature lines, want 3", got)
	}
}

func TestExchangeCanonical(t *testing.T) {
	w := newWorld(t, 1000)
	got := string(w.ex.Canonical())
	want := "handover/exchange/v1\nexchange ex-2025-05-16\nname \"Istanbul, 16 May 2025: 1,000 for 1,000\"\nparties UA RU\n" +
		"crossing \"Belarus–Ukraine border\"\nterms numeric total=1000\nrule mil military\nrule civ civilian count=120\nfrom 2025-05-23\nto 2025-05-25\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	bad := w.ex
	bad.Parties = [2]string{"UA", "UA"}
	bad.Crossings = nil
	wantKind(t, bad.Validate(), errs.Invalid)
	if o, ok := w.ex.Other("RU"); !ok || o != "UA" {
		t.Error("Other")
	}
	if _, ok := w.ex.Other(Mediator); ok {
		t.Error("the mediator has no other side")
	}
}
