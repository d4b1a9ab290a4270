package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// Log is what the client needs of the log's store (sqlstore.DB has it).
type Log interface {
	// LatestCheckpoint returns the newest signed checkpoint.
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	// ProveConsistency returns the consistency proof (tlog-proof) from the
	// stored checkpoint of size from to the latest; errs.NotFound when no
	// checkpoint of that size was made.
	ProveConsistency(ctx context.Context, from int64) ([]byte, error)
	// AddCosignature checks a cosignature line with the registered witness
	// key of its name and stores it.
	AddCosignature(ctx context.Context, size int64, line string) error
	// CosignedSize returns the size of the largest checkpoint the witness
	// key name has a stored cosignature on (0 if none).
	CosignedSize(ctx context.Context, name string) (int64, error)
}

// Target is a configured witness: the name of its registered key and its
// submission prefix (add-checkpoint is POSTed to URL + "/add-checkpoint").
type Target struct {
	Name string
	URL  string
}

// Status is what the log knows of one witness, for the log page and
// metrics.
type Status struct {
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	CosignedSize int64     `json:"cosigned_size"`         // largest checkpoint with its stored cosignature
	CosignedAt   time.Time `json:"cosigned_at,omitzero"`  // when this server last stored one
	LastAttempt  time.Time `json:"last_attempt,omitzero"` // the last add-checkpoint sent
	LastError    string    `json:"last_error,omitempty"`  // why the last attempt failed; empty after a success
	Failures     int       `json:"failures"`              // attempts failed in a row
	NextAttempt  time.Time `json:"next_attempt,omitzero"` // not before, after failures
	RoundTrip    string    `json:"round_trip,omitempty"`  // of the last successful add-checkpoint
	witnessSize  int64     // the size the witness said it holds (409), -1 if unknown
}

// Client submits the log's checkpoints to its witnesses.
type Client struct {
	log     Log
	http    *http.Client
	logger  *slog.Logger
	now     func() time.Time
	targets []Target

	mu     sync.Mutex
	status map[string]*Status
}

// Back-off after failures: 2 s, doubled each time, at most MaxBackoff.
const (
	firstBackoff = 2 * time.Second
	MaxBackoff   = 5 * time.Minute
)

// NewClient returns a client for the targets. A nil hc uses a client with a
// 15-second timeout.
func NewClient(log Log, targets []Target, hc *http.Client, logger *slog.Logger) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := &Client{log: log, http: hc, logger: logger, now: time.Now, targets: targets, status: map[string]*Status{}}
	for _, t := range targets {
		c.status[t.Name] = &Status{Name: t.Name, URL: t.URL, witnessSize: -1}
	}
	return c
}

// ParseTarget reads a --witness flag: NAME=URL.
func ParseTarget(s string) (Target, error) {
	name, url, ok := strings.Cut(s, "=")
	if !ok || name == "" || !(strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")) {
		return Target{}, errs.Errorf("witness.ParseTarget", errs.Invalid,
			"a witness is NAME=URL (the name of its registered key and its submission prefix, http:// or https://), not %q", s)
	}
	return Target{Name: name, URL: strings.TrimSuffix(url, "/")}, nil
}

// Statuses returns every witness's status, in the order configured.
func (c *Client) Statuses() []Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Status, 0, len(c.targets))
	for _, t := range c.targets {
		out = append(out, *c.status[t.Name])
	}
	return out
}

// Run submits checkpoints every interval until ctx is done.
func (c *Client) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		c.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Round brings every witness that is behind and not backing off up to the
// latest checkpoint, one after another. A witness that fails is retried
// after a back-off; it never holds up the others or the log.
func (c *Client) Round(ctx context.Context) {
	for _, t := range c.targets {
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		st := c.status[t.Name]
		wait := c.now().Before(st.NextAttempt)
		c.mu.Unlock()
		if wait {
			continue
		}
		err := c.submit(ctx, t)
		c.mu.Lock()
		if err != nil {
			st.Failures++
			st.LastError = reason(err)
			backoff := firstBackoff << min(st.Failures-1, 10)
			st.NextAttempt = c.now().Add(min(backoff, MaxBackoff))
			c.logger.Warn("witness", "name", t.Name, "url", t.URL, "err", st.LastError, "failures", st.Failures, "retry_in", min(backoff, MaxBackoff))
		} else {
			st.Failures, st.LastError, st.NextAttempt = 0, "", time.Time{}
		}
		c.mu.Unlock()
	}
}

