package api

import (
	"time"

	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// Exchanges is GET /api/v1/exchanges. (POST /api/v1/exchanges takes and
// answers an exchange.Exchange; GET …/view answers an exchange.View;
// …/evidence takes and answers an exchange.Evidence.)
type Exchanges struct {
	Exchanges []exchange.Exchange `json:"exchanges"`
}

// ListSubmission is POST /api/v1/exchanges/{id}/lists/{kind}: the next
// version of the caller's party's list.
type ListSubmission struct {
	Items   []exchange.Item    `json:"items"`
	Removed []exchange.Removal `json:"removed,omitempty"`
	Reason  string             `json:"reason,omitempty"`
}

// SubmittedList is a list version as submitted, with its difference from
// the version before.
type SubmittedList struct {
	List exchange.ListVersion `json:"list"`
	Diff exchange.ListDiff    `json:"diff"`
}

// ListItem is one person of a list version as the caller may see it.
type ListItem struct {
	exchange.Item
	Person   *person.Fields     `json:"person,omitempty"`
	Withheld bool               `json:"withheld,omitempty"`
	Answer   *exchange.Response `json:"answer,omitempty"`
}

// ListView is one version of a list with its items.
type ListView struct {
	Exchange string             `json:"exchange"`
	Party    string             `json:"party"`
	Kind     exchange.ListKind  `json:"kind"`
	Version  int                `json:"version"`
	State    string             `json:"state"`
	Latest   int                `json:"latest"`
	Reason   string             `json:"reason,omitempty"`
	Removed  []exchange.Removal `json:"removed,omitempty"`
	Items    []ListItem         `json:"items"`
	Diff     exchange.ListDiff  `json:"diff"`
}

// AnswersRequest is POST /api/v1/exchanges/{id}/lists/{party}/{kind}/answers:
// answers on persons of the current version of the other party's list, all
// or none. Of each response the caller fills record_id, answer, reason and,
// where they apply, rule and blocker; the server fills the rest.
type AnswersRequest struct {
	Version int                 `json:"version"`
	Answers []exchange.Response `json:"answers"`
}

// Answers is the answer to an AnswersRequest: the responses as recorded.
type Answers struct {
	Answers []exchange.Response `json:"answers"`
}

// FreezeRequest is POST /api/v1/exchanges/{id}/agreement: freeze the agreed
// lists with a stage plan into the next agreement version.
type FreezeRequest struct {
	Plan exchange.StagePlan `json:"plan"`
}

// SignatureRequest is POST /api/v1/exchanges/{id}/agreement/signatures: a
// signature line made offline over a version of the agreement.
type SignatureRequest struct {
	Version int    `json:"version"`
	Line    string `json:"line"`
}

// AgreementStatus is an agreement version with its signatures and state.
type AgreementStatus struct {
	Exchange string               `json:"exchange"`
	Version  int                  `json:"version"`
	Latest   int                  `json:"latest"`
	State    string               `json:"state"`
	Hash     string               `json:"hash"`
	Document string               `json:"document"` // the text, signatures appended
	Signed   []exchange.Signature `json:"signed"`
	Missing  []string             `json:"missing"`
	// Final says whether every signature's log leaf is under a checkpoint
	// cosigned by every registered witness; FinalMissing names the
	// witnesses whose cosignature is awaited.
	Final        bool     `json:"final"`
	FinalMissing []string `json:"final_missing,omitempty"`
	// NoWitness: no witness key is registered, so nothing can make the
	// agreement final yet (FinalMissing is then empty).
	NoWitness bool      `json:"no_witness,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
