package audit

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// BackupHeader is the first line of a backup statement. A checkpoint's
// first line is its origin, a key name, which never holds a space: the
// log key's signature over one can never be taken for the other
// (docs/design/log.md §4.1).
const BackupHeader = "handover backup v1"

// BackupStatement is what the log key signs over a backup made by
// 'handover backup' (docs/design/log.md §4.1): which database file the
// deployment wrote, and the log it holds. Age encrypts a backup, but
// anyone with a recipient's public key can encrypt a file of their own:
// the statement is what says that this deployment made it.
type BackupStatement struct {
	Origin  string    // the log's origin: the name of the key that signs
	SHA256  [32]byte  // of the database file, as a restore writes it out
	Size    int64     // the database file's length in bytes
	LogSize int64     // the leaves of the log in that database
	LogRoot tlog.Hash // the root of those leaves
	Time    time.Time // when the backup was made (UTC)
}

// Marshal returns the statement's text: the header, then one line each
// for the origin, the database, the log and the time.
//
//	handover backup v1
//	origin <origin>
//	database <size in bytes> <SHA-256 in lowercase hex>
//	log <size in leaves> <root in standard base64>
//	time <RFC 3339 in UTC>
func (b BackupStatement) Marshal() []byte {
	return fmt.Appendf(nil, "%s\norigin %s\ndatabase %d %s\nlog %d %s\ntime %s\n", BackupHeader, b.Origin,
		b.Size, hex.EncodeToString(b.SHA256[:]), b.LogSize, base64.StdEncoding.EncodeToString(b.LogRoot[:]),
		b.Time.UTC().Format(time.RFC3339Nano))
}

// String returns a short form for messages.
func (b BackupStatement) String() string {
	return fmt.Sprintf("made %s, database of %d bytes (SHA-256 %s…), log of %d leaves (root %s…)", b.Time.UTC().Format(time.RFC3339),
		b.Size, hex.EncodeToString(b.SHA256[:6]), b.LogSize, base64.StdEncoding.EncodeToString(b.LogRoot[:])[:12])
}

// ParseBackupStatement parses a statement's text (not a signed note: see
// [Keys.OpenBackup]); it refuses anything [BackupStatement.Marshal] would
// not have written.
func ParseBackupStatement(text []byte) (BackupStatement, error) {
	const op = "audit.ParseBackupStatement"
	bad := func(why string) (BackupStatement, error) {
		return BackupStatement{}, errs.E(op, errs.Invalid, "not a backup statement: "+why)
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 6 || lines[5] != "" {
		return bad("it must be exactly five lines")
	}
	if lines[0] != BackupHeader {
		return bad(fmt.Sprintf("the first line is not %q", BackupHeader))
	}
	var b BackupStatement
	origin, ok := strings.CutPrefix(lines[1], "origin ")
	if !ok || !validKeyName(origin) {
		return bad("line 2 is not 'origin NAME'")
	}
	b.Origin = origin
	f := strings.Split(lines[2], " ")
	sum, err := hex.DecodeString(f[len(f)-1])
	if len(f) != 3 || f[0] != "database" || !canonicalInt(f[1], &b.Size) || err != nil || len(sum) != 32 || hex.EncodeToString(sum) != f[2] {
		return bad("line 3 is not 'database SIZE SHA256'")
	}
	copy(b.SHA256[:], sum)
	f = strings.Split(lines[3], " ")
	root, err := decodeCanonicalBase64(f[len(f)-1])
	if len(f) != 3 || f[0] != "log" || !canonicalInt(f[1], &b.LogSize) || err != nil || len(root) != tlog.HashSize {
		return bad("line 4 is not 'log SIZE ROOT'")
	}
	copy(b.LogRoot[:], root)
	at, ok := strings.CutPrefix(lines[4], "time ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || t.Location() != time.UTC || t.Format(time.RFC3339Nano) != at {
		return bad("line 5 is not 'time' and an RFC 3339 time in UTC")
	}
	b.Time = t
	return b, nil
}

// canonicalInt parses a decimal number without sign or leading zeros.
func canonicalInt(s string, n *int64) bool {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || strconv.FormatInt(v, 10) != s {
		return false
	}
	*n = v
	return true
}

// SignBackup returns b as a signed note, signed by the log's key, whose
// name must be b's origin.
func SignBackup(b BackupStatement, s note.Signer) ([]byte, error) {
	const op = "audit.SignBackup"
	if s.Name() != b.Origin {
		return nil, errs.Errorf(op, errs.Invalid, "log key %q does not match the origin %q", s.Name(), b.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(b.Marshal())}, s)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return msg, nil
}

// OpenBackup verifies a signed backup statement: a valid signature by the
// log key (no other key counts), and a statement of the log's origin. A
// missing or bad signature is errs.Conflict; anything that is not a signed
// backup statement errs.Invalid.
func (k *Keys) OpenBackup(msg []byte) (BackupStatement, error) {
	const op = "audit.OpenBackup"
	n, err := k.openLogSigned(op, "backup", msg)
	if err != nil {
		return BackupStatement{}, err
	}
	b, err := ParseBackupStatement([]byte(n.Text))
	if err != nil {
		return BackupStatement{}, err
	}
	if b.Origin != k.Origin {
		return BackupStatement{}, errs.Errorf(op, errs.Conflict, "the backup names the log %q, not this log %q", b.Origin, k.Origin)
	}
	return b, nil
}

// openLogSigned opens a note that the log key alone must have signed (a
// backup's or an erasures list's statement; witness keys do not count);
// what names what it is signed over, for the messages. A missing or bad
// signature is errs.Conflict; a message that is no signed note
// errs.Invalid.
func (k *Keys) openLogSigned(op, what string, msg []byte) (*note.Note, error) {
	n, err := note.Open(msg, note.VerifierList(k.log))
	if err == nil {
		return n, nil
	}
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return nil, errs.Errorf(op, errs.Conflict,
			"the %s is not signed by this log's key %s: signed only by %s (another deployment's %s, or one made by someone else)",
			what, k.log.Name(), signerNames(unverified.Note.UnverifiedSigs), what)
	case errors.As(err, &invalid):
		return nil, errs.Errorf(op, errs.Conflict,
			"the %s's signature by %s does not verify: its statement was altered or the signature forged", what, invalid.Name)
	}
	return nil, errs.E(op, errs.Invalid, fmt.Sprintf("the %s's statement is not a valid signed note", what), err)
}