// submit sends the latest checkpoint to t if t has not cosigned it, and
// stores the cosignature. A 409 tells the size the witness holds: the
// request is made once more from there.
func (c *Client) submit(ctx context.Context, t Target) error {
	const op = "witness.submit"
	latest, err := c.log.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	lc, err := audit.PeekCheckpoint(latest)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	cosigned, err := c.log.CosignedSize(ctx, t.Name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	st := c.status[t.Name]
	st.CosignedSize = cosigned
	old := st.witnessSize
	c.mu.Unlock()
	if cosigned >= lc.Size {
		return nil
	}
	if old < 0 {
		old = cosigned
	}
	for attempt := 0; ; attempt++ {
		req := audit.AddCheckpoint{OldSize: old, Checkpoint: latest}
		if old > 0 {
			p, err := c.log.ProveConsistency(ctx, old)
			if errs.Is(errs.NotFound, err) {
				return errs.E(op, errs.Conflict, fmt.Sprintf(
					"the witness holds a checkpoint of size %d, which this log never made: it saw another log of this name (a fork), or this database was restored from an older copy", old), err)
			}
			if err != nil {
				return err
			}
			cp, err := audit.ParseConsistencyProof(p)
			if err != nil {
				return errs.E(op, errs.Internal, err)
			}
			req.Checkpoint, req.Proof = cp.New, cp.Hashes
		}
		size, lines, witnessSize, err := c.post(ctx, t, req)
		if witnessSize >= 0 {
			c.mu.Lock()
			st.witnessSize = witnessSize
			c.mu.Unlock()
			if attempt == 0 && witnessSize != old {
				old = witnessSize
				continue
			}
		}
		if err != nil {
			return err
		}
		return c.store(ctx, t, size, lines)
	}
}

// post sends one add-checkpoint. It returns the checkpoint's size and the
// cosignature lines on 200, and the witness's size on 409.
func (c *Client) post(ctx context.Context, t Target, req audit.AddCheckpoint) (size int64, lines []string, witnessSize int64, err error) {
	const op = "witness.add-checkpoint"
	witnessSize = -1
	peek, err := audit.PeekCheckpoint(req.Checkpoint)
	if err != nil {
		return 0, nil, -1, errs.E(op, errs.Internal, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL+"/add-checkpoint", bytes.NewReader(req.Marshal()))
	if err != nil {
		return 0, nil, -1, errs.E(op, errs.Invalid, err)
	}
	hreq.Header.Set("Content-Type", "text/plain; charset=utf-8")
	start := c.now()
	c.mu.Lock()
	c.status[t.Name].LastAttempt = start
	c.mu.Unlock()
	resp, err := c.http.Do(hreq)
	if err != nil {
		return 0, nil, -1, errs.E(op, errs.Other, "the witness cannot be reached: "+err.Error(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, -1, errs.E(op, errs.Other, "the witness's answer could not be read", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		c.mu.Lock()
		c.status[t.Name].RoundTrip = c.now().Sub(start).Round(time.Millisecond).String()
		c.mu.Unlock()
		for l := range strings.SplitAfterSeq(string(body), "\n") {
			if strings.HasPrefix(l, "— ") {
				lines = append(lines, l)
			}
		}
		return peek.Size, lines, -1, nil
	case http.StatusConflict:
		n, ok := parseSize(body)
		if !ok {
			return 0, nil, -1, errs.Errorf(op, errs.Conflict, "the witness answered 409 without its size (%s)", abbrev(body))
		}
		return 0, nil, n, errs.Errorf(op, errs.Conflict, "the witness holds size %d, and refused old size %d", n, req.OldSize)
	}
	return 0, nil, -1, errs.Errorf(op, errs.Conflict, "the witness refused checkpoint %d (old size %d) with %s: %s", peek.Size, req.OldSize, resp.Status, abbrev(body))
}

// store keeps the lines the log's registered key of t verifies; lines by
// other keys are ignored, as the protocol says.
func (c *Client) store(ctx context.Context, t Target, size int64, lines []string) error {
	var stored bool
	var lastErr error
	for _, l := range lines {
		cl, err := audit.ParseCosignatureLine(l)
		if err != nil || cl.Name != t.Name {
			continue
		}
		if err := c.log.AddCosignature(ctx, size, cl.Line); err != nil {
			lastErr = err
			continue
		}
		stored = true
	}
	if !stored {
		if lastErr != nil {
			return lastErr
		}
		return errs.Errorf("witness.store", errs.Conflict, "the witness answered without a cosignature by %s", t.Name)
	}
	c.mu.Lock()
	st := c.status[t.Name]
	st.CosignedSize, st.CosignedAt, st.witnessSize = size, c.now(), size
	c.mu.Unlock()
	return nil
}

// reason is what an operator reads of a failure: the first message in the
// chain, also of failures the API would keep to itself (an unreachable
// witness is no secret to the log's operator).
func reason(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if x, ok := e.(*errs.Error); ok && x.Message != "" {
			return x.Message
		}
	}
	return err.Error()
}

func abbrev(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf("%q", s)
}
