package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/sqlstore"
)

// A matching run started from the runs page works in the background: the
// page the mediator is sent to shows its progress (the engine's stage and
// how far it is) and, when it is done, the run's candidates. The job's
// progress is in the database (sqlstore.MatchJob, match_jobs), so that
// its page, which reloads itself, reads the same on every server process
// behind a load balancer (docs/operations.md "Several servers"). The
// process that runs it writes its progress and beats a heartbeat; a job
// whose heartbeat stopped is shown as lost: its server stopped before the
// run was stored.

func (s *UI) registerMatchRunRoutes() {
	s.page("POST", "/matching/runs", access.MatchRun, "Start a matching run from the page; its progress is shown.", s.handleStartRunForm)
	s.page("GET", "/matching/jobs/{id}", access.MatchRun, "A matching run started from the page: its progress, then its candidates.", s.handleRunJobPage)
}

const (
	// jobProgressEvery is how often at most a running job's progress is
	// written, besides at each change of stage.
	jobProgressEvery = 500 * time.Millisecond
	// jobHeartbeatEvery is how often a running job's heartbeat is written
	// though its progress did not move: well within
	// sqlstore.MatchJobLostAfter.
	jobHeartbeatEvery = 5 * time.Second
)

// jobReporter writes the progress of a job that runs in this process to
// the store, off the engine's path: the engine's progress calls only set
// the latest values; run writes them at most every jobProgressEvery, at
// once on a change of stage, and a heartbeat every jobHeartbeatEvery when
// nothing moved (the store reads the registers, or saves the run).
type jobReporter struct {
	db  *sqlstore.DB
	log *slog.Logger
	id  string

	mu          sync.Mutex
	stage       string
	done, total int
	moved       bool
	kick        chan struct{} // a change of stage
}

func newJobReporter(db *sqlstore.DB, log *slog.Logger, id, stage string) *jobReporter {
	return &jobReporter{db: db, log: log, id: id, stage: stage, kick: make(chan struct{}, 1)}
}

// progress is the engine's match.Progress.
func (jr *jobReporter) progress(stage string, done, total int) {
	jr.mu.Lock()
	changed := stage != jr.stage
	jr.stage, jr.done, jr.total, jr.moved = stage, done, total, true
	jr.mu.Unlock()
	if changed {
		select {
		case jr.kick <- struct{}{}:
		default:
		}
	}
}

// run writes the progress until stop is closed. A failed write is logged
// and the next one tried: the job itself goes on.
func (jr *jobReporter) run(ctx context.Context, stop <-chan struct{}) {
	tick := time.NewTicker(jobProgressEvery)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-jr.kick:
		case <-tick.C:
		}
		jr.mu.Lock()
		stage, done, total, moved := jr.stage, jr.done, jr.total, jr.moved
		jr.moved = false
		jr.mu.Unlock()
		now := time.Now()
		if !moved && now.Sub(last) < jobHeartbeatEvery {
			continue
		}
		if err := jr.db.MatchJobProgress(ctx, jr.id, stage, done, total, now); err != nil {
			jr.log.Error("matching job progress not stored", "job", jr.id, "err", err.Error())
			continue
		}
		last = now
	}
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
	id := hex.EncodeToString(b[:])
	if err := s.db.CreateMatchJob(r.Context(), sqlstore.MatchJob{ID: id, User: sc.UserID, SoughtParty: sought, HeldParty: held, Threshold: threshold, Stage: "read"}, time.Now()); err != nil {
		return errs.E(op, err)
	}
	go func() {
		// The job outlives the request; it is bounded by the engine's own
		// limits, and by the hour after which it is forgotten.
		ctx, cancel := context.WithTimeout(context.Background(), sqlstore.MatchJobKept)
		defer cancel()
		jr := newJobReporter(s.db, s.log, id, "read")
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			jr.run(ctx, stop)
		}()
		run, err := s.db.RunMatchingProgress(ctx, sc, sought, held, threshold, jr.progress)
		close(stop)
		<-stopped // no progress is written after the end
		if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.Forbidden, err) && !errs.Is(errs.NotFound, err) {
			s.log.Error("matching run failed", "job", id, "err", err.Error())
		}
		// The end is written though the hour is over.
		end, cancelEnd := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancelEnd()
		if ferr := s.db.FinishMatchJob(end, id, run.ID, err, time.Now()); ferr != nil {
			s.log.Error("matching job end not stored", "job", id, "err", ferr.Error())
		}
	}()
	s.redirect(w, r, "/matching/jobs/"+id)
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
	// Lost: the job's server stopped before it finished.
	Lost bool
}

func (s *UI) handleRunJobPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	now := time.Now()
	j, err := s.db.MatchJob(r.Context(), r.PathValue("id"), sc.UserID, now)
	if err != nil {
		return errs.E("web.runJob", err)
	}
	if !j.Finished.IsZero() && j.Err == nil {
		s.redirect(w, r, "/matching/runs/"+strconv.FormatInt(j.RunID, 10))
		return nil
	}
	v := runJobView{chrome: s.chromeFor(r, "runs.progress"), ID: j.ID, SoughtParty: j.SoughtParty, HeldParty: j.HeldParty,
		Stage: j.Stage, Done: j.Done, Total: j.Total, Lost: j.Lost(now)}
	v.Running = j.Finished.IsZero() && !v.Lost
	if j.Err != nil {
		v.Error = refusalText(v.chrome, j.Err)
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
