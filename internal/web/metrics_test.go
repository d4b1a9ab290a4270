package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
	"github.com/handover-project/handover/internal/witness"
)

// scrape reads base/metrics with token ("" for none) and parses it with
// Prometheus's own text parser; it returns the status and the families.
func scrape(t *testing.T, base, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse as the Prometheus text format: %v", err)
	}
	return resp.StatusCode, fams
}

// metric is the value of the sample of family name whose labels include
// labels; ok is false when there is none.
func metric(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// TestMetrics scrapes /metrics as Prometheus would and parses it with its
// text parser: a request is counted under its route's pattern, the log's
// size is the tree's size after leaves are written and a checkpoint's size
// after it, a witness's gauge moves after its cosignature, imports and
// matching runs are counted; the metrics are refused without a sysadmin's
// token, and to a party's registrar.
func TestMetrics(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var wc *witness.Client
		statuses := func() []api.WitnessStatus {
			var out []api.WitnessStatus
			for _, st := range wc.Statuses() {
				out = append(out, api.WitnessStatus{Name: st.Name, CosignedSize: st.CosignedSize, CosignedAt: st.CosignedAt, Failures: st.Failures})
			}
			return out
		}
		e := newEnvConfig(t, db, web.Config{Signer: testSigner(t), Witnesses: statuses})
		// A witness of UA's bureau, registered by two of its people.
		wsk, _, _ := audit.GenerateKey("ua-witness")
		sqltest.ActivateKey(t, db, wsk, "UA", sqlstore.KeyWitness)
		cosigner, _ := audit.NewCosigner(wsk)
		keys, _ := audit.NewKeys("handover.test/log", signerVKey)
		ws := httptest.NewServer(witness.NewServer(cosigner, keys, witness.FileState(filepath.Join(t.TempDir(), "state")), slog.New(slog.NewTextHandler(io.Discard, nil))))
		t.Cleanup(ws.Close)
		wc = witness.NewClient(db, []witness.Target{{Name: "ua-witness", URL: ws.URL}}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))

		for _, c := range []struct {
			login string
			want  int
		}{{"", http.StatusUnauthorized}, {"ua-reg", http.StatusForbidden}, {"admin", http.StatusForbidden}, {"aud", http.StatusForbidden}} {
			if st, _ := scrape(t, e.ts.URL, e.tokens[c.login]); st != c.want {
				t.Errorf("/metrics as %q: %d, want %d", c.login, st, c.want)
			}
		}
		sys := e.tokens["sys"]
		_, before := scrape(t, e.ts.URL, sys)
		route := "GET /api/v1/records"
		n0, _ := metric(before, "handover_http_requests_total", "route", route, "code", "200")
		if st, b := e.do("ua-reg", "GET", "/api/v1/records?kind=held", nil); st != 200 {
			t.Fatalf("records: %d %s", st, b)
		}
		created0, _ := metric(before, "handover_log_leaves_appended_total", "type", "record.created")
		for _, s := range []string{"Перший", "Другий", "Третій"} {
			if st, b := e.do("ua-reg", "POST", "/api/v1/records", heldBody("", s)); st != 201 {
				t.Fatalf("create: %d %s", st, b)
			}
		}
		_, after := scrape(t, e.ts.URL, sys)
		if n1, _ := metric(after, "handover_http_requests_total", "route", route, "code", "200"); n1 != n0+1 {
			t.Errorf("requests of %s: %v, then %v; want one more", route, n0, n1)
		}
		if _, ok := metric(after, "handover_http_request_duration_seconds", "route", route); !ok {
			t.Errorf("no latency histogram of %s", route)
		}
		for _, f := range after["handover_http_requests_total"].GetMetric() {
			for _, l := range f.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == "GET /api/v1/records?kind=held" {
					t.Errorf("a request was counted under its path, not its route: %s", l.GetValue())
				}
			}
		}
		if c, _ := metric(after, "handover_log_leaves_appended_total", "type", "record.created"); c != created0+3 {
			t.Errorf("record.created leaves: %v, then %v; want 3 more", created0, c)
		}
		size, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := metric(after, "handover_log_size"); got != float64(size) {
			t.Errorf("handover_log_size %v, the tree's size %d", got, size)
		}
		if got, _ := metric(after, "handover_db_max_open_connections"); got < 1 {
			t.Errorf("handover_db_max_open_connections %v", got)
		}

		// A checkpoint, and the witness's cosignature on it.
		cp, err := db.Checkpoint(ctx, testSigner(t), audit.CheckpointSchedule{}, true)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := audit.PeekCheckpoint(cp)
		wc.Round(ctx)
		_, cosigned := scrape(t, e.ts.URL, sys)
		if got, _ := metric(cosigned, "handover_log_checkpoint_size"); got != float64(c.Size) {
			t.Errorf("handover_log_checkpoint_size %v, want %d", got, c.Size)
		}
		if age, ok := metric(cosigned, "handover_log_checkpoint_age_seconds"); !ok || age < 0 {
			t.Errorf("handover_log_checkpoint_age_seconds %v (present %v)", age, ok)
		}
		if got, _ := metric(cosigned, "handover_witness_cosigned_size", "witness", "ua-witness"); got != float64(c.Size) {
			t.Errorf("handover_witness_cosigned_size of ua-witness %v, want %d (before the round: %v)", got, c.Size, wc.Statuses())
		}
		if got, _ := metric(before, "handover_witness_cosigned_size", "witness", "ua-witness"); got != 0 {
			t.Errorf("before any cosignature, the witness gauge says %v", got)
		}

		// An import stored, one refused; a matching run.
		if st, b := e.upload("ua-reg", importForm("UA", "held"), "list.csv", matrixCSV); st != 200 {
			t.Fatalf("import: %d %s", st, b)
		}
		if st, _ := e.upload("ua-reg", importForm("UA", "held"), "bad.csv", []byte("Прізвище;Дата народження\r\n;31.02.1990\r\n")); st != 400 {
			t.Fatalf("a bad import: %d, want 400", st)
		}
		if st, b := e.do("op", "POST", "/api/v1/matching/runs", map[string]any{"sought_party": "RU", "held_party": "UA"}); st != 201 && st != 200 {
			t.Fatalf("matching run: %d %s", st, b)
		}
		_, later := scrape(t, e.ts.URL, sys)
		for _, c := range []struct {
			name   string
			labels []string
			was    map[string]*dto.MetricFamily
			more   float64
		}{
			{"handover_imports_total", []string{"outcome", "imported"}, after, 1},
			{"handover_imports_total", []string{"outcome", "refused"}, after, 1},
			{"handover_import_records_total", nil, after, 1},
			{"handover_matching_runs_total", nil, after, 1},
		} {
			was, _ := metric(c.was, c.name, c.labels...)
			now, ok := metric(later, c.name, c.labels...)
			if !ok || now != was+c.more {
				t.Errorf("%s%v: %v, then %v; want %v more", c.name, c.labels, was, now, c.more)
			}
		}
	})
}

// TestMetricsAllow: an address serve --metrics-allow names reads the
// metrics without a token; any other needs a sysadmin's. The address is
// the connection's, not what X-Forwarded-For claims, even from a proxy
// serve --trusted-proxy names.
func TestMetricsAllow(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnvConfig(t, db, web.Config{Signer: testSigner(t), MetricsAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		if st, fams := scrape(t, e.ts.URL, ""); st != http.StatusOK || fams["handover_log_size"] == nil {
			t.Errorf("from 127.0.0.1, allowed: %d", st)
		}
		other := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{MetricsAllow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		ts := httptest.NewServer(other.Handler())
		t.Cleanup(ts.Close)
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		req.Header.Set("X-Forwarded-For", "10.1.2.3")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("from 127.0.0.1 claiming 10.1.2.3, only 10.0.0.0/8 allowed: %d, want 401", resp.StatusCode)
		}
		if st, _ := scrape(t, ts.URL, e.tokens["sys"]); st != http.StatusOK {
			t.Errorf("a sysadmin's token from a disallowed address: %d, want 200", st)
		}
	})
}
