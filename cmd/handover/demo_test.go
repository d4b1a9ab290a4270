package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestDemoOnEachDatabase runs 'handover demo --db DSN' on SQLite and, when
// configured, on PostgreSQL, then serves what it seeded with 'handover
// serve --db DSN' and checks, as the demo's users, that the data is in that
// database: the registers, a matching backlog for the mediator, and stage
// 1 of the signed exchange open for each party's officer. A second run on
// the same directory and database serves the existing demo.
func TestDemoOnEachDatabase(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			dir := filepath.Join(t.TempDir(), "demo")
			out := mustRunLS(t, "demo", "--dir", dir, "--db", dsn, "--records", "200", "--no-serve")
			for _, re := range []string{
				`(?m)^seeded 200 sought records of UA \(20 of them held by RU\)$`,
				`(?m)^matching: run 1, UA sought × RU held: [1-9][0-9]* candidate pairs for the mediator to review; 20 of the 20 sought persons RU holds are among them$`,
				`(?m)^matching: run 2, RU sought × UA held: [1-9][0-9]* candidate pairs for the mediator to review; 20 of the 20 sought persons UA holds are among them$`,
				`(?m)^exchange ex-\S+: stage 1 is open for the checkpoint officers`,
			} {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("demo output does not match %s:\n%s", re, out)
				}
			}
			if dialect == "postgres" {
				if _, err := os.Stat(filepath.Join(dir, "handover.db")); err == nil {
					t.Errorf("demo --db postgres://… wrote an SQLite database into %s", dir)
				}
			}
			if out := mustRunLS(t, "demo", "--dir", dir, "--db", dsn, "--no-serve"); !strings.Contains(out, "using the existing demo") {
				t.Errorf("second run: %s, want the existing demo served", out)
			}

			b, err := os.ReadFile(filepath.Join(dir, credentialsFile))
			if err != nil {
				t.Fatal(err)
			}
			var creds demoCredentials
			if err := json.Unmarshal(b, &creds); err != nil {
				t.Fatal(err)
			}
			tokens := creds.tokens()
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan int, 1)
			urlFile := filepath.Join(t.TempDir(), "url")
			go func() {
				m := &Main{Stdin: strings.NewReader(""), Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }}
				done <- m.Run(ctx, []string{"serve", "--dir", dir, "--db", dsn, "--listen", "127.0.0.1:0", "--url-file", urlFile})
			}()
			defer func() {
				stop()
				if code := <-done; code != 0 {
					t.Errorf("serve exited with %d", code)
				}
			}()
			var url string
			for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if b, err := os.ReadFile(urlFile); err == nil {
					url = strings.TrimSpace(string(b))
				}
			}
			if url == "" {
				t.Fatal("serve wrote no URL")
			}
			c := func(login string) *client.Client {
				c, err := client.New(url, tokens[login])
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			runs, err := c("mediator").MatchRuns(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 2 || runs[0].Candidates == 0 || runs[1].Candidates == 0 {
				t.Errorf("matching runs %+v, want two with candidates", runs)
			}
			exs, err := c("mediator").Exchanges(ctx)
			if err != nil {
				t.Fatal(err)
			}
			open := 0
			for _, ex := range exs {
				for _, login := range []string{"ua-officer", "ru-officer"} {
					stages, err := c(login).Stages(ctx, ex.ID)
					if err != nil {
						continue // not signed: no stages
					}
					for _, st := range stages {
						if st.State == "open" {
							open++
						}
					}
				}
			}
			if open != 2 {
				t.Errorf("the officers of UA and RU see %d open stages between them, want one each", open)
			}
		})
	}
}

// TestScenarioOnEachDatabase plays 'handover scenario may-2025 --db DSN',
// scaled down, on SQLite and, when configured, on PostgreSQL: the same
// stages and a clean audit on either; a database that holds data already
// is refused.
func TestScenarioOnEachDatabase(t *testing.T) {
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			dir := filepath.Join(t.TempDir(), "scenario")
			out := mustRunLS(t, "scenario", "may-2025", "--scale", "0.05", "--dir", dir, "--db", dsn)
			for _, want := range []string{
				"stage 1: planned 20, handed over UA 20 RU 20, refused 2, not presented 1, substituted 3, unlisted 0, parity true",
				"stage 3: planned 15, handed over UA 15 RU 15",
				"log audit: ok",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("scenario output lacks %q:\n%s", want, out)
				}
			}
			if dialect == "postgres" {
				if _, err := os.Stat(filepath.Join(dir, "handover.db")); err == nil {
					t.Errorf("scenario --db postgres://… wrote an SQLite database into %s", dir)
				}
			}
			code, _, errOut := runLS(t, "scenario", "may-2025", "--scale", "0.05", "--dir", dir, "--db", dsn)
			if code != 2 || !strings.Contains(errOut, "holds data already") {
				t.Errorf("a second play on the same database: exit %d, %s; want 2 and a word on the data it holds", code, errOut)
			}
		})
	}
	code, _, errOut := runLS(t, "scenario", "may-2025", "--server", "http://127.0.0.1:1", "--db", "x")
	if code != 2 || !strings.Contains(errOut, "either --server or --dir and --db") {
		t.Errorf("--server with --db: exit %d, %s", code, errOut)
	}
}
