package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/synth"
)

const benchAPIUsage = `
Usage: handover bench api [--records N] [--single N] [--rate R] [--duration D] [--lists N] [--server URL --token TOKEN]

Measures a running server through its JSON API, as a party registrar (the
token's user) sees it, and prints the figures:

  1. inserts N synthetic records in batches of 1,000 (POST
     /api/v1/records/batch), then --single more one at a time (POST
     /api/v1/records), and prints records/s;
  2. reads those records by id at a fixed rate for a fixed time (open
     loop: requests go out on schedule whether or not earlier ones have
     answered, and each latency counts from the moment its request was due,
     so a stalled server shows as latency rather than as fewer requests),
     and prints the achieved rate, p50, p90, p99, max and errors;
  3. lists the register with filters (kind and category, text, every page
     by cursor) --lists times each and prints p50 and p99.

The records it inserts stay in the register (nothing is ever deleted), so
it refuses any server but one on the loopback interface: run it against a
throw-away demo.

Example:
  handover demo --dir /tmp/bench --listen 127.0.0.1:8080 --records 0 &
  handover bench api --server http://127.0.0.1:8080 \
      --token "$(jq -r '.users[] | select(.login=="ua-registrar") | .token' /tmp/bench/demo-credentials.json)" \
      --records 100000 --rate 500 --duration 10s
`

// benchLimits bound a run in time and count.
const (
	benchMaxRecords  = 1_000_000
	benchMaxRate     = 10_000
	benchMaxDuration = 10 * time.Minute
	benchMaxInFlight = 1_000 // reads due beyond this many unanswered count as errors
)

func runBenchAPI(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("bench api", benchAPIUsage)
	srv := m.addServerFlags(fs)
	n := fs.Int("records", 10_000, "records to insert in batches of 1,000")
	single := fs.Int("single", 200, "records to insert one at a time")
	rate := fs.Int("rate", 500, "reads by id per second")
	duration := fs.Duration("duration", 10*time.Second, "how long to read at --rate")
	lists := fs.Int("lists", 100, "list requests per filter")
	seed := fs.Uint64("seed", 1, "seed of the synthetic records")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *n < 1 || *n > benchMaxRecords:
		return usageError{fmt.Sprintf("--records must be between 1 and %d", benchMaxRecords)}
	case *single < 0 || *single > 10_000:
		return usageError{"--single must be between 0 and 10000"}
	case *rate < 1 || *rate > benchMaxRate:
		return usageError{fmt.Sprintf("--rate must be between 1 and %d", benchMaxRate)}
	case *duration <= 0 || *duration > benchMaxDuration:
		return usageError{fmt.Sprintf("--duration must be positive and at most %v", benchMaxDuration)}
	case *lists < 0 || *lists > 10_000:
		return usageError{"--lists must be between 0 and 10000"}
	}
	if err := loopbackOnly(srv.server); err != nil {
		return err
	}
	c, err := srv.client()
	if err != nil {
		return err
	}
	// Enough idle connections for the open-loop reads: with the default of
	// two per host, most requests would open a new connection and measure
	// the TCP handshake rather than the server.
	c.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: benchMaxInFlight, MaxIdleConnsPerHost: benchMaxInFlight, IdleConnTimeout: time.Minute,
	}}
	var me struct {
		Login string  `json:"login"`
		Role  string  `json:"role"`
		Party *string `json:"party"`
	}
	if err := c.Do(ctx, "GET", "/api/v1/me", nil, &me); err != nil {
		return err
	}
	if me.Party == nil {
		return errs.E("bench api", errs.Invalid, fmt.Sprintf("%s is a %s: use the token of a party registrar, who may create records", me.Login, me.Role))
	}
	party := *me.Party
	w := m.Stdout
	fmt.Fprintf(w, "bench api: %s as %s (%s, %s): %d records in batches of %d, %d single; reads at %d/s for %v\n",
		c.BaseURL, me.Login, me.Role, party, *n, api.MaxBatch, *single, *rate, *duration)

	// 1. Inserts.
	gen := synth.New(synth.Config{Seed: *seed, Ref: time.Now()})
	inputs := func(count int) []api.RecordInput {
		var out []api.RecordInput
		for i, k := range []person.Kind{person.Held, person.Sought} {
			for _, f := range gen.Records(party, k, (count+1-i)/2) {
				out = append(out, api.RecordInput{Fields: f, Source: "handover bench api"})
			}
		}
		return out
	}
	var recs []person.Record
	all := inputs(*n)
	start := time.Now()
	for lo := 0; lo < len(all); lo += api.MaxBatch {
		got, err := c.CreateRecords(ctx, all[lo:min(lo+api.MaxBatch, len(all))])
		if err != nil {
			return fmt.Errorf("insert batch at record %d: %w", lo+1, err)
		}
		recs = append(recs, got...)
	}
	el := time.Since(start)
	fmt.Fprintf(w, "insert batch:  %d records in %.2fs: %.0f records/s\n", len(recs), el.Seconds(), float64(len(recs))/el.Seconds())
	if *single > 0 {
		var lat []time.Duration
		start = time.Now()
		for _, in := range inputs(*single) {
			t0 := time.Now()
			r, err := c.CreateRecord(ctx, in)
			if err != nil {
				return fmt.Errorf("insert single: %w", err)
			}
			lat = append(lat, time.Since(t0))
			recs = append(recs, r)
		}
		el = time.Since(start)
		fmt.Fprintf(w, "insert single: %d records in %.2fs: %.0f records/s; %s\n", len(lat), el.Seconds(), float64(len(lat))/el.Seconds(), percentiles(lat, 50, 99))
	}

	// 2. Reads by id, open loop.
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	res := openLoop(ctx, *rate, *duration, func(ctx context.Context, i int) error {
		_, err := c.Record(ctx, ids[(i*7919)%len(ids)])
		return err
	})
	fmt.Fprintf(w, "read by id:    %d due at %d/s over %v: achieved %.1f/s; %s; errors %d\n",
		res.due, *rate, *duration, float64(res.done)/res.elapsed.Seconds(), percentiles(res.lat, 50, 90, 99, 100), res.errors)
	if res.firstErr != nil {
		fmt.Fprintf(m.Stderr, "first read error: %v\n", res.firstErr)
	}

	// 3. Lists.
	if *lists > 0 {
		text := recs[len(recs)/2].Surname
		if text == "" {
			text = recs[len(recs)/2].FullName
		}
		filters := []struct {
			name string
			f    client.Filter
		}{
			{"kind+category", client.Filter{Kind: string(person.Held), Category: string(person.Military)}},
			{"text", client.Filter{Text: text}},
			{"cursor", client.Filter{Limit: 1000}},
		}
		for _, fc := range filters {
			var lat []time.Duration
			f := fc.f
			for range *lists {
				t0 := time.Now()
				p, err := c.Records(ctx, f)
				if err != nil {
					return fmt.Errorf("list %s: %w", fc.name, err)
				}
				lat = append(lat, time.Since(t0))
				if fc.name == "cursor" {
					f.Cursor = p.Next // restarts from the beginning after the last page
				}
			}
			fmt.Fprintf(w, "list %-14s %d requests: %s\n", fc.name+":", len(lat), percentiles(lat, 50, 99))
		}
	}
	return nil
}

