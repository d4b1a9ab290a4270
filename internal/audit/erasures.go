package audit

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/errs"
)

// ErasuresHeader is the first line of an erasures statement. Like a backup
// statement's, it holds spaces, which a checkpoint's origin never does,
// and it differs from the backup's: the log key's signature over one of
// the three is never taken for another (docs/design/log.md §4.1).
const ErasuresHeader = "handover erasures v1"

// ErasuresStatement is what the log key signs over an erasures list made
// by 'handover erase list' (docs/design/log.md §4.1): the list is kept
// beside the backups, and a restore erases again every record it names,
// so whoever can write the file there could have a restore erase any
// record. The statement says that this deployment made the list, and
// which list: its count and the SHA-256 of its canonical bytes.
type ErasuresStatement struct {
	Origin string    // the log's origin: the name of the key that signs
	Count  int64     // the erasures the list holds
	SHA256 [32]byte  // of the list's canonical bytes
	Time   time.Time // when the list was made (UTC)
}

// Marshal returns the statement's text: the header, then one line each
// for the origin, the list and the time.
//
//	handover erasures v1
//	origin <origin>
//	list <count> <SHA-256 in lowercase hex>
//	time <RFC 3339 in UTC>
func (e ErasuresStatement) Marshal() []byte {
	return fmt.Appendf(nil, "%s\norigin %s\nlist %d %s\ntime %s\n", ErasuresHeader, e.Origin,
		e.Count, hex.EncodeToString(e.SHA256[:]), e.Time.UTC().Format(time.RFC3339Nano))
}

// ParseErasuresStatement parses a statement's text (not a signed note: see
// [Keys.OpenErasures]); it refuses anything [ErasuresStatement.Marshal]
// would not have written.
func ParseErasuresStatement(text []byte) (ErasuresStatement, error) {
	const op = "audit.ParseErasuresStatement"
	bad := func(why string) (ErasuresStatement, error) {
		return ErasuresStatement{}, errs.E(op, errs.Invalid, "not an erasures statement: "+why)
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 5 || lines[4] != "" {
		return bad("it must be exactly four lines")
	}
	if lines[0] != ErasuresHeader {
		return bad(fmt.Sprintf("the first line is not %q", ErasuresHeader))
	}
	var e ErasuresStatement
	origin, ok := strings.CutPrefix(lines[1], "origin ")
	if !ok || !validKeyName(origin) {
		return bad("line 2 is not 'origin NAME'")
	}
	e.Origin = origin
	f := strings.Split(lines[2], " ")
	sum, err := hex.DecodeString(f[len(f)-1])
	if len(f) != 3 || f[0] != "list" || !canonicalInt(f[1], &e.Count) || err != nil || len(sum) != 32 || hex.EncodeToString(sum) != f[2] {
		return bad("line 3 is not 'list COUNT SHA256'")
	}
	copy(e.SHA256[:], sum)
	at, ok := strings.CutPrefix(lines[3], "time ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || t.Location() != time.UTC || t.Format(time.RFC3339Nano) != at {
		return bad("line 4 is not 'time' and an RFC 3339 time in UTC")
	}
	e.Time = t
	return e, nil
}

// SignErasures returns e as a signed note, signed by the log's key, whose
// name must be e's origin.
func SignErasures(e ErasuresStatement, s note.Signer) ([]byte, error) {
	const op = "audit.SignErasures"
	if s.Name() != e.Origin {
		return nil, errs.Errorf(op, errs.Invalid, "log key %q does not match the origin %q", s.Name(), e.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(e.Marshal())}, s)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return msg, nil
}

// OpenErasures verifies a signed erasures statement: a valid signature by
// the log key (no other key counts), and a statement of the log's origin.
// A missing or bad signature is errs.Conflict; anything that is not a
// signed erasures statement errs.Invalid. The caller then checks that the
// list it came with has the stated count and SHA-256.
func (k *Keys) OpenErasures(msg []byte) (ErasuresStatement, error) {
	const op = "audit.OpenErasures"
	n, err := k.openLogSigned(op, "erasures list", msg)
	if err != nil {
		return ErasuresStatement{}, err
	}
	e, err := ParseErasuresStatement([]byte(n.Text))
	if err != nil {
		return ErasuresStatement{}, err
	}
	if e.Origin != k.Origin {
		return ErasuresStatement{}, errs.Errorf(op, errs.Conflict, "the erasures list names the log %q, not this log %q", e.Origin, k.Origin)
	}
	return e, nil
}
