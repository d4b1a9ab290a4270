package api

import "github.com/handover-project/handover/internal/exchange"

// Interviews is GET /api/v1/exchanges/{id}/interviews: the held persons
// listed in the exchange with the neutral's interviews of them. The
// mediator's operator reads every interview whole (who, when, where, the
// outcome, the reason and notes); the parties and the auditor only the
// latest outcome, who verified it and when.
type Interviews struct {
	Exchange string                    `json:"exchange"`
	Persons  []exchange.InterviewEntry `json:"persons"`
}
