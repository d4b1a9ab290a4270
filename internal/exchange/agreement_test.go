package exchange

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// example is the small agreement of the test vectors
// (testdata/agreement-*.txt): three for three, one civilian each, two
// stages at two crossing points, one soldier in reserve on each side.
func example(t testing.TB) (FreezeInput, map[string]note.Signer, []SignerKey) {
	ex := &Exchange{
		ID: "ex-example", Name: "Example: 3 for 3", Parties: [2]string{"UA", "RU"},
		Crossings: []string{"Belarus–Ukraine border", "Пункт пропуску «Р»"},
		Terms: Terms{Kind: Numeric, Total: 3, Reference: day(2025, 5, 16), Rules: []Rule{
			{ID: "mil", Category: person.Military, MinAge: 18},
			{ID: "civ", Category: person.Civilian, Count: 1, RequireConsent: true, AllowSentence: true},
		}, Conditions: []Condition{{ID: "third-country", Text: "civilians \"may\" stay in a third country"}}},
	}
	agreed := map[string][]Item{}
	for _, p := range ex.Parties {
		agreed[p] = []Item{
			{RecordID: hid(p, 1), Category: person.Military}, {RecordID: hid(p, 2), Category: person.Military},
			{RecordID: hid(p, 3), Category: person.Civilian}, {RecordID: hid(p, 4), Category: person.Military},
		}
	}
	start := time.Date(2025, 5, 23, 8, 0, 0, 0, time.UTC)
	plan := StagePlan{
		Stages: []Stage{
			{Number: 1, Start: start, End: start.Add(10 * time.Hour), Crossing: ex.Crossings[0]},
			{Number: 2, Start: start.Add(24 * time.Hour), End: start.Add(34 * time.Hour), Crossing: ex.Crossings[1]},
		},
		Reserve: []ReserveList{{Party: "UA", Persons: []string{hid("UA", 4)}}, {Party: "RU", Persons: []string{hid("RU", 4)}}},
	}
	for _, p := range ex.Parties {
		plan.Stages[0].Sides = append(plan.Stages[0].Sides, StageSide{Party: p,
			Planned: Counts{person.Military: 1, person.Civilian: 1}, Persons: []string{hid(p, 3), hid(p, 1)}})
		plan.Stages[1].Sides = append(plan.Stages[1].Sides, StageSide{Party: p,
			Planned: Counts{person.Military: 1}, Persons: []string{hid(p, 2)}})
	}
	commitments := map[string]audit.Digest{}
	for _, items := range agreed {
		for _, it := range items {
			commitments[it.RecordID] = commitmentOf(it.RecordID)
		}
	}
	signers := map[string]note.Signer{}
	var keys []SignerKey
	for _, k := range []struct{ role, name string }{{"UA", "UA-approver-1"}, {"RU", "RU-approver-1"}, {Mediator, "mediator-1"}} {
		s, sk := testKey(t, k.name, "")
		sk.Role = k.role
		signers[k.role] = s
		keys = append(keys, sk)
	}
	return FreezeInput{Exchange: ex, Agreed: agreed, Plan: plan, Commitments: commitments, Log: testCheckpoint()}, signers, keys
}

func signAll(t *testing.T, doc []byte, signers map[string]note.Signer, roles ...string) []byte {
	t.Helper()
	out := doc
	for _, r := range roles {
		line, err := Sign(doc, signers[r])
		noErr(t, err)
		out = AddSignatures(out, line)
	}
	return out
}

