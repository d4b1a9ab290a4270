package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// A matching run started from the pages works in the background of one
// server process (internal/web/ui/matchrun.go); its progress is kept here,
// in match_jobs (migration 0029), so that the job's page reads the same on
// every server process of the database (docs/operations.md "Several
// servers"). The process that runs the job writes its progress, each
// write a heartbeat; a job that stops beating before it finished is lost:
// its server stopped.

const (
	// MatchJobKept is how long a job is kept after it started: the next
	// job drops the older ones, and none is read after it.
	MatchJobKept = time.Hour
	// MatchJobLostAfter is how long a running job may go without a
	// heartbeat before it is taken for lost. Its process beats far more
	// often (internal/web/ui/matchrun.go).
	MatchJobLostAfter = 30 * time.Second
)

// MatchJob is one matching run started from the pages. It holds no
// person's data: parties, numbers, and an error as its code.
type MatchJob struct {
	ID                     string // the random id of the job's page
	User                   int64  // who started it; nobody else reads it
	SoughtParty, HeldParty string
	Threshold              float64
	Started, Heartbeat     time.Time
	Stage                  string // the engine's (match.Progress), "read" before it starts
	Done, Total            int
	// Finished is zero while the job runs. A finished job has either
	// RunID (the stored run) or Err.
	Finished time.Time
	RunID    int64
	// Err is why the run failed, as the store keeps it: its kind, its
	// code and arguments and its English message (errs.Coded), of the
	// error or of its first field error: locale.Refusal says it in the
	// user's language as it said the run's own error.
	Err error
}

// Lost reports whether the job is still running by its row but its
// process has not beaten for MatchJobLostAfter at now: the server that ran
// it stopped, and no run was stored.
func (j MatchJob) Lost(now time.Time) bool {
	return j.Finished.IsZero() && now.Sub(j.Heartbeat) > MatchJobLostAfter
}

// CreateMatchJob stores job j, started at now with its first heartbeat,
// at its stage (or "read"), and first drops the jobs started
// MatchJobKept or longer before now.
func (db *DB) CreateMatchJob(ctx context.Context, j MatchJob, now time.Time) error {
	const op = "sqlstore.CreateMatchJob"
	if j.ID == "" || j.User == 0 {
		return errs.E(op, errs.Invalid, "a matching job needs an id and a user")
	}
	if j.Stage == "" {
		j.Stage = "read"
	}
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM match_jobs WHERE started_ns <= ?`, now.Add(-MatchJobKept).UnixNano()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO match_jobs (id, user_id, sought_party, held_party, threshold, started_ns, heartbeat_ns, stage, done, total)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			j.ID, j.User, j.SoughtParty, j.HeldParty, j.Threshold, now.UnixNano(), now.UnixNano(), j.Stage, j.Done, j.Total)
		return err
	})
	if err != nil {
		return errs.E(op, errs.Internal, "cannot store the matching job", err)
	}
	return nil
}

// MatchJobProgress records the progress of running job id at now, which
// is also its heartbeat. The caller throttles it (a write at most every
// half second, or on a change of stage); a finished or dropped job is
// left as it is.
func (db *DB) MatchJobProgress(ctx context.Context, id, stage string, done, total int, now time.Time) error {
	err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE match_jobs SET stage = ?, done = ?, total = ?, heartbeat_ns = ? WHERE id = ? AND finished_ns IS NULL`,
			stage, done, total, now.UnixNano(), id)
		return err
	})
	if err != nil {
		return errs.E("sqlstore.MatchJobProgress", errs.Internal, "cannot store the matching job's progress", err)
	}
	return nil
}

// FinishMatchJob records the end of running job id at now: the stored
// run runID when runErr is nil, else runErr as its kind, code, arguments
// and English message (those of its first field error, if it has one).
// Those are what the job's page says; an error says no person's name
// (internal/errs), and its cause is not kept.
func (db *DB) FinishMatchJob(ctx context.Context, id string, runID int64, runErr error, now time.Time) error {
	const op = "sqlstore.FinishMatchJob"
	run := sql.NullInt64{Int64: runID, Valid: runErr == nil}
	var kind errs.Kind
	var code, args, text string
	if runErr != nil {
		kind = errs.KindOf(runErr)
		var a []string
		code, a = errs.CodeOf(runErr)
		text = errs.Message(runErr)
		if fes := errs.Fields(runErr); len(fes) > 0 && kind != errs.Internal {
			code, a, text = fes[0].Code, fes[0].Args, fes[0].Message
		}
		if len(a) > 0 {
			b, err := json.Marshal(a)
			if err != nil {
				return errs.E(op, errs.Internal, err)
			}
			args = string(b)
		}
	}
	err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE match_jobs SET run_id = ?, error_kind = ?, error_code = ?, error_args = ?, error_text = ?, finished_ns = ?, heartbeat_ns = ?
			WHERE id = ? AND finished_ns IS NULL`, run, int(kind), code, args, text, now.UnixNano(), now.UnixNano(), id)
		return err
	})
	if err != nil {
		return errs.E(op, errs.Internal, "cannot store the end of the matching job", err)
	}
	return nil
}

// MatchJob returns job id if it is user's and started less than
// MatchJobKept before now; NotFound (no_run_in_progress) otherwise, the
// same for another user's job as for none.
func (db *DB) MatchJob(ctx context.Context, id string, user int64, now time.Time) (MatchJob, error) {
	const op = "sqlstore.MatchJob"
	j := MatchJob{ID: id, User: user}
	var started, heartbeat int64
	var finished, run sql.NullInt64
	var kind int
	var code, args, text string
	err := db.queryRow(ctx, `SELECT sought_party, held_party, threshold, started_ns, heartbeat_ns, stage, done, total, run_id, error_kind, error_code, error_args, error_text, finished_ns
		FROM match_jobs WHERE id = ? AND user_id = ? AND started_ns > ?`, id, user, now.Add(-MatchJobKept).UnixNano()).
		Scan(&j.SoughtParty, &j.HeldParty, &j.Threshold, &started, &heartbeat, &j.Stage, &j.Done, &j.Total, &run, &kind, &code, &args, &text, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return MatchJob{}, errs.E(op, errs.NotFound, "no such matching run in progress", errs.Coded{Code: "no_run_in_progress"})
	}
	if err != nil {
		return MatchJob{}, errs.E(op, errs.Internal, "cannot read the matching job", err)
	}
	j.Started, j.Heartbeat = time.Unix(0, started).UTC(), time.Unix(0, heartbeat).UTC()
	if !finished.Valid {
		return j, nil
	}
	j.Finished = time.Unix(0, finished.Int64).UTC()
	if run.Valid {
		j.RunID = run.Int64
		return j, nil
	}
	var a []string
	if args != "" {
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return MatchJob{}, errs.E(op, errs.Internal, "the matching job's error does not read", err)
		}
	}
	// The code is one read back, checked when the run's error was made.
	j.Err = &errs.Error{Op: "sqlstore.RunMatching", Kind: errs.Kind(kind), Message: text, Code: code, Args: a}
	return j, nil
}
