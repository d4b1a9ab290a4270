package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"iter"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/witness"
)

// The log's commands that need a store or a server (docs/design/log.md §13):
// key registration, fetching the keys file, cosigning, proofs and the audit.
// The offline ones (keygen, verify) are in logcmd.go.

const keyProposeUsage = `
Usage: handover key propose --vkey VKEY|FILE [--purpose witness|signer] [--party CODE] [--endorse-with KEYFILE] [--server URL --token TOKEN]

Proposes a public verifier key of your party, as one of its approvers
(with a token from a login that passed the second factor), or of the
mediator, as one of its operators: a witness key cosigns the log's
checkpoints; a signer key signs agreements. One never stands in for the
other. The key counts for nothing until a second person of your party
confirms it ('handover key confirm'), and both parties see the proposal
at once ('handover key changes', the page /keys). --vkey is the key as
'handover keygen' printed it, or a file holding it.

When your party has a key in effect already, the new key must also be
endorsed by one of them: --endorse-with names its private key file, used
here to sign the new key; it never leaves this machine.

Example:
  handover key propose --vkey ua-approver-2.pub --purpose signer
  handover key propose --vkey ua-approver-3.pub --purpose signer --endorse-with ua-approver-2.key
`

const keyConfirmUsage = `
Usage: handover key confirm NAME [--endorse-with KEYFILE] [--server URL --token TOKEN]

Confirms a key another person of your party proposed: from then on it
signs (or cosigns) for your party. Check its fingerprint with the person
who made it, over another channel, first ('handover key changes' shows
it). Its proposer may not confirm it; nor may anyone of another party or
the administrator. When your party has a key in effect and the proposal
carries no endorsement, give one here with --endorse-with.

Example:
  handover key confirm UA-approver-1
`

const keyRevokeUsage = `
Usage: handover key revoke NAME --reason TEXT [--server URL --token TOKEN]

Revokes a key of your party (or the mediator's), or withdraws a proposal.
A revoked key signs nothing more; what it signed stays signed. The last
key of your party in effect cannot be revoked: confirm its replacement,
endorsed by it, first. Logged and shown to both parties.

Example:
  handover key revoke UA-approver-1 --reason "laptop lost on 3 May"
`

const keyChangesUsage = `
Usage: handover key changes [--server URL --token TOKEN]

Lists every key of both parties and the mediator with its state (proposed,
in effect, revoked) and fingerprint, then every key change: who proposed,
confirmed or revoked which key, when, and the leaf of the log that holds
it. Every user who may read the log sees the same list.

Example:
  handover key changes
`

const keyListUsage = `
Usage: handover key list [--dir DIR | --db DSN]

Lists every key on the database: name, party, purpose, state (proposed,
active, revoked), fingerprint, who proposed and who confirmed it.

Example:
  handover key list --dir /var/lib/handover
`

const logKeysUsage = `
Usage: handover log keys [--server URL --token TOKEN] [--out FILE]

Fetches the log's verifier key and the registered witness keys from the
server and writes a keys file (docs/design/log.md §5) for 'handover verify'
and 'handover cosign': the log key first, then the witness keys, each
followed by a '# fingerprint …' comment computed here, not taken from the
server. Check every fingerprint with the key's owner over another channel
before you trust the file, and keep it: it is what you verify against.
Without --out the file is printed.

Example:
  handover log keys --server https://handover.example.org --out trusted-keys.txt
`

const logCheckpointUsage = `
Usage: handover log checkpoint [--server URL --token TOKEN]

Asks the server to sign a checkpoint of the log now, if it grew since the
last one (the server also makes them on its own schedule), and prints the
latest signed checkpoint. Needs a mediator_operator or mediator_admin token.

Example:
  handover log checkpoint --server https://handover.example.org
`

const logProofUsage = `
Usage: handover log proof --index N [--out FILE] [--server URL --token TOKEN]
       handover log proof --from SIZE [--out FILE] [--server URL --token TOKEN]

Fetches a proof file from the server (formats: docs/design/log.md §8):
with --index, that leaf N is in the log under the latest checkpoint; with
--from, that the latest checkpoint extends the stored one of SIZE leaves.
Check it offline with 'handover verify inclusion|consistency'. Without
--out the proof is printed.

Example:
  handover log proof --index 17 --out leaf-17.proof
  handover verify inclusion --proof leaf-17.proof --keys trusted-keys.txt
`

