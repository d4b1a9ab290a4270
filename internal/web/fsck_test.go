package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// buildFsck builds tessera's fsck (pinned in go.mod as a tool) into dir,
// or skips when it cannot be built here; with CI=true it fails instead.
func buildFsck(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", dir+"/", "github.com/transparency-dev/tessera/cmd/fsck").CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go build fsck: %v\n%s", err, out)
		}
		t.Skipf("cannot build tessera's fsck here (set CI=true to fail): %v\n%s", err, out)
	}
	return filepath.Join(dir, "fsck")
}

// runFsck checks the log served at base (its tlog-tiles prefix) with
// tessera's fsck and returns its output, failing the test if fsck fails.
func runFsck(t *testing.T, fsck, base, vkeyFile, token string) string {
	t.Helper()
	out, err := fsckRun(fsck, base, vkeyFile, token, 2*time.Minute)
	// fsck v1.0.4 exits 0 also when it finds a fault: its words decide.
	if err != nil || !strings.Contains(out, "Successfully fsck'd") || strings.Contains(out, "fsck failed") {
		t.Fatalf("fsck of %s: %v\n%s", base, err, abbrevOut(out))
	}
	return out
}

func fsckRun(fsck, base, vkeyFile, token string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out, err := exec.CommandContext(ctx, fsck, "--storage_url", base, "--public_key", vkeyFile, "--bearer_token", token,
		"--ui=false", "--logtostderr", "-N", "2").CombinedOutput()
	return string(out), err
}

func abbrevOut(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// TestFsckInterop: tessera's fsck, a verifier this project did not write,
// checks the log as the server serves it (C2SP tlog-tiles and
// tlog-checkpoint): at several sizes, while new leaves and checkpoints are
// being made, and through a proxy that serves a client's older checkpoint,
// whose partial tiles the server must still serve.
func TestFsckInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tessera's fsck")
	}
	fsck := buildFsck(t)
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		signer := testSigner(t)
		vkeyFile := filepath.Join(t.TempDir(), "log.pub")
		if err := os.WriteFile(vkeyFile, []byte(signerVKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		reg := e.scopeOf("ua-reg")
		n := 0
		grow := func(k int) audit.Checkpoint {
			t.Helper()
			var nrs []sqlstore.NewRecord
			for range k {
				n++
				nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
					Surname: fmt.Sprintf("Перевірка%d", n), GivenNames: "Олег", BirthDate: person.Date{Year: 1990}}})
			}
			if _, err := db.CreateRecords(ctx, reg, nrs); err != nil {
				t.Fatal(err)
			}
			cp, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := audit.PeekCheckpoint(cp)
			return c
		}
		base := e.ts.URL + "/log/"
		token := e.tokens["aud"]
		grow(3)
		older, _ := db.LatestCheckpoint(ctx)
		for _, k := range []int{300, 800} {
			c := grow(k)
			out := runFsck(t, fsck, base, vkeyFile, token)
			_, ok, _ := strings.Cut(out, "Successfully")
			t.Logf("fsck at size %d: successfully %s", c.Size, strings.TrimSpace(ok))
		}

		// A client holding the older checkpoint: a proxy serves it as the
		// latest and passes everything else to the server.
		target, _ := url.Parse(e.ts.URL)
		rp := httputil.NewSingleHostReverseProxy(target)
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/log/checkpoint" {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write(older)
				return
			}
			rp.ServeHTTP(w, r)
		}))
		defer proxy.Close()
		runFsck(t, fsck, proxy.URL+"/log/", vkeyFile, token)

		// fsck is no rubber stamp: one byte changed in a hash tile on the
		// way and it fails, saying what it expected. (Two workers: with one,
		// fsck v1.0.4 waits forever after a mismatch.)
		tamper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/log/tile/0/001" {
				rp.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			if len(b) > 100 {
				b[100] ^= 1
			}
			w.WriteHeader(rec.Code)
			w.Write(b)
		}))
		defer tamper.Close()
		out, err := fsckRun(fsck, tamper.URL+"/log/", vkeyFile, token, 15*time.Second)
		if strings.Contains(out, "Successfully") || !strings.Contains(out, "fsck failed: failed: tile/0/001: log has") {
			t.Fatalf("fsck did not find the changed tile (%v):\n%s", err, abbrevOut(out))
		}

		// While leaves and checkpoints are being made.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var nrs []sqlstore.NewRecord
				for range 7 {
					nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
						Surname: "Поспіль", GivenNames: "Іван", BirthDate: person.Date{Year: 1991}}})
				}
				if _, err := db.CreateRecords(ctx, reg, nrs); err != nil {
					t.Error(err)
					return
				}
				if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		for range 3 {
			runFsck(t, fsck, base, vkeyFile, token)
		}
		close(stop)
		wg.Wait()
	})
}

