package api

import (
	"strings"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
)

// OpenStageRequest is POST /api/v1/exchanges/{id}/stages.
type OpenStageRequest struct {
	Stage int `json:"stage"`
}

// StageView is a stage: state, agreement, history and the parity report.
type StageView struct {
	Exchange         string                  `json:"exchange"`
	Stage            int                     `json:"stage"`
	State            string                  `json:"state"`
	Crossing         string                  `json:"crossing,omitempty"`
	Window           crossing.Window         `json:"window"`
	AgreementVersion int                     `json:"agreement_version"`
	AgreementHash    string                  `json:"agreement_hash"`
	Rule             crossing.Rule           `json:"rule"`
	History          []crossing.Change       `json:"history"`
	Report           crossing.Report         `json:"report"`
	Summary          crossing.StageSummary   `json:"summary"`
	Unlisted         []crossing.PersonStatus `json:"unlisted,omitempty"`
	// Amendments are the later agreement versions, signed by all, that
	// froze persons of the stage anew.
	Amendments []StageAmendment `json:"amendments,omitempty"`
}

// StageAmendment is a later agreement version that froze persons of a
// stage anew.
type StageAmendment struct {
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// Stages is GET /api/v1/exchanges/{id}/stages.
type Stages struct {
	Stages []StageView `json:"stages"`
}

// Events is POST …/stages/{n}/events (handover events, one or a queue
// recorded offline) and …/stages/{n}/transitions (stage transitions).
type Events struct {
	Events []crossing.Event `json:"events"`
}

// RecordResult is the answer to Events: one result per event, in order,
// and the stage after them.
type RecordResult struct {
	Results []crossing.Result `json:"results"`
	Stage   StageView         `json:"stage"`
}

// StagePerson is one person of a stage as the agreement froze them.
type StagePerson struct {
	RecordID      string          `json:"record_id"`
	Side          string          `json:"side"` // the releasing party
	Category      person.Category `json:"category"`
	Reserve       bool            `json:"reserve,omitempty"`
	Surname       string          `json:"surname,omitempty"`
	GivenNames    string          `json:"given_names,omitempty"`
	Patronymic    string          `json:"patronymic,omitempty"`
	FullName      string          `json:"full_name,omitempty"`
	BirthDate     person.Date     `json:"birth_date"`
	Rank          string          `json:"rank,omitempty"`
	ServiceNumber string          `json:"service_number,omitempty"`
	// Version is the record version the agreement froze; AmendedIn the
	// later agreement version that froze it, 0 when it is the stage's own.
	Version   int `json:"version,omitempty"`
	AmendedIn int `json:"amended_in,omitempty"`
	// CorrectedAfterSigning says that the record's identity changed after
	// the agreement froze it (the person does not count until an
	// amendment takes in the new version); Changed names the fields.
	CorrectedAfterSigning bool     `json:"corrected_after_signing,omitempty"`
	Changed               []string `json:"changed,omitempty"`
	// Withheld says that the holding party marked the record
	// transmission-detrimental: only its id, category and outcome show.
	Withheld bool `json:"withheld,omitempty"`
}

// Name returns the person's name as one line.
func (p StagePerson) Name() string {
	if p.FullName != "" && p.Surname == "" {
		return p.FullName
	}
	return strings.Join(strings.Fields(p.Surname+" "+p.GivenNames+" "+p.Patronymic), " ")
}

// LookupHit is one person found by the officer's lookup.
type LookupHit struct {
	StagePerson
	Outcome crossing.Outcome `json:"outcome"`
	// Status is the person at the stage: each party's standing record
	// and any disagreement between them.
	Status crossing.PersonStatus `json:"status"`
	// Score is 1 for a service number or record id, else the name
	// similarity (0..1).
	Score float64 `json:"score"`
	Why   string  `json:"why"` // "service_number", "record_id" or "name"
}

// LookupHits is GET …/stages/{n}/lookup, best first.
type LookupHits struct {
	Persons []LookupHit `json:"persons"`
}

// StageList is one side's list of a stage, for the printed list at the
// crossing: the persons it releases, then its reserves.
type StageList struct {
	Exchange         string           `json:"exchange"`
	Stage            int              `json:"stage"`
	Side             string           `json:"side"`
	Receiver         string           `json:"receiver"`
	Crossing         string           `json:"crossing"`
	Window           crossing.Window  `json:"window"`
	AgreementVersion int              `json:"agreement_version"`
	AgreementHash    string           `json:"agreement_hash"`
	Amendments       []StageAmendment `json:"amendments,omitempty"`
	Persons          []StageListEntry `json:"persons"`
}

// StageListEntry is one line of a printed list.
type StageListEntry struct {
	StagePerson
	Outcome crossing.Outcome `json:"outcome"`
}

// RemainsInput is one item of the repatriation of remains, by Kind:
// "batch", "package", "remains", "link", "identification" or "hand_back"
// (a batch and the remains it hands back).
type RemainsInput struct {
	Kind           string                   `json:"kind"`
	Batch          *crossing.Batch          `json:"batch,omitempty"`
	Package        *crossing.Package        `json:"package,omitempty"`
	Remains        *crossing.Remains        `json:"remains,omitempty"`
	Link           *crossing.Link           `json:"link,omitempty"`
	Identification *crossing.Identification `json:"identification,omitempty"`
	HandBack       []string                 `json:"hand_back,omitempty"` // remains ids, with Batch
}

// RemainsView is an exchange's repatriation of remains: counts per
// direction (no parity) and every remains with its identifications.
type RemainsView struct {
	Exchange string                   `json:"exchange"`
	Summary  []crossing.Direction     `json:"summary"`
	Remains  []crossing.RemainsStatus `json:"remains"`
}

// TraceResult is one record's trace status as its own party's bureau sees
// it, with the name it is known by.
type TraceResult struct {
	RecordID  string         `json:"record_id"`
	Party     string         `json:"party"`
	Kind      person.Kind    `json:"kind"`
	Name      string         `json:"name"`
	BirthDate person.Date    `json:"birth_date"`
	Trace     crossing.Trace `json:"trace"`
}

// TraceResults is GET /api/v1/trace.
type TraceResults struct {
	Persons []TraceResult `json:"persons"`
}

// TraceChange is one dated change of a trace status, for notifying
// families.
type TraceChange struct {
	RecordID string            `json:"record_id"`
	Name     string            `json:"name"`
	Status   string            `json:"status"`
	At       time.Time         `json:"at"`
	Stage    crossing.StageRef `json:"stage,omitzero"`
}

// TraceChanges is GET /api/v1/trace/changes as JSON.
type TraceChanges struct {
	Changes []TraceChange `json:"changes"`
}