// loopbackOnly refuses a server that is not on the loopback interface.
func loopbackOnly(server string) error {
	u, err := url.Parse(server)
	if err != nil || u.Hostname() == "" {
		return usageError{fmt.Sprintf("--server %q is not a URL", server)}
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errs.E("bench api", errs.Invalid, fmt.Sprintf("%s is not a loopback address: the benchmark writes records that cannot be deleted, so it only runs against a local throw-away server", host))
}

// loopResult is what an open-loop run measured.
type loopResult struct {
	due, done, errors int
	lat               []time.Duration // of the requests that succeeded, from when each was due
	elapsed           time.Duration
	firstErr          error
}

// openLoop calls fn rate times a second for d. Requests are due on a fixed
// timetable, start + i/rate; a timer wakes the dispatcher at each due time,
// and it sends every request that has fallen due, each in its own goroutine,
// without waiting for earlier ones to answer. A latency counts from when the request was
// due, not from when it was sent, so a server (or a client) that stalls
// cannot hide the stall by delaying the requests that follow (coordinated
// omission). At most benchMaxInFlight requests are outstanding; requests
// due beyond that count as errors.
func openLoop(ctx context.Context, rate int, d time.Duration, fn func(ctx context.Context, i int) error) loopResult {
	interval := time.Second / time.Duration(rate)
	total := int(d / interval)
	var (
		mu  sync.Mutex
		res = loopResult{due: total, lat: make([]time.Duration, 0, total)}
		wg  sync.WaitGroup
		sem = make(chan struct{}, benchMaxInFlight)
	)
	record := func(due time.Time, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			res.errors++
			if res.firstErr == nil {
				res.firstErr = err
			}
			return
		}
		res.done++
		res.lat = append(res.lat, time.Since(due))
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()
	next := 0
	for next < total && ctx.Err() == nil {
		now := time.Now()
		for ; next < total; next++ {
			due := start.Add(time.Duration(next) * interval)
			if due.After(now) {
				break
			}
			select {
			case sem <- struct{}{}:
			default:
				record(due, errs.E("bench api", errs.Internal, fmt.Sprintf("more than %d requests outstanding", benchMaxInFlight)))
				continue
			}
			wg.Add(1)
			go func(i int, due time.Time) {
				defer wg.Done()
				defer func() { <-sem }()
				record(due, fn(ctx, i))
			}(next, due)
		}
		if next < total {
			timer.Reset(time.Until(start.Add(time.Duration(next) * interval)))
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// percentiles formats the given percentiles of lat (100 is the maximum) in
// milliseconds: "p50 0.41ms p99 1.90ms".
func percentiles(lat []time.Duration, ps ...int) string {
	if len(lat) == 0 {
		return "no successful requests"
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	var out []byte
	for i, p := range ps {
		if i > 0 {
			out = append(out, ' ')
		}
		v := s[min(len(s)-1, p*len(s)/100)]
		name := fmt.Sprintf("p%d", p)
		if p == 100 {
			name = "max"
		}
		out = fmt.Appendf(out, "%s %.2fms", name, float64(v.Microseconds())/1000)
	}
	return string(out)
}
