package api

import (
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
)

// OpenCaseRequest is POST /api/v1/cases: a case on one of the bureau's
// sought records, with the first enquiry when there is one.
type OpenCaseRequest struct {
	Record  string            `json:"record"`
	Enquiry *casework.Enquiry `json:"enquiry,omitempty"`
}

// CaseStepRequest is POST /api/v1/cases/{id}/steps: one step, exactly the
// field of its kind set (docs/design/tracing.md). Its number, author and
// time are the server's.
type CaseStepRequest struct {
	Kind    casework.Kind       `json:"kind"`
	Enquiry *casework.Enquiry   `json:"enquiry,omitempty"`
	Contact *casework.Contact   `json:"contact,omitempty"`
	Task    *casework.Task      `json:"task,omitempty"`
	Done    *casework.TaskDone  `json:"done,omitempty"`
	Notice  *casework.Notice    `json:"notice,omitempty"`
	Sharing *casework.Sharing   `json:"sharing,omitempty"`
	Closing *casework.Closing   `json:"closing,omitempty"`
	Reopen  *casework.Reopening `json:"reopen,omitempty"`
}

// Step is the domain's step of the request.
func (r CaseStepRequest) Step() casework.Step {
	return casework.Step{Kind: r.Kind, Enquiry: r.Enquiry, Contact: r.Contact, Task: r.Task, Done: r.Done, Notice: r.Notice,
		Sharing: r.Sharing, Closing: r.Closing, Reopen: r.Reopen}
}

// Case is a tracing case with the person it is about, the person's trace
// (for the owning bureau only), its tasks and what is due today.
type Case struct {
	ID     string               `json:"id"`
	Party  string               `json:"party"`
	Record string               `json:"record"`
	State  casework.State       `json:"state"`
	Shared bool                 `json:"shared"`
	Person CasePerson           `json:"person"`
	Steps  []casework.Step      `json:"steps"`
	Tasks  []casework.TaskState `json:"tasks"`
	Due    []casework.Due       `json:"due"`
	Trace  *crossing.Trace      `json:"trace,omitempty"`
}

// CasePerson is the sought person a case is about.
type CasePerson struct {
	Name          string      `json:"name"`
	BirthDate     person.Date `json:"birth_date,omitzero"`
	ServiceNumber string      `json:"service_number,omitempty"`
}

// Cases is GET /api/v1/cases: the caller's worklist, overdue first.
type Cases struct {
	Cases []Case `json:"cases"`
}

// CaseImport is the answer of POST /api/v1/cases/import.
type CaseImport struct {
	Opened int `json:"opened"` // cases opened
	Added  int `json:"added"`  // enquiries added to a case already open
}
