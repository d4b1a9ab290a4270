// Package client is a small Go client of handover's JSON API, used by the
// CLI's data commands and by internal/scenario (the demo's seeding and the
// May 2025 play), so that they obey the same access rules as any other API
// user. What it sends and reads are the types of internal/api, the
// server's own; it carries no store and no SQL (internal/arch keeps it
// so). API errors come back as *errs.Error with the server's kind, message
// and field errors.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Client talks to one server with one token.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// New returns a client for the server at base (e.g. http://127.0.0.1:8080).
func New(base, token string) (*Client, error) {
	const op = "client.New"
	if base == "" {
		return nil, errs.E(op, errs.Invalid, "no server given: pass --server URL or set HANDOVER_SERVER")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("server %q is not an http(s) URL", base))
	}
	if token == "" {
		return nil, errs.E(op, errs.Invalid, "no token given: pass --token TOKEN or set HANDOVER_TOKEN")
	}
	return &Client{BaseURL: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Timeout: 60 * time.Second}}, nil
}

// Do sends a request with a JSON body (nil for none) and decodes a JSON
// answer into out (nil to discard).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	op := "client " + method + " " + path
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return errs.E(op, errs.Invalid, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return errs.E(op, errs.Invalid, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return errs.E(op, errs.Internal, fmt.Sprintf("cannot reach the server at %s", c.BaseURL), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return errs.E(op, errs.Internal, "reading the answer", err)
	}
	if resp.StatusCode >= 400 {
		return apiError(op, resp.StatusCode, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return errs.E(op, errs.Internal, "the server's answer is not the expected JSON", err)
		}
	}
	return nil
}

var kinds = map[string]errs.Kind{
	"invalid": errs.Invalid, "not_found": errs.NotFound, "conflict": errs.Conflict, "forbidden": errs.Forbidden,
	"unauthenticated": errs.Unauthenticated, "internal": errs.Internal, "too_many_requests": errs.TooMany,
}

func apiError(op string, status int, data []byte) error {
	var eb api.ErrorBody
	if json.Unmarshal(data, &eb) != nil || eb.Error.Kind == "" {
		return errs.E(op, errs.Internal, fmt.Sprintf("the server answered %d without a handover error", status))
	}
	k, ok := kinds[eb.Error.Kind]
	if !ok {
		k = errs.Internal
	}
	msg := eb.Error.Message
	if eb.Error.RequestID != "" {
		msg += " (request " + eb.Error.RequestID + ")"
	}
	if k == errs.Internal {
		// Shown on the user's own terminal: say it is the server's fault.
		return errs.E(op, errs.Internal, "the server failed: "+msg, fmt.Errorf("%s", msg))
	}
	return errs.E(op, k, msg, eb.Error.Fields)
}

// CreateRecord creates one record.
func (c *Client) CreateRecord(ctx context.Context, in api.RecordInput) (person.Record, error) {
	var r person.Record
	err := c.Do(ctx, "POST", "/api/v1/records", in, &r)
	return r, err
}

// CreateRecords creates up to 1,000 records at once, all or nothing.
func (c *Client) CreateRecords(ctx context.Context, in []api.RecordInput) ([]person.Record, error) {
	var out api.Records
	err := c.Do(ctx, "POST", "/api/v1/records/batch", api.RecordBatch{Records: in}, &out)
	return out.Records, err
}

// Record returns the current version of a record.
func (c *Client) Record(ctx context.Context, id string) (person.Record, error) {
	var r person.Record
	err := c.Do(ctx, "GET", "/api/v1/records/"+url.PathEscape(id), nil, &r)
	return r, err
}

// History returns every version of a record.
func (c *Client) History(ctx context.Context, id string) ([]person.Record, error) {
	var out api.Versions
	err := c.Do(ctx, "GET", "/api/v1/records/"+url.PathEscape(id)+"/history", nil, &out)
	return out.Versions, err
}

// Correct makes a new version of a record on top of base.
func (c *Client) Correct(ctx context.Context, id string, base int, reason string, f person.Fields) (person.Record, error) {
	body := api.Correction{BaseVersion: base, Reason: reason, Fields: f}
	var r person.Record
	err := c.Do(ctx, "PUT", "/api/v1/records/"+url.PathEscape(id), body, &r)
	return r, err
}

// Filter selects records to list.
type Filter struct {
	Party, Kind, Category, Status, Text, Cursor string
	Limit                                       int
}

// Records lists one page of records.
func (c *Client) Records(ctx context.Context, f Filter) (api.RecordPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"party": f.Party, "kind": f.Kind, "category": f.Category, "status": f.Status, "q": f.Text, "cursor": f.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Limit > 0 {
		q.Set("limit", fmt.Sprint(f.Limit))
	}
	var p api.RecordPage
	err := c.Do(ctx, "GET", "/api/v1/records?"+q.Encode(), nil, &p)
	return p, err
}

// EraseRecord erases one of the caller's party's records for a
// data-protection request (the party's approver, after the second
// factor), with the request's reference, and returns its tombstone.
func (c *Client) EraseRecord(ctx context.Context, id, reason string) (person.Erasure, error) {
	var e person.Erasure
	err := c.Do(ctx, "POST", "/api/v1/records/"+url.PathEscape(id)+"/erase", api.EraseRequest{Reason: reason}, &e)
	return e, err
}
