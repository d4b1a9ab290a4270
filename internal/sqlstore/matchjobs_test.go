package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestMatchJobs: a matching job started from the pages is created,
// advances, finishes with its run or its error, and reads back for its
// user only, on any store of the database; a job that stops beating is
// lost; the next job drops those over an hour old.
func TestMatchJobs(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, db, db2 *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		create := func(id string, user int64, at time.Time) {
			t.Helper()
			if err := db.CreateMatchJob(ctx, sqlstore.MatchJob{ID: id, User: user, SoughtParty: "UA", HeldParty: "RU", Threshold: 0.8}, at); err != nil {
				t.Fatal(err)
			}
		}
		read := func(id string, user int64, at time.Time) sqlstore.MatchJob {
			t.Helper()
			j, err := db2.MatchJob(ctx, id, user, at) // the other server process
			if err != nil {
				t.Fatalf("job %s of user %d: %v", id, user, err)
			}
			return j
		}
		notFound := func(what, id string, user int64, at time.Time) {
			t.Helper()
			if _, err := db2.MatchJob(ctx, id, user, at); !errs.Is(errs.NotFound, err) {
				t.Errorf("%s: %v, want not found", what, err)
			} else if code, _ := errs.CodeOf(err); code != "no_run_in_progress" {
				t.Errorf("%s: code %q, want no_run_in_progress", what, code)
			}
		}

		create("j1", 1, now)
		j := read("j1", 1, now)
		if j.SoughtParty != "UA" || j.HeldParty != "RU" || j.Threshold != 0.8 || j.Stage != "read" || !j.Started.Equal(now) || !j.Heartbeat.Equal(now) ||
			!j.Finished.IsZero() || j.RunID != 0 || j.Err != nil || j.Lost(now) {
			t.Fatalf("new job: %+v", j)
		}
		notFound("another user's job", "j1", 2, now)
		notFound("no job", "nope", 1, now)

		// Progress moves the heartbeat; a job that beats is not lost.
		at := now.Add(20 * time.Second)
		if err := db.MatchJobProgress(ctx, "j1", "score", 40, 100, at); err != nil {
			t.Fatal(err)
		}
		j = read("j1", 1, at.Add(25*time.Second))
		if j.Stage != "score" || j.Done != 40 || j.Total != 100 || !j.Heartbeat.Equal(at) || j.Lost(at.Add(25*time.Second)) {
			t.Fatalf("after progress: %+v", j)
		}
		// Without a heartbeat for over 30 s, it is lost.
		if !j.Lost(at.Add(31 * time.Second)) {
			t.Error("a job without a heartbeat for 31 s is not lost")
		}

		// Finished with its run: not lost however long ago, and progress
		// after the end changes nothing.
		end := at.Add(time.Second)
		if err := db.FinishMatchJob(ctx, "j1", 42, nil, end); err != nil {
			t.Fatal(err)
		}
		if err := db.MatchJobProgress(ctx, "j1", "block", 1, 2, end.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		j = read("j1", 1, end.Add(10*time.Minute))
		if j.RunID != 42 || j.Err != nil || !j.Finished.Equal(end) || j.Stage != "score" || j.Lost(end.Add(10*time.Minute)) {
			t.Fatalf("finished job: %+v", j)
		}

		// Finished with an error: its kind and code with its arguments,
		// of the first field error; its cause is not kept.
		create("j2", 1, now)
		runErr := errs.E("sqlstore.SaveMatchRun", errs.E("sqlstore.refuseErased", errs.Conflict, "record R-7 is erased",
			errs.FieldError{Field: "candidates", Message: "record R-7 is erased", Code: "record_erased", Args: []string{"R-7"}}))
		if err := db.FinishMatchJob(ctx, "j2", 0, runErr, end); err != nil {
			t.Fatal(err)
		}
		j = read("j2", 1, end)
		if code, args := errs.CodeOf(j.Err); !errs.Is(errs.Conflict, j.Err) || code != "record_erased" || len(args) != 1 || args[0] != "R-7" ||
			errs.Message(j.Err) != "record R-7 is erased" || j.RunID != 0 || j.Lost(end.Add(time.Hour/2)) {
			t.Fatalf("failed job: %+v (code %q %q)", j, code, args)
		}
		// An internal error keeps nothing of its cause.
		create("j3", 1, now)
		if err := db.FinishMatchJob(ctx, "j3", 0, errs.E("x", errs.Internal, "a secret cause: Ковальчук"), end); err != nil {
			t.Fatal(err)
		}
		if j = read("j3", 1, end); !errs.Is(errs.Internal, j.Err) || errs.Message(j.Err) != "internal error" {
			t.Fatalf("internal error: %+v", j)
		}
		dump, err := db.DumpAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(dump["match_jobs"], []byte("Ковальчук")) || bytes.Contains(dump["match_jobs"], []byte("secret")) {
			t.Errorf("the cause of an internal error is in match_jobs:\n%s", dump["match_jobs"])
		}

		// A job is read for an hour after it started; the next job drops
		// the older ones.
		notFound("a job an hour old", "j1", 1, now.Add(time.Hour))
		create("j4", 2, now.Add(time.Hour))
		if n, err := db.CountRows(ctx, "match_jobs"); err != nil || n != 1 {
			t.Errorf("%d jobs after an hour (%v), want only the new one", n, err)
		}
		if err := db.CreateMatchJob(ctx, sqlstore.MatchJob{ID: "j4", User: 2}, now.Add(time.Hour)); err == nil {
			t.Error("a second job under one id was stored")
		}
	})
}
