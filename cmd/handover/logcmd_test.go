package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The proofs and keys are the golden vectors of internal/audit.
const logVectors = "../../internal/audit/testdata/"

func runLogCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), &out, &errb
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func logTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "ua.key")
	code, out, errOut := runLogCLI(t, "keygen", "--name", "UA-bureau", "--out", keyFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	skey, _ := os.ReadFile(keyFile)
	if !strings.HasPrefix(string(skey), "PRIVATE+KEY+UA-bureau+") {
		t.Errorf("key file holds %q", skey)
	}
	var vkey, fp string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "public key:  "); ok {
			vkey = v
		}
		if v, ok := strings.CutPrefix(line, "fingerprint: "); ok {
			fp = v
		}
	}
	if want, _ := audit.Fingerprint(vkey); fp == "" || fp != want {
		t.Errorf("fingerprint %q, want %q (output %q)", fp, want, out)
	}
	if strings.Contains(out, "PRIVATE") {
		t.Error("private key printed")
	}
	if _, err := audit.NewCosigner(string(skey)); err != nil || sqltest.VerifierKey(t, string(skey)) != vkey {
		t.Errorf("key file and printed key do not match: %v", err)
	}
	// Never overwrite a key.
	code, _, errOut = runLogCLI(t, "keygen", "--name", "UA-bureau", "--out", keyFile)
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("second keygen: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"keygen"}, {"keygen", "--name", "a b", "--out", filepath.Join(dir, "x")}} {
		if code, _, _ := runLogCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestVerifyInclusion(t *testing.T) {
	dir := t.TempDir()
	proof, _ := os.ReadFile(logVectors + "inclusion-4-13.proof")
	keys, _ := os.ReadFile(logVectors + "keys.txt")
	keyLines := strings.Split(strings.TrimSpace(string(keys)), "\n")
	noRU := logTestFile(t, dir, "no-ru.txt", []byte(strings.Join([]string{keyLines[1], keyLines[2], keyLines[4]}, "\n")))
	onlyWitnesses := logTestFile(t, dir, "witnesses.txt", []byte(strings.Join(keyLines[2:], "\n")))
	p, _ := audit.ParseInclusionProof(proof)
	other := p
	other.Index = 5
	cp := strings.SplitN(string(p.Checkpoint), "\n", 5)
	lessCosigned := p
	lessCosigned.Checkpoint = []byte(strings.Join(cp[:4], "\n") + "\n" + strings.Join(strings.SplitN(cp[4], "\n", 3)[:2], "\n") + "\n") // log and UA-bureau only

	// The same checkpoint, signed by a key with the log's name that is not
	// the registered one.
	evilSkey, _, err := audit.GenerateKey("handover.test/log")
	if err != nil {
		t.Fatal(err)
	}
	evil, _ := audit.NewLogSigner(evilSkey)
	c, _ := audit.PeekCheckpoint(p.Checkpoint)
	forged := p
	forged.Checkpoint, _ = audit.SignCheckpoint(c, evil)

	// The witnesses' keys as a standard witness prints them: C2SP
	// tlog-cosignature keys (type 0x04).
	var cosigLines []string
	for _, l := range keyLines {
		if v, err := fnote.VKeyToCosignatureV1(l); err == nil && audit.KeyName(l) != "handover.test/log" {
			l = v
		}
		cosigLines = append(cosigLines, l)
	}
	cosigKeys := logTestFile(t, dir, "cosig-keys.txt", []byte(strings.Join(cosigLines, "\n")))

	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"valid and final", []string{"--proof", logVectors + "inclusion-4-13.proof", "--keys", logVectors + "keys.txt"}, 0, "final: yes"},
		{"witness keys of type 0x04", []string{"--proof", logVectors + "inclusion-4-13.proof", "--keys", cosigKeys}, 0, "final: yes"},
		{"policy by names", []string{"--proof", logVectors + "inclusion-4-13.proof", "--keys", logVectors + "keys.txt", "--policy", "mediator,UA-bureau"}, 0, "OK: leaf 4 is in the log handover.test/log of 13 leaves"},
		{"wrong index", []string{"--proof", logTestFile(t, dir, "other.proof", other.Marshal()), "--keys", logVectors + "keys.txt"}, 1, "leaf 5 is not in the log at checkpoint size 13"},
		{"not cosigned by all", []string{"--proof", logTestFile(t, dir, "less.proof", lessCosigned.Marshal()), "--keys", logVectors + "keys.txt"}, 1, "is in the log, but it is not final: the checkpoint (size 13) lacks cosignatures from RU-bureau, mediator"},
		{"policy names unknown witness", []string{"--proof", logVectors + "inclusion-4-13.proof", "--keys", noRU, "--policy", "RU-bureau"}, 2, "policy names witness \"RU-bureau\""},
		{"log key not trusted", []string{"--proof", logVectors + "inclusion-4-13.proof", "--keys", onlyWitnesses}, 2, "no key named \"handover.test/log\""},
		{"missing proof file", []string{"--proof", filepath.Join(dir, "nope"), "--keys", logVectors + "keys.txt"}, 2, "cannot read proof file"},
		{"not a proof", []string{"--proof", logVectors + "keys.txt", "--keys", logVectors + "keys.txt"}, 2, "not an inclusion proof"},
		{"no keys flag", []string{"--proof", logVectors + "inclusion-4-13.proof"}, 2, "--keys is required"},
		{"checkpoint signed by an unregistered key", []string{"--proof", logTestFile(t, dir, "forged.proof", forged.Marshal()), "--keys", logVectors + "keys.txt"}, 1,
			"checkpoint is not signed by the log key handover.test/log: signed only by unknown key(s) handover.test/log+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runLogCLI(t, append([]string{"verify", "inclusion"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.says) {
				t.Errorf("output does not say %q:\nstdout: %s\nstderr: %s", tc.says, out, errOut)
			}
		})
	}
}

