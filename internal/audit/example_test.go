package audit_test

import (
	"fmt"
	"time"

	"github.com/handover-project/handover/internal/audit"
)

// Example shows what the store does: inside the transaction of a state
// change, commit to the new content, append the leaf and its stored hashes;
// later, make and sign a checkpoint; a witness cosigns it after checking
// consistency; anyone verifies an inclusion proof offline.
func Example() {
	// Keys: the server's (named after the origin) and one witness's. In
	// production the witness key is made with 'handover keygen' elsewhere.
	const origin = "handover.example.org/log"
	serverSkey, serverVkey, _ := audit.GenerateKey(origin)
	wSkey, wVkey, _ := audit.GenerateKey("UA-bureau")
	signer, _ := audit.NewLogSigner(serverSkey)
	keys, _ := audit.NewKeys(origin, serverVkey, wVkey)

	// The store's tables, here in memory.
	var leaves [][]byte
	var hashes audit.MemoryHashes // the store implements audit.HashStore over log_hashes

	// In the transaction that creates a record version:
	nonce, _ := audit.NewNonce() // stored with the version
	commitment, _ := audit.CommitFields(audit.TagRecord, nonce, map[string]string{"surname": "Шевченко", "kind": "sought"})
	leaf := audit.Leaf{Type: audit.RecordCreated, Actor: "user:7", Time: time.Date(2026, 5, 23, 9, 14, 0, 0, time.UTC),
		Exchange: "ex:1", Subject: "record:42", Rev: 1, Commitment: commitment}
	if err := leaf.Validate(); err != nil {
		panic(err)
	}
	data := leaf.Encode()
	n := int64(len(leaves))                             // size from the log-state row, locked FOR UPDATE
	newHashes, _ := audit.AppendHashes(n, data, hashes) // reads earlier hashes through the HashStore
	leaves = append(leaves, data)                       // INSERT INTO log_leaves (idx, data) VALUES (n, data)
	hashes = append(hashes, newHashes...)               // INSERT INTO log_hashes from audit.StoredHashIndex(n)
	fmt.Println("first stored hash index:", audit.StoredHashIndex(n), "hashes:", len(newHashes))

	// Making a checkpoint (every N leaves or T seconds, or on demand):
	size := int64(len(leaves))
	root, _ := audit.TreeHash(size, hashes)
	cp, _ := audit.SignCheckpoint(audit.Checkpoint{Origin: origin, Size: size, Root: root}, signer)

	// A witness cosigns it (first use: no previous state).
	cosigner, _ := audit.NewCosigner(wSkey)
	line, state, err := audit.Cosign(cosigner, keys, nil, cp, nil, time.Date(2026, 5, 23, 10, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	cp, _ = audit.AddCosignatures(cp, line) // the server stores line, serves cp with it
	fmt.Println("witness state: size", state.Size)

	// An inclusion proof, verified offline.
	p, _ := audit.ProveInclusion(0, leaves[0], size, cp, hashes)
	res, err := p.Verify(keys, audit.Policy{Required: []string{"UA-bureau"}})
	fmt.Println(res.Leaf.Type, res.Checkpoint.Cosigners, res.Final, err)
	// Output:
	// first stored hash index: 0 hashes: 1
	// witness state: size 1
	// record.created [UA-bureau] true <nil>
}
