// Package api holds the JSON request and response types of handover's API
// under /api/v1/: what the server (internal/web/api) decodes and answers, and
// what the Go client (internal/client) sends and reads, in one place, so
// that the two cannot drift apart. It imports only the domain packages:
// a program that speaks the API carries no store, no SQL and no driver
// (a test in internal/client keeps it so).
//
// The server fills these types from the store's results (the views of
// internal/web/api); a field the store adds is not on the wire until it is added
// here.
package api

import (
	"github.com/handover-project/handover/internal/errs"
)

// ErrorBody is every error answer: {"error":{"kind":…,"message":…}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is an error as the API says it: the kind (errs.Kind's name), a
// message safe to show, the fields it is about, and for internal errors
// the request id under which the server logged the cause.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Code and Args are Message as a code with its arguments, when the
	// error has one: a client says it in its user's language (the
	// "problem.<code>" messages of internal/locale); Message stays the
	// English detail.
	Code      string            `json:"code,omitempty"`
	Args      []string          `json:"args,omitempty"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// Status is the answer of the health and readiness probes.
type Status struct {
	Status string `json:"status"`
}
