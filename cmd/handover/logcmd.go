package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

const keygenUsage = `
Usage: handover keygen --name NAME [--out FILE]

Make an Ed25519 key pair on this machine, for cosigning the log as a witness
(a party's bureau, the mediator) or for the server's checkpoints (then NAME is
the log's origin). The private key is written to FILE (default NAME.key) with
permissions 0600 and must never leave this machine; an existing file is not
overwritten. The public verifier key and its fingerprint are printed: give
the key to the mediator's administrator to register, and read the
fingerprint to them over another channel (phone, in person) to check it.

Example:
  handover keygen --name UA-bureau --out ~/.handover/UA-bureau.key
`

const verifyInclusionUsage = `
Usage: handover verify inclusion --proof FILE --keys KEYS [--policy all|none|NAME,...]

Check offline, with no server, that a log entry is in the log: the proof's
checkpoint must be signed by the log key, the entry must be a valid leaf, and
the inclusion path must lead to the signed root (checked with an
implementation independent of the one that made the proof). Events of type
agreement.signed and handover.recorded are final only if the checkpoint is
cosigned by every witness the policy requires: by default every witness key
in KEYS; --policy lists key names, or "none".

KEYS is a text file of trusted public keys, one verifier key per line (as
'handover keygen' prints them); blank lines and lines starting with # are
ignored, and text after a key is a comment. The key named like the log's
origin is the log key; the others are witness keys. Proof files are made by
'handover log proof' (format: docs/design/log.md).

Exit status: 0 if the proof holds (and the event is final if it must be),
1 if it does not, 2 if a file is unreadable or malformed.

Example:
  handover verify inclusion --proof agreement-3.proof --keys trusted-keys.txt
`

const verifyConsistencyUsage = `
Usage: handover verify consistency --proof FILE --keys KEYS [--old CHECKPOINT]

Check offline that the log only grew between the two checkpoints of a
consistency proof: both must be signed by the log key, and the proof must
show the newer tree extends the older one. With --old, the older checkpoint
is one you already trust (a signed checkpoint file, e.g. your last cosigned
one) and the proof must start from it. A shrunk or forked log fails with a
message that says which. KEYS as for 'handover verify inclusion'.

Exit status: 0 if the log only grew, 1 if not, 2 if a file is unreadable or
malformed.

Example:
  handover verify consistency --proof since-1200.proof --keys trusted-keys.txt
`

func runKeygen(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("keygen", keygenUsage)
	name := fset.String("name", "", "key `name`: a witness name (UA-bureau) or the log origin; no spaces or '+'")
	out := fset.String("out", "", "private key `file` (default NAME.key, with / replaced by _)")
	if rest, err := parseFlags(fset, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	if *name == "" {
		return usageError{"--name is required"}
	}
	skey, vkey, err := audit.GenerateKey(*name)
	if err != nil {
		return err
	}
	fp, err := audit.Fingerprint(vkey)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = strings.ReplaceAll(*name, "/", "_") + ".key"
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errs.Errorf("keygen", errs.Conflict, "%s already exists: not overwriting a key", path)
	}
	if err != nil {
		return errs.E("keygen", errs.Invalid, "cannot create "+path, err)
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return errs.E("keygen", errs.Internal, err)
	}
	if err := f.Close(); err != nil {
		return errs.E("keygen", errs.Internal, err)
	}
	fmt.Fprintf(m.Stderr, "Private key written to %s (mode 0600). Keep it on this machine; never send it.\n", path)
	fmt.Fprintf(m.Stdout, "public key:  %s\nfingerprint: %s\n", vkey, fp)
	return nil
}

// readLogFile reads a file named by a flag; a missing or unreadable file is the
// user's to fix.
func readLogFile(op, what, path string) ([]byte, error) {
	if path == "" {
		return nil, usageError{"--" + what + " is required"}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read %s file %s", what, path), err)
	}
	return b, nil
}

// logTrustedKeys reads the keys file for the log whose (not yet verified)
// checkpoint is cp.
func logTrustedKeys(op, path string, cp []byte) (*audit.Keys, error) {
	data, err := readLogFile(op, "keys", path)
	if err != nil {
		return nil, err
	}
	c, err := audit.PeekCheckpoint(cp)
	if err != nil {
		return nil, err
	}
	return audit.ParseKeys(data, c.Origin)
}

