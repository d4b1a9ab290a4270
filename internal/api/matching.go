package api

import (
	"time"

	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
)

// MatchRunRequest is POST /api/v1/matching/runs; a nil Threshold is the
// server's default.
type MatchRunRequest struct {
	SoughtParty string   `json:"sought_party"`
	HeldParty   string   `json:"held_party"`
	Threshold   *float64 `json:"threshold,omitempty"`
}

// MatchRun is one run of the linkage engine: the sought register of one
// party against the held register of the other.
type MatchRun struct {
	ID          int64       `json:"id"`
	SoughtParty string      `json:"sought_party"`
	HeldParty   string      `json:"held_party"`
	Threshold   float64     `json:"threshold"`
	Stats       match.Stats `json:"stats"`
	Candidates  int         `json:"candidates"`
	StartedBy   string      `json:"started_by"`
	StartedAt   time.Time   `json:"started_at"`
}

// MatchRuns is GET /api/v1/matching/runs, newest first.
type MatchRuns struct {
	Runs []MatchRun `json:"runs"`
}

// Candidate is one scored pair of a run with its current decision.
type Candidate struct {
	RunID       int64             `json:"run_id"`
	SoughtID    string            `json:"sought_id"`
	HeldID      string            `json:"held_id"`
	Score       float64           `json:"score"`
	Weight      float64           `json:"weight"`
	Explanation match.Explanation `json:"explanation"`
	Status      string            `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	DecidedBy   string            `json:"decided_by,omitempty"`
	DecidedAt   time.Time         `json:"decided_at,omitzero"`
}

// Candidates is GET /api/v1/matching/runs/{id}/candidates, best first.
type Candidates struct {
	Candidates []Candidate `json:"candidates"`
}

// Pair is POST /api/v1/matching/decisions (confirm, reject or undo, with a
// reason) and /api/v1/matching/disclosures (the pair alone).
type Pair struct {
	SoughtID string `json:"sought_id"`
	HeldID   string `json:"held_id"`
	Decision string `json:"decision,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// DisclosedMatch is what a party learns of a confirmed match on one of its
// sought records: the other party's held record as it was disclosed.
type DisclosedMatch struct {
	SoughtID    string        `json:"sought_id"`
	HeldID      string        `json:"held_id"`
	HeldParty   string        `json:"held_party"`
	Held        person.Fields `json:"held"`
	Score       float64       `json:"score"`
	DisclosedAt time.Time     `json:"disclosed_at"`
}

// Matches is GET /api/v1/matches.
type Matches struct {
	Matches []DisclosedMatch `json:"matches"`
}
