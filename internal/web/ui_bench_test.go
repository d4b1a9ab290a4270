package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
	"github.com/handover-project/handover/internal/web"
)

// BenchmarkPages measures the server time of the main pages over 100,000
// records (one party's held and sought registers), through the whole
// handler (session lookup, policy, store, template) without the network.
// It prints figures and fails on nothing (STYLE.md rule 22):
//
//	go test -run '^$' -bench Pages -benchtime 50x ./internal/web
func BenchmarkPages(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	db := sqltest.Open(b, "sqlite")
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
	reg, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap})
	if err != nil {
		b.Fatal(err)
	}
	gen := synth.New(synth.Config{Seed: 1, Ref: time.Now()})
	start := time.Now()
	var some person.Record
	for _, k := range []person.Kind{person.Held, person.Sought} {
		fs := gen.Records("UA", k, n/2)
		for i := 0; i < len(fs); i += 5000 {
			batch := make([]sqlstore.NewRecord, 0, 5000)
			for _, f := range fs[i:min(i+5000, len(fs))] {
				batch = append(batch, sqlstore.NewRecord{Party: "UA", Fields: f, Source: "benchmark"})
			}
			recs, err := db.CreateRecords(ctx, reg.Scope(), batch)
			if err != nil {
				b.Fatal(err)
			}
			some = recs[len(recs)/2]
		}
	}
	b.Logf("seeded %d records in %v", n, time.Since(start).Round(time.Second))
	srv := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	h := srv.Handler()
	cookie, err := db.CreateSession(ctx, reg.ID, true)
	if err != nil {
		b.Fatal(err)
	}
	// The second page's cursor, to measure a page deep in the register.
	surname := some.Surname
	for _, p := range []struct{ name, path string }{
		{"home", "/"},
		{"records-first-page", "/records"},
		{"records-filter-kind-category", "/records?kind=sought&category=civilian"},
		{"records-search-surname", "/records?q=" + surname},
		{"records-search-rare", "/records?q=zzzz-no-such-name"},
		{"records-sort-by-name", "/records?kind=held&sort=name"},
		{"records-deep-cursor", "/records?cursor=d10000"},
		{"record-view", "/records/" + some.ID},
		{"record-edit-form", "/records/" + some.ID + "/edit"},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", p.path, nil)
				req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%s: %d", p.path, w.Code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
