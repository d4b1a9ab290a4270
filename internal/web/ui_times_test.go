package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/synth"
)

// TestPageTimesExchange measures the server time of the negotiation,
// agreement, crossing and tracing pages (whole handler, no network) on an
// exchange of 1,000 persons per side and a sought register of 50,000. It
// runs only when HANDOVER_UI_TIMES is set, prints the median of 20 calls
// and fails on nothing:
//
//	HANDOVER_UI_TIMES=1 go test -run TestPageTimesExchange -v ./internal/web
func TestPageTimesExchange(t *testing.T) {
	if os.Getenv("HANDOVER_UI_TIMES") == "" {
		t.Skip("set HANDOVER_UI_TIMES=1 to measure the exchange pages' server times")
	}
	const n = 1000
	ctx := context.Background()
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	start := time.Now()
	id, held, _ := signedExchange(t, e, db, n, "")
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
	reg, _ := db.UserByLogin(ctx, "ua-reg")
	gen := synth.New(synth.Config{Seed: 1, Ref: time.Now()})
	fs := gen.Records("UA", person.Sought, 50_000)
	var some person.Record
	for i := 0; i < len(fs); i += 5000 {
		batch := make([]sqlstore.NewRecord, 0, 5000)
		for _, f := range fs[i:min(i+5000, len(fs))] {
			batch = append(batch, sqlstore.NewRecord{Party: "UA", Fields: f, Source: "times"})
		}
		recs, err := db.CreateRecords(ctx, reg.Scope(), batch)
		if err != nil {
			t.Fatal(err)
		}
		some = recs[len(recs)/2]
	}
	t.Logf("seeded an exchange of %d per side and 50,000 sought records in %v", n, time.Since(start).Round(time.Second))
	for _, p := range []struct{ login, name, path string }{
		{"ua-reg", "exchanges", "/exchanges"},
		{"ua-reg", "exchange (2 lists of 1,000 with answers, view, charts)", "/exchanges/" + id},
		{"op", "exchange as the operator (with the stage chart)", "/exchanges/" + id},
		{"ua-reg", "agreement", "/exchanges/" + id + "/agreement"},
		{"ua-officer", "stage, no search (the 3 s poll)", "/exchanges/" + id + "/stages/1"},
		{"ua-officer", "stage, search by service number", "/exchanges/" + id + "/stages/1?q=%D0%96-RU00500"},
		{"ua-officer", "stage, search by name", "/exchanges/" + id + "/stages/1?q=%D0%9F%D0%B5%D1%82%D1%80%D0%B5%D0%BD%D0%BA%D0%BERU7"},
		{"ua-reg", "trace search by surname", "/trace?name=" + some.Surname},
		{"ua-reg", "trace search by surname and year", "/trace?name=" + some.Surname + "&birth_date=" + some.BirthDate.String()[:4]},
		{"ua-reg", "trace timeline", "/trace/" + some.ID},
		{"op", "home with the backlog chart", "/"},
	} {
		timePage(t, e, p.login, p.name, "GET", p.path, nil, 20, 200)
	}
	_ = held
}

// timePage calls the whole handler (no network) times times with a
// session of login, checks the status, and logs the median and the
// largest server time under name. A form is posted as a browser would.
func timePage(t *testing.T, e *env, login, name, method, path string, form url.Values, times, want int) {
	t.Helper()
	h := e.srv.Handler()
	cookie := e.session(login)
	var ds []time.Duration
	for range times {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, req)
		ds = append(ds, time.Since(t0))
		if w.Code != want {
			t.Fatalf("%s: %d, want %d", name, w.Code, want)
		}
	}
	slices.Sort(ds)
	t.Logf("%-62s median %7.1f ms, max %7.1f ms", name, float64(ds[len(ds)/2].Microseconds())/1000, float64(ds[len(ds)-1].Microseconds())/1000)
}