func TestAgreementVectors(t *testing.T) {
	in, signers, keys := example(t)
	_, v1, err := Freeze(in)
	noErr(t, err)
	golden(t, "agreement-v1.txt", v1)
	signed := signAll(t, v1, signers, "UA", "RU", Mediator)
	golden(t, "agreement-v1.signed.txt", signed)
	var kf bytes.Buffer
	kf.WriteString("# Signer keys of the test vectors: <role> <verifier key>. Test keys only.\n")
	for _, k := range keys {
		kf.WriteString(k.Role + " " + k.VKey + "\n")
	}
	golden(t, "signers.txt", kf.Bytes())

	// A substitution: RU's reserve soldier replaces the one in stage 2.
	in.Plan.Stages[1].Sides[1].Persons = []string{hid("RU", 4)}
	in.Plan.Reserve[1].Persons = []string{hid("RU", 2)}
	_, v2, err := NewVersion(signed, in)
	noErr(t, err)
	golden(t, "agreement-v2.txt", v2)

	// The vectors as a verifier reads them, from the files.
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		noErr(t, err)
		return b
	}
	fileKeys, err := ParseSignerKeys(read("signers.txt"))
	noErr(t, err)
	ver, err := Verify(read("agreement-v1.signed.txt"), fileKeys, nil)
	noErr(t, err)
	if ver.State() != AgreementSigned || ver.Agreement.Version != 1 || ver.Hash != Hash(read("agreement-v1.txt")) {
		t.Errorf("verified v1: state %v, version %d", ver.State(), ver.Agreement.Version)
	}
	// Any signed-note implementation opens it: here x/mod's own.
	var vs []note.Verifier
	for _, k := range fileKeys {
		v, err := note.NewVerifier(k.VKey)
		noErr(t, err)
		vs = append(vs, v)
	}
	n, err := note.Open(read("agreement-v1.signed.txt"), note.VerifierList(vs...))
	noErr(t, err)
	if len(n.Sigs) != 3 || n.Text != string(read("agreement-v1.txt")) {
		t.Errorf("note.Open: %d signatures", len(n.Sigs))
	}
	a2, err := ParseAgreement(read("agreement-v2.txt"))
	noErr(t, err)
	if a2.Version != 2 || a2.Previous != Hash(read("agreement-v1.txt")) {
		t.Errorf("v2: version %d, previous %s", a2.Version, a2.Previous)
	}
	// A new version keeps none of the old signatures.
	ver2, err := Verify(read("agreement-v2.txt"), fileKeys, nil)
	wantKind(t, err, errs.Conflict)
	if ver2 == nil || len(ver2.Signatures) != 0 || len(ver2.Missing) != 3 || ver2.State() != AgreementOpen {
		t.Errorf("v2 unsigned: %+v", ver2)
	}
}

