package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestStartRunFromPage: the mediator starts a matching run from the runs
// page, is shown its progress, and lands on its candidates when it is done;
// a bad form says what is wrong; nobody else sees the job.
func TestStartRunFromPage(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	if st, b := e.do("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "sought", "category": "military",
		"surname": "Ковальчук", "given_names": "Олександр", "birth_date": "1998-05-23", "service_number": "А-123456"}); st != 201 {
		t.Fatal(st, string(b))
	}
	if st, b := e.do("ru-reg", "POST", "/api/v1/records", map[string]any{"kind": "held", "category": "military",
		"surname": "Ковальчук", "given_names": "Александр", "birth_date": "1998-05-23", "service_number": "A123456"}); st != 201 {
		t.Fatal(st, string(b))
	}
	op := e.session("op")
	st, page, _ := e.page(op, "GET", "/matching", nil)
	wantPage(t, "runs page", st, page, 200, `id="start-run"`, `name="sought_party"`)
	st, page, _ = e.page(op, "POST", "/matching/runs", url.Values{"sought_party": {"UA"}, "held_party": {"UA"}})
	if st != http.StatusUnprocessableEntity && st != http.StatusBadRequest || !strings.Contains(page, "other party") {
		t.Errorf("same party: %d\n%s", st, page)
	}
	st, _, h := e.page(op, "POST", "/matching/runs", url.Values{"sought_party": {"UA"}, "held_party": {"RU"}})
	job := h.Get("Location")
	if st != http.StatusSeeOther || !strings.HasPrefix(job, "/matching/jobs/") {
		t.Fatalf("start: %d %q", st, job)
	}
	// Another operator's session (another user) does not see the job.
	if st, _, _ := e.page(e.session("ua-reg"), "GET", job, nil); st != 403 && st != 404 {
		t.Errorf("registrar on the job: %d", st)
	}
	var run string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		st, page, h = e.page(op, "GET", job, nil)
		if st == http.StatusSeeOther {
			run = h.Get("Location")
			break
		}
		if st != 200 || !strings.Contains(page, `id="job-progress"`) || h.Get("Refresh") == "" {
			t.Fatalf("progress page: %d, refresh %q\n%s", st, h.Get("Refresh"), page)
		}
	}
	if !strings.HasPrefix(run, "/matching/runs/") {
		t.Fatalf("the run did not finish: last %d", st)
	}
	st, page, _ = e.page(op, "GET", run, nil)
	wantPage(t, "candidates", st, page, 200, "Ковальчук Олександр", "Ковальчук Александр")
}
