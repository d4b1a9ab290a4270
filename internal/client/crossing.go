package client

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/report"
)

// At the crossing (docs/design/crossing.md): stages, handover events, the
// officer's lookup, printed lists, reports, remains and trace status.

func stagePath(exID string, n int, rest ...string) string {
	return exchangePath(exID, append([]string{"stages", strconv.Itoa(n)}, rest...)...)
}

// OpenStage opens stage n of the exchange's signed agreement (mediator).
func (c *Client) OpenStage(ctx context.Context, exID string, n int) (api.StageView, error) {
	var out api.StageView
	err := c.Do(ctx, "POST", exchangePath(exID, "stages"), api.OpenStageRequest{Stage: n}, &out)
	return out, err
}

// Stages returns every stage of the exchange's signed agreement.
func (c *Client) Stages(ctx context.Context, exID string) ([]api.StageView, error) {
	var out api.Stages
	err := c.Do(ctx, "GET", exchangePath(exID, "stages"), nil, &out)
	return out.Stages, err
}

// Stage returns one open stage with its parity report.
func (c *Client) Stage(ctx context.Context, exID string, n int) (api.StageView, error) {
	var out api.StageView
	err := c.Do(ctx, "GET", stagePath(exID, n), nil, &out)
	return out, err
}

// RecordEvents sends handover events (one, or a queue recorded offline)
// and returns the answer to each: applied, duplicate or refused. Resending
// the same queue after a dropped connection records nothing twice.
func (c *Client) RecordEvents(ctx context.Context, exID string, n int, events []crossing.Event) (api.RecordResult, error) {
	var out api.RecordResult
	err := c.Do(ctx, "POST", stagePath(exID, n, "events"), api.Events{Events: events}, &out)
	return out, err
}

// Transition sends stage transitions (mediator): closing, closed (with a
// reason when parity fails), suspended, resumed, cancelled, slipped.
func (c *Client) Transition(ctx context.Context, exID string, n int, events ...crossing.Event) (api.RecordResult, error) {
	var out api.RecordResult
	err := c.Do(ctx, "POST", stagePath(exID, n, "transitions"), api.Events{Events: events}, &out)
	return out, err
}

// Lookup finds persons of a stage by service number, record id or name.
func (c *Client) Lookup(ctx context.Context, exID string, n int, q string) ([]api.LookupHit, error) {
	var out api.LookupHits
	err := c.Do(ctx, "GET", stagePath(exID, n, "lookup")+"?"+url.Values{"q": {q}}.Encode(), nil, &out)
	return out.Persons, err
}

// StageList returns a party's list of a stage.
func (c *Client) StageList(ctx context.Context, exID string, n int, party string) (api.StageList, error) {
	var out api.StageList
	err := c.Do(ctx, "GET", stagePath(exID, n, "lists", party), nil, &out)
	return out, err
}

// StageListPDF returns a party's printed list of a stage in lang (uk, ru
// or en; "" is the server's default).
func (c *Client) StageListPDF(ctx context.Context, exID string, n int, party, lang string) ([]byte, error) {
	q := url.Values{"format": {"pdf"}}
	if lang != "" {
		q.Set("lang", lang)
	}
	return c.raw(ctx, "GET", stagePath(exID, n, "lists", party)+"?"+q.Encode())
}

// Report returns the exchange report over its stages, or over stage
// alone when it is not 0.
func (c *Client) Report(ctx context.Context, exID string, stage int) (report.Exchange, error) {
	var out report.Exchange
	err := c.Do(ctx, "GET", exchangePath(exID, "report")+reportQuery(stage, ""), nil, &out)
	return out, err
}

// ReportXLSX returns the report (of the exchange, or of stage when it is
// not 0) as a workbook in lang (uk, ru or en; "" is the server's default).
func (c *Client) ReportXLSX(ctx context.Context, exID string, stage int, lang string) ([]byte, error) {
	q := reportQuery(stage, "xlsx")
	if lang != "" {
		q += "&lang=" + url.QueryEscape(lang)
	}
	return c.raw(ctx, "GET", exchangePath(exID, "report")+q)
}

func reportQuery(stage int, format string) string {
	q := url.Values{}
	if stage > 0 {
		q.Set("stage", strconv.Itoa(stage))
	}
	if format != "" {
		q.Set("format", format)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// RecordRemains records one item of the repatriation of remains.
func (c *Client) RecordRemains(ctx context.Context, exID string, in api.RemainsInput) (api.RemainsView, error) {
	var out api.RemainsView
	err := c.Do(ctx, "POST", exchangePath(exID, "remains"), in, &out)
	return out, err
}

// Remains returns the repatriation of remains of an exchange.
func (c *Client) Remains(ctx context.Context, exID string) (api.RemainsView, error) {
	var out api.RemainsView
	err := c.Do(ctx, "GET", exchangePath(exID, "remains"), nil, &out)
	return out, err
}

// Trace returns the trace status of one of the caller's party's records.
func (c *Client) Trace(ctx context.Context, recordID string) (api.TraceResult, error) {
	var out api.TraceResult
	err := c.Do(ctx, "GET", "/api/v1/trace/"+url.PathEscape(recordID), nil, &out)
	return out, err
}

// TraceSearch finds the caller's party's sought persons by name and birth
// date (or its prefix; empty for any).
func (c *Client) TraceSearch(ctx context.Context, name, birth string) ([]api.TraceResult, error) {
	var out api.TraceResults
	q := url.Values{"name": {name}}
	if birth != "" {
		q.Set("birth_date", birth)
	}
	err := c.Do(ctx, "GET", "/api/v1/trace?"+q.Encode(), nil, &out)
	return out.Persons, err
}

// TraceChanges returns the trace status changes since a time.
func (c *Client) TraceChanges(ctx context.Context, since time.Time) ([]api.TraceChange, error) {
	var out api.TraceChanges
	err := c.Do(ctx, "GET", "/api/v1/trace/changes?"+url.Values{"since": {since.UTC().Format(time.RFC3339)}}.Encode(), nil, &out)
	return out.Changes, err
}

// TraceChangesCSV returns the trace status changes since a time as CSV.
func (c *Client) TraceChangesCSV(ctx context.Context, since time.Time) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/trace/changes?"+url.Values{"since": {since.UTC().Format(time.RFC3339)}, "format": {"csv"}}.Encode())
}
