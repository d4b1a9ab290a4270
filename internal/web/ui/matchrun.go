package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/match"
)

// A matching run started from the runs page works in the background: the
// page the mediator is sent to shows its progress (the engine's stage and
// how far it is) and, when it is done, the run's candidates. Jobs live in
// memory: a restart forgets a running job, never a stored run.

func (s *UI) registerMatchRunRoutes() {
	s.page("POST", "/matching/runs", access.MatchRun, "Start a matching run from the page; its progress is shown.", s.handleStartRunForm)
	s.page("GET", "/matching/jobs/{id}", access.MatchRun, "A matching run started from the page: its progress, then its candidates.", s.handleRunJobPage)
}

// runJob is one run started from the page.
type runJob struct {
	id                     string
	by                     int64
	soughtParty, heldParty string
	started                time.Time

	mu          sync.Mutex
	stage       string
	done, total int
	runID       int64
	err         error
	finished    bool
}

func (j *runJob) progress(stage string, done, total int) {
	j.mu.Lock()
	j.stage, j.done, j.total = stage, done, total
	j.mu.Unlock()
}

// runJobs holds the jobs of the last hour.
type runJobs struct {
	mu   sync.Mutex
	jobs map[string]*runJob
}

func (rj *runJobs) add(j *runJob) {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	if rj.jobs == nil {
		rj.jobs = map[string]*runJob{}
	}
	for id, old := range rj.jobs {
		if time.Since(old.started) > time.Hour {
			delete(rj.jobs, id)
		}
	}
	rj.jobs[j.id] = j
}

func (rj *runJobs) get(id string) *runJob {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	return rj.jobs[id]
}

func (s *UI) handleStartRunForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	const op = "web.startRun"
	sought, held := strings.TrimSpace(r.PostFormValue("sought_party")), strings.TrimSpace(r.PostFormValue("held_party"))
	var fe []errs.FieldError
	if sought == "" {
		fe = append(fe, errs.FieldError{Field: "sought_party", Message: "choose the party whose sought register is matched", Code: "required"})
	}
	if held == "" || held == sought {
		fe = append(fe, errs.FieldError{Field: "held_party", Message: "choose the other party, whose held register is matched", Code: "run_same_party"})
	}
	threshold := match.DefaultThreshold
	if v := strings.TrimSpace(r.PostFormValue("threshold")); v != "" {
		t, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil || t <= 0 || t >= 1 {
			fe = append(fe, errs.FieldError{Field: "threshold", Message: "a probability between 0 and 1", Code: "run_bad_threshold", Args: []string{v}})
		}
		threshold = t
	}
	if len(fe) > 0 {
		return s.renderRuns(w, r, sc, http.StatusUnprocessableEntity, locale.Refusal(s.chromeFor(r, "runs.title").lang(), errs.E(op, errs.Invalid, "the run cannot start", fe)))
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	j := &runJob{id: hex.EncodeToString(b[:]), by: sc.UserID, soughtParty: sought, heldParty: held, started: time.Now(), stage: "read"}
	s.runJobs.add(j)
	go func() {
		// The job outlives the request; it is bounded by the engine's own
		// limits, and by the hour after which it is forgotten.
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		run, err := s.db.RunMatchingProgress(ctx, sc, sought, held, threshold, j.progress)
		j.mu.Lock()
		j.runID, j.err, j.finished = run.ID, err, true
		j.mu.Unlock()
		if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.Forbidden, err) && !errs.Is(errs.NotFound, err) {
			s.log.Error("matching run failed", "job", j.id, "err", err.Error())
		}
	}()
	s.redirect(w, r, "/matching/jobs/"+j.id)
	return nil
}

type runJobView struct {
	chrome
	ID                     string
	SoughtParty, HeldParty string
	Stage                  string
	Done, Total, Percent   int
	Error                  string
	Running                bool
}

func (s *UI) handleRunJobPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	j := s.runJobs.get(r.PathValue("id"))
	if j == nil || j.by != sc.UserID {
		return errs.E("web.runJob", errs.NotFound, "no such matching run in progress", errs.Coded{Code: "no_run_in_progress"})
	}
	j.mu.Lock()
	v := runJobView{chrome: s.chromeFor(r, "runs.progress"), ID: j.id, SoughtParty: j.soughtParty, HeldParty: j.heldParty,
		Stage: j.stage, Done: j.done, Total: j.total, Running: !j.finished}
	runID, err := j.runID, j.err
	j.mu.Unlock()
	if !v.Running && err == nil {
		s.redirect(w, r, "/matching/runs/"+strconv.FormatInt(runID, 10))
		return nil
	}
	if err != nil {
		v.Error = refusalText(v.chrome, err)
		if fes := errs.Fields(err); len(fes) > 0 {
			v.Error = fieldMessage(v.chrome, fes[0])
		}
	}
	if v.Total > 0 {
		v.Percent = min(100, v.Done*100/v.Total)
	}
	if v.Running {
		// The page reloads itself while the run works: no script needed.
		w.Header().Set("Refresh", "2")
	}
	s.render(w, r, http.StatusOK, "run_job.html", v)
	return nil
}
