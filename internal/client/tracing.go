package client

import (
	"context"
	"net/url"

	"github.com/handover-project/handover/internal/api"
)

// TracingExport returns party's held register exported for the Central
// Tracing Agency in format (csv, xlsx or json); party "" is the caller's
// own. The server logs each export with the file's SHA-256.
func (c *Client) TracingExport(ctx context.Context, party, format string) ([]byte, error) {
	q := url.Values{"format": {format}}
	if party != "" {
		q.Set("party", party)
	}
	return c.raw(ctx, "GET", "/api/v1/tracing-export?"+q.Encode())
}

// TracingExports lists party's logged exports for the Central Tracing
// Agency, newest first; party "" is the caller's own.
func (c *Client) TracingExports(ctx context.Context, party string) (api.TracingExports, error) {
	var out api.TracingExports
	path := "/api/v1/tracing-exports"
	if party != "" {
		path += "?" + url.Values{"party": {party}}.Encode()
	}
	err := c.Do(ctx, "GET", path, nil, &out)
	return out, err
}
