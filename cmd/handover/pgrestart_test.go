package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pgBinDir is where Debian keeps initdb and pg_ctl of the newest
// PostgreSQL installed (/usr/lib/postgresql/N/bin): .ci/run installs
// Debian's default version on a fresh machine, which need not be 15.
func pgBinDir() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	best, bestN := "", -1
	for _, f := range found {
		dir := filepath.Dir(f)
		if n, err := strconv.Atoi(filepath.Base(filepath.Dir(dir))); err == nil && n > bestN {
			best, bestN = dir, n
		}
	}
	if best == "" {
		return "", fmt.Errorf("no /usr/lib/postgresql/*/bin/pg_ctl")
	}
	return best, nil
}

// privateCluster is a PostgreSQL cluster of the test's own, on a free
// loopback port, so that stopping it disturbs no one else's tests.
type privateCluster struct {
	t    *testing.T
	bin  string // initdb and pg_ctl are here
	data string
	port int
	log  string
}

// newPrivateCluster makes and starts a cluster as the postgres user (the
// test runs as root; initdb refuses root). Without root or the binaries
// the test is skipped, or failed under CI=true. The cluster is stopped and
// removed when the test ends, whatever happened.
func newPrivateCluster(t *testing.T) *privateCluster {
	t.Helper()
	pgUser, err := user.Lookup("postgres")
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "not root: cannot run a PostgreSQL cluster as the postgres user"
	case err != nil:
		why = "no postgres user"
	}
	bin, binErr := pgBinDir()
	if why == "" && binErr != nil {
		why = binErr.Error()
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s: the restart of PostgreSQL is required in CI", why)
		}
		t.Skip(why)
	}
	base, err := os.MkdirTemp("", "handover-pg-")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	if err := os.Chown(base, uid, gid); err != nil {
		t.Fatal(err)
	}
	c := &privateCluster{t: t, bin: bin, data: filepath.Join(base, "data"), log: filepath.Join(base, "log")}
	t.Cleanup(func() {
		c.pgCtl("stop", "-m", "immediate")
		os.RemoveAll(base)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	if out, err := c.asPostgres(filepath.Join(c.bin, "initdb"), "-D", c.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if out, err := c.pgCtl("start"); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
	return c
}

func (c *privateCluster) asPostgres(args ...string) (string, error) {
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// pgCtl runs pg_ctl on the cluster: loopback only, its socket in its own
// directory, waiting at most 60 s.
func (c *privateCluster) pgCtl(args ...string) (string, error) {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", c.port, filepath.Dir(c.data))
	return c.asPostgres(append([]string{filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-l", c.log, "-o", opts, "-w", "-t", "60"}, args...)...)
}

func (c *privateCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// TestPostgresRestartUnderLoad writes records through two 'handover serve'
// processes (a round-robin proxy in front) on a PostgreSQL cluster of the
// test's own, and restarts the cluster in the middle: the servers
// reconnect by themselves (writes succeed again after it), every write
// answered 2xx is in the database afterwards, every other one was
// answered with an error (5xx with a problem, or no answer), never a 2xx,
// and 'log audit' passes.
func TestPostgresRestartUnderLoad(t *testing.T) {
	c := newPrivateCluster(t)
	bin := handoverBinary(t)
	d := newMultiDeploy(t, c.dsn())
	_, ua := d.serve(t, bin, "server-a")
	_, ub := d.serve(t, bin, "server-b")
	rr := newRoundRobin(t, ua, ub)
	a := newAPI(t, rr.URL)
	token := d.tokens["ua-registrar"]

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		mu                        sync.Mutex
		acked                     = map[string]string{}
		failed, okAfter, badFails int
		restarted                 atomic.Bool
		stop                      = make(chan struct{})
		wg                        sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				after := restarted.Load()
				ids, notes, ok := writeSome(ctx, a, token, 0, w, i)
				mu.Lock()
				if ok {
					for k, id := range ids {
						acked[id] = notes[k]
					}
					if after {
						okAfter++
					}
				} else {
					failed++
				}
				mu.Unlock()
				if !ok {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	// A failed write is said as failed: no 2xx, and a problem with a
	// 5xx status and a request id (or no answer while the proxy's backend was gone).
	probe := func() {
		st, b, err := a.do(ctx, token, "POST", "/api/v1/records", map[string]any{"kind": "held", "category": "military", "surname": "Проба", "birth_date": "1990"})
		if err == nil && st/100 != 2 && (st < 500 || !strings.Contains(string(b), `"request_id"`)) {
			mu.Lock()
			badFails++
			mu.Unlock()
			t.Errorf("a write while PostgreSQL restarts: %d %s, want 5xx with a problem", st, b)
		}
	}
	waitFor(t, 60*time.Second, "writes before the restart", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 20 })
	go probe()
	if out, err := c.pgCtl("restart", "-m", "fast"); err != nil {
		t.Fatalf("pg_ctl restart: %v\n%s", err, out)
	}
	restarted.Store(true)
	probe()
	waitFor(t, 60*time.Second, "writes after the restart", func() bool { mu.Lock(); defer mu.Unlock(); return okAfter >= 20 })
	close(stop)
	wg.Wait()
	t.Logf("%d records acknowledged (%d writes after the restart), %d writes failed", len(acked), okAfter, failed)

	verifyAcked(t, a, token, acked)
	if st, b := a.must("", "GET", "/readyz", nil); st != http.StatusOK {
		t.Errorf("readyz after the restart: %d %s", st, b)
	}
	// Every acknowledged record is in the database itself, counted there.
	db, err := sql.Open("pgx", c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM records WHERE party = 'UA'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < len(acked) {
		t.Errorf("%d records in the database, fewer than the %d acknowledged", n, len(acked))
	}
	if out := run(t, bin, "log", "audit", "--dir", d.dir, "--db", d.dsn); !strings.Contains(out, "OK") {
		t.Errorf("log audit after the restart:\n%s", out)
	}
}