const logAuditUsage = `
Usage: handover log audit [--dir DIR | --db DSN] [--keys KEYS] [--checkpoint FILE]...
       handover log audit --server URL [--token TOKEN] [--keys KEYS] [--checkpoint FILE]...

The fsck of the log. On the database (--dir/--db, the default): recomputes
the Merkle tree from every leaf and compares it with the stored hashes,
checks every stored checkpoint's signature and root and the consistency of
consecutive ones, checks every record version's stored content against its
commitment, replays the events against the rows of the database (accounts,
tokens, sessions, match decisions, disclosures and runs, the negotiation,
signatures, stage pins and events: every column that decides what anyone
sees or may do, with who and when), and rebuilds the derived tables (the
search keys, a run's candidates, the reserves that crossed) to compare.
The keys are KEYS if given, else the log key in DIR/log.pub and the
registered witness keys.

With --server (an auditor token is enough): downloads every leaf through
the tlog-tiles entry bundles and checks the tree against the latest signed
checkpoint, on this machine. Stored hashes and the record replay need the
database and are not checked that way. Without --keys the keys are taken
from the server, which proves less: pass the keys file you checked.

--checkpoint FILE (repeatable) is a signed checkpoint kept outside the
database: a witness's state file (handover cosign --state), the checkpoint
a party saved from /log/checkpoint, or a proof file (its newer checkpoint).
The log must extend each one. Only such a checkpoint shows leaves removed
from the end of the log together with the checkpoints after them: without
one the audit says so, and how many leaves rest on the database alone.

Prints a verdict and every problem found, naming the leaf, record, table
row or checkpoint. Exit status: 0 if the log is sound, 1 if anything is wrong,
2 if the command line or a file is wrong.

Example:
  handover log audit --dir /var/lib/handover --checkpoint ua-bureau.state
  handover log audit --server https://handover.example.org --keys trusted-keys.txt
`

const cosignUsage = `
Usage: handover cosign --key FILE --state FILE --keys KEYS [--server URL --token TOKEN]
       handover cosign --listen ADDR --key FILE --state FILE --keys KEYS [--origin LOG]

The witness's step (docs/design/log.md §6), run by each party's bureau and
the mediator on their own machine with their own key. It fetches the
latest checkpoint and, from the server, a consistency proof from the
checkpoint this witness cosigned last (kept in the --state file), checks
both here against the trusted KEYS (the log key must sign the checkpoint)
and only then sends the cosignature and saves the new checkpoint as the
state, atomically.

A log that shrank or forked (the new checkpoint does not extend the one in
the state file) is refused: nothing is signed, the state file is left as
it was, and the exit status is 1. Tell the other parties: the log was
rewritten.

Without a state file (the first run) the current checkpoint is trusted as
it is (trust on first use): compare it with the other witnesses'.

With --listen, the witness waits instead of fetching: it serves C2SP
tlog-witness (POST /add-checkpoint) on ADDR, and the log's server submits
each new checkpoint with its consistency proof by itself ('handover serve
--witness NAME=URL'), as it would to any standard witness (litewitness,
say), so a party can run either. The same checks are made, the state file
is replaced atomically before the answer, and a log that forked gets
"422 Unprocessable Entity" and no cosignature. KEYS needs only the log's
key; with more than one key in it, --origin names the log's.

Example:
  handover cosign --server https://handover.example.org --key UA-bureau.key \
      --state UA-bureau.state --keys trusted-keys.txt
  handover cosign --listen 127.0.0.1:7380 --key UA-bureau.key \
      --state UA-bureau.state --keys trusted-keys.txt
`

func noArgs(rest []string, err error) error {
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fset *flag.FlagSet, name string) bool {
	set := false
	fset.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// readVKey returns the verifier key given as itself or as a file holding it
// (such as the saved output of 'handover keygen').
func readVKey(v string) (string, error) {
	v = strings.TrimSpace(v)
	if _, err := audit.Fingerprint(v); err == nil {
		return v, nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return "", errs.E("key", errs.Invalid, fmt.Sprintf("%q is neither a verifier key (NAME+HASH+BASE64) nor a readable file", v))
	}
	for _, f := range strings.Fields(string(b)) {
		if strings.HasPrefix(f, "PRIVATE+KEY") {
			return "", errs.E("key", errs.Invalid, v+" holds a private key: give the public key only, and keep the private key where it was made")
		}
		if _, err := audit.Fingerprint(f); err == nil {
			return f, nil
		}
	}
	return "", errs.E("key", errs.Invalid, "no verifier key in "+v)
}

// endorsement returns the endorsement line of the private key in file for
// the new key vkey of party and purpose, or "" when file is "".
func endorsement(file, party, purpose, vkey string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", errs.E("key", errs.Invalid, "cannot read the endorsing key "+file, err)
	}
	if party == "" {
		party = access.Mediator
	}
	return audit.Endorse(strings.TrimSpace(string(b)), party, purpose, vkey)
}

