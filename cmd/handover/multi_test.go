package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/scenario"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// multiDeploy is one deployment on one database that several 'handover
// serve' processes share: a data directory with the keys (made as
// 'handover scenario' makes its own) and the scenario's accounts with
// their tokens.
type multiDeploy struct {
	dir, dsn string
	tokens   map[string]string
}

// needPostgres skips the test when no PostgreSQL is configured (and fails
// it under CI=true: sqltest.Dialects).
func needPostgres(t testing.TB) {
	t.Helper()
	if !slices.Contains(sqltest.Dialects(t), "postgres") {
		t.Skip("several servers share a PostgreSQL database: set HANDOVER_TEST_POSTGRES")
	}
}

// newMultiDeploy makes the deployment on dsn: the keys in a new data
// directory, the parties UA and RU and the scenario's accounts, each
// enrolled with a token, as 'handover scenario' does for its throw-away
// server.
func newMultiDeploy(t testing.TB, dsn string) *multiDeploy {
	t.Helper()
	ctx := context.Background()
	d := &multiDeploy{dir: filepath.Join(t.TempDir(), "data"), dsn: dsn, tokens: map[string]string{}}
	m := &Main{Stdin: strings.NewReader(""), Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }}
	db, err := m.open(ctx, &storeFlags{dir: d.dir, db: dsn}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := m.logConfig(d.dir, "handover.multi/log", true); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	for _, a := range scenario.May2025Accounts() {
		u, err := enrolAccount(ctx, db, a.Login, a.Role, a.Party, cheap, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		d.tokens[a.Login] = u.Token
	}
	return d
}

// serve starts 'handover serve' on the deployment at a free loopback port
// and returns the process and its URL once /readyz answers.
func (d *multiDeploy) serve(t testing.TB, bin, name string) (*process, *url.URL) {
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), name+".url")
	p := start(t, bin, "serve", "--dir", d.dir, "--db", d.dsn, "--listen", "127.0.0.1:0", "--url-file", urlFile)
	var raw string
	waitFor(t, 60*time.Second, "the URL file of "+name, func() bool {
		if p.exited() {
			t.Fatalf("%s exited: %v\n%s", name, p.err, p.out)
		}
		b, err := os.ReadFile(urlFile)
		raw = strings.TrimSpace(string(b))
		return err == nil && raw != ""
	})
	if st, b := newAPI(t, raw).must("", "GET", "/readyz", nil); st != http.StatusOK {
		t.Fatalf("%s: readyz %d %s\n%s", name, st, b, p.out)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p, u
}

// roundRobin is a small reverse proxy on the loopback interface that sends
// each request to the next of its backends, and counts what each served.
type roundRobin struct {
	*httptest.Server
	next   atomic.Uint64
	served []atomic.Int64
}

func newRoundRobin(t testing.TB, backends ...*url.URL) *roundRobin {
	t.Helper()
	rr := &roundRobin{served: make([]atomic.Int64, len(backends))}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := int((rr.next.Add(1) - 1) % uint64(len(backends)))
		r.SetURL(backends[i])
		rr.served[i].Add(1)
	}}
	rr.Server = httptest.NewServer(proxy)
	t.Cleanup(rr.Close)
	return rr
}

// stageLines are a summary's stages without their times.
func stageLines(s scenario.Summary) []scenario.StageLine {
	out := slices.Clone(s.Stages)
	for i := range out {
		out[i].Took = 0
	}
	return out
}

// TestTwoServersOnePostgres plays the May 2025 scenario (scale 0.1)
// through a round-robin proxy in front of two 'handover serve' processes
// on one PostgreSQL database: every other request goes to the other
// server (an officer's queue, then the stage it reads back). The summary
// is the one 'handover scenario' plays on one process, and 'log audit'
// passes on the shared database.
func TestTwoServersOnePostgres(t *testing.T) {
	needPostgres(t)
	bin := handoverBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg := func() scenario.May2025Config {
		return scenario.May2025Config{Scale: 0.1, Seed: 2025, Endorsers: map[string]string{}}
	}

	// On one process: 'handover scenario' with its throw-away server.
	sumFile := filepath.Join(t.TempDir(), "summary.json")
	mustRunLS(t, "scenario", "may-2025", "--scale", "0.1", "--seed", "2025", "--dir", filepath.Join(t.TempDir(), "one"), "--db", sqltest.DSN(t, "postgres"), "--summary", sumFile)
	b, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	var one scenario.Summary
	if err := json.Unmarshal(b, &one); err != nil {
		t.Fatal(err)
	}
	if !one.AuditOK || len(one.Stages) != 3 {
		t.Fatalf("one process: %+v", one)
	}

	// On two.
	d := newMultiDeploy(t, sqltest.DSN(t, "postgres"))
	pa, ua := d.serve(t, bin, "server-a")
	pb, ub := d.serve(t, bin, "server-b")
	rr := newRoundRobin(t, ua, ub)
	play, err := scenario.NewMay2025(rr.URL, d.tokens, cfg())
	if err != nil {
		t.Fatal(err)
	}
	two, err := play.Play(ctx)
	if err != nil {
		t.Fatalf("the scenario through two servers: %v\nserver a:\n%s\nserver b:\n%s", err, pa.out, pb.out)
	}
	if err := play.MakeCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range rr.served {
		if n := rr.served[i].Load(); n < 20 {
			t.Errorf("server %d served %d requests, want its half", i+1, n)
		}
	}
	if got, want := stageLines(two), stageLines(one); !slices.EqualFunc(got, want, func(a, b scenario.StageLine) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}) {
		t.Errorf("stages through two servers:\n%+v\non one:\n%+v", got, want)
	}
	for _, p := range []*process{pa, pb} {
		p.cmd.Process.Signal(os.Interrupt)
		if err := p.wait(30 * time.Second); err != nil {
			t.Errorf("serve: %v\n%s", err, p.out)
		}
	}
	if out := run(t, bin, "log", "audit", "--dir", d.dir, "--db", d.dsn); !strings.Contains(out, "OK") {
		t.Errorf("log audit after two servers:\n%s", out)
	}
}

