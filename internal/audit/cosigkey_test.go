package audit

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/handover-project/handover/internal/errs"
)

// A C2SP tlog-cosignature key (type 0x04), as a standard witness such as
// litewitness prints it, is a witness key like the note key (0x01) of the
// same public key: it opens the witness's cosignatures, and its fingerprint
// is the one its operator computes from the key as printed.
func TestCosignatureKeyType04(t *testing.T) {
	l := newTestLog(t)
	l.append(5)
	ua := l.witnesses["UA-bureau"]
	v01 := ua.VerifierKey()
	v04, err := fnote.VKeyToCosignatureV1(v01)
	if err != nil {
		t.Fatal(err)
	}
	if v04 == v01 {
		t.Fatal("the 0x04 form is the 0x01 form")
	}
	_, logV := fixedKey(t, testOrigin)
	k, err := NewKeys(testOrigin, logV, v04)
	if err != nil {
		t.Fatalf("NewKeys with a 0x04 witness key: %v", err)
	}
	msg := l.cosign(l.checkpoint(), "UA-bureau")
	sc, err := k.OpenCheckpoint(msg)
	if err != nil || !sc.CosignedBy("UA-bureau") {
		t.Fatalf("OpenCheckpoint with the 0x04 key: %v, cosigners %v", err, sc.Cosigners)
	}
	if _, err := ParseKeys([]byte(logV+"\n"+v04+" # litewitness\n"), testOrigin); err != nil {
		t.Errorf("ParseKeys with a 0x04 key: %v", err)
	}
	line := ua.Sign(mustPeek(t, l.checkpoint()).Marshal(), testTime)
	if err := VerifyCosignature(v04, l.checkpoint(), line); err != nil {
		t.Errorf("VerifyCosignature with the 0x04 key: %v", err)
	}

	// The fingerprint is SHA-256(name || "\n" || 0x04 || key) of the key as
	// printed, so it differs from the 0x01 form's.
	_, rest, _ := strings.Cut(v04, "+")
	_, key64, _ := strings.Cut(rest, "+")
	key, _ := base64.StdEncoding.DecodeString(key64)
	sum := sha256.Sum256(append([]byte("UA-bureau\n"), key...))
	fp, err := Fingerprint(v04)
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:16]); strings.ReplaceAll(fp, " ", "") != want {
		t.Errorf("Fingerprint(0x04) = %s, want %s", fp, want)
	}
	if fp01, _ := Fingerprint(v01); fp01 == fp {
		t.Error("the 0x01 and 0x04 forms have one fingerprint")
	}
	if got, err := KeyType(v04); err != nil || got != KeyCosignature {
		t.Errorf("KeyType(0x04) = %v, %v", got, err)
	}
	if got, err := KeyType(v01); err != nil || got != KeyNote {
		t.Errorf("KeyType(0x01) = %v, %v", got, err)
	}

	// A 0x04 key whose hash is not its own is refused, as a 0x01 one is.
	name, rest, _ := strings.Cut(v04, "+")
	_, key64, _ = strings.Cut(rest, "+")
	bad := name + "+00000000+" + key64
	for _, f := range []func() error{
		func() error { _, err := Fingerprint(bad); return err },
		func() error { _, err := NewKeys(testOrigin, logV, bad); return err },
		func() error { _, err := ParseKeys([]byte(logV+"\n"+bad+"\n"), testOrigin); return err },
	} {
		if err := f(); !errs.Is(errs.Invalid, err) {
			t.Errorf("a 0x04 key with a wrong hash: %v", err)
		}
	}
	// The log's own key signs checkpoints, not cosignatures: a 0x04 key
	// cannot be it.
	logV04, _ := fnote.VKeyToCosignatureV1(logV)
	_, err = NewKeys(testOrigin, logV04, v01)
	if !errs.Is(errs.Invalid, err) || !strings.Contains(errs.Message(err), "0x01") {
		t.Errorf("a 0x04 log key: %v", err)
	}
}

// A cosignature line is checked for its form before any key: a line that
// is not one (no "— ", bad base64, a short signature, two lines) says so;
// a line without its final newline (as a shell's $(…) leaves it) is the
// same line.
func TestParseCosignatureLine(t *testing.T) {
	l := newTestLog(t)
	l.append(2)
	line := l.witnesses["UA-bureau"].Sign(mustPeek(t, l.checkpoint()).Marshal(), testTime)
	c, err := ParseCosignatureLine(strings.TrimSuffix(line, "\n"))
	if err != nil {
		t.Fatalf("line without its newline: %v", err)
	}
	if c.Line != line || c.Name != "UA-bureau" || c.Hash != l.witnesses["UA-bureau"].hash {
		t.Errorf("parsed %+v", c)
	}
	for _, tc := range []struct{ line, says string }{
		{"", "empty"},
		{"UA-bureau AAAA\n", "—"},
		{"— UA-bureau\n", "name and a signature"},
		{"— UA-bureau !!!\n", "base64"},
		{"— UA-bureau AAAA\n", "short"},
		{line + line, "one line"},
	} {
		_, err := ParseCosignatureLine(tc.line)
		if !errs.Is(errs.Invalid, err) || !strings.Contains(errs.Message(err), tc.says) {
			t.Errorf("ParseCosignatureLine(%q) = %v; want Invalid saying %q", tc.line, err, tc.says)
		}
	}
}