func runKeyPropose(ctx context.Context, m *Main, args []string) error {
	const op = "key propose"
	fset := m.newFlagSet(op, keyProposeUsage)
	srv := m.addServerFlags(fset)
	vkeyFlag := fset.String("vkey", "", "the public verifier `key` (NAME+HASH+BASE64), or a file holding it")
	purpose := fset.String("purpose", sqlstore.KeyWitness, "what the key is for: witness (cosigns checkpoints) or signer (signs agreements)")
	party := fset.String("party", "", "your party's `CODE` (the default: your own)")
	endorseWith := fset.String("endorse-with", "", "private key `file` of a key of your party in effect, to endorse the new key with")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *vkeyFlag == "" {
		return usageError{"--vkey is required"}
	}
	vkey, err := readVKey(*vkeyFlag)
	if err != nil {
		return err
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	side := *party
	if side == "" {
		var me struct {
			Party *string `json:"party"`
		}
		if err := c.Do(ctx, "GET", "/api/v1/me", nil, &me); err != nil {
			return err
		}
		if me.Party != nil {
			side = *me.Party
		}
	}
	line, err := endorsement(*endorseWith, side, *purpose, vkey)
	if err != nil {
		return err
	}
	k, err := c.ProposeKey(ctx, vkey, side, *purpose, line)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "key %s proposed (%s, %s): not in effect until a second person of %s confirms it\n  fingerprint %s\n", k.Name, keyOwner(k.Party), k.Purpose, keyOwner(k.Party), k.Fingerprint)
	return nil
}

func keyOwner(party string) string {
	if party == "" {
		return "the mediator"
	}
	return "party " + party
}

func runKeyConfirm(ctx context.Context, m *Main, args []string) error {
	const op = "key confirm"
	fset := m.newFlagSet(op, keyConfirmUsage)
	srv := m.addServerFlags(fset)
	endorseWith := fset.String("endorse-with", "", "private key `file` of a key of your party in effect, to endorse the key with")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one key NAME"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	line := ""
	if *endorseWith != "" {
		all, err := c.KeyChanges(ctx)
		if err != nil {
			return err
		}
		k, err := all.Key(pos[0])
		if err != nil {
			return err
		}
		if line, err = endorsement(*endorseWith, k.Party, k.Purpose, k.VKey); err != nil {
			return err
		}
	}
	k, err := c.ConfirmKey(ctx, pos[0], line)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "key %s confirmed: in effect for %s (%s), proposed by %s, confirmed by %s\n  fingerprint %s\n", k.Name, keyOwner(k.Party), k.Purpose, k.RegisteredBy, k.ConfirmedBy, k.Fingerprint)
	return nil
}