// TestBackupWhileTheScenarioWrites backs a deployment up three times while
// the May 2025 scenario (scale 0.1) is writing to it through a running
// server: after the registers, after the agreement, and after the first
// stage. Each backup restores into a new data directory, proving itself
// (the restore runs the log audit on the backup and on the target), and
// 'log audit' passes on each restored copy: a backup made in the middle of
// writes is one consistent state, never half a transaction. On SQLite
// (VACUUM INTO) and PostgreSQL (one repeatable-read snapshot).
func TestBackupWhileTheScenarioWrites(t *testing.T) {
	bin := handoverBinary(t)
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := ""
			if dialect == "postgres" {
				dsn = sqltest.DSN(t, "postgres")
			}
			d := newMultiDeploy(t, dsn)
			p, u := d.serve(t, bin, "server")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			// The scenario waits at each wanted step until that step's
			// backup has begun, then goes on writing while it is made:
			// whatever the machine's speed, every backup is made while
			// the scenario writes (a scenario at scale 0.1 ends in about a
			// second on an idle machine, before a backup of it would).
			wants := []string{"registers", "agreement", "stage"}
			steps := make(chan string)
			resume := make(chan struct{})
			next := 0
			cfg := scenario.May2025Config{Scale: 0.1, Seed: 2025, Endorsers: map[string]string{}, Progress: func(v any) {
				var step string
				switch v.(type) {
				case scenario.Registers:
					step = "registers"
				case scenario.Negotiated:
					step = "agreement"
				case scenario.StageLine:
					step = "stage"
				}
				if next >= len(wants) || step != wants[next] {
					return
				}
				next++
				select {
				case steps <- step:
				case <-ctx.Done():
					return
				}
				select {
				case <-resume:
				case <-ctx.Done():
				}
			}}
			play, err := scenario.NewMay2025(u.String(), d.tokens, cfg)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := play.Play(ctx)
				done <- err
			}()
			id, rec := ageKey(t)
			var files []string
			store := []string{"--dir", d.dir}
			if dsn != "" {
				store = append(store, "--db", dsn)
			}
			for _, want := range wants {
				select {
				case step := <-steps:
					if step != want {
						t.Fatalf("step %s, want %s", step, want)
					}
				case err := <-done:
					t.Fatalf("the scenario ended before the %s were backed up: %v\n%s", want, err, p.out)
				}
				// The scenario goes on writing while the backup is made.
				file := filepath.Join(t.TempDir(), want+".age")
				args := append([]string{"backup", "--out", file, "--recipient", rec}, store...)
				type result struct {
					code     int
					out, err string
				}
				made := make(chan result, 1)
				go func() {
					code, out, errOut := runLS(t, args...)
					made <- result{code, out, errOut}
				}()
				resume <- struct{}{}
				if r := <-made; r.code != 0 {
					t.Fatalf("handover %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.out, r.err)
				}
				files = append(files, file)
			}
			if err := <-done; err != nil {
				t.Fatalf("the scenario: %v\n%s", err, p.out)
			}
			for _, file := range files {
				to := filepath.Join(t.TempDir(), "restored")
				out := mustRunLS(t, "restore", file, "--identity", id, "--dir", d.dir, "--to", to)
				if !strings.Contains(out, "row counts: every table") {
					t.Errorf("restore of %s:\n%s", filepath.Base(file), out)
				}
				mustRunLS(t, "log", "audit", "--dir", to)
			}
		})
	}
}

// BenchmarkServersOnPostgres measures requests per second and latency
// (p50, p99) through the round-robin proxy to one 'handover serve' process
// and to two, both on one PostgreSQL database: eight clients at once, each
// request a read of a record (three in four) or a new record (one in
// four). Each op is one request.
//
//	HANDOVER_TEST_POSTGRES=postgres://… go test -run '^$' -bench ServersOnPostgres -benchtime 2000x ./cmd/handover
func BenchmarkServersOnPostgres(b *testing.B) {
	needPostgres(b)
	bin := handoverBinary(b)
	d := newMultiDeploy(b, sqltest.DSN(b, "postgres"))
	_, ua := d.serve(b, bin, "server-a")
	_, ub := d.serve(b, bin, "server-b")
	token := d.tokens["ua-registrar"]
	ctx := context.Background()
	seed := newAPI(b, ua.String())
	var ids []string
	for i := range 50 {
		got, _, ok := writeSome(ctx, seed, token, 0, 0, i)
		if !ok {
			b.Fatal("cannot seed records")
		}
		ids = append(ids, got...)
	}
	for _, bc := range []struct {
		name     string
		backends []*url.URL
	}{{"one", []*url.URL{ua}}, {"two", []*url.URL{ua, ub}}} {
		b.Run(bc.name, func(b *testing.B) {
			rr := newRoundRobin(b, bc.backends...)
			a := newAPI(b, rr.URL)
			const clients = 8
			lat := make([][]time.Duration, clients)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						t0 := time.Now()
						ok := true
						if i%4 == 3 {
							_, _, ok = writeSome(ctx, a, token, 1, c, i%3) // single records
						} else {
							st, _, err := a.do(ctx, token, "GET", "/api/v1/records/"+ids[i%len(ids)], nil)
							ok = err == nil && st == http.StatusOK
						}
						if !ok {
							b.Errorf("request %d failed", i)
							return
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			sqltest.ReportLatencies(b, "req", lat, elapsed)
		})
	}
}
