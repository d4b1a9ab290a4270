package audit

import (
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/errs"
)

// An endorsement is a signature by a key a party already uses over a new
// key of the same party: "the holder of this key agrees that this new key
// is ours" (docs/design/security.md §3). It is a C2SP signed-note
// signature line over [EndorsementText], made on the endorser's machine
// ('handover key propose --endorse-with KEY'), so the private key never
// reaches the server.

// EndorsementText is the text an endorsement signs: the party (a party's
// code or "mediator"), the new key's purpose (witness or signer) and its
// verifier key, each on its own line.
func EndorsementText(party, purpose, vkey string) []byte {
	return fmt.Appendf(nil, "handover key endorsement v1\nparty %s\npurpose %s\nkey %s\n", party, purpose, vkey)
}

// Endorse returns the endorsement line of the private key skey for the new
// key vkey of party, for purpose.
func Endorse(skey, party, purpose, vkey string) (string, error) {
	const op = "audit.Endorse"
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return "", errs.E(op, errs.Invalid, "not a signed-note private key", err)
	}
	if _, _, err := splitVerifierKey(vkey); err != nil {
		return "", errs.E(op, errs.Invalid, "the endorsed key is not a verifier key", err)
	}
	text := EndorsementText(party, purpose, vkey)
	msg, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return "", errs.E(op, errs.Internal, err)
	}
	return strings.TrimSuffix(string(msg[len(text)+1:]), "\n"), nil
}

// VerifyEndorsement checks that line is a valid endorsement of vkey for
// party and purpose by one of the endorsers' verifier keys, and returns the
// name of the key that made it.
func VerifyEndorsement(line, party, purpose, vkey string, endorsers []string) (string, error) {
	const op = "audit.VerifyEndorsement"
	line = strings.TrimSpace(line)
	if line == "" || strings.Contains(line, "\n") {
		return "", errs.E(op, errs.Invalid, "an endorsement is one signature line, as 'handover key propose --endorse-with' makes it")
	}
	text := EndorsementText(party, purpose, vkey)
	msg := append(append(append([]byte(nil), text...), '\n'), line...)
	msg = append(msg, '\n')
	for _, e := range endorsers {
		v, err := note.NewVerifier(e)
		if err != nil {
			continue
		}
		if _, err := note.Open(msg, note.VerifierList(v)); err == nil {
			return v.Name(), nil
		}
	}
	return "", errs.E(op, errs.Forbidden, fmt.Sprintf("the endorsement is not a valid signature over key %s by a key of %s in effect", KeyName(vkey), party))
}