func TestVerifyConsistency(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile(logVectors + "consistency-7-13.proof")
	p, _ := audit.ParseConsistencyProof(data)
	reversed := audit.ConsistencyProof{Old: p.New, New: p.Old}
	bad := p
	bad.Hashes = append(bad.Hashes[:0:0], p.Hashes...)
	bad.Hashes[0][0] ^= 1
	cp7 := logTestFile(t, dir, "cp7.note", p.Old)
	cp13 := logTestFile(t, dir, "cp13.note", p.New)

	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"valid", []string{"--proof", logVectors + "consistency-7-13.proof", "--keys", logVectors + "keys.txt"}, 0, "only grew from 7 leaves"},
		{"from a trusted checkpoint", []string{"--proof", logVectors + "consistency-7-13.proof", "--keys", logVectors + "keys.txt", "--old", cp7}, 0, "cosigned by: UA-bureau, RU-bureau, mediator"},
		{"trusted checkpoint elsewhere", []string{"--proof", logVectors + "consistency-7-13.proof", "--keys", logVectors + "keys.txt", "--old", cp13}, 1, "not at the trusted checkpoint's size 13"},
		{"shrunk", []string{"--proof", logTestFile(t, dir, "rev.proof", reversed.Marshal()), "--keys", logVectors + "keys.txt"}, 1, "the log shrank"},
		{"forked", []string{"--proof", logTestFile(t, dir, "bad.proof", bad.Marshal()), "--keys", logVectors + "keys.txt"}, 1, "the log forked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runLogCLI(t, append([]string{"verify", "consistency"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.says) {
				t.Errorf("output does not say %q:\nstdout: %s\nstderr: %s", tc.says, out, errOut)
			}
		})
	}
}

func TestLogCommandsHelp(t *testing.T) {
	for _, c := range []string{"keygen", "verify inclusion", "verify consistency"} {
		code, out, _ := runLogCLI(t, append(strings.Fields(c), "--help")...)
		if code != 0 || !strings.Contains(out, "Usage: handover "+c) {
			t.Errorf("%s --help: exit %d, %q", c, code, out)
		}
	}
}
