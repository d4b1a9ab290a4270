package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sheet"
)

// ImportRequest is a list to import: the file and the options of
// POST /api/v1/imports.
type ImportRequest struct {
	Party      string // the caller's own when empty
	Kind       string // held or sought
	Category   string // for rows without one
	Sheet      string
	Encoding   string
	Duplicates string // skip (default) or keep
	DryRun     bool
	Mapping    []byte // a TOML mapping file, or nil

	Name string    // the file's name, recorded as the records' source
	File io.Reader // the file's bytes
	// Progress, when set, is called as the upload proceeds with the bytes
	// sent so far.
	Progress func(sent int64)
}

// longClient is the client's HTTP client without the short timeout: files
// take longer than a JSON call.
func (c *Client) longClient() *http.Client {
	h := *c.HTTP
	h.Timeout = 30 * time.Minute
	return &h
}

// Import uploads a list. It returns the server's report; a file with any
// problem comes back as an errs.Invalid error with one field error per
// problem (Where = sheet, row, column), and nothing is stored.
func (c *Client) Import(ctx context.Context, in ImportRequest) (sheet.Report, error) {
	const op = "client import"
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range map[string]string{"party": in.Party, "kind": in.Kind, "category": in.Category, "sheet": in.Sheet, "encoding": in.Encoding, "duplicates": in.Duplicates} {
				if v != "" {
					if err := mw.WriteField(k, v); err != nil {
						return err
					}
				}
			}
			if in.DryRun {
				if err := mw.WriteField("dry_run", "true"); err != nil {
					return err
				}
			}
			if in.Mapping != nil {
				fw, err := mw.CreateFormFile("mapping", "mapping.toml")
				if err != nil {
					return err
				}
				if _, err := fw.Write(in.Mapping); err != nil {
					return err
				}
			}
			fw, err := mw.CreateFormFile("file", in.Name)
			if err != nil {
				return err
			}
			var w io.Writer = fw
			if in.Progress != nil {
				w = &progressWriter{w: fw, f: in.Progress}
			}
			if _, err := io.Copy(w, in.File); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+"/api/v1/imports", pr)
	if err != nil {
		return sheet.Report{}, errs.E(op, errs.Invalid, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.longClient().Do(req)
	if err != nil {
		return sheet.Report{}, errs.E(op, errs.Internal, fmt.Sprintf("cannot reach the server at %s", c.BaseURL), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return sheet.Report{}, errs.E(op, errs.Internal, "reading the answer", err)
	}
	if resp.StatusCode >= 400 {
		return sheet.Report{}, apiError(op, resp.StatusCode, data)
	}
	var rep sheet.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return sheet.Report{}, errs.E(op, errs.Internal, "the server's answer is not an import report", err)
	}
	return rep, nil
}

type progressWriter struct {
	w    io.Writer
	n    int64
	f    func(int64)
	last time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if time.Since(p.last) > 100*time.Millisecond {
		p.last = time.Now()
		p.f(p.n)
	}
	return n, err
}

// ExportRequest selects what to export and how.
type ExportRequest struct {
	Party, Kind, Category, Status string
	Format                        string // xlsx, csv or json
	Lang                          string // uk, ru or en
}

// Export streams the records the caller may read as a file into w and
// returns the bytes written. A refusal comes back as an error before
// anything is written.
func (c *Client) Export(ctx context.Context, in ExportRequest, w io.Writer) (int64, error) {
	const op = "client export"
	q := url.Values{}
	for k, v := range map[string]string{"party": in.Party, "kind": in.Kind, "category": in.Category, "status": in.Status, "format": in.Format, "lang": in.Lang} {
		if v != "" {
			q.Set(k, v)
		}
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/api/v1/exports?"+q.Encode(), nil)
	if err != nil {
		return 0, errs.E(op, errs.Invalid, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.longClient().Do(req)
	if err != nil {
		return 0, errs.E(op, errs.Internal, fmt.Sprintf("cannot reach the server at %s", c.BaseURL), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return 0, apiError(op, resp.StatusCode, data)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, errs.E(op, errs.Internal, "the export was cut short", err)
	}
	return n, nil
}
