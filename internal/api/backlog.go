package api

import (
	"github.com/handover-project/handover/internal/backlog"
	"github.com/handover-project/handover/internal/person"
)

// BacklogPerson is one sought person of a bureau's backlog across rounds
// (docs/design/law.md): every request, answer, no-show and refusal with
// dates, the tallies, and his priority flags, with the name he is
// registered under.
type BacklogPerson struct {
	backlog.Person
	Name          string      `json:"name"`
	BirthDate     person.Date `json:"birth_date"`
	ServiceNumber string      `json:"service_number,omitempty"`
}

// Backlog is GET /api/v1/backlog: the bureau's rounds (the exchanges it
// took part in, numbered in the order opened) and its persons, unresolved
// first, the most often requested first.
type Backlog struct {
	Party   string          `json:"party"`
	Rounds  []backlog.Round `json:"rounds"`
	Persons []BacklogPerson `json:"persons"`
}

// CarryItem is one person carried into a round's request list: the item
// to submit, with its reason written in the asked language ("requested in
// rounds 1, 2, 3; answered not held ×3"), and the tallies it says.
type CarryItem struct {
	backlog.Carried
	Reason        string      `json:"reason"`
	Name          string      `json:"name"`
	BirthDate     person.Date `json:"birth_date"`
	ServiceNumber string      `json:"service_number,omitempty"`
}

// Carry is GET /api/v1/exchanges/{id}/carry: who the caller's party carries
// into its request list of the exchange.
type Carry struct {
	Exchange string        `json:"exchange"`
	Round    backlog.Round `json:"round"`
	Items    []CarryItem   `json:"items"`
}
