package web

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// metrics are the server's Prometheus metrics (docs/operations.md,
// "Metrics"), in a registry of the server's own: two servers in one
// process (the tests) count apart. No label holds anything a person
// typed: a request is counted by its route's pattern, never its path (a
// record's id or a login in a path, or a name someone put there, stays
// out), and the other labels are the server's own words.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	leaves        *prometheus.CounterVec
	matchingRuns  prometheus.Counter
	stageEvents   *prometheus.CounterVec
	imports       *prometheus.CounterVec
	importRecords prometheus.Counter
	handler       http.Handler
}

// stageLeaves are the log leaves counted as stage events: what happens at
// a crossing and to its stages.
var stageLeaves = map[audit.LeafType]bool{
	audit.HandoverRecorded: true, "stage.opened": true, "stage.changed": true, "remains.recorded": true,
}

// matchRunLeaf is the leaf of a stored matching run.
const matchRunLeaf audit.LeafType = "match.run"

func newMetrics(db *sqlstore.DB, witnesses httpx.WitnessSource, now func() time.Time) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handover_http_requests_total", Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "handover_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"route"})
	m.leaves = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handover_log_leaves_appended_total", Help: "Log leaves committed by this process, by leaf type: every change that matters.",
	}, []string{"type"})
	m.matchingRuns = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "handover_matching_runs_total", Help: "Matching runs stored by this process.",
	})
	m.stageEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handover_stage_events_total", Help: "Stage events committed by this process: handovers recorded, stages opened and changed, remains recorded (by leaf type).",
	}, []string{"type"})
	m.imports = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handover_imports_total", Help: "Imports of lists by outcome: imported, previewed, refused, failed.",
	}, []string{"outcome"})
	m.importRecords = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "handover_import_records_total", Help: "Records stored by imports.",
	})
	for _, o := range []string{"imported", "previewed", "refused", "failed"} {
		m.imports.WithLabelValues(o) // present at zero from the start
	}
	for t := range stageLeaves {
		m.stageEvents.WithLabelValues(string(t))
	}
	m.reg.MustRegister(m.requests, m.latency, m.leaves, m.matchingRuns, m.stageEvents, m.imports, m.importRecords,
		dbCollector{db}, logCollector{db: db, now: now}, witnessCollector{witnesses},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	db.OnCommit(m.committed)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m
}

// committed counts a committed transaction's leaves (sqlstore.CommitHook).
func (m *metrics) committed(leaves map[audit.LeafType]int) {
	for t, n := range leaves {
		m.leaves.WithLabelValues(string(t)).Add(float64(n))
		switch {
		case t == matchRunLeaf:
			m.matchingRuns.Add(float64(n))
		case stageLeaves[t]:
			m.stageEvents.WithLabelValues(string(t)).Add(float64(n))
		}
	}
}

// Import counts an import (httpx.Counters).
func (m *metrics) Import(outcome string, records int) {
	m.imports.WithLabelValues(outcome).Inc()
	if records > 0 {
		m.importRecords.Add(float64(records))
	}
}

