package audit

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// LeafVersion is the envelope version this package writes and reads.
const LeafVersion = "1"

// LeafType is the kind of state change a leaf records.
type LeafType string

// Leaf types known to this version. Later issues append to the list; a
// verifier accepts any syntactically valid type (see [LeafType.Valid]).
const (
	RecordCreated    LeafType = "record.created"
	RecordCorrected  LeafType = "record.corrected"
	MatchDecided     LeafType = "match.decided"
	ListSubmitted    LeafType = "list.submitted"
	AgreementSigned  LeafType = "agreement.signed"
	HandoverRecorded LeafType = "handover.recorded"
	KeyRegistered    LeafType = "key.registered"
	// LogCheckpoint records that the server made a checkpoint; LogCosigned
	// that it stored a witness's cosignature on one. They let the audit
	// tell a deleted checkpoint or cosignature from one never made.
	LogCheckpoint LeafType = "log.checkpoint"
	LogCosigned   LeafType = "log.cosigned"
	// The steps of a tracing case (docs/design/tracing.md), one type per
	// kind of step; each commits to the case, its party and record and the
	// whole step, sealed fields included (TagCase).
	CaseOpened   LeafType = "case.opened"
	CaseEnquiry  LeafType = "case.enquiry"
	CaseContact  LeafType = "case.contact"
	CaseTask     LeafType = "case.task"
	CaseTaskDone LeafType = "case.task_done"
	CaseNotified LeafType = "case.notified"
	CaseShared   LeafType = "case.shared"
	CaseClosed   LeafType = "case.closed"
	CaseReopened LeafType = "case.reopened"
)

// CaseLeaves are the leaf types of a tracing case's steps.
var CaseLeaves = []LeafType{CaseOpened, CaseEnquiry, CaseContact, CaseTask, CaseTaskDone, CaseNotified, CaseShared, CaseClosed, CaseReopened}

var knownTypes = map[LeafType]bool{
	RecordCreated: true, RecordCorrected: true, MatchDecided: true, ListSubmitted: true,
	AgreementSigned: true, HandoverRecorded: true, KeyRegistered: true, LogCheckpoint: true, LogCosigned: true,
	CaseOpened: true, CaseEnquiry: true, CaseContact: true, CaseTask: true, CaseTaskDone: true, CaseNotified: true,
	CaseShared: true, CaseClosed: true, CaseReopened: true,
}

var typePattern = regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)

// Valid reports whether t is syntactically a leaf type.
func (t LeafType) Valid() bool { return typePattern.MatchString(string(t)) }

// Known reports whether t is one of the types this version defines.
func (t LeafType) Known() bool { return knownTypes[t] }

// NeedsFinality reports whether an event of type t counts as final only
// under a checkpoint cosigned by every required witness (docs/design/log.md
// §7): agreement signatures and handovers.
func (t LeafType) NeedsFinality() bool { return t == AgreementSigned || t == HandoverRecorded }

// Leaf is one entry of the log: who did what to which subject, when, and a
// commitment to the subject's new content. It holds no personal data in
// clear. Its bytes in the log are [Leaf.Encode]'s canonical JSON.
type Leaf struct {
	Type       LeafType  // required
	Actor      string    // required: opaque id ("user:7"), never a name
	Time       time.Time // required; encoded in UTC
	Exchange   string    // optional: opaque exchange id
	Subject    string    // required: opaque id of what changed ("record:42")
	Rev        int64     // optional: revision this leaf creates, from 1; 0 means absent
	Commitment Digest    // required: see [Commit]
	Prev       Digest    // optional: commitment superseded; zero means absent
}

// Validate checks that l can be encoded as a version 1 leaf. The error is
// errs.Invalid and lists every bad field.
func (l Leaf) Validate() error {
	var fe []errs.FieldError
	bad := func(field, msg string) { fe = append(fe, errs.FieldError{Field: field, Message: msg}) }
	if !l.Type.Valid() {
		bad("type", "must look like \"record.created\"")
	}
	if l.Actor == "" {
		bad("actor", "is required")
	}
	if l.Time.IsZero() {
		bad("time", "is required")
	} else if y := l.Time.UTC().Year(); y < 1 || y > 9999 {
		bad("time", "must be in the years 0001–9999")
	}
	if l.Subject == "" {
		bad("subject", "is required")
	}
	if l.Rev < 0 {
		bad("rev", "must not be negative")
	}
	if l.Commitment.IsZero() {
		bad("commitment", "is required")
	}
	for _, f := range []struct{ name, v string }{{"actor", l.Actor}, {"exchange", l.Exchange}, {"subject", l.Subject}} {
		if !validText(f.v) {
			bad(f.name, "must be valid UTF-8 without control characters")
		}
	}
	if len(fe) > 0 {
		return errs.E("audit.Leaf.Validate", errs.Invalid, "invalid log leaf", fe)
	}
	return nil
}

