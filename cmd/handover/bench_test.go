package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web"
)

// TestBenchAPI runs "handover bench api" briefly against an in-process
// server and checks that it prints its figures and stored what it says.
func TestBenchAPI(t *testing.T) {
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: filepath.Join(t.TempDir(), "handover.db"), SealKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := db.CreateToken(ctx, u.Scope(), "bench", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.New(db, slog.New(slog.DiscardHandler), web.Config{}).Handler())
	defer ts.Close()

	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := m.Run(ctx, []string{"bench", "api", "--server", ts.URL, "--token", token,
		"--records", "30", "--single", "5", "--rate", "50", "--duration", "1s", "--lists", "3"})
	if code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	for _, re := range []string{
		`(?m)^insert batch: +30 records in [0-9.]+s: [0-9]+ records/s$`,
		`(?m)^insert single: +5 records in [0-9.]+s: [0-9]+ records/s; p50 [0-9.]+ms p99 [0-9.]+ms$`,
		`(?m)^read by id: +50 due at 50/s over 1s: achieved [0-9.]+/s; p50 [0-9.]+ms p90 [0-9.]+ms p99 [0-9.]+ms max [0-9.]+ms; errors 0$`,
		`(?m)^list kind\+category: +3 requests: p50 [0-9.]+ms p99 [0-9.]+ms$`,
		`(?m)^list text: +3 requests: p50 [0-9.]+ms p99 [0-9.]+ms$`,
		`(?m)^list cursor: +3 requests: p50 [0-9.]+ms p99 [0-9.]+ms$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	page, err := db.Records(ctx, u.Scope(), sqlstore.RecordFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 35 {
		t.Errorf("the register holds %d records, want the 30 + 5 the benchmark inserted", len(page.Records))
	}

	// It refuses a server off the loopback interface, before any request.
	stdout.Reset()
	stderr.Reset()
	code = m.Run(ctx, []string{"bench", "api", "--server", "http://192.0.2.1:8080", "--token", token, "--duration", "1s"})
	if code != 2 || !strings.Contains(stderr.String(), "loopback") {
		t.Errorf("non-loopback server: exit %d, stderr %q; want 2 and a word on loopback", code, &stderr)
	}
}

// TestOpenLoop checks that the open loop sends on schedule while requests
// are slow, and counts latency from when each request was due.
func TestOpenLoop(t *testing.T) {
	// Every request takes 100 ms; at 100/s a closed loop would have one in
	// flight at a time, the open loop about 10.
	var inFlight, maxInFlight atomic.Int32
	res := openLoop(context.Background(), 100, 500*time.Millisecond, func(ctx context.Context, i int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		if i == 7 {
			return errs.E("test", errs.Internal, "boom")
		}
		return nil
	})
	if res.due != 50 || res.done != 49 || res.errors != 1 || len(res.lat) != 49 {
		t.Fatalf("due %d done %d errors %d latencies %d, want 50, 49, 1, 49", res.due, res.done, res.errors, len(res.lat))
	}
	if maxInFlight.Load() < 2 {
		t.Errorf("at most %d request in flight: the loop waited for answers", maxInFlight.Load())
	}
	for _, l := range res.lat {
		if l < 100*time.Millisecond {
			t.Fatalf("latency %v is shorter than the request took (100ms)", l)
		}
	}
	if got := percentiles([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, 50, 100); got != "p50 2.00ms max 3.00ms" {
		t.Errorf("percentiles: got %q, want %q", got, "p50 2.00ms max 3.00ms")
	}
}
