package audit

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"
)

// The vectors in testdata pin the formats of docs/design/log.md: change one
// only with the spec, and run go test -update to rewrite them.

func TestVectorsLeaves(t *testing.T) {
	prev := Commit(TagRecord, Nonce{1}, []byte(`{"surname":"Шевченко"}`))
	leaves := map[string]Leaf{
		"leaf-record-created.json": {Type: RecordCreated, Actor: "user:7", Time: testTime, Exchange: "ex:1", Subject: "record:42", Rev: 1, Commitment: prev},
		"leaf-record-corrected.json": {Type: RecordCorrected, Actor: "user:7", Time: testTime.Add(1500 * 1e6), Exchange: "ex:1", Subject: "record:42", Rev: 2,
			Commitment: Commit(TagRecord, Nonce{2}, []byte(`{"surname":"Шевченко-Бойко"}`)), Prev: prev},
		"leaf-agreement-signed.json": {Type: AgreementSigned, Actor: "key:UA-bureau", Time: testTime, Exchange: "ex:1", Subject: "agreement:3", Rev: 1, Commitment: Commit(TagAgreement, Nonce{3}, []byte("agreement"))},
		"leaf-key-registered.json":   {Type: KeyRegistered, Actor: "user:1", Time: testTime, Subject: "key:UA-bureau+1a2b3c4d", Commitment: Commit(TagKey, Nonce{}, []byte("UA-bureau+1a2b3c4d+AQ"))},
		"leaf-escapes.json":          {Type: ListSubmitted, Actor: `user:"q"\`, Time: testTime, Exchange: "обмін/1", Subject: "list:€😀", Commitment: prev},
	}
	for name, l := range leaves {
		t.Run(name, func(t *testing.T) {
			b := l.Encode()
			golden(t, name, append(b, '\n'))
			if _, err := DecodeLeaf(b); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVectorsCommitments(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# commitment = SHA-256(tag || 0x00 || nonce || content); see docs/design/log.md §2\n")
	b.WriteString("# tag | nonce (hex) | content (Go-quoted) | commitment (hex)\n")
	var n1 Nonce
	for i := range n1 {
		n1[i] = byte(i)
	}
	fields, _ := CanonicalJSON(map[string]string{"surname": "Шевченко", "given_names": "Тарас", "date_of_birth": "1814-03-09", "kind": "sought"})
	cases := []struct {
		tag     string
		nonce   Nonce
		content []byte
	}{
		{TagRecord, Nonce{}, nil},
		{TagRecord, n1, []byte("{}")},
		{TagRecord, n1, fields},
		{TagKey, n1, []byte("UA-bureau+1a2b3c4d+AQ")},
		{TagAgreement, Nonce{0xff}, []byte("agreement text\n")},
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "%s | %s | %q | %s\n", c.tag, hex.EncodeToString(c.nonce[:]), c.content, Commit(c.tag, c.nonce, c.content))
	}
	golden(t, "commitments.txt", b.Bytes())
}

// vectorLog is the fixed log of the checkpoint and proof vectors: 13
// leaves, checkpoints at 7 and 13, the latter cosigned by all witnesses.
func vectorLog(t *testing.T) (l *testLog, cp7, cp13 []byte) {
	l = newTestLog(t)
	l.append(7)
	cp7 = l.checkpoint()
	l.append(6)
	cp13 = l.cosign(l.checkpoint(), "UA-bureau", "RU-bureau", "mediator")
	return l, cp7, cp13
}

func TestVectorsCheckpointsAndProofs(t *testing.T) {
	l, cp7, cp13 := vectorLog(t)
	golden(t, "keys.txt", []byte(fmt.Sprintf("# trusted keys of the test vectors (fixed test keys: never use them)\n%s\n%s\n%s\n%s\n",
		l.keys.LogKey, l.keys.Witnesses[0].VKey, l.keys.Witnesses[1].VKey, l.keys.Witnesses[2].VKey)))
	golden(t, "checkpoint-7.note", cp7)
	golden(t, "checkpoint-13.note", cp13)
	ip, err := ProveInclusion(4, l.leaves[4], 13, cp13, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "inclusion-4-13.proof", ip.Marshal())
	cp, err := ProveConsistency(7, 13, cp7, cp13, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "consistency-7-13.proof", cp.Marshal())
	if _, err := ip.Verify(l.keys, Policy{Required: []string{"UA-bureau", "RU-bureau", "mediator"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Verify(l.keys, nil); err != nil {
		t.Fatal(err)
	}
}