// The tiles a client holding an older checkpoint reads are served: the
// partial hash tile and entry bundle of that size, after newer checkpoints.
func TestPartialTilesServedOverHTTP(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		signer := testSigner(t)
		if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
			t.Fatal(err)
		}
		cp, _ := db.LatestCheckpoint(ctx)
		c, _ := audit.PeekCheckpoint(cp)
		if c.Size%256 == 0 {
			t.Skip("the first checkpoint is a whole tile")
		}
		if code, _ := e.do("ua-reg", "POST", "/api/v1/records", heldBody("UA", "Пізніший")); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{fmt.Sprintf("/log/tile/0/000.p/%d", c.Size), fmt.Sprintf("/log/tile/entries/000.p/%d", c.Size)} {
			code, body := e.do("aud", "GET", p, nil)
			if code != http.StatusOK || len(body) == 0 {
				t.Errorf("GET %s after a newer checkpoint: %d %s", p, code, strings.TrimSpace(string(body)))
			}
		}
		code, _ := e.do("aud", "GET", fmt.Sprintf("/log/tile/0/000.p/%d", c.Size+1), nil)
		if code != http.StatusNotFound {
			t.Errorf("a partial tile of a size no checkpoint had: %d, want 404", code)
		}
	})
}

// countingHandler counts the bytes a handler writes in bodies.
type countingHandler struct {
	h  http.Handler
	mu sync.Mutex
	n  int64
}

type countingWriter struct {
	http.ResponseWriter
	c *countingHandler
}

func (w countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.c.mu.Lock()
	w.c.n += int64(n)
	w.c.mu.Unlock()
	return n, err
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.h.ServeHTTP(countingWriter{w, c}, r)
}

// BenchmarkFsckBig: tessera's fsck over the log as the server serves it,
// at sqltest.BigLogSize leaves (1,000,000 unless HANDOVER_BENCH_LOG_LEAVES
// says otherwise), on each database; it reports the seconds per fsck and
// the megabytes the server sent.
//
//	go test -run '^$' -bench FsckBig -benchtime 1x ./internal/web
func BenchmarkFsckBig(b *testing.B) {
	fsck := buildFsck(b)
	n := sqltest.BigLogSize(b)
	for _, dialect := range sqltest.Dialects(b) {
		b.Run(fmt.Sprintf("%s/leaves=%d", dialect, n), func(b *testing.B) {
			l := sqltest.BigLog(b, dialect, n, "handover.test/big")
			ctx := context.Background()
			if _, err := l.DB.CreateUser(ctx, sqlstore.NewUser{Login: "aud", Role: access.Auditor, Password: "a long enough password", Argon2: cheap}); err != nil {
				b.Fatal(err)
			}
			token := mintToken(b, l.DB, "aud")
			count := &countingHandler{h: web.New(l.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{LogVKey: l.VKey}).Handler()}
			ts := httptest.NewServer(count)
			defer ts.Close()
			vkeyFile := filepath.Join(b.TempDir(), "log.pub")
			if err := os.WriteFile(vkeyFile, []byte(l.VKey+"\n"), 0o600); err != nil {
				b.Fatal(err)
			}
			runs := 0
			for b.Loop() {
				out, err := fsckRun(fsck, ts.URL+"/log/", vkeyFile, token, 30*time.Minute)
				if err != nil || !strings.Contains(out, "Successfully fsck'd") {
					b.Fatalf("fsck: %v\n%s", err, abbrevOut(out))
				}
				runs++
			}
			b.ReportMetric(float64(count.n)/float64(runs)/1e6, "MB-served/op")
		})
	}
}