func TestAgreementSignatures(t *testing.T) {
	in, signers, keys := example(t)
	_, v1, err := Freeze(in)
	noErr(t, err)
	in.Plan.Stages[1].Sides[1].Persons = []string{hid("RU", 4)}
	in.Plan.Reserve[1].Persons = []string{hid("RU", 2)}
	_, v2, err := NewVersion(v1, in)
	noErr(t, err)

	uaLine, _ := Sign(v1, signers["UA"])
	ruLine, _ := Sign(v1, signers["RU"])
	meLine, _ := Sign(v1, signers[Mediator])
	wrongS, _ := testKey(t, "UA-approver-1", "another key") // same name, not the registered key
	wrongLine, err := Sign(v1, wrongS)
	noErr(t, err)
	strangerS, _ := testKey(t, "UA-registrar-3", "")
	strangerLine, _ := Sign(v1, strangerS)
	plS, plK := testKey(t, "PL-approver-1", "")
	plK.Role = "PL"
	plLine, _ := Sign(v1, plS)
	staleLine, _ := Sign(v1, signers["UA"]) // over version 1, uploaded for version 2

	for _, tc := range []struct {
		name string
		doc  []byte
		line string
		role string
		keys []SignerKey
		kind errs.Kind
	}{
		{"the UA approver for UA", v1, uaLine, "UA", keys, errs.Other},
		{"the mediator", v1, meLine, Mediator, keys, errs.Other},
		{"a wrong key under a registered name", v1, wrongLine, "UA", keys, errs.Forbidden},
		{"an unregistered key (a registrar's)", v1, strangerLine, "UA", keys, errs.Forbidden},
		{"RU's key signing for UA", v1, ruLine, "UA", keys, errs.Forbidden},
		{"UA's key signing for the mediator", v1, uaLine, Mediator, keys, errs.Forbidden},
		{"a party outside the exchange", v1, plLine, "PL", append(keys, plK), errs.Forbidden},
		{"a key registered for a party outside the exchange", v1, plLine, "UA", append(keys, plK), errs.Forbidden},
		{"a stale version", v2, staleLine, "UA", keys, errs.Conflict},
		{"a garbled line", v1, "— UA-approver-1 !!!\n", "UA", keys, errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := CheckSignature(tc.doc, tc.line, tc.keys, tc.role)
			if tc.kind == errs.Other {
				noErr(t, err)
				if sig.Role != tc.role {
					t.Errorf("role %q, want %q", sig.Role, tc.role)
				}
				return
			}
			wantKind(t, err, tc.kind)
		})
	}

	// Verify refuses a document carrying any bad signature.
	for _, tc := range []struct {
		name string
		doc  []byte
		kind errs.Kind
	}{
		{"all three", AddSignatures(v1, uaLine, ruLine, meLine), errs.Other},
		{"twice the same signature", AddSignatures(v1, uaLine, ruLine, meLine, uaLine), errs.Other},
		{"the mediator missing", AddSignatures(v1, uaLine, ruLine), errs.Conflict},
		{"version 1's signatures on version 2", AddSignatures(v2, uaLine, ruLine, meLine), errs.Conflict},
		{"a wrong key among them", AddSignatures(v1, uaLine, ruLine, meLine, wrongLine), errs.Forbidden},
		{"an unregistered key among them", AddSignatures(v1, uaLine, ruLine, meLine, strangerLine), errs.Forbidden},
		{"an altered text", bytes.Replace(AddSignatures(v1, uaLine, ruLine, meLine), []byte("name \"Example"), []byte("name \"Exampel"), 1), errs.Conflict},
	} {
		t.Run("verify "+tc.name, func(t *testing.T) {
			v, err := Verify(tc.doc, keys, nil)
			if tc.kind == errs.Other {
				noErr(t, err)
				if v.State() != AgreementSigned {
					t.Errorf("state %v", v.State())
				}
				return
			}
			wantKind(t, err, tc.kind)
		})
	}
	// Only the required roles count: a verifier may require fewer.
	if _, err := Verify(AddSignatures(v1, uaLine, meLine), keys, []string{"UA", Mediator}); err != nil {
		t.Errorf("UA and mediator required, both present: %v", err)
	}
	if _, err := Sign([]byte("not an agreement\n"), signers["UA"]); !errs.Is(errs.Invalid, err) {
		t.Errorf("signing a non-agreement: %v, want invalid", err)
	}
}

func TestParseAgreementRefuses(t *testing.T) {
	in, _, _ := example(t)
	_, doc, err := Freeze(in)
	noErr(t, err)
	s := string(doc)
	commit := commitmentOf(hid("UA", 1)).String()
	for _, tc := range []struct{ name, old, new string }{
		{"a changed commitment", commit, strings.Repeat("0", 64)},
		{"a wrong count", "list UA 3 ", "list UA 4 "},
		{"wrong counts per category", "list UA 3 civilian=1 military=2", "list UA 3 civilian=2 military=1"},
		{"a person moved to another stage", "  1 military " + hid("UA", 1), "  2 military " + hid("UA", 1)},
		{"a person removed", "  1 military " + hid("UA", 1) + " " + commit + "\n", ""},
		{"unequal stages", "stage 2 RU 1 military=1", "stage 2 RU 2 military=2"},
		{"an unknown option", "rule mil military min-age=18", "rule mil military min-age=18 ace"},
		{"a leading zero", "version 1", "version 01"},
		{"trailing text", "end\n", "end\nmore\n"},
		{"a blank line", "parties UA RU\n", "parties UA RU\n\n"},
		{"CRLF", "end\n", "end\r\n"},
		{"an unplanned stage", "stage 2 ", "stage 3 "},
		{"an unknown stage option", "stage 2 RU 1 military=1\n", "stage 2 RU 1 military=1\nstage 2 watched\n"},
		{"observed before the sides", "stage 2 UA 1 military=1\n", "stage 2 observed\nstage 2 UA 1 military=1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(s, tc.old) {
				t.Fatalf("fixture lacks %q", tc.old)
			}
			_, err := ParseAgreement([]byte(strings.Replace(s, tc.old, tc.new, 1)))
			wantKind(t, err, errs.Invalid)
		})
	}
}

func TestFreezeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*FreezeInput)
	}{
		{"no checkpoint", func(in *FreezeInput) { in.Log.Size = 0 }},
		{"a missing commitment", func(in *FreezeInput) { delete(in.Commitments, hid("RU", 2)) }},
		{"a person in no stage", func(in *FreezeInput) { in.Plan.Reserve = nil }},
		{"an unknown crossing", func(in *FreezeInput) { in.Plan.Stages[0].Crossing = "elsewhere" }},
		{"no exchange", func(in *FreezeInput) { in.Exchange = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, _ := example(t)
			tc.mod(&in)
			_, _, err := Freeze(in)
			wantKind(t, err, errs.Invalid)
		})
	}
	in, _, _ := example(t)
	_, doc, _ := Freeze(in)
	other := *in.Exchange
	other.ID = "ex-other"
	in.Exchange = &other
	if _, _, err := NewVersion(doc, in); !errs.Is(errs.Invalid, err) {
		t.Errorf("a new version of another exchange: %v", err)
	}
}

func FuzzParseAgreement(f *testing.F) {
	in, _, _ := example(f)
	_, doc, err := Freeze(in)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte("handover/agreement/v1\nexchange x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAgreement(b)
		if err != nil {
			return
		}
		if !bytes.Equal(a.Marshal(), b) {
			t.Fatal("parsed a document that is not canonical")
		}
	})
}

