package web_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestPageTimesStages measures the server time of the stage management
// pages (whole handler, no network) on a stage of 1,000 persons per side
// with every listed person handed over (about 2,000 events, so the parity
// chart replays them all) and 200 remains. It runs only when
// HANDOVER_UI_TIMES is set, prints the median of 20 calls and fails on
// nothing:
//
//	HANDOVER_UI_TIMES=1 go test -run TestPageTimesStages -v ./internal/web
func TestPageTimesStages(t *testing.T) {
	if os.Getenv("HANDOVER_UI_TIMES") == "" {
		t.Skip("set HANDOVER_UI_TIMES=1 to measure the stage pages' server times")
	}
	const n = 1000
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	start := time.Now()
	id, held, _ := signedExchange(t, e, db, n, "")
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
	e.ruOfficer()
	// Each officer sends its side's releases and its receipts of the other's.
	events := map[string][]any{}
	for _, side := range []string{"UA", "RU"} {
		recv := map[string]string{"UA": "RU", "RU": "UA"}[side]
		for i, rec := range held[side][:n-1] {
			events[side] = append(events[side], map[string]any{"id": fmt.Sprintf("%s-%d", side, i), "type": "released", "side": side, "record_id": rec})
			events[recv] = append(events[recv], map[string]any{"id": fmt.Sprintf("%s-%d-r", side, i), "type": "received", "side": side, "record_id": rec,
				"check": map[string]any{"method": "document"}, "health": "good"})
		}
	}
	for _, side := range []string{"UA", "RU"} {
		e.must(strings.ToLower(side)+"-officer", "POST", "/api/v1/exchanges/"+id+"/stages/1/events", map[string]any{"events": events[side]}, nil, 200)
	}
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/remains", map[string]any{"kind": "batch", "batch": map[string]any{"id": "b1", "sender": "RU", "receiver": "UA", "at": "2025-05-23T10:00:00Z", "declared": 200}}, nil, 201)
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/remains", map[string]any{"kind": "package", "package": map[string]any{"id": "p1", "batch": "b1"}}, nil, 201)
	for i := range 200 {
		e.must("op", "POST", "/api/v1/exchanges/"+id+"/remains", map[string]any{"kind": "remains", "remains": map[string]any{"id": fmt.Sprintf("r%d", i), "batch": "b1", "claim": map[string]any{"side": "UA"}, "packages": []string{"p1"}}}, nil, 201)
	}
	t.Logf("seeded a stage of %d per side with %d events and 200 remains in %v", n, len(events["UA"])+len(events["RU"]), time.Since(start).Round(time.Second))
	for _, p := range []struct{ login, name, path string }{
		{"ua-officer", "crossing: the open stages", "/crossing"},
		{"op", "crossing as the operator (with the exchanges)", "/crossing"},
		{"op", "stages with the parity chart (3,996 events)", "/exchanges/" + id + "/stages"},
		{"ua-reg", "remains (200), a reader", "/exchanges/" + id + "/remains"},
		{"op", "remains (200) with the operator's forms", "/exchanges/" + id + "/remains"},
		{"ua-officer", "stage, no search (with the forms)", "/exchanges/" + id + "/stages/1"},
	} {
		timePage(t, e, p.login, p.name, "GET", p.path, nil, 20, 200)
	}
}
