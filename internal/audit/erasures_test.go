package audit

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

func testErasuresStatement() ErasuresStatement {
	return ErasuresStatement{Origin: testOrigin, Count: 2, SHA256: sha256.Sum256([]byte(`{"count":2}`)), Time: testTime}
}

// TestVectorsErasuresStatement pins the signed erasures statement of
// docs/design/log.md §4.1 and reads it back.
func TestVectorsErasuresStatement(t *testing.T) {
	l, _, _ := vectorLog(t)
	e := testErasuresStatement()
	msg, err := SignErasures(e, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "erasures-2.note", msg)
	got, err := l.keys.OpenErasures(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got != e {
		t.Fatalf("got %+v, want %+v", got, e)
	}
}

// TestErasuresStatementIsNeither: the log key signs checkpoints, backup
// statements and erasures statements; none is ever taken for another, and
// only the log key's signature counts.
func TestErasuresStatementIsNeither(t *testing.T) {
	l, _, cp13 := vectorLog(t)
	msg, err := SignErasures(testErasuresStatement(), l.signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.keys.OpenCheckpoint(msg); err == nil {
		t.Fatal("an erasures statement opened as a checkpoint")
	}
	if _, err := PeekCheckpoint(msg); err == nil {
		t.Fatal("an erasures statement peeked as a checkpoint")
	}
	_, err = l.keys.OpenBackup(msg)
	wantKind(t, err, errs.Invalid)
	_, err = l.keys.OpenErasures(cp13)
	wantKind(t, err, errs.Invalid)
	backup, err := SignBackup(testBackupStatement(t, l), l.signer)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.keys.OpenErasures(backup)
	wantKind(t, err, errs.Invalid)

	// Another deployment's log key, of the same origin or another.
	for _, name := range []string{testOrigin, "other.test/log"} {
		other, _, err := generateKey(&detReader{seed: []byte("other " + name)}, name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewLogSigner(other)
		if err != nil {
			t.Fatal(err)
		}
		e := testErasuresStatement()
		e.Origin = name
		forged, err := SignErasures(e, s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.keys.OpenErasures(forged)
		wantKind(t, err, errs.Conflict)
	}
	// One changed byte of the statement.
	altered := bytes.Replace(msg, []byte("list 2 "), []byte("list 3 "), 1)
	_, err = l.keys.OpenErasures(altered)
	wantKind(t, err, errs.Conflict)
}

// TestParseErasuresStatement refuses every text Marshal would not write.
func TestParseErasuresStatement(t *testing.T) {
	good := string(testErasuresStatement().Marshal())
	if _, err := ParseErasuresStatement([]byte(good)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(good, "\n")
	for _, tc := range []struct{ name, from, to string }{
		{"header", "handover erasures v1", "handover erasures v2"},
		{"a backup's header", "handover erasures v1", "handover backup v1"},
		{"origin with a space", "origin " + testOrigin, "origin handover test"},
		{"count with a sign", "list 2 ", "list +2 "},
		{"count with a leading zero", "list 2 ", "list 02 "},
		{"uppercase hex", lines[2], strings.ToUpper(lines[2])},
		{"short hash", lines[2], lines[2][:len(lines[2])-2]},
		{"local time", "time 2026-05-23T09:14:00Z", "time 2026-05-23T12:14:00+03:00"},
		{"extra line", "time 2026-05-23T09:14:00Z\n", "time 2026-05-23T09:14:00Z\nmore\n"},
		{"no final newline", "time 2026-05-23T09:14:00Z\n", "time 2026-05-23T09:14:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.from, tc.to, 1)
			if text == good {
				t.Fatalf("%q is not in the statement", tc.from)
			}
			_, err := ParseErasuresStatement([]byte(text))
			wantKind(t, err, errs.Invalid)
		})
	}
}