func runKeyRevoke(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("key revoke", keyRevokeUsage)
	srv := m.addServerFlags(fset)
	reason := fset.String("reason", "", "why (one line)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one key NAME"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	k, err := c.RevokeKey(ctx, pos[0], *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "key %s revoked (%s) by %s\n", k.Name, keyOwner(k.Party), k.RevokedBy)
	return nil
}

func runKeyChanges(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("key changes", keyChangesUsage)
	srv := m.addServerFlags(fset)
	c, _, err := srv.parse(fset, args, 0, "")
	if err != nil {
		return err
	}
	all, err := c.KeyChanges(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPARTY\tPURPOSE\tSTATE\tFINGERPRINT\tPROPOSED BY\tCONFIRMED BY")
	for _, k := range all.Keys {
		fp, err := audit.Fingerprint(k.VKey)
		if err != nil {
			fp = "not a key!"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, dash(k.Party), k.Purpose, k.State, fp, k.RegisteredBy, dash(k.ConfirmedBy))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout)
	tw = tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tKEY\tPARTY\tCHANGE\tBY\tLEAF")
	for _, e := range all.Changes {
		what := e.Event
		if e.EndorsedBy != "" {
			what += " (endorsed by " + e.EndorsedBy + ")"
		}
		if e.Reason != "" {
			what += ": " + e.Reason
		}
		by := e.Login + " (" + e.Role
		if e.UserParty != "" {
			by += ", " + e.UserParty
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s)\t%d\n", e.At.Format(time.RFC3339), e.Key, dash(e.Party), what, by, e.Leaf)
	}
	return tw.Flush()
}

func runKeyList(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("key list", keyListUsage)
	sf := m.addStoreFlags(fset)
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ks, err := db.Keys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPARTY\tPURPOSE\tSTATE\tFINGERPRINT\tPROPOSED BY\tCONFIRMED BY\tREGISTERED")
	for _, k := range ks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, dash(k.Party), k.Purpose, k.State, k.Fingerprint, k.RegisteredBy, dash(k.ConfirmedBy), k.RegisteredAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

// keysFile renders a keys file (docs/design/log.md §5) from the server's
// answer, with fingerprints computed here. It refuses keys that do not make
// a valid key set for the origin, and a fingerprint the server states
// differently.
func keysFile(k api.LogKeys, from string, now time.Time) ([]byte, error) {
	const op = "log keys"
	var b strings.Builder
	fmt.Fprintf(&b, "# Trusted keys of the log %s, fetched from %s on %s.\n", k.Origin, from, now.UTC().Format(time.RFC3339))
	b.WriteString("# Check every fingerprint with the key's owner over another channel before trusting this file.\n")
	vkeys := []string{k.LogKey}
	line := func(vkey, claimed, what string) error {
		fp, err := audit.Fingerprint(vkey)
		if err != nil {
			return errs.E(op, errs.Internal, fmt.Sprintf("the server sent %s, which is not a verifier key", what), err)
		}
		if claimed != "" && claimed != fp {
			return errs.E(op, errs.Conflict, fmt.Sprintf("the server states fingerprint %s for %s, but the key's fingerprint is %s", claimed, what, fp))
		}
		fmt.Fprintf(&b, "%s\n# fingerprint %s (%s)\n", vkey, fp, what)
		return nil
	}
	if audit.KeyName(k.LogKey) != k.Origin {
		return nil, errs.E(op, errs.Internal, fmt.Sprintf("the server's log key is named %q, not after its origin %q", audit.KeyName(k.LogKey), k.Origin))
	}
	if err := line(k.LogKey, k.LogKeyFingerprint, "log key"); err != nil {
		return nil, err
	}
	for _, w := range k.Witnesses {
		what := "witness " + w.Name + ", the mediator"
		if w.Party != "" {
			what = "witness " + w.Name + ", party " + w.Party
		}
		if err := line(w.VKey, w.Fingerprint, what); err != nil {
			return nil, err
		}
		vkeys = append(vkeys, w.VKey)
	}
	if _, err := audit.NewKeys(k.Origin, vkeys...); err != nil {
		return nil, errs.E(op, errs.Internal, "the server's keys do not make a valid key set", err)
	}
	out := []byte(b.String())
	if _, err := audit.ParseKeys(out, k.Origin); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}

func runLogKeys(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("log keys", logKeysUsage)
	srv := m.addServerFlags(fset)
	out := fset.String("out", "", "write the keys file here (default: print it)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	k, err := c.LogKeys(ctx)
	if err != nil {
		return err
	}
	data, err := keysFile(k, c.BaseURL, time.Now())
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := m.Stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(*out, data, 0o600); err != nil {
		return errs.E("log keys", errs.Invalid, "cannot write "+*out, err)
	}
	fmt.Fprintf(m.Stderr, "%d keys of the log %s written to %s: check their fingerprints out of band.\n", 1+len(k.Witnesses), k.Origin, *out)
	return nil
}

func runLogCheckpoint(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("log checkpoint", logCheckpointUsage)
	srv := m.addServerFlags(fset)
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	cp, err := c.MakeCheckpoint(ctx)
	if err != nil {
		return err
	}
	if p, err := audit.PeekCheckpoint(cp); err == nil {
		fmt.Fprintf(m.Stderr, "latest checkpoint: %d leaves\n", p.Size)
	}
	_, err = m.Stdout.Write(cp)
	return err
}

func runLogProof(ctx context.Context, m *Main, args []string) error {
	const op = "log proof"
	fset := m.newFlagSet(op, logProofUsage)
	srv := m.addServerFlags(fset)
	index := fset.Int64("index", -1, "prove that leaf `N` is in the log")
	from := fset.Int64("from", -1, "prove that the log extends its checkpoint of `SIZE` leaves")
	out := fset.String("out", "", "write the proof here (default: print it)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if (*index < 0) == (*from < 0) {
		return usageError{"give one of --index N (≥ 0) or --from SIZE (≥ 0)"}
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	var p []byte
	var what, verify string
	if *index >= 0 {
		p, err = c.InclusionProof(ctx, *index)
		what, verify = fmt.Sprintf("inclusion proof of leaf %d", *index), "inclusion"
	} else {
		p, err = c.ConsistencyProof(ctx, *from)
		what, verify = fmt.Sprintf("consistency proof from size %d", *from), "consistency"
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := m.Stdout.Write(p)
		return err
	}
	if err := writeFileAtomic(*out, p, 0o600); err != nil {
		return errs.E(op, errs.Invalid, "cannot write "+*out, err)
	}
	fmt.Fprintf(m.Stderr, "%s written to %s; check it with 'handover verify %s --proof %s --keys KEYS'\n", what, *out, verify, *out)
	return nil
}

func runCosign(ctx context.Context, m *Main, args []string) error {
	const op = "cosign"
	fset := m.newFlagSet(op, cosignUsage)
	srv := m.addServerFlags(fset)
	keyPath := fset.String("key", "", "this witness's private key `file` (from 'handover keygen')")
	statePath := fset.String("state", "", "state `file`: the last checkpoint this witness cosigned")
	keysPath := fset.String("keys", "", "trusted keys `file` (from 'handover log keys', fingerprints checked)")
	listen := fset.String("listen", "", "serve C2SP tlog-witness add-checkpoint on this `address` instead of fetching from the server")
	origin := fset.String("origin", "", "with --listen: the log's origin (the name of its key), when KEYS holds more than one key")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	if *statePath == "" {
		return usageError{"--state is required"}
	}
	if *listen != "" {
		return m.serveWitness(ctx, *listen, *keyPath, *keysPath, *statePath, *origin)
	}
	skey, err := readLogFile(op, "key", *keyPath)
	if err != nil {
		return err
	}
	keysData, err := readLogFile(op, "keys", *keysPath)
	if err != nil {
		return err
	}
	cosigner, err := audit.NewCosigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return errs.E(op, errs.Invalid, *keyPath+" is not a private key made by 'handover keygen'", err)
	}
	c, err := srv.client()
	if err != nil {
		return err
	}

	// The state: the checkpoint cosigned last, checked again with the keys.
	var prev *audit.SignedCheckpoint
	var keys *audit.Keys
	state, err := os.ReadFile(*statePath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return errs.E(op, errs.Invalid, "cannot read the state file "+*statePath, err)
	default:
		peek, err := audit.PeekCheckpoint(state)
		if err != nil {
			return errs.E(op, errs.Invalid, "the state file "+*statePath+" is not a signed checkpoint", err)
		}
		if keys, err = audit.ParseKeys(keysData, peek.Origin); err != nil {
			return err
		}
		sc, err := keys.OpenCheckpoint(state)
		if err != nil {
			return errs.E(op, errs.Invalid, "the state file "+*statePath+" does not verify with "+*keysPath+": "+errs.Message(err), err)
		}
		prev = &sc
	}

	next, err := c.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	peek, err := audit.PeekCheckpoint(next)
	if err != nil {
		return errs.E(op, errs.Conflict, "the server's checkpoint is not a signed checkpoint", err)
	}
	if keys == nil {
		if keys, err = audit.ParseKeys(keysData, peek.Origin); err != nil {
			return err
		}
	}
	var prevCP *audit.Checkpoint
	var hashes []tlog.Hash
	if prev != nil {
		prevCP = &prev.Checkpoint
		if peek.Size > prev.Size {
			p, err := c.ConsistencyProof(ctx, prev.Size)
			if errs.Is(errs.NotFound, err) {
				return errs.E(op, errs.Conflict, fmt.Sprintf(
					"refusing to cosign: the log forked: the server has no checkpoint of size %d, which this witness cosigned (%s); %s left unchanged",
					prev.Size, prev.Checkpoint, *statePath), err)
			}
			if err != nil {
				return err
			}
			cp, err := audit.ParseConsistencyProof(p)
			if err != nil {
				return errs.E(op, errs.Conflict, "the server's consistency proof is malformed", err)
			}
			// The proof runs to the latest checkpoint when it was made,
			// which may be newer than the one fetched above: cosign that.
			next, hashes = cp.New, cp.Hashes
		}
	} else {
		fmt.Fprintf(m.Stderr, "No state file %s: trusting the current checkpoint (%s) on first use. Compare it with the other witnesses'.\n", *statePath, peek)
	}
	line, sc, err := audit.Cosign(cosigner, keys, prevCP, next, hashes, time.Now())
	if err != nil {
		return errs.E(op, errs.KindOf(err), fmt.Sprintf("refusing to cosign: %s; %s left unchanged", errs.Message(err), *statePath), err)
	}
	if err := c.AddCosignature(ctx, sc.Size, line); err != nil {
		return err
	}
	if err := writeFileAtomic(*statePath, sc.Note, 0o600); err != nil {
		return errs.E(op, errs.Internal, "the cosignature was sent, but the state file could not be saved", err)
	}
	from := "first use"
	if prev != nil {
		from = fmt.Sprintf("extends size %d", prev.Size)
	}
	fmt.Fprintf(m.Stdout, "cosigned %s of %s as %s (%s); state saved to %s\n", sc.Checkpoint, sc.Origin, cosigner.Name(), from, *statePath)
	return nil
}

func runLogAudit(ctx context.Context, m *Main, args []string) error {
	const op = "log audit"
	fset := m.newFlagSet(op, logAuditUsage)
	sf := m.addStoreFlags(fset)
	srv := m.addServerFlags(fset)
	keysPath := fset.String("keys", "", "trusted keys `file` (default: DIR/log.pub and the registered witness keys)")
	var cpFiles multiFlag
	fset.Var(&cpFiles, "checkpoint", "a signed checkpoint `file` kept outside the database, which the log must extend (repeatable)")
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	external, err := readExternal(op, cpFiles)
	if err != nil {
		return err
	}
	if flagSet(fset, "server") {
		if flagSet(fset, "dir") || flagSet(fset, "db") {
			return usageError{"give either --server or --dir/--db"}
		}
		return m.auditServer(ctx, srv, *keysPath, external)
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := storeAuditKeys(ctx, db, sf.dir, *keysPath)
	if err != nil {
		return err
	}
	res, err := db.AuditLog(ctx, keys, external...)
	if err != nil {
		return err
	}
	m.printReport(res.Report)
	fmt.Fprintf(m.Stdout, "records: %d versions checked against their commitments, %d record events replayed\n", res.Records, res.Replayed)
	if len(res.Erased) > 0 {
		fmt.Fprintf(m.Stdout, "erased: %d records (their versions checked by who, when and stored commitment; record.erased with its tombstone): %s\n", len(res.Erased), strings.Join(res.Erased, " "))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(m.Stdout, "not covered: %s\n", n)
	}
	if !res.OK() {
		return errs.Errorf(op, errs.Conflict, "the log failed the audit: %d problem(s)", len(res.Findings)+res.Omitted)
	}
	return nil
}

// storeAuditKeys returns the keys for auditing the store: the keys file if
// given, else the log key in dir and the registered witness keys.
func storeAuditKeys(ctx context.Context, db *sqlstore.DB, dir, keysPath string) (*audit.Keys, error) {
	const op = "log audit"
	pub, pubErr := os.ReadFile(filepath.Join(dir, logPubFile))
	logVKey := strings.TrimSpace(string(pub))
	if keysPath != "" {
		data, err := readLogFile(op, "keys", keysPath)
		if err != nil {
			return nil, err
		}
		origin := audit.KeyName(logVKey)
		if pubErr != nil {
			cp, err := db.LatestCheckpoint(ctx)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, "no log key in "+dir+" and no checkpoint to learn the log's origin from", err)
			}
			c, err := audit.PeekCheckpoint(cp)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, "the latest checkpoint is malformed", err)
			}
			origin = c.Origin
		}
		return audit.ParseKeys(data, origin)
	}
	if pubErr != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the log key %s: pass --dir, or --keys KEYS", filepath.Join(dir, logPubFile)), pubErr)
	}
	ks, err := db.LogKeys(ctx)
	if err != nil {
		return nil, err
	}
	vkeys := []string{logVKey}
	for _, k := range ks {
		if k.Purpose == sqlstore.KeyWitness {
			vkeys = append(vkeys, k.VKey)
		}
	}
	keys, err := audit.NewKeys(audit.KeyName(logVKey), vkeys...)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the log key and the registered keys do not make a key set: "+errs.Message(err), err)
	}
	return keys, nil
}

