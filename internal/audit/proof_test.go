package audit

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

var allWitnesses = Policy{Required: []string{"UA-bureau", "RU-bureau", "mediator"}}

func TestInclusionProofFile(t *testing.T) {
	data, err := os.ReadFile("testdata/inclusion-4-13.proof")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseInclusionProof(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Marshal(), data) {
		t.Error("parse and marshal do not round-trip")
	}
	l, _, _ := vectorLog(t)
	res, err := p.Verify(l.keys, allWitnesses)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Final || res.Leaf.Type != AgreementSigned || res.Index != 4 || res.Checkpoint.Size != 13 {
		t.Errorf("got %+v", res)
	}
}

func TestInclusionProofTampered(t *testing.T) {
	l, cp7, cp13 := vectorLog(t)
	good, _ := ProveInclusion(4, l.leaves[4], 13, cp13, l.tree)
	notFinal, _ := ProveInclusion(4, l.leaves[4], 13, l.cosign(l.checkpoint(), "UA-bureau", "mediator"), l.tree)
	in7, _ := ProveInclusion(4, l.leaves[4], 7, cp7, l.tree)
	tests := []struct {
		name   string
		edit   func(p *InclusionProof)
		policy Policy
		kind   errs.Kind
		says   string
	}{
		{"other leaf bytes", func(p *InclusionProof) { p.Leaf = l.leaves[5] }, allWitnesses, errs.Conflict, "not in the log"},
		{"other index", func(p *InclusionProof) { p.Index = 5 }, allWitnesses, errs.Conflict, "not in the log"},
		{"index beyond size", func(p *InclusionProof) { p.Index = 13 }, allWitnesses, errs.Conflict, "beyond"},
		{"hash changed", func(p *InclusionProof) { p.Hashes[1][0] ^= 1 }, allWitnesses, errs.Conflict, "not in the log"},
		{"hash dropped", func(p *InclusionProof) { p.Hashes = p.Hashes[1:] }, allWitnesses, errs.Conflict, "not in the log"},
		{"checkpoint size edited", func(p *InclusionProof) {
			p.Checkpoint = bytes.Replace(p.Checkpoint, []byte("\n13\n"), []byte("\n14\n"), 1)
		}, allWitnesses, errs.Conflict, "does not verify"},
		{"non-canonical leaf", func(p *InclusionProof) { p.Leaf = append(p.Leaf, ' ') }, allWitnesses, errs.Invalid, "canonical"},
		{"not cosigned by RU-bureau", func(p *InclusionProof) { *p = notFinal }, allWitnesses, errs.Conflict, "lacks cosignatures from RU-bureau"},
		{"no cosignatures at all", func(p *InclusionProof) { *p = in7 }, allWitnesses, errs.Conflict, "lacks cosignatures from UA-bureau, RU-bureau, mediator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.Hashes = append(p.Hashes[:0:0], good.Hashes...)
			tc.edit(&p)
			// Through the file format, as the verifier would read it.
			parsed, err := ParseInclusionProof(p.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			_, err = parsed.Verify(l.keys, tc.policy)
			wantKind(t, err, tc.kind)
			if !strings.Contains(errs.Message(err), tc.says) {
				t.Errorf("message %q does not say %q", errs.Message(err), tc.says)
			}
		})
	}
	// A non-final type is included without cosignatures.
	p, _ := ProveInclusion(0, l.leaves[0], 7, cp7, l.tree)
	if res, err := p.Verify(l.keys, allWitnesses); err != nil || !res.Final || len(res.Missing) != 3 {
		t.Errorf("record.created under a plain checkpoint: %+v, %v", res, err)
	}
}

func TestConsistencyProofFile(t *testing.T) {
	data, err := os.ReadFile("testdata/consistency-7-13.proof")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseConsistencyProof(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Marshal(), data) {
		t.Error("parse and marshal do not round-trip")
	}
	l, cp7, cp13 := vectorLog(t)
	res, err := p.Verify(l.keys, nil)
	if err != nil || res.Old.Size != 7 || res.New.Size != 13 {
		t.Fatalf("got %+v, %v", res, err)
	}
	trusted := mustPeek(t, cp7)
	if _, err := p.Verify(l.keys, &trusted); err != nil {
		t.Errorf("with the trusted old checkpoint: %v", err)
	}
	other := trusted
	other.Root[0] ^= 1
	_, err = p.Verify(l.keys, &other)
	wantKind(t, err, errs.Conflict)
	if !strings.Contains(errs.Message(err), "forked") {
		t.Errorf("message %q", errs.Message(err))
	}
	// Reversed: the log shrank.
	rev := ConsistencyProof{Old: cp13, New: cp7}
	_, err = rev.Verify(l.keys, nil)
	wantKind(t, err, errs.Conflict)
	if !strings.Contains(errs.Message(err), "shrank") {
		t.Errorf("message %q", errs.Message(err))
	}
	// A changed path hash.
	p.Hashes[0][3] ^= 1
	_, err = p.Verify(l.keys, nil)
	wantKind(t, err, errs.Conflict)
}

func TestParseProofErrors(t *testing.T) {
	inc := []string{
		"",
		"c2sp.org/tlog-proof@v2\n",
		"c2sp.org/tlog-proof@v1\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\n",
		"c2sp.org/tlog-proof@v1\nextra e30=\nindex 01\n\n",
		"c2sp.org/tlog-proof@v1\nextra e30=\nindex 1\nAQ==\n\n",
		"c2sp.org/tlog-proof@v1\nextra e30=\nindex 1\n",
	}
	for _, s := range inc {
		if _, err := ParseInclusionProof([]byte(s)); !errs.Is(errs.Invalid, err) {
			t.Errorf("ParseInclusionProof(%q): %v", s, err)
		}
	}
	cons := []string{"", "handover/consistency-proof@v1\nold\n\n", "handover/consistency-proof@v1\nold " + base64.StdEncoding.EncodeToString([]byte("x")) + "\nxx\n\n"}
	for _, s := range cons {
		if _, err := ParseConsistencyProof([]byte(s)); !errs.Is(errs.Invalid, err) {
			t.Errorf("ParseConsistencyProof(%q): %v", s, err)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	l := newTestLog(t)
	for _, tc := range []struct {
		in   string
		want string
	}{{"all", "UA-bureau,RU-bureau,mediator"}, {"", "UA-bureau,RU-bureau,mediator"}, {"none", ""}, {"mediator, UA-bureau", "mediator,UA-bureau"}} {
		p, err := ParsePolicy(tc.in, l.keys)
		if err != nil || strings.Join(p.Required, ",") != tc.want {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %s", tc.in, p.Required, err, tc.want)
		}
	}
	_, err := ParsePolicy("UA-bureau,nobody", l.keys)
	wantKind(t, err, errs.Invalid)
}
