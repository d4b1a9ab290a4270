package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
)

// StatusOf maps an error Kind to an HTTP status. This is the only place
// where that happens.
func StatusOf(k errs.Kind) int {
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

// Problem is an error as the client is told it: the status of its Kind,
// its message and field errors, and for an Internal error only the
// request id (the cause is never shown).
type Problem struct {
	Status    int
	Kind      errs.Kind
	Message   string
	Fields    []errs.FieldError
	RequestID string
	// Err is the error itself, for the page to say it in the user's
	// language by its code (never its cause).
	Err error
}

// Errors renders a handler's error: the one place where an error becomes
// a response, as a JSON problem for the API (JSON) or, through Page, as
// the UI's error page (HTML). Only Internal errors are logged (with the
// request id, which the client also gets).
type Errors struct {
	Log *slog.Logger
	// Page renders a problem as a page; the server sets it to the UI's.
	Page func(w http.ResponseWriter, r *http.Request, p Problem)
}

// problem is err as the client is told it; an Internal error is logged.
func (e *Errors) problem(r *http.Request, err error) Problem {
	kind := errs.KindOf(err)
	p := Problem{Kind: kind, Message: errs.Message(err), Fields: errs.Fields(err), Err: err}
	if kind == errs.Internal || kind == errs.Other {
		p.Kind = errs.Internal
		p.Fields = nil
		p.RequestID = RequestID(r.Context())
		// The route's pattern, not the path, which may carry what a
		// caller typed (web's request line says the same).
		e.Log.Error("internal error", "request_id", p.RequestID, "method", r.Method, "route", r.Pattern, "err", err.Error())
	}
	p.Status = StatusOf(p.Kind)
	return p
}

// JSON renders err for a client of the API.
func (e *Errors) JSON(w http.ResponseWriter, r *http.Request, err error) {
	p := e.problem(r, err)
	body := api.ErrorBody{Error: api.Error{Kind: p.Kind.String(), Message: p.Message, Fields: p.Fields, RequestID: p.RequestID}}
	body.Error.Code, body.Error.Args = errs.CodeOf(err)
	if p.Kind == errs.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="handover"`)
	}
	WriteJSON(w, p.Status, body)
}

// HTML renders err as a page (Page).
func (e *Errors) HTML(w http.ResponseWriter, r *http.Request, err error) {
	e.Page(w, r, e.problem(r, err))
}

// WriteJSON writes v as the JSON body of a response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// maxBody bounds a JSON request body.
const maxBody = 8 << 20

// DecodeJSON reads one JSON value from the request body into v, strictly:
// one value, UTF-8 only, no key twice in an object, no key that is not a
// field of v in exactly its case ("Surname" is not surname), and no more
// than maxBody bytes. A body that two readers could read two ways is
// refused, never guessed at; the error names the key and where it is.
func DecodeJSON(r *http.Request, v any) error {
	const op = "web.decodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.E(op, errs.Invalid, fmt.Sprintf("send JSON (Content-Type: application/json), not %s", ct), errs.Coded{Code: "send_json", Args: []string{ct}})
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return errs.E(op, errs.Invalid, jsonProblem(err))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.E(op, errs.Invalid, "the request body is empty: send a JSON object")
	}
	// The defaults of JSON v2 are the strict reading: duplicate names and
	// invalid UTF-8 are errors, and names match case-sensitively.
	if err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true)); err != nil {
		msg := jsonProblem(err)
		if key := jsonKey(err); key != "" {
			return errs.E(op, errs.Invalid, msg, errs.FieldError{Field: key, Message: msg})
		}
		return errs.E(op, errs.Invalid, msg)
	}
	return nil
}

// jsonKey is the path to the member a JSON error is about, as
// "records.0.surname", or "".
func jsonKey(err error) string {
	var ptr jsontext.Pointer
	var se *jsontext.SyntacticError
	var me *jsonv2.SemanticError
	switch {
	case errors.As(err, &se):
		ptr = se.JSONPointer
	case errors.As(err, &me):
		ptr = me.JSONPointer
	}
	var parts []string
	for tok := range ptr.Tokens() {
		parts = append(parts, tok)
	}
	return strings.Join(parts, ".")
}

// jsonProblem says what is wrong with a JSON body, naming the key.
func jsonProblem(err error) string {
	var me *http.MaxBytesError
	var se *jsontext.SyntacticError
	var te *jsonv2.SemanticError
	switch {
	case errors.As(err, &me):
		return fmt.Sprintf("the body is larger than %d bytes", me.Limit)
	case errors.As(err, &se):
		where := ""
		if k := jsonKey(se); k != "" {
			where = fmt.Sprintf(" (in %q)", k)
		}
		cause := ""
		if se.Err != nil {
			cause = se.Err.Error()
		}
		switch {
		case errors.Is(se.Err, jsontext.ErrDuplicateName):
			at := ""
			if p := se.JSONPointer.Parent(); p != "" {
				at = fmt.Sprintf(" in %q", strings.Join(slices.Collect(p.Tokens()), "."))
			}
			return fmt.Sprintf("the key %q appears twice in one object%s: send each key once", se.JSONPointer.LastToken(), at)
		case strings.Contains(cause, "invalid UTF-8"), strings.Contains(cause, "surrogate"):
			// An unpaired \uD800-\uDFFF escape is half a character:
			// no UTF-8 text holds it.
			return fmt.Sprintf("the body is not valid UTF-8 at byte %d%s: send text as UTF-8", se.ByteOffset, where)
		case errors.Is(se.Err, io.ErrUnexpectedEOF):
			return "the JSON is cut short"
		case strings.Contains(cause, "after top-level value"):
			return "the body holds more than one JSON value: send exactly one"
		}
		return fmt.Sprintf("malformed JSON at byte %d%s: %s", se.ByteOffset, where, clipText(strings.TrimPrefix(cause, "jsontext: "), 200))
	case errors.As(err, &te):
		key := jsonKey(te)
		if errors.Is(te.Err, jsonv2.ErrUnknownName) {
			name := te.JSONPointer.LastToken()
			msg := fmt.Sprintf("unknown field %q", name)
			if p := te.JSONPointer.Parent(); p != "" {
				msg += fmt.Sprintf(" in %q", strings.Join(slices.Collect(p.Tokens()), "."))
			}
			if strings.ToLower(name) != name {
				msg += ": field names are case-sensitive, and all lower case"
			}
			return msg
		}
		if key == "" {
			key = "the body"
		}
		if te.Err != nil {
			return fmt.Sprintf("%s: %s", key, clipText(strings.TrimPrefix(te.Err.Error(), "json: "), 200))
		}
		want := "another type"
		if te.GoType != nil {
			want = te.GoType.String()
		}
		return fmt.Sprintf("%s: expected %s, got JSON %s", key, want, te.JSONKind)
	}
	return "bad JSON: " + clipText(strings.TrimPrefix(err.Error(), "json: "), 200)
}

func clipText(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