// readExternal reads the --checkpoint files: signed checkpoints, or proof
// files, whose (newer) checkpoint is taken.
func readExternal(op string, paths []string) ([]audit.External, error) {
	var out []audit.External
	for _, p := range paths {
		data, err := readLogFile(op, "checkpoint", p)
		if err != nil {
			return nil, err
		}
		if ip, err := audit.ParseInclusionProof(data); err == nil {
			data = ip.Checkpoint
		} else if cp, err := audit.ParseConsistencyProof(data); err == nil {
			data = cp.New
		} else if _, err := audit.PeekCheckpoint(data); err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s is neither a signed checkpoint nor a proof file", p), err)
		}
		out = append(out, audit.External{Source: p, Note: data})
	}
	return out, nil
}

func (m *Main) printReport(r *audit.Report) {
	first, _, _ := strings.Cut(r.Summary(), "\n")
	fmt.Fprintln(m.Stdout, first)
	for _, f := range r.Findings {
		fmt.Fprintf(m.Stdout, "  %s  [%s]\n", f.Message, f.Code)
	}
	if r.Omitted > 0 {
		fmt.Fprintf(m.Stdout, "  … and %d more\n", r.Omitted)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(m.Stdout, "WARNING: %s\n", w)
	}
	if n := len(r.Checkpoints); n > 0 {
		last := r.Checkpoints[n-1]
		fmt.Fprintf(m.Stdout, "latest good checkpoint: %d leaves, cosigned by %s\n", last.Size, logList(last.Cosigners))
	}
	var outside int64
	for _, e := range r.External {
		by := ""
		if len(e.Cosigners) > 0 {
			by = ", cosigned by " + logList(e.Cosigners)
		}
		fmt.Fprintf(m.Stdout, "checkpoint from %s: %d leaves%s: the log extends it\n", e.Source, e.Size, by)
		outside = max(outside, e.Size)
	}
	switch {
	case len(r.External) == 0 && r.Size > 0:
		fmt.Fprintf(m.Stdout, "no checkpoint from outside the database to compare with (--checkpoint FILE): the %d leaves rest on this database alone, and leaves removed from the end together with the checkpoints after them would not be seen\n", r.Size)
	case r.Size > outside && len(r.External) > 0:
		fmt.Fprintf(m.Stdout, "the last %d leaves, after the newest checkpoint held outside (size %d), rest on this database alone: removing them would not be seen\n", r.Size-outside, outside)
	}
}

