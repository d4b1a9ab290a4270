package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// get sends GET path to base with the token ("" for none) and extra headers.
func get(t *testing.T, base, path, token string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// A transport that leaves Accept-Encoding as the test sets it.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// growLog gives the test's log n more records and a checkpoint.
func growLog(t *testing.T, e *env, n int) audit.Checkpoint {
	t.Helper()
	ctx := context.Background()
	var nrs []sqlstore.NewRecord
	for i := range n {
		nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: person.Fields{Kind: person.Held, Category: person.Military,
			Surname: fmt.Sprintf("Плитка%d", i), GivenNames: "Олег", BirthDate: person.Date{Year: 1990}}})
	}
	if _, err := e.db.CreateRecords(ctx, e.scopeOf("ua-reg"), nrs); err != nil {
		t.Fatal(err)
	}
	cp, err := e.db.Checkpoint(ctx, testSigner(t), audit.CheckpointSchedule{}, true)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := audit.PeekCheckpoint(cp)
	return c
}

// The headers and statuses C2SP tlog-tiles and tlog-checkpoint name: the
// checkpoint's content type and short caching; tiles as octet streams,
// cached a year and immutable (privately behind a token); entry bundles
// gzipped for a client that accepts it, hash tiles never; 404 beyond the
// tree and for a partial tile of a size no checkpoint had.
func TestLogTileHeaders(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		c := growLog(t, e, 300)
		tok := e.tokens["aud"]
		base := e.ts.URL

		resp, body := get(t, base, "/log/checkpoint", tok)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=0") || !bytes.HasPrefix(body, []byte("handover.test/log\n")) {
			t.Errorf("checkpoint: %d %v %q", resp.StatusCode, resp.Header, body[:min(40, len(body))])
		}

		resp, full := get(t, base, "/log/tile/0/000", tok, "Accept-Encoding", "gzip")
		if resp.StatusCode != 200 || len(full) != 256*32 || resp.Header.Get("Content-Type") != "application/octet-stream" ||
			resp.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("full hash tile: %d, %d bytes, %v", resp.StatusCode, len(full), resp.Header)
		}

		_, plain := get(t, base, "/log/tile/entries/000", tok, "Accept-Encoding", "identity")
		resp, zipped := get(t, base, "/log/tile/entries/000", tok, "Accept-Encoding", "br, gzip;q=0.8")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") ||
			resp.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Fatalf("entry bundle with gzip: %d %v", resp.StatusCode, resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		if !bytes.Equal(unzipped, plain) || len(plain) == 0 {
			t.Errorf("the gzipped bundle is not the bundle: %d vs %d bytes", len(unzipped), len(plain))
		}
		if len(zipped) >= len(plain) {
			t.Errorf("gzip made the bundle no smaller: %d → %d", len(plain), len(zipped))
		}
		t.Logf("entry bundle 000: %d bytes, %d gzipped", len(plain), len(zipped))
		if resp, _ := get(t, base, "/log/tile/entries/000", tok, "Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip;q=0 got gzip")
		}

		resp, _ = get(t, base, fmt.Sprintf("/log/tile/0/001.p/%d", c.Size-256), tok)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("the latest partial tile: %d %v", resp.StatusCode, resp.Header)
		}
		for _, p := range []string{
			fmt.Sprintf("/log/tile/0/001.p/%d", c.Size-256+1), // beyond the checkpoint
			"/log/tile/0/002",     // beyond the tree
			"/log/tile/0/001.p/3", // a size no checkpoint had
			"/log/tile/0/1",       // not a tile path
		} {
			resp, _ := get(t, base, p, tok)
			if resp.StatusCode != 404 || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %d, Cache-Control %q; want 404 and no-store", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
		}
		if resp, _ := get(t, base, "/log/tile/0/000", ""); resp.StatusCode != 401 {
			t.Errorf("a tile without a token: %d, want 401 (the default)", resp.StatusCode)
		}
	})
}

// serve --log-public: the tiles and the checkpoint without a token, cached
// publicly; proofs and keys still behind the API's tokens. The witnesses'
// status is served to the log's readers.
func TestLogPublicAndWitnesses(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	c := growLog(t, e, 3)
	if c.Size >= 256 {
		t.Fatalf("the log has %d leaves; the test wants a partial entry bundle", c.Size)
	}
	at := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	status := []api.WitnessStatus{{Name: "witness.example/litewitness", URL: "http://127.0.0.1:7380", CosignedSize: 12, CosignedAt: at, RoundTrip: "3ms"}}
	srv := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Signer: testSigner(t), LogVKey: signerVKey, LogPublic: true,
		Witnesses: func() []api.WitnessStatus { return status }})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	if resp, _ := get(t, ts.URL, "/log/checkpoint", ""); resp.StatusCode != 200 {
		t.Errorf("public checkpoint: %d", resp.StatusCode)
	}
	resp, _ := get(t, ts.URL, fmt.Sprintf("/log/tile/entries/000.p/%d", c.Size), "")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("public tile: %d %v", resp.StatusCode, resp.Header)
	}
	for _, p := range []string{"/api/v1/log/proof/inclusion?index=0", "/api/v1/log/keys", "/api/v1/log/witnesses"} {
		if resp, _ := get(t, ts.URL, p, ""); resp.StatusCode != 401 {
			t.Errorf("%s without a token on a public log: %d, want 401", p, resp.StatusCode)
		}
	}
	resp, body := get(t, ts.URL, "/api/v1/log/witnesses", e.tokens["aud"])
	var got []api.WitnessStatus
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || len(got) != 1 || got[0].CosignedSize != 12 || !got[0].CosignedAt.Equal(at) {
		t.Errorf("witnesses: %d %s", resp.StatusCode, body)
	}
	// The log page shows them, in the reader's language.
	e2 := *e
	e2.ts = ts
	cookie := e2.ukSession("aud")
	code, page, _ := e2.page(cookie, "GET", "/audit", nil)
	for _, want := range []string{"Свідки, яким сервер надсилає контрольні точки", "witness.example/litewitness", "http://127.0.0.1:7380", "відповідає"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("/audit with a witness: %d, no %q", code, want)
		}
	}
	status[0].LastError, status[0].Failures, status[0].NextAttempt = "the witness cannot be reached: connection refused", 3, at.Add(time.Minute)
	_, page, _ = e2.page(cookie, "GET", "/audit", nil)
	if !strings.Contains(page, "Невдалих спроб поспіль: 3") || !strings.Contains(page, "connection refused") {
		t.Errorf("/audit with a failing witness does not say so")
	}
	if _, page, _ := e.page(e.ukSession("aud"), "GET", "/audit", nil); strings.Contains(page, "Свідки, яким") {
		t.Errorf("/audit without witnesses shows the witnesses' table")
	}
	// Without witnesses: an empty list, not null.
	if code, body := e.do("aud", "GET", "/api/v1/log/witnesses", nil); code != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("no witnesses: %d %s", code, body)
	}
}
