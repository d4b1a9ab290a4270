package audit

import (
	"crypto/sha256"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const testOrigin = "handover.test/log"

// detReader is a deterministic byte stream for fixed test keys.
type detReader struct {
	seed []byte
	ctr  byte
	buf  []byte
}

func (r *detReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) {
		s := sha256.Sum256(append(r.seed, r.ctr))
		r.ctr++
		r.buf = append(r.buf, s[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fixedKey returns a deterministic key pair named name.
func fixedKey(t testing.TB, name string) (skey, vkey string) {
	t.Helper()
	skey, vkey, err := generateKey(&detReader{seed: []byte(name)}, name)
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

var testTime = time.Date(2026, 5, 23, 9, 14, 0, 0, time.UTC)

// testLog is an in-memory log as the store would keep it.
type testLog struct {
	t         testing.TB
	signer    note.Signer
	keys      *Keys
	leaves    [][]byte
	tree      MemoryHashes
	witnesses map[string]*Cosigner
}

// newTestLog returns a log with a fixed server key and fixed witnesses
// UA-bureau, RU-bureau and mediator.
func newTestLog(t testing.TB) *testLog {
	t.Helper()
	skey, vkey := fixedKey(t, testOrigin)
	s, err := NewLogSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, signer: s, witnesses: map[string]*Cosigner{}}
	vkeys := []string{vkey}
	for _, name := range []string{"UA-bureau", "RU-bureau", "mediator"} {
		wsk, wvk := fixedKey(t, name)
		c, err := NewCosigner(wsk)
		if err != nil {
			t.Fatal(err)
		}
		l.witnesses[name] = c
		vkeys = append(vkeys, wvk)
	}
	if l.keys, err = NewKeys(testOrigin, vkeys...); err != nil {
		t.Fatal(err)
	}
	return l
}

// testLeaf returns leaf i of a deterministic sequence.
func testLeaf(i int) Leaf {
	types := []LeafType{RecordCreated, RecordCorrected, MatchDecided, ListSubmitted, AgreementSigned, HandoverRecorded, KeyRegistered}
	var nonce Nonce
	nonce[0], nonce[1] = byte(i), byte(i>>8)
	return Leaf{
		Type:       types[i%len(types)],
		Actor:      "user:7",
		Time:       testTime.Add(time.Duration(i) * time.Second),
		Exchange:   "ex:1",
		Subject:    "record:" + itoa(i),
		Rev:        1,
		Commitment: Commit(TagRecord, nonce, []byte(itoa(i))),
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func (l *testLog) append(n int) {
	l.t.Helper()
	for range n {
		data := testLeaf(len(l.leaves)).Encode()
		if err := l.tree.Append(data); err != nil {
			l.t.Fatal(err)
		}
		l.leaves = append(l.leaves, data)
	}
}

// checkpoint signs the checkpoint at the current size.
func (l *testLog) checkpoint() []byte {
	l.t.Helper()
	return l.checkpointAt(int64(len(l.leaves)))
}

func (l *testLog) checkpointAt(size int64) []byte {
	l.t.Helper()
	root, err := TreeHash(size, l.tree)
	if err != nil {
		l.t.Fatal(err)
	}
	msg, err := SignCheckpoint(Checkpoint{Origin: testOrigin, Size: size, Root: root}, l.signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return msg
}

// cosignAll returns msg cosigned by the named witnesses (without checks).
func (l *testLog) cosign(msg []byte, names ...string) []byte {
	l.t.Helper()
	c, err := PeekCheckpoint(msg)
	if err != nil {
		l.t.Fatal(err)
	}
	for _, name := range names {
		line := l.witnesses[name].Sign(c.Marshal(), testTime)
		if msg, err = AddCosignatures(msg, line); err != nil {
			l.t.Fatal(err)
		}
	}
	return msg
}

func wantKind(t *testing.T, err error, kind errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", kind)
	}
	if !errs.Is(kind, err) {
		t.Fatalf("got error %v (kind %v), want kind %v", err, errs.KindOf(err), kind)
	}
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s changed:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