// auditServer audits the log as a client sees it: every leaf through the
// entry bundles, checked against the latest signed checkpoint.
func (m *Main) auditServer(ctx context.Context, srv *serverFlags, keysPath string, external []audit.External) error {
	const op = "log audit"
	c, err := srv.client()
	if err != nil {
		return err
	}
	cp, err := c.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	peek, err := audit.PeekCheckpoint(cp)
	if err != nil {
		return errs.E(op, errs.Conflict, "the server's checkpoint is malformed", err)
	}
	var keys *audit.Keys
	if keysPath != "" {
		data, err := readLogFile(op, "keys", keysPath)
		if err != nil {
			return err
		}
		if keys, err = audit.ParseKeys(data, peek.Origin); err != nil {
			return err
		}
	} else {
		k, err := c.LogKeys(ctx)
		if err != nil {
			return err
		}
		data, err := keysFile(k, c.BaseURL, time.Now())
		if err != nil {
			return err
		}
		if keys, err = audit.ParseKeys(data, peek.Origin); err != nil {
			return err
		}
		fmt.Fprintln(m.Stderr, "warning: no --keys: checking against the keys the server sent, which proves only that the log is consistent with itself")
	}
	sizes, err := c.CheckpointSizes(ctx)
	if err != nil {
		return err
	}
	report, err := audit.Audit(keys, audit.AuditInput{
		Leaves: serverLeaves(ctx, c, peek.Size),
		// Every stored checkpoint up to the latest one read above, so that
		// consistency between consecutive checkpoints is checked too.
		Checkpoints: func(yield func([]byte, error) bool) {
			for _, n := range sizes {
				if n >= peek.Size {
					break
				}
				if !yield(c.CheckpointAt(ctx, n)) {
					return
				}
			}
			yield(cp, nil)
		},
		External: external,
	})
	if err != nil {
		return errs.E(op, errs.KindOf(err), "downloading the log: "+errs.Message(err), err)
	}
	m.printReport(report)
	fmt.Fprintln(m.Stdout, "not checked from a server: the stored hashes and the replay of the records against the database; run 'handover log audit --dir DIR' (or --db DSN) on the server's database for those")
	if !report.OK() {
		return errs.Errorf(op, errs.Conflict, "the log failed the audit: %d problem(s)", len(report.Findings)+report.Omitted)
	}
	return nil
}

