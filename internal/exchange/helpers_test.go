package exchange

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// day returns midnight UTC of a date.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func date(t *testing.T, s string) person.Date {
	t.Helper()
	d, err := person.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustDate(s string) person.Date {
	d, err := person.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// testKey makes a deterministic signed-note key pair: the seed comes from
// the name and a salt, so a test can make "the same name, another key".
func testKey(t testing.TB, name, salt string) (note.Signer, SignerKey) {
	t.Helper()
	seed := sha256.Sum256([]byte("handover test key\x00" + name + "\x00" + salt))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, SignerKey{VKey: vkey}
}

// commitmentOf is a stand-in for the commitment the store keeps with a
// record version: deterministic, no personal data.
func commitmentOf(id string) audit.Digest {
	n := audit.Nonce(sha256.Sum256([]byte("nonce " + id)))
	return audit.Commit(audit.TagRecord, n, []byte(`{"id":"`+id+`"}`))
}

func testCheckpoint() audit.Checkpoint {
	return audit.Checkpoint{Origin: "handover.example.org/log", Size: 4242, Root: sha256.Sum256([]byte("root"))}
}

// wantKind fails unless err has kind k.
func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("got %v error (%v), want %v", got, err, k)
	}
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		noErr(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, a, b)
		}
	}
	return "(equal lines, different bytes)"
}

func hid(party string, i int) string { return fmt.Sprintf("%s-h%05d", party, i) }
func sid(party string, i int) string { return fmt.Sprintf("%s-s%05d", party, i) }

func consented(when time.Time) Evidence {
	return Evidence{Consent: []Consent{{Kind: ConsentGiven, Date: when, Witness: "mediator:observer-2"}}}
}
