package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// logLines are the JSON lines a server logged.
func logLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line that is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestRequestID: a caller's X-Request-Id (a reverse proxy's) is kept when
// it is short and plain, and returned; one too long or with other
// characters is replaced by a new id; the request's log line carries the
// id and the route's pattern, never the path.
func TestRequestID(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		var logs syncBuf
		srv := web.New(db, slog.New(slog.NewJSONHandler(&logs, nil)), web.Config{})
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
		for _, c := range []struct {
			given, path string
			kept        bool
		}{
			{"nginx-4f1c2a.7:1_x", "/healthz", true},
			{strings.Repeat("a", 64), "/healthz", true},
			{strings.Repeat("a", 65), "/healthz", false},
			{"id with spaces", "/healthz", false},
			{"Ковальчук", "/healthz", false},
			{"a\"b", "/healthz", false},
			{"", "/healthz", false},
			{"", "/api/v1/records/Ковальчук%20Олександр", false},
		} {
			req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
			if c.given != "" {
				req.Header.Set("X-Request-Id", c.given)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got := resp.Header.Get("X-Request-Id")
			if c.kept && got != c.given {
				t.Errorf("X-Request-Id %q: answered %q, want it kept", c.given, got)
			}
			if !c.kept && !generated.MatchString(got) {
				t.Errorf("X-Request-Id %q: answered %q, want a new id of 16 hex digits", c.given, got)
			}
			var line map[string]any
			for _, l := range logLines(t, logs.Bytes()) {
				if l["msg"] == "request" && l["request_id"] == got {
					line = l
				}
			}
			if line == nil {
				t.Fatalf("no request line with id %q in:\n%s", got, logs.Bytes())
			}
			if _, ok := line["path"]; ok {
				t.Errorf("the request line has the path: %v", line)
			}
			want := "GET /healthz"
			if c.path != "/healthz" {
				want = "GET /api/v1/records/{id}"
			}
			if line["route"] != want {
				t.Errorf("route %v, want %q", line["route"], want)
			}
		}
		if strings.Contains(logs.String(), "Ковальчук") {
			t.Errorf("a name sent in a path or a header reached the log:\n%s", logs.Bytes())
		}
	})
}

// TestHSTS: Strict-Transport-Security is sent over TLS, and never over
// plain HTTP (RFC 6797 §7.2).
func TestHSTS(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		h := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{}).Handler()
		plain := httptest.NewServer(h)
		t.Cleanup(plain.Close)
		tls := httptest.NewTLSServer(h)
		t.Cleanup(tls.Close)
		for _, c := range []struct {
			url    string
			client *http.Client
			want   bool
		}{{plain.URL, http.DefaultClient, false}, {tls.URL, tls.Client(), true}} {
			resp, err := c.client.Get(c.url + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Strict-Transport-Security")
			if (got != "") != c.want || (c.want && !strings.Contains(got, "max-age=31536000")) {
				t.Errorf("%s: Strict-Transport-Security %q, want present: %v", c.url, got, c.want)
			}
		}
	})
}

// syncBuf is a buffer the server's log writes to while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// Bytes returns a copy of what was written.
func (b *syncBuf) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}

func (b *syncBuf) String() string { return string(b.Bytes()) }

// TestImportLogNamesNoFile: an import from a page is logged by the file's
// SHA-256 and its counts, not its name, which a registrar may have made
// of the surname of the person in it.
func TestImportLogNamesNoFile(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ua := e.session("ua-reg")
		fixed := readTestdata(t, "import-fixed.csv")
		_, body := e.pageUpload(ua, map[string]string{"party": "UA", "kind": "held"}, "Коваль Олег Іванович.csv", fixed)
		id, sha := uploadIDRE.FindStringSubmatch(body), uploadSHA.FindStringSubmatch(body)
		if id == nil || sha == nil {
			t.Fatalf("no confirmation offered:\n%s", body)
		}
		if st, body, _ := e.page(ua, "POST", "/import/confirm", url.Values{"upload": {id[1]}, "sha256": {sha[1]}}); st != 200 {
			t.Fatalf("confirm: %d\n%s", st, body)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, sha[1]) {
			t.Errorf("the import is not logged by its SHA-256 %s:\n%s", sha[1], logs)
		}
		if strings.Contains(logs, "Коваль") {
			t.Errorf("the log names the file (and the person):\n%s", logs)
		}
	})
}