// serverLeaves yields leaves [0, size) from the server's entry bundles. The
// last, partial bundle is served only at the exact size of the latest
// checkpoint, so if a newer checkpoint was made meanwhile it is fetched at
// the new width and cut.
func serverLeaves(ctx context.Context, c *client.Client, size int64) iter.Seq2[audit.StoredLeaf, error] {
	const full = 1 << audit.TileHeight
	return func(yield func(audit.StoredLeaf, error) bool) {
		for n := int64(0); n*full < size; n++ {
			w := int(min(full, size-n*full))
			b, err := c.Tile(ctx, audit.TilePath(audit.Tile{H: audit.TileHeight, L: -1, N: n, W: w}))
			if errs.Is(errs.NotFound, err) && w < full {
				b, err = grownBundle(ctx, c, n)
			}
			var leaves [][]byte
			if err == nil {
				leaves, err = audit.ParseEntryBundle(b)
			}
			if err == nil && len(leaves) < w {
				err = errs.Errorf("log audit", errs.Conflict, "entry bundle %d has %d leaves, want %d", n, len(leaves), w)
			}
			if err != nil {
				yield(audit.StoredLeaf{}, err)
				return
			}
			for i := range w {
				if !yield(audit.StoredLeaf{Index: n*full + int64(i), Data: leaves[i]}, nil) {
					return
				}
			}
		}
	}
}

