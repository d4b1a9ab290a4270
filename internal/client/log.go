package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
)

// The log's endpoints answer in text (signed notes, proof files) or bytes
// (tiles); errors are JSON as everywhere else.

// LogKeys returns the log's verifier key and the registered witness keys.
func (c *Client) LogKeys(ctx context.Context) (api.LogKeys, error) {
	var k api.LogKeys
	err := c.Do(ctx, "GET", "/api/v1/log/keys", nil, &k)
	return k, err
}

// LatestCheckpoint returns the latest signed checkpoint, with its
// cosignatures (GET /log/checkpoint).
func (c *Client) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	return c.raw(ctx, "GET", "/log/checkpoint")
}

// CheckpointAt returns the stored checkpoint of a size, with cosignatures.
func (c *Client) CheckpointAt(ctx context.Context, size int64) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/log/checkpoints/"+strconv.FormatInt(size, 10))
}

// MakeCheckpoint asks the server to make a checkpoint now (if the log grew)
// and returns the latest one.
func (c *Client) MakeCheckpoint(ctx context.Context) ([]byte, error) {
	return c.raw(ctx, "POST", "/api/v1/log/checkpoint")
}

// Tile returns a tlog-tiles resource: path is below /log/, e.g.
// "tile/entries/000.p/9".
func (c *Client) Tile(ctx context.Context, path string) ([]byte, error) {
	return c.raw(ctx, "GET", "/log/"+strings.TrimPrefix(path, "/"))
}

// InclusionProof returns the inclusion proof file of leaf index in the
// latest checkpoint.
func (c *Client) InclusionProof(ctx context.Context, index int64) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/log/proof/inclusion?index="+strconv.FormatInt(index, 10))
}

// ConsistencyProof returns the consistency proof file from the checkpoint of
// size from to the latest checkpoint.
func (c *Client) ConsistencyProof(ctx context.Context, from int64) ([]byte, error) {
	return c.raw(ctx, "GET", "/api/v1/log/proof/consistency?from="+strconv.FormatInt(from, 10))
}

// AddCosignature hands in a witness's cosignature line on the checkpoint of
// the given size.
func (c *Client) AddCosignature(ctx context.Context, size int64, line string) error {
	return c.Do(ctx, "POST", "/api/v1/log/cosignatures", api.Cosignature{Size: size, Line: line}, nil)
}

// raw sends a request without a body and returns the answer's bytes as they
// are (a signed note, a proof file, a tile).
func (c *Client) raw(ctx context.Context, method, path string) ([]byte, error) {
	op := "client " + method + " " + path
	if i := strings.IndexByte(op, '?'); i >= 0 {
		op = op[:i]
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, nil)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, errs.E(op, errs.Internal, fmt.Sprintf("cannot reach the server at %s", c.BaseURL), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, errs.E(op, errs.Internal, "reading the answer", err)
	}
	if resp.StatusCode >= 400 {
		return nil, apiError(op, resp.StatusCode, data)
	}
	return data, nil
}

// CheckpointSizes lists the sizes of the server's stored checkpoints.
func (c *Client) CheckpointSizes(ctx context.Context) ([]int64, error) {
	var out api.CheckpointSizes
	err := c.Do(ctx, "GET", "/api/v1/log/checkpoints", nil, &out)
	return out.Sizes, err
}

// Witnesses returns the witnesses the server submits its checkpoints to,
// with what each cosigned last (GET /api/v1/log/witnesses).
func (c *Client) Witnesses(ctx context.Context) ([]api.WitnessStatus, error) {
	var out []api.WitnessStatus
	err := c.Do(ctx, "GET", "/api/v1/log/witnesses", nil, &out)
	return out, err
}
