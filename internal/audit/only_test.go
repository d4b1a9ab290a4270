package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/errs"
)

// What only the tests call, kept out of the program.

// CosignatureTime returns the timestamp inside a cosignature/v1 line.
func CosignatureTime(line string) (time.Time, error) {
	f := strings.Fields(strings.TrimPrefix(line, "— "))
	if len(f) != 2 {
		return time.Time{}, errs.E("audit.CosignatureTime", errs.Invalid, "not a signature line")
	}
	sig, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(sig) != 4+8+ed25519.SignatureSize {
		return time.Time{}, errs.E("audit.CosignatureTime", errs.Invalid, "not a cosignature/v1 signature")
	}
	ts := binary.BigEndian.Uint64(sig[4:])
	return time.Unix(int64(ts), 0).UTC(), nil
}

// StoredHashCount returns how many hashes are stored for a log of n leaves.
func StoredHashCount(n int64) int64 { return tlog.StoredHashCount(n) }

// VerifierKey returns the witness's public verifier key (as registered).
func (c *Cosigner) VerifierKey() string {
	vkey, err := note.NewEd25519VerifierKey(c.name, c.priv.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return vkey
}
