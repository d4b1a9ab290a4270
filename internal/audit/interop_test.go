package audit

import (
	"bytes"
	"os"
	"testing"

	flog "github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	fproof "github.com/transparency-dev/formats/proof"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// TestInteropFormats reads our vectors with transparency-dev/formats, as a
// party's own tools would: the checkpoint, the cosignatures and the
// inclusion proof file.
func TestInteropFormats(t *testing.T) {
	l, _, cp13 := vectorLog(t)
	logV, err := note.NewVerifier(l.keys.LogKey)
	if err != nil {
		t.Fatal(err)
	}
	var witnesses []note.Verifier
	for _, w := range l.keys.Witnesses {
		v, err := fnote.NewVerifierForCosignatureV1(w.VKey)
		if err != nil {
			t.Fatal(err)
		}
		witnesses = append(witnesses, v)
	}
	cp, _, n, err := flog.ParseCheckpoint(cp13, testOrigin, logV, witnesses...)
	if err != nil {
		t.Fatalf("formats cannot parse our checkpoint: %v", err)
	}
	if cp.Size != 13 || len(n.Sigs) != 4 {
		t.Errorf("size %d, %d verified signatures; want 13, 4", cp.Size, len(n.Sigs))
	}

	data, err := os.ReadFile("testdata/inclusion-4-13.proof")
	if err != nil {
		t.Fatal(err)
	}
	var p fproof.TLogProof
	if err := p.Unmarshal(data); err != nil {
		t.Fatalf("formats cannot parse our proof file: %v", err)
	}
	if p.Index != 4 || !bytes.Equal(p.ExtraData, l.leaves[4]) || !bytes.Equal(p.Checkpoint, cp13) {
		t.Fatalf("formats read index %d, extra %q", p.Index, p.ExtraData)
	}
	path := make([][]byte, len(p.Hashes))
	for i := range p.Hashes {
		path[i] = p.Hashes[i][:]
	}
	lh := rfc6962.DefaultHasher.HashLeaf(p.ExtraData)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.Index, cp.Size, lh, path, cp.Hash); err != nil {
		t.Errorf("inclusion through formats and merkle: %v", err)
	}
}
