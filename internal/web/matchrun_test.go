package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// matchablePair posts one sought record of UA and one held record of RU
// that a matching run pairs.
func matchablePair(e *env) {
	e.t.Helper()
	if st, b := e.do("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "sought", "category": "military",
		"surname": "Ковальчук", "given_names": "Олександр", "birth_date": "1998-05-23", "service_number": "А-123456"}); st != 201 {
		e.t.Fatal(st, string(b))
	}
	if st, b := e.do("ru-reg", "POST", "/api/v1/records", map[string]any{"kind": "held", "category": "military",
		"surname": "Ковальчук", "given_names": "Александр", "birth_date": "1998-05-23", "service_number": "A123456"}); st != 201 {
		e.t.Fatal(st, string(b))
	}
}

// followJob reads the job page at base until it sends the operator to the
// run, and returns the run's page; every page before says the progress
// and reloads itself.
func followJob(t *testing.T, base, cookie, job string) string {
	t.Helper()
	st := 0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var page string
		var h http.Header
		st, page, h = pageAt(t, base, cookie, "GET", job, nil)
		if st == http.StatusSeeOther {
			return h.Get("Location")
		}
		if st != 200 || !strings.Contains(page, `id="job-progress"`) || h.Get("Refresh") == "" {
			t.Fatalf("progress page: %d, refresh %q\n%s", st, h.Get("Refresh"), page)
		}
	}
	t.Fatalf("the run did not finish: last %d", st)
	return ""
}

// TestStartRunFromPage: the mediator starts a matching run from the runs
// page, is shown its progress, and lands on its candidates when it is done;
// a bad form says what is wrong; nobody else sees the job.
func TestStartRunFromPage(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	matchablePair(e)
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
	run := followJob(t, e.ts.URL, op, job)
	if !strings.HasPrefix(run, "/matching/runs/") {
		t.Fatalf("the job sent the operator to %q", run)
	}
	st, page, _ = e.page(op, "GET", run, nil)
	wantPage(t, "candidates", st, page, 200, "Ковальчук Олександр", "Ковальчук Александр")
}

// TestRunJobOnAnotherServer: behind a round-robin load balancer the job's
// page lands on any server process of the database (docs/operations.md
// "Several servers"). A run started on one server shows its progress on
// a second one, built on the same database, which then sends the
// operator to the run; another user's request there is 404 as on the
// first.
func TestRunJobOnAnotherServer(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		e := newEnv(t, a)
		matchablePair(e)
		other := httptest.NewServer(web.New(b, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Signer: testSigner(t)}).Handler())
		t.Cleanup(other.Close)
		op := e.session("op")
		st, _, h := e.page(op, "POST", "/matching/runs", url.Values{"sought_party": {"UA"}, "held_party": {"RU"}})
		job := h.Get("Location")
		if st != http.StatusSeeOther || !strings.HasPrefix(job, "/matching/jobs/") {
			t.Fatalf("start: %d %q", st, job)
		}
		if st, _, _ := pageAt(t, other.URL, e.session("aud"), "GET", job, nil); st != 403 && st != 404 {
			t.Errorf("another user on the second server: %d, want 403 or 404", st)
		}
		run := followJob(t, other.URL, op, job)
		if !strings.HasPrefix(run, "/matching/runs/") {
			t.Fatalf("the job sent the operator to %q", run)
		}
		st, page, _ := pageAt(t, other.URL, op, "GET", run, nil)
		wantPage(t, "candidates on the second server", st, page, 200, "Ковальчук Олександр", "Ковальчук Александр")
	})
}

// TestRunJobLost: a job whose server stopped before it finished (its
// heartbeat is over 30 s old) is said to be lost, in the user's language,
// on a page that no longer reloads itself; a job that beats is still in
// progress.
func TestRunJobLost(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		op, err := db.UserByLogin(ctx, "op")
		if err != nil {
			t.Fatal(err)
		}
		ago := time.Now().Add(-time.Minute)
		for _, id := range []string{"lost", "beating"} {
			if err := db.CreateMatchJob(ctx, sqlstore.MatchJob{ID: id, User: op.ID, SoughtParty: "UA", HeldParty: "RU", Threshold: 0.9}, ago); err != nil {
				t.Fatal(err)
			}
			if err := db.MatchJobProgress(ctx, id, "score", 30, 100, ago); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MatchJobProgress(ctx, "beating", "score", 40, 100, time.Now()); err != nil {
			t.Fatal(err)
		}
		uk := e.sessionUK("op")
		st, page, h := e.page(uk, "GET", "/matching/jobs/lost", nil)
		wantPage(t, "lost job", st, page, 200, `id="job-lost"`, html.EscapeString(locale.T("uk", "runs.progress.lost")))
		if h.Get("Refresh") != "" || strings.Contains(page, `id="job-progress"`) {
			t.Errorf("a lost job's page reloads itself (Refresh %q) or shows progress", h.Get("Refresh"))
		}
		st, page, h = e.page(uk, "GET", "/matching/jobs/beating", nil)
		wantPage(t, "running job", st, page, 200, `id="job-progress"`, `value="40"`)
		if h.Get("Refresh") == "" || strings.Contains(page, `id="job-lost"`) {
			t.Errorf("a job that beats: Refresh %q\n%s", h.Get("Refresh"), page)
		}
		if st, _, _ := e.page(e.session("admin"), "GET", "/matching/jobs/lost", nil); st != 404 && st != 403 {
			t.Errorf("another user on the lost job: %d, want 404", st)
		}
	})
}

// TestRunJobFailed: a run that failed is kept by its error's code, and its
// page says the refusal in the user's language as the run's own error
// said it; no name is kept.
func TestRunJobFailed(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		op, err := db.UserByLogin(ctx, "op")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateMatchJob(ctx, sqlstore.MatchJob{ID: "failed", User: op.ID, SoughtParty: "UA", HeldParty: "RU", Threshold: 0.9}, time.Now()); err != nil {
			t.Fatal(err)
		}
		runErr := errs.E("sqlstore.SaveMatchRun", errs.Conflict, errs.FieldError{Field: "candidates", Message: "record R-7 is erased", Code: "record_erased", Args: []string{"R-7"}},
			errs.E("cause", "Ковальчук Олександр"))
		if err := db.FinishMatchJob(ctx, "failed", 0, runErr, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "uk"} { // the language is the user's: English until set
			s := e.session("op")
			if lang == "uk" {
				s = e.sessionUK("op")
			}
			st, page, h := e.page(s, "GET", "/matching/jobs/failed", nil)
			wantPage(t, lang+": failed job", st, page, 200, `id="job-error"`, html.EscapeString(locale.Refusal(lang, runErr)))
			if h.Get("Refresh") != "" {
				t.Errorf("%s: a failed job's page reloads itself", lang)
			}
		}
		j, err := db.MatchJob(ctx, "failed", op.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(j.Err.Error(), "Ковальчук") {
			t.Errorf("a name is kept with the job: %v", j.Err)
		}
	})
}