// request counts an answered request under its route's pattern.
func (m *metrics) request(r *http.Request, status int, took time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// handleMetrics serves the metrics in the Prometheus text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

// metricsAllowed reports whether the request comes straight from an
// address serve --metrics-allow names. It reads the connection's address
// only, never X-Forwarded-For, which any client can write; behind a
// reverse proxy every request comes from the proxy's address, so the
// proxy must not pass /metrics on (docs/operations.md).
func (s *Server) metricsAllowed(r *http.Request) bool {
	if len(s.cfg.MetricsAllow) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range s.cfg.MetricsAllow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// dbCollector reports the connection pool (database/sql's DBStats).
type dbCollector struct{ db *sqlstore.DB }

var (
	dbOpenDesc     = prometheus.NewDesc("handover_db_open_connections", "Connections to the database, in use and idle.", nil, nil)
	dbInUseDesc    = prometheus.NewDesc("handover_db_in_use_connections", "Connections in use.", nil, nil)
	dbIdleDesc     = prometheus.NewDesc("handover_db_idle_connections", "Idle connections.", nil, nil)
	dbMaxOpenDesc  = prometheus.NewDesc("handover_db_max_open_connections", "The pool's limit of open connections.", nil, nil)
	dbWaitsDesc    = prometheus.NewDesc("handover_db_wait_count_total", "Times a request waited for a free connection.", nil, nil)
	dbWaitSecsDesc = prometheus.NewDesc("handover_db_wait_duration_seconds_total", "Time spent waiting for a free connection.", nil, nil)
)

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbOpenDesc, dbInUseDesc, dbIdleDesc, dbMaxOpenDesc, dbWaitsDesc, dbWaitSecsDesc} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.db.Stats()
	ch <- prometheus.MustNewConstMetric(dbOpenDesc, prometheus.GaugeValue, float64(st.OpenConnections))
	ch <- prometheus.MustNewConstMetric(dbInUseDesc, prometheus.GaugeValue, float64(st.InUse))
	ch <- prometheus.MustNewConstMetric(dbIdleDesc, prometheus.GaugeValue, float64(st.Idle))
	ch <- prometheus.MustNewConstMetric(dbMaxOpenDesc, prometheus.GaugeValue, float64(st.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(dbWaitsDesc, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(dbWaitSecsDesc, prometheus.CounterValue, st.WaitDuration.Seconds())
}

// logCollector reports the log's size and its newest checkpoint, read
// from the database at each scrape: with several server processes on one
// database, each reports the log they share.
type logCollector struct {
	db  *sqlstore.DB
	now func() time.Time
}

var (
	logSizeDesc     = prometheus.NewDesc("handover_log_size", "Leaves in the log (its tree size).", nil, nil)
	cpSizeDesc      = prometheus.NewDesc("handover_log_checkpoint_size", "Tree size of the newest checkpoint (-1: none yet).", nil, nil)
	cpTimeDesc      = prometheus.NewDesc("handover_log_checkpoint_timestamp_seconds", "When the newest checkpoint was made (Unix time).", nil, nil)
	cpAgeDesc       = prometheus.NewDesc("handover_log_checkpoint_age_seconds", "Seconds since the newest checkpoint was made.", nil, nil)
	logUncheckedDes = prometheus.NewDesc("handover_log_leaves_since_checkpoint", "Leaves appended since the newest checkpoint.", nil, nil)
)

func (c logCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{logSizeDesc, cpSizeDesc, cpTimeDesc, cpAgeDesc, logUncheckedDes} {
		ch <- d
	}
}

func (c logCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.db.LogState(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(logSizeDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(logSizeDesc, prometheus.GaugeValue, float64(st.Size))
	ch <- prometheus.MustNewConstMetric(cpSizeDesc, prometheus.GaugeValue, float64(st.CheckpointSize))
	ch <- prometheus.MustNewConstMetric(logUncheckedDes, prometheus.GaugeValue, float64(st.Size-max(st.CheckpointSize, 0)))
	if st.CheckpointSize >= 0 {
		ch <- prometheus.MustNewConstMetric(cpTimeDesc, prometheus.GaugeValue, float64(st.CheckpointAt.UnixMilli())/1000)
		ch <- prometheus.MustNewConstMetric(cpAgeDesc, prometheus.GaugeValue, c.now().Sub(st.CheckpointAt).Seconds())
	}
}

// witnessCollector reports each witness's last cosigned size and its
// failures in a row (serve --witness).
type witnessCollector struct{ src httpx.WitnessSource }

var (
	witnessSizeDesc = prometheus.NewDesc("handover_witness_cosigned_size", "Tree size of the largest checkpoint the witness cosigned.", []string{"witness"}, nil)
	witnessAtDesc   = prometheus.NewDesc("handover_witness_cosigned_timestamp_seconds", "When this server last stored the witness's cosignature (Unix time).", []string{"witness"}, nil)
	witnessFailDesc = prometheus.NewDesc("handover_witness_failures", "Submissions to the witness failed in a row (0 after a success).", []string{"witness"}, nil)
)

func (c witnessCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- witnessSizeDesc
	ch <- witnessAtDesc
	ch <- witnessFailDesc
}

func (c witnessCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src == nil {
		return
	}
	for _, w := range c.src() {
		ch <- prometheus.MustNewConstMetric(witnessSizeDesc, prometheus.GaugeValue, float64(w.CosignedSize), w.Name)
		ch <- prometheus.MustNewConstMetric(witnessFailDesc, prometheus.GaugeValue, float64(w.Failures), w.Name)
		if !w.CosignedAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(witnessAtDesc, prometheus.GaugeValue, float64(w.CosignedAt.UnixMilli())/1000, w.Name)
		}
	}
}
