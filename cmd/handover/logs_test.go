package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/scenario"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestLogsNamePersonNowhere plays the May 2025 scenario (scaled down)
// through a real server ('serve”s own code, JSON log) with its log
// captured, and besides sends what a careless or hostile caller would: a
// surname where a record's id goes, a name in X-Request-Id, an import of a
// file named after the person in it. Then it searches the log for every
// surname, given name, patronymic, birth date and service number of every
// record stored, in Cyrillic and in Latin letters: it must find none. The
// stage events counted by /metrics are the handover leaves in the log.
func TestLogsNamePersonNowhere(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, dialect)
			dir := filepath.Join(t.TempDir(), "data")
			m := &Main{Stdin: strings.NewReader(""), Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }}
			db, err := m.open(ctx, &storeFlags{dir: dir, db: dsn}, true)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cfg, err := m.logConfig(dir, "handover.test/logs", true)
			if err != nil {
				t.Fatal(err)
			}
			cfg.MetricsAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
				if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
					t.Fatal(err)
				}
			}
			tokens := map[string]string{}
			for _, a := range scenario.May2025Accounts() {
				u, err := enrolAccount(ctx, db, a.Login, a.Role, a.Party, access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				tokens[a.Login] = u.Token
			}
			logs := &syncBuffer{}
			logger, err := (&Main{Stderr: logs}).logger("json")
			if err != nil {
				t.Fatal(err)
			}
			sctx, stop := context.WithCancel(ctx)
			ready, served := make(chan string, 1), make(chan error, 1)
			go func() { served <- m.serve(sctx, db, logger, "127.0.0.1:0", cfg, func(u string) { ready <- u }) }()
			var base string
			select {
			case base = <-ready:
			case err := <-served:
				t.Fatal(err)
			}
			play, err := scenario.NewMay2025(base, tokens, scenario.May2025Config{Scale: 0.05, Seed: 2025})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := play.Play(ctx); err != nil {
				t.Fatal(err)
			}

			// What a careless or hostile caller sends.
			first := storedRecords(t, db)[0]
			send := func(method, path, token string, hdr map[string]string, body io.Reader) int {
				req, _ := http.NewRequest(method, base+path, body)
				req.Header.Set("Authorization", "Bearer "+token)
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			send("GET", "/api/v1/records/"+url.PathEscape(first.Surname+" "+first.GivenNames), tokens["ua-registrar"],
				map[string]string{"X-Request-Id": first.Surname}, nil)
			send("GET", "/records/"+url.PathEscape(first.ServiceNumber), tokens["ua-registrar"], nil, nil)
			send("GET", "/api/v1/records?q="+url.QueryEscape(first.Surname), tokens["ua-registrar"], nil, nil)
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("party", "UA")
			mw.WriteField("kind", "held")
			const importedSurname, importedBirth = "Загоруйко", "17.03.1991"
			fw, _ := mw.CreateFormFile("file", importedSurname+" Тарас "+importedBirth+".csv")
			fmt.Fprintf(fw, "Прізвище;Ім'я;Дата народження;Категорія\r\n%s;Тарас;%s;військовий\r\n", importedSurname, importedBirth)
			mw.Close()
			if st := send("POST", "/api/v1/imports", tokens["ua-registrar"], map[string]string{"Content-Type": mw.FormDataContentType()}, &buf); st != 200 {
				t.Fatalf("import: %d", st)
			}

			// The stage events /metrics counted are the log's handover leaves.
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			handovers := 0
			size, _ := db.LogSize(ctx)
			leaves, err := db.Leaves(ctx, 0, size)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range leaves {
				if l, err := audit.DecodeLeaf(b); err == nil && l.Type == audit.HandoverRecorded {
					handovers++
				}
			}
			if want := fmt.Sprintf("handover_stage_events_total{type=\"handover.recorded\"} %d\n", handovers); handovers == 0 || !strings.Contains(string(metrics), want) {
				t.Errorf("the metrics do not say %q:\n%s", want, grepLines(string(metrics), "handover_stage_events_total"))
			}
			stop()
			if err := <-served; err != nil {
				t.Fatal(err)
			}

			// Every string the log holds, raw and decoded from JSON.
			raw := logs.String()
			var text strings.Builder
			text.WriteString(raw)
			requests := 0
			sc := bufio.NewScanner(strings.NewReader(raw))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var line map[string]any
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Fatalf("a log line that is not JSON: %q", sc.Text())
				}
				if line["msg"] == "request" {
					requests++
					if id, _ := line["request_id"].(string); id == "" {
						t.Errorf("a request line without a request id: %s", sc.Text())
					}
				}
				for _, v := range line {
					fmt.Fprintf(&text, "\n%v", v)
				}
			}
			if requests < 100 {
				t.Fatalf("%d request lines logged: the log was not captured", requests)
			}
			terms := personalTerms(storedRecords(t, db))
			if !terms[importedSurname] || !terms["1991-03-17"] {
				t.Fatalf("the imported person is not among the %d terms searched for", len(terms))
			}
			terms[importedBirth] = true
			all := text.String()
			var found []string
			for term := range terms {
				if strings.Contains(all, term) {
					found = append(found, term)
				}
			}
			sort.Strings(found)
			for _, f := range found {
				t.Errorf("the log names %q:\n%s", f, grepLines(all, f))
			}
			t.Logf("%d log lines (%d requests) searched for %d names, dates and service numbers", strings.Count(raw, "\n"), requests, len(terms))
		})
	}
}

// storedRecords are every record of the store, both registers of both
// parties, read as the mediator's operator.
func storedRecords(t *testing.T, db *sqlstore.DB) []person.Record {
	t.Helper()
	op, err := db.UserByLogin(context.Background(), "mediator")
	if err != nil {
		t.Fatal(err)
	}
	var out []person.Record
	f := sqlstore.RecordFilter{Limit: 1000}
	for {
		page, err := db.Records(context.Background(), op.Scope(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			return out
		}
		f.Cursor = page.Next
	}
}

// personalTerms are the strings that would name a person of recs in a
// log: names (Cyrillic and Latin), birth dates (ISO and dd.mm.yyyy) and
// service numbers. Strings under four characters are left out: they
// occur by chance.
func personalTerms(recs []person.Record) map[string]bool {
	terms := map[string]bool{}
	add := func(s string) {
		if s = strings.TrimSpace(s); len([]rune(s)) >= 4 {
			terms[s] = true
		}
	}
	for _, r := range recs {
		for _, n := range []string{r.Surname, r.GivenNames, r.Patronymic} {
			add(n)
			add(names.Latin(n))
		}
		add(r.ServiceNumber)
		if d := r.BirthDate; d.Day > 0 {
			add(d.String())
			add(fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year))
		}
	}
	return terms
}

// grepLines are the lines of s that hold term, at most five.
func grepLines(s, term string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, term) && len(out) < 5 {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
