package audit

import (
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

func TestCosignatureVerifiedByFormats(t *testing.T) {
	l := newTestLog(t)
	l.append(3)
	msg := l.checkpoint()
	ua := l.witnesses["UA-bureau"]
	line := ua.Sign(mustPeek(t, msg).Marshal(), testTime)
	// The independent verifier of transparency-dev/formats accepts it.
	v, err := fnote.NewVerifierForCosignatureV1(ua.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	withLine, _ := AddCosignatures(msg, line)
	n, err := note.Open(withLine, note.VerifierList(v))
	if err != nil || len(n.Sigs) != 1 {
		t.Fatalf("formats verifier: %v, sigs %v", err, n)
	}
	if ts, err := fnote.CoSigV1Timestamp(n.Sigs[0]); err != nil || !ts.Equal(testTime) {
		t.Errorf("timestamp %v, %v; want %v", ts, err, testTime)
	}
	if got, err := CosignatureTime(line); err != nil || !got.Equal(testTime) {
		t.Errorf("CosignatureTime = %v, %v", got, err)
	}
	if err := VerifyCosignature(ua.VerifierKey(), msg, line); err != nil {
		t.Errorf("VerifyCosignature: %v", err)
	}
	// Another witness's key does not verify it.
	err = VerifyCosignature(l.witnesses["RU-bureau"].VerifierKey(), msg, line)
	wantKind(t, err, errs.Conflict)
	// Nor does it verify on another checkpoint.
	l.append(1)
	wantKind(t, VerifyCosignature(ua.VerifierKey(), l.checkpoint(), line), errs.Conflict)
	// AddCosignatures is idempotent.
	twice, _ := AddCosignatures(withLine, line)
	if string(twice) != string(withLine) {
		t.Error("AddCosignatures added a line twice")
	}
	sc, err := l.keys.OpenCheckpoint(withLine)
	if err != nil || !sc.CosignedBy("UA-bureau") || sc.CosignedBy("RU-bureau") {
		t.Errorf("OpenCheckpoint: %v, cosigners %v", err, sc.Cosigners)
	}
}

func mustPeek(t *testing.T, msg []byte) Checkpoint {
	t.Helper()
	c, err := PeekCheckpoint(msg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWitness covers a party cosigning: growth is accepted; a shrunk or
// forked log and a checkpoint signed by an unregistered key are refused
// with a specific message.
func TestWitness(t *testing.T) {
	l := newTestLog(t)
	l.append(10)
	cp10 := l.checkpoint()
	w := l.witnesses["RU-bureau"]
	_, state, err := Cosign(w, l.keys, nil, cp10, nil, testTime)
	if err != nil {
		t.Fatalf("first cosign: %v", err)
	}
	prev := state.Checkpoint

	l.append(5)
	cp15 := l.checkpoint()
	p, _ := ProveConsistency(10, 15, cp10, cp15, l.tree)
	line, next, err := Cosign(w, l.keys, &prev, cp15, p.Hashes, testTime.Add(time.Minute))
	if err != nil {
		t.Fatalf("grown log refused: %v", err)
	}
	if err := VerifyCosignature(w.VerifierKey(), cp15, line); err != nil {
		t.Fatal(err)
	}
	if next.Size != 15 {
		t.Fatalf("state size %d, want 15", next.Size)
	}

	// A fork: another log that shares the first 8 leaves and then differs.
	fork := newTestLog(t)
	fork.leaves = append(fork.leaves, l.leaves[:8]...)
	for _, d := range l.leaves[:8] {
		_ = fork.tree.Append(d)
	}
	for i := 8; i < 17; i++ {
		d := testLeaf(i + 1000).Encode()
		fork.leaves = append(fork.leaves, d)
		_ = fork.tree.Append(d)
	}
	forkProof := func(from, to int64) []tlog.Hash {
		p, err := ProveConsistency(from, to, nil, nil, fork.tree)
		if err != nil {
			t.Fatal(err)
		}
		return p.Hashes
	}
	// A key with the log's name that was never registered.
	evilSkey, _, _ := generateKey(&detReader{seed: []byte("evil")}, testOrigin)
	evil, _ := NewLogSigner(evilSkey)
	evilCP, _ := SignCheckpoint(Checkpoint{Origin: testOrigin, Size: 20, Root: prev.Root}, evil)

	tests := []struct {
		name    string
		next    []byte
		proof   []tlog.Hash
		kind    errs.Kind
		message string
	}{
		{"shrunk", l.checkpointAt(12), nil, errs.Conflict, "the log shrank"},
		{"forked at the same size", fork.checkpointAt(15), nil, errs.Conflict, "the log forked: two different roots for size 15"},
		{"forked and grown", fork.checkpointAt(17), forkProof(15, 17), errs.Conflict, "not an extension of the cosigned checkpoint at size 15"},
		{"forked, honest-looking proof", fork.checkpointAt(16), forkProof(8, 16), errs.Conflict, "the log forked"},
		{"unregistered key", evilCP, nil, errs.Conflict, "not signed by the log key"},
		{"garbage", []byte("hello\n"), nil, errs.Invalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Cosign(w, l.keys, &next.Checkpoint, tc.next, tc.proof, testTime)
			wantKind(t, err, tc.kind)
			if !strings.Contains(errs.Message(err), tc.message) {
				t.Errorf("message %q does not say %q", errs.Message(err), tc.message)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	_, vkey := fixedKey(t, "UA-bureau")
	fp, err := Fingerprint(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if len(fp) != 39 || strings.Count(fp, " ") != 7 {
		t.Errorf("fingerprint %q: want 8 groups of 4 hex digits", fp)
	}
	_, other := fixedKey(t, "RU-bureau")
	if fp2, _ := Fingerprint(other); fp2 == fp {
		t.Error("two keys, one fingerprint")
	}
	if _, _, err := GenerateKey("bad name"); !errs.Is(errs.Invalid, err) {
		t.Errorf("name with a space: %v", err)
	}
	if _, _, err := GenerateKey("a+b"); !errs.Is(errs.Invalid, err) {
		t.Errorf("name with a plus: %v", err)
	}
	if _, err := Fingerprint("nonsense"); !errs.Is(errs.Invalid, err) {
		t.Errorf("bad vkey: %v", err)
	}
	if KeyName(vkey) != "UA-bureau" {
		t.Errorf("KeyName = %q", KeyName(vkey))
	}

	_, logV := fixedKey(t, testOrigin)
	file := "# keys\n\n" + logV + "  server\n" + vkey + " # UA\n"
	k, err := ParseKeys([]byte(file), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if k.LogKey != logV || len(k.Witnesses) != 1 || k.Witnesses[0].Name != "UA-bureau" {
		t.Errorf("got %+v", k)
	}
	bad := []struct{ name, file, origin string }{
		{"no log key", vkey + "\n", testOrigin},
		{"garbage line", logV + "\nhello\n", testOrigin},
		{"duplicate name", logV + "\n" + vkey + "\n" + vkey + "\n", testOrigin},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeys([]byte(tc.file), tc.origin)
			wantKind(t, err, errs.Invalid)
		})
	}
}

func TestCheckpointParse(t *testing.T) {
	c := Checkpoint{Origin: testOrigin, Size: 7, Root: tlog.Hash{1}}
	got, err := ParseCheckpoint(c.Marshal())
	if err != nil || got != c {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	for _, body := range []string{
		"", "o\n7\n", "o\n07\nAQ==\n", "o\n-1\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"o\n7\nAQ==\n", "o\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension\n", " o\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	} {
		_, err := ParseCheckpoint([]byte(body))
		if !errs.Is(errs.Invalid, err) {
			t.Errorf("ParseCheckpoint(%q): %v, want Invalid", body, err)
		}
	}
	wrongSigner, _ := NewLogSigner(func() string { s, _ := fixedKey(t, "other"); return s }())
	_, err = SignCheckpoint(c, wrongSigner)
	wantKind(t, err, errs.Invalid)
}
