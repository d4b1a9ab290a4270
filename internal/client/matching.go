package client

import (
	"context"
	"fmt"
	"net/url"

	"github.com/handover-project/handover/internal/api"
)

// RunMatching starts a matching run of one party's sought register against
// the other's held register. threshold 0 means the server's default.
func (c *Client) RunMatching(ctx context.Context, sought, held string, threshold float64) (api.MatchRun, error) {
	body := api.MatchRunRequest{SoughtParty: sought, HeldParty: held}
	if threshold > 0 {
		body.Threshold = &threshold
	}
	var r api.MatchRun
	err := c.Do(ctx, "POST", "/api/v1/matching/runs", body, &r)
	return r, err
}

// MatchRuns lists the runs, newest first.
func (c *Client) MatchRuns(ctx context.Context) ([]api.MatchRun, error) {
	var out api.MatchRuns
	err := c.Do(ctx, "GET", "/api/v1/matching/runs", nil, &out)
	return out.Runs, err
}

// Candidates lists one run's candidates.
func (c *Client) Candidates(ctx context.Context, run int64, status string, limit, offset int) ([]api.Candidate, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	q.Set("limit", fmt.Sprint(limit))
	q.Set("offset", fmt.Sprint(offset))
	var out api.Candidates
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/matching/runs/%d/candidates?%s", run, q.Encode()), nil, &out)
	return out.Candidates, err
}

// DecideMatch confirms, rejects or undoes a candidate pair.
func (c *Client) DecideMatch(ctx context.Context, sought, held, decision, reason string) (api.Candidate, error) {
	var out api.Candidate
	err := c.Do(ctx, "POST", "/api/v1/matching/decisions", api.Pair{SoughtID: sought, HeldID: held, Decision: decision, Reason: reason}, &out)
	return out, err
}

// DiscloseMatch discloses a confirmed match to the seeking party.
func (c *Client) DiscloseMatch(ctx context.Context, sought, held string) error {
	return c.Do(ctx, "POST", "/api/v1/matching/disclosures", api.Pair{SoughtID: sought, HeldID: held}, nil)
}

// Matches lists the matches disclosed to the caller's party.
func (c *Client) Matches(ctx context.Context) ([]api.DisclosedMatch, error) {
	var out api.Matches
	err := c.Do(ctx, "GET", "/api/v1/matches", nil, &out)
	return out.Matches, err
}
