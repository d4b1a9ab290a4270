package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real binary as a user runs it: built once per
// test run with go build, started as a separate process, stopped with a
// signal (e2e_test.go) or killed outright (crash_test.go).

var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// handoverBinary builds ./cmd/handover once per test run and returns the
// path of the binary. Under -short the end-to-end tests are skipped.
func handoverBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped under -short")
	}
	binary.once.Do(func() {
		sweepOldBinaries()
		binary.dir, binary.err = os.MkdirTemp("", "handover-e2e-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "handover")
		cmd := exec.Command("go", "build", "-o", binary.path, ".")
		binary.out, binary.err = cmd.CombinedOutput()
	})
	if binary.err != nil {
		t.Fatalf("go build: %v\n%s", binary.err, binary.out)
	}
	now := time.Now()
	os.Chtimes(binary.dir, now, now)
	return binary.path
}

// sweepOldBinaries removes the binaries of earlier test runs: a test run
// has no hook after its last test (TestMain belongs to the scripts), so each
// run clears what earlier runs left behind. handoverBinary touches its
// directory on every use, so a directory unused for 15 minutes belongs to a
// run that has finished with it.
func sweepOldBinaries() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "handover-e2e-*"))
	for _, d := range old {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > 15*time.Minute {
			os.RemoveAll(d)
		}
	}
}

// process is a running handover command.
type process struct {
	t    testing.TB
	cmd  *exec.Cmd
	out  *syncBuffer // stdout and stderr together
	done chan struct{}
	err  error // the exit error, once done is closed
}

// syncBuffer is a bytes.Buffer safe for the process's writer and the
// test's reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start runs the binary with args. The process is killed when the test
// ends if it is still running.
func start(t testing.TB, bin string, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	p.cmd.Env = append(os.Environ(), "HANDOVER_SERVER=", "HANDOVER_TOKEN=", "HANDOVER_DIR=", "HANDOVER_DB=", "HANDOVER_DATA_KEY=")
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits up to d for the process to exit and returns its exit error.
func (p *process) wait(d time.Duration) error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.t.Fatalf("%s still running after %v; output:\n%s", p.cmd.Args, d, p.out)
		return nil
	}
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// run runs the binary to completion and returns its standard output; a
// non-zero exit fails the test.
func run(t testing.TB, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HANDOVER_SERVER=", "HANDOVER_TOKEN=", "HANDOVER_DIR=", "HANDOVER_DB=", "HANDOVER_DATA_KEY=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("handover %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, &stdout, &stderr)
	}
	return stdout.String()
}

// httpAPI is an HTTP client of one server.
type httpAPI struct {
	t    testing.TB
	base string
	http *http.Client
}

func newAPI(t testing.TB, base string) *httpAPI {
	return &httpAPI{t: t, base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 10 * time.Second}}
}

// do sends a request with token ("" for none) and a JSON body (nil for
// none) and returns the status and the body. A transport error is returned,
// not fatal: the crash test expects them.
func (a *httpAPI) do(ctx context.Context, token, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// must is do with a transport error failing the test.
func (a *httpAPI) must(token, method, path string, body any) (int, []byte) {
	a.t.Helper()
	st, b, err := a.do(context.Background(), token, method, path, body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return st, b
}

// waitFor polls cond every 20 ms until it returns true or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEndToEnd runs "handover demo" as a real process, uses it through the
// API with the tokens it wrote, and stops it with SIGTERM.
func TestEndToEnd(t *testing.T) {
	bin := handoverBinary(t)
	dir := filepath.Join(t.TempDir(), "demo")
	p := start(t, bin, "demo", "--dir", dir, "--listen", "127.0.0.1:0", "--records", "200")

	var creds demoCredentials
	waitFor(t, 60*time.Second, "demo-credentials.json with a URL", func() bool {
		if p.exited() {
			t.Fatalf("demo exited early: %v\n%s", p.err, p.out)
		}
		b, err := os.ReadFile(filepath.Join(dir, credentialsFile))
		if err != nil {
			return false
		}
		creds = demoCredentials{}
		return json.Unmarshal(b, &creds) == nil && creds.URL != ""
	})
	token := map[string]string{}
	for _, u := range creds.Users {
		token[u.Login] = u.Token
	}
	for _, login := range []string{"ua-registrar", "ru-registrar"} {
		if token[login] == "" {
			t.Fatalf("no token for %s in the credentials: %+v", login, creds.Users)
		}
	}
	a := newAPI(t, creds.URL)

	for _, path := range []string{"/healthz", "/readyz"} {
		if st, b := a.must("", "GET", path, nil); st != http.StatusOK {
			t.Errorf("GET %s: got %d %s, want 200", path, st, b)
		}
	}

	// The demo seeded 200 held and 200 sought records for UA.
	st, b := a.must(token["ua-registrar"], "GET", "/api/v1/records?party=UA&kind=held&limit=1000", nil)
	var page struct {
		Records []struct{ ID, Party, Kind string }
	}
	if err := json.Unmarshal(b, &page); st != http.StatusOK || err != nil {
		t.Fatalf("list UA held: %d %s", st, b)
	}
	if len(page.Records) != 200 {
		t.Errorf("UA held register has %d records, want the 200 seeded", len(page.Records))
	}

	rec := map[string]any{"kind": "sought", "category": "military", "surname": "Наскрізний",
		"given_names": "Тест", "birth_date": "1990-02", "notes": "end-to-end test"}
	st, b = a.must(token["ua-registrar"], "POST", "/api/v1/records", rec)
	var created struct {
		ID, Party, Surname string
		Version            int
	}
	if err := json.Unmarshal(b, &created); st != http.StatusCreated || err != nil || created.ID == "" {
		t.Fatalf("create: got %d %s, want 201 and a record", st, b)
	}
	if created.Party != "UA" || created.Version != 1 || created.Surname != "Наскрізний" {
		t.Errorf("created %+v, want UA version 1 Наскрізний", created)
	}

	st, b = a.must(token["ua-registrar"], "GET", "/api/v1/records/"+created.ID, nil)
	if st != http.StatusOK || !strings.Contains(string(b), "Наскрізний") {
		t.Errorf("read back: got %d %s, want 200 with the surname", st, b)
	}
	st, b = a.must(token["ua-registrar"], "GET", "/api/v1/records?kind=sought&q=наскрізн", nil)
	page.Records = nil
	if err := json.Unmarshal(b, &page); st != http.StatusOK || err != nil || len(page.Records) != 1 || page.Records[0].ID != created.ID {
		t.Errorf("list with q: got %d %s, want the one new record", st, b)
	}

	// The other party's registrar cannot see UA's sought register, by id or
	// by list.
	st, b = a.must(token["ru-registrar"], "GET", "/api/v1/records/"+created.ID, nil)
	if st != http.StatusNotFound || !strings.Contains(string(b), `"kind":"not_found"`) {
		t.Errorf("RU registrar reading UA's sought record: got %d %s, want 404 not_found", st, b)
	}
	st, b = a.must(token["ru-registrar"], "GET", "/api/v1/records?q=наскрізн", nil)
	if st == http.StatusOK && strings.Contains(string(b), created.ID) {
		t.Errorf("RU registrar's list shows UA's sought record: %s", b)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(15 * time.Second); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0; output:\n%s", err, p.out)
	}
	if !strings.Contains(p.out.String(), "stopped") {
		t.Errorf("no \"stopped\" in the log after SIGTERM:\n%s", p.out)
	}
}
