// Package audit is the tamper-evident log of handover, as pure functions and
// values: the canonical leaf envelope, commitments, RFC 6962 Merkle hashing
// (via golang.org/x/mod/sumdb/tlog), C2SP checkpoints and cosignatures, proof
// files, the finality policy, the tlog-tiles layout and the audit engine.
//
// It knows no SQL, HTTP, clock or globals: the store supplies stored hashes
// through [HashStore], the caller supplies the time, and proofs are checked
// with github.com/transparency-dev/merkle, an implementation independent of
// the one that produced them. The formats are specified in
// docs/design/log.md; testdata holds vectors that pin them.
package audit
