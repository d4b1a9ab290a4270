package client

import (
	"context"
	"net/url"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/exchange"
)

// RecordInterview records the neutral's interview of a person listed in
// exchange ex (POST /api/v1/exchanges/{id}/interviews; the mediator's
// operator) and returns it as stored.
func (c *Client) RecordInterview(ctx context.Context, ex string, iv exchange.Interview) (exchange.Interview, error) {
	var out exchange.Interview
	err := c.Do(ctx, "POST", "/api/v1/exchanges/"+url.PathEscape(ex)+"/interviews", iv, &out)
	return out, err
}

// Interviews returns the persons listed in exchange ex with the neutral's
// interviews, as the caller may see them.
func (c *Client) Interviews(ctx context.Context, ex string) (api.Interviews, error) {
	var out api.Interviews
	err := c.Do(ctx, "GET", "/api/v1/exchanges/"+url.PathEscape(ex)+"/interviews", nil, &out)
	return out, err
}
