package api

import (
	"encoding/json"

	"github.com/handover-project/handover/internal/person"
)

// MaxBatch is how many records POST /api/v1/records/batch takes at once.
const MaxBatch = 1000

// RecordInput is a record to create (POST /api/v1/records): its identity
// fields, the party (the caller's own when empty) and where it came from.
type RecordInput struct {
	Party     string `json:"party,omitempty"`
	Source    string `json:"source,omitempty"`
	SourceRef string `json:"source_ref,omitempty"`
	person.Fields
}

// RecordBatch is POST /api/v1/records/batch: up to MaxBatch records, all
// or nothing.
type RecordBatch struct {
	Records []RecordInput `json:"records"`
}

// Correction is PUT /api/v1/records/{id}: the fields of the new version on
// top of BaseVersion, the version the caller read. A record as GET returns
// it may be sent back: its id, version, party, provenance, warnings and
// Latin form (latin, latin_system: derived, never stored) are read and
// ignored.
type Correction struct {
	BaseVersion int    `json:"base_version"`
	Reason      string `json:"reason,omitempty"`
	person.Fields
	ID          json.RawMessage `json:"id,omitempty"`
	Version     json.RawMessage `json:"version,omitempty"`
	Party       json.RawMessage `json:"party,omitempty"`
	Provenance  json.RawMessage `json:"provenance,omitempty"`
	Warnings    json.RawMessage `json:"warnings,omitempty"`
	Latin       json.RawMessage `json:"latin,omitempty"`
	LatinSystem json.RawMessage `json:"latin_system,omitempty"`
	Erased      json.RawMessage `json:"erased,omitempty"`
}

// RecordPage is one page of GET /api/v1/records.
type RecordPage struct {
	Records []person.Record `json:"records"`
	Next    string          `json:"next,omitempty"` // the cursor of the next page; empty on the last
}

// Records is the answer of POST /api/v1/records/batch.
type Records struct {
	Records []person.Record `json:"records"`
}

// Versions is GET /api/v1/records/{id}/history, oldest first.
type Versions struct {
	Versions []person.Record `json:"versions"`
}

// EraseRequest is POST /api/v1/records/{id}/erase: why the record is
// erased, the data-protection request's reference (no personal data).
type EraseRequest struct {
	Reason string `json:"reason"`
}
