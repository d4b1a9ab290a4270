package audit

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/errs"
)

func testBackupStatement(t *testing.T, l *testLog) BackupStatement {
	t.Helper()
	root, err := TreeHash(int64(len(l.leaves)), l.tree)
	if err != nil {
		t.Fatal(err)
	}
	return BackupStatement{Origin: testOrigin, SHA256: sha256.Sum256([]byte("SQLite format 3\x00")), Size: 16,
		LogSize: int64(len(l.leaves)), LogRoot: root, Time: testTime}
}

// TestVectorsBackupStatement pins the signed backup statement of
// docs/design/log.md §4.1 and reads it back.
func TestVectorsBackupStatement(t *testing.T) {
	l, _, _ := vectorLog(t)
	b := testBackupStatement(t, l)
	msg, err := SignBackup(b, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "backup-13.note", msg)
	got, err := l.keys.OpenBackup(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got != b {
		t.Fatalf("got %+v, want %+v", got, b)
	}
}

// TestBackupStatementIsNoCheckpoint: the log key signs checkpoints and
// backup statements; neither is ever taken for the other, and only the
// log key's signature counts.
func TestBackupStatementIsNoCheckpoint(t *testing.T) {
	l, _, cp13 := vectorLog(t)
	msg, err := SignBackup(testBackupStatement(t, l), l.signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.keys.OpenCheckpoint(msg); err == nil {
		t.Fatal("a backup statement opened as a checkpoint")
	}
	if _, err := PeekCheckpoint(msg); err == nil {
		t.Fatal("a backup statement peeked as a checkpoint")
	}
	_, err = l.keys.OpenBackup(cp13)
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
		b := testBackupStatement(t, l)
		b.Origin = name
		forged, err := SignBackup(b, s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.keys.OpenBackup(forged)
		wantKind(t, err, errs.Conflict)
	}
	// A witness's key is not the log's.
	wsk, _ := fixedKey(t, "UA-bureau")
	ws, err := NewLogSigner(wsk)
	if err != nil {
		t.Fatal(err)
	}
	b := testBackupStatement(t, l)
	b.Origin = "UA-bureau"
	byWitness, err := SignBackup(b, ws)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.keys.OpenBackup(byWitness)
	wantKind(t, err, errs.Conflict)

	// One changed byte of the statement.
	altered := bytes.Replace(msg, []byte("database 16 "), []byte("database 17 "), 1)
	_, err = l.keys.OpenBackup(altered)
	wantKind(t, err, errs.Conflict)
}

// TestParseBackupStatement refuses every text Marshal would not write.
func TestParseBackupStatement(t *testing.T) {
	l, _, _ := vectorLog(t)
	good := string(testBackupStatement(t, l).Marshal())
	if _, err := ParseBackupStatement([]byte(good)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(good, "\n")
	for _, tc := range []struct{ name, from, to string }{
		{"header", "handover backup v1", "handover backup v2"},
		{"origin with a space", "origin " + testOrigin, "origin handover test"},
		{"size with a sign", "database 16 ", "database +16 "},
		{"size with a leading zero", "database 16 ", "database 016 "},
		{"uppercase hex", lines[2], strings.ToUpper(lines[2])},
		{"short hash", lines[2], lines[2][:len(lines[2])-2]},
		{"log size", "log 13 ", "log -13 "},
		{"root", lines[3], lines[3][:len(lines[3])-4]},
		{"local time", "time 2026-05-23T09:14:00Z", "time 2026-05-23T12:14:00+03:00"},
		{"trailing zeros", "time 2026-05-23T09:14:00Z", "time 2026-05-23T09:14:00.000Z"},
		{"extra line", "time 2026-05-23T09:14:00Z\n", "time 2026-05-23T09:14:00Z\nmore\n"},
		{"no final newline", "time 2026-05-23T09:14:00Z\n", "time 2026-05-23T09:14:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.from, tc.to, 1)
			if text == good {
				t.Fatalf("%q is not in the statement", tc.from)
			}
			_, err := ParseBackupStatement([]byte(text))
			wantKind(t, err, errs.Invalid)
		})
	}
}