// TestAgreementRoundTrip freezes category terms that use every rule option
// and checks that the document gives them back as they went in.
func TestAgreementRoundTrip(t *testing.T) {
	ex := &Exchange{ID: "ex-cat", Name: "all for all", Parties: [2]string{"RU", "UA"}, Crossings: []string{"A"},
		Terms: Terms{Kind: CategoryTerms, Floor: 2, Ceiling: 10, Reference: time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC),
			Rules: []Rule{
				{ID: "swk", Category: person.SeriouslyWoundedSick, AllForAll: true, Decisions: []Decision{DecisionA, DecisionB}, Tiers: []Tier{1, 3}, RequireConsent: true},
				{ID: "young", Category: person.Military, AllForAll: true, MinAge: 18, MaxAge: 25},
				{ID: "long", Category: person.Military, CapturedBy: day(2022, 5, 20), AllowProsecution: true, AllowSentence: true},
			}}}
	agreed := map[string][]Item{
		"RU": {{RecordID: "r1", Category: person.SeriouslyWoundedSick}, {RecordID: "r2", Category: person.Military}},
		"UA": {{RecordID: "u1", Category: person.Military}, {RecordID: "u2", Category: person.Military}, {RecordID: "u3", Category: person.Military}},
	}
	plan := StagePlan{Stages: []Stage{{Number: 1, Start: day(2025, 6, 9), End: day(2025, 6, 9), Crossing: "A", Observed: true, Sides: []StageSide{
		{Party: "RU", Planned: Counts{person.SeriouslyWoundedSick: 1, person.Military: 1}, Persons: []string{"r1", "r2"}},
		{Party: "UA", Planned: Counts{person.Military: 3}, Persons: []string{"u3", "u1", "u2"}},
	}}}}
	c := map[string]audit.Digest{}
	for _, id := range []string{"r1", "r2", "u1", "u2", "u3"} {
		c[id] = commitmentOf(id)
	}
	a, doc, err := Freeze(FreezeInput{Exchange: ex, Agreed: agreed, Plan: plan, Commitments: c, Log: testCheckpoint()})
	noErr(t, err)
	if !bytes.Contains(doc, []byte("rule swk seriously_wounded_sick all-for-all decisions=A,B tiers=1,3 consent\n")) ||
		!bytes.Contains(doc, []byte("rule long military captured-by=2022-05-20 allow-prosecution allow-sentence\n")) ||
		!bytes.Contains(doc, []byte("terms category floor=2 ceiling=10\nreference 2025-06-02\n")) ||
		!bytes.Contains(doc, []byte("stage 1 UA 3 military=3\nstage 1 observed\n")) {
		t.Errorf("document:\n%s", doc)
	}
	b, err := ParseAgreement(doc)
	noErr(t, err)
	if !reflect.DeepEqual(a.Exchange.Terms, b.Exchange.Terms) {
		t.Errorf("terms\n got %+v\nwant %+v", b.Exchange.Terms, a.Exchange.Terms)
	}
	if !reflect.DeepEqual(a.Sides, b.Sides) {
		t.Errorf("sides differ")
	}
	if got := b.Plan.Stages[0].Sides[1].Persons; !slices.Equal(got, []string{"u1", "u2", "u3"}) {
		t.Errorf("UA's stage 1: %v", got)
	}
	if !b.Plan.Stages[0].Observed {
		t.Error("the stage's observed option was lost")
	}
	if s, ok := b.Plan.Stages[0].Side("UA"); !ok || s.Planned.Total() != 3 {
		t.Errorf("Side: %+v", s)
	}
}

// TestCheckSign: the store asks CheckSign inside the transaction that adds
// a signature; it refuses a superseded version, a role's second signature
// and a version signed by all, each a Conflict with its code.
func TestCheckSign(t *testing.T) {
	in, signers, keys := example(t)
	_, v1, err := Freeze(in)
	noErr(t, err)
	partly := signAll(t, v1, signers, "UA")
	all := signAll(t, v1, signers, "UA", "RU", Mediator)
	verify := func(doc []byte) *Verified {
		v, _ := Verify(doc, keys, nil)
		if v == nil {
			t.Fatal("the test document does not verify")
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		doc    []byte
		latest int
		role   string
		state  AgreementState
		code   string // "" when the signature may be added
	}{
		{"open, first signature", v1, 1, "RU", AgreementOpen, ""},
		{"open, another role", partly, 1, Mediator, AgreementOpen, ""},
		{"open, the same role again", partly, 1, "UA", AgreementOpen, "already_signed"},
		{"superseded", partly, 2, "RU", AgreementSuperseded, "agreement_superseded"},
		{"signed by all", all, 1, "RU", AgreementSigned, "already_signed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verify(tc.doc)
			if got := v.StateAt(tc.latest); got != tc.state {
				t.Errorf("state %v, want %v", got, tc.state)
			}
			err := v.CheckSign(tc.latest, tc.role)
			if tc.code == "" {
				noErr(t, err)
				return
			}
			wantKind(t, err, errs.Conflict)
			if fs := errs.Fields(err); len(fs) != 1 || fs[0].Code != tc.code {
				t.Errorf("fields %+v, want code %s", fs, tc.code)
			}
		})
	}
	if !AgreementOpen.CanMove(AgreementSuperseded) || !AgreementSigned.CanMove(AgreementSuperseded) || AgreementSuperseded.CanMove(AgreementSuperseded) {
		t.Error("only an open or signed version may be superseded")
	}
}