func validText(s string) bool {
	if !utf8ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// fields returns the leaf's members as strings, optional ones only when set.
func (l Leaf) fields() map[string]string {
	m := map[string]string{
		"version":    LeafVersion,
		"type":       string(l.Type),
		"actor":      l.Actor,
		"time":       l.Time.UTC().Format(time.RFC3339Nano),
		"subject":    l.Subject,
		"commitment": l.Commitment.String(),
	}
	if l.Exchange != "" {
		m["exchange"] = l.Exchange
	}
	if l.Rev != 0 {
		m["rev"] = strconv.FormatInt(l.Rev, 10)
	}
	if !l.Prev.IsZero() {
		m["prev"] = l.Prev.String()
	}
	return m
}

// Encode returns the leaf's canonical bytes (RFC 8785, docs/design/log.md
// §1), the data the log stores and hashes. Call [Leaf.Validate] first: the
// encoding of an invalid leaf is one that [DecodeLeaf] rejects.
func (l Leaf) Encode() []byte {
	return appendObject(make([]byte, 0, 320), l.fields())
}

var leafKeys = map[string]bool{
	"version": true, "type": true, "actor": true, "time": true, "exchange": true,
	"subject": true, "rev": true, "commitment": true, "prev": true,
}

// DecodeLeaf parses a leaf and checks that data is exactly its canonical
// encoding: whitespace, other escapes, duplicate, unknown or missing keys,
// non-string values and invalid UTF-8 are all refused (errs.Invalid).
func DecodeLeaf(data []byte) (Leaf, error) {
	const op = "audit.DecodeLeaf"
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return Leaf{}, errs.E(op, errs.Invalid, "leaf is not a JSON object of strings", err)
	}
	canon, err := CanonicalJSON(m)
	if err != nil || !bytes.Equal(canon, data) {
		return Leaf{}, errs.E(op, errs.Invalid, "leaf is not in canonical form (RFC 8785)")
	}
	for k := range m {
		if !leafKeys[k] {
			return Leaf{}, errs.Errorf(op, errs.Invalid, "leaf has unknown key %q", k)
		}
	}
	if v := m["version"]; v != LeafVersion {
		return Leaf{}, errs.Errorf(op, errs.Invalid, "leaf version %q is not %q", v, LeafVersion)
	}
	var fe []errs.FieldError
	bad := func(field, msg string) { fe = append(fe, errs.FieldError{Field: field, Message: msg}) }
	l := Leaf{
		Type:     LeafType(m["type"]),
		Actor:    m["actor"],
		Exchange: m["exchange"],
		Subject:  m["subject"],
	}
	if s, ok := m["exchange"]; ok && s == "" {
		bad("exchange", "must be omitted, not empty")
	}
	if s, ok := m["time"]; !ok {
		bad("time", "is required")
	} else if t, err := time.Parse(time.RFC3339Nano, s); err != nil || t.UTC().Format(time.RFC3339Nano) != s {
		bad("time", "must be RFC 3339 in UTC, like 2026-05-23T09:14:00Z")
	} else {
		l.Time = t.UTC()
	}
	if s, ok := m["rev"]; ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 || strconv.FormatInt(n, 10) != s {
			bad("rev", "must be a positive decimal without leading zeros")
		}
		l.Rev = n
	}
	if s, ok := m["commitment"]; ok {
		if l.Commitment, err = ParseDigest(s); err != nil {
			bad("commitment", "must be 64 lowercase hex digits")
		}
	}
	if s, ok := m["prev"]; ok {
		if l.Prev, err = ParseDigest(s); err != nil || l.Prev.IsZero() {
			bad("prev", "must be 64 lowercase hex digits")
		}
	}
	if len(fe) == 0 {
		if err := l.Validate(); err != nil {
			return Leaf{}, errs.E(op, err)
		}
		return l, nil
	}
	return Leaf{}, errs.E(op, errs.Invalid, "invalid log leaf", fe)
}