// grownBundle fetches entry bundle n at the width of the server's latest
// checkpoint.
func grownBundle(ctx context.Context, c *client.Client, n int64) ([]byte, error) {
	const full = 1 << audit.TileHeight
	cp, err := c.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	p, err := audit.PeekCheckpoint(cp)
	if err != nil {
		return nil, errs.E("log audit", errs.Conflict, "the server's checkpoint is malformed", err)
	}
	w := int(min(full, p.Size-n*full))
	if w <= 0 {
		return nil, errs.Errorf("log audit", errs.Conflict, "the log shrank to %d leaves while being read", p.Size)
	}
	return c.Tile(ctx, audit.TilePath(audit.Tile{H: audit.TileHeight, L: -1, N: n, W: w}))
}

// serveWitness runs 'handover cosign --listen': a tlog-witness for one log
// until ctx is done.
func (m *Main) serveWitness(ctx context.Context, listen, keyPath, keysPath, statePath, origin string) error {
	const op = "cosign"
	skey, err := readLogFile(op, "key", keyPath)
	if err != nil {
		return err
	}
	keysData, err := readLogFile(op, "keys", keysPath)
	if err != nil {
		return err
	}
	cosigner, err := audit.NewCosigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return errs.E(op, errs.Invalid, keyPath+" is not a private key made by 'handover keygen'", err)
	}
	if origin == "" {
		if state, err := os.ReadFile(statePath); err == nil {
			if c, err := audit.PeekCheckpoint(state); err == nil {
				origin = c.Origin
			}
		}
	}
	if origin == "" {
		var names []string
		for _, l := range strings.Split(string(keysData), "\n") {
			if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
				names = append(names, audit.KeyName(f[0]))
			}
		}
		if len(names) != 1 {
			return usageError{fmt.Sprintf("%s holds %d keys: say which is the log's with --origin", keysPath, len(names))}
		}
		origin = names[0]
	}
	keys, err := audit.ParseKeys(keysData, origin)
	if err != nil {
		return err
	}
	state := witness.FileState(statePath)
	if b, err := state.Load(); err != nil {
		return errs.E(op, errs.Invalid, "cannot read the state file "+statePath, err)
	} else if b != nil {
		if _, err := keys.OpenCheckpoint(b); err != nil {
			return errs.E(op, errs.Invalid, "the state file "+statePath+" does not verify with "+keysPath+": "+errs.Message(err), err)
		}
	}
	logger, err := m.logger("text")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot listen on %s", listen), err)
	}
	srv := &http.Server{
		Handler:           witness.NewServer(cosigner, keys, state, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	fmt.Fprintf(m.Stdout, "witness %s for %s listening on http://%s (add-checkpoint)\n", cosigner.Name(), origin, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return errs.E(op, errs.Internal, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

const logWitnessesUsage = `
Usage: handover log witnesses [--server URL --token TOKEN]

Lists the witnesses the server submits each checkpoint to ('handover serve
--witness'): the size each cosigned last and how long ago, and why the last
attempt failed when it did, with when the next one is due. The log does not
wait for a witness that is down; this is where an operator sees it.

Example:
  handover log witnesses --server https://handover.example.org
`

func runLogWitnesses(ctx context.Context, m *Main, args []string) error {
	fset := m.newFlagSet("log witnesses", logWitnessesUsage)
	srv := m.addServerFlags(fset)
	if err := noArgs(parseFlags(fset, args)); err != nil {
		return err
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	ws, err := c.Witnesses(ctx)
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		fmt.Fprintln(m.Stdout, "no witnesses: the server submits its checkpoints to none (serve --witness NAME=URL)")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WITNESS\tURL\tCOSIGNED SIZE\tAGO\tROUND TRIP\tSTATE")
	for _, w := range ws {
		ago := "never"
		if !w.CosignedAt.IsZero() {
			ago = now.Sub(w.CosignedAt).Round(time.Second).String()
		}
		state := "ok"
		if w.LastError != "" {
			state = fmt.Sprintf("%d failed in a row, next at %s: %s", w.Failures, w.NextAttempt.UTC().Format(time.RFC3339), w.LastError)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", w.Name, w.URL, w.CosignedSize, ago, w.RoundTrip, state)
	}
	return tw.Flush()
}