func runVerifyInclusion(ctx context.Context, m *Main, args []string) error {
	const op = "verify inclusion"
	fset := m.newFlagSet(op, verifyInclusionUsage)
	proofPath := fset.String("proof", "", "inclusion proof `file`")
	keysPath := fset.String("keys", "", "trusted keys `file`: one verifier key per line")
	policyFlag := fset.String("policy", "all", "witnesses required for final events: all, none, or `NAME,...`")
	if rest, err := parseFlags(fset, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	data, err := readLogFile(op, "proof", *proofPath)
	if err != nil {
		return err
	}
	if *keysPath == "" {
		return usageError{"--keys is required"}
	}
	p, err := audit.ParseInclusionProof(data)
	if err != nil {
		return err
	}
	keys, err := logTrustedKeys(op, *keysPath, p.Checkpoint)
	if err != nil {
		return err
	}
	policy, err := audit.ParsePolicy(*policyFlag, keys)
	if err != nil {
		return err
	}
	res, err := p.Verify(keys, policy)
	if err != nil {
		return err
	}
	w := m.Stdout
	fmt.Fprintf(w, "OK: leaf %d is in the log %s of %d leaves (root %s)\n", res.Index, keys.Origin, res.Checkpoint.Size, logRootText(res.Checkpoint.Checkpoint))
	fmt.Fprintf(w, "  type:       %s\n  subject:    %s\n  actor:      %s\n  time:       %s\n  commitment: %s\n",
		res.Leaf.Type, res.Leaf.Subject, res.Leaf.Actor, res.Leaf.Time.Format("2006-01-02T15:04:05.999999999Z07:00"), res.Leaf.Commitment)
	if res.Leaf.Exchange != "" {
		fmt.Fprintf(w, "  exchange:   %s\n", res.Leaf.Exchange)
	}
	fmt.Fprintf(w, "  cosigned by: %s\n", logList(res.Checkpoint.Cosigners))
	if len(res.Checkpoint.Unknown) > 0 {
		fmt.Fprintf(w, "  also signed by keys not in %s (ignored): %s\n", *keysPath, strings.Join(res.Checkpoint.Unknown, ", "))
	}
	switch {
	case res.Leaf.Type.NeedsFinality():
		fmt.Fprintf(w, "  final: yes (cosigned by %s)\n", logList(policy.Required))
	case len(res.Missing) > 0:
		fmt.Fprintf(w, "  (%s events need no cosignatures to count; not yet cosigned by %s)\n", res.Leaf.Type, strings.Join(res.Missing, ", "))
	}
	return nil
}

func runVerifyConsistency(ctx context.Context, m *Main, args []string) error {
	const op = "verify consistency"
	fset := m.newFlagSet(op, verifyConsistencyUsage)
	proofPath := fset.String("proof", "", "consistency proof `file`")
	keysPath := fset.String("keys", "", "trusted keys `file`: one verifier key per line")
	oldPath := fset.String("old", "", "a signed checkpoint `file` you already trust, to check the proof starts from it")
	if rest, err := parseFlags(fset, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	data, err := readLogFile(op, "proof", *proofPath)
	if err != nil {
		return err
	}
	if *keysPath == "" {
		return usageError{"--keys is required"}
	}
	p, err := audit.ParseConsistencyProof(data)
	if err != nil {
		return err
	}
	keys, err := logTrustedKeys(op, *keysPath, p.New)
	if err != nil {
		return err
	}
	var trusted *audit.Checkpoint
	if *oldPath != "" {
		b, err := readLogFile(op, "old", *oldPath)
		if err != nil {
			return err
		}
		sc, err := keys.OpenCheckpoint(b)
		if err != nil {
			return errs.E(op, errs.KindOf(err), "trusted checkpoint "+*oldPath+": "+errs.Message(err), err)
		}
		trusted = &sc.Checkpoint
	}
	res, err := p.Verify(keys, trusted)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "OK: the log %s only grew from %d leaves (root %s) to %d leaves (root %s)\n",
		keys.Origin, res.Old.Size, logRootText(res.Old.Checkpoint), res.New.Size, logRootText(res.New.Checkpoint))
	fmt.Fprintf(m.Stdout, "  old checkpoint cosigned by: %s\n  new checkpoint cosigned by: %s\n",
		logList(res.Old.Cosigners), logList(res.New.Cosigners))
	return nil
}

func logRootText(c audit.Checkpoint) string {
	return strings.TrimSuffix(strings.SplitN(string(c.Marshal()), "\n", 4)[2], "\n")
}

func logList(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return strings.Join(xs, ", ")
}
