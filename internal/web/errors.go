package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// statusOf maps an error Kind to an HTTP status. This is the only place
// where that happens.
func statusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON error: {"error":{"kind":…,"message":…,"fields":[…]}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Kind      string            `json:"kind"`
	Message   string            `json:"message"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// writeError renders err for the client. Only Internal errors are logged
// (with the request id, which the client also gets); the cause is never
// shown to the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := errs.KindOf(err)
	body := errorBody{Error: errorDetail{Kind: kind.String(), Message: errs.Message(err), Fields: errs.Fields(err)}}
	if kind == errs.Internal || kind == errs.Other {
		kind = errs.Internal
		body.Error.Kind = kind.String()
		body.Error.Fields = nil
		body.Error.RequestID = requestID(r.Context())
		s.log.Error("internal error", "request_id", body.Error.RequestID, "method", r.Method, "path", r.URL.Path, "err", err.Error())
	}
	if kind == errs.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="handover"`)
	}
	writeJSON(w, statusOf(kind), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// maxBody bounds a JSON request body.
const maxBody = 8 << 20

// decodeJSON reads one JSON value from the request body into v, refusing
// unknown fields, trailing data and oversized bodies, with an error that
// says where the problem is.
func decodeJSON(r *http.Request, v any) error {
	const op = "web.decodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.E(op, errs.Invalid, fmt.Sprintf("send JSON (Content-Type: application/json), not %s", ct))
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E(op, errs.Invalid, jsonProblem(err))
	}
	if dec.More() {
		return errs.E(op, errs.Invalid, "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(op, errs.Invalid, "unexpected data after the JSON value")
	}
	return nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var me *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &me):
		return fmt.Sprintf("the body is larger than %d bytes", me.Limit)
	case errors.Is(err, io.EOF):
		return "the request body is empty: send a JSON object"
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s: expected %s, got JSON %s", field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON is cut short"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return "bad JSON: " + msg
}
