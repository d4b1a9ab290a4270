package api

import "time"

// TracingExport is one logged export of a party's held register for the
// Central Tracing Agency (GET /api/v1/tracing-exports): who exported it
// and when, the format and schema, how many records (how many marked
// detrimental to transmit to the other party), and the file's size and
// SHA-256, by which a party can prove later what it transmitted.
type TracingExport struct {
	Seq      int64     `json:"seq"`
	Party    string    `json:"party"`
	Format   string    `json:"format"`
	Schema   string    `json:"schema"`
	Exported time.Time `json:"exported_at"`
	Count    int       `json:"count"`
	Flagged  int       `json:"flagged"`
	Size     int       `json:"size"`
	SHA256   string    `json:"sha256"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// TracingExports is GET /api/v1/tracing-exports: a party's exports,
// newest first.
type TracingExports struct {
	Party   string          `json:"party"`
	Exports []TracingExport `json:"exports"`
}
