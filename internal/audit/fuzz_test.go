package audit

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzDecodeLeaf checks that whatever DecodeLeaf accepts is exactly the
// canonical encoding of what it returns.
func FuzzDecodeLeaf(f *testing.F) {
	for _, name := range []string{"leaf-record-created.json", "leaf-record-corrected.json", "leaf-escapes.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimSuffix(b, []byte("\n")))
	}
	f.Add([]byte(`{"actor":"a\u0000"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeLeaf(data)
		if err != nil {
			return
		}
		if got := l.Encode(); !bytes.Equal(got, data) {
			t.Fatalf("DecodeLeaf accepted %q, which encodes as %q", data, got)
		}
	})
}

// FuzzParseProofs checks that the proof parsers never panic and that what
// they accept marshals back to the same bytes.
func FuzzParseProofs(f *testing.F) {
	for _, name := range []string{"inclusion-4-13.proof", "consistency-7-13.proof"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Base64 with non-zero padding bits decodes leniently unless Strict:
	// it must be refused, or it would not round-trip.
	f.Add([]byte("c2sp.org/tlog-proof@v1\nextra 001=\nindex 0\n\n"))
	// The base64 decoder skips line breaks: a hash line holding a \r must
	// be refused, or it would not round-trip.
	f.Add([]byte("c2sp.org/tlog-proof@v1\nextra \nindex 0\n0000000000000000000000000000000000000000000=\n000000000000000000\r\r\r\r\r\r0000000000000000000000000=\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := ParseInclusionProof(data); err == nil && !bytes.Equal(p.Marshal(), data) {
			t.Fatalf("inclusion proof %q does not round-trip", data)
		}
		if p, err := ParseConsistencyProof(data); err == nil && !bytes.Equal(p.Marshal(), data) {
			t.Fatalf("consistency proof %q does not round-trip", data)
		}
		_, _ = ParseTilePath(string(data))
		_, _ = PeekCheckpoint(data)
	})
}

// FuzzParseAddCheckpoint: any body either parses into a request whose
// encoding parses back to the same request, or is refused with 400.
func FuzzParseAddCheckpoint(f *testing.F) {
	f.Add([]byte("old 0\n\nlog\n1\nAAAA\n\n— log AAAA\n"))
	f.Add([]byte("old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nx"))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := ParseAddCheckpoint(body)
		if err != nil {
			var r *WitnessRefusal
			if !errors.As(err, &r) || r.Status != WitnessBadRequest {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		b, err := ParseAddCheckpoint(a.Marshal())
		if err != nil || b.OldSize != a.OldSize || len(b.Proof) != len(a.Proof) || !bytes.Equal(b.Checkpoint, a.Checkpoint) {
			t.Fatalf("round trip: %+v, %v; was %+v", b, err, a)
		}
	})
}
