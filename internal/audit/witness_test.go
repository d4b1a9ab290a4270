package audit

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func wantRefusal(t *testing.T, err error, status int, says string) {
	t.Helper()
	var r *WitnessRefusal
	if !errors.As(err, &r) || r.Status != status || !strings.Contains(r.Reason, says) {
		t.Errorf("got %v; want a refusal %d saying %q", err, status, says)
	}
}

// The witness's side of C2SP tlog-witness add-checkpoint, status by status.
func TestWitnessAdd(t *testing.T) {
	l := newTestLog(t)
	w := l.witnesses["UA-bureau"]
	l.append(5)
	cp5 := l.checkpoint()
	req := AddCheckpoint{OldSize: 0, Checkpoint: cp5}
	parsed, err := ParseAddCheckpoint(req.Marshal())
	if err != nil || parsed.OldSize != 0 || string(parsed.Checkpoint) != string(cp5) || len(parsed.Proof) != 0 {
		t.Fatalf("round trip: %+v, %v", parsed, err)
	}
	line, sc, err := WitnessAdd(w, l.keys, nil, parsed, testTime)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyCosignature(w.VerifierKey(), cp5, line); err != nil {
		t.Errorf("the cosignature: %v", err)
	}
	last := sc.Checkpoint

	l.append(300)
	cp305 := l.checkpoint()
	proof, err := tlog.ProveTree(305, 5, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	good := AddCheckpoint{OldSize: 5, Proof: proof, Checkpoint: cp305}
	if parsed, err = ParseAddCheckpoint(good.Marshal()); err != nil || len(parsed.Proof) != len(proof) {
		t.Fatalf("round trip with a proof: %v", err)
	}

	// 409: the witness cosigned 5, not 0; it says its size.
	_, _, err = WitnessAdd(w, l.keys, &last, AddCheckpoint{OldSize: 0, Checkpoint: cp305}, testTime)
	wantRefusal(t, err, WitnessConflict, "not the size this witness cosigned last")
	var r *WitnessRefusal
	if errors.As(err, &r) && r.Size != 5 {
		t.Errorf("409 says size %d, want 5", r.Size)
	}
	// 400: old above the checkpoint's size; a malformed body.
	_, _, err = WitnessAdd(w, l.keys, &last, AddCheckpoint{OldSize: 400, Checkpoint: cp305}, testTime)
	wantRefusal(t, err, WitnessBadRequest, "above the checkpoint's size")
	for _, body := range []string{"", "old 05\n\n", "old -1\n\n", "old 5\nnot-base64!\n\n", "old 5\n" + strings.Repeat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 64) + "\n", "old 5\nAAAA\n"} {
		_, err := ParseAddCheckpoint([]byte(body))
		wantRefusal(t, err, WitnessBadRequest, "")
	}
	// 404: another log.
	otherKeys, err := NewKeys("other.example/log", otherLogKey(t))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = WitnessAdd(w, otherKeys, &last, good, testTime)
	wantRefusal(t, err, WitnessUnknownLog, "does not witness the log")
	// 403: signed by another key of the log's name.
	evilSkey, _, err := GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	evil, _ := NewLogSigner(evilSkey)
	forged, _ := SignCheckpoint(mustPeek(t, cp305), evil)
	_, _, err = WitnessAdd(w, l.keys, &last, AddCheckpoint{OldSize: 5, Proof: proof, Checkpoint: forged}, testTime)
	wantRefusal(t, err, WitnessForbidden, "not signed by the log key")
	// 422: a proof that does not verify; the same size with another root.
	bad := append([]tlog.Hash(nil), proof...)
	bad[0][0] ^= 1
	_, _, err = WitnessAdd(w, l.keys, &last, AddCheckpoint{OldSize: 5, Proof: bad, Checkpoint: cp305}, testTime)
	wantRefusal(t, err, WitnessUnprocessable, "forked")
	_, _, err = WitnessAdd(w, l.keys, nil, AddCheckpoint{OldSize: 0, Proof: proof, Checkpoint: cp305}, testTime)
	wantRefusal(t, err, WitnessUnprocessable, "must be empty")
	forkRoot := last
	forkRoot.Root[0] ^= 1
	_, _, err = WitnessAdd(w, l.keys, &forkRoot, AddCheckpoint{OldSize: 5, Checkpoint: cp5}, testTime)
	wantRefusal(t, err, WitnessUnprocessable, "forked")

	// 200: the good request, and the same checkpoint again (old = size).
	line, sc, err = WitnessAdd(w, l.keys, &last, good, testTime)
	if err != nil || sc.Size != 305 {
		t.Fatalf("good request: %v", err)
	}
	if err := VerifyCosignature(w.VerifierKey(), cp305, line); err != nil {
		t.Errorf("the cosignature on 305: %v", err)
	}
	if _, _, err := WitnessAdd(w, l.keys, &sc.Checkpoint, AddCheckpoint{OldSize: 305, Checkpoint: cp305}, testTime); err != nil {
		t.Errorf("the same checkpoint again: %v", err)
	}
}

// otherLogKey is the verifier key of another log, for the 404 case.
func otherLogKey(t *testing.T) string {
	_, v := fixedKey(t, "other.example/log")
	return v
}
