package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/errs"
)

// CaseFilter narrows the worklist (GET /api/v1/cases).
type CaseFilter struct {
	State    string // open, closed or "" for both
	Assignee string
	Overdue  bool
	Shared   *bool
}

func (f CaseFilter) query() url.Values {
	q := url.Values{}
	if f.State != "" {
		q.Set("state", f.State)
	}
	if f.Assignee != "" {
		q.Set("assignee", f.Assignee)
	}
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.Shared != nil {
		q.Set("shared", strconv.FormatBool(*f.Shared))
	}
	return q
}

// Cases returns the caller's tracing cases, overdue first.
func (c *Client) Cases(ctx context.Context, f CaseFilter) ([]api.Case, error) {
	var out api.Cases
	err := c.Do(ctx, "GET", "/api/v1/cases?"+f.query().Encode(), nil, &out)
	return out.Cases, err
}

// CasesFile returns the worklist as a file: format csv or xlsx, headers
// and values in lang.
func (c *Client) CasesFile(ctx context.Context, f CaseFilter, format, lang string) ([]byte, error) {
	q := f.query()
	q.Set("format", format)
	if lang != "" {
		q.Set("lang", lang)
	}
	return c.raw(ctx, "GET", "/api/v1/cases?"+q.Encode())
}

// Case returns one case.
func (c *Client) Case(ctx context.Context, id string) (api.Case, error) {
	var out api.Case
	err := c.Do(ctx, "GET", "/api/v1/cases/"+url.PathEscape(id), nil, &out)
	return out, err
}

// OpenCase opens a case on one of the bureau's sought records, with the
// first enquiry when not nil.
func (c *Client) OpenCase(ctx context.Context, record string, enquiry *casework.Enquiry) (api.Case, error) {
	var out api.Case
	err := c.Do(ctx, "POST", "/api/v1/cases", api.OpenCaseRequest{Record: record, Enquiry: enquiry}, &out)
	return out, err
}

// AddCaseStep adds a step to a case and returns the case after it.
func (c *Client) AddCaseStep(ctx context.Context, id string, step api.CaseStepRequest) (api.Case, error) {
	var out api.Case
	err := c.Do(ctx, "POST", "/api/v1/cases/"+url.PathEscape(id)+"/steps", step, &out)
	return out, err
}

// ImportEnquiries uploads a file of enquiries (XLSX or CSV; sheet and
// encoding may be empty): all or nothing.
func (c *Client) ImportEnquiries(ctx context.Context, name string, file io.Reader, sheet, encoding string) (api.CaseImport, error) {
	const op = "client import enquiries"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"sheet": sheet, "encoding": encoding} {
		if v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return api.CaseImport{}, errs.E(op, errs.Internal, err)
			}
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return api.CaseImport{}, errs.E(op, errs.Internal, err)
	}
	if _, err := io.Copy(fw, file); err != nil {
		return api.CaseImport{}, errs.E(op, errs.Invalid, fmt.Sprintf("reading %s", name), err)
	}
	if err := mw.Close(); err != nil {
		return api.CaseImport{}, errs.E(op, errs.Internal, err)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+"/api/v1/cases/import", &buf)
	if err != nil {
		return api.CaseImport{}, errs.E(op, errs.Invalid, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.longClient().Do(req)
	if err != nil {
		return api.CaseImport{}, errs.E(op, errs.Internal, fmt.Sprintf("cannot reach the server at %s", c.BaseURL), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return api.CaseImport{}, errs.E(op, errs.Internal, "reading the answer", err)
	}
	if resp.StatusCode >= 400 {
		return api.CaseImport{}, apiError(op, resp.StatusCode, data)
	}
	var out api.CaseImport
	if err := json.Unmarshal(data, &out); err != nil {
		return out, errs.E(op, errs.Internal, "the server's answer is not an import result", err)
	}
	return out, nil
}
